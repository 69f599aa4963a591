//! Finding a client by name the way people actually type names, and warning about a registration
//! that is probably someone already known.
//!
//! Names arrive with and without accents, in either order, with typos and with partial words, so
//! search is trigram similarity (the same measure as PostgreSQL's `pg_trgm`, so a store prefilter
//! and this ranking agree) plus per-word tolerance for prefixes and small edits.

use std::collections::BTreeSet;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Two words this alike are one word misspelt or differently spelt.
const WORD_SIMILARITY: f32 = 0.45;
/// Two whole names this alike are worth showing even if some word found no partner.
const NAME_SIMILARITY: f32 = 0.5;
/// Birth dates this close are more likely a typo than two people.
const NEAR_BIRTH_DATE_DAYS: u32 = 31;
/// No name word is this long; the cap keeps the quadratic edit distance cheap on hostile input.
const LONGEST_WORD_FOR_EDITS: usize = 64;

/// Lowercase words of letters and digits only, without accents: the form names are compared in.
pub fn normalize_name(s: &str) -> String {
    let mut spaced = String::with_capacity(s.len());
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        for lower in c.to_lowercase().filter(|c| !is_combining_mark(*c)) {
            match base_letter(lower) {
                Some(base) => spaced.push_str(base),
                None if lower.is_alphanumeric() => spaced.push(lower),
                None => spaced.push(' '),
            }
        }
    }
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Letters that carry their accent in the letter itself, so decomposition leaves them alone,
/// although people type them without it ("Łukasz" as "Lukasz", "Søren" as "Soren").
fn base_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'ħ' => "h",
        'ı' => "i",
        'ŧ' => "t",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'þ' => "th",
        _ => return None,
    })
}

/// The trigrams of a name as `pg_trgm` builds them: each word padded with two spaces in front and
/// one behind, so that word starts weigh more than word ends and word order does not matter.
pub fn name_trigrams(s: &str) -> Vec<String> {
    word_trigrams(&normalize_name(s)).into_iter().collect()
}

fn word_trigrams(normalized: &str) -> BTreeSet<String> {
    let mut trigrams = BTreeSet::new();
    for word in normalized.split(' ').filter(|w| !w.is_empty()) {
        let padded: Vec<char> = "  ".chars().chain(word.chars()).chain([' ']).collect();
        for window in padded.windows(3) {
            trigrams.insert(window.iter().collect());
        }
    }
    trigrams
}

/// A trigram as one number (three characters of 21 bits each), so that comparing the trigram
/// sets of a search's candidates allocates no strings.
type Gram = u64;

/// The trigrams of one normalized word, padded as in `word_trigrams`, sorted and without repeats.
fn word_grams(word: &str) -> Vec<Gram> {
    let mut grams = Vec::with_capacity(word.len() + 1);
    let (mut a, mut b) = (' ', ' ');
    for c in word.chars().chain([' ']) {
        grams.push((a as u64) << 42 | (b as u64) << 21 | c as u64);
        (a, b) = (b, c);
    }
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Shared over all (Jaccard) of two sorted sets; 0.0 when both are empty.
fn jaccard(a: &[Gram], b: &[Gram]) -> f32 {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = a.len() + b.len() - shared;
    if all == 0 {
        return 0.0;
    }
    shared as f32 / all as f32
}

/// A normalized name taken apart once: its words, each word's trigrams, and the whole name's.
#[derive(Debug, Clone)]
struct Words {
    words: Vec<(Vec<char>, Vec<Gram>)>,
    whole: Vec<Gram>,
}

impl Words {
    fn of(normalized: &str) -> Words {
        let words: Vec<(Vec<char>, Vec<Gram>)> = normalized
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| (w.chars().collect(), word_grams(w)))
            .collect();
        let mut whole: Vec<Gram> = words.iter().flat_map(|w| w.1.iter().copied()).collect();
        whole.sort_unstable();
        whole.dedup();
        Words { words, whole }
    }
}

/// Shared trigrams over all trigrams of the two names (Jaccard), like `pg_trgm`'s `similarity`:
/// 1.0 for the same name, 0.0 for nothing in common or an empty name.
pub fn similarity(a: &str, b: &str) -> f32 {
    normalized_similarity(&normalize_name(a), &normalize_name(b))
}

