//! Opening a case and recording the engagement stage's work: contacts and consent to services.

use crate::client::parse_date;
use crate::text::{optional, required};
use crate::Invalid;
use std::str::FromStr;
use time::Date;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseForm {
    pub client_id: i64,
    #[serde(default)]
    pub program_id: Option<i64>,
    #[serde(default)]
    pub referral_source: Option<String>,
    pub presenting_problem: String,
    #[serde(default)]
    pub primary_worker_id: Option<i64>,
    #[serde(default)]
    pub team_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub client_id: i64,
    pub program_id: Option<i64>,
    pub referral_source: Option<String>,
    pub presenting_problem: String,
    pub primary_worker_id: Option<i64>,
    pub team_id: Option<i64>,
}

impl CaseForm {
    pub fn parse(&self) -> Result<NewCase, Invalid> {
        Ok(NewCase {
            client_id: self.client_id,
            program_id: self.program_id,
            referral_source: optional("referral_source", self.referral_source.as_deref(), 200)?,
            presenting_problem: required("presenting_problem", &self.presenting_problem, 4000)?,
            primary_worker_id: self.primary_worker_id,
            team_id: self.team_id,
        })
    }
}

macro_rules! named_enum {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }
    };
}

named_enum!(ContactMode {
    Office = "office",
    Phone = "phone",
    Video = "video",
    HomeVisit = "home_visit",
    Collateral = "collateral",
});

named_enum!(ConsentMethod {
    Signed = "signed",
    Verbal = "verbal",
    Witnessed = "witnessed",
});

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactForm {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub mode: String,
    pub duration_minutes: i64,
    #[serde(default)]
    pub participants: Option<String>,
    #[serde(default)]
    pub interpreter_used: bool,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub date: Date,
    pub mode: ContactMode,
    pub duration_minutes: i64,
    pub participants: Option<String>,
    pub interpreter_used: bool,
    pub summary: Option<String>,
}

impl ContactForm {
    pub fn parse(&self, today: Date) -> Result<NewContact, Invalid> {
        let date = parse_date("date", &self.date)?;
        if date > today {
            return Err(Invalid::new("date", "date_in_future"));
        }
        let mode = self
            .mode
            .trim()
            .parse::<ContactMode>()
            .map_err(|_| Invalid::new("mode", "unknown_choice"))?;
        if !(1..=1440).contains(&self.duration_minutes) {
            return Err(Invalid::new("duration_minutes", "minutes_range"));
        }
        Ok(NewContact {
            date,
            mode,
            duration_minutes: self.duration_minutes,
            participants: optional("participants", self.participants.as_deref(), 500)?,
            interpreter_used: self.interpreter_used,
            summary: optional("summary", self.summary.as_deref(), 4000)?,
        })
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConsentForm {
    /// `YYYY-MM-DD`.
    pub given_on: String,
    pub method: String,
    #[serde(default)]
    pub witness: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConsent {
    pub given_on: Date,
    pub method: ConsentMethod,
    pub witness: Option<String>,
}

impl ServiceConsentForm {
    pub fn parse(&self, today: Date) -> Result<ServiceConsent, Invalid> {
        let given_on = parse_date("given_on", &self.given_on)?;
        if given_on > today {
            return Err(Invalid::new("given_on", "date_in_future"));
        }
        let method = self
            .method
            .trim()
            .parse::<ConsentMethod>()
            .map_err(|_| Invalid::new("method", "unknown_choice"))?;
        let witness = optional("witness", self.witness.as_deref(), 200)?;
        if method == ConsentMethod::Witnessed && witness.is_none() {
            return Err(Invalid::new("witness", "required"));
        }
        Ok(ServiceConsent {
            given_on,
            method,
            witness,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn contact() -> ContactForm {
        ContactForm {
            date: "2026-11-20".into(),
            mode: "home_visit".into(),
            duration_minutes: 45,
            ..Default::default()
        }
    }

    #[test]
    fn a_contact_parses_and_its_bounds_name_the_field() {
        assert_eq!(contact().parse(TODAY).unwrap().mode, ContactMode::HomeVisit);
        let mut c = contact();
        c.duration_minutes = 0;
        assert_eq!(c.parse(TODAY).unwrap_err().field, "duration_minutes");
        c.duration_minutes = 1441;
        assert_eq!(c.parse(TODAY).unwrap_err().field, "duration_minutes");
        c.duration_minutes = 1440;
        assert!(c.parse(TODAY).is_ok());
        let mut c = contact();
        c.mode = "carrier pigeon".into();
        assert_eq!(
            c.parse(TODAY).unwrap_err(),
            Invalid::new("mode", "unknown_choice")
        );
        let mut c = contact();
        c.date = "2026-11-23".into();
        assert_eq!(c.parse(TODAY).unwrap_err().code, "date_in_future");
    }

    #[test]
    fn witnessed_consent_needs_a_witness() {
        let mut f = ServiceConsentForm {
            given_on: "2026-11-01".into(),
            method: "witnessed".into(),
            witness: None,
        };
        assert_eq!(
            f.parse(TODAY).unwrap_err(),
            Invalid::new("witness", "required")
        );
        f.witness = Some("R. Diaz".into());
        assert!(f.parse(TODAY).is_ok());
    }

    #[test]
    fn a_case_needs_a_presenting_problem() {
        let f = CaseForm {
            client_id: 1,
            presenting_problem: " ".into(),
            ..Default::default()
        };
        assert_eq!(f.parse().unwrap_err().field, "presenting_problem");
    }
}
