//! Registrations: the Messaging v1 resources that Twilio reviews like TrustHub bundles —
//! brands (`BN…`), brand vettings (`VT…`), A2P campaigns (`us_app_to_person`, `QE…`) and
//! toll-free verifications (`HH…`). Pure: the kinds, each kind's own Twilio status strings
//! mapped to the common review stages, which transitions are allowed and by whom, and the
//! automatic reviewer's trigger values for these kinds (README "Scripting an outcome").
//!
//! Status strings are Twilio's, from `openapi/twilio_messaging_v1.json`:
//! `brand_registrations_enum_status`, the vetting's `vetting_status` description
//! (PENDING, SUCCESS, FAILED), `campaign_status` (IN_PROGRESS, VERIFIED, FAILED, the A2P
//! guides) and `tollfree_verification_enum_status`.

use serde_json::{json, Map, Value};

/// The four reviewed Messaging resources. One table (`registrations`) holds them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Brand,
    BrandVetting,
    UsAppToPerson,
    TollfreeVerification,
}

pub const ALL_KINDS: [Kind; 4] = [
    Kind::Brand,
    Kind::BrandVetting,
    Kind::UsAppToPerson,
    Kind::TollfreeVerification,
];

/// The review stage a kind's Twilio status stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Submitted (created or resubmitted), not yet picked up by the pipeline.
    Submitted,
    /// Being reviewed: an operator (`--review manual`) or the automatic reviewer decides.
    InReview,
    Approved,
    Rejected,
    /// Any other status (a brand's SUSPENDED, DELETION_PENDING, …): not reviewed.
    Other,
}

impl Stage {
    /// Submitted and not yet decided: what the review queue lists.
    pub fn under_review(self) -> bool {
        matches!(self, Stage::Submitted | Stage::InReview)
    }
}

/// Who asks for a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The account, through the API (a resubmission).
    Customer,
    /// The vetting pipeline (`jobs/pipeline.rs`): start, and `--review auto` decisions.
    Pipeline,
    /// The operator (`/admin/v1/Reviews`, the CLI, the console).
    Operator,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Customer => "customer",
            Actor::Pipeline => "pipeline",
            Actor::Operator => "operator",
        }
    }
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// `to` is not a status of this kind.
    UnknownStatus(String),
    /// Not from this status, not by this actor.
    NotAllowed { from: String, to: String },
}