fn normalized_similarity(a: &str, b: &str) -> f32 {
    jaccard(&Words::of(a).whole, &Words::of(b).whole)
}

/// Whether `name` is what someone typing `query` is looking for, and how well it matches: every
/// query word must match some word of the name (similar, a prefix, or a small typo), or the
/// names must be alike as a whole.
pub fn name_matches(query: &str, name: &str) -> Option<f32> {
    NameQuery::new(query).score(name)
}

/// A search's query, taken apart once and scored against each candidate name.
#[derive(Debug, Clone)]
pub struct NameQuery(Words);

impl NameQuery {
    pub fn new(query: &str) -> NameQuery {
        NameQuery(Words::of(&normalize_name(query)))
    }

    /// As `name_matches`.
    pub fn score(&self, name: &str) -> Option<f32> {
        let name = Words::of(&normalize_name(name));
        let whole = jaccard(&self.0.whole, &name.whole);
        match word_by_word(&self.0, &name) {
            Some(words) => Some(words.max(whole).clamp(0.0, 1.0)),
            None if whole >= NAME_SIMILARITY => Some(whole.clamp(0.0, 1.0)),
            None => None,
        }
    }
}

/// The mean of each query word's best score against the name's words, if every query word has one.
fn word_by_word(query: &Words, name: &Words) -> Option<f32> {
    let mut total = 0.0;
    for query_word in &query.words {
        let best = name
            .words
            .iter()
            .filter_map(|name_word| word_score(query_word, name_word))
            .fold(None, |best: Option<f32>, score| {
                Some(best.map_or(score, |b| b.max(score)))
            })?;
        total += best;
    }
    if query.words.is_empty() {
        return None;
    }
    Some(total / query.words.len() as f32)
}

/// How well one normalized query word stands for one normalized name word, if at all.
fn word_score(
    (query_chars, query_grams): &(Vec<char>, Vec<Gram>),
    (name_chars, name_grams): &(Vec<char>, Vec<Gram>),
) -> Option<f32> {
    let alike = jaccard(query_grams, name_grams);
    if alike >= WORD_SIMILARITY {
        return Some(alike);
    }
    let (query_len, name_len) = (query_chars.len(), name_chars.len());
    // One letter is an initial, and would find half the register.
    if query_len >= 2 && name_chars.starts_with(query_chars) {
        return Some(alike.max(query_len as f32 / name_len as f32));
    }
    // Short words are too close to each other for an edit to still mean the same word.
    let allowed = match query_len.min(name_len) {
        8.. => 2,
        4..=7 => 1,
        _ => 0,
    };
    if allowed == 0
        || query_len.abs_diff(name_len) > allowed
        || query_len.max(name_len) > LONGEST_WORD_FOR_EDITS
    {
        return None;
    }
    let distance = edit_distance(query_chars, name_chars);
    if distance > allowed {
        return None;
    }
    let longer = query_len.max(name_len) as f32;
    Some(alike.max(1.0 - distance as f32 / longer))
}

/// Damerau-Levenshtein distance (optimal string alignment): a swapped pair of letters, the most
/// common typing slip in names, counts as one edit rather than two.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut two_back: Vec<usize> = vec![0; width];
    let mut one_back: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    let mut previous_a: Option<char> = None;
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut previous_b: Option<char> = None;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = one_back[j] + usize::from(ca != cb);
            let mut best = substitution.min(one_back[j + 1] + 1).min(current[j] + 1);
            if j > 0 && previous_a == Some(cb) && previous_b == Some(ca) {
                best = best.min(two_back[j - 1] + 1);
            }
            current[j + 1] = best;
            previous_b = Some(cb);
        }
        std::mem::swap(&mut two_back, &mut one_back);
        std::mem::swap(&mut one_back, &mut current);
        previous_a = Some(ca);
    }
    one_back[b.len()]
}

/// A client already on record, as far as duplicate detection needs to know them.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub id: i64,
    /// Legal and preferred names.
    pub names: &'a [&'a str],
    pub birth_date: Option<time::Date>,
    /// (kind, value), e.g. ("national_id", "123-45-6789").
    pub identifiers: &'a [(&'a str, &'a str)],
}

