//! Subject rights: who may produce a client's subject access export or erase them on request,
//! what an erasure request and the retention setting must say, and when retention runs out.

use crate::access::{client_access, Actor, ClientAction, ClientReach, Decision};
use crate::text::required;
use crate::{Invalid, Role};
use time::{Date, Month};

/// Longest retention period accepted: a hundred years.
pub const MAX_RETENTION_MONTHS: i64 = 1200;
const REASON_MAX: usize = 2000;

/// Subject access exports and erasures are for the supervisors who lead one of the client's
/// case teams (or carry or registered the client), and for admins when the agency makes them its
/// privacy officer. Admins do not see client content otherwise.
///
/// `own` is the client's own reach: their cases' primary workers and teams, without the workers
/// a case is shared with. An export holds every note, restricted ones too, so a running share
/// (which gives a worker's reading: ordinary notes and one's own) never lets anyone produce
/// one. `reads_profile` says whether the actor may open the client's profile today (a running
/// share counts): they know the client exists and are refused as Forbidden; everyone else,
/// admins who are not the privacy officer among them, gets Hidden, as for the profile itself.
pub fn subject_rights_access(
    actor: &Actor,
    own: &ClientReach,
    reads_profile: bool,
    admin_privacy_officer: bool,
) -> Decision {
    if actor.agency_id != own.agency_id {
        return Decision::Hidden;
    }
    match actor.role {
        Role::Admin if admin_privacy_officer => Decision::Allow,
        // The export holds every note of every case, restricted ones included: only a
        // supervisor of every team the client's cases sit with reads all of them already.
        Role::Supervisor
            if client_access(actor, own, ClientAction::ReadProfile).allowed()
                && own.case_teams.iter().all(|t| Some(*t) == actor.team_id) =>
        {
            Decision::Allow
        }
        _ if reads_profile => Decision::Forbidden,
        _ => Decision::Hidden,
    }
}

/// An erasure as asked for on the page or through the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureForm {
    /// Why (the client's request, and how it was received). Staff text: no names needed.
    pub reason: String,
    /// The person erasing confirms they understand it cannot be undone.
    #[serde(default)]
    pub confirm: bool,
}

/// A checked erasure request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureRequest {
    pub reason: String,
}

impl ErasureForm {
    pub fn parse(&self) -> Result<ErasureRequest, Invalid> {
        let reason = required("reason", &self.reason, REASON_MAX)?;
        if !self.confirm {
            return Err(Invalid::new("confirm", "confirmation_required"));
        }
        Ok(ErasureRequest { reason })
    }
}

/// The agency's settings as typed: months as text (blank: retention off).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SubjectRightsForm {
    #[serde(default)]
    pub retention_months: Option<String>,
    #[serde(default)]
    pub admin_privacy_officer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectRightsPolicy {
    pub retention_months: Option<i64>,
    pub admin_privacy_officer: bool,
}

impl SubjectRightsForm {
    pub fn parse(&self) -> Result<SubjectRightsPolicy, Invalid> {
        let months = match self.retention_months.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let n: i64 = raw
                    .parse()
                    .map_err(|_| Invalid::new("retention_months", "retention_not_a_number"))?;
                if !(1..=MAX_RETENTION_MONTHS).contains(&n) {
                    return Err(Invalid::new("retention_months", "out_of_range"));
                }
                Some(n)
            }
        };
        Ok(SubjectRightsPolicy {
            retention_months: months,
            admin_privacy_officer: self.admin_privacy_officer,
        })
    }
}