impl Kind {
    /// The value of the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Brand => "brand",
            Kind::BrandVetting => "brand_vetting",
            Kind::UsAppToPerson => "us_app_to_person",
            Kind::TollfreeVerification => "tollfree_verification",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == s)
    }

    /// The SID prefix (Twilio's, from the spec's `pattern`s).
    pub fn sid_prefix(self) -> &'static str {
        match self {
            Kind::Brand => "BN",
            Kind::BrandVetting => "VT",
            Kind::UsAppToPerson => "QE",
            Kind::TollfreeVerification => "HH",
        }
    }

    /// The kind a SID names by its prefix; `None` for any other SID (a bundle's `BU…`).
    pub fn of_sid(sid: &str) -> Option<Kind> {
        let prefix = sid.get(..2)?;
        ALL_KINDS.into_iter().find(|k| k.sid_prefix() == prefix)
    }

    /// A human label for messages: the resource's name in Twilio's docs.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Brand => "BrandRegistration",
            Kind::BrandVetting => "BrandVetting",
            Kind::UsAppToPerson => "UsAppToPerson",
            Kind::TollfreeVerification => "TollfreeVerification",
        }
    }

    /// Every status of the kind, as Twilio spells it.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            Kind::Brand => &[
                "PENDING",
                "APPROVED",
                "FAILED",
                "IN_REVIEW",
                "DELETION_PENDING",
                "DELETION_FAILED",
                "SUSPENDED",
            ],
            Kind::BrandVetting => &["PENDING", "SUCCESS", "FAILED"],
            Kind::UsAppToPerson => &["IN_PROGRESS", "VERIFIED", "FAILED"],
            Kind::TollfreeVerification => &[
                "PENDING_REVIEW",
                "IN_REVIEW",
                "TWILIO_APPROVED",
                "TWILIO_REJECTED",
            ],
        }
    }

    /// The status a created or resubmitted resource has.
    pub fn submitted(self) -> &'static str {
        match self {
            Kind::Brand | Kind::BrandVetting => "PENDING",
            Kind::UsAppToPerson => "IN_PROGRESS",
            Kind::TollfreeVerification => "PENDING_REVIEW",
        }
    }

    /// The status while it is reviewed. Vettings and campaigns have no separate one
    /// (their submitted status is also their in-review status).
    pub fn in_review(self) -> &'static str {
        match self {
            Kind::Brand | Kind::TollfreeVerification => "IN_REVIEW",
            Kind::BrandVetting => "PENDING",
            Kind::UsAppToPerson => "IN_PROGRESS",
        }
    }

    pub fn approved(self) -> &'static str {
        match self {
            Kind::Brand => "APPROVED",
            Kind::BrandVetting => "SUCCESS",
            Kind::UsAppToPerson => "VERIFIED",
            Kind::TollfreeVerification => "TWILIO_APPROVED",
        }
    }

    pub fn rejected(self) -> &'static str {
        match self {
            Kind::Brand | Kind::BrandVetting | Kind::UsAppToPerson => "FAILED",
            Kind::TollfreeVerification => "TWILIO_REJECTED",
        }
    }

    /// The stage `status` stands for. A status both submitted and in review (vettings,
    /// campaigns) is in review: the pipeline's start step has no status to change then.
    pub fn stage(self, status: &str) -> Stage {
        if status == self.in_review() {
            Stage::InReview
        } else if status == self.submitted() {
            Stage::Submitted
        } else if status == self.approved() {
            Stage::Approved
        } else if status == self.rejected() {
            Stage::Rejected
        } else {
            Stage::Other
        }
    }

    /// The statuses the review queue lists for this kind.
    pub fn under_review(self) -> Vec<&'static str> {
        let mut v = vec![self.submitted()];
        if self.in_review() != self.submitted() {
            v.push(self.in_review());
        }
        v
    }

    /// May the customer resubmit (update) a resource of this kind? Brands (update: "resubmit
    /// a failed brand"), campaigns (Twilio's campaign troubleshooting guide: "It is now
    /// possible to edit a FAILED Campaign via both the Console and the API") and toll-free
    /// verifications (edit after rejection) can be; a vetting is imported once.
    pub fn resubmittable(self) -> bool {
        matches!(
            self,
            Kind::Brand | Kind::UsAppToPerson | Kind::TollfreeVerification
        )
    }

    /// The fields whose values the automatic reviewer reads for triggers (README "Scripting
    /// an outcome"). A brand has none of its own: its triggers are its bundles' friendly
    /// names (`service::brands`).
    pub fn trigger_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Brand => &[],
            Kind::BrandVetting => &["vetting_id"],
            Kind::UsAppToPerson => &["description", "message_flow", "message_samples"],
            Kind::TollfreeVerification => &[
                "business_name",
                "use_case_summary",
                "production_message_sample",
            ],
        }
    }

    /// The failure codes an operator may give and the triggers reach (Twilio's error
    /// dictionary), with their descriptions. The first is the default.
    pub fn failure_codes(self) -> &'static [(u32, &'static str)] {
        match self {
            Kind::Brand => BRAND_CODES,
            Kind::BrandVetting => VETTING_CODES,
            Kind::UsAppToPerson => CAMPAIGN_CODES,
            Kind::TollfreeVerification => &super::tollfree::REJECTIONS,
        }
    }

    /// The code a failure of what the resource depends on gets (a brand's bundle rejected
    /// or deleted: 30793 "Validation problems with connected bundles"; a toll-free
    /// verification's number released: 30440, unknown error, which takes no edit).
    pub fn dependency_failure_code(self) -> u32 {
        match self {
            Kind::Brand => 30793,
            Kind::TollfreeVerification => 30440,
            _ => self.failure_codes()[0].0,
        }
    }

    pub fn failure_code(self, code: u32) -> Option<&'static str> {
        self.failure_codes()
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, d)| *d)
    }
}

