//! Agency assessment forms as the admin builds them: a form with numbered versions, the latest
//! one a draft until published. Publishing freezes it; the next change makes a new draft version
//! copied from it, so responses filled against a published version keep their meaning. And what
//! each program requires to be assessed, which the assessment stage's guard counts.

use crate::page::{limit, page_of};
use crate::{Act, Actor, Casework, Cursor, Page, ServiceError, ServiceResult};
use casework_domain::access::{may_administer, Decision};
use casework_domain::assessment::InstrumentKind;
use casework_domain::audit::Outcome;
use casework_domain::form::{
    missing, parse_requirements, DefinitionDoc, FieldDoc, FormDefinition, FormStatus, Requirement,
};
use casework_domain::text::required;
use casework_domain::Invalid;
use casework_store::case::CaseRow;
use casework_store::fetch::Fetch;
use casework_store::form as store;
pub use casework_store::form::{FormRow, FormVersionRow};
use casework_store::Wall;
use casework_store::{agency, Conn, StoreError};

/// A form with one of its versions (for the admin the latest, for others the latest published)
/// and that version's checked definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FormDetail {
    pub form: FormRow,
    pub shown: FormVersionRow,
    pub definition: FormDefinition,
}

impl FormDetail {
    pub fn is_draft(&self) -> bool {
        self.shown.status == FormStatus::Draft.as_str()
    }
}

/// One change an admin makes to a form's draft.
#[derive(Debug, Clone)]
pub enum FormChange {
    Rename(String),
    AddSection {
        title: String,
    },
    /// `section` counts from zero.
    AddField {
        section: usize,
        field: FieldDoc,
    },
    MoveSection {
        index: usize,
        up: bool,
    },
    MoveField {
        key: String,
        up: bool,
    },
    RemoveField {
        key: String,
    },
    /// The API's whole-definition update.
    Replace {
        name: Option<String>,
        definition: DefinitionDoc,
    },
}

impl FormChange {
    fn name(&self) -> &'static str {
        match self {
            FormChange::Rename(_) => "rename",
            FormChange::AddSection { .. } => "add_section",
            FormChange::AddField { .. } => "add_field",
            FormChange::MoveSection { .. } => "move_section",
            FormChange::MoveField { .. } => "move_field",
            FormChange::RemoveField { .. } => "remove_field",
            FormChange::Replace { .. } => "replace",
        }
    }
}

/// A requirement with what it is called and whether the case met it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementLine {
    pub requirement: Requirement,
    /// The form's name; for an instrument its stable name (the page translates it).
    pub name: String,
    pub met: bool,
}

fn form_act(action: &str, id: Option<i64>) -> Act<'_> {
    Act {
        action,
        record_type: "assessment_form",
        record_id: id,
        client_id: None,
    }
}

pub(crate) fn definition_of(v: &FormVersionRow) -> ServiceResult<FormDefinition> {
    let corrupt = || ServiceError::Store(StoreError::Corrupt(format!("form version {}", v.id)));
    let doc: DefinitionDoc = serde_json::from_str(&v.definition).map_err(|_| corrupt())?;
    FormDefinition::parse(&doc).map_err(|_| corrupt())
}

fn json_of(d: &FormDefinition) -> ServiceResult<String> {
    serde_json::to_string(&d.to_doc())
        .map_err(|_| ServiceError::Store(StoreError::Corrupt("form definition".into())))
}

fn apply(d: &FormDefinition, change: &FormChange) -> Result<FormDefinition, Invalid> {
    match change {
        FormChange::Rename(_) => Ok(d.clone()),
        FormChange::AddSection { title } => d.with_section(title),
        FormChange::AddField { section, field } => d.with_field(*section, field.clone()),
        FormChange::MoveSection { index, up } => d.with_section_moved(*index, *up),
        FormChange::MoveField { key, up } => d.with_field_moved(key, *up),
        FormChange::RemoveField { key } => d.without_field(key),
        FormChange::Replace { definition, .. } => FormDefinition::parse(definition),
    }
}

impl Casework {
    async fn require_form_admin(&self, actor: &Actor, act: Act<'_>) -> ServiceResult<()> {
        if may_administer(actor) {
            Ok(())
        } else {
            Err(self.deny(actor, act, Decision::Forbidden).await)
        }
    }

    async fn write_form_event(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        act: Act<'_>,
        reason: Option<&str>,
    ) -> ServiceResult<()> {
        let event = self.event(actor, act, Outcome::Allowed, reason);
        casework_store::audit::append(tx, actor.agency_id, vec![event]).await?;
        Ok(())
    }

