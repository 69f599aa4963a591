-- Who started each OpenID Connect sign-in: the peer address, as failed password sign-ins are
-- counted by. Starting a sign-in needs no account, so the live attempts are capped per address
-- and per provider; these indexes answer those counts.
ALTER TABLE oidc_attempts ADD COLUMN address TEXT;
CREATE INDEX oidc_attempts_address ON oidc_attempts (address, expires_at);
CREATE INDEX oidc_attempts_agency ON oidc_attempts (agency_id, expires_at);
