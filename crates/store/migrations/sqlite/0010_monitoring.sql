-- Monitoring (the intervention stage): services delivered to the client, and progress measured
-- against each goal. A service record is corrected in place (versioned, audited) and never
-- deleted: a wrong one is marked entered in error with a reason and stays on file.

CREATE TABLE services_delivered (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    other_kind TEXT,
    delivered_on TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_name TEXT,
    units REAL NOT NULL,
    unit_name TEXT NOT NULL,
    goal_id BIGINT REFERENCES goals(id),
    intervention_id BIGINT REFERENCES interventions(id),
    note TEXT,
    error_reason TEXT,
    error_by BIGINT REFERENCES users(id),
    error_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX services_delivered_case ON services_delivered (case_id, id);
CREATE INDEX services_delivered_intervention ON services_delivered (intervention_id);

CREATE TABLE progress_entries (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    goal_id BIGINT NOT NULL REFERENCES goals(id),
    recorded_on TEXT NOT NULL,
    value REAL,
    gas_level BIGINT,
    comment TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX progress_entries_goal ON progress_entries (goal_id, id);
CREATE INDEX progress_entries_case ON progress_entries (case_id, goal_id, recorded_on);
