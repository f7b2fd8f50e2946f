-- Rules, alerts and notifications (SPEC 6). Every table is tenant-owned, under the same policy as the
-- others; the dispatcher's cross-tenant claim of due notifications is one named function.

CREATE TABLE rules (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  enabled          boolean NOT NULL,
  severity         text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  scope            jsonb NOT NULL,
  key              text NOT NULL,
  condition        jsonb NOT NULL,
  clear_condition  jsonb,
  actions          jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX rules_tenant_idx ON rules (tenant_id, created_at, id);

-- What the evaluator must remember of a (rule, device) across restarts: whether the rule fires for
-- the device, since when its condition (or clear condition) has held, the last point it evaluated.
-- Written on transitions only. version is the rule's updated_at: a changed rule starts afresh.
CREATE TABLE rule_states (
  tenant_id        uuid NOT NULL,
  rule_id          uuid NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
  device_id        uuid NOT NULL,
  version          timestamptz NOT NULL,
  firing           boolean NOT NULL,
  condition_since  timestamptz,
  clear_since      timestamptz,
  last_ts          timestamptz,
  last_value       double precision,
  PRIMARY KEY (rule_id, device_id)
);
CREATE INDEX rule_states_tenant_idx ON rule_states (tenant_id);

-- An alert outlives its rule and device: names are copied, ids kept without a foreign key.
CREATE TABLE alerts (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  rule_id          uuid NOT NULL,
  rule_name        text NOT NULL,
  device_id        uuid NOT NULL,
  device_name      text NOT NULL,
  key              text NOT NULL,
  severity         text NOT NULL,
  status           text NOT NULL CHECK (status IN ('active', 'acknowledged', 'cleared')),
  value            double precision,
  started_at       timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  cleared_at       timestamptz,
  cleared_by       text
);
-- At most one open alert per rule and device, whichever thread or node raises it.
CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (rule_id, device_id) WHERE status <> 'cleared';
CREATE INDEX alerts_tenant_started_idx ON alerts (tenant_id, started_at DESC, id);
CREATE INDEX alerts_tenant_status_idx ON alerts (tenant_id, status) WHERE status <> 'cleared';

CREATE TABLE alert_events (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  alert_id         uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  at               timestamptz NOT NULL,
  type             text NOT NULL,
  actor            text,
  details          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, at, id);

-- The outbox of actions: written with the alert change, delivered (and retried) by the dispatcher.
CREATE TABLE notifications (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  alert_id         uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  rule_id          uuid NOT NULL,
  event            text NOT NULL CHECK (event IN ('raised', 'cleared')),
  action           jsonb NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL,
  delivered_at     timestamptz
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_tenant_idx ON notifications (tenant_id, created_at DESC, id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rules', 'rule_states', 'alerts', 'alert_events', 'notifications'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                   'WITH CHECK (tenant_id = app_current_tenant())', t);
  END LOOP;
END $$;

-- The owner runs the claim below: it reads and leases notifications of every tenant.
CREATE POLICY owner_claim_read ON notifications FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_claim_lease ON notifications FOR UPDATE TO CURRENT_USER USING (true) WITH CHECK (true);

-- The dispatcher takes due notifications of every tenant: each is leased for p_lease so that another
-- node or a second poll does not take it too; delivery then happens in the notification's tenant.
CREATE FUNCTION app_claim_notifications(p_limit integer, p_lease interval)
  RETURNS TABLE (id uuid, tenant_id uuid)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ UPDATE notifications n SET next_attempt_at = now() + p_lease
        WHERE n.id IN (SELECT d.id FROM notifications d
                       WHERE d.status = 'pending' AND d.next_attempt_at <= now()
                       ORDER BY d.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
        RETURNING n.id, n.tenant_id $$;

REVOKE ALL ON FUNCTION app_claim_notifications(integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_claim_notifications(integer, interval) TO "${app_role}";

GRANT SELECT, INSERT, UPDATE, DELETE ON rules, rule_states, alerts, alert_events, notifications TO "${app_role}";
