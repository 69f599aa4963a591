//! Reach beyond the case's own people: a case shared with another worker until an end date, and
//! "break-the-glass" emergency read access with a stated reason.
//!
//! The service finds out whether a share or a broken glass is running *now* (it holds the clock)
//! and passes that in as a [`CaseRelation`]; the rules here stay pure.
//!
//! Who may break the glass, decided once:
//! - caseworkers and supervisors of the case's agency, for a case they cannot already read;
//! - never intake workers (they hand a case over and never read its content afterwards), never
//!   admins or auditors (they never reach client content), never anyone of another agency (for
//!   them the case does not exist).

use crate::access::{case_access, Actor, CaseAction, CaseReach, Decision};
use crate::client::parse_date;
use crate::text::required;
use crate::{Invalid, Role};
use time::Date;

/// A share may run for at most this many days from today.
pub const SHARE_MAX_DAYS: i64 = 365;
/// Break-the-glass read access lasts this long.
pub const BREAK_GLASS_MS: i64 = 4 * 3_600_000;
/// A break-the-glass reason must say this much at least.
pub const BREAK_GLASS_REASON_MIN: usize = 20;
const REASON_MAX: usize = 2000;

/// How the actor relates to a case beyond its assignment, as of now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseRelation {
    /// A share with the actor runs today (end date inclusive).
    pub shared: bool,
    /// The actor broke the glass on this case and the access has not expired.
    pub broken_glass: bool,
}

fn works_cases(actor: &Actor) -> bool {
    matches!(actor.role, Role::Caseworker | Role::Supervisor)
}

/// [`case_access`] widened by a running share or broken glass. A share gives a caseworker's
/// reach (read, record, move forward) but never a supervisor's (override, assign); broken glass
/// gives reading only.
pub fn case_access_with(
    actor: &Actor,
    case: &CaseReach,
    relation: CaseRelation,
    action: CaseAction,
) -> Decision {
    let base = case_access(actor, case, action);
    if base.allowed() || actor.agency_id != case.agency_id || !works_cases(actor) {
        return base;
    }
    if relation.shared {
        return match action {
            CaseAction::Read | CaseAction::Record | CaseAction::Transition => Decision::Allow,
            CaseAction::Open | CaseAction::OverrideGuard | CaseAction::Assign => {
                Decision::Forbidden
            }
        };
    }
    if relation.broken_glass {
        return match action {
            CaseAction::Read => Decision::Allow,
            _ => Decision::Forbidden,
        };
    }
    base
}

/// [`crate::note::may_read_note`] widened by a running share or broken glass: someone who
/// reaches the case only through such a relation reads its ordinary notes and their own, never
/// the sensitive or restricted notes of others.
pub fn may_read_note_with(
    actor: &Actor,
    author_id: i64,
    sensitivity: crate::note::Sensitivity,
    case: &CaseReach,
    relation: CaseRelation,
) -> bool {
    if case_access(actor, case, CaseAction::Read).allowed() {
        return crate::note::may_read_note(actor, author_id, sensitivity, case);
    }
    case_access_with(actor, case, relation, CaseAction::Read).allowed()
        && (actor.user_id == author_id || sensitivity == crate::note::Sensitivity::Normal)
}

/// May the actor break the glass on this case? `Allow` only for those who cannot read it
/// already; `Hidden` across agencies; `Forbidden` for roles that never may.
pub fn break_glass_access(actor: &Actor, case: &CaseReach) -> Decision {
    if actor.agency_id != case.agency_id {
        return Decision::Hidden;
    }
    if !works_cases(actor) || case_access(actor, case, CaseAction::Read).allowed() {
        return Decision::Forbidden;
    }
    Decision::Allow
}

/// Who may share a case or end a share: its primary worker or a supervisor of its team.
pub fn may_share(actor: &Actor, case: &CaseReach) -> bool {
    if actor.agency_id != case.agency_id {
        return false;
    }
    let primary = case.primary_worker_id == Some(actor.user_id);
    let team_lead = actor.role == Role::Supervisor
        && matches!((actor.team_id, case.team_id), (Some(a), Some(b)) if a == b);
    works_cases(actor) && (primary || team_lead)
}

