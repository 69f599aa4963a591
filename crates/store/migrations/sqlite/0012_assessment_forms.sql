-- Agency-defined assessment forms. A form has numbered versions; publishing freezes a version,
-- and editing a published form makes the next version a draft. A response points to the exact
-- version it was filled against, so old answers keep their meaning.
--
-- The definition (sections, fields, choices) and the answers are JSON text: their shape is
-- owned and checked by the domain (casework_domain::form), is read and written whole, and is
-- never queried field by field; one column keeps both databases on the same SQL.

CREATE TABLE assessment_forms (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX assessment_forms_name ON assessment_forms (agency_id, name);

CREATE TABLE assessment_form_versions (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    form_id BIGINT NOT NULL REFERENCES assessment_forms(id),
    version_no BIGINT NOT NULL,
    status TEXT NOT NULL,
    definition TEXT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX assessment_form_versions_no ON assessment_form_versions (form_id, version_no);

CREATE TABLE form_responses (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    form_id BIGINT NOT NULL REFERENCES assessment_forms(id),
    form_version_id BIGINT NOT NULL REFERENCES assessment_form_versions(id),
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    filled_on TEXT NOT NULL,
    completed_by BIGINT REFERENCES users(id),
    completed_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX form_responses_case ON form_responses (case_id, id);

-- What a program requires to be assessed before a case leaves assessment: 'form:<id>' (with
-- form_id set, so a form cannot vanish under a requirement) or an instrument ('phq9', ...).
CREATE TABLE program_requirements (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    program_id BIGINT NOT NULL REFERENCES programs(id),
    requirement TEXT NOT NULL,
    form_id BIGINT REFERENCES assessment_forms(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX program_requirements_one ON program_requirements (program_id, requirement);
