-- Tasks on a case (beside the plan's tasks), the program's default tasks per stage that make
-- them, and the supervisor's marks on what waited in their queue: an override reviewed, a safety
-- alert (a PHQ-9 result with item 9 above 0) acknowledged.

CREATE TABLE task_templates (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    program_id BIGINT NOT NULL REFERENCES programs(id),
    stage TEXT NOT NULL,
    title TEXT NOT NULL,
    due_days BIGINT NOT NULL,
    remind_days BIGINT,
    retired_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX task_templates_program ON task_templates (agency_id, program_id, stage, id);

CREATE TABLE case_tasks (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    title TEXT NOT NULL,
    description TEXT,
    due_on TEXT NOT NULL,
    remind_days BIGINT,
    remind_on TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users(id),
    status TEXT NOT NULL,
    cancel_reason TEXT,
    template_id BIGINT REFERENCES task_templates(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, id);
CREATE INDEX case_tasks_assignee ON case_tasks (agency_id, assignee_id, status, due_on, id);

CREATE TABLE override_reviews (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    stage_history_id BIGINT NOT NULL UNIQUE REFERENCES stage_history(id),
    reviewed_by BIGINT NOT NULL REFERENCES users(id),
    reviewed_at BIGINT NOT NULL,
    comment TEXT
);

CREATE TABLE safety_acknowledgements (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    instrument_result_id BIGINT NOT NULL UNIQUE REFERENCES instrument_results(id),
    acknowledged_by BIGINT NOT NULL REFERENCES users(id),
    acknowledged_at BIGINT NOT NULL,
    comment TEXT NOT NULL
);
