//! SIDs: a two-letter prefix and 32 lowercase hex digits, as Twilio issues them. Their
//! syntax (prefixes, `is_valid`, `prefix_of`) is the domain's (`crate::domain::sid`).

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::sync::Mutex;

pub use crate::domain::sid::*;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_sids_are_well_formed() {
        let s = generate(BUNDLE);
        assert!(is_valid(&s, BUNDLE));
        assert_eq!(prefix_of(&s), Some("BU"));
        assert!(s[2..].bytes().all(|b| !b.is_ascii_uppercase()));
        assert_eq!(token().len(), 32);
    }
}
