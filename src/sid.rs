//! SIDs: a two-letter prefix and 32 lowercase hex digits, as Twilio issues them.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::sync::Mutex;

/// With `--seed`, every SID and token comes from one seeded generator, so the same
/// requests in the same order produce the same identifiers.
static SEEDED: Mutex<Option<StdRng>> = Mutex::new(None);

pub fn seed(n: u64) {
    if let Ok(mut g) = SEEDED.lock() {
        *g = Some(StdRng::seed_from_u64(n));
    }
}

fn fill(bytes: &mut [u8]) {
    if let Ok(mut g) = SEEDED.lock() {
        if let Some(rng) = g.as_mut() {
            rng.fill_bytes(bytes);
            return;
        }
    }
    rand::thread_rng().fill_bytes(bytes);
}

pub const ACCOUNT: &str = "AC";
pub const BUNDLE: &str = "BU";
pub const ENTITY_ASSIGNMENT: &str = "BV";
pub const CHANNEL_ENDPOINT_ASSIGNMENT: &str = "RA";
pub const EVALUATION: &str = "EL";
pub const END_USER: &str = "IT";
pub const SUPPORTING_DOCUMENT: &str = "RD";
pub const PHONE_NUMBER: &str = "PN";
pub const MESSAGING_SERVICE: &str = "MG";
pub const ADDRESS: &str = "AD";
pub const POLICY: &str = "RN";
pub const API_KEY: &str = "SK";

pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    fill(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// 32 random lowercase hex digits: auth tokens (twilio-go refuses anything but alphanumerics).
pub fn token() -> String {
    let mut bytes = [0u8; 16];
    fill(&mut bytes);
    hex::encode(bytes)
}

/// True when `s` is `prefix` followed by 32 hex digits. Twilio's spec patterns accept
/// either case of hex, so we do too on input.
pub fn is_valid(s: &str, prefix: &str) -> bool {
    s.len() == 34 && s.starts_with(prefix) && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The prefix of a well-formed SID of any kind.
pub fn prefix_of(s: &str) -> Option<&str> {
    let ok = s.len() == 34
        && s.as_bytes()[..2].iter().all(|b| b.is_ascii_uppercase())
        && s[2..].bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| &s[..2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_sids_are_well_formed() {
        let s = generate(BUNDLE);
        assert!(is_valid(&s, BUNDLE));
        assert_eq!(prefix_of(&s), Some("BU"));
        assert!(s[2..].bytes().all(|b| !b.is_ascii_uppercase()));
        assert!(!is_valid(&s, END_USER));
        assert!(!is_valid("BU123", BUNDLE));
        assert_eq!(prefix_of("BUzz"), None);
        assert_eq!(token().len(), 32);
    }
}
