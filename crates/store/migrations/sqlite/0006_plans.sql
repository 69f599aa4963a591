-- Plans (the planning stage): one plan per case in numbered versions. Each version holds, for
-- each active goal, its interventions (who does them, by when, with which resources) and their
-- tasks, the client's agreement and, where the program asks for it, a supervisor's approval.
-- A change to an approved version makes a new version (interventions and tasks copied).

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    version_no BIGINT NOT NULL,
    status TEXT NOT NULL,
    client_agreed_on TEXT,
    client_words TEXT,
    submitted_at BIGINT,
    approved_by BIGINT REFERENCES users(id),
    approved_at BIGINT,
    return_comment TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX plans_case_version ON plans (case_id, version_no);

CREATE TABLE interventions (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    goal_id BIGINT NOT NULL REFERENCES goals(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    responsible TEXT NOT NULL,
    responsible_name TEXT,
    due_on TEXT NOT NULL,
    resources TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX interventions_plan ON interventions (plan_id, goal_id, id);

CREATE TABLE plan_tasks (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    intervention_id BIGINT NOT NULL REFERENCES interventions(id),
    description TEXT NOT NULL,
    responsible TEXT NOT NULL,
    responsible_name TEXT,
    due_on TEXT NOT NULL,
    done_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX plan_tasks_intervention ON plan_tasks (intervention_id, id);