/// Who may review break-the-glass accesses: the supervisors of the case's team.
pub fn may_review_break_glass(actor: &Actor, case: &CaseReach) -> bool {
    actor.agency_id == case.agency_id
        && actor.role == Role::Supervisor
        && matches!((actor.team_id, case.team_id), (Some(a), Some(b)) if a == b)
}

/// A share as asked for, unchecked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareForm {
    pub worker_id: Option<i64>,
    /// The last day of the share, 'YYYY-MM-DD' (inclusive).
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShare {
    pub worker_id: i64,
    pub ends_on: Date,
    pub reason: String,
}

impl ShareForm {
    pub fn parse(&self, today: Date) -> Result<NewShare, Invalid> {
        let worker_id = self
            .worker_id
            .ok_or_else(|| Invalid::new("worker_id", "required"))?;
        if self.ends_on.trim().is_empty() {
            return Err(Invalid::new("ends_on", "required"));
        }
        let ends_on = parse_date("ends_on", &self.ends_on)?;
        if ends_on < today {
            return Err(Invalid::new("ends_on", "date_in_past"));
        }
        if (ends_on - today).whole_days() > SHARE_MAX_DAYS {
            return Err(Invalid::new("ends_on", "share_too_long"));
        }
        let reason = required("reason", &self.reason, REASON_MAX)?;
        Ok(NewShare {
            worker_id,
            ends_on,
            reason,
        })
    }
}

/// Is a share running on `today`? The end date is inclusive; an ended share is over.
pub fn share_runs(starts_on: Date, ends_on: Date, ended: bool, today: Date) -> bool {
    !ended && starts_on <= today && today <= ends_on
}

/// The stated reason for breaking the glass.
pub fn parse_break_glass_reason(raw: &str) -> Result<String, Invalid> {
    let reason = required("reason", raw, REASON_MAX)?;
    if reason.chars().count() < BREAK_GLASS_REASON_MIN {
        return Err(Invalid::new("reason", "reason_too_short"));
    }
    Ok(reason)
}

/// A supervisor's finding on a break-the-glass access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Justified,
    NotJustified,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Justified => "justified",
            Verdict::NotJustified => "not_justified",
        }
    }

    pub fn parse(raw: &str) -> Result<Verdict, Invalid> {
        match raw.trim() {
            "justified" => Ok(Verdict::Justified),
            "not_justified" => Ok(Verdict::NotJustified),
            "" => Err(Invalid::new("verdict", "required")),
            _ => Err(Invalid::new("verdict", "unknown_choice")),
        }
    }
}

/// A review as asked for, unchecked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewForm {
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
}

