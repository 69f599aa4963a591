//! Case notes: written as drafts, signed by their author, then never edited again, only amended
//! by signed addenda. Who may read a note is decided by its sensitivity
//! ([`casework_domain::note::may_read_note`]) in the list as on the detail page: a note the actor
//! may not read is absent from the list, and a direct read is refused as not found and audited.

use crate::case::reach;
use crate::{authorized, Act, Actor, Casework, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{CaseAction, Decision};
use casework_domain::audit::Outcome;
use casework_domain::note::{parse_addendum, NoteContent, NoteForm, NoteFormat, Sensitivity};
use casework_domain::sharing::may_read_note_with;
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
use casework_store::fetch::Fetch;
use casework_store::note::{self as store, NoteFields};
pub use casework_store::note::{AddendumRow, NoteRow};
use casework_store::Wall;
use casework_store::{Conn, StoreError};

/// More addenda than this on one note is a new note's work.
pub const ADDENDA_PER_NOTE_MAX: usize = 200;

/// A note as its readers see it: sections in the format's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteView {
    pub note: NoteRow,
    pub format: NoteFormat,
    pub sensitivity: Sensitivity,
    /// (section name, text), in the format's order.
    pub sections: Vec<(&'static str, String)>,
    pub goal_ids: Vec<i64>,
    pub author_name: Option<String>,
}

impl NoteView {
    pub fn signed(&self) -> bool {
        self.note.signed()
    }

    /// The text of one section, if the format has it.
    pub fn section(&self, name: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddendumView {
    pub addendum: AddendumRow,
    pub author_name: Option<String>,
}

/// The notes of a case the actor may read, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNotes {
    pub case: CaseRow,
    pub notes: Vec<NoteView>,
    pub can_record: bool,
}

/// One note with its addenda and what the actor may do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDetail {
    pub case: CaseRow,
    pub note: NoteView,
    pub addenda: Vec<AddendumView>,
    /// A draft, and the actor wrote it.
    pub can_edit: bool,
    /// Same as `can_edit`: only the author signs, and only a draft.
    pub can_sign: bool,
    /// The note is signed and the actor may record on the case.
    pub can_add_addendum: bool,
}

fn note_act<'a>(action: &'a str, c: Option<&CaseRow>, id: Option<i64>) -> Act<'a> {
    Act {
        action,
        record_type: "note",
        record_id: id,
        client_id: c.map(|c| c.client_id),
    }
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

fn sensitivity_of(row: &NoteRow) -> ServiceResult<Sensitivity> {
    row.sensitivity
        .parse()
        .map_err(|_| corrupt(format!("sensitivity of note {}", row.id)))
}

fn view(row: NoteRow, goal_ids: Vec<i64>, author_name: Option<String>) -> ServiceResult<NoteView> {
    let format: NoteFormat = row
        .format
        .parse()
        .map_err(|_| corrupt(format!("format of note {}", row.id)))?;
    let mut stored = store::sections_of(&row)?;
    let sections = format
        .sections()
        .iter()
        .map(|name| (*name, stored.remove(*name).unwrap_or_default()))
        .collect();
    Ok(NoteView {
        sensitivity: sensitivity_of(&row)?,
        format,
        sections,
        goal_ids,
        author_name,
        note: row,
    })
}

fn fields<'a>(content: &'a NoteContent, sections: &'a str) -> NoteFields<'a> {
    NoteFields {
        contact_id: content.contact_id,
        format: content.format.as_str(),
        sensitivity: content.sensitivity.as_str(),
        sections,
    }
}

fn name_of(names: &[(i64, String)], id: i64) -> Option<String> {
    names.iter().find(|(u, _)| *u == id).map(|(_, n)| n.clone())
}

impl Casework {
    /// The note and its case, if the actor may do `action` on the case *and* read the note.
    /// A note the actor may not read is hidden (not found), whatever the action.
    async fn authorize_note(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        note_id: i64,
        action: CaseAction,
        name: &str,
    ) -> Result<(CaseRow, NoteRow), Refusal> {
        let note = store::get(conn, &self.vault, actor.agency_id, note_id).await?;
        let case = match &note {
            Some(n) => case_store::get(conn, &self.vault, actor.agency_id, n.case_id).await?,
            None => None,
        };
        let decision = match (&case, &note) {
            (Some(c), Some(n)) => {
                let relation = self.case_relation(conn, actor, c).await?;
                let readable = match n.sensitivity.parse() {
                    Ok(s) => may_read_note_with(actor, n.author_id, s, &reach(c), relation),
                    Err(_) => false,
                };
                if readable {
                    // Marks a read made under broken glass in the audit log.
                    self.relation_access(conn, actor, c, action, name).await?
                } else {
                    Decision::Hidden
                }
            }
            _ => Decision::Hidden,
        };
        match (decision, case, note) {
            (Decision::Allow, Some(c), Some(n)) => Ok((c, n)),
            (d, c, _) => Err(self.refusal(actor, note_act(name, c.as_ref(), Some(note_id)), d)),
        }
    }

