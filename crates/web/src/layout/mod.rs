//! The frame around every page: header with role-based navigation and the account menu, the
//! footer with the language picker. Page templates extend `templates/layout.html` and carry a
//! `Chrome` named `page` and a translator named `t`.

use crate::i18n::{Locale, T};
use crate::session::Visitor;
use casework_domain::Role;

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct LanguageChoice {
    pub tag: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct Chrome {
    /// The `lang` attribute of the page.
    pub lang: &'static str,
    /// The signed-in person's display name.
    pub user: Option<String>,
    pub nav: Vec<NavLink>,
    pub csrf: String,
    /// Where the language picker returns to: the page as asked for, with its query (a search,
    /// a filter), or the page's own path when it answers a form.
    pub path: String,
    pub languages: Vec<LanguageChoice>,
}

/// The sections a role works in, in menu order.
pub fn sections(role: Role, t: &T) -> Vec<(&'static str, String)> {
    match role {
        Role::Caseworker => vec![
            ("/caseload", t.get("nav-caseload")),
            ("/tasks", t.get("nav-tasks")),
            ("/clients", t.get("nav-clients")),
        ],
        Role::Supervisor => vec![
            ("/caseload", t.get("nav-caseload")),
            ("/tasks", t.get("nav-tasks")),
            ("/queue", t.get("nav-queue")),
            ("/clients", t.get("nav-clients")),
        ],
        Role::IntakeWorker => vec![("/clients", t.get("nav-clients"))],
        Role::Admin => vec![
            ("/admin/users", t.get("nav-users")),
            ("/admin/teams", t.get("nav-teams")),
            ("/admin/programs", t.get("nav-programs")),
            ("/admin/forms", t.get("nav-forms")),
            ("/admin/security", t.get("nav-security")),
            ("/admin/subject-rights", t.get("nav-subject-rights")),
            ("/admin/identity-provider", t.get("nav-oidc")),
        ],
        Role::Auditor => vec![("/audit", t.get("nav-audit"))],
    }
}

/// The page a role lands on after sign-in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Caseworker | Role::Supervisor => "/caseload",
        Role::IntakeWorker => "/clients",
        Role::Admin => "/admin/users",
        Role::Auditor => "/audit",
    }
}

/// Language names are written in their own language so everyone can find theirs.
pub fn language_choices(selected: Locale, t: &T) -> Vec<LanguageChoice> {
    Locale::ALL
        .into_iter()
        .map(|l| LanguageChoice {
            tag: l.tag(),
            label: match l {
                Locale::En => t.get("language-en"),
                Locale::Es => t.get("language-es"),
            },
            selected: l == selected,
        })
        .collect()
}

impl Chrome {
    /// The frame for `visitor` on the page at `path` (a path without query, for the menu).
    pub fn new(visitor: &Visitor, path: &str) -> Chrome {
        let t = visitor.t();
        let principal = visitor.principal();
        let nav = principal
            .map(|p| sections(p.actor.role, &t))
            .unwrap_or_default()
            .into_iter()
            .map(|(href, label)| NavLink {
                href,
                label,
                current: path == href || path.starts_with(&format!("{href}/")),
            })
            .collect();
        Chrome {
            lang: visitor.locale.tag(),
            user: principal.map(|p| p.display_name.clone()),
            nav,
            csrf: visitor.csrf().to_string(),
            path: visitor.here.clone().unwrap_or_else(|| path.to_string()),
            languages: language_choices(visitor.locale, &t),
        }
    }
}

mod problem;
pub use problem::Problem;

/// A moment for people: date and time in UTC, minute precision.
pub fn moment(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_default()
}