/// The person being registered.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub names: &'a [&'a str],
    pub birth_date: Option<time::Date>,
    pub identifiers: &'a [(&'a str, &'a str)],
}

/// Why a client on record may be the person being registered, to show to the worker.
// Tagged "reason" because `SameIdentifier` already has a field named `kind`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DuplicateReason {
    SameIdentifier {
        kind: String,
    },
    SimilarNameSameBirthDate {
        similarity_percent: u8,
    },
    /// Birth dates a few days apart, or with day and month swapped.
    SimilarNameNearBirthDate {
        similarity_percent: u8,
        days_apart: u32,
    },
    SameNameNoBirthDate,
}

impl DuplicateReason {
    /// How sure the reason alone makes us, 0 to 100. An identifier is decisive; a name is not,
    /// and less so the further apart the birth dates are.
    fn score(&self) -> u8 {
        match self {
            DuplicateReason::SameIdentifier { .. } => 100,
            DuplicateReason::SimilarNameSameBirthDate { similarity_percent } => {
                let name = u32::from(*similarity_percent).min(100);
                points(60 + name * 35 / 100)
            }
            DuplicateReason::SimilarNameNearBirthDate {
                similarity_percent,
                days_apart,
            } => {
                let name = u32::from(*similarity_percent).min(100);
                let distance = (*days_apart).min(NEAR_BIRTH_DATE_DAYS) / 3;
                points((40 + name * 30 / 100).saturating_sub(distance))
            }
            DuplicateReason::SameNameNoBirthDate => 50,
        }
    }
}

fn points(score: u32) -> u8 {
    u8::try_from(score.min(100)).unwrap_or(100)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DuplicateMatch {
    pub id: i64,
    pub reasons: Vec<DuplicateReason>,
    /// 0 to 100; the strongest of the reasons.
    pub score: u8,
}

/// The clients on record who are probably the person being registered, most likely first.
pub fn likely_duplicates(new: &Registration, candidates: &[Candidate]) -> Vec<DuplicateMatch> {
    let mut matches: Vec<DuplicateMatch> = candidates
        .iter()
        .filter_map(|candidate| {
            let reasons = reasons(new, candidate);
            let score = reasons.iter().map(DuplicateReason::score).max()?;
            Some(DuplicateMatch {
                id: candidate.id,
                reasons,
                score,
            })
        })
        .collect();
    matches.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));
    matches
}

fn reasons(new: &Registration, candidate: &Candidate) -> Vec<DuplicateReason> {
    let mut reasons: Vec<DuplicateReason> = shared_identifier_kinds(new, candidate)
        .into_iter()
        .map(|kind| DuplicateReason::SameIdentifier { kind })
        .collect();
    let name_score = best_name_score(new.names, candidate.names);
    match (name_score, new.birth_date, candidate.birth_date) {
        (Some(score), Some(new_birth), Some(known_birth)) => {
            let similarity_percent = percent(score);
            let days_apart = days_between(new_birth, known_birth);
            if days_apart == 0 {
                reasons.push(DuplicateReason::SimilarNameSameBirthDate { similarity_percent });
            } else if days_apart <= NEAR_BIRTH_DATE_DAYS
                || day_and_month_swapped(new_birth, known_birth)
            {
                reasons.push(DuplicateReason::SimilarNameNearBirthDate {
                    similarity_percent,
                    days_apart,
                });
            }
        }
        (_, None, _) | (_, _, None) if same_name(new.names, candidate.names) => {
            reasons.push(DuplicateReason::SameNameNoBirthDate);
        }
        _ => {}
    }
    reasons
}

/// Identifier kinds (normalized) on which both records carry the same value, each kind once.
fn shared_identifier_kinds(new: &Registration, candidate: &Candidate) -> Vec<String> {
    let known: Vec<(String, String)> = candidate
        .identifiers
        .iter()
        .filter_map(|(kind, value)| normalized_identifier(kind, value))
        .collect();
    let mut kinds = BTreeSet::new();
    for (kind, value) in new
        .identifiers
        .iter()
        .filter_map(|(kind, value)| normalized_identifier(kind, value))
    {
        if known.iter().any(|(k, v)| *k == kind && *v == value) {
            kinds.insert(kind);
        }
    }
    kinds.into_iter().collect()
}

