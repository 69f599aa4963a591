-- Case notes: narrative, DAP or SOAP, a draft until the author signs it; a signed note is never
-- edited again, only amended by signed addenda. sections holds the format's sections as a JSON
-- object (section name to text). sensitivity decides who may read the note (domain::note).

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    contact_id BIGINT NULL REFERENCES contacts(id),
    format TEXT NOT NULL,
    sensitivity TEXT NOT NULL,
    sections TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    signed_at BIGINT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

CREATE TABLE note_goals (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    note_id BIGINT NOT NULL REFERENCES case_notes(id),
    goal_id BIGINT NOT NULL REFERENCES goals(id),
    PRIMARY KEY (note_id, goal_id)
);
CREATE INDEX note_goals_goal ON note_goals (goal_id);

CREATE TABLE note_addenda (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    note_id BIGINT NOT NULL REFERENCES case_notes(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda (note_id, id);
