-- Sign-in security: TOTP second factor with recovery codes, the half-signed-in state between
-- password and code, per-role MFA requirements, and sessions people can see and end one by one.
--
-- The TOTP secret is stored as base32 text, NOT yet encrypted at rest: encryption of secrets at
-- rest is a later piece of work (it must cover this column). It is never logged and the types
-- holding it redact it from debug output.

CREATE TABLE user_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    secret TEXT NOT NULL,
    -- NULL while enrolment waits for its first correct code.
    confirmed_at BIGINT,
    -- The last time step accepted, so a code cannot be used twice.
    last_used_step BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id, id);

-- After a correct password, before the second step: grants nothing but that step.
CREATE TABLE pending_sign_ins (
    token_hash TEXT PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- 'code' (enter a code) or 'enrol' (the role requires MFA and the user has none yet).
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_sign_ins_user ON pending_sign_ins (user_id);

-- Roles that must sign in with a second factor: a comma-separated list of role names.
CREATE TABLE agency_security (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies(id),
    mfa_roles TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

-- Sessions get an id to show and revoke them by (never the token) and a coarse user agent.
-- Sessions from before this change have neither: they end here, and people sign in again.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);
