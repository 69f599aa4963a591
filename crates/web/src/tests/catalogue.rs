//! The catalogues are complete: same ids in every language, and every id the code asks for.

use crate::i18n::{has_message, Locale};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn ids_of(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| {
            let (id, _) = line.split_once(" =")?;
            let ok = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_string())
        })
        .collect()
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The last argument of each call to `call` in `text`, when it is a string literal (a code
/// passed in a variable, e.g. from another error's `code()`, is checked where it is made).
fn last_literal_arguments(text: &str, call: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(call) {
        rest = &rest[at + call.len()..];
        let (mut depth, mut in_string, mut last_comma, mut end) = (0i32, false, 0usize, None);
        for (i, c) in rest.char_indices() {
            match c {
                '"' => in_string = !in_string,
                _ if in_string => {}
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => {
                    end = Some(i);
                    break;
                }
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => last_comma = i + 1,
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let arg = rest[last_comma..end].trim().trim_end_matches(',').trim();
        if let Some(literal) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
            found.push(literal.to_string());
        }
    }
    found
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first string literal after each occurrence of `call` in `text`.
fn literals_after(text: &str, call: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(call) {
        rest = &rest[at + call.len()..];
        // Only a literal that is the call's first argument.
        let Some(after) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        if let Some(close) = after.find('"') {
            found.push(after[..close].to_string());
        }
    }
    found
}

#[test]
fn catalogues_parse_and_hold_the_same_ids() {
    for locale in Locale::ALL {
        let parsed = fluent_bundle::FluentResource::try_new(locale.source().to_string());
        assert!(
            parsed.is_ok(),
            "{} catalogue has syntax errors",
            locale.tag()
        );
    }
    let english = ids_of(crate::i18n::ENGLISH);
    let spanish = ids_of(crate::i18n::SPANISH);
    assert!(
        english.len() > 50,
        "the id scan found too little: {}",
        english.len()
    );
    let only_en: Vec<_> = english.difference(&spanish).collect();
    let only_es: Vec<_> = spanish.difference(&english).collect();
    assert!(
        only_en.is_empty() && only_es.is_empty(),
        "only in English: {only_en:?}; only in Spanish: {only_es:?}"
    );
}

#[test]
fn every_id_used_in_templates_and_code_exists() {
    let mut files = Vec::new();
    files_under(&crate_dir().join("templates"), "html", &mut files);
    files_under(&crate_dir().join("src"), "rs", &mut files);
    let mut used = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        // Spelled in pieces so this file does not match its own patterns.
        for call in [
            concat!("t.", "get("),
            concat!("t.", "get_with("),
            concat!("t()", ".get("),
        ] {
            used.extend(literals_after(&text, call));
        }
    }
    assert!(used.contains("sign-in-title"), "the scan found no ids");
    let missing: Vec<_> = used
        .iter()
        .flat_map(|id| Locale::ALL.map(|l| (l, id)))
        .filter(|(l, id)| !has_message(*l, id))
        .collect();
    assert!(missing.is_empty(), "ids without a message: {missing:?}");
}

#[test]
fn every_validation_code_has_a_message() {
    let mut files = Vec::new();
    for krate in ["domain", "service"] {
        files_under(
            &crate_dir().join("..").join(krate).join("src"),
            "rs",
            &mut files,
        );
    }
    let mut codes = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        codes.extend(last_literal_arguments(&text, "Invalid::new("));
    }
    assert!(
        codes.contains("required"),
        "the scan found no codes: {codes:?}"
    );
    let service_codes = [
        "not_found",
        "forbidden",
        "unauthenticated",
        "bad_credentials",
        "throttled",
        "stale",
        "duplicate",
        "guard_unmet",
        "transition_not_allowed",
        "smart_check_failed",
        "storage_error",
        "audit_unavailable",
        "record_erased",
        "key_unavailable",
        "ciphertext_refused",
        "ciphertext_malformed",
        // Made by `OverrideReason::parse` and passed on through `e.code()`.
        "reason_too_short",
        "reason_too_long",
    ];
    codes.extend(service_codes.map(str::to_string));
    let missing: Vec<_> = codes
        .iter()
        .flat_map(|c| Locale::ALL.map(|l| (l, c)))
        .filter(|(l, c)| !has_message(*l, &format!("error-{c}")))
        .collect();
    assert!(missing.is_empty(), "codes without a message: {missing:?}");
}

#[test]
fn every_web_error_code_has_a_message() {
    let mut files = Vec::new();
    files_under(&crate_dir().join("src"), "rs", &mut files);
    let mut codes = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for call in [
            concat!("ApiError", "::new("),
            concat!("PageError", "::new("),
        ] {
            codes.extend(last_literal_arguments(&text, call));
        }
    }
    for status in 400..600u16 {
        if let Ok(status) = axum::http::StatusCode::from_u16(status) {
            codes.insert(crate::error::ApiError::for_status(status).code.into_owned());
        }
    }
    assert!(
        codes.contains("csrf_failed"),
        "the scan found no codes: {codes:?}"
    );
    let missing: Vec<_> = codes
        .iter()
        .flat_map(|c| Locale::ALL.map(|l| (l, c)))
        .filter(|(l, c)| !has_message(*l, &format!("error-{c}")))
        .collect();
    assert!(missing.is_empty(), "codes without a message: {missing:?}");
}

