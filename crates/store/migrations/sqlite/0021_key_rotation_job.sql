-- `casework serve` rotates the encryption keys by itself when its keyring has a newer master
-- key than stored data uses. Of several server processes one runs it: the one holding this
-- claim (see job_claims in 0018).
INSERT INTO job_claims (job, holder, lease_until) VALUES ('key_rotation', NULL, 0);

-- The OpenID Connect client secret is now sealed under the master key like TOTP secrets.
-- Secrets saved before this migration hold plaintext: mark it, so a read accepts plaintext only
-- where it is marked; the next key rotation (the server's own, or `casework keys rotate`)
-- seals every marked value.
UPDATE identity_providers SET client_secret = 'legacy:' || client_secret;