/// Brand registration failures (Twilio error dictionary, 307xx "Brand Registration").
const BRAND_CODES: &[(u32, &str)] = &[
    (
        30799,
        "Brand Registration Feedback: We were unable to verify the details of the registration data.",
    ),
    (
        30798,
        "Brand Registration Feedback: No IRS 501c tax-exempt status found.",
    ),
    (
        30793,
        "Brand Registration Failure: Validation problems with connected bundles",
    ),
    (30792, "Brand Registration Failure: General error"),
    (30752, "Brand Registration Failure: Invalid or expired OTP"),
];

/// Vetting import failures: Twilio's vetting record carries no code; these are the
/// brand registration failures of the error dictionary that fit.
const VETTING_CODES: &[(u32, &str)] = &[
    (30792, "Brand Registration Failure: General error"),
    (
        30799,
        "Brand Registration Feedback: We were unable to verify the details of the registration data.",
    ),
];

/// Campaign verification failures (Twilio error dictionary, 308xx–309xx "Campaign").
const CAMPAIGN_CODES: &[(u32, &str)] = &[
    (
        30893,
        "Campaign vetting rejection - Inconsistency between Sample Message and Use-case",
    ),
    (30885, "Campaign vetting rejection - High Risk"),
    (30889, "Campaign vetting rejection - Embedded Phone Number"),
    (
        30900,
        "Campaign rejection - The campaign use case is ineligible for registration.",
    ),
    (
        30899,
        "Campaign rejection - The campaign registration failed because of carrier rejection(s).",
    ),
];

/// A decided failure: the reason shown on the resource and its errors. Stored as the
/// `failure` column (`{"reason": …, "errors": [{"code": …, "description": …}]}`); each
/// kind's renderer maps it to its own fields (a brand's `failure_reason` and `errors`, a
/// toll-free verification's `rejection_reason` and `error_code`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: String,
    pub codes: Vec<u32>,
}

impl Failure {
    pub fn to_json(&self, kind: Kind) -> Value {
        let errors: Vec<Value> = self
            .codes
            .iter()
            .map(|c| json!({"code": c, "description": kind.failure_code(*c).unwrap_or("")}))
            .collect();
        json!({"reason": self.reason, "errors": errors})
    }