#[test]
fn every_role_has_a_name() {
    for role in casework_domain::Role::ALL {
        for locale in Locale::ALL {
            assert!(
                has_message(locale, &format!("role-{}", role.as_str())),
                "{role} in {}",
                locale.tag()
            );
        }
    }
}

#[test]
fn every_guard_requirement_has_a_message() {
    let stage = crate_dir().join("../domain/src/stage.rs");
    let text = std::fs::read_to_string(stage).expect("readable");
    // The arms of `Unmet::code`: `Unmet::NoContact => "no_contact",`.
    let codes: Vec<&str> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Unmet::")?.split_once("=> \""))
        .filter_map(|(_, rest)| rest.split_once('"').map(|(code, _)| code))
        .collect();
    assert!(
        codes.contains(&"no_contact"),
        "the scan found no codes: {codes:?}"
    );
    for code in codes {
        for locale in Locale::ALL {
            assert!(
                has_message(locale, &format!("unmet-{code}")),
                "{code} in {}",
                locale.tag()
            );
        }
    }
}

/// Every kind of record the service audits with a client named has words for the client's
/// access history; a new kind fails here until it is given some.
#[test]
fn every_audited_kind_of_client_record_has_words() {
    // Kinds whose entries name no client: the agency's own set-up, sign-in, the audit log.
    const NOT_ABOUT_A_CLIENT: [&str; 12] = [
        "agency",
        "assessment_form",
        "audit",
        "identity_provider",
        "program",
        "queue",
        "session",
        "task_template",
        "team",
        "token",
        "totp",
        "user",
    ];
    let mut files = Vec::new();
    files_under(&crate_dir().join("../service/src"), "rs", &mut files);
    let mut kinds = BTreeSet::new();
    for file in files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "tests"))
    {
        let text = std::fs::read_to_string(file).expect("readable");
        for piece in text.split('"').skip(1).step_by(2) {
            if let Some((kind, verb)) = piece.split_once('.') {
                let word = |w: &str| {
                    !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                };
                if word(kind) && word(verb) {
                    kinds.insert(kind.to_string());
                }
            }
        }
    }
    assert!(
        kinds.contains("case") && kinds.contains("note"),
        "{kinds:?}"
    );
    let missing: Vec<String> = kinds
        .iter()
        .filter(|k| !NOT_ABOUT_A_CLIENT.contains(&k.as_str()))
        .flat_map(|k| {
            Locale::ALL.into_iter().filter_map(move |locale| {
                let id = format!("audit-thing-{}", k.replace('_', "-"));
                (!has_message(locale, &id)).then(|| format!("{id} ({})", locale.tag()))
            })
        })
        .collect();
    assert!(missing.is_empty(), "kinds without words: {missing:?}");
}