/// Identifiers are typed with and without separators and in either case; a blank one identifies
/// nobody.
fn normalized_identifier(kind: &str, value: &str) -> Option<(String, String)> {
    let kind = kind.trim().to_lowercase();
    let value: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if kind.is_empty() || value.is_empty() {
        return None;
    }
    Some((kind, value))
}

/// The best score over every pairing of the two records' names, if any pair matches.
fn best_name_score(new_names: &[&str], known_names: &[&str]) -> Option<f32> {
    let mut best: Option<f32> = None;
    for new_name in new_names {
        for known_name in known_names {
            let alike = similarity(new_name, known_name);
            let scores = [
                name_matches(new_name, known_name),
                name_matches(known_name, new_name),
                (alike >= NAME_SIMILARITY).then_some(alike),
            ];
            for score in scores.into_iter().flatten() {
                best = Some(best.map_or(score, |b| b.max(score)));
            }
        }
    }
    best
}

fn same_name(new_names: &[&str], known_names: &[&str]) -> bool {
    new_names.iter().any(|new_name| {
        let new_name = normalize_name(new_name);
        !new_name.is_empty()
            && known_names
                .iter()
                .any(|known_name| normalize_name(known_name) == new_name)
    })
}

fn percent(score: f32) -> u8 {
    // `as` saturates and maps NaN to 0, so no score can make this panic.
    (score.clamp(0.0, 1.0) * 100.0).round() as u8
}

fn days_between(a: time::Date, b: time::Date) -> u32 {
    let days = i64::from(a.to_julian_day()) - i64::from(b.to_julian_day());
    u32::try_from(days.unsigned_abs()).unwrap_or(u32::MAX)
}

