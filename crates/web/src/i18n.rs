//! Fluent catalogues and locale negotiation. Every string a person reads goes through here.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// The languages the interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    Es,
}

// Every `locales/<lang>/*.ftl` file joined by `build.rs`.
pub(crate) const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.ftl"));
pub(crate) const SPANISH: &str = include_str!(concat!(env!("OUT_DIR"), "/es.ftl"));

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Es];

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    pub(crate) fn source(self) -> &'static str {
        match self {
            Locale::En => ENGLISH,
            Locale::Es => SPANISH,
        }
    }

    /// A supported locale for a language tag, by its primary subtag (`es-MX` is Spanish).
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The best supported locale in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(Locale, f32)> = None;
        for range in header.split(',').take(20) {
            let mut params = range.split(';');
            let Some(locale) = params.next().and_then(Locale::parse) else {
                continue;
            };
            let q = params
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((locale, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle_of(locale: Locale) -> Bundle {
    let langid: unic_langid::LanguageIdentifier = match locale {
        Locale::En => unic_langid::langid!("en"),
        Locale::Es => unic_langid::langid!("es"),
    };
    let resource = FluentResource::try_new(locale.source().to_string())
        // A syntax error drops only the broken entry; the catalogue test catches it before release.
        .unwrap_or_else(|(partial, _)| partial);
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks around placeables would end up inside attribute values and test assertions.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            locale = locale.tag(),
            ?errors,
            "translation catalogue has duplicate ids"
        );
    }
    bundle
}

fn bundles() -> &'static [Bundle; 2] {
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    BUNDLES.get_or_init(|| [bundle_of(Locale::En), bundle_of(Locale::Es)])
}

fn bundle(locale: Locale) -> &'static Bundle {
    &bundles()[match locale {
        Locale::En => 0,
        Locale::Es => 1,
    }]
}

/// A translator for one locale. Templates call `t.get` with a literal message id; the catalogue test scans
/// templates and code for exactly that pattern, so ids must be literals there. Ids built at run
/// time (error codes, roles) go through `t.dynamic` and have their own completeness tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T {
    locale: Locale,
}

