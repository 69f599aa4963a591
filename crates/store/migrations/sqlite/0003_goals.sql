-- Goals: SMART goals agreed with the client, in priority order, each tied to needs from the
-- case's completed assessments, with their Goal Attainment Scaling levels described in words.
-- A draft may lack anything; only a goal that passed the SMART check is 'active'.

CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    priority BIGINT NOT NULL,
    status TEXT NOT NULL,
    statement TEXT,
    measure TEXT,
    baseline TEXT,
    target TEXT,
    resources TEXT,
    barriers TEXT,
    target_date TEXT,
    gas_minus2 TEXT,
    gas_minus1 TEXT,
    gas_zero TEXT,
    gas_plus1 TEXT,
    gas_plus2 TEXT,
    weight REAL NOT NULL DEFAULT 1,
    client_agreed BIGINT NOT NULL DEFAULT 0,
    client_agreed_on TEXT,
    client_words TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX goals_case ON goals (case_id, priority, id);

CREATE TABLE goal_needs (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    goal_id BIGINT NOT NULL REFERENCES goals(id),
    need_id BIGINT NOT NULL REFERENCES needs(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (goal_id, need_id)
);
CREATE INDEX goal_needs_need ON goal_needs (need_id);
