-- Foundation: agencies, people, clients, cases, engagement work, audit chain.
-- Times are Unix milliseconds (UTC); calendar dates are 'YYYY-MM-DD' text; flags are 0/1.

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (agency_id, name)
);

CREATE TABLE programs (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    plan_approval_required BIGINT NOT NULL DEFAULT 0,
    closure_approval_required BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (agency_id, name)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id BIGINT REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_agency ON users (agency_id, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- Failed sign-ins per account ('account:<email>') and per address ('address:<ip>').
CREATE TABLE login_failures (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    legal_name TEXT NOT NULL,
    preferred_name TEXT,
    birth_date TEXT,
    birth_year_estimate BIGINT,
    gender_identity TEXT,
    pronouns TEXT,
    preferred_language TEXT NOT NULL,
    interpreter_needed BIGINT NOT NULL DEFAULT 0,
    cultural_considerations TEXT,
    phone TEXT,
    email TEXT,
    safe_contact TEXT,
    address TEXT,
    registered_by BIGINT REFERENCES users(id),
    merged_into BIGINT REFERENCES clients(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX clients_agency_birth ON clients (agency_id, birth_date);

CREATE TABLE client_identifiers (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    value_norm TEXT NOT NULL
);
CREATE INDEX client_identifiers_value ON client_identifiers (agency_id, value_norm);
CREATE INDEX client_identifiers_client ON client_identifiers (client_id);

CREATE TABLE household_members (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    name TEXT NOT NULL,
    relationship TEXT,
    birth_date TEXT
);
CREATE INDEX household_members_client ON household_members (client_id);

-- Trigrams of every client name: typo-, accent- and word-order-tolerant search on both databases.
CREATE TABLE client_name_grams (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    gram TEXT NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    PRIMARY KEY (agency_id, gram, client_id)
);
CREATE INDEX client_name_grams_client ON client_name_grams (client_id);

-- What the registering worker decided when likely duplicates were shown.
CREATE TABLE duplicate_decisions (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT REFERENCES clients(id),
    candidate_ids TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by BIGINT NOT NULL REFERENCES users(id),
    decided_at BIGINT NOT NULL
);

CREATE TABLE client_merges (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    survivor_id BIGINT NOT NULL REFERENCES clients(id),
    merged_id BIGINT NOT NULL REFERENCES clients(id),
    moved TEXT NOT NULL,
    merged_by BIGINT NOT NULL REFERENCES users(id),
    merged_at BIGINT NOT NULL,
    undone_by BIGINT REFERENCES users(id),
    undone_at BIGINT
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    program_id BIGINT REFERENCES programs(id),
    team_id BIGINT REFERENCES teams(id),
    primary_worker_id BIGINT REFERENCES users(id),
    referral_source TEXT,
    presenting_problem TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_entered_at BIGINT NOT NULL,
    risk_flag BIGINT NOT NULL DEFAULT 0,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_worker ON cases (agency_id, primary_worker_id, id);
CREATE INDEX cases_team ON cases (agency_id, team_id, id);
CREATE INDEX cases_client ON cases (client_id);

CREATE TABLE stage_history (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    moved_by BIGINT NOT NULL REFERENCES users(id),
    moved_at BIGINT NOT NULL,
    override_reason TEXT
);
CREATE INDEX stage_history_case ON stage_history (case_id, id);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    worker_id BIGINT REFERENCES users(id),
    team_id BIGINT REFERENCES teams(id),
    assigned_by BIGINT NOT NULL REFERENCES users(id),
    assigned_at BIGINT NOT NULL,
    reason TEXT
);
CREATE INDEX assignments_case ON assignments (case_id, id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    contact_date TEXT NOT NULL,
    mode TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    participants TEXT,
    interpreter_used BIGINT NOT NULL DEFAULT 0,
    summary TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX contacts_case ON contacts (case_id, id);

CREATE TABLE service_consents (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    given_on TEXT NOT NULL,
    method TEXT NOT NULL,
    witness TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX service_consents_case ON service_consents (case_id, id);

CREATE TABLE audit_entries (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id BIGINT,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id BIGINT,
    client_id BIGINT,
    outcome TEXT NOT NULL,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (agency_id, seq)
);
CREATE INDEX audit_entries_client ON audit_entries (agency_id, client_id, seq);
CREATE INDEX audit_entries_actor ON audit_entries (agency_id, actor_user_id, seq);

CREATE TABLE audit_heads (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- The application only appends; these make a slip in its code fail loudly instead of rewriting history.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
