-- Spring Modulith's event publication registry (its schema v2 for PostgreSQL, as shipped in
-- spring-modulith-events-jdbc): a domain event is stored here in the transaction that publishes it, one
-- row per listener, and stays until that listener has handled it. A listener that fails is retried
-- (system.FailedEventRetries); it never fails or undoes the change that published the event.
-- Completed rows are deleted (spring.modulith.events.completion-mode=delete). No tenant column: the
-- events name their tenant inside, and only the platform itself reads them.
CREATE TABLE event_publication (
    id                     uuid NOT NULL PRIMARY KEY,
    listener_id            text NOT NULL,
    event_type             text NOT NULL,
    serialized_event       text NOT NULL,
    publication_date       timestamptz NOT NULL,
    completion_date        timestamptz,
    status                 text,
    completion_attempts    int,
    last_resubmission_date timestamptz
);
CREATE INDEX event_publication_serialized_event_hash_idx ON event_publication USING hash (serialized_event);
CREATE INDEX event_publication_by_completion_date_idx ON event_publication (completion_date);

GRANT SELECT, INSERT, UPDATE, DELETE ON event_publication TO "${app_role}";
