//! What makes a new password acceptable: long enough, not a common password, and hard to guess
//! by zxcvbn's estimate (given the person's own email, name and agency, which a guesser would try
//! first). The estimate's feedback becomes our own hint codes, translated by the web layer.

use crate::Invalid;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;
/// zxcvbn's score runs 0..=4; below 3 is "guessable within a day or so offline".
const MIN_SCORE: u8 = 3;

/// Long passwords people still choose, which zxcvbn's dictionaries may not hold whole.
const COMMON: &[&str] = &[
    "password1234",
    "password12345",
    "password123456",
    "passwordpassword",
    "qwertyuiop123",
    "qwertyuiopasdf",
    "1234567890123",
    "123456789012",
    "iloveyou1234",
    "letmein12345",
    "welcome12345",
    "changeme1234",
    "administrator",
    "administrator1",
    "correcthorsebatterystaple",
];

/// A password that passed every rule. Cannot be built otherwise; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `user_inputs`: what a guesser knows about the person (email, display name, agency name).
    pub fn parse(raw: &str, user_inputs: &[&str]) -> Result<NewPassword, PasswordRefused> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordRefused::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordRefused::TooLong);
        }
        let lower = raw.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(PasswordRefused::Common);
        }
        // zxcvbn splits emails and names into words itself only partly; give it the parts too.
        let mut inputs: Vec<String> = Vec::new();
        for input in user_inputs {
            let input = input.trim().to_lowercase();
            if input.is_empty() {
                continue;
            }
            for part in input.split(|c: char| !c.is_alphanumeric()) {
                if part.chars().count() >= 3 {
                    inputs.push(part.to_string());
                }
            }
            inputs.push(input);
        }
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(raw, &inputs);
        if is_whole_dictionary_password(&estimate, raw) {
            return Err(PasswordRefused::Common);
        }
        if u8::from(estimate.score()) < MIN_SCORE {
            let mut hints = Vec::new();
            if let Some(feedback) = estimate.feedback() {
                if let Some(w) = feedback.warning() {
                    hints.push(hint_of_warning(w));
                }
                hints.extend(
                    feedback
                        .suggestions()
                        .iter()
                        .map(|s| hint_of_suggestion(*s)),
                );
            }
            if hints.is_empty() {
                hints.push(PasswordHint::AddWords);
            }
            hints.dedup();
            return Err(PasswordRefused::TooWeak(hints));
        }
        Ok(NewPassword(raw.to_string()))
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// The whole password is one entry of zxcvbn's common-password list (case-insensitively, not
/// reversed or with substitutions): an exact match with a list of leaked passwords.
fn is_whole_dictionary_password(estimate: &zxcvbn::Entropy, raw: &str) -> bool {
    use zxcvbn::matching::patterns::MatchPattern;
    let len = raw.chars().count();
    estimate.sequence().iter().any(|m| {
        m.i == 0
            && m.j + 1 == len
            && matches!(&m.pattern, MatchPattern::Dictionary(d)
                if is_password_list(d) && !d.reversed
                    && !d.l33t)
    })
}

/// zxcvbn keeps its dictionary type in a private module; its debug name is all we can see.
fn is_password_list(d: &zxcvbn::matching::patterns::DictionaryPattern) -> bool {
    format!("{:?}", d.dictionary_name) == "Passwords"
}

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordRefused {
    TooShort,
    TooLong,
    Common,
    /// Guessable; the hints say what would help.
    TooWeak(Vec<PasswordHint>),
}

impl PasswordRefused {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordRefused::TooShort => "password_too_short",
            PasswordRefused::TooLong => "too_long",
            PasswordRefused::Common => "password_common",
            PasswordRefused::TooWeak(_) => "password_too_weak",
        }
    }

    pub fn hints(&self) -> &[PasswordHint] {
        match self {
            PasswordRefused::TooWeak(h) => h,
            _ => &[],
        }
    }
}

impl From<PasswordRefused> for Invalid {
    fn from(r: PasswordRefused) -> Invalid {
        Invalid::new("password", r.code())
    }
}

/// Our own advice, from zxcvbn's warnings and suggestions. `code()` maps to
/// `password-hint-<code>` in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordHint {
    KeyboardPattern,
    Repeats,
    Sequence,
    CommonPassword,
    Dates,
    SingleWord,
    Names,
    AddWords,
    AvoidSubstitutions,
    AvoidCapitalsOnly,
    AvoidReversed,
}