    async fn form_detail(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        form: FormRow,
    ) -> ServiceResult<FormDetail> {
        let shown = if may_administer(actor) {
            store::latest_version(conn, actor.agency_id, form.id).await?
        } else {
            match form.published_version_id {
                Some(v) => store::version(conn, actor.agency_id, v).await?,
                None => None,
            }
        };
        let shown = shown.ok_or(ServiceError::NotFound)?;
        Ok(FormDetail {
            definition: definition_of(&shown)?,
            form,
            shown,
        })
    }

    /// A new form with an empty draft as version 1. Admins only.
    pub async fn create_assessment_form(
        &self,
        actor: &Actor,
        name: &str,
    ) -> ServiceResult<FormDetail> {
        self.require_form_admin(actor, form_act("assessment_form.create", None))
            .await?;
        let name = required("name", name, 200)?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let id = store::insert_form(&mut tx, actor.agency_id, &name, actor.user_id, now)
            .await
            .map_err(crate::error::conflict_as("name"))?;
        let empty = json_of(&FormDefinition::empty())?;
        store::insert_version(&mut tx, actor.agency_id, id, 1, &empty, actor.user_id, now).await?;
        self.write_form_event(
            &mut tx,
            actor,
            form_act("assessment_form.create", Some(id)),
            None,
        )
        .await?;
        let form = store::form(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let detail = self.form_detail(&mut tx, actor, form).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// The agency's forms by id: all of them for an admin, the published ones for everyone else
    /// (what a worker may fill). Definitions hold no client data: no read audit.
    pub async fn assessment_forms(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<FormRow>> {
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = store::forms(
            &mut conn,
            actor.agency_id,
            cursor.map_or(0, |c| c.0),
            limit + 1,
            !may_administer(actor),
        )
        .await?;
        Ok(page_of(rows, limit, |f| f.id))
    }

    /// One form: for an admin its latest version (the draft being built), for everyone else its
    /// latest published version (404 before the first is published).
    pub async fn assessment_form(&self, actor: &Actor, id: i64) -> ServiceResult<FormDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let form = store::form(&mut conn, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.form_detail(&mut conn, actor, form).await
    }

    /// Change the form's draft (a published latest version gets a new draft version first),
    /// if the form is still at `version`. Admins only.
    pub async fn change_assessment_form(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        change: &FormChange,
    ) -> ServiceResult<FormDetail> {
        self.require_form_admin(actor, form_act("assessment_form.update", Some(id)))
            .await?;
        let name = match change {
            FormChange::Rename(n) => Some(required("name", n, 200)?),
            FormChange::Replace { name: Some(n), .. } => Some(required("name", n, 200)?),
            _ => None,
        };
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        store::form(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let latest = store::latest_version(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let current = definition_of(&latest)?;
        let changed = apply(&current, change)?;
        if !store::touch_form(&mut tx, actor.agency_id, id, version, name.as_deref())
            .await
            .map_err(crate::error::conflict_as("name"))?
        {
            return Err(ServiceError::Stale);
        }
        let draft = if latest.status == FormStatus::Published.as_str() {
            let next = store::insert_version(
                &mut tx,
                actor.agency_id,
                id,
                latest.version_no + 1,
                &latest.definition,
                actor.user_id,
                now,
            )
            .await
            .map_err(crate::error::conflict_as("version"))?;
            let why = format!(
                "version {} from published version {}",
                next.version_no, latest.version_no
            );
            self.write_form_event(
                &mut tx,
                actor,
                form_act("assessment_form.revise", Some(id)),
                Some(&why),
            )
            .await?;
            next
        } else {
            latest
        };
        store::set_definition(&mut tx, actor.agency_id, draft.id, &json_of(&changed)?).await?;
        self.write_form_event(
            &mut tx,
            actor,
            form_act("assessment_form.update", Some(id)),
            Some(change.name()),
        )
        .await?;
        let form = store::form(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let detail = self.form_detail(&mut tx, actor, form).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    /// Publish the draft: it is frozen from now on and workers fill it. Admins only.
    pub async fn publish_assessment_form(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> ServiceResult<FormDetail> {
        self.require_form_admin(actor, form_act("assessment_form.publish", Some(id)))
            .await?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        store::form(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let latest = store::latest_version(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if latest.status != FormStatus::Draft.as_str() {
            return Err(Invalid::new("version", "form_already_published").into());
        }
        definition_of(&latest)?.check_publishable()?;
        if !store::touch_form(&mut tx, actor.agency_id, id, version, None).await? {
            return Err(ServiceError::Stale);
        }
        store::publish(&mut tx, actor.agency_id, latest.id, actor.user_id, now).await?;
        let why = format!("version {}", latest.version_no);
        self.write_form_event(
            &mut tx,
            actor,
            form_act("assessment_form.publish", Some(id)),
            Some(&why),
        )
        .await?;
        let form = store::form(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let detail = self.form_detail(&mut tx, actor, form).await?;
        casework_store::commit(tx).await?;
        Ok(detail)
    }

    async fn stored_requirements(
        &self,
        conn: &mut impl Fetch,
        agency_id: i64,
        program_id: i64,
    ) -> ServiceResult<Vec<Requirement>> {
        let codes = store::requirements(conn, agency_id, program_id).await?;
        parse_requirements(&codes).map_err(|_| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "requirements of program {program_id}"
            )))
        })
    }

    /// What a program requires to be assessed. Not client data: any staff member may read it.
    pub async fn program_requirements(
        &self,
        actor: &Actor,
        program_id: i64,
    ) -> ServiceResult<Vec<Requirement>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        agency::program(&mut conn, actor.agency_id, program_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.stored_requirements(&mut conn, actor.agency_id, program_id)
            .await
    }

    /// Replace what a program requires: codes `form:<id>` (a form of the agency), `phq9`, `gad7`,
    /// `ssm`. Admins only.
    pub async fn set_program_requirements(
        &self,
        actor: &Actor,
        program_id: i64,
        codes: &[String],
    ) -> ServiceResult<Vec<Requirement>> {
        let act = Act {
            action: "program.requirements_set",
            record_type: "program",
            record_id: Some(program_id),
            client_id: None,
        };
        if !may_administer(actor) {
            return Err(self.deny(actor, act, Decision::Forbidden).await);
        }
        let list = parse_requirements(codes)?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        agency::program(&mut tx, actor.agency_id, program_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut rows = Vec::with_capacity(list.len());
        for (i, r) in list.iter().enumerate() {
            let form_id = match r {
                Requirement::Form(id) => {
                    store::form(&mut tx, actor.agency_id, *id)
                        .await?
                        .ok_or_else(|| {
                            Invalid::new(format!("requirements[{i}]"), "unknown_choice")
                        })?;
                    Some(*id)
                }
                Requirement::Instrument(_) => None,
            };
            rows.push((r.code(), form_id));
        }
        store::replace_requirements(
            &mut tx,
            actor.agency_id,
            program_id,
            &rows,
            self.clock.now_ms(),
        )
        .await?;
        let why = rows
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let event = self.event(actor, act, Outcome::Allowed, Some(&why));
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(list)
    }

    /// The case's program requirements, each with whether the case met it. Callers have
    /// authorized the case.
    pub(crate) async fn requirement_lines(
        &self,
        conn: &mut impl Fetch,
        c: &CaseRow,
    ) -> ServiceResult<Vec<RequirementLine>> {
        let Some(program_id) = c.program_id else {
            return Ok(Vec::new());
        };
        let required = self
            .stored_requirements(conn, c.agency_id, program_id)
            .await?;
        if required.is_empty() {
            return Ok(Vec::new());
        }
        let forms = store::completed_forms(conn, c.id).await?;
        let given: Vec<InstrumentKind> = store::instruments_given(conn, c.id)
            .await?
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        let left = missing(&required, &forms, &given);
        let mut lines = Vec::with_capacity(required.len());
        for r in required {
            let name = match r {
                Requirement::Form(id) => store::form(conn, c.agency_id, id)
                    .await?
                    .map_or_else(|| r.code(), |f| f.name),
                Requirement::Instrument(k) => k.as_str().to_string(),
            };
            lines.push(RequirementLine {
                met: !left.contains(&r),
                requirement: r,
                name,
            });
        }
        Ok(lines)
    }

    /// For the case page's assessment section: what the program requires and what is still
    /// missing. The case page's own read is audited by `case_detail`; this adds no client
    /// content beyond it.
    pub async fn case_requirements(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> ServiceResult<Vec<RequirementLine>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = crate::authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                casework_domain::access::CaseAction::Read,
                "case.requirements_read"
            )
            .await,
            end conn
        );
        self.requirement_lines(&mut conn, &c).await
    }
}
