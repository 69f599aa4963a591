-- Evaluations (the evaluation stage): per case, any number over time; the latest recorded one
-- decides whether the case goes back to intervention or on to termination. Each holds the
-- re-assessment it refers to, a GAS level per active goal (with the case's T-score), the worker's
-- summary, the decision and, possibly recorded later, the client's feedback. A recorded
-- evaluation is never edited: a new one is made.

CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    assessment_id BIGINT REFERENCES assessments(id),
    status TEXT NOT NULL,
    summary TEXT,
    decision TEXT,
    t_score REAL,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT,
    feedback_helpfulness BIGINT,
    feedback_respect BIGINT,
    feedback_understanding BIGINT,
    feedback_comment TEXT,
    feedback_given_on TEXT,
    feedback_recorded_by BIGINT REFERENCES users(id),
    feedback_recorded_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX evaluations_case ON evaluations (case_id, id);

CREATE TABLE evaluation_goals (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id),
    goal_id BIGINT NOT NULL REFERENCES goals(id),
    level BIGINT,
    comment TEXT
);
CREATE INDEX evaluation_goals_evaluation ON evaluation_goals (evaluation_id, id);
