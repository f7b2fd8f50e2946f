-- Foundation schema: tenants, users, memberships, invitations, sessions, API keys, audit log.
--
-- Isolation model (see docs/architecture.md):
--  * this script runs as the owner role; the application connects as ${app_role}, which is neither
--    owner nor BYPASSRLS;
--  * every tenant-owned table has RLS enabled and forced, with a policy comparing tenant_id to the
--    per-transaction setting app.tenant_id (set with set_config(..., true) = SET LOCAL);
--  * the few legitimate cross-tenant reads are SECURITY DEFINER functions owned by the owner role,
--    which a SELECT-only policy for the owner lets through. Their names start with app_.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app_role}') THEN
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE',
                   '${app_role}', '${app_password}');
  END IF;
END $$;

-- The tenant of the current transaction, or NULL. An empty string (what a pooled connection
-- returns after an earlier SET LOCAL) is no tenant.
CREATE FUNCTION app_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- ---------------------------------------------------------------- global tables

CREATE TABLE tenants (
  id                            uuid PRIMARY KEY,
  name                          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slug                          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  status                        text NOT NULL CHECK (status IN ('active', 'suspended')),
  max_devices                   integer NOT NULL CHECK (max_devices >= 0),
  max_users                     integer NOT NULL CHECK (max_users >= 0),
  max_telemetry_points_per_day  bigint  NOT NULL CHECK (max_telemetry_points_per_day >= 0),
  max_retention_days            integer NOT NULL CHECK (max_retention_days >= 1),
  max_messages_per_second       integer NOT NULL CHECK (max_messages_per_second >= 0),
  created_at                    timestamptz NOT NULL,
  updated_at                    timestamptz NOT NULL
);

