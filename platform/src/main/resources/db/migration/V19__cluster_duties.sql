-- Several nodes (SPEC 2): periodic work that one node of the cluster does per period (no-data checks,
-- retention) is claimed here by the first node to ask in the period (shared.ClusterDuties). No tenant
-- column: the duties are the platform's own.
CREATE TABLE cluster_duties (
    duty       text PRIMARY KEY,
    claimed_at timestamptz NOT NULL,
    node       text NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON cluster_duties TO "${app_role}";
