//! SID syntax: a two-letter prefix and 32 hex digits, as Twilio issues them. Generating
//! SIDs (randomness) is the server's (`trusthub::sid`, which re-exports these).

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

    const SID: &str = "BU0123456789abcdefABCDEF0123456789";

    #[test]
    fn a_sid_is_its_prefix_and_32_hex_digits_of_either_case() {
        assert!(is_valid(SID, BUNDLE));
        assert_eq!(prefix_of(SID), Some("BU"));
        assert!(!is_valid(SID, END_USER));
        assert!(!is_valid("BU123", BUNDLE));
        assert!(!is_valid(&format!("{SID}0"), BUNDLE));
        assert!(!is_valid(&SID.replace('f', "g"), BUNDLE));
        assert_eq!(prefix_of("BUzz"), None);
        assert_eq!(prefix_of(&format!("{SID}0")), None);
        assert_eq!(prefix_of(&SID.replace('f', "g")), None);
        assert_eq!(prefix_of(&SID.replace("BU", "bu")), None);
        assert_eq!(prefix_of(&SID.replace("BU", "B1")), None);
    }
}
