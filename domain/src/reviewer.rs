//! The automatic reviewer of the sandbox (`--review auto`): deterministic rules so tests can
//! script every outcome. Pure: it sees the bundle's content and returns a decision. The
//! vetting pipeline (`jobs/pipeline.rs`) asks it; an operator's decisions are
//! `service/review.rs`.

use serde_json::Value;

use super::bundle::Status;
use super::evaluate::{Entity, SupportingBundle};

/// Twilio's customer-profile rejection codes that the triggers reach.
pub const NAME_WEBSITE: u32 = 18601;
pub const REGISTRATION_NUMBER: u32 = 18602;
pub const ADDRESS: u32 = 18603;
pub const REPRESENTATIVE_1: u32 = 18604;
pub const REPRESENTATIVE_2: u32 = 18605;
pub const EMAIL_DOMAIN: u32 = 18606;

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject {
        codes: Vec<u32>,
        reason: String,
    },
    /// A supporting bundle is still being reviewed: decide later.
    Wait,
}

fn text<'a>(o: &'a Entity, field: &str) -> &'a str {
    o.attributes
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `REJECT-186xx` anywhere in a value asks for that code explicitly.
fn explicit_codes(s: &str, out: &mut Vec<u32>) {
    for (i, _) in s.match_indices("REJECT-") {
        if let Some(code) = s.get(i + 7..i + 12).and_then(|c| c.parse::<u32>().ok()) {
            if (18601..=18609).contains(&code) {
                out.push(code);
            }
        }
    }
}

