//! Workers fill an agency form for a case: a response pinned to the published version it was
//! filled against, saved as a draft or completed (then never changed). Several responses over
//! time are allowed; reaching one follows the case's reach, like every case record.

use crate::form::{definition_of, FormDetail};
use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::client::parse_date;
use casework_domain::form::{Answers, FormDefinition, ResponseStatus};
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
pub use casework_store::form::ResponseRow;
use casework_store::form::{self as store, NewResponse};
use casework_store::Wall;
use casework_store::{Conn, StoreError};
use serde_json::{Map, Value};

/// Answers as given, unchecked: `{"key": value}`, the date filled (blank: today), and whether
/// to complete the response now.
#[derive(Debug, Clone, Default)]
pub struct ResponseForm {
    pub answers: Map<String, Value>,
    pub filled_on: Option<String>,
    pub complete: bool,
}

/// A response with the form version it was filled against.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseDetail {
    pub response: ResponseRow,
    pub case: CaseRow,
    pub form_name: String,
    pub version_no: i64,
    pub definition: FormDefinition,
    pub answers: Answers,
    pub can_record: bool,
}

fn response_act<'a>(action: &'a str, id: Option<i64>, c: Option<&CaseRow>) -> Act<'a> {
    Act {
        action,
        record_type: "form_response",
        record_id: id,
        client_id: c.map(|c| c.client_id),
    }
}

fn stored_answers(r: &ResponseRow, d: &FormDefinition) -> ServiceResult<Answers> {
    let corrupt = || ServiceError::Store(StoreError::Corrupt(format!("form response {}", r.id)));
    let map: Map<String, Value> = serde_json::from_str(&r.answers).map_err(|_| corrupt())?;
    d.check_answers(&map, false).map_err(|_| corrupt())
}

impl Casework {
    fn filled_on(&self, raw: Option<&str>) -> Result<String, Invalid> {
        let today = self.today();
        match raw.map(str::trim) {
            None | Some("") => Ok(today.to_string()),
            Some(s) => {
                let d = parse_date("filled_on", s)?;
                if d > today {
                    return Err(Invalid::new("filled_on", "date_in_future"));
                }
                Ok(d.to_string())
            }
        }
    }

    async fn authorize_response(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, ResponseRow), Refusal> {
        let r = store::response(conn, &self.vault, actor.agency_id, id).await?;
        let case = match &r {
            Some(r) => case_store::get(conn, &self.vault, actor.agency_id, r.case_id).await?,
            None => None,
        };
        let decision = match case.as_ref() {
            Some(c) => self.case_decision(conn, actor, c, action, name).await?,
            None => Decision::Hidden,
        };
        match (decision, case, r) {
            (Decision::Allow, Some(c), Some(r)) => Ok((c, r)),
            (d, c, _) => Err(self.refusal(actor, response_act(name, Some(id), c.as_ref()), d)),
        }
    }

