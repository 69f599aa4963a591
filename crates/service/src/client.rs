//! The client registry: duplicate check, registration, reading, search, update, merge.

use crate::page::{limit, page_of};
use crate::{authorized, Act, Actor, Casework, Cursor, Page, Refusal, ServiceError, ServiceResult};
use casework_domain::access::{client_access, ClientAction, ClientReach, Decision};
use casework_domain::audit::{Outcome, Subject};
use casework_domain::client::{parse_date, ClientForm, ClientProfile};
use casework_domain::matching::{
    likely_duplicates, name_trigrams, rarest_grams, Candidate, DuplicateReason, NameQuery,
    Registration,
};
use casework_domain::Invalid;
use casework_store::case::{self as case_store, CaseRow};
use casework_store::client::{
    self as store, identifier_norm, ClientRow, ClientSummary, HouseholdRow, IdentifierRow, MergeRow,
};
use casework_store::fetch::Fetch;
use casework_store::Conn;
use casework_store::Wall;

/// A short view of a client for lists and warnings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientCard {
    pub id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth_date: Option<String>,
    pub preferred_language: String,
}

impl From<&ClientSummary> for ClientCard {
    fn from(s: &ClientSummary) -> Self {
        ClientCard {
            id: s.id,
            legal_name: s.legal_name.clone(),
            preferred_name: s.preferred_name.clone(),
            birth_date: s.birth_date.clone(),
            preferred_language: s.preferred_language.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DuplicateView {
    pub client: ClientCard,
    pub reasons: Vec<DuplicateReason>,
    pub score: u8,
}

/// Everything the client page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDetail {
    pub client: ClientRow,
    pub identifiers: Vec<IdentifierRow>,
    pub household: Vec<HouseholdRow>,
    /// The client's cases the actor may open.
    pub cases: Vec<CaseRow>,
    /// Open cases of the client's that the actor may not open: counted, never shown, so that
    /// an intake worker who handed a case over knows it is there and does not open another.
    pub open_cases_elsewhere: usize,
    pub merges: Vec<MergeRow>,
    /// May this actor merge records (supervisors)?
    pub can_merge: bool,
}

/// What a search asks for; at least one part must be given.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClientQuery {
    pub q: Option<String>,
    pub birth_date: Option<String>,
    pub identifier: Option<String>,
}

/// The registering worker's answer to the duplicate warning.
#[derive(Debug, Clone, Default)]
pub struct DuplicateDecision {
    /// The candidates the worker was shown.
    pub shown: Vec<i64>,
}

const CANDIDATES: i64 = 300;

/// A candidate's id, names, birth date and (kind, value) identifiers, borrowed from the rows read.
type OwnedCandidate<'a> = (
    i64,
    Vec<&'a str>,
    Option<time::Date>,
    Vec<(&'a str, &'a str)>,
);

pub(crate) async fn reach_of(
    conn: &mut impl Fetch,
    agency_id: i64,
    clients: &[(i64, Option<i64>)],
) -> ServiceResult<Vec<ClientReach>> {
    let ids: Vec<i64> = clients.iter().map(|c| c.0).collect();
    let cases = store::case_reach(conn, &ids).await?;
    Ok(clients
        .iter()
        .map(|(id, registered_by)| {
            let mine = cases.iter().filter(|c| c.0 == *id);
            ClientReach {
                agency_id,
                registered_by: *registered_by,
                case_workers: mine.clone().filter_map(|c| c.1).collect(),
                case_teams: mine.filter_map(|c| c.2).collect(),
            }
        })
        .collect())
}

fn client_act(action: &str, id: Option<i64>) -> Act<'_> {
    Act {
        action,
        record_type: "client",
        record_id: id,
        client_id: id,
    }
}

/// Rows a name lookup may read from the trigram index: bounded, whatever the query.
const GRAM_BUDGET: i64 = 20_000;

