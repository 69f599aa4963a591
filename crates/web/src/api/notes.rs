//! Case notes. A note is a draft until its author signs it (`POST .../sign`); after that it is
//! never changed (422 `note_signed`), only amended by addenda, signed as they are saved. Lists
//! hold only the notes the caller may read by their sensitivity; a note the caller may not read
//! is 404. Changes carry the version read (`If-Match`).

use super::{expected_version, with_etag};
use super::{timestamp, Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casework_domain::note::NoteForm;
use casework_service::note::{AddendumView, NoteView};
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notes, write_note))
        .routes(routes!(show_note, update_note))
        .routes(routes!(sign_note))
        .routes(routes!(add_addendum))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Note {
    pub id: i64,
    pub case_id: i64,
    /// narrative, dap or soap.
    #[schema(example = "soap")]
    pub format: String,
    /// normal, sensitive (case team only) or restricted (author and supervisor only).
    #[schema(example = "normal")]
    pub sensitivity: String,
    /// The format's sections by name: narrative `body`; DAP `data`, `assessment`, `plan`;
    /// SOAP `subjective`, `objective`, `assessment`, `plan`.
    pub sections: BTreeMap<String, String>,
    pub contact_id: Option<i64>,
    pub goal_ids: Vec<i64>,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Null while a draft.
    pub signed_at: Option<String>,
    /// Send back as `If-Match: "<version>"` to change or sign the note.
    pub version: i64,
}

