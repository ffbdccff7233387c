//! A2P 10DLC campaigns (`UsAppToPerson`, `QE…`): the pure rules. Which use cases a brand
//! may register (the catalog's `a2p_usecases.json`), what a campaign's texts must look like
//! (the lengths and counts Twilio's Messaging spec states for each create / update
//! parameter), and the carrier limits a verified campaign shows.
//!
//! Sources: `openapi/twilio_messaging_v1.json` (`CreateUsAppToPersonRequest`: "MessageSamples
//! … min two and max five. Min length for each sample: 20 chars. Max length for each sample:
//! 1024 chars", "Description … Min length: 40 characters. Max length: 4096", "MessageFlow …
//! 40 character minimum. 2048 character maximum", the opt-in / opt-out / help messages "20
//! character minimum. 320 character maximum", keywords "Values must be alphanumeric. 255
//! character maximum"); Twilio's error dictionary (21717, 21719, 21720).

use serde::Deserialize;

/// One A2P campaign use case of the catalog. `code`, `name`, `description` and
/// `post_approval_required` are what `…/Compliance/Usa2p/Usecases` serves (Twilio's spec
/// example); `brand_types` says which brands may register it (`STANDARD` or
/// `SOLE_PROPRIETOR`, the brand's `brand_type`), `service_usecases` which Messaging Service
/// use cases it is compatible with (error 21719) — ours, not served.
#[derive(Debug, Clone, Deserialize)]
pub struct Usecase {
    pub code: String,
    pub name: String,
    pub description: String,
    pub post_approval_required: bool,
    pub brand_types: Vec<String>,
    pub service_usecases: Vec<String>,
}

/// A Messaging Service use case as `/v1/Services/Usecases` serves it.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ServiceUsecase {
    pub usecase: String,
    pub description: String,
    pub purpose: String,
}

/// `catalog/a2p_usecases.json`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Usecases {
    pub us_app_to_person: Vec<Usecase>,
    pub messaging_service: Vec<ServiceUsecase>,
}

/// The brand types the spec names ("One of: STANDARD, SOLE_PROPRIETOR").
const BRAND_TYPES: [&str; 2] = ["STANDARD", "SOLE_PROPRIETOR"];

impl Usecases {
    pub fn find(&self, code: &str) -> Option<&Usecase> {
        self.us_app_to_person.iter().find(|u| u.code == code)
    }

    /// The use cases a brand of `brand_type` may register, in catalog order; every use case
    /// a STANDARD brand may register when no brand is named (Twilio's example without
    /// `BrandRegistrationSid`).
    pub fn for_brand(&self, brand_type: Option<&str>) -> Vec<&Usecase> {
        let t = brand_type.unwrap_or("STANDARD");
        self.us_app_to_person
            .iter()
            .filter(|u| u.brand_types.iter().any(|b| b == t))
            .collect()
    }

    /// Everything wrong with the file, as sentences (`catalog check`).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let services: Vec<&str> = self
            .messaging_service
            .iter()
            .map(|s| s.usecase.as_str())
            .collect();
        for (i, u) in self.us_app_to_person.iter().enumerate() {
            let at = format!("a2p_usecases.json: use case {}", u.code);
            if u.code.is_empty()
                || !u
                    .code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                out.push(format!("{at}: a code is upper-case letters, digits and _"));
            }
            if self.us_app_to_person[..i].iter().any(|o| o.code == u.code) {
                out.push(format!("{at}: listed twice"));
            }
            if u.brand_types.is_empty() {
                out.push(format!("{at}: no brand type may register it"));
            }
            for b in &u.brand_types {
                if !BRAND_TYPES.contains(&b.as_str()) {
                    out.push(format!("{at}: unknown brand type {b}"));
                }
            }
            for s in &u.service_usecases {
                if !services.contains(&s.as_str()) {
                    out.push(format!("{at}: unknown Messaging Service use case {s}"));
                }
            }
        }
        for b in BRAND_TYPES {
            // An empty file is no catalog of use cases at all (a catalog built in a test).
            if !self.us_app_to_person.is_empty() && self.for_brand(Some(b)).is_empty() {
                out.push(format!("a2p_usecases.json: no use case for {b} brands"));
            }
        }
        out
    }
}

/// Whether a campaign with A2P use case `u` may sit on a Messaging Service whose own
/// `usecase` is `service_usecase` (`undeclared` goes with every one).
pub fn compatible(u: &Usecase, service_usecase: &str) -> bool {
    service_usecase == "undeclared" || u.service_usecases.iter().any(|s| s == service_usecase)
}

