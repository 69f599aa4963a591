//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits, 30-second
//! steps, a code from the step before or after also accepted for clock drift. Pure: the caller
//! passes the time. Also the recovery codes that stand in for a lost authenticator.

use crate::Invalid;
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;

/// The shared secret. Never printed: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// From random bytes the caller drew (the domain draws none itself).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> TotpSecret {
        TotpSecret(bytes.to_vec())
    }

    /// From its base32 form (as stored and as shown to the person).
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        base32_decode(text)
            .filter(|b| !b.is_empty())
            .map(TotpSecret)
    }

    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// The base32 text in groups of four, easier to type by hand.
    pub fn grouped(&self) -> String {
        let b = self.to_base32();
        b.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` URI authenticator apps read from the QR code.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            percent_encode(account),
            self.to_base32()
        )
    }

    /// The HOTP value (RFC 4226) for a counter.
    pub fn hotp(&self, counter: u64) -> u32 {
        // HMAC accepts keys of any length; new_from_slice cannot fail for it.
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&self.0) else {
            return u32::MAX;
        };
        mac.update(&counter.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[19] & 0x0f) as usize;
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        binary % 10u32.pow(DIGITS)
    }

    /// The code for a moment, as six digits.
    pub fn code_at(&self, unix_secs: i64) -> String {
        format!("{:06}", self.hotp(step_of(unix_secs)))
    }

    /// The time step a submitted code matches, within one step either side of `unix_secs`.
    /// Steps at or before `last_used_step` are refused so a code cannot be replayed.
    pub fn verify(&self, code: &str, unix_secs: i64, last_used_step: Option<u64>) -> Option<u64> {
        let code = parse_code(code).ok()?;
        let now = step_of(unix_secs);
        [now.checked_sub(1), Some(now), now.checked_add(1)]
            .into_iter()
            .flatten()
            .filter(|s| last_used_step.is_none_or(|used| *s > used))
            .find(|s| constant_time_eq(&format!("{:06}", self.hotp(*s)), &code))
    }
}

fn step_of(unix_secs: i64) -> u64 {
    (unix_secs.max(0) / STEP_SECS) as u64
}

/// Six digits, spaces and dashes ignored (people copy "123 456").
pub fn parse_code(raw: &str) -> Result<String, Invalid> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() == DIGITS as usize && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(Invalid::new("code", "code_format"))
    }
}

/// A recovery code as stored for comparison: lower case, no separators.
pub fn normalize_recovery_code(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (s.len() == 10).then_some(s)
}

/// A recovery code from 10 random bytes: ten characters of an alphabet without look-alikes,
/// shown as "abcde-fghij".
pub fn recovery_code_from(bytes: [u8; 10]) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let s: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &s[..5], &s[5..])
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buffer = (buffer << 8) | *b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(BASE32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decode base32, case-insensitively, ignoring spaces, dashes and padding.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let v = BASE32
            .iter()
            .position(|b| *b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 key of RFC 6238, appendix B.
    fn rfc_secret() -> TotpSecret {
        TotpSecret(b"12345678901234567890".to_vec())
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.into_iter().enumerate() {
            assert_eq!(rfc_secret().hotp(counter as u64), want, "counter {counter}");
        }
    }

    #[test]
    fn rfc_6238_sha1_vectors_in_six_digits() {
        // Appendix B gives eight digits; six are its last six.
        for (time, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(rfc_secret().code_at(time), &eight[2..], "time {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let s = rfc_secret();
        let now = 1_111_111_111;
        let step = (now / STEP_SECS) as u64;
        assert_eq!(s.verify(&s.code_at(now), now, None), Some(step));
        assert_eq!(s.verify(&s.code_at(now - 30), now, None), Some(step - 1));
        assert_eq!(s.verify(&s.code_at(now + 30), now, None), Some(step + 1));
        assert_eq!(s.verify(&s.code_at(now - 60), now, None), None);
        assert_eq!(s.verify(&s.code_at(now + 60), now, None), None);
    }

    #[test]
    fn a_used_step_cannot_be_replayed() {
        let s = rfc_secret();
        let now = 1_111_111_111;
        let step = s.verify(&s.code_at(now), now, None);
        assert!(step.is_some());
        assert_eq!(s.verify(&s.code_at(now), now, step), None);
    }

    #[test]
    fn codes_must_be_six_digits() {
        assert_eq!(parse_code("123 456"), Ok("123456".into()));
        assert_eq!(parse_code("12345").unwrap_err().code, "code_format");
        assert_eq!(parse_code("12a456").unwrap_err().field, "code");
        assert_eq!(rfc_secret().verify("1234567", 59, None), None);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            base32_decode("mzxw 6ytb oi======"),
            Some(b"foobar".to_vec())
        );
        assert_eq!(base32_decode("not base32!"), None);
        let s = TotpSecret::from_bytes([7; SECRET_BYTES]);
        assert_eq!(s.to_base32().len(), 32);
        assert_eq!(TotpSecret::from_base32(&s.grouped()), Some(s.clone()));
        assert_eq!(format!("{s:?}"), "TotpSecret(<redacted>)");
    }

    #[test]
    fn the_uri_names_issuer_account_and_parameters() {
        let uri = TotpSecret::from_bytes([0; SECRET_BYTES]).uri("Casework Riverside", "a@b.org");
        assert!(uri.starts_with("otpauth://totp/Casework%20Riverside:a@b.org?secret=AAAA"));
        assert!(uri.ends_with("&issuer=Casework%20Riverside&algorithm=SHA1&digits=6&period=30"));
    }

    #[test]
    fn recovery_codes_normalize_for_comparison() {
        let code = recovery_code_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(code, "abcde-fghjk");
        assert_eq!(
            normalize_recovery_code(" ABCDE fghjk "),
            Some("abcdefghjk".into())
        );
        assert_eq!(normalize_recovery_code("abc"), None);
    }
}

/// The roles an agency requires a second factor of, in `Role::ALL` order, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaRoles(Vec<crate::Role>);

impl MfaRoles {
    /// From role names as submitted; an unknown name is refused naming `mfa_roles`.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<MfaRoles, Invalid> {
        let mut chosen = Vec::new();
        for n in names {
            let n = n.as_ref().trim();
            if n.is_empty() {
                continue;
            }
            let role: crate::Role = n
                .parse()
                .map_err(|_| Invalid::new("mfa_roles", "unknown_choice"))?;
            chosen.push(role);
        }
        Ok(MfaRoles(
            crate::Role::ALL
                .into_iter()
                .filter(|r| chosen.contains(r))
                .collect(),
        ))
    }

    /// From the stored comma-separated text; names no longer known are dropped.
    pub fn from_stored(text: &str) -> MfaRoles {
        MfaRoles(
            crate::Role::ALL
                .into_iter()
                .filter(|r| text.split(',').any(|n| n.trim() == r.as_str()))
                .collect(),
        )
    }

    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn requires(&self, role: crate::Role) -> bool {
        self.0.contains(&role)
    }

    pub fn roles(&self) -> &[crate::Role] {
        &self.0
    }
}

#[cfg(test)]
mod mfa_roles_tests {
    use super::*;
    use crate::Role;

    #[test]
    fn roles_parse_in_a_fixed_order_and_unknown_ones_are_refused() {
        let r = MfaRoles::parse(&["supervisor", "admin", "supervisor", ""]).unwrap();
        assert_eq!(r.roles(), &[Role::Supervisor, Role::Admin]);
        assert_eq!(r.to_stored(), "supervisor,admin");
        assert_eq!(MfaRoles::from_stored("supervisor,admin,ghost"), r);
        assert!(r.requires(Role::Admin) && !r.requires(Role::Caseworker));
        let e = MfaRoles::parse(&["root"]).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("mfa_roles", "unknown_choice"));
    }
}
