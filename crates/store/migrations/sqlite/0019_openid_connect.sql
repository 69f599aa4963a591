-- OpenID Connect sign-in: each agency may name one identity provider; people are linked to it by
-- the provider's (issuer, subject) pair; a started sign-in waits in oidc_attempts until the
-- provider sends the browser back.
--
-- The client secret is stored as given, NOT yet encrypted at rest (like user_totp.secret):
-- encryption of secrets at rest must cover this column. It is never shown back or logged.

CREATE TABLE identity_providers (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies(id),
    display_name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    -- The ID token claim matched against a user's email on first sign-in ('email': verified only).
    user_claim TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE user_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
-- One identity per user and issuer: a second subject never takes over a linked account.
CREATE UNIQUE INDEX user_identities_user ON user_identities (user_id, issuer);

-- Between the redirect to the provider and its answer. The state is stored hashed; the nonce
-- and PKCE verifier are single-use and live minutes.
CREATE TABLE oidc_attempts (
    state_hash TEXT PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_attempts_expiry ON oidc_attempts (expires_at);