impl From<NoteView> for Note {
    fn from(v: NoteView) -> Note {
        let n = v.note;
        Note {
            id: n.id,
            case_id: n.case_id,
            format: v.format.as_str().to_string(),
            sensitivity: v.sensitivity.as_str().to_string(),
            sections: v
                .sections
                .into_iter()
                .map(|(k, t)| (k.to_string(), t))
                .collect(),
            contact_id: n.contact_id,
            goal_ids: v.goal_ids,
            author_id: n.author_id,
            author_name: v.author_name,
            created_at: timestamp(n.created_at),
            updated_at: timestamp(n.updated_at),
            signed_at: n.signed_at.map(timestamp),
            version: n.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Addendum {
    pub id: i64,
    pub note_id: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub body: String,
    pub signed_at: String,
}

impl From<AddendumView> for Addendum {
    fn from(v: AddendumView) -> Addendum {
        let a = v.addendum;
        Addendum {
            id: a.id,
            note_id: a.note_id,
            author_id: a.author_id,
            author_name: v.author_name,
            body: a.body,
            signed_at: timestamp(a.signed_at),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NoteWithAddenda {
    #[serde(flatten)]
    pub note: Note,
    /// Oldest first.
    pub addenda: Vec<Addendum>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NoteList {
    /// Newest first; only the notes the caller may read.
    pub items: Vec<Note>,
}

/// A note as written: the format's sections are required (422 names the missing one).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// narrative, dap or soap.
    pub format: String,
    /// normal (when absent), sensitive or restricted.
    #[serde(default)]
    pub sensitivity: Option<String>,
    /// A contact of the same case.
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// Goals of the same case.
    #[serde(default)]
    pub goal_ids: Vec<i64>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub subjective: Option<String>,
    #[serde(default)]
    pub objective: Option<String>,
    #[serde(default)]
    pub assessment: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
}

impl NoteBody {
    fn form(self) -> NoteForm {
        NoteForm {
            format: self.format,
            sensitivity: self.sensitivity,
            contact_id: self.contact_id,
            goal_ids: self.goal_ids,
            body: self.body,
            data: self.data,
            subjective: self.subjective,
            objective: self.objective,
            assessment: self.assessment,
            plan: self.plan,
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumBody {
    pub body: String,
}

fn note_response(status: StatusCode, view: NoteView) -> Response {
    let version = view.note.version;
    with_etag(status, version, Note::from(view))
}

/// The case's notes the caller may read, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/notes",
    operation_id = "list_notes",
    tag = "notes",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, body = NoteList),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn list_notes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<NoteList>, ApiError> {
    let notes = state.app.notes(caller.actor(), id).await?;
    Ok(Json(NoteList {
        items: notes.notes.into_iter().map(Note::from).collect(),
    }))
}

/// A new note, saved as a draft; the caller is its author.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/notes",
    operation_id = "write_note",
    tag = "notes",
    params(("id" = i64, Path, description = "The case")),
    request_body = NoteBody,
    responses(
        (status = 201, body = Note, headers(("ETag" = String, description = "The note's version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "The field at fault is named (`objective` for a SOAP note without it)", body = ErrorEnvelope),
    )
)]
async fn write_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<NoteBody>,
) -> Result<Response, ApiError> {
    let view = state
        .app
        .write_note(caller.actor(), id, &body.form())
        .await?;
    Ok(note_response(StatusCode::CREATED, view))
}

/// One note with its addenda.
#[utoipa::path(
    get,
    path = "/api/v1/notes/{id}",
    operation_id = "show_note",
    tag = "notes",
    params(("id" = i64, Path, description = "The note")),
    responses(
        (status = 200, body = NoteWithAddenda, headers(("ETag" = String, description = "The note's version"))),
        (status = 404, description = "No such note, or one the caller may not read", body = ErrorEnvelope),
    )
)]
async fn show_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = state.app.note(caller.actor(), id).await?;
    let version = d.note.note.version;
    let body = NoteWithAddenda {
        note: Note::from(d.note),
        addenda: d.addenda.into_iter().map(Addendum::from).collect(),
    };
    Ok(with_etag(StatusCode::OK, version, body))
}

/// Rewrite a draft (its author only). A signed note is refused 422 `note_signed`.
#[utoipa::path(
    put,
    path = "/api/v1/notes/{id}",
    operation_id = "update_note",
    tag = "notes",
    params(
        ("id" = i64, Path, description = "The note"),
        ("If-Match" = String, Header, description = "The note's ETag as read"),
    ),
    request_body = NoteBody,
    responses(
        (status = 200, body = Note, headers(("ETag" = String, description = "The note's new version"))),
        (status = 403, description = "Not the note's author", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The note changed since it was read", body = ErrorEnvelope),
        (status = 422, description = "Bad input, or `note_signed`", body = ErrorEnvelope),
        (status = 428, description = "No If-Match header", body = ErrorEnvelope),
    )
)]
async fn update_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<NoteBody>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let view = state
        .app
        .update_note(caller.actor(), id, version, &body.form())
        .await?;
    Ok(note_response(StatusCode::OK, view))
}

/// Sign a draft (its author only). It is never edited afterwards.
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/sign",
    operation_id = "sign_note",
    tag = "notes",
    params(
        ("id" = i64, Path, description = "The note"),
        ("If-Match" = String, Header, description = "The note's ETag as read"),
    ),
    responses(
        (status = 200, body = Note, headers(("ETag" = String, description = "The note's new version"))),
        (status = 403, description = "Not the note's author", body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, description = "`note_signed`: already signed", body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    )
)]
async fn sign_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let view = state.app.sign_note(caller.actor(), id, version).await?;
    Ok(note_response(StatusCode::OK, view))
}

/// Amend a signed note; the addendum is signed as it is saved.
#[utoipa::path(
    post,
    path = "/api/v1/notes/{id}/addenda",
    operation_id = "add_addendum",
    tag = "notes",
    params(("id" = i64, Path, description = "The note")),
    request_body = AddendumBody,
    responses(
        (status = 201, body = Addendum),
        (status = 404, body = ErrorEnvelope),
        (status = 422, description = "`note_not_signed`, or the body is missing", body = ErrorEnvelope),
    )
)]
async fn add_addendum(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<AddendumBody>,
) -> Result<Response, ApiError> {
    let view = state
        .app
        .add_addendum(caller.actor(), id, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(Addendum::from(view))).into_response())
}
