//! Agencies, users, teams and programs: what an agency admin manages, and the bootstrap the CLI
//! uses on a fresh install.

use crate::auth::{hash_password, Secret};
use crate::page::{limit, page_of};
use crate::{Act, Actor, Casework, Cursor, Page, ServiceError, ServiceResult};
use casework_domain::access::may_administer;
use casework_domain::audit::{Event, Outcome};
use casework_domain::text::required;
use casework_domain::{Invalid, Role};
use casework_store::agency::{self, Agency, Program, Team};
use casework_store::user::{self, NewUser, User};
use casework_store::Wall;

#[derive(Debug, Clone)]
pub struct UserForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub password: Secret,
    pub locale: String,
}

/// A user as others see it: no password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub locale: String,
    pub active: bool,
    pub version: i64,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            team_id: u.team_id,
            locale: u.locale.clone(),
            active: u.active == 1,
            version: u.version,
        }
    }
}

/// A cursor naming no row of this agency was not one we handed out (teams and programs are
/// never deleted): refused like a malformed one rather than answered with an empty page.
fn unknown_cursor() -> Invalid {
    Invalid::new("cursor", "cursor_format")
}

fn parse_email(raw: &str) -> Result<String, Invalid> {
    let email = required("email", raw, 254)?.to_lowercase();
    match email.split_once('@') {
        Some((l, d)) if !l.is_empty() && d.contains('.') && !email.contains(' ') => Ok(email),
        _ => Err(Invalid::new("email", "email_format")),
    }
}

fn slug_of(name: &str) -> String {
    let s: String = casework_domain::matching::normalize_name(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "agency".into()
    } else {
        s
    }
}