impl PasswordHint {
    pub fn code(self) -> &'static str {
        match self {
            PasswordHint::KeyboardPattern => "keyboard-pattern",
            PasswordHint::Repeats => "repeats",
            PasswordHint::Sequence => "sequence",
            PasswordHint::CommonPassword => "common-password",
            PasswordHint::Dates => "dates",
            PasswordHint::SingleWord => "single-word",
            PasswordHint::Names => "names",
            PasswordHint::AddWords => "add-words",
            PasswordHint::AvoidSubstitutions => "substitutions",
            PasswordHint::AvoidCapitalsOnly => "capitals",
            PasswordHint::AvoidReversed => "reversed",
        }
    }

    pub const ALL: [PasswordHint; 11] = [
        PasswordHint::KeyboardPattern,
        PasswordHint::Repeats,
        PasswordHint::Sequence,
        PasswordHint::CommonPassword,
        PasswordHint::Dates,
        PasswordHint::SingleWord,
        PasswordHint::Names,
        PasswordHint::AddWords,
        PasswordHint::AvoidSubstitutions,
        PasswordHint::AvoidCapitalsOnly,
        PasswordHint::AvoidReversed,
    ];
}

fn hint_of_warning(w: zxcvbn::feedback::Warning) -> PasswordHint {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
            PasswordHint::KeyboardPattern
        }
        W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            PasswordHint::Repeats
        }
        W::SequencesLikeAbcAreEasyToGuess => PasswordHint::Sequence,
        W::ThisIsATop10Password
        | W::ThisIsATop100Password
        | W::ThisIsACommonPassword
        | W::ThisIsSimilarToACommonlyUsedPassword => PasswordHint::CommonPassword,
        W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => PasswordHint::Dates,
        W::AWordByItselfIsEasyToGuess => PasswordHint::SingleWord,
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            PasswordHint::Names
        }
    }
}

fn hint_of_suggestion(s: zxcvbn::feedback::Suggestion) -> PasswordHint {
    use zxcvbn::feedback::Suggestion as S;
    match s {
        S::UseAFewWordsAvoidCommonPhrases
        | S::NoNeedForSymbolsDigitsOrUppercaseLetters
        | S::AddAnotherWordOrTwo => PasswordHint::AddWords,
        S::CapitalizationDoesntHelpVeryMuch
        | S::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => PasswordHint::AvoidCapitalsOnly,
        S::ReversedWordsArentMuchHarderToGuess => PasswordHint::AvoidReversed,
        S::PredictableSubstitutionsDontHelpVeryMuch => PasswordHint::AvoidSubstitutions,
        S::UseALongerKeyboardPatternWithMoreTurns => PasswordHint::KeyboardPattern,
        S::AvoidRepeatedWordsAndCharacters => PasswordHint::Repeats,
        S::AvoidSequences => PasswordHint::Sequence,
        S::AvoidRecentYears
        | S::AvoidYearsThatAreAssociatedWithYou
        | S::AvoidDatesAndYearsThatAreAssociatedWithYou => PasswordHint::Dates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: &[&str] = &[
        "dana.worker@example.org",
        "Dana Worker",
        "Riverside Family Services",
    ];

    #[test]
    fn a_long_unusual_passphrase_is_accepted() {
        let p = NewPassword::parse("velvet crane mortgage lantern", INPUTS).expect("strong");
        assert_eq!(p.expose(), "velvet crane mortgage lantern");
        assert_eq!(format!("{p:?}"), "NewPassword(<redacted>)");
    }

    #[test]
    fn length_is_checked_at_both_ends() {
        assert_eq!(
            NewPassword::parse("short pass!", INPUTS).map(|_| ()),
            Err(PasswordRefused::TooShort)
        );
        let exactly_twelve = "Zq7#vLx2!pW9";
        assert!(NewPassword::parse(exactly_twelve, INPUTS).is_ok());
        let long: String = "velvet crane mortgage lantern ".repeat(9);
        assert!(long.chars().count() > MAX_CHARS);
        assert_eq!(
            NewPassword::parse(&long, INPUTS).unwrap_err().code(),
            "too_long"
        );
    }

    #[test]
    fn a_common_password_is_refused_whatever_its_case() {
        for p in ["password1234", "PassWord1234", "CorrectHorseBatteryStaple"] {
            let e = NewPassword::parse(p, INPUTS).unwrap_err();
            assert_eq!(e.code(), "password_common", "{p}");
            assert_eq!(Invalid::from(e).field, "password");
        }
        // Whole entries of zxcvbn's own leaked-password list count too.
        let e = NewPassword::parse("1qaz2wsx3edc", INPUTS).unwrap_err();
        assert_eq!(e.code(), "password_common");
    }

    #[test]
    fn a_guessable_password_is_refused_with_hints() {
        let e = NewPassword::parse("aaaaaaaaaaaaaaaa", INPUTS).unwrap_err();
        assert_eq!(e.code(), "password_too_weak");
        assert!(e.hints().contains(&PasswordHint::Repeats), "{e:?}");
        let e = NewPassword::parse("abcdefghijklmnop", INPUTS).unwrap_err();
        assert_eq!(e.code(), "password_too_weak");
        assert!(!e.hints().is_empty());
    }

    #[test]
    fn the_persons_own_details_make_a_password_weak() {
        let own = "dana.worker@example.org";
        assert!(
            NewPassword::parse(own, &[]).is_ok(),
            "strong for a stranger"
        );
        assert_eq!(
            NewPassword::parse(own, INPUTS).unwrap_err().code(),
            "password_too_weak"
        );
    }
}
