-- Runs as the owner role after every migration run, i.e. at every start: the database keeps the
-- configured insa.audit.retention-days, which app_audit_purge holds to whatever cutoff it is given.
UPDATE app_settings SET audit_retention_days = ${audit_retention_days};
