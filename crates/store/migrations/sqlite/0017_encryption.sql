-- Encryption of sensitive fields at rest.
--
-- Each client has a data key of its own, stored only wrapped (encrypted) by a master key that never
-- touches the database. A new version is added when `casework keys rotate --data-keys` issues a
-- fresh key; old versions go once nothing refers to them. Destroying a client's key (erasure)
-- keeps the row as a tombstone with `wrapped` NULL, so what it sealed reads as "erased" rather
-- than "missing". No foreign key to clients: the tombstone may outlive the client row.
CREATE TABLE client_keys (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    -- enc1:m<master version>:<base64>, bound to agency, client and version.
    wrapped TEXT,
    created_at BIGINT NOT NULL,
    destroyed_at BIGINT,
    PRIMARY KEY (client_id, version)
);
CREATE INDEX client_keys_agency ON client_keys (agency_id, client_id);

-- Rows written before this migration hold plaintext. Mark it as such, so that a read accepts
-- plaintext only where it is marked; `casework keys rotate` encrypts every marked value.
UPDATE case_notes SET sections = 'legacy:' || sections;
UPDATE note_addenda SET body = 'legacy:' || body;
UPDATE assessments SET situation = 'legacy:' || situation WHERE situation IS NOT NULL;
UPDATE assessments SET background = 'legacy:' || background WHERE background IS NOT NULL;
UPDATE assessments SET resources = 'legacy:' || resources WHERE resources IS NOT NULL;
UPDATE assessments SET limitations = 'legacy:' || limitations WHERE limitations IS NOT NULL;
UPDATE assessments SET risk_details = 'legacy:' || risk_details WHERE risk_details IS NOT NULL;
UPDATE assessments SET client_words = 'legacy:' || client_words WHERE client_words IS NOT NULL;
UPDATE instrument_results SET answers = 'legacy:' || answers;
UPDATE form_responses SET answers = 'legacy:' || answers;
UPDATE clients SET safe_contact = 'legacy:' || safe_contact WHERE safe_contact IS NOT NULL;
UPDATE client_identifiers SET value = 'legacy:' || value, value_norm = 'legacy:' || value_norm;
UPDATE user_totp SET secret = 'legacy:' || secret;
