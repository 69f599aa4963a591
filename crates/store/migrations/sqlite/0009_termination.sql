-- Termination, follow-up and reopening. A program may name the days after closure on which the
-- worker checks in; a case's termination record (reason, closing summary, growth, aftercare)
-- is handed in and, where the program asks for it, approved by a supervisor; the move to
-- follow-up creates one check-in per scheduled day; a reopened case keeps all of it, its
-- termination marked as reopened and its open check-ins cancelled.

CREATE TABLE program_follow_up_schedules (
    program_id BIGINT PRIMARY KEY REFERENCES programs(id),
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    -- Ascending days after closure, comma separated: "30,90,180". Empty: no follow-ups.
    days TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE terminations (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    reason TEXT,
    reason_other TEXT,
    closing_summary TEXT,
    growth TEXT,
    aftercare_plan TEXT,
    status TEXT NOT NULL,
    submitted_by BIGINT REFERENCES users(id),
    submitted_at BIGINT,
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    return_comment TEXT,
    -- Set when the case was reopened: the record stays as history, no longer current.
    reopened_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
-- At most one current termination per case.
CREATE UNIQUE INDEX terminations_current ON terminations (case_id) WHERE reopened_at IS NULL;
CREATE INDEX terminations_case ON terminations (case_id, id);
CREATE INDEX terminations_status ON terminations (agency_id, status, id);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    day_offset BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    assigned_to BIGINT REFERENCES users(id),
    status TEXT NOT NULL,
    contact_date TEXT,
    contact_mode TEXT,
    change_held TEXT,
    new_needs TEXT,
    referrals TEXT,
    comment TEXT,
    cancel_reason TEXT,
    closed_by BIGINT REFERENCES users(id),
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX follow_ups_case ON follow_ups (case_id, id);
CREATE INDEX follow_ups_due ON follow_ups (agency_id, assigned_to, status, due_on, id);

CREATE TABLE case_reopenings (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    reopened_by BIGINT NOT NULL REFERENCES users(id),
    reopened_at BIGINT NOT NULL
);
CREATE INDEX case_reopenings_case ON case_reopenings (case_id, id);