    pub fn from_json(v: &Value) -> Failure {
        Failure {
            reason: v["reason"].as_str().unwrap_or_default().to_string(),
            codes: v["errors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e["code"].as_u64().map(|c| c as u32))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// May `by` move a resource of `kind` from `from` to `to`?
/// - the pipeline: submitted → in review, in review → approved | rejected;
/// - the operator: submitted or in review → approved | rejected;
/// - the customer: rejected → submitted, for the kinds that can be resubmitted.
pub fn transition(kind: Kind, from: &str, to: &str, by: Actor) -> Result<(), TransitionError> {
    if !kind.statuses().contains(&to) {
        return Err(TransitionError::UnknownStatus(to.to_string()));
    }
    let (f, t) = (kind.stage(from), kind.stage(to));
    let ok = match by {
        Actor::Pipeline => matches!(
            (f, t),
            (Stage::Submitted, Stage::InReview)
                | (Stage::InReview, Stage::Approved | Stage::Rejected)
        ),
        Actor::Operator => f.under_review() && matches!(t, Stage::Approved | Stage::Rejected),
        Actor::Customer => kind.resubmittable() && f == Stage::Rejected && to == kind.submitted(),
    };
    if ok {
        Ok(())
    } else {
        Err(TransitionError::NotAllowed {
            from: from.to_string(),
            to: to.to_string(),
        })
    }
}

/// What the automatic reviewer (`--review auto`) decides for a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject(Failure),
    /// Something it depends on is not decided yet (a brand's bundles, a sole proprietor's
    /// OTP): look again later.
    Wait,
}

/// What a registration's review depends on, as the service found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    /// Approved: no obstacle.
    Ready,
    /// Not decided yet (a bundle under review, an OTP not confirmed): wait.
    Pending,
    /// Decided against (a rejected bundle): the registration fails with this reason.
    Failed(String),
}

/// The marker that asks for a failure code explicitly: `FAIL-30799` anywhere in a
/// trigger value fails the resource with that code (one of its kind's `failure_codes`).
pub const EXPLICIT: &str = "FAIL-";
/// The word that fails a resource with its kind's default code.
pub const WORD: &str = "FAIL";

/// The automatic reviewer's rule for every kind: an obstacle among `dependencies` fails
/// the resource (with `dependency_failure_code`) or makes it wait; otherwise each
/// `FAIL-<code>` of the kind's codes in a trigger value fails it with that code, and the
/// word `FAIL` alone with the kind's default code; else it is approved. `triggers` are the
/// customer's values the kind documents as triggers (README "Scripting an outcome"), by
/// parameter name.
pub fn review(kind: Kind, triggers: &[(&str, &str)], dependencies: &[Dependency]) -> Decision {
    let default = kind.failure_codes()[0].0;
    if let Some(reason) = dependencies.iter().find_map(|d| match d {
        Dependency::Failed(r) => Some(r.clone()),
        _ => None,
    }) {
        return Decision::Reject(Failure {
            reason,
            codes: vec![kind.dependency_failure_code()],
        });
    }
    if dependencies.contains(&Dependency::Pending) {
        return Decision::Wait;
    }
    let mut codes = Vec::new();
    let mut reasons = Vec::new();
    for (name, value) in triggers {
        let before = codes.len();
        for (i, _) in value.match_indices(EXPLICIT) {
            if let Some(code) = value
                .get(i + EXPLICIT.len()..i + EXPLICIT.len() + 5)
                .and_then(|c| c.parse::<u32>().ok())
                .filter(|c| kind.failure_code(*c).is_some())
            {
                codes.push(code);
            }
        }
        if codes.len() == before && value.contains(WORD) {
            codes.push(default);
        }
        if codes.len() > before {
            reasons.push(format!("{name} \"{value}\" could not be verified"));
        }
    }
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        Decision::Approve
    } else {
        Decision::Reject(Failure {
            reason: reasons.join("; "),
            codes,
        })
    }
}

/// What approval fills in: a brand's TCR id, score and identity status, a campaign's TCR
/// campaign id; derived from the SID, so a seeded run is reproducible. Pure.
pub fn on_approval(kind: Kind, sid: &str, fields: &mut Map<String, Value>) {
    let tail: String = sid
        .get(2..)
        .unwrap_or_default()
        .chars()
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    match kind {
        Kind::Brand => {
            fields.insert("tcr_id".into(), json!(format!("B{tail}")));
            let score = fields
                .get("skip_automatic_sec_vet")
                .and_then(Value::as_bool)
                .map_or(75, |skip| if skip { 42 } else { 75 });
            fields.insert("brand_score".into(), json!(score));
            // A sole proprietor's identity is verified by the OTP its mobile owner confirms
            // after approval (Twilio error 30752's page); the others are vetted at review.
            let sole = fields.get("brand_type").and_then(Value::as_str) == Some("SOLE_PROPRIETOR");
            let identity = if sole {
                "UNVERIFIED"
            } else {
                "VETTED_VERIFIED"
            };
            fields.insert("identity_status".into(), json!(identity));
        }
        Kind::UsAppToPerson => {
            fields.insert("campaign_id".into(), json!(format!("C{tail}")));
        }
        Kind::BrandVetting | Kind::TollfreeVerification => {}
    }
}

/// A brand's `BrandType` values (the spec's create parameter: "One of: STANDARD,
/// SOLE_PROPRIETOR"). A low-volume standard brand is a STANDARD one (its guide differs in
/// the campaign use case, not the brand type).
pub const BRAND_TYPES: [&str; 2] = ["STANDARD", "SOLE_PROPRIETOR"];

/// The policies (catalog SIDs) of the bundles a brand of `brand_type` names: its
/// customer profile's, and its A2P trust product's. A STANDARD brand: a Secondary Customer
/// Profile (business, government or nonprofit) and an "A2P Messaging: Local - Business"
/// trust product (the ISV standard and low-volume guides). A SOLE_PROPRIETOR brand: a
/// Starter Customer Profile (ISV or direct) and a Sole Proprietor or Starter A2P trust
/// product (the sole-proprietor guides).
pub fn brand_policies(brand_type: &str) -> (&'static [&'static str], &'static [&'static str]) {
    if brand_type == "SOLE_PROPRIETOR" {
        (
            &[
                "RN806dd6cd175f314e1f96a9727ee271f4",
                "RN13dc4be8861a10924a79c35eaa4d812c",
            ],
            &[
                "RN670d5d2e282a6130ae063b234b6019c8",
                "RN63da8244384cf0401c39f5f91e674db5",
            ],
        )
    } else {
        (
            &[
                "RNdfbf3fae0e1107f8aded0e7cead80bf5",
                "RN074d26323ad8ca107761a5edf4191ba7",
                "RNaf459d36b007ba6db226cd43a816cfa0",
            ],
            &["RNb0d4771c2c98518d916a3d4cd70a8f8b"],
        )
    }
}

