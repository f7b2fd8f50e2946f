-- Invitations need the consent of the invited address (issue: account takeover through invitations).
--  * an invitation no longer creates a user or a membership: the membership appears when the owner of
--    the address accepts, either with the e-mailed token (new account) or, logged in, by id;
--  * an open invitation (not accepted, not declined, not expired) holds a seat of max_users;
--  * login lockout moved out of the users table: it is kept per (e-mail, client address).

ALTER TABLE invitations ADD COLUMN declined_at timestamptz;

-- at most one open invitation per address and tenant; a new invite replaces the open one
CREATE UNIQUE INDEX invitations_open_key ON invitations (tenant_id, email)
  WHERE accepted_at IS NULL AND declined_at IS NULL;

ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- The invitations addressed to a logged-in user, in every tenant: what GET /auth/invitations lists and
-- what /auth/invitations/{id}/accept|decline look up before acting in the invitation's tenant. The
-- e-mail comes from the authenticated account, never from request input. Expiry is the caller's check
-- (the application's clock decides it everywhere).
CREATE FUNCTION app_open_invitations_for(p_email text)
  RETURNS TABLE (id uuid, tenant_id uuid, tenant_name text, tenant_slug text, role text,
                 created_at timestamptz, expires_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT i.id, i.tenant_id, t.name, t.slug, i.role, i.created_at, i.expires_at
        FROM invitations i JOIN tenants t ON t.id = i.tenant_id
        WHERE i.email = p_email AND i.accepted_at IS NULL AND i.declined_at IS NULL
        ORDER BY i.created_at, i.id $$;

-- the token lookup gains the declined state
DROP FUNCTION app_invitation_by_token(text);
CREATE FUNCTION app_invitation_by_token(p_token_hash text)
  RETURNS TABLE (id uuid, tenant_id uuid, email text, role text, expires_at timestamptz,
                 accepted_at timestamptz, declined_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT i.id, i.tenant_id, i.email, i.role, i.expires_at, i.accepted_at, i.declined_at
        FROM invitations i WHERE i.token_hash = p_token_hash $$;

REVOKE ALL ON FUNCTION app_open_invitations_for(text), app_invitation_by_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_open_invitations_for(text), app_invitation_by_token(text) TO "${app_role}";