/// The query's trigrams worth looking up: the rarest ones that exist (see `rarest_grams`).
async fn lookup_grams(
    conn: &mut impl Fetch,
    agency_id: i64,
    names: &[&str],
) -> ServiceResult<Vec<String>> {
    let mut grams: Vec<String> = names.iter().flat_map(|n| name_trigrams(n)).collect();
    grams.sort();
    grams.dedup();
    let counts = store::gram_counts(conn, agency_id, &grams).await?;
    Ok(rarest_grams(&counts, GRAM_BUDGET, 12))
}

impl Casework {
    async fn duplicate_candidates(
        &self,
        conn: &mut Conn,
        agency_id: i64,
        p: &ClientProfile,
    ) -> ServiceResult<Vec<DuplicateView>> {
        let mut ids: Vec<i64> = Vec::new();
        for i in &p.identifiers {
            ids.extend(
                store::by_identifier(conn, &self.vault, agency_id, &identifier_norm(&i.value), 20)
                    .await?,
            );
        }
        let grams = lookup_grams(conn, agency_id, &p.names()).await?;
        ids.extend(store::gram_candidates(conn, agency_id, &grams, 100).await?);
        if let Some(d) = p.birth_date() {
            let from = d.checked_sub(time::Duration::days(31)).unwrap_or(d);
            let to = d.checked_add(time::Duration::days(31)).unwrap_or(d);
            ids.extend(
                store::born_between(conn, agency_id, &from.to_string(), &to.to_string(), 200)
                    .await?,
            );
            // Day and month swapped is a common typing slip.
            if let Ok(month) = time::Month::try_from(d.day()) {
                if let Ok(swapped) =
                    time::Date::from_calendar_date(d.year(), month, u8::from(d.month()))
                {
                    ids.extend(
                        store::by_birth_date(conn, agency_id, &swapped.to_string(), 0, 50)
                            .await?
                            .iter()
                            .map(|s| s.id),
                    );
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let summaries = store::summaries(conn, agency_id, &ids).await?;
        let idents = store::identifiers_of(conn, &self.vault, &ids).await?;
        let owned: Vec<OwnedCandidate> = summaries
            .iter()
            .map(|s| {
                let mut names = vec![s.legal_name.as_str()];
                if let Some(p) = &s.preferred_name {
                    names.push(p);
                }
                let birth = s
                    .birth_date
                    .as_deref()
                    .and_then(|d| parse_date("birth_date", d).ok());
                let ids = idents
                    .iter()
                    .filter(|i| i.client_id == s.id)
                    .map(|i| (i.kind.as_str(), i.value.as_str()))
                    .collect();
                (s.id, names, birth, ids)
            })
            .collect();
        let candidates: Vec<Candidate> = owned
            .iter()
            .map(|(id, names, birth, ids)| Candidate {
                id: *id,
                names,
                birth_date: *birth,
                identifiers: ids,
            })
            .collect();
        let names = p.names();
        let new_ids: Vec<(&str, &str)> = p
            .identifiers
            .iter()
            .map(|i| (i.kind.as_str(), i.value.as_str()))
            .collect();
        let registration = Registration {
            names: &names,
            birth_date: p.birth_date(),
            identifiers: &new_ids,
        };
        Ok(likely_duplicates(&registration, &candidates)
            .into_iter()
            .filter_map(|m| {
                summaries
                    .iter()
                    .find(|s| s.id == m.id)
                    .map(|s| DuplicateView {
                        client: ClientCard::from(s),
                        reasons: m.reasons,
                        score: m.score,
                    })
            })
            .collect())
    }

    /// Likely duplicates of a client about to be registered, with the reason for each. Showing
    /// them is a read of those records, so each is audited.
    pub async fn check_duplicates(
        &self,
        actor: &Actor,
        form: &ClientForm,
    ) -> ServiceResult<Vec<DuplicateView>> {
        let reach = ClientReach {
            agency_id: actor.agency_id,
            registered_by: None,
            case_workers: vec![],
            case_teams: vec![],
        };
        if !client_access(actor, &reach, ClientAction::Register).allowed() {
            return Err(self
                .deny(
                    actor,
                    client_act("client.duplicate_check", None),
                    Decision::Forbidden,
                )
                .await);
        }
        let profile = form.parse(self.today())?;
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let found = self
            .duplicate_candidates(&mut conn, actor.agency_id, &profile)
            .await?;
        drop(conn);
        let events = found
            .iter()
            .map(|d| {
                self.event(
                    actor,
                    client_act("client.duplicate_shown", Some(d.client.id)),
                    Outcome::Allowed,
                    None,
                )
            })
            .collect();
        self.audit.record_read(events).await?;
        Ok(found)
    }

    /// Register a client. The worker has seen `decision.shown` and chose to go on; that choice is
    /// recorded with the new client.
    pub async fn register_client(
        &self,
        actor: &Actor,
        form: &ClientForm,
        decision: &DuplicateDecision,
    ) -> ServiceResult<ClientRow> {
        let reach = ClientReach {
            agency_id: actor.agency_id,
            registered_by: None,
            case_workers: vec![],
            case_teams: vec![],
        };
        if !client_access(actor, &reach, ClientAction::Register).allowed() {
            return Err(self
                .deny(
                    actor,
                    client_act("client.register", None),
                    Decision::Forbidden,
                )
                .await);
        }
        let profile = form.parse(self.today())?;
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let id = store::insert(
            &mut tx,
            &self.vault,
            actor.agency_id,
            &profile,
            actor.user_id,
            now,
        )
        .await?;
        let mut events = vec![self.event(
            actor,
            client_act("client.register", Some(id)),
            Outcome::Allowed,
            None,
        )];
        if !decision.shown.is_empty() {
            store::record_duplicate_decision(
                &mut tx,
                actor.agency_id,
                Some(id),
                &decision.shown,
                "registered_new",
                actor.user_id,
                now,
            )
            .await?;
            events.push(self.event(
                actor,
                client_act("client.duplicate_overruled", Some(id)),
                Outcome::Allowed,
                Some(&format!("{} candidate(s) shown", decision.shown.len())),
            ));
        }
        casework_store::audit::append(&mut tx, actor.agency_id, events).await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// The worker picked an existing client from the duplicate warning instead of registering.
    ///
    /// Returns whether the actor may open that record: a worker can be shown a duplicate they do
    /// not carry (registered by intake, say), and then needs to be told whom to ask.
    pub async fn use_existing_client(
        &self,
        actor: &Actor,
        chosen: i64,
        shown: &[i64],
    ) -> ServiceResult<bool> {
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        // Only a record that was actually offered, and that exists in this agency, can be chosen.
        let row = store::get(&mut tx, &self.vault, actor.agency_id, chosen).await?;
        let reachable = match &row {
            Some(r) => reach_of(&mut tx, actor.agency_id, &[(r.id, r.registered_by)])
                .await?
                .first()
                .is_some_and(|reach| {
                    client_access(actor, reach, ClientAction::ReadProfile).allowed()
                }),
            None => false,
        };
        if !shown.contains(&chosen) || row.is_none() {
            drop(tx);
            let act = client_act("client.duplicate_used_existing", Some(chosen));
            return Err(self.deny(actor, act, Decision::Hidden).await);
        }
        store::record_duplicate_decision(
            &mut tx,
            actor.agency_id,
            Some(chosen),
            shown,
            "used_existing",
            actor.user_id,
            self.clock.now_ms(),
        )
        .await?;
        let event = self.event(
            actor,
            client_act("client.duplicate_used_existing", Some(chosen)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(reachable)
    }

    async fn authorize_client(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
        action: ClientAction,
        act: Act<'_>,
    ) -> Result<ClientRow, Refusal> {
        let row = store::get(conn, &self.vault, actor.agency_id, id).await?;
        let decision = match &row {
            None => Decision::Hidden,
            Some(r) => {
                let reach = self
                    .client_reach_today(conn, &[(r.id, r.registered_by)], actor.agency_id)
                    .await?;
                reach.first().map_or(Decision::Hidden, |reach| {
                    client_access(actor, reach, action)
                })
            }
        };
        match (decision, row) {
            (Decision::Allow, Some(r)) => Ok(r),
            (d, _) => Err(self.refusal(actor, act, d)),
        }
    }

    /// A client's profile and the cases this actor may see.
    pub async fn client(&self, actor: &Actor, id: i64) -> ServiceResult<ClientDetail> {
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        let client = authorized!(
            self,
            self.authorize_client(
                &mut conn,
                actor,
                id,
                ClientAction::ReadProfile,
                client_act("client.read", Some(id)),
            )
            .await,
            end conn
        );
        let identifiers = store::identifiers(&mut conn, &self.vault, id).await?;
        let household = store::household(&mut conn, id).await?;
        // The cases the actor may open, a case shared with them among them.
        let mut cases = Vec::new();
        let mut open_cases_elsewhere = 0;
        for c in case_store::of_client(&mut conn, &self.vault, actor.agency_id, id).await? {
            if self
                .may_on_case(
                    &mut conn,
                    actor,
                    &c,
                    casework_domain::access::CaseAction::Read,
                )
                .await?
            {
                cases.push(c);
            } else if c.closed_at.is_none() {
                open_cases_elsewhere += 1;
            }
        }
        let merges = store::merges_of(&mut conn, actor.agency_id, id).await?;
        let reach = reach_of(
            &mut conn,
            actor.agency_id,
            &[(client.id, client.registered_by)],
        )
        .await?;
        let can_merge = reach
            .first()
            .is_some_and(|r| client_access(actor, r, ClientAction::Merge).allowed());
        drop(conn);
        self.audit
            .record_read(vec![self.event(
                actor,
                client_act("client.read", Some(id)),
                Outcome::Allowed,
                None,
            )])
            .await?;
        Ok(ClientDetail {
            client,
            identifiers,
            household,
            cases,
            open_cases_elsewhere,
            merges,
            can_merge,
        })
    }

    /// Find clients by name (typos, accents and word order tolerated), birth date or identifier.
    /// Only clients the actor may reach are returned; each one shown is audited.
    pub async fn search_clients(
        &self,
        actor: &Actor,
        query: &ClientQuery,
        cursor: Option<Cursor>,
        asked: Option<i64>,
    ) -> ServiceResult<Page<ClientCard>> {
        let limit = limit(asked, 100);
        let text = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (q, birth, ident) = (
            text(&query.q),
            text(&query.birth_date),
            text(&query.identifier),
        );
        if q.is_none() && birth.is_none() && ident.is_none() {
            return Err(Invalid::new("q", "required").into());
        }
        if let Some(q) = &q {
            casework_domain::text::required("q", q, 200)?;
        }
        let birth = birth.map(|b| parse_date("birth_date", &b)).transpose()?;
        let mut conn = self.store.conn(Wall::Agency(actor.agency_id)).await?;
        // Candidates in rank order; each branch stays bounded.
        // The candidates' summaries when the name branch already read them.
        let mut found = None;
        let mut ranked: Vec<(i64, f32)> = if let Some(i) = &ident {
            store::by_identifier(
                &mut conn,
                &self.vault,
                actor.agency_id,
                &identifier_norm(i),
                CANDIDATES,
            )
            .await?
            .into_iter()
            .map(|id| (id, 1.0))
            .collect()
        } else if let Some(q) = &q {
            // A caseworker may only find the clients they carry or registered: score those
            // directly instead of ranking the whole registry and discarding most of it. One who
            // reaches more than the scan limit is ranked through the name index like everyone
            // else (the reach check below still applies), rather than silently cut short.
            let scan = self.settings.reach_scan_limit;
            let reached = if actor.role == casework_domain::Role::Caseworker {
                let all = store::reachable_summaries(
                    &mut conn,
                    actor.agency_id,
                    actor.user_id,
                    &self.today_text(),
                    scan + 1,
                )
                .await?;
                (all.len() as i64 <= scan).then_some(all)
            } else {
                None
            };
            let candidates = match reached {
                Some(all) => all,
                None => {
                    let grams = lookup_grams(&mut conn, actor.agency_id, &[q.as_str()]).await?;
                    let ids =
                        store::gram_candidates(&mut conn, actor.agency_id, &grams, CANDIDATES)
                            .await?;
                    store::summaries(&mut conn, actor.agency_id, &ids).await?
                }
            };
            let query = NameQuery::new(q);
            let mut scored: Vec<(i64, f32)> = candidates
                .iter()
                .filter_map(|s| {
                    let best = [Some(s.legal_name.as_str()), s.preferred_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .filter_map(|n| query.score(n))
                        .fold(None, |a: Option<f32>, b| Some(a.map_or(b, |a| a.max(b))));
                    best.map(|score| (s.id, score))
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            found = Some(candidates);
            scored
        } else {
            Vec::new()
        };
        let summaries = if q.is_none() && ident.is_none() {
            // Birth date alone: an indexed walk by id.
            let date = birth.map(|b| b.to_string()).unwrap_or_default();
            let rows = store::by_birth_date(
                &mut conn,
                actor.agency_id,
                &date,
                cursor.map_or(0, |c| c.0),
                CANDIDATES,
            )
            .await?;
            ranked = rows.iter().map(|r| (r.id, 1.0)).collect();
            rows
        } else if let Some(found) = found {
            let wanted: std::collections::HashSet<i64> = ranked.iter().map(|r| r.0).collect();
            found
                .into_iter()
                .filter(|s| wanted.contains(&s.id))
                .collect()
        } else {
            let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
            store::summaries(&mut conn, actor.agency_id, &ids).await?
        };
        let reach = self
            .client_reach_today(
                &mut conn,
                &summaries
                    .iter()
                    .map(|s| (s.id, s.registered_by))
                    .collect::<Vec<_>>(),
                actor.agency_id,
            )
            .await?;
        drop(conn);
        let birth_text = birth.map(|b| b.to_string());
        let visible: Vec<ClientCard> = ranked
            .iter()
            .filter_map(|(id, _)| {
                let at = summaries.iter().position(|s| s.id == *id)?;
                let s = &summaries[at];
                let ok = client_access(actor, &reach[at], ClientAction::ReadProfile).allowed()
                    && (birth_text.is_none() || s.birth_date == birth_text);
                ok.then(|| ClientCard::from(s))
            })
            .collect();
        // The cursor is the last id shown; rank order is stable for the same query.
        let start = match cursor {
            Some(c) if q.is_some() || ident.is_some() => visible
                .iter()
                .position(|v| v.id == c.0)
                .map_or(visible.len(), |p| p + 1),
            _ => 0,
        };
        let rest: Vec<ClientCard> = visible
            .into_iter()
            .skip(start)
            .take(limit as usize + 1)
            .collect();
        let page = page_of(rest, limit, |c| c.id);
        let shown = page
            .items
            .iter()
            .map(|c| Subject {
                record_id: c.id,
                client_id: c.id,
            })
            .collect();
        let events = self.listing(actor, "client.search", "client", shown);
        self.audit.record_read(events).await?;
        Ok(page)
    }

    /// Change a client's profile; refused if it changed since `version` was read.
    pub async fn update_client(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        form: &ClientForm,
    ) -> ServiceResult<ClientRow> {
        let profile = form.parse(self.today())?;
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        authorized!(self, self.authorize_client(&mut tx,
            actor,
            id,
            ClientAction::UpdateProfile,
            client_act("client.update", Some(id)),
        ).await, end tx);
        if !store::update(
            &mut tx,
            &self.vault,
            actor.agency_id,
            id,
            version,
            &profile,
            self.clock.now_ms(),
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        let event = self.event(
            actor,
            client_act("client.update", Some(id)),
            Outcome::Allowed,
            None,
        );
        casework_store::audit::append(&mut tx, actor.agency_id, vec![event]).await?;
        let row = store::get(&mut tx, &self.vault, actor.agency_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Fold `merged` into `survivor`: its cases, identifiers, household and consents move over,
    /// the merged record stays (marked) so the merge can be undone exactly.
    pub async fn merge_clients(
        &self,
        actor: &Actor,
        survivor: i64,
        merged: i64,
        reason: &str,
    ) -> ServiceResult<MergeRow> {
        let reason = casework_domain::text::required("reason", reason, 2000)?;
        if survivor == merged {
            return Err(Invalid::new("merged_id", "same_record").into());
        }
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        for id in [survivor, merged] {
            let row = authorized!(self, self.authorize_client(&mut tx,
                    actor,
                    id,
                    ClientAction::Merge,
                    client_act("client.merge", Some(id)),
                ).await, end tx);
            if row.merged_into.is_some() {
                return Err(Invalid::new("merged_id", "already_merged").into());
            }
        }
        let mut moved = serde_json::Map::new();
        for table in MERGED_TABLES {
            let ids = case_store::reassign_client(&mut tx, table, merged, survivor).await?;
            moved.insert(table.to_string(), serde_json::json!(ids));
        }
        store::set_merged_into(&mut tx, actor.agency_id, merged, Some(survivor), now).await?;
        let row = store::insert_merge(
            &mut tx,
            actor.agency_id,
            survivor,
            merged,
            &serde_json::Value::Object(moved).to_string(),
            actor.user_id,
            now,
        )
        .await?;
        let events = vec![
            self.event(
                actor,
                Act {
                    action: "client.merge",
                    record_type: "client_merge",
                    record_id: Some(row.id),
                    client_id: Some(survivor),
                },
                Outcome::Allowed,
                Some(&reason),
            ),
            self.event(
                actor,
                Act {
                    action: "client.merged_away",
                    record_type: "client_merge",
                    record_id: Some(row.id),
                    client_id: Some(merged),
                },
                Outcome::Allowed,
                Some(&reason),
            ),
        ];
        casework_store::audit::append(&mut tx, actor.agency_id, events).await?;
        casework_store::commit(tx).await?;
        Ok(row)
    }

    /// Reverse a merge: every row moved goes back, the merged record is live again.
    pub async fn undo_merge(&self, actor: &Actor, merge_id: i64) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let mut tx = self
            .store
            .begin_write(Wall::Agency(actor.agency_id))
            .await?;
        let m = store::merge(&mut tx, actor.agency_id, merge_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        authorized!(self, self.authorize_client(&mut tx,
            actor,
            m.survivor_id,
            ClientAction::Merge,
            client_act("client.unmerge", Some(m.survivor_id)),
        ).await, end tx);
        if !store::mark_merge_undone(&mut tx, m.id, actor.user_id, now).await? {
            return Err(ServiceError::Stale);
        }
        let moved: serde_json::Value = serde_json::from_str(&m.moved)
            .map_err(|_| casework_store::StoreError::Corrupt("merge record".into()))?;
        for table in MERGED_TABLES {
            let ids: Vec<i64> = moved
                .get(table)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
                .unwrap_or_default();
            case_store::move_rows(&mut tx, table, &ids, m.merged_id).await?;
        }
        store::set_merged_into(&mut tx, actor.agency_id, m.merged_id, None, now).await?;
        let events = vec![
            self.event(
                actor,
                Act {
                    action: "client.unmerge",
                    record_type: "client_merge",
                    record_id: Some(m.id),
                    client_id: Some(m.survivor_id),
                },
                Outcome::Allowed,
                None,
            ),
            self.event(
                actor,
                Act {
                    action: "client.unmerge",
                    record_type: "client_merge",
                    record_id: Some(m.id),
                    client_id: Some(m.merged_id),
                },
                Outcome::Allowed,
                None,
            ),
        ];
        casework_store::audit::append(&mut tx, actor.agency_id, events).await?;
        casework_store::commit(tx).await?;
        Ok(())
    }
}

/// Tables whose rows follow a client through a merge.
const MERGED_TABLES: [&str; 5] = [
    "cases",
    "client_identifiers",
    "household_members",
    "share_consents",
    "service_consents",
];