    /// The contact and the goals must be the case's own.
    async fn check_links(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        case_id: i64,
        content: &NoteContent,
    ) -> ServiceResult<()> {
        if let Some(contact) = content.contact_id {
            if !store::contact_in_case(conn, actor.agency_id, case_id, contact).await? {
                return Err(Invalid::new("contact_id", "unknown_choice").into());
            }
        }
        let found = store::goals_in_case(conn, actor.agency_id, case_id, &content.goal_ids).await?;
        match content.goal_ids.iter().position(|id| !found.contains(id)) {
            Some(i) => Err(Invalid::new(format!("goal_ids[{i}]"), "unknown_choice").into()),
            None => Ok(()),
        }
    }

    async fn note_view(&self, conn: &mut Conn, row: NoteRow) -> ServiceResult<NoteView> {
        let goals = store::goal_links(conn, &[row.id])
            .await?
            .into_iter()
            .map(|(_, g)| g)
            .collect();
        let names = store::user_names(conn, &[row.author_id]).await?;
        let author = name_of(&names, row.author_id);
        view(row, goals, author)
    }

    async fn write_note_event(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        act: Act<'_>,
    ) -> ServiceResult<()> {
        let event = self.event(actor, act, Outcome::Allowed, None);
        casework_store::audit::append(tx, actor.agency_id, vec![event]).await?;
        Ok(())
    }

