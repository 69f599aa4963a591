-- Assessment: the structured assessment, its needs and strengths (goals point to needs), and the
-- standard instruments given during it. A completed assessment is never changed; a later one is a
-- new row, compared with the first (the baseline).

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    situation TEXT,
    background TEXT,
    resources TEXT,
    limitations TEXT,
    risk_level TEXT,
    risk_details TEXT,
    client_words TEXT,
    assessed_on TEXT NOT NULL,
    completed_by BIGINT REFERENCES users(id),
    completed_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX assessments_case ON assessments (case_id, id);

CREATE TABLE needs (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX needs_case ON needs (case_id, id);

CREATE TABLE strengths (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX strengths_case ON strengths (case_id, id);

-- answers: JSON as given, checked: PHQ-9 and GAD-7 a list of 0-3; the matrix {"domain": 1-5}.
-- total and band are NULL for the matrix (it has no total; its average is computed from answers).
CREATE TABLE instrument_results (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    assessment_id BIGINT REFERENCES assessments(id),
    instrument TEXT NOT NULL,
    answers TEXT NOT NULL,
    total BIGINT,
    band TEXT,
    safety_alert BIGINT NOT NULL DEFAULT 0,
    taken_on TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX instrument_results_case ON instrument_results (case_id, instrument, id);