impl T {
    pub fn new(locale: Locale) -> T {
        T { locale }
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    pub fn get_with(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    /// A message whose id is computed, e.g. `error-<code>` or `role-<role>`.
    pub fn dynamic(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The translated message for a service or web error code.
    pub fn error(&self, code: &str) -> String {
        self.dynamic(&format!("error-{code}"))
    }

    /// A duplicate named for what it duplicates ("A user with this email address already
    /// exists.") where the catalogue says so, else the plain message.
    pub fn duplicate(&self, field: &str) -> String {
        let id = format!("error-duplicate-{field}");
        if has_message(self.locale, &id) {
            self.dynamic(&id)
        } else {
            self.error("duplicate")
        }
    }

    /// What a stage guard still needs, by `Unmet::code()`.
    pub fn unmet(&self, code: &str) -> String {
        self.dynamic(&format!("unmet-{code}"))
    }

    pub fn role(&self, role: &str) -> String {
        self.dynamic(&format!("role-{role}"))
    }

    /// A language's name for a BCP 47 tag (`es-MX` reads "Spanish (es-MX)"); a language the
    /// catalogue does not name is shown by its tag.
    pub fn language(&self, tag: &str) -> String {
        let primary = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
        let id = format!("lang-name-{primary}");
        if !has_message(self.locale, &id) {
            return tag.to_string();
        }
        let name = self.dynamic(&id);
        if tag.eq_ignore_ascii_case(&primary) {
            name
        } else {
            format!("{name} ({tag})")
        }
    }

    /// An audit action (`case.page`) in words, for a client reading who accessed their records:
    /// which kind of record, and whether it was looked at or written. The codes stay in the API.
    pub fn audit_action(&self, action: &str) -> String {
        let (kind, verb) = action.split_once('.').unwrap_or((action, ""));
        let id = format!("audit-thing-{}", kind.replace('_', "-"));
        let thing = if has_message(self.locale, &id) {
            self.dynamic(&id)
        } else {
            self.get("audit-thing-other")
        };
        let args = [("thing", FluentValue::from(thing))];
        if looks_only(verb) {
            self.get_with("audit-action-viewed", &args)
        } else {
            self.get_with("audit-action-changed", &args)
        }
    }

    /// An audit outcome (`allowed`, `denied`) in words.
    pub fn audit_outcome(&self, outcome: &str) -> String {
        let id = format!("audit-outcome-{outcome}");
        if has_message(self.locale, &id) {
            self.dynamic(&id)
        } else {
            outcome.to_string()
        }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = bundle(self.locale);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, locale = self.locale.tag(), "missing translation");
            return id.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        text.into_owned()
    }
}

/// Whether an audit action's verb only reads: a page, a list, a search, an export.
fn looks_only(verb: &str) -> bool {
    matches!(
        verb,
        "read"
            | "list"
            | "page"
            | "search"
            | "browse"
            | "compare"
            | "summary"
            | "reviews"
            | "export"
            | "subject_access"
            | "duplicate_check"
            | "duplicate_shown"
    ) || verb.ends_with("_list")
        || verb.ends_with("_read")
}

/// The tag of a language the catalogue names, found by its name in any of our languages and
/// in any case: "Spanish" or "Español" gives `es`. A worker may type the name they know; the
/// record keeps the tag.
pub fn language_named(name: &str) -> Option<String> {
    let wanted = name.trim().to_lowercase();
    Locale::ALL.into_iter().find_map(|l| {
        l.source().lines().find_map(|line| {
            let (id, value) = line.split_once(" = ")?;
            let tag = id.trim().strip_prefix("lang-name-")?;
            (value.trim().to_lowercase() == wanted).then(|| tag.to_string())
        })
    })
}

/// Does the catalogue of `locale` define `id`?
pub fn has_message(locale: Locale, id: &str) -> bool {
    bundle(locale).has_message(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_action_reads_as_words() {
        let en = T::new(Locale::En);
        assert_eq!(en.audit_action("case.page"), "Looked at your case");
        assert_eq!(
            en.audit_action("client.search"),
            "Looked at your personal details"
        );
        assert_eq!(
            en.audit_action("note.sign"),
            "Recorded or changed case notes"
        );
        assert_eq!(en.audit_action("consent.share_list"), "Looked at a consent");
        assert_eq!(en.audit_action("mystery"), "Recorded or changed a record");
        let es = T::new(Locale::Es);
        assert_eq!(
            es.audit_action("goal.update"),
            "Registró o modificó sus objetivos"
        );
        assert_eq!(es.audit_outcome("denied"), "Denegado");
        assert_eq!(es.audit_outcome("odd"), "odd");
    }

    #[test]
    fn a_language_is_found_by_its_name_in_either_language() {
        assert_eq!(language_named("Spanish").as_deref(), Some("es"));
        assert_eq!(language_named(" español ").as_deref(), Some("es"));
        assert_eq!(language_named("VIETNAMESE").as_deref(), Some("vi"));
        assert_eq!(language_named("Klingon"), None);
        assert_eq!(language_named(""), None);
    }

    #[test]
    fn languages_are_named_in_the_reader_s_language() {
        assert_eq!(T::new(Locale::En).language("es"), "Spanish");
        assert_eq!(T::new(Locale::Es).language("es"), "español");
        assert_eq!(T::new(Locale::En).language("es-mx"), "Spanish (es-mx)");
        assert_eq!(T::new(Locale::En).language("tlh"), "tlh");
    }

    #[test]
    fn accept_language_picks_the_best_supported_range() {
        assert_eq!(
            Locale::from_accept_language("fr-CH, es;q=0.8, en;q=0.5"),
            Some(Locale::Es)
        );
        assert_eq!(
            Locale::from_accept_language("en-GB,en;q=0.9"),
            Some(Locale::En)
        );
        assert_eq!(Locale::from_accept_language("de, fr"), None);
        assert_eq!(Locale::from_accept_language("es;q=0"), None);
    }

    #[test]
    fn tags_parse_by_primary_subtag() {
        assert_eq!(Locale::parse("es-MX"), Some(Locale::Es));
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("pt"), None);
    }
}