/// A text parameter's bounds, in characters.
pub struct Bounds {
    pub param: &'static str,
    pub min: usize,
    pub max: usize,
}

pub const DESCRIPTION: Bounds = Bounds {
    param: "Description",
    min: 40,
    max: 4096,
};
pub const MESSAGE_FLOW: Bounds = Bounds {
    param: "MessageFlow",
    min: 40,
    max: 2048,
};
pub const SAMPLE: Bounds = Bounds {
    param: "MessageSamples",
    min: 20,
    max: 1024,
};
/// `OptInMessage`, `OptOutMessage`, `HelpMessage` (their own names in messages).
pub const REPLY_MIN: usize = 20;
pub const REPLY_MAX: usize = 320;
/// "min two and max five" message samples.
pub const SAMPLES_MIN: usize = 2;
pub const SAMPLES_MAX: usize = 5;
/// A keyword list's length ("255 character maximum": all keywords, comma-joined).
pub const KEYWORDS_MAX: usize = 255;

/// Why a campaign's text is refused: the sentence says which parameter and what it takes.
pub fn check_text(param: &str, value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(format!(
            "{param} must be {min} to {max} characters long; it has {n}"
        ));
    }
    Ok(())
}

/// The message samples: two to five, each 20 to 1,024 characters.
pub fn check_samples(samples: &[String]) -> Result<(), String> {
    if samples.len() < SAMPLES_MIN || samples.len() > SAMPLES_MAX {
        return Err(format!(
            "MessageSamples must hold {SAMPLES_MIN} to {SAMPLES_MAX} samples; it has {}",
            samples.len()
        ));
    }
    for (i, s) in samples.iter().enumerate() {
        check_text(&format!("MessageSamples[{i}]"), s, SAMPLE.min, SAMPLE.max)?;
    }
    Ok(())
}

/// A keyword list: each keyword alphanumeric, 255 characters at most all together.
pub fn check_keywords(param: &str, keywords: &[String]) -> Result<(), String> {
    if let Some(bad) = keywords
        .iter()
        .find(|k| k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(format!(
            "{param} values must be alphanumeric; \"{}\" is not",
            bad.chars().take(100).collect::<String>()
        ));
    }
    let total = keywords.join(",").chars().count();
    if total > KEYWORDS_MAX {
        return Err(format!(
            "{param} may have {KEYWORDS_MAX} characters at most; it has {total}"
        ));
    }
    Ok(())
}

/// The carrier limits Twilio shows on a VERIFIED campaign (`rate_limits`), by brand
/// standing. Our decision: Twilio publishes the tiers, not how a brand maps to them; a
/// vetted standard brand gets AT&T class A (600 MPS) and T-Mobile's TOP tier, a low-volume
/// standard brand (secondary vetting skipped) class T (75 MPS) and LOW, a sole proprietor
/// class S (1 MPS) and LOW.
pub fn rate_limits(brand_type: &str, skipped_vetting: bool) -> serde_json::Value {
    let (mps, class, tier) = if brand_type == "SOLE_PROPRIETOR" {
        (1, "S", "LOW")
    } else if skipped_vetting {
        (75, "T", "LOW")
    } else {
        (600, "A", "TOP")
    };
    serde_json::json!({"att": {"mps": mps, "msg_class": class}, "tmobile": {"brand_tier": tier}})
}

/// How many numbers the Messaging Service of a campaign registered for a brand of this
/// type may hold: one for a SOLE_PROPRIETOR brand (Twilio's sole proprietor guide: "one
/// 10DLC number per Sole Proprietor campaign"), any number otherwise (`None`).
pub fn pool_limit(brand_type: &str) -> Option<usize> {
    (brand_type == "SOLE_PROPRIETOR").then_some(1)
}

/// Twilio's Default Opt-Out replies and keywords, which a campaign shows for what its create
/// left out (the spec's `createWithDefaults` example).
pub const DEFAULT_OPT_OUT_MESSAGE: &str = "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.";
pub const DEFAULT_HELP_MESSAGE: &str = "Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
pub const DEFAULT_OPT_OUT_KEYWORDS: [&str; 6] =
    ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];