impl ReviewForm {
    pub fn parse(&self) -> Result<(Verdict, String), Invalid> {
        let verdict = Verdict::parse(&self.verdict)?;
        let comment = required("comment", &self.comment, REASON_MAX)?;
        Ok((verdict, comment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [CaseAction; 6] = [
        CaseAction::Open,
        CaseAction::Read,
        CaseAction::Record,
        CaseAction::Transition,
        CaseAction::OverrideGuard,
        CaseAction::Assign,
    ];

    fn actor(user_id: i64, role: Role, team: Option<i64>, agency_id: i64) -> Actor {
        Actor {
            user_id,
            agency_id,
            role,
            team_id: team,
        }
    }

    /// A case carried by user 10 on team 5, agency 1; the actors below are user 99 on team 6,
    /// so nothing but the relation gives them reach.
    fn case() -> CaseReach {
        CaseReach {
            agency_id: 1,
            primary_worker_id: Some(10),
            team_id: Some(5),
        }
    }

    const NONE: CaseRelation = CaseRelation {
        shared: false,
        broken_glass: false,
    };
    const SHARED: CaseRelation = CaseRelation {
        shared: true,
        broken_glass: false,
    };
    const GLASS: CaseRelation = CaseRelation {
        shared: false,
        broken_glass: true,
    };

    /// The matrix: for every role, every action, with no relation (an expired share or expired
    /// glass is passed as no relation), a running share, and broken glass.
    #[test]
    fn relation_matrix_for_every_role_and_action() {
        use Decision::*;
        for role in Role::ALL {
            let a = actor(99, role, Some(6), 1);
            for action in ACTIONS {
                let none = case_access_with(&a, &case(), NONE, action);
                let shared = case_access_with(&a, &case(), SHARED, action);
                let glass = case_access_with(&a, &case(), GLASS, action);
                let works = matches!(role, Role::Caseworker | Role::Supervisor);
                // Without a relation the base policy holds (intake may open and assign).
                assert_eq!(
                    none,
                    case_access(&a, &case(), action),
                    "{role:?} {action:?}"
                );
                if !works {
                    assert_eq!(shared, none, "share gives nothing to {role:?} {action:?}");
                    assert_eq!(glass, none, "glass gives nothing to {role:?} {action:?}");
                    continue;
                }
                let expect_shared = match action {
                    CaseAction::Read | CaseAction::Record | CaseAction::Transition => Allow,
                    _ => Forbidden,
                };
                assert_eq!(shared, expect_shared, "shared {role:?} {action:?}");
                let expect_glass = if action == CaseAction::Read {
                    Allow
                } else {
                    Forbidden
                };
                assert_eq!(glass, expect_glass, "glass {role:?} {action:?}");
                assert_eq!(none, Hidden, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_relation_reads_ordinary_notes_and_own_notes_only() {
        use crate::note::Sensitivity::*;
        let a = actor(99, Role::Caseworker, Some(6), 1);
        for rel in [SHARED, GLASS] {
            assert!(may_read_note_with(&a, 10, Normal, &case(), rel));
            assert!(!may_read_note_with(&a, 10, Sensitive, &case(), rel));
            assert!(!may_read_note_with(&a, 10, Restricted, &case(), rel));
            assert!(may_read_note_with(&a, 99, Sensitive, &case(), rel));
        }
        assert!(!may_read_note_with(&a, 10, Normal, &case(), NONE));
        // The case's own people keep the note policy as it is.
        let own = actor(10, Role::Caseworker, Some(5), 1);
        assert!(may_read_note_with(&own, 11, Sensitive, &case(), NONE));
        assert!(!may_read_note_with(&own, 11, Restricted, &case(), NONE));
    }

    #[test]
    fn relations_never_cross_agencies() {
        for role in Role::ALL {
            let a = actor(99, role, Some(5), 2);
            for action in ACTIONS {
                for rel in [SHARED, GLASS] {
                    assert_eq!(case_access_with(&a, &case(), rel, action), Decision::Hidden);
                }
            }
            assert_eq!(
                break_glass_access(&a, &case()),
                Decision::Hidden,
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_relation_never_narrows_existing_reach() {
        let sup = actor(20, Role::Supervisor, Some(5), 1);
        assert!(case_access_with(&sup, &case(), SHARED, CaseAction::OverrideGuard).allowed());
        assert!(case_access_with(&sup, &case(), GLASS, CaseAction::Assign).allowed());
        let worker = actor(10, Role::Caseworker, Some(5), 1);
        assert!(case_access_with(&worker, &case(), GLASS, CaseAction::Record).allowed());
    }

    #[test]
    fn only_workers_who_cannot_read_may_break_the_glass() {
        for role in Role::ALL {
            let a = actor(99, role, Some(6), 1);
            let expected = if matches!(role, Role::Caseworker | Role::Supervisor) {
                Decision::Allow
            } else {
                Decision::Forbidden
            };
            assert_eq!(break_glass_access(&a, &case()), expected, "{role:?}");
        }
        // The case's own people need no glass.
        let own = actor(10, Role::Caseworker, Some(5), 1);
        assert_eq!(break_glass_access(&own, &case()), Decision::Forbidden);
        let lead = actor(20, Role::Supervisor, Some(5), 1);
        assert_eq!(break_glass_access(&lead, &case()), Decision::Forbidden);
    }

    #[test]
    fn primary_worker_and_team_supervisor_share() {
        assert!(may_share(&actor(10, Role::Caseworker, Some(6), 1), &case()));
        assert!(may_share(&actor(20, Role::Supervisor, Some(5), 1), &case()));
        assert!(!may_share(
            &actor(21, Role::Supervisor, Some(6), 1),
            &case()
        ));
        assert!(!may_share(
            &actor(11, Role::Caseworker, Some(5), 1),
            &case()
        ));
        assert!(!may_share(
            &actor(10, Role::Caseworker, Some(5), 2),
            &case()
        ));
        assert!(!may_share(
            &actor(30, Role::IntakeWorker, Some(5), 1),
            &case()
        ));
        assert!(may_review_break_glass(
            &actor(20, Role::Supervisor, Some(5), 1),
            &case()
        ));
        assert!(!may_review_break_glass(
            &actor(10, Role::Caseworker, Some(5), 1),
            &case()
        ));
    }

    fn day(s: &str) -> Date {
        parse_date("d", s).expect("date")
    }

    #[test]
    fn share_end_date_is_inclusive_and_bounded() {
        let today = day("2026-11-22");
        let form = |ends: &str, reason: &str| ShareForm {
            worker_id: Some(3),
            ends_on: ends.into(),
            reason: reason.into(),
        };
        assert_eq!(
            form("2026-11-22", "cover").parse(today).map(|s| s.ends_on),
            Ok(today)
        );
        let err = |f: ShareForm| f.parse(today).unwrap_err();
        assert_eq!(err(form("2026-11-21", "cover")).code, "date_in_past");
        assert_eq!(err(form("", "cover")).field, "ends_on");
        assert_eq!(err(form("22/11/2026", "cover")).code, "date_format");
        assert!(form("2027-11-22", "cover").parse(today).is_ok());
        assert_eq!(err(form("2027-11-23", "cover")).code, "share_too_long");
        assert_eq!(err(form("2026-12-01", " ")).field, "reason");
        let no_worker = ShareForm {
            worker_id: None,
            ..form("2026-12-01", "cover")
        };
        assert_eq!(err(no_worker).field, "worker_id");
        assert!(share_runs(today, today, false, today));
        assert!(!share_runs(today, today, false, day("2026-11-23")));
        assert!(!share_runs(today, day("2026-12-01"), true, today));
        assert!(!share_runs(
            day("2026-11-23"),
            day("2026-12-01"),
            false,
            today
        ));
    }

    #[test]
    fn break_glass_reason_needs_twenty_characters() {
        assert_eq!(parse_break_glass_reason("").unwrap_err().code, "required");
        assert_eq!(
            parse_break_glass_reason("urgent call").unwrap_err(),
            Invalid::new("reason", "reason_too_short")
        );
        assert!(parse_break_glass_reason("Police called about the child tonight").is_ok());
        assert_eq!(
            parse_break_glass_reason(&"x".repeat(19)).unwrap_err().code,
            "reason_too_short"
        );
        assert!(parse_break_glass_reason(&"x".repeat(20)).is_ok());
    }

    #[test]
    fn review_needs_a_known_verdict_and_a_comment() {
        let f = |v: &str, c: &str| ReviewForm {
            verdict: v.into(),
            comment: c.into(),
        };
        assert_eq!(
            f("justified", "ok").parse(),
            Ok((Verdict::Justified, "ok".into()))
        );
        assert_eq!(f("maybe", "ok").parse().unwrap_err().field, "verdict");
        assert_eq!(f("", "ok").parse().unwrap_err().code, "required");
        assert_eq!(f("not_justified", "").parse().unwrap_err().field, "comment");
    }
}