/// How long a sole proprietor's OTP can be confirmed after it was sent, in seconds
/// (Twilio error 30752: "The OTP is valid for 24 hours").
pub const OTP_VALIDITY: i64 = 24 * 3600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_dependency_has_its_kind_s_code() {
        assert_eq!(Kind::Brand.dependency_failure_code(), 30793);
        // A released number: 30440 (takes no edit), not the kind's first code.
        assert_eq!(Kind::TollfreeVerification.dependency_failure_code(), 30440);
        assert_ne!(Kind::TollfreeVerification.failure_codes()[0].0, 30440);
        let vetting = Kind::BrandVetting;
        assert_eq!(
            vetting.dependency_failure_code(),
            vetting.failure_codes()[0].0
        );
    }

    #[test]
    fn kinds_round_trip_and_own_their_prefixes() {
        for k in ALL_KINDS {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            let sid = format!("{}{}", k.sid_prefix(), "0".repeat(32));
            assert_eq!(Kind::of_sid(&sid), Some(k));
            assert!(!k.label().is_empty());
        }
        assert_eq!(Kind::parse("bundle"), None);
        assert_eq!(Kind::of_sid("BU0000"), None);
        assert_eq!(Kind::of_sid("B"), None);
        // Labels name the resources in messages; actors are stored with each decision.
        let labels: Vec<&str> = ALL_KINDS.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            [
                "BrandRegistration",
                "BrandVetting",
                "UsAppToPerson",
                "TollfreeVerification"
            ]
        );
        let actors: Vec<&str> = [Actor::Customer, Actor::Pipeline, Actor::Operator]
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(actors, ["customer", "pipeline", "operator"]);
    }

    #[test]
    fn every_kind_maps_its_statuses_to_stages() {
        for k in ALL_KINDS {
            for s in [k.submitted(), k.in_review(), k.approved(), k.rejected()] {
                assert!(k.statuses().contains(&s), "{k:?} {s}");
            }
            assert_eq!(k.stage(k.approved()), Stage::Approved);
            assert_eq!(k.stage(k.rejected()), Stage::Rejected);
            assert_eq!(k.stage(k.in_review()), Stage::InReview);
            assert!(k.stage(k.submitted()).under_review());
            assert!(!k.failure_codes().is_empty());
            for (code, description) in k.failure_codes() {
                assert!((30000..31000).contains(code), "{code}");
                assert_eq!(k.failure_code(*code), Some(*description));
            }
        }
        assert_eq!(Kind::Brand.stage("PENDING"), Stage::Submitted);
        assert_eq!(Kind::Brand.stage("SUSPENDED"), Stage::Other);
        assert_eq!(
            Kind::TollfreeVerification.stage("PENDING_REVIEW"),
            Stage::Submitted
        );
        assert_eq!(Kind::UsAppToPerson.stage("IN_PROGRESS"), Stage::InReview);
        assert_eq!(Kind::BrandVetting.under_review(), vec!["PENDING"]);
        assert_eq!(Kind::Brand.under_review(), vec!["PENDING", "IN_REVIEW"]);
        assert!(!Stage::Approved.under_review() && !Stage::Other.under_review());
    }

    #[test]
    fn transitions_follow_the_actor() {
        use Actor::*;
        let b = Kind::Brand;
        assert!(transition(b, "PENDING", "IN_REVIEW", Pipeline).is_ok());
        assert!(transition(b, "IN_REVIEW", "APPROVED", Pipeline).is_ok());
        assert!(transition(b, "IN_REVIEW", "FAILED", Pipeline).is_ok());
        assert!(transition(b, "PENDING", "APPROVED", Pipeline).is_err());
        assert!(transition(b, "PENDING", "APPROVED", Operator).is_ok());
        assert!(transition(b, "IN_REVIEW", "FAILED", Operator).is_ok());
        assert!(transition(b, "APPROVED", "FAILED", Operator).is_err());
        assert!(transition(b, "FAILED", "PENDING", Customer).is_ok());
        assert!(transition(b, "APPROVED", "PENDING", Customer).is_err());
        assert!(transition(b, "FAILED", "APPROVED", Customer).is_err());
        assert_eq!(
            transition(b, "PENDING", "VERIFIED", Operator),
            Err(TransitionError::UnknownStatus("VERIFIED".into()))
        );
        let t = Kind::TollfreeVerification;
        assert!(transition(t, "TWILIO_REJECTED", "PENDING_REVIEW", Customer).is_ok());
        assert!(transition(t, "PENDING_REVIEW", "IN_REVIEW", Pipeline).is_ok());
        let c = Kind::UsAppToPerson;
        assert!(transition(c, "IN_PROGRESS", "VERIFIED", Pipeline).is_ok());
        assert!(transition(c, "FAILED", "IN_PROGRESS", Customer).is_ok());
        assert!(transition(c, "VERIFIED", "IN_PROGRESS", Customer).is_err());
        let v = Kind::BrandVetting;
        assert!(transition(v, "PENDING", "SUCCESS", Pipeline).is_ok());
        assert!(transition(v, "FAILED", "PENDING", Customer).is_err());
    }

    #[test]
    fn triggers_reach_each_code() {
        for k in ALL_KINDS {
            assert_eq!(
                review(k, &[("BusinessName", "Acme")], &[]),
                Decision::Approve
            );
            let default = k.failure_codes()[0].0;
            match review(k, &[("BusinessName", "Acme FAIL")], &[]) {
                Decision::Reject(f) => {
                    assert_eq!(f.codes, vec![default]);
                    assert!(
                        f.reason.contains("BusinessName \"Acme FAIL\""),
                        "{}",
                        f.reason
                    );
                }
                d => panic!("{k:?}: {d:?}"),
            }
            for (code, _) in k.failure_codes() {
                let v = format!("x {EXPLICIT}{code} y");
                assert_eq!(
                    review(k, &[("Description", &v)], &[]),
                    Decision::Reject(Failure {
                        reason: format!("Description \"{v}\" could not be verified"),
                        codes: vec![*code],
                    })
                );
            }
        }
        // Another kind's code is not this kind's: the word FAIL still fails, by default.
        match review(Kind::Brand, &[("A", "FAIL-30446")], &[]) {
            Decision::Reject(f) => assert_eq!(f.codes, vec![30799]),
            d => panic!("{d:?}"),
        }
        match review(
            Kind::Brand,
            &[("A", "FAIL-30798"), ("B", "FAIL-30793 FAIL-30798")],
            &[],
        ) {
            Decision::Reject(f) => assert_eq!(f.codes, vec![30793, 30798]),
            d => panic!("{d:?}"),
        }
        assert_eq!(
            review(Kind::Brand, &[("A", "fail")], &[]),
            Decision::Approve
        );
    }

    #[test]
    fn the_reason_names_only_the_values_that_failed() {
        match review(
            Kind::TollfreeVerification,
            &[("BusinessName", "Owl"), ("UseCaseSummary", "FAIL")],
            &[],
        ) {
            Decision::Reject(f) => {
                assert_eq!(f.reason, "UseCaseSummary \"FAIL\" could not be verified")
            }
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn each_kind_reads_its_documented_trigger_fields() {
        assert!(Kind::Brand.trigger_fields().is_empty());
        assert_eq!(Kind::BrandVetting.trigger_fields(), ["vetting_id"]);
        assert_eq!(
            Kind::UsAppToPerson.trigger_fields(),
            ["description", "message_flow", "message_samples"]
        );
        assert_eq!(
            Kind::TollfreeVerification.trigger_fields(),
            [
                "business_name",
                "use_case_summary",
                "production_message_sample"
            ]
        );
        // Twilio error 30752: "The OTP is valid for 24 hours".
        assert_eq!(OTP_VALIDITY, 86_400);
    }

    #[test]
    fn dependencies_gate_the_decision() {
        use Dependency::*;
        let k = Kind::Brand;
        assert_eq!(review(k, &[], &[Ready, Pending]), Decision::Wait);
        assert_eq!(review(k, &[("A", "FAIL")], &[Pending]), Decision::Wait);
        assert_eq!(
            review(k, &[], &[Pending, Failed("bundle rejected".into())]),
            Decision::Reject(Failure {
                reason: "bundle rejected".into(),
                codes: vec![30793],
            })
        );
        assert_eq!(review(k, &[], &[Ready, Ready]), Decision::Approve);
    }

    #[test]
    fn brand_types_take_their_policies() {
        let (cp, a2p) = brand_policies("STANDARD");
        assert!(cp.contains(&"RNdfbf3fae0e1107f8aded0e7cead80bf5"));
        assert_eq!(a2p, ["RNb0d4771c2c98518d916a3d4cd70a8f8b"]);
        let (cp, a2p) = brand_policies("SOLE_PROPRIETOR");
        assert!(cp.contains(&"RN806dd6cd175f314e1f96a9727ee271f4"));
        assert!(!cp.contains(&"RNdfbf3fae0e1107f8aded0e7cead80bf5"));
        assert!(a2p.contains(&"RN670d5d2e282a6130ae063b234b6019c8"));
        assert_eq!(Kind::Brand.dependency_failure_code(), 30793);
        assert_eq!(Kind::UsAppToPerson.dependency_failure_code(), 30893);
    }

    #[test]
    fn failures_round_trip_through_json() {
        let f = Failure {
            reason: "r".into(),
            codes: vec![30792, 30799],
        };
        let v = f.to_json(Kind::Brand);
        assert_eq!(v["errors"][0]["code"], 30792);
        assert!(v["errors"][1]["description"]
            .as_str()
            .unwrap()
            .starts_with("Brand Registration Feedback"));
        assert_eq!(Failure::from_json(&v), f);
    }

    #[test]
    fn approval_fills_the_kinds_fields() {
        let sid = format!("BN{}", "ab12cd".to_string() + &"0".repeat(26));
        let mut f = Map::new();
        f.insert("brand_type".into(), json!("SOLE_PROPRIETOR"));
        on_approval(Kind::Brand, &sid, &mut f);
        assert_eq!(f["tcr_id"], "BAB12CD");
        assert_eq!(f["identity_status"], "UNVERIFIED");
        assert_eq!(f["brand_score"], 75);
        let mut f = Map::new();
        f.insert("skip_automatic_sec_vet".into(), json!(true));
        on_approval(Kind::Brand, &sid, &mut f);
        assert_eq!(f["identity_status"], "VETTED_VERIFIED");
        assert_eq!(f["brand_score"], 42);
        let mut f = Map::new();
        on_approval(Kind::UsAppToPerson, "QEab12cd", &mut f);
        assert_eq!(f["campaign_id"], "CAB12CD");
        let mut f = Map::new();
        on_approval(Kind::TollfreeVerification, "HH1", &mut f);
        assert!(f.is_empty());
    }
}