/// The day `months` calendar months before `today` (the last day of a shorter month when the
/// day does not exist there). A case closed before this day is past retention.
pub fn retention_cutoff(today: Date, months: i64) -> Date {
    let total = i64::from(today.year()) * 12 + i64::from(today.month() as u8) - 1 - months;
    let year = total.div_euclid(12) as i32;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, year);
    let day = today.day().min(last);
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn actor(role: Role, team: Option<i64>) -> Actor {
        Actor {
            user_id: 7,
            agency_id: 1,
            role,
            team_id: team,
        }
    }

    fn reach() -> ClientReach {
        ClientReach {
            agency_id: 1,
            registered_by: Some(3),
            case_workers: vec![4],
            case_teams: vec![5],
        }
    }

    #[test]
    fn a_client_with_cases_on_two_teams_needs_the_privacy_officer() {
        let mut r = reach();
        r.case_teams = vec![5, 6];
        // Each team's supervisor reads the client but not the other team's restricted notes.
        for team in [5, 6] {
            assert_eq!(
                subject_rights_access(&actor(Role::Supervisor, Some(team)), &r, true, false),
                Decision::Forbidden
            );
        }
        assert!(subject_rights_access(&actor(Role::Admin, None), &r, false, true).allowed());
    }

    #[test]
    fn only_the_team_supervisor_or_a_privacy_officer_admin_may() {
        let r = reach();
        assert!(
            subject_rights_access(&actor(Role::Supervisor, Some(5)), &r, true, false).allowed()
        );
        assert_eq!(
            subject_rights_access(&actor(Role::Supervisor, Some(6)), &r, false, true),
            Decision::Hidden
        );
        // Not the privacy officer: refused as the client's profile is (admins never open it).
        assert_eq!(
            subject_rights_access(&actor(Role::Admin, None), &r, false, false),
            Decision::Hidden
        );
        assert!(subject_rights_access(&actor(Role::Admin, None), &r, false, true).allowed());
        let mut worker = actor(Role::Caseworker, Some(5));
        worker.user_id = 4;
        assert_eq!(
            subject_rights_access(&worker, &r, true, true),
            Decision::Forbidden
        );
        assert_eq!(
            subject_rights_access(&actor(Role::Auditor, None), &r, false, true),
            Decision::Hidden
        );
        let mut other = actor(Role::Admin, None);
        other.agency_id = 2;
        assert_eq!(
            subject_rights_access(&other, &r, false, true),
            Decision::Hidden
        );
    }

    #[test]
    fn a_share_lets_a_supervisor_read_the_client_but_not_export_them() {
        // A supervisor of another team with a running share: not in the client's own reach.
        let shared = actor(Role::Supervisor, Some(6));
        assert_eq!(
            subject_rights_access(&shared, &reach(), true, false),
            Decision::Forbidden
        );
    }

    #[test]
    fn an_erasure_needs_a_reason_and_a_confirmation() {
        let form = ErasureForm {
            reason: "Client asked in writing".into(),
            confirm: false,
        };
        assert_eq!(form.parse().unwrap_err().field, "confirm");
        let form = ErasureForm {
            reason: "  ".into(),
            confirm: true,
        };
        assert_eq!(form.parse().unwrap_err().field, "reason");
        let form = ErasureForm {
            reason: "Client asked in writing".into(),
            confirm: true,
        };
        assert_eq!(form.parse().unwrap().reason, "Client asked in writing");
    }

    #[test]
    fn retention_months_are_blank_or_in_range() {
        let parse = |m: &str| {
            SubjectRightsForm {
                retention_months: Some(m.into()),
                admin_privacy_officer: false,
            }
            .parse()
        };
        assert_eq!(parse("").unwrap().retention_months, None);
        assert_eq!(parse(" 84 ").unwrap().retention_months, Some(84));
        assert_eq!(parse("0").unwrap_err().code, "out_of_range");
        assert_eq!(parse("1201").unwrap_err().code, "out_of_range");
        assert_eq!(parse("seven").unwrap_err().code, "retention_not_a_number");
    }

    #[test]
    fn the_cutoff_counts_calendar_months_back() {
        assert_eq!(
            retention_cutoff(date!(2026 - 11 - 22), 12),
            date!(2025 - 11 - 22)
        );
        assert_eq!(
            retention_cutoff(date!(2026 - 03 - 31), 1),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            retention_cutoff(date!(2026 - 01 - 15), 1),
            date!(2025 - 12 - 15)
        );
        assert_eq!(
            retention_cutoff(date!(2026 - 01 - 15), 25),
            date!(2023 - 12 - 15)
        );
    }
}
