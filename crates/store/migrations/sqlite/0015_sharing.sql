-- Need-to-know reach beyond the case's own people.
-- A case shared with another worker of the agency until an end date (inclusive, 'YYYY-MM-DD');
-- a share may be ended early. The caseload and search look shares up by worker and end date.
CREATE TABLE case_shares (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    worker_id BIGINT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    shared_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    ended_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_shares_worker ON case_shares (agency_id, worker_id, ends_on);
CREATE INDEX case_shares_case ON case_shares (case_id, id);

-- Break-the-glass: emergency read access with a stated reason, for a few hours, listed for the
-- case's team supervisors to review.
CREATE TABLE break_glass (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at BIGINT,
    verdict TEXT,
    review_comment TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX break_glass_case_user ON break_glass (case_id, user_id, expires_at);
CREATE INDEX break_glass_open ON break_glass (agency_id, reviewed_at, id);