    /// The case's notes the actor may read, newest first; audited. Notes whose sensitivity keeps
    /// them from the actor are left out of the list, not merely closed on their page.
    pub async fn notes(&self, actor: &Actor, case_id: i64) -> ServiceResult<CaseNotes> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let c = authorized!(
            self,
            self.authorize_case(&mut conn, actor, case_id, CaseAction::Read, "note.list")
                .await,
            end conn
        );
        let notes = self.notes_of(&mut conn, actor, c).await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                crate::case::case_act("note.list", Some(&notes.case), notes.case.id),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(notes)
    }

    /// The notes of a case the actor was authorized to read, those they may read.
    pub(crate) async fn notes_of(
        &self,
        conn: &mut impl Fetch,
        actor: &Actor,
        c: CaseRow,
    ) -> ServiceResult<CaseNotes> {
        let case_reach = reach(&c);
        let relation = self.case_relation(conn, actor, &c).await?;
        let mut rows = Vec::new();
        for row in store::of_case(conn, &self.vault, actor.agency_id, c.id).await? {
            let sensitivity = sensitivity_of(&row)?;
            if may_read_note_with(actor, row.author_id, sensitivity, &case_reach, relation) {
                rows.push(row);
            }
        }
        let ids: Vec<i64> = rows.iter().map(|n| n.id).collect();
        let links = store::goal_links(conn, &ids).await?;
        let mut authors: Vec<i64> = rows.iter().map(|n| n.author_id).collect();
        authors.sort_unstable();
        authors.dedup();
        let names = store::user_names(conn, &authors).await?;
        let notes = rows
            .into_iter()
            .map(|n| {
                let goals = links
                    .iter()
                    .filter(|(note, _)| *note == n.id)
                    .map(|(_, g)| *g)
                    .collect();
                let author = name_of(&names, n.author_id);
                view(n, goals, author)
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(CaseNotes {
            can_record: casework_domain::sharing::case_access_with(
                actor,
                &case_reach,
                relation,
                CaseAction::Record,
            )
            .allowed(),
            case: c,
            notes,
        })
    }

    /// One note with its addenda; audited. A note the actor may not read is not found, and the
    /// attempt is audited as denied.
    pub async fn note(&self, actor: &Actor, note_id: i64) -> ServiceResult<NoteDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let (c, n) = authorized!(
            self,
            self.authorize_note(&mut conn, actor, note_id, CaseAction::Read, "note.read")
                .await,
            end conn
        );
        let addenda = store::addenda(&mut conn, &self.vault, actor.agency_id, n.id).await?;
        let mut people: Vec<i64> = addenda.iter().map(|a| a.author_id).collect();
        people.sort_unstable();
        people.dedup();
        let names = store::user_names(&mut conn, &people).await?;
        let note = self.note_view(&mut conn, n).await?;
        let can_record = self
            .may_on_case(&mut conn, actor, &c, CaseAction::Record)
            .await?;
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                note_act("note.read", Some(&c), Some(note_id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        let mine = note.note.author_id == actor.user_id;
        let signed = note.signed();
        Ok(NoteDetail {
            can_edit: can_record && mine && !signed,
            can_sign: can_record && mine && !signed,
            can_add_addendum: can_record && signed,
            addenda: addenda
                .into_iter()
                .map(|a| AddendumView {
                    author_name: name_of(&names, a.author_id),
                    addendum: a,
                })
                .collect(),
            case: c,
            note,
        })
    }

    /// A new note, saved as a draft; the actor is its author.
    pub async fn write_note(
        &self,
        actor: &Actor,
        case_id: i64,
        form: &NoteForm,
    ) -> ServiceResult<NoteView> {
        let content = form.parse()?;
        let sections = store::sections_json(&content.sections);
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let c = authorized!(self, self.authorize_case(&mut tx, actor, case_id, CaseAction::Record, "note.write").await, end tx);
        self.check_links(&mut tx, actor, c.id, &content).await?;
        let row = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            c.id,
            fields(&content, &sections),
            actor.user_id,
            now,
        )
        .await?;
        store::replace_goal_links(&mut tx, actor.agency_id, row.id, &content.goal_ids).await?;
        self.write_note_event(
            &mut tx,
            actor,
            note_act("note.write", Some(&c), Some(row.id)),
        )
        .await?;
        let view = self.note_view(&mut tx, row).await?;
        casework_store::commit(tx).await?;
        Ok(view)
    }

    /// Change a draft. Only its author may, only while it is unsigned (`note_signed` after), and
    /// only from the version they read (`Stale` otherwise).
    pub async fn update_note(
        &self,
        actor: &Actor,
        note_id: i64,
        version: i64,
        form: &NoteForm,
    ) -> ServiceResult<NoteView> {
        let content = form.parse()?;
        let sections = store::sections_json(&content.sections);
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, n) = authorized!(self, self.authorize_note(&mut tx, actor, note_id, CaseAction::Record, "note.write").await, end tx);
        if n.signed() {
            return Err(Invalid::new("note", "note_signed").into());
        }
        if n.author_id != actor.user_id {
            drop(tx);
            return Err(self
                .deny(
                    actor,
                    note_act("note.write", Some(&c), Some(n.id)),
                    Decision::Forbidden,
                )
                .await);
        }
        if n.version != version {
            return Err(ServiceError::Stale);
        }
        self.check_links(&mut tx, actor, c.id, &content).await?;
        if !store::update(
            &mut tx,
            &self.vault,
            actor.agency_id,
            n.id,
            version,
            fields(&content, &sections),
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        store::replace_goal_links(&mut tx, actor.agency_id, n.id, &content.goal_ids).await?;
        self.write_note_event(&mut tx, actor, note_act("note.write", Some(&c), Some(n.id)))
            .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, n.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let view = self.note_view(&mut tx, row).await?;
        casework_store::commit(tx).await?;
        Ok(view)
    }

    /// Sign a draft: only its author may. From then on it is never edited.
    pub async fn sign_note(
        &self,
        actor: &Actor,
        note_id: i64,
        version: i64,
    ) -> ServiceResult<NoteView> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, n) = authorized!(self, self.authorize_note(&mut tx, actor, note_id, CaseAction::Record, "note.sign").await, end tx);
        if n.signed() {
            return Err(Invalid::new("note", "note_signed").into());
        }
        if n.author_id != actor.user_id {
            drop(tx);
            return Err(self
                .deny(
                    actor,
                    note_act("note.sign", Some(&c), Some(n.id)),
                    Decision::Forbidden,
                )
                .await);
        }
        if n.version != version
            || !store::sign(&mut tx, actor.agency_id, n.id, version, now).await?
        {
            return Err(ServiceError::Stale);
        }
        self.write_note_event(&mut tx, actor, note_act("note.sign", Some(&c), Some(n.id)))
            .await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, n.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let view = self.note_view(&mut tx, row).await?;
        casework_store::commit(tx).await?;
        Ok(view)
    }

    /// Amend a signed note; the addendum is signed as it is saved, by whoever writes it (anyone
    /// who may read the note and record on the case).
    pub async fn add_addendum(
        &self,
        actor: &Actor,
        note_id: i64,
        body: &str,
    ) -> ServiceResult<AddendumView> {
        let body = parse_addendum(body)?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let (c, n) = authorized!(self, self.authorize_note(&mut tx, actor, note_id, CaseAction::Record, "note.addendum").await, end tx);
        if !n.signed() {
            return Err(Invalid::new("note", "note_not_signed").into());
        }
        if store::addenda(&mut tx, &self.vault, actor.agency_id, n.id)
            .await?
            .len()
            >= ADDENDA_PER_NOTE_MAX
        {
            return Err(Invalid::new("body", "too_many").into());
        }
        let row = store::insert_addendum(
            &mut tx,
            &self.vault,
            actor.agency_id,
            n.id,
            &body,
            actor.user_id,
            now,
        )
        .await?;
        self.write_note_event(
            &mut tx,
            actor,
            note_act("note.addendum", Some(&c), Some(n.id)),
        )
        .await?;
        let names = store::user_names(&mut tx, &[actor.user_id]).await?;
        casework_store::commit(tx).await?;
        Ok(AddendumView {
            author_name: name_of(&names, actor.user_id),
            addendum: row,
        })
    }
}