impl Casework {
    fn require_admin(&self, actor: &Actor) -> ServiceResult<()> {
        if may_administer(actor) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// Operator bootstrap (CLI): an agency, found or created by name.
    pub async fn ensure_agency(&self, name: &str) -> ServiceResult<Agency> {
        let name = required("agency", name, 200)?;
        let slug = slug_of(&name);
        let mut tx = self.store.begin_write(Wall::System).await?;
        if let Some(a) = agency::by_slug(&mut tx, &slug).await? {
            return Ok(a);
        }
        let a = agency::insert(&mut tx, &name, &slug, self.clock.now_ms()).await?;
        casework_store::commit(tx).await?;
        Ok(a)
    }

    pub async fn agencies(&self) -> ServiceResult<Vec<Agency>> {
        let mut conn = self.store.conn(Wall::System).await?;
        Ok(agency::all(&mut conn).await?)
    }

    /// Create a user. `actor` is None only for the operator's CLI bootstrap, which is audited as
    /// a system action.
    pub async fn create_user(
        &self,
        actor: Option<&Actor>,
        agency_id: i64,
        form: &UserForm,
    ) -> ServiceResult<UserView> {
        if let Some(a) = actor {
            self.require_admin(a)?;
            if a.agency_id != agency_id {
                return Err(ServiceError::NotFound);
            }
        }
        let email = parse_email(&form.email)?;
        let display_name = required("display_name", &form.display_name, 200)?;
        let role: Role = form
            .role
            .trim()
            .parse()
            .map_err(|_| Invalid::new("role", "unknown_choice"))?;
        let locale = casework_domain::client::parse_language("locale", &form.locale)?;
        let password = self
            .new_password(agency_id, &email, &display_name, &form.password)
            .await?;
        let hash = hash_password(password.expose())?;
        let now = self.clock.now_ms();
        let mut tx = self.store.begin_write(Wall::Agency(agency_id)).await?;
        if let Some(team) = form.team_id {
            agency::team(&mut tx, agency_id, team)
                .await?
                .ok_or_else(|| Invalid::new("team_id", "unknown_choice"))?;
        }
        let u = user::insert(
            &mut tx,
            &NewUser {
                agency_id,
                email: &email,
                display_name: &display_name,
                role: role.as_str(),
                team_id: form.team_id,
                password_hash: &hash,
                locale: &locale,
            },
            now,
        )
        .await
        .map_err(crate::error::conflict_as("email"))?;
        let event = Event {
            agency_id,
            at_ms: now,
            actor_user_id: actor.map(|a| a.user_id),
            action: "user.create".into(),
            record_type: "user".into(),
            record_id: Some(u.id),
            client_id: None,
            outcome: Outcome::Allowed,
            reason: actor.is_none().then(|| "command line".to_string()),
            subjects: Vec::new(),
        };
        casework_store::audit::append(&mut tx, agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(UserView::from(&u))
    }

    /// Operator bootstrap (CLI): the user with this email.
    pub async fn user_by_email(&self, email: &str) -> ServiceResult<UserView> {
        let mut conn = self.store.conn(Wall::System).await?;
        let u = user::by_email(&mut conn, &email.trim().to_lowercase())
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(UserView::from(&u))
    }

    /// Operator bootstrap (CLI): act as this user, e.g. to create their first API token.
    pub async fn actor_for_email(&self, email: &str) -> ServiceResult<Actor> {
        let mut conn = self.store.conn(Wall::System).await?;
        let u = user::by_email(&mut conn, &email.trim().to_lowercase())
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(crate::auth::principal_of(&u)?.actor)
    }

    pub async fn users(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<UserView>> {
        self.require_admin(actor)?;
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = user::page(
            &mut conn,
            actor.agency_id,
            cursor.map_or(0, |c| c.0),
            limit + 1,
        )
        .await?;
        let views: Vec<UserView> = rows.iter().map(UserView::from).collect();
        Ok(page_of(views, limit, |u| u.id))
    }

    /// One user of the actor's agency (admins), with its version for a conditional update.
    pub async fn user(&self, actor: &Actor, id: i64) -> ServiceResult<UserView> {
        self.require_admin(actor)?;
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let u = user::in_agency(&mut conn, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(UserView::from(&u))
    }

    /// The agency's staff who can carry cases, for assignment pickers.
    pub async fn workers(&self, actor: &Actor) -> ServiceResult<Vec<UserView>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let rows = user::workers(&mut conn, actor.agency_id).await?;
        Ok(rows.iter().map(UserView::from).collect())
    }

    /// Change a user's role, team or active flag; refused if it changed since `version` was read.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        role: &str,
        team_id: Option<i64>,
        active: bool,
    ) -> ServiceResult<UserView> {
        self.require_admin(actor)?;
        let role: Role = role
            .trim()
            .parse()
            .map_err(|_| Invalid::new("role", "unknown_choice"))?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        user::in_agency(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if let Some(team) = team_id {
            agency::team(&mut tx, actor.agency_id, team)
                .await?
                .ok_or_else(|| Invalid::new("team_id", "unknown_choice"))?;
        }
        if !user::update_access(
            &mut tx,
            actor.agency_id,
            id,
            version,
            role.as_str(),
            team_id,
            active,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        if !active {
            casework_store::session::delete_for_user(&mut tx, id).await?;
        }
        let event = self.event(
            actor,
            Act {
                action: "user.update",
                record_type: "user",
                record_id: Some(id),
                client_id: None,
            },
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let u = user::in_agency(&mut tx, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(UserView::from(&u))
    }

    pub async fn create_team(
        &self,
        actor: Option<&Actor>,
        agency_id: i64,
        name: &str,
    ) -> ServiceResult<Team> {
        if let Some(a) = actor {
            self.require_admin(a)?;
            if a.agency_id != agency_id {
                return Err(ServiceError::NotFound);
            }
        }
        let name = required("name", name, 200)?;
        let now = self.clock.now_ms();
        let mut tx = self.store.begin_write(Wall::Agency(agency_id)).await?;
        let team = agency::insert_team(&mut tx, agency_id, &name, now)
            .await
            .map_err(crate::error::conflict_as("name"))?;
        let event = Event {
            agency_id,
            at_ms: now,
            actor_user_id: actor.map(|a| a.user_id),
            action: "team.create".into(),
            record_type: "team".into(),
            record_id: Some(team.id),
            client_id: None,
            outcome: Outcome::Allowed,
            reason: None,
            subjects: Vec::new(),
        };
        casework_store::audit::append(&mut tx, agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(team)
    }

    /// Operator bootstrap (CLI): the agency's team with this name, created if missing.
    pub async fn ensure_team(&self, agency_id: i64, name: &str) -> ServiceResult<Team> {
        let wanted = required("team", name, 200)?;
        let mut conn = self.store.conn(Wall::Agency(agency_id)).await?;
        let existing = agency::teams(&mut conn, agency_id).await?;
        drop(conn);
        match existing.into_iter().find(|t| t.name == wanted) {
            Some(t) => Ok(t),
            None => self.create_team(None, agency_id, &wanted).await,
        }
    }

    /// Every team of the agency, by name, for pickers (an agency has few teams).
    pub async fn teams(&self, actor: &Actor) -> ServiceResult<Vec<Team>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        Ok(agency::teams(&mut conn, actor.agency_id).await?)
    }

    /// The agency's teams by name, a page at a time. The cursor is the last team's id; its name
    /// is looked up here so the cursor stays an opaque number like every other list's.
    pub async fn team_page(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<Team>> {
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let after = match cursor {
            None => None,
            Some(c) => Some(
                agency::team(&mut conn, actor.agency_id, c.0)
                    .await?
                    .ok_or_else(unknown_cursor)?,
            ),
        };
        let rows = agency::teams_page(
            &mut conn,
            actor.agency_id,
            after.as_ref().map(|t| (t.name.as_str(), t.id)),
            limit + 1,
        )
        .await?;
        Ok(page_of(rows, limit, |t| t.id))
    }

    pub async fn create_program(
        &self,
        actor: Option<&Actor>,
        agency_id: i64,
        name: &str,
        plan_approval: bool,
        closure_approval: bool,
    ) -> ServiceResult<Program> {
        if let Some(a) = actor {
            self.require_admin(a)?;
            if a.agency_id != agency_id {
                return Err(ServiceError::NotFound);
            }
        }
        let name = required("name", name, 200)?;
        let now = self.clock.now_ms();
        let mut tx = self.store.begin_write(Wall::Agency(agency_id)).await?;
        let p = agency::insert_program(
            &mut tx,
            agency_id,
            &name,
            plan_approval,
            closure_approval,
            now,
        )
        .await
        .map_err(crate::error::conflict_as("name"))?;
        let event = Event {
            agency_id,
            at_ms: now,
            actor_user_id: actor.map(|a| a.user_id),
            action: "program.create".into(),
            record_type: "program".into(),
            record_id: Some(p.id),
            client_id: None,
            outcome: Outcome::Allowed,
            reason: None,
            subjects: Vec::new(),
        };
        casework_store::audit::append(&mut tx, agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(p)
    }

    /// Every program of the agency, by name, for pickers (an agency has few programs).
    pub async fn programs(&self, actor: &Actor) -> ServiceResult<Vec<Program>> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        Ok(agency::programs(&mut conn, actor.agency_id).await?)
    }

    /// The agency's programs by name, a page at a time; the cursor is the last program's id.
    pub async fn program_page(
        &self,
        actor: &Actor,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<Program>> {
        let limit = limit(asked, 200);
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let after = match cursor {
            None => None,
            Some(c) => Some(
                agency::program(&mut conn, actor.agency_id, c.0)
                    .await?
                    .ok_or_else(unknown_cursor)?,
            ),
        };
        let rows = agency::programs_page(
            &mut conn,
            actor.agency_id,
            after.as_ref().map(|p| (p.name.as_str(), p.id)),
            limit + 1,
        )
        .await?;
        Ok(page_of(rows, limit, |p| p.id))
    }
}
