-- TOTP multi-factor authentication (SPEC 9). Per user, like users itself (no tenant): the secret is
-- sealed with the platform's secrets key; last_step is the newest TOTP time step accepted, so a code
-- is accepted once; recovery codes are kept as SHA-256 hashes (they carry 80 random bits) and spent.

CREATE TABLE user_mfa (
  user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_sealed text NOT NULL,
  confirmed_at  timestamptz,
  last_step     bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL
);

CREATE TABLE mfa_recovery_codes (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  text NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- a tenant may require its members to use MFA
ALTER TABLE tenants ADD COLUMN require_mfa boolean NOT NULL DEFAULT false;

GRANT SELECT, INSERT, UPDATE, DELETE ON user_mfa, mfa_recovery_codes TO "${app_role}";