    /// The form as a worker fills it for the case: its latest published version. The worker
    /// must be able to record on the case.
    pub async fn fillable_form(
        &self,
        actor: &Actor,
        case_id: i64,
        form_id: i64,
    ) -> ServiceResult<(CaseRow, FormDetail)> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Record,
                "form_response.create"
            )
            .await,
            end conn
        );
        drop(conn);
        let form = self.published_form(actor, form_id).await?;
        Ok((c, form))
    }

    async fn published_form(&self, actor: &Actor, form_id: i64) -> ServiceResult<FormDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let form = store::form(&mut conn, actor.agency_id, form_id)
            .await?
            .ok_or_else(|| Invalid::new("form_id", "unknown_choice"))?;
        let version_id = form
            .published_version_id
            .ok_or_else(|| Invalid::new("form_id", "form_not_published"))?;
        let shown = store::version(&mut conn, actor.agency_id, version_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(FormDetail {
            definition: definition_of(&shown)?,
            form,
            shown,
        })
    }

    /// Fill a form for a case against its latest published version, as a draft or completed.
    /// Answers are checked first: a bad one is refused naming its key, and nothing is written.
    pub async fn start_form_response(
        &self,
        actor: &Actor,
        case_id: i64,
        form_id: i64,
        form: &ResponseForm,
    ) -> ServiceResult<ResponseRow> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "form_response.create").await, end tx);
        let f = store::form(&mut tx, actor.agency_id, form_id)
            .await?
            .ok_or_else(|| Invalid::new("form_id", "unknown_choice"))?;
        let version_id = f
            .published_version_id
            .ok_or_else(|| Invalid::new("form_id", "form_not_published"))?;
        let version = store::version(&mut tx, actor.agency_id, version_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let definition = definition_of(&version)?;
        let answers = definition.check_answers(&form.answers, form.complete)?;
        let filled_on = self.filled_on(form.filled_on.as_deref())?;
        let status = if form.complete {
            ResponseStatus::Completed
        } else {
            ResponseStatus::Draft
        };
        let row = store::insert_response(
            &mut tx,
            &self.vault,
            &NewResponse {
                agency_id: actor.agency_id,
                case_id: c.id,
                form_id: f.id,
                form_version_id: version.id,
                status: status.as_str(),
                answers: &answers.to_json().to_string(),
                filled_on: &filled_on,
                by: actor.user_id,
                now: self.clock.now_ms(),
            },
        )
        .await?;
        let mut events = vec![self.event(
            actor,
            response_act("form_response.create", Some(row.id), Some(&c)),
            Outcome::Allowed,
            None,
        )];
        if form.complete {
            events.push(self.event(
                actor,
                response_act("form_response.complete", Some(row.id), Some(&c)),
                Outcome::Allowed,
                None,
            ));
        }
        casework_store::audit::append(&mut tx, actor.agency_id, events).await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Change a draft response (and complete it when asked), if still at `version`. Answers are
    /// checked against the version it was filled against, never a newer one.
    pub async fn update_form_response(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &ResponseForm,
    ) -> ServiceResult<ResponseRow> {
        let name = if form.complete {
            "form_response.complete"
        } else {
            "form_response.update"
        };
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, r) = authorized!(self, self.authorize_response(&mut tx, actor, id, CaseAction::Record, name).await, end tx);
        if r.status != ResponseStatus::Draft.as_str() {
            return Err(Invalid::new("status", "form_response_completed").into());
        }
        let v = store::version(&mut tx, actor.agency_id, r.form_version_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let answers = definition_of(&v)?.check_answers(&form.answers, form.complete)?;
        let filled_on = match form.filled_on.as_deref() {
            None => r.filled_on.clone(),
            given => self.filled_on(given)?,
        };
        if r.version != version
            || !store::update_response(
                &mut tx,
                &self.vault,
                actor.agency_id,
                id,
                version,
                &answers.to_json().to_string(),
                &filled_on,
                form.complete.then_some(actor.user_id),
                self.clock.now_ms(),
            )
            .await?
        {
            return Err(ServiceError::Stale);
        }
        let event = self.event(
            actor,
            response_act(name, Some(id), Some(&c)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::response(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Complete a draft response as saved: every required field must be answered.
    pub async fn complete_form_response(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> ServiceResult<ResponseRow> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (_, r) = authorized!(
            self,
            self.authorize_response(
                &mut conn,
                actor,
                id,
                CaseAction::Record,
                "form_response.complete"
            )
            .await,
            end conn
        );
        drop(conn);
        let answers: Map<String, Value> = serde_json::from_str(&r.answers).map_err(|_| {
            ServiceError::Store(StoreError::Corrupt(format!("form response {}", r.id)))
        })?;
        let form = ResponseForm {
            answers,
            filled_on: None,
            complete: true,
        };
        self.update_form_response(actor, id, version, &form).await
    }

    /// One response with the form version it was filled against. Audited.
    pub async fn form_response(&self, actor: &Actor, id: i64) -> ServiceResult<ResponseDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, r) = authorized!(
            self,
            self.authorize_response(&mut conn, actor, id, CaseAction::Read, "form_response.read")
                .await,
            end conn
        );
        let v = store::version(&mut conn, actor.agency_id, r.form_version_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let form = store::form(&mut conn, actor.agency_id, r.form_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let can_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        drop(conn);
        let definition = definition_of(&v)?;
        let answers = stored_answers(&r, &definition)?;
        self.audit
            .record_read(vec![self.event(
                actor,
                response_act("form_response.read", Some(id), Some(&c)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(ResponseDetail {
            can_record,
            response: r,
            case: c,
            form_name: form.name,
            version_no: v.version_no,
            definition,
            answers,
        })
    }

    /// The case's responses, newest first. Audited.
    pub async fn form_responses(
        &self,
        actor: &Actor,
        case_id: i64,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<ResponseRow>> {
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(
                &mut conn,
                actor,
                case_id,
                CaseAction::Read,
                "form_response.list"
            )
            .await,
            end conn
        );
        let rows = store::responses_of_case(
            &mut conn,
            &self.vault,
            actor.agency_id,
            c.id,
            cursor.map_or(i64::MAX, |c| c.0),
            limit + 1,
        )
        .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                response_act("form_response.list", None, Some(&c)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(page_of(rows, limit, |r| r.id))
    }
}