pub const DEFAULT_HELP_KEYWORDS: [&str; 2] = ["HELP", "INFO"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sole_proprietor_campaign_limits_its_service_to_one_number() {
        assert_eq!(pool_limit("SOLE_PROPRIETOR"), Some(1));
        assert_eq!(pool_limit("STANDARD"), None);
        assert_eq!(pool_limit("LOW_VOLUME_STANDARD"), None);
    }

    #[test]
    fn keywords_may_fill_exactly_their_bound() {
        // Two keywords and the comma that joins them: KEYWORDS_MAX characters pass, one more fails.
        let fill = |n: usize| vec!["A".repeat(n - 2), "B".into()];
        assert_eq!(check_keywords("OptInKeywords", &fill(KEYWORDS_MAX)), Ok(()));
        let err = check_keywords("OptInKeywords", &fill(KEYWORDS_MAX + 1)).unwrap_err();
        assert!(err.contains("255 characters at most; it has 256"), "{err}");
    }

    fn catalog() -> Usecases {
        serde_json::from_str(include_str!("../../catalog/a2p_usecases.json")).unwrap()
    }

    #[test]
    fn the_built_in_use_cases_are_sound_and_split_by_brand_type() {
        let c = catalog();
        assert!(c.problems().is_empty(), "{:?}", c.problems());
        let sole: Vec<&str> = c
            .for_brand(Some("SOLE_PROPRIETOR"))
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(sole, ["SOLE_PROPRIETOR"]);
        let standard = c.for_brand(Some("STANDARD"));
        assert_eq!(standard.len(), 20);
        assert!(standard.iter().any(|u| u.code == "LOW_VOLUME"));
        assert!(!standard.iter().any(|u| u.code == "SOLE_PROPRIETOR"));
        assert_eq!(c.for_brand(None).len(), 20);
        let marketing = c.find("MARKETING").unwrap();
        assert!(compatible(marketing, "undeclared"));
        assert!(compatible(marketing, "marketing"));
        assert!(!compatible(marketing, "verification"));
    }

    #[test]
    fn problems_name_what_is_wrong() {
        let mut c = catalog();
        c.us_app_to_person[0].brand_types = vec!["STARTER".into()];
        c.us_app_to_person[1].code = "2FA".into();
        c.us_app_to_person[2].service_usecases = vec!["chat".into()];
        c.us_app_to_person[3].code = "lower".into();
        let p = c.problems().join("\n");
        assert!(p.contains("unknown brand type STARTER"), "{p}");
        assert!(p.contains("2FA: listed twice"), "{p}");
        assert!(p.contains("unknown Messaging Service use case chat"), "{p}");
        assert!(p.contains("lower: a code is"), "{p}");
        c.us_app_to_person.retain(|u| u.code != "SOLE_PROPRIETOR");
        assert!(c
            .problems()
            .join("\n")
            .contains("no use case for SOLE_PROPRIETOR brands"));
    }

    #[test]
    fn texts_have_their_bounds() {
        assert!(check_text("Description", &"x".repeat(40), 40, 4096).is_ok());
        assert!(check_text("Description", &"x".repeat(39), 40, 4096)
            .unwrap_err()
            .contains("40 to 4096 characters long; it has 39"));
        assert!(check_text("Description", &"x".repeat(4097), 40, 4096).is_err());
        assert!(check_text("Description", &"é".repeat(40), 40, 4096).is_ok());
        let s = |n: usize, len: usize| vec!["y".repeat(len); n];
        assert!(check_samples(&s(2, 20)).is_ok());
        assert!(check_samples(&s(5, 1024)).is_ok());
        assert!(check_samples(&s(1, 20)).unwrap_err().contains("it has 1"));
        assert!(check_samples(&s(6, 20)).unwrap_err().contains("it has 6"));
        assert!(check_samples(&s(2, 19))
            .unwrap_err()
            .starts_with("MessageSamples[0]"));
        assert!(check_samples(&s(2, 1025)).is_err());
        assert!(check_keywords("OptInKeywords", &["START".into(), "GO2".into()]).is_ok());
        assert!(check_keywords("OptInKeywords", &["ST ART".into()])
            .unwrap_err()
            .contains("\"ST ART\""));
        assert!(check_keywords("OptInKeywords", &["".into()]).is_err());
        // 23 ten-letter keywords and their 22 commas: 252 characters; 24: 263.
        assert!(check_keywords("OptInKeywords", &vec!["ABCDEFGHIJ".into(); 23]).is_ok());
        assert!(check_keywords("OptInKeywords", &vec!["ABCDEFGHIJ".into(); 24]).is_err());
    }

    #[test]
    fn rate_limits_follow_the_brand() {
        assert_eq!(rate_limits("STANDARD", false)["att"]["mps"], 600);
        assert_eq!(
            rate_limits("STANDARD", true)["tmobile"]["brand_tier"],
            "LOW"
        );
        assert_eq!(
            rate_limits("SOLE_PROPRIETOR", false)["att"]["msg_class"],
            "S"
        );
    }
}
