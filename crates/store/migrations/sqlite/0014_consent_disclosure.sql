-- Consent to share and disclosures. A consent lets information in named categories go to one
-- named organisation, or any organisation of a kind, for one purpose, from its first day
-- (starts_on) through its last (expires_on, inclusive; NULL until revoked). Revocation takes
-- effect at once. Categories are codes joined by commas (see casework_domain::consent).
-- Every disclosure is recorded here under the consent that covered it or a legal basis; these
-- rows are never changed or deleted.

CREATE TABLE share_consents (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    recipient_type TEXT NOT NULL,
    recipient_name TEXT,
    recipient_kind TEXT,
    purpose TEXT NOT NULL,
    purpose_other TEXT,
    categories TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    expires_on TEXT,
    given_how TEXT NOT NULL,
    witness TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by BIGINT REFERENCES users(id),
    revocation_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX share_consents_client ON share_consents (agency_id, client_id, id);
CREATE INDEX share_consents_expiry ON share_consents (agency_id, expires_on, id);

CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    recipient_name TEXT NOT NULL,
    recipient_kind TEXT,
    purpose TEXT NOT NULL,
    purpose_other TEXT,
    categories TEXT NOT NULL,
    channel TEXT NOT NULL,
    consent_id BIGINT REFERENCES share_consents(id),
    legal_basis_kind TEXT,
    law_cited TEXT,
    authorised_by_name TEXT,
    authorised_by_role TEXT,
    authorised_on TEXT,
    disclosed_by BIGINT NOT NULL REFERENCES users(id),
    disclosed_at BIGINT NOT NULL
);
CREATE INDEX disclosures_client ON disclosures (agency_id, client_id, id);
CREATE INDEX disclosures_agency ON disclosures (agency_id, id);

CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'disclosures are never changed'); END;
CREATE TRIGGER disclosures_no_delete BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'disclosures are never deleted'); END;
