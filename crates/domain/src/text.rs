//! Bounded free text. Every string a person types passes through one of these so that length
//! limits and blank-versus-missing are decided once.

use crate::Invalid;

/// Trimmed, non-empty text of at most `max` characters.
pub fn required(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new(field, "required"));
    }
    if trimmed.chars().count() > max {
        return Err(Invalid::new(field, "too_long"));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(field, "control_characters"));
    }
    Ok(trimmed.to_string())
}

/// Like [`required`], but blank input means "not given".
pub fn optional(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => required(field, s, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_required_error_and_missing_for_optional() {
        assert_eq!(required("name", "   ", 10).unwrap_err().code, "required");
        assert_eq!(optional("name", Some("  "), 10).unwrap(), None);
        assert_eq!(optional("name", None, 10).unwrap(), None);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(required("n", "ñññ", 3).unwrap(), "ñññ");
        assert_eq!(required("n", "ññññ", 3).unwrap_err().code, "too_long");
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(
            required("n", "a\u{0}b", 10).unwrap_err().code,
            "control_characters"
        );
        assert!(required("n", "line\nline", 10).is_ok());
    }
}