CREATE TABLE users (
  id                  uuid PRIMARY KEY,
  email               text NOT NULL CHECK (email = lower(email)),
  name                text NOT NULL DEFAULT '',
  password_hash       text,
  is_admin            boolean NOT NULL DEFAULT false,
  status              text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
  mfa_enabled         boolean NOT NULL DEFAULT false,
  failed_logins       integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  created_at          timestamptz NOT NULL,
  last_login_at       timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- A login session: one refresh-token family. Revoking it ends every token of the family,
-- including access tokens, which carry the session id as "sid".
CREATE TABLE auth_sessions (
  id             uuid PRIMARY KEY,
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  active_tenant_id uuid REFERENCES tenants (id) ON DELETE SET NULL,
  created_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoke_reason  text
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
  token_hash   text PRIMARY KEY,
  session_id   uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- ---------------------------------------------------------------- tenant-owned tables

CREATE TABLE memberships (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  joined_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
-- serves app_memberships_of (the cross-tenant "which tenants is this user in" path)
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE invitations (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email        text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  token_hash   text NOT NULL UNIQUE,
  invited_by   uuid,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz
);
CREATE INDEX invitations_tenant_idx ON invitations (tenant_id, email);

CREATE TABLE api_keys (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix        text NOT NULL,
  secret_hash   text NOT NULL UNIQUE,
  scopes        text[] NOT NULL,
  created_by    uuid,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);

-- System events (failed logins, lockouts, tenant creation) have no tenant.
CREATE TABLE audit_log (
  id           uuid PRIMARY KEY,
  at           timestamptz NOT NULL,
  tenant_id    uuid,
  actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system', 'anonymous')),
  actor_id     text,
  actor_label  text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  client_ip    text,
  user_agent   text,
  outcome      text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- ---------------------------------------------------------------- row-level security

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['memberships', 'invitations', 'api_keys'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                   'WITH CHECK (tenant_id = app_current_tenant())', t);
    -- lets the SECURITY DEFINER functions below (owned by this role) read across tenants
    EXECUTE format('CREATE POLICY owner_read ON %I FOR SELECT TO CURRENT_USER USING (true)', t);
  END LOOP;
END $$;

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON audit_log FOR SELECT USING (tenant_id = app_current_tenant());
-- a tenant context writes only its own rows; outside any tenant context only system rows
CREATE POLICY tenant_append ON audit_log FOR INSERT
  WITH CHECK (tenant_id IS NOT DISTINCT FROM app_current_tenant());
CREATE POLICY owner_read ON audit_log FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_purge ON audit_log FOR DELETE TO CURRENT_USER USING (true);

-- ---------------------------------------------------------------- named cross-tenant paths

-- Login, /auth/me, tenant switching and membership checks across tenants.
CREATE FUNCTION app_memberships_of(p_user uuid)
  RETURNS TABLE (tenant_id uuid, role text, joined_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT m.tenant_id, m.role, m.joined_at FROM memberships m WHERE m.user_id = p_user
        ORDER BY m.joined_at, m.tenant_id $$;

-- Accepting an invitation: the token is all the caller has; the tenant comes from the row.
CREATE FUNCTION app_invitation_by_token(p_token_hash text)
  RETURNS TABLE (id uuid, tenant_id uuid, email text, role text, expires_at timestamptz,
                 accepted_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT i.id, i.tenant_id, i.email, i.role, i.expires_at, i.accepted_at
        FROM invitations i WHERE i.token_hash = p_token_hash $$;

-- X-API-Key authentication: the key is all the caller has; the tenant comes from the row.
CREATE FUNCTION app_api_key_by_hash(p_secret_hash text)
  RETURNS TABLE (id uuid, tenant_id uuid, name text, scopes text[], expires_at timestamptz,
                 revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT k.id, k.tenant_id, k.name, k.scopes, k.expires_at, k.revoked_at
        FROM api_keys k WHERE k.secret_hash = p_secret_hash $$;

-- The audit filters of GET /api/v1/audit, defined once; inlined by the planner.
CREATE FUNCTION app_audit_matches(a audit_log, p_from timestamptz, p_to timestamptz, p_tenant uuid,
                                  p_action text, p_actor text, p_target_type text, p_target_id text)
  RETURNS boolean
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT (p_from IS NULL OR a.at >= p_from) AND (p_to IS NULL OR a.at < p_to)
           AND (p_tenant IS NULL OR a.tenant_id = p_tenant)
           AND (p_action IS NULL OR a.action = p_action)
           AND (p_actor IS NULL OR a.actor_id = p_actor OR a.actor_label = p_actor)
           AND (p_target_type IS NULL OR a.target_type = p_target_type)
           AND (p_target_id IS NULL OR a.target_id = p_target_id) $$;

-- The system administrator's view of the whole audit log (tenant admins query the table under RLS).
CREATE FUNCTION app_audit_search(p_from timestamptz, p_to timestamptz, p_tenant uuid, p_action text,
                                 p_actor text, p_target_type text, p_target_id text,
                                 p_limit integer, p_offset integer)
  RETURNS SETOF audit_log
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT * FROM audit_log a
        WHERE app_audit_matches(a, p_from, p_to, p_tenant, p_action, p_actor, p_target_type, p_target_id)
        ORDER BY a.at DESC, a.id DESC
        LIMIT p_limit OFFSET p_offset $$;

CREATE FUNCTION app_audit_count(p_from timestamptz, p_to timestamptz, p_tenant uuid, p_action text,
                                p_actor text, p_target_type text, p_target_id text)
  RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT count(*) FROM audit_log a
        WHERE app_audit_matches(a, p_from, p_to, p_tenant, p_action, p_actor, p_target_type, p_target_id) $$;

-- Retention: the only way rows leave the audit log.
CREATE FUNCTION app_audit_purge(p_before timestamptz) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
  DECLARE n bigint;
  BEGIN
    DELETE FROM audit_log WHERE at < p_before;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
  END $$;

REVOKE ALL ON FUNCTION app_memberships_of(uuid), app_invitation_by_token(text),
  app_api_key_by_hash(text),
  app_audit_search(timestamptz, timestamptz, uuid, text, text, text, text, integer, integer),
  app_audit_count(timestamptz, timestamptz, uuid, text, text, text, text),
  app_audit_purge(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_memberships_of(uuid), app_invitation_by_token(text),
  app_api_key_by_hash(text),
  app_audit_search(timestamptz, timestamptz, uuid, text, text, text, text, integer, integer),
  app_audit_count(timestamptz, timestamptz, uuid, text, text, text, text),
  app_audit_purge(timestamptz) TO "${app_role}";

-- ---------------------------------------------------------------- runtime grants

GRANT SELECT, INSERT, UPDATE ON tenants, users TO "${app_role}";
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_sessions, refresh_tokens,
  memberships, invitations, api_keys TO "${app_role}";
-- append-only: no UPDATE, no DELETE for the application
GRANT SELECT, INSERT ON audit_log TO "${app_role}";
