-- Webhook secrets at rest (second security review, issue 22, finding 7): a sealed secret moves from
-- the API's field "secret", marked by the prefix "sealed:" (which a user could type too), to a field of
-- its own, "sealed_secret", that only the server writes. The sealed text itself is unchanged, so every
-- secret sealed before opens as it did. A "secret" that a user typed with the prefix moves as well and
-- then fails to open: its deliveries fail (visible in the notification), nothing else does.
-- RLS is forced for the owner too, so it is lifted for these statements (inside the migration's
-- transaction).

ALTER TABLE rules NO FORCE ROW LEVEL SECURITY;
UPDATE rules SET actions = (
    SELECT jsonb_agg(
             CASE WHEN a ->> 'type' = 'webhook' AND a ->> 'secret' LIKE 'sealed:%'
                  THEN (a - 'secret') || jsonb_build_object('sealed_secret', substr(a ->> 'secret', 8))
                  ELSE a END
             ORDER BY n)
    FROM jsonb_array_elements(actions) WITH ORDINALITY AS t(a, n))
  WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(actions) AS a(action)
                WHERE action ->> 'type' = 'webhook' AND action ->> 'secret' LIKE 'sealed:%');
ALTER TABLE rules FORCE ROW LEVEL SECURITY;

ALTER TABLE notifications NO FORCE ROW LEVEL SECURITY;
UPDATE notifications
  SET action = (action - 'secret') || jsonb_build_object('sealed_secret', substr(action ->> 'secret', 8))
  WHERE action ->> 'type' = 'webhook' AND action ->> 'secret' LIKE 'sealed:%';
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
