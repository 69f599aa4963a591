use super::{ticked, Choice};
use crate::error::PageError;
use crate::i18n::{Locale, T};
use crate::layout::{language_choices, Chrome, LanguageChoice, Problem};
use crate::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use casework_domain::{Invalid, Role};
use casework_service::admin::UserForm;
use casework_service::auth::Secret;
use casework_service::{Cursor, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(show).post(create))
        .route("/admin/users/{id}", post(update))
}

struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    active: bool,
    version: i64,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    /// Locked after failed sign-ins: until when.
    locked_until: Option<String>,
    totp: bool,
}

/// The create form as last submitted, so a mistake does not cost the admin their typing.
#[derive(Default)]
struct Draft {
    email: String,
    display_name: String,
    role: String,
    team_id: Option<i64>,
    locale: Option<Locale>,
}

struct DraftView {
    email: String,
    display_name: String,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    locales: Vec<LanguageChoice>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    t: T,
    page: Chrome,
    users: Vec<UserRow>,
    next_cursor: Option<String>,
    draft: DraftView,
    problem: Problem,
    /// A failed change to one user's access, shown above the list.
    row_problem: Option<String>,
    notice: Option<String>,
}

fn role_choices(t: &T, selected: &str) -> Vec<Choice> {
    Role::ALL
        .into_iter()
        .map(|r| Choice {
            value: r.as_str().to_string(),
            label: t.role(r.as_str()),
            selected: r.as_str() == selected,
        })
        .collect()
}

fn team_choices(t: &T, teams: &[(i64, String)], selected: Option<i64>) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: t.get("team-none"),
        selected: selected.is_none(),
    }];
    choices.extend(teams.iter().map(|(id, name)| Choice {
        value: id.to_string(),
        label: name.clone(),
        selected: Some(*id) == selected,
    }));
    choices
}

/// A team picked in a form: empty means none.
fn team_of(raw: &str) -> Result<Option<i64>, ServiceError> {
    match raw.trim() {
        "" => Ok(None),
        s => s
            .parse()
            .map(Some)
            .map_err(|_| ServiceError::Invalid(Invalid::new("team_id", "unknown_choice"))),
    }
}

struct Listing<'a> {
    cursor: Option<&'a str>,
    draft: Draft,
    problem: Problem,
    row_problem: Option<String>,
    notice: Option<String>,
}

async fn page(state: &AppState, staff: &Staff, listing: Listing<'_>) -> Result<String, PageError> {
    let t = staff.t();
    let actor = staff.actor();
    let cursor = Cursor::parse(listing.cursor).map_err(ServiceError::Invalid)?;
    let users = state.app.users(actor, cursor, Some(50)).await?;
    let teams: Vec<(i64, String)> = state
        .app
        .teams(actor)
        .await?
        .into_iter()
        .map(|team| (team.id, team.name))
        .collect();
    let who: Vec<(i64, String)> = users
        .items
        .iter()
        .map(|u| (u.id, u.email.clone()))
        .collect();
    let locks = state.app.locks(actor, &who).await?;
    let ids: Vec<i64> = who.iter().map(|(id, _)| *id).collect();
    let enrolled = state.app.totp_enrolled(actor, &ids).await?;
    let rows = users
        .items
        .into_iter()
        .map(|u| UserRow {
            locked_until: locks
                .iter()
                .find(|l| l.user_id == u.id)
                .map(|l| crate::layout::moment(l.locked_until)),
            totp: enrolled.contains(&u.id),
            roles: role_choices(&t, &u.role),
            teams: team_choices(&t, &teams, u.team_id),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            active: u.active,
            version: u.version,
        })
        .collect();
    let draft = listing.draft;
    let draft = DraftView {
        email: draft.email,
        display_name: draft.display_name,
        roles: role_choices(&t, &draft.role),
        teams: team_choices(&t, &teams, draft.team_id),
        locales: language_choices(draft.locale.unwrap_or(staff.visitor.locale), &t),
    };
    Ok(UsersPage {
        t,
        page: Chrome::new(&staff.visitor, "/admin/users"),
        users: rows,
        next_cursor: users.next_cursor,
        draft,
        problem: listing.problem,
        row_problem: listing.row_problem,
        notice: listing.notice,
    }
    .render()?)
}

#[derive(Debug, serde::Deserialize)]
struct UsersQuery {
    cursor: Option<String>,
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<UsersQuery>,
) -> Result<Html<String>, PageError> {
    staff.require(Role::Admin)?;
    let t = staff.t();
    let notice = match q.notice.as_deref() {
        Some("user-created") => Some(t.get("notice-user-created")),
        Some("user-updated") => Some(t.get("notice-user-updated")),
        Some("user-unlocked") => Some(t.get("notice-user-unlocked")),
        Some("totp-reset") => Some(t.get("notice-totp-reset")),
        _ => None,
    };
    let listing = Listing {
        cursor: q.cursor.as_deref(),
        draft: Draft::default(),
        problem: Problem::none(),
        row_problem: None,
        notice,
    };
    Ok(Html(page(&state, &staff, listing).await?))
}

#[derive(serde::Deserialize)]
struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for NewUserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserForm")
            .field("role", &self.role)
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

const USER_FIELDS: &[&str] = &["email", "display_name", "role", "team_id", "password"];

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let actor = staff.actor();
    let locale = Locale::parse(&form.locale).unwrap_or(staff.visitor.locale);
    let created = match team_of(&form.team_id) {
        Ok(team_id) => {
            let user = UserForm {
                email: form.email.clone(),
                display_name: form.display_name.clone(),
                role: form.role.clone(),
                team_id,
                password: Secret::new(form.password),
                locale: locale.tag().to_string(),
            };
            state
                .app
                .create_user(Some(actor), actor.agency_id, &user)
                .await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(_) => Ok(Redirect::to("/admin/users?notice=user-created").into_response()),
        Err(e) => {
            let (status, problem) = Problem::from_service(e, &staff.t(), USER_FIELDS)?;
            let listing = Listing {
                cursor: None,
                draft: Draft {
                    email: form.email,
                    display_name: form.display_name,
                    role: form.role,
                    team_id: team_of(&form.team_id).ok().flatten(),
                    locale: Some(locale),
                },
                problem,
                row_problem: None,
                notice: None,
            };
            Ok((status, Html(page(&state, &staff, listing).await?)).into_response())
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct AccessForm {
    version: i64,
    #[serde(default)]
    role: String,
    #[serde(default)]
    team_id: String,
    active: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<AccessForm>,
) -> Result<Response, PageError> {
    staff.require(Role::Admin)?;
    let updated = match team_of(&form.team_id) {
        Ok(team_id) => {
            state
                .app
                .update_user(
                    staff.actor(),
                    id,
                    form.version,
                    &form.role,
                    team_id,
                    ticked(&form.active),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match updated {
        Ok(_) => Ok(Redirect::to("/admin/users?notice=user-updated").into_response()),
        Err(e) => {
            let t = staff.t();
            // A stale version means someone else changed this user meanwhile: show the list as
            // it is now, with the message, so the admin can redo their change on fresh data.
            let (status, problem) = Problem::from_service(e, &t, &[])?;
            let listing = Listing {
                cursor: None,
                draft: Draft::default(),
                problem: Problem::none(),
                row_problem: problem.message,
                notice: None,
            };
            Ok((status, Html(page(&state, &staff, listing).await?)).into_response())
        }
    }
}