/// The documented trigger values (README, "Scripting an outcome"), over the bundle's
/// assigned objects in assignment order (the reasons name them in that order).
pub fn decide(
    email: &str,
    objects: &[Entity],
    supporting: &[SupportingBundle],
    compliant: bool,
) -> Decision {
    if let Some(s) = supporting
        .iter()
        .find(|s| s.status == Status::TwilioRejected)
    {
        return Decision::Reject {
            codes: s
                .errors
                .map(<[u32]>::to_vec)
                .unwrap_or_else(|| vec![NAME_WEBSITE]),
            reason: format!("The supporting bundle {} was rejected", s.sid),
        };
    }
    if supporting.iter().any(|s| s.status.under_review()) {
        return Decision::Wait;
    }
    if !compliant {
        return Decision::Reject {
            codes: vec![],
            reason: "The bundle no longer satisfies its policy; evaluate it to see what fails"
                .into(),
        };
    }
    let mut codes = Vec::new();
    let mut reasons = Vec::new();
    for o in objects {
        let name = text(o, "business_name");
        explicit_codes(name, &mut codes);
        if name.contains("REJECT") && !name.contains("REJECT-") {
            codes.push(NAME_WEBSITE);
            reasons.push(format!(
                "The business name \"{name}\" could not be associated with its website"
            ));
        }
        if text(o, "business_registration_number") == "000000000" {
            codes.push(REGISTRATION_NUMBER);
            reasons.push("The business registration number could not be verified".to_string());
        }
        let rep = match o.type_name {
            "authorized_representative_1" => Some(REPRESENTATIVE_1),
            "authorized_representative_2" => Some(REPRESENTATIVE_2),
            _ => None,
        };
        if let Some(code) = rep.filter(|_| text(o, "last_name").contains("REJECT")) {
            codes.push(code);
            reasons.push(format!(
                "The {} could not be verified",
                o.type_name.replace('_', " ")
            ));
        }
        if o.type_name.contains("address") && o.friendly_name.contains("REJECT") {
            codes.push(ADDRESS);
            reasons.push("The business address could not be verified".to_string());
        }
    }
    // Twilio checks the bundle's Email during review (its guides say so), not at create.
    if !super::validate::is_email(email) {
        codes.push(EMAIL_DOMAIN);
        reasons.push(format!(
            "The email \"{email}\" is not a valid email address"
        ));
    } else if email.to_ascii_lowercase().contains("reject") {
        codes.push(EMAIL_DOMAIN);
        reasons.push(format!(
            "The email {email} does not match the business's website domain"
        ));
    }
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        Decision::Approve
    } else {
        if reasons.is_empty() {
            reasons.push("Rejected by a REJECT-186xx trigger value".into());
        }
        Decision::Reject {
            codes,
            reason: reasons.join("; "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj<'a>(t: &'a str, attrs: &'a Value) -> Entity<'a> {
        Entity {
            sid: "IT1",
            type_name: t,
            friendly_name: "x",
            attributes: attrs,
        }
    }

    fn supporting(status: Status, errors: Option<&[u32]>) -> SupportingBundle<'_> {
        SupportingBundle {
            sid: "BU1",
            policy_sid: "RN1",
            status,
            errors,
        }
    }

    #[test]
    fn clean_bundles_are_approved() {
        let a = json!({"business_name": "Acme"});
        assert_eq!(
            decide(
                "ops@acme.com",
                &[obj("customer_profile_business_information", &a)],
                &[],
                true
            ),
            Decision::Approve
        );
    }

    #[test]
    fn an_address_is_rejected_only_when_its_name_says_so() {
        let addr = json!({"address_sids": "AD0"});
        let doc = |type_name, friendly_name| Entity {
            sid: "RD1",
            type_name,
            friendly_name,
            attributes: &addr,
        };
        let approved = |e| decide("a@b.co", &[e], &[], true) == Decision::Approve;
        assert!(approved(doc("customer_profile_address", "HQ")));
        assert!(approved(doc("business_registration", "HQ REJECT")));
        assert!(!approved(doc("customer_profile_address", "HQ REJECT")));
    }

    #[test]
    fn each_trigger_reaches_its_code() {
        let cases = [
            (
                json!({"business_name": "Acme REJECT"}),
                "customer_profile_business_information",
                NAME_WEBSITE,
            ),
            (
                json!({"business_name": "Acme", "business_registration_number": "000000000"}),
                "customer_profile_business_information",
                REGISTRATION_NUMBER,
            ),
            (
                json!({"last_name": "REJECT"}),
                "authorized_representative_1",
                REPRESENTATIVE_1,
            ),
            (
                json!({"last_name": "REJECT"}),
                "authorized_representative_2",
                REPRESENTATIVE_2,
            ),
            (
                json!({"business_name": "Acme REJECT-18609"}),
                "customer_profile_business_information",
                18609,
            ),
        ];
        for (attrs, t, code) in cases {
            match decide("ops@acme.com", &[obj(t, &attrs)], &[], true) {
                Decision::Reject { codes, reason } => {
                    assert_eq!(codes, vec![code], "{attrs}");
                    assert!(!reason.is_empty());
                }
                d => panic!("{attrs}: {d:?}"),
            }
        }
        let addr = json!({"address_sids": "AD0"});
        let doc = Entity {
            sid: "RD1",
            type_name: "customer_profile_address",
            friendly_name: "HQ REJECT",
            attributes: &addr,
        };
        assert!(
            matches!(decide("a@b.co", &[doc], &[], true), Decision::Reject { codes, .. } if codes == vec![ADDRESS])
        );
        assert!(
            matches!(decide("reject@b.co", &[], &[], true), Decision::Reject { codes, .. } if codes == vec![EMAIL_DOMAIN])
        );
    }

    #[test]
    fn a_malformed_bundle_email_is_rejected_at_review() {
        for bad in ["Email", "", "ops@acme", "ops acme@acme.com", "@acme.com"] {
            match decide(bad, &[], &[], true) {
                Decision::Reject { codes, reason } => {
                    assert_eq!(codes, vec![EMAIL_DOMAIN], "{bad:?}");
                    assert!(reason.contains("is not a valid email address"), "{reason}");
                    assert!(reason.contains(&format!("\"{bad}\"")), "{reason}");
                }
                d => panic!("{bad:?}: {d:?}"),
            }
        }
        assert_eq!(decide("EMAIL@EMAIL.COM", &[], &[], true), Decision::Approve);
    }

    #[test]
    fn supporting_bundles_gate_the_decision() {
        let waiting = supporting(Status::InReview, None);
        assert_eq!(decide("a@b.co", &[], &[waiting], true), Decision::Wait);
        let codes = [18602];
        let rejected = supporting(Status::TwilioRejected, Some(&codes));
        assert!(
            matches!(decide("a@b.co", &[], &[rejected], true), Decision::Reject { codes, .. } if codes == vec![18602])
        );
        let ok = supporting(Status::TwilioApproved, None);
        assert_eq!(decide("a@b.co", &[], &[ok], true), Decision::Approve);
        assert!(matches!(
            decide("a@b.co", &[], &[], false),
            Decision::Reject { .. }
        ));
    }
}
