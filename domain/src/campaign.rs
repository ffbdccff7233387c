//! A2P campaigns (`us_app_to_person`, `QE…`): the use cases and the field constraints of
//! Twilio's Messaging spec (the create and update parameters' descriptions). Pure.

use serde_json::{json, Value};

/// An A2P campaign use case: code, name, description, and whether Twilio reviews campaigns
/// of it again after approval (`post_approval_required`).
pub struct Usecase {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub post_approval_required: bool,
}

const fn uc(
    code: &'static str,
    name: &'static str,
    description: &'static str,
    post_approval_required: bool,
) -> Usecase {
    Usecase {
        code,
        name,
        description,
        post_approval_required,
    }
}

/// The standard use cases (a STANDARD brand's), in Twilio's order.
pub const STANDARD_USECASES: [Usecase; 13] = [
    uc("2FA", "Two-Factor authentication (2FA)", "Two-Factor authentication, one-time use password, password reset", false),
    uc("ACCOUNT_NOTIFICATION", "Account Notification", "All reminders, alerts, and notifications", false),
    uc("CUSTOMER_CARE", "Customer Care", "Account management and customer support", false),
    uc("DELIVERY_NOTIFICATION", "Delivery Notification", "Information about the status of a delivery", false),
    uc("FRAUD_ALERT", "Fraud Alert Messaging", "Fraud alerts", false),
    uc("HIGHER_EDUCATION", "Higher Education", "For campaigns created on behalf of colleges or universities", false),
    uc("LOW_VOLUME", "Low Volume Mixed", "Low throughput, any combination of use cases", false),
    uc("MARKETING", "Marketing", "Any communication with marketing or promotional content", false),
    uc("MIXED", "Mixed", "Mixed messaging reserved for specific consumer service industry", false),
    uc("POLLING_VOTING", "Polling and voting", "Polling and voting", false),
    uc("PUBLIC_SERVICE_ANNOUNCEMENT", "Public Service Announcement", "An informational message that is meant to raise the audience's awareness about an important issue", false),
    uc("SECURITY_ALERT", "Security Alert", "A notification that the security of a system has been compromised", false),
    uc("POLITICAL", "Political", "Part of organized effort to influence decision making of specific group. All campaigns to be verified", true),
];

/// The one use case of a SOLE_PROPRIETOR brand.
pub const SOLE_PROPRIETOR_USECASE: Usecase = uc(
    "SOLE_PROPRIETOR",
    "Sole Proprietor",
    "Limited to sole proprietor brands: one campaign per brand",
    false,
);

/// The use cases a brand of `brand_type` may register.
pub fn usecases_for(brand_type: &str) -> Vec<&'static Usecase> {
    if brand_type == "SOLE_PROPRIETOR" {
        vec![&SOLE_PROPRIETOR_USECASE]
    } else {
        STANDARD_USECASES.iter().collect()
    }
}

/// A use case as `…/Usa2p/Usecases` lists it.
pub fn usecase_json(u: &Usecase) -> Value {
    json!({"code": u.code, "name": u.name, "description": u.description,
           "post_approval_required": u.post_approval_required})
}

/// A text parameter's length bounds, in characters (the spec's descriptions).
pub fn text_bounds(param: &str) -> Option<(usize, usize)> {
    match param {
        "Description" => Some((40, 4096)),
        "MessageFlow" => Some((40, 2048)),
        "OptInMessage" | "OptOutMessage" | "HelpMessage" => Some((20, 320)),
        _ => None,
    }
}

/// Checks a text parameter against its bounds; the message says what to fix.
pub fn check_text(param: &str, value: &str) -> Result<(), String> {
    let Some((min, max)) = text_bounds(param) else {
        return Ok(());
    };
    let n = value.chars().count();
    if n < min || n > max {
        return Err(format!(
            "{param} must be {min} to {max} characters long; it has {n}"
        ));
    }
    Ok(())
}

/// `MessageSamples`: two to five samples of 20 to 1,024 characters each.
pub fn check_samples(samples: &[String]) -> Result<(), String> {
    if !(2..=5).contains(&samples.len()) {
        return Err(format!(
            "MessageSamples takes two to five samples; got {}",
            samples.len()
        ));
    }
    for (i, s) in samples.iter().enumerate() {
        let n = s.chars().count();
        if !(20..=1024).contains(&n) {
            return Err(format!(
                "MessageSamples: sample {} must be 20 to 1024 characters long; it has {n}",
                i + 1
            ));
        }
    }
    Ok(())
}

/// Keywords: alphanumeric, at most 255 characters each (the spec's descriptions).
pub fn check_keywords(param: &str, keywords: &[String]) -> Result<(), String> {
    for k in keywords {
        if k.is_empty() || k.chars().count() > 255 || !k.chars().all(char::is_alphanumeric) {
            return Err(format!(
                "{param}: \"{k}\" must be alphanumeric, 1 to 255 characters"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_types_take_their_usecases() {
        let sole: Vec<&str> = usecases_for("SOLE_PROPRIETOR")
            .iter()
            .map(|u| u.code)
            .collect();
        assert_eq!(sole, ["SOLE_PROPRIETOR"]);
        let std: Vec<&str> = usecases_for("STANDARD").iter().map(|u| u.code).collect();
        assert!(std.contains(&"MARKETING") && std.contains(&"2FA"));
        assert!(!std.contains(&"SOLE_PROPRIETOR"));
        let v = usecase_json(&STANDARD_USECASES[0]);
        assert_eq!(v["code"], "2FA");
        assert_eq!(v["post_approval_required"], false);
        assert_eq!(
            usecase_json(&STANDARD_USECASES[12])["post_approval_required"],
            true
        );
    }

    #[test]
    fn texts_samples_and_keywords_have_bounds() {
        assert!(check_text("Description", &"x".repeat(40)).is_ok());
        assert!(check_text("Description", &"x".repeat(39)).is_err());
        assert!(check_text("Description", &"x".repeat(4096)).is_ok());
        assert!(check_text("Description", &"x".repeat(4097)).is_err());
        assert!(check_text("MessageFlow", &"x".repeat(2049)).is_err());
        assert!(check_text("MessageFlow", &"x".repeat(2048)).is_ok());
        assert!(check_text("HelpMessage", &"x".repeat(19)).is_err());
        assert!(check_text("HelpMessage", &"x".repeat(320)).is_ok());
        assert!(check_text("HelpMessage", &"x".repeat(321)).is_err());
        assert!(check_text("Other", "").is_ok());
        let sample = |n: usize| "s".repeat(n);
        assert!(check_samples(&[sample(20), sample(1024)]).is_ok());
        assert!(check_samples(&[sample(20)]).is_err());
        assert!(check_samples(&vec![sample(20); 6]).is_err());
        assert!(check_samples(&vec![sample(20); 5]).is_ok());
        assert!(check_samples(&[sample(19), sample(20)]).is_err());
        assert!(check_samples(&[sample(20), sample(1025)]).is_err());
        assert!(check_keywords("OptInKeywords", &["START".into(), "go2".into()]).is_ok());
        assert!(check_keywords("OptInKeywords", &["NO WAY".into()]).is_err());
        assert!(check_keywords("OptInKeywords", &["".into()]).is_err());
        assert!(check_keywords("OptInKeywords", &["k".repeat(256)]).is_err());
        assert!(check_keywords("OptInKeywords", &["k".repeat(255)]).is_ok());
    }
}