/// 03/07 entered as 07/03: the usual slip between day-first and month-first habits.
fn day_and_month_swapped(a: time::Date, b: time::Date) -> bool {
    a != b
        && a.year() == b.year()
        && u8::from(a.month()) == b.day()
        && a.day() == u8::from(b.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// `word_score` on two single normalized words.
    fn word_score(query_word: &str, name_word: &str) -> Option<f32> {
        let word = |w: &str| (w.chars().collect(), word_grams(w));
        super::word_score(&word(query_word), &word(name_word))
    }

    #[test]
    fn packed_trigrams_are_the_string_trigrams() {
        for name in [
            "John Smith",
            "anna anna",
            "Zoë Ødegård-Łukasz",
            "",
            "李 小龍",
            "a",
        ] {
            let normalized = normalize_name(name);
            let mut packed: Vec<Gram> = word_trigrams(&normalized)
                .iter()
                .map(|t| {
                    let c: Vec<char> = t.chars().collect();
                    (c[0] as u64) << 42 | (c[1] as u64) << 21 | c[2] as u64
                })
                .collect();
            packed.sort_unstable();
            assert_eq!(Words::of(&normalized).whole, packed, "{name}");
        }
    }

    #[test]
    fn normalizing_drops_accents_case_and_punctuation() {
        assert_eq!(
            normalize_name("  José  O'Brien-Núñez "),
            "jose o brien nunez"
        );
        assert_eq!(normalize_name("ÅSA   ÖBERG"), "asa oberg");
        assert_eq!(normalize_name(""), "");
        assert_eq!(normalize_name(" -'. "), "");
    }

    #[test]
    fn normalizing_folds_compatibility_forms_and_letters_that_carry_their_accent() {
        assert_eq!(normalize_name("Ｊｏｈｎ"), "john");
        assert_eq!(normalize_name("ﬁona"), "fiona");
        assert_eq!(normalize_name("Søren Łukasz Groß"), "soren lukasz gross");
        assert_eq!(normalize_name("Æsa İnce"), "aesa ince");
    }

    #[test]
    fn normalizing_keeps_letters_of_every_script_and_digits() {
        assert_eq!(normalize_name("Иван Петров"), "иван петров");
        assert_eq!(normalize_name("王 小明"), "王 小明");
        assert_eq!(normalize_name("Henry VIII 2nd"), "henry viii 2nd");
    }

    #[test]
    fn trigrams_pad_each_word_like_pg_trgm() {
        assert_eq!(name_trigrams("Jo"), ["  j", " jo", "jo "]);
        assert_eq!(name_trigrams("a"), ["  a", " a "]);
        assert!(name_trigrams("").is_empty());
        assert!(name_trigrams("--").is_empty());
    }

    #[test]
    fn trigrams_ignore_word_order_and_repeats() {
        assert_eq!(name_trigrams("John Smith"), name_trigrams("smith, JOHN"));
        assert_eq!(name_trigrams("anna anna"), name_trigrams("anna"));
        let trigrams = name_trigrams("anna");
        let mut sorted = trigrams.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(trigrams, sorted);
    }

    #[test]
    fn similarity_is_jaccard_over_trigrams() {
        assert_eq!(similarity("John Smith", "john smith"), 1.0);
        assert_eq!(similarity("José Núñez", "Jose Nunez"), 1.0);
        // jon: 4 trigrams, john: 5, two shared; smith: 6, all shared.
        assert!((similarity("jon smith", "john smith") - 8.0 / 13.0).abs() < 1e-6);
        assert_eq!(
            similarity("jon smith", "john smith"),
            similarity("john smith", "jon smith")
        );
        assert_eq!(similarity("ab", "xy"), 0.0);
        assert_eq!(similarity("", "john"), 0.0);
        assert_eq!(similarity("", ""), 0.0);
    }

    #[test]
    fn search_tolerates_typos_accents_order_and_partial_words() {
        for (query, name) in [
            ("jon smith", "John Smith"),
            ("Smith John", "John Smith"),
            ("Jose Nunez", "José Núñez"),
            ("Mari", "Maria Lopez"),
            ("Jonh", "John Smith"),
            ("smith", "John Smith"),
        ] {
            let score = name_matches(query, name);
            assert!(
                score.is_some_and(|s| (0.0..=1.0).contains(&s)),
                "{query} ~ {name}: {score:?}"
            );
        }
    }

    #[test]
    fn search_refuses_other_people() {
        assert_eq!(name_matches("John Smith", "Peter Brown"), None);
        assert_eq!(name_matches("John Smith", "John Brown"), None);
        assert_eq!(name_matches("Maria Lopez", "Mario Rossi"), None);
    }

    #[test]
    fn an_empty_query_or_name_matches_nothing() {
        assert_eq!(name_matches("", "John Smith"), None);
        assert_eq!(name_matches("  ,. ", "John Smith"), None);
        assert_eq!(name_matches("John", ""), None);
    }

    #[test]
    fn closer_names_score_higher() {
        let exact = name_matches("John Smith", "John Smith").unwrap_or(0.0);
        let reordered = name_matches("Smith John", "John Smith").unwrap_or(0.0);
        let typo = name_matches("Jonh Smith", "John Smith").unwrap_or(0.0);
        let partial = name_matches("Jo", "John Smith").unwrap_or(0.0);
        assert_eq!(exact, 1.0);
        assert_eq!(reordered, 1.0);
        assert!(typo < exact && typo > partial, "{typo} {partial}");
    }

    #[test]
    fn a_prefix_needs_two_letters() {
        assert!(word_score("ma", "maria").is_some());
        assert_eq!(word_score("m", "maria"), None);
        assert_eq!(name_matches("M", "Maria Lopez"), None);
        assert_eq!(word_score("lopez", "maria"), None);
    }

    #[test]
    fn one_edit_is_forgiven_from_four_letters() {
        // Trigram similarity alone would miss each of these pairs.
        assert!(normalized_similarity("mary", "mart") < WORD_SIMILARITY);
        assert!(word_score("mary", "mart").is_some());
        assert!(word_score("jonh", "john").is_some());
        assert!(normalized_similarity("jan", "jon") < WORD_SIMILARITY);
        assert_eq!(word_score("jan", "jon"), None);
        assert!(normalized_similarity("mohamed", "muhamad") < WORD_SIMILARITY);
        assert_eq!(word_score("mohamed", "muhamad"), None);
    }

    #[test]
    fn two_edits_are_forgiven_from_eight_letters() {
        assert!(normalized_similarity("katherine", "catherina") < WORD_SIMILARITY);
        assert!(word_score("katherine", "catherina").is_some());
        assert!(normalized_similarity("katherine", "cathyrina") < WORD_SIMILARITY);
        assert_eq!(word_score("katherine", "cathyrina"), None);
    }

    #[test]
    fn words_past_the_edit_cap_still_match_through_their_trigrams() {
        let word: String = ('a'..='z')
            .cycle()
            .take(LONGEST_WORD_FOR_EDITS + 6)
            .collect();
        let swapped = format!("ba{}", word.get(2..).unwrap_or_default());
        assert!(word_score(&word, &swapped).is_some());
        assert_eq!(word_score(&word, "abc"), None);
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("jonh"), &chars("john")), 1);
        assert_eq!(edit_distance(&chars("ca"), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(edit_distance(&chars(""), &chars("ana")), 3);
        assert_eq!(edit_distance(&chars("ana"), &chars("")), 3);
        assert_eq!(edit_distance(&chars("núñez"), &chars("núñez")), 0);
    }

    fn registration<'a>(
        names: &'a [&'a str],
        birth_date: Option<time::Date>,
        identifiers: &'a [(&'a str, &'a str)],
    ) -> Registration<'a> {
        Registration {
            names,
            birth_date,
            identifiers,
        }
    }

    fn candidate<'a>(
        id: i64,
        names: &'a [&'a str],
        birth_date: Option<time::Date>,
        identifiers: &'a [(&'a str, &'a str)],
    ) -> Candidate<'a> {
        Candidate {
            id,
            names,
            birth_date,
            identifiers,
        }
    }

    #[test]
    fn the_same_identifier_is_a_duplicate_whatever_the_name() {
        let new = registration(&["Ann Lee"], None, &[(" SSN ", "123 45-6789")]);
        let known = [candidate(
            7,
            &["Robert Brown"],
            Some(date!(1970 - 01 - 01)),
            &[("ssn", "123456789")],
        )];
        assert_eq!(
            likely_duplicates(&new, &known),
            [DuplicateMatch {
                id: 7,
                reasons: vec![DuplicateReason::SameIdentifier {
                    kind: "ssn".to_string()
                }],
                score: 100,
            }]
        );
    }

    #[test]
    fn identifiers_match_only_on_the_same_kind_and_a_real_value() {
        let known = [candidate(
            1,
            &["Robert Brown"],
            None,
            &[("ssn", "123456789"), ("medicaid", "")],
        )];
        let other_kind = registration(&["Ann Lee"], None, &[("medicaid", "123456789")]);
        assert!(likely_duplicates(&other_kind, &known).is_empty());
        let blank = registration(&["Ann Lee"], None, &[("medicaid", " - ")]);
        assert!(likely_duplicates(&blank, &known).is_empty());
        let other_value = registration(&["Ann Lee"], None, &[("ssn", "123456780")]);
        assert!(likely_duplicates(&other_value, &known).is_empty());
    }

    #[test]
    fn identifier_values_compare_without_case() {
        let new = registration(&["Ann Lee"], None, &[("Passport", "ab-12 34")]);
        let known = [candidate(1, &["X"], None, &[("passport", "AB1234")])];
        let found = likely_duplicates(&new, &known);
        assert_eq!(
            found.first().map(|m| m.reasons.clone()),
            Some(vec![DuplicateReason::SameIdentifier {
                kind: "passport".to_string()
            }])
        );
    }

    #[test]
    fn a_similar_name_with_the_same_birth_date_is_a_duplicate() {
        let born = Some(date!(1985 - 06 - 15));
        let new = registration(&["Jose Nunez"], born, &[]);
        let known = [candidate(3, &["José Núñez"], born, &[])];
        assert_eq!(
            likely_duplicates(&new, &known),
            [DuplicateMatch {
                id: 3,
                reasons: vec![DuplicateReason::SimilarNameSameBirthDate {
                    similarity_percent: 100
                }],
                score: 95,
            }]
        );
    }

    #[test]
    fn a_preferred_name_counts_as_much_as_the_legal_one() {
        let born = Some(date!(1990 - 02 - 01));
        let new = registration(&["Bobby Tables"], born, &[]);
        let known = [candidate(4, &["Robert Tables", "Bobby Tables"], born, &[])];
        let found = likely_duplicates(&new, &known);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found.first().map(|m| m.reasons.clone()),
            Some(vec![DuplicateReason::SimilarNameSameBirthDate {
                similarity_percent: 100
            }])
        );
    }

    #[test]
    fn a_different_name_with_the_same_birth_date_is_not_a_duplicate() {
        let born = Some(date!(1985 - 06 - 15));
        let new = registration(&["John Smith"], born, &[]);
        let known = [candidate(3, &["Peter Brown"], born, &[])];
        assert!(likely_duplicates(&new, &known).is_empty());
    }

    #[test]
    fn birth_dates_up_to_31_days_apart_are_near() {
        let new = registration(&["John Smith"], Some(date!(2000 - 01 - 01)), &[]);
        let near = [candidate(
            1,
            &["Jon Smith"],
            Some(date!(2000 - 02 - 01)),
            &[],
        )];
        let found = likely_duplicates(&new, &near);
        let similarity_percent = percent(similarity("John Smith", "Jon Smith"));
        assert_eq!(
            found.first().map(|m| m.reasons.clone()),
            Some(vec![DuplicateReason::SimilarNameNearBirthDate {
                similarity_percent,
                days_apart: 31
            }])
        );
        let far = [candidate(
            1,
            &["John Smith"],
            Some(date!(2000 - 02 - 02)),
            &[],
        )];
        assert!(likely_duplicates(&new, &far).is_empty());
        let day_before = [candidate(
            1,
            &["John Smith"],
            Some(date!(1999 - 12 - 31)),
            &[],
        )];
        assert_eq!(
            likely_duplicates(&new, &day_before)
                .first()
                .map(|m| m.reasons.clone()),
            Some(vec![DuplicateReason::SimilarNameNearBirthDate {
                similarity_percent: 100,
                days_apart: 1
            }])
        );
    }

    #[test]
    fn swapped_day_and_month_is_near() {
        let new = registration(&["Ann Lee"], Some(date!(1990 - 03 - 07)), &[]);
        let known = [candidate(2, &["Ann Lee"], Some(date!(1990 - 07 - 03)), &[])];
        assert_eq!(
            likely_duplicates(&new, &known),
            [DuplicateMatch {
                id: 2,
                reasons: vec![DuplicateReason::SimilarNameNearBirthDate {
                    similarity_percent: 100,
                    days_apart: 118
                }],
                score: 60,
            }]
        );
        let other_year = [candidate(2, &["Ann Lee"], Some(date!(1991 - 07 - 03)), &[])];
        assert!(likely_duplicates(&new, &other_year).is_empty());
    }

    #[test]
    fn the_same_name_without_a_birth_date_to_compare_is_flagged() {
        let new = registration(&["José Núñez"], None, &[]);
        let known = [candidate(
            5,
            &["jose nunez"],
            Some(date!(1980 - 01 - 01)),
            &[],
        )];
        assert_eq!(
            likely_duplicates(&new, &known),
            [DuplicateMatch {
                id: 5,
                reasons: vec![DuplicateReason::SameNameNoBirthDate],
                score: 50,
            }]
        );
        let dated = registration(&["José Núñez"], Some(date!(1980 - 01 - 01)), &[]);
        let undated = [candidate(5, &["Jose Nunez"], None, &[])];
        assert_eq!(
            likely_duplicates(&dated, &undated)
                .first()
                .map(|m| m.reasons.clone()),
            Some(vec![DuplicateReason::SameNameNoBirthDate])
        );
    }

    #[test]
    fn a_merely_similar_name_without_a_birth_date_is_not_flagged() {
        let new = registration(&["Jon Smith"], None, &[]);
        let known = [candidate(5, &["John Smith"], None, &[])];
        assert!(likely_duplicates(&new, &known).is_empty());
        let blank = registration(&[" "], None, &[]);
        let blank_known = [candidate(6, &[""], None, &[])];
        assert!(likely_duplicates(&blank, &blank_known).is_empty());
    }

    #[test]
    fn matches_come_strongest_first_then_by_id() {
        let born = Some(date!(1975 - 05 - 05));
        let new = registration(&["Maria Lopez"], born, &[("ssn", "1")]);
        let known = [
            candidate(9, &["Maria Lopez"], Some(date!(1975 - 05 - 20)), &[]),
            candidate(8, &["Maria Lopez"], None, &[]),
            candidate(4, &["Maria Lopez"], born, &[]),
            candidate(2, &["Maria Lopez"], None, &[]),
            candidate(6, &["Someone Else"], None, &[("ssn", "1")]),
            candidate(1, &["Peter Brown"], born, &[]),
        ];
        let order: Vec<(i64, u8)> = likely_duplicates(&new, &known)
            .iter()
            .map(|m| (m.id, m.score))
            .collect();
        assert_eq!(order, [(6, 100), (4, 95), (9, 65), (2, 50), (8, 50)]);
    }

    #[test]
    fn an_identifier_and_a_name_together_give_every_reason() {
        let born = Some(date!(1975 - 05 - 05));
        let new = registration(&["Maria Lopez"], born, &[("ssn", "1"), ("passport", "x")]);
        let known = [candidate(
            1,
            &["Maria Lopez"],
            born,
            &[("passport", "X"), ("ssn", "1")],
        )];
        assert_eq!(
            likely_duplicates(&new, &known),
            [DuplicateMatch {
                id: 1,
                reasons: vec![
                    DuplicateReason::SameIdentifier {
                        kind: "passport".to_string()
                    },
                    DuplicateReason::SameIdentifier {
                        kind: "ssn".to_string()
                    },
                    DuplicateReason::SimilarNameSameBirthDate {
                        similarity_percent: 100
                    },
                ],
                score: 100,
            }]
        );
    }

    #[test]
    fn nothing_on_record_means_no_duplicates() {
        let new = registration(&["Maria Lopez"], None, &[]);
        assert!(likely_duplicates(&new, &[]).is_empty());
    }
}

/// Which of a query's trigrams to look up, given how many clients carry each (`counts`, one
/// entry per query trigram). Trigrams no client has are typos and are skipped; the rest are
/// taken rarest first until their posting lists would exceed `budget` rows, so a query made of
/// common name parts still reads a bounded number of rows. The rarest one is always taken.
pub fn rarest_grams(counts: &[(String, i64)], budget: i64, max: usize) -> Vec<String> {
    let mut present: Vec<&(String, i64)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    present.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let mut chosen = Vec::new();
    let mut rows = 0i64;
    for (gram, n) in present {
        if chosen.len() >= max || (!chosen.is_empty() && rows.saturating_add(*n) > budget) {
            break;
        }
        rows = rows.saturating_add(*n);
        chosen.push(gram.clone());
    }
    chosen
}

#[cfg(test)]
mod rarest_tests {
    use super::rarest_grams;

    fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(g, n)| (g.to_string(), *n)).collect()
    }

    #[test]
    fn typos_are_skipped_and_rare_grams_come_first() {
        let c = counts(&[
            ("joh", 5000),
            ("jsx", 0),
            ("nun", 12),
            ("une", 40),
            ("smi", 900),
        ]);
        assert_eq!(rarest_grams(&c, 1000, 8), vec!["nun", "une", "smi"]);
    }

    #[test]
    fn the_rarest_is_taken_even_over_budget_and_max_caps_the_rest() {
        let c = counts(&[("aaa", 50_000), ("bbb", 60_000)]);
        assert_eq!(rarest_grams(&c, 1000, 8), vec!["aaa"]);
        let c = counts(&[("a", 1), ("b", 2), ("c", 3)]);
        assert_eq!(rarest_grams(&c, 1000, 2), vec!["a", "b"]);
        assert!(rarest_grams(&counts(&[("x", 0)]), 10, 8).is_empty());
    }
}
