//! The catalog model: policies and the object types their requirements name.
//! Loaded from `catalog/*.json`; Twilio's wire shape is rendered from it in `http/catalog.rs`.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::bundle::{BundleKind, Status};

#[derive(Debug, Clone, Deserialize)]
pub struct Policy {
    pub sid: String,
    pub friendly_name: String,
    pub bundle_kind: BundleKind,
    /// Twilio creates these only in its Console (the Primary Customer Profile).
    #[serde(default)]
    pub console_only: bool,
    /// Trust products whose policies share this group name take a phone number once between
    /// them (Twilio answers 409 / 20409 for a second CNAM, SHAKEN/STIR, … registration).
    #[serde(default)]
    pub exclusive_channel_endpoints: Option<String>,
    /// Creating this profile through the public API needs an ISV account family: refused when
    /// the family's Primary profile says `business_identity=direct_customer` (Twilio: direct
    /// customers create Secondary profiles in the Console).
    #[serde(default)]
    pub requires_isv_primary: bool,
    /// Trust products: US toll-free numbers (+1 800, 833, 844, 855, 866, 877, 888) cannot be
    /// assigned (Twilio's CNAM guide: toll-free CNAM is not registered through the API).
    #[serde(default)]
    pub refuses_toll_free: bool,
    pub requirements: Requirements,
}

impl Policy {
    /// Does every bundle of this policy need a customer profile? When it does, a trust
    /// product's numbers must sit on that profile (seed 001); when the profile is optional
    /// (Enhanced US / UK Branded Calling carry the business data inline), the account's own
    /// numbers are taken directly.
    pub fn requires_customer_profile(&self) -> bool {
        self.requirements
            .supporting_customer_profiles
            .iter()
            .any(|r| !r.optional)
    }
}

/// A North American toll-free number: +1 followed by 800, 833, 844, 855, 866, 877 or 888.
pub fn is_us_toll_free(e164: &str) -> bool {
    const AREAS: [&str; 7] = ["800", "833", "844", "855", "866", "877", "888"];
    e164.strip_prefix("+1")
        .filter(|rest| rest.len() == 10)
        .is_some_and(|rest| AREAS.iter().any(|a| rest.starts_with(a)))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Requirements {
    #[serde(default)]
    pub end_user: Vec<EndUserRequirement>,
    /// Outer list: all required. Inner list: any one of.
    #[serde(default)]
    pub supporting_document: Vec<Vec<DocumentRequirement>>,
    #[serde(default)]
    pub supporting_customer_profiles: Vec<BundleRequirement>,
    #[serde(default)]
    pub supporting_trust_products: Vec<BundleRequirement>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EndUserRequirement {
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    pub requirement_name: String,
    #[serde(default)]
    pub optional: bool,
    /// This policy's own rules for some fields of the type: each given rule key replaces the
    /// type's (Branded Calling policies share one end-user type with different limits).
    #[serde(default)]
    pub field_rules: serde_json::Map<String, serde_json::Value>,
}

impl EndUserRequirement {
    /// The type's fields with this requirement's `field_rules` applied.
    pub fn fields(&self, t: &ObjectType) -> Result<Vec<Field>, String> {
        if let Some(unknown) = self
            .field_rules
            .keys()
            .find(|k| !t.fields.iter().any(|f| &f.machine_name == *k))
        {
            return Err(format!(
                "field_rules names {unknown}, not a field of {}",
                t.machine_name
            ));
        }
        t.fields
            .iter()
            .map(|f| match self.field_rules.get(&f.machine_name) {
                None => Ok(f.clone()),
                Some(rules) => {
                    let mut merged = serde_json::to_value(f).map_err(|e| e.to_string())?;
                    let (Some(into), Some(rules)) = (merged.as_object_mut(), rules.as_object())
                    else {
                        return Err(format!("field_rules.{} is not an object", f.machine_name));
                    };
                    for (k, v) in rules {
                        into.insert(k.clone(), v.clone());
                    }
                    serde_json::from_value(merged)
                        .map_err(|e| format!("field_rules.{}: {e}", f.machine_name))
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocumentRequirement {
    pub description: String,
    pub name: String,
    pub requirement_name: String,
    pub accepted_documents: Vec<String>,
    /// The name Twilio shows on the accepted documents, when it differs from `name`.
    #[serde(default)]
    pub accepted_document_name: Option<String>,
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BundleRequirement {
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    pub requirement_name: String,
    /// Bundles with any of these policies satisfy the requirement.
    pub policy_sids: Vec<String>,
    #[serde(default)]
    pub optional: bool,
    /// The statuses of the assigned bundle that count; `None`: submitted ones
    /// ([`SUBMITTED_STATUSES`]).
    #[serde(default)]
    pub statuses: Option<Vec<String>>,
}

/// Statuses a supporting bundle counts in when its requirement names none: it has been
/// submitted, and its own review runs alongside.
pub const SUBMITTED_STATUSES: [Status; 3] = [
    Status::PendingReview,
    Status::InReview,
    Status::TwilioApproved,
];

impl BundleRequirement {
    /// Whether an assigned bundle in `status` satisfies this entry's status rule.
    pub fn counts(&self, status: Status) -> bool {
        match &self.statuses {
            None => SUBMITTED_STATUSES.contains(&status),
            Some(list) => list.iter().any(|s| s == status.as_str()),
        }
    }

    /// The statuses that count, for messages.
    pub fn status_names(&self) -> Vec<String> {
        match &self.statuses {
            None => SUBMITTED_STATUSES
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            Some(list) => list.clone(),
        }
    }
}

/// An EndUserType or SupportingDocumentType.
#[derive(Debug, Clone, Deserialize)]
pub struct ObjectType {
    pub sid: String,
    pub machine_name: String,
    pub friendly_name: String,
    pub fields: Vec<Field>,
}

/// Twilio publishes `machine_name`, `friendly_name` and `constraint`; the rule keys after
/// them are ours, served as extra keys so people can see what is allowed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Field {
    pub machine_name: String,
    pub friendly_name: String,
    pub constraint: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A regular expression the whole value, as stored, must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    /// What the pattern asks for, completing "The <Field> of <Object> …" in failure messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_description: Option<String>,
    /// Required exactly when another field of the same object has one of some values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_when: Option<Condition>,
    /// May hold a value only when another field of the same object has one of some values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `{"field": "company_type", "in": ["public"]}`: another field of the same object holds one
/// of these values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Condition {
    pub field: String,
    #[serde(rename = "in")]
    pub values: Vec<String>,
}

/// A field pattern, compiled once when the catalog loads; matched against the whole value.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
}

impl Pattern {
    pub fn new(source: &str) -> Result<Self, regex::Error> {
        let regex = regex::Regex::new(&format!("^(?:{source})$"))?;
        Ok(Pattern {
            source: source.to_string(),
            regex,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.regex.is_match(s)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        Pattern::new(&source).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Email,
    Url,
    E164,
    Integer,
    /// An integer above zero ("10"; not "0" or "00").
    PositiveInteger,
    AddressSids,
}

/// A reason a reviewer may reject a bundle for (Twilio's 186xx codes).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RejectionCode {
    pub code: u32,
    pub description: String,
}

/// The whole catalog with lookups by SID and machine name.
#[derive(Debug, Default)]
pub struct Catalog {
    pub rejection_codes: Vec<RejectionCode>,
    pub policies: Vec<Policy>,
    pub end_user_types: Vec<ObjectType>,
    pub supporting_document_types: Vec<ObjectType>,
    /// The phone numbers `AvailablePhoneNumbers` offers (`phone_numbers.json`).
    pub numbers: super::numbers::Inventory,
    /// The A2P campaign and Messaging Service use cases (`a2p_usecases.json`).
    pub usecases: super::campaign::Usecases,
    policy_index: HashMap<String, usize>,
    end_user_index: HashMap<String, usize>,
    document_index: HashMap<String, usize>,
}

impl Catalog {
    pub fn new(
        policies: Vec<Policy>,
        end_user_types: Vec<ObjectType>,
        supporting_document_types: Vec<ObjectType>,
    ) -> Self {
        let index = |types: &[ObjectType]| {
            let mut m = HashMap::new();
            for (i, t) in types.iter().enumerate() {
                m.insert(t.sid.clone(), i);
                m.insert(t.machine_name.clone(), i);
            }
            m
        };
        Catalog {
            rejection_codes: Vec::new(),
            numbers: Default::default(),
            usecases: Default::default(),
            policy_index: policies
                .iter()
                .enumerate()
                .map(|(i, p)| (p.sid.clone(), i))
                .collect(),
            end_user_index: index(&end_user_types),
            document_index: index(&supporting_document_types),
            policies,
            end_user_types,
            supporting_document_types,
        }
    }

    pub fn with_rejection_codes(mut self, codes: Vec<RejectionCode>) -> Self {
        self.rejection_codes = codes;
        self
    }

    pub fn with_numbers(mut self, numbers: super::numbers::Inventory) -> Self {
        self.numbers = numbers;
        self
    }

    pub fn with_usecases(mut self, usecases: super::campaign::Usecases) -> Self {
        self.usecases = usecases;
        self
    }

    pub fn rejection_code(&self, code: u32) -> Option<&RejectionCode> {
        self.rejection_codes.iter().find(|c| c.code == code)
    }

    pub fn policy(&self, sid: &str) -> Option<&Policy> {
        self.policy_index.get(sid).map(|&i| &self.policies[i])
    }

    /// By SID (`OY…`) or machine name, as the policy's `url` refers to it.
    pub fn end_user_type(&self, key: &str) -> Option<&ObjectType> {
        self.end_user_index
            .get(key)
            .map(|&i| &self.end_user_types[i])
    }

    pub fn document_type(&self, key: &str) -> Option<&ObjectType> {
        self.document_index
            .get(key)
            .map(|&i| &self.supporting_document_types[i])
    }

    /// Everything wrong with the catalog, as sentences; empty when it is sound.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        for p in &self.policies {
            if !crate::sid::is_valid(&p.sid, crate::sid::POLICY) {
                out.push(format!("policy {}: SID is not RN + 32 hex", p.sid));
            }
            if seen.insert(p.sid.clone(), ()).is_some() {
                out.push(format!("policy {}: listed twice", p.sid));
            }
            if p.exclusive_channel_endpoints.is_some() && p.bundle_kind != BundleKind::TrustProduct
            {
                out.push(format!(
                    "policy {}: exclusive_channel_endpoints applies to trust products only",
                    p.sid
                ));
            }
            if p.refuses_toll_free && p.bundle_kind != BundleKind::TrustProduct {
                out.push(format!(
                    "policy {}: refuses_toll_free applies to trust products only",
                    p.sid
                ));
            }
            if p.requires_isv_primary && p.bundle_kind != BundleKind::CustomerProfile {
                out.push(format!(
                    "policy {}: requires_isv_primary applies to customer profiles only",
                    p.sid
                ));
            }
            let r = &p.requirements;
            for e in &r.end_user {
                match self.end_user_type(&e.type_name) {
                    None => out.push(format!(
                        "policy {}: requirement {} names unknown end-user type {}",
                        p.sid, e.requirement_name, e.type_name
                    )),
                    Some(t) => match e.fields(t) {
                        Err(why) => out.push(format!(
                            "policy {}: requirement {}: {why}",
                            p.sid, e.requirement_name
                        )),
                        // A policy's own rules must agree with their descriptions too.
                        Ok(fields) => {
                            let siblings: Vec<&str> =
                                fields.iter().map(|f| f.machine_name.as_str()).collect();
                            for f in fields
                                .iter()
                                .filter(|f| e.field_rules.contains_key(&f.machine_name))
                            {
                                for why in super::descriptions::problems(f, &siblings) {
                                    out.push(format!(
                                        "policy {}: requirement {}: field_rules.{}: the description {why}",
                                        p.sid, e.requirement_name, f.machine_name
                                    ));
                                }
                            }
                        }
                    },
                }
            }
            for d in r.supporting_document.iter().flatten() {
                if d.accepted_documents.is_empty() {
                    out.push(format!(
                        "policy {}: requirement {} accepts no document type",
                        p.sid, d.requirement_name
                    ));
                }
                for t in &d.accepted_documents {
                    if self.document_type(t).is_none() {
                        out.push(format!(
                            "policy {}: requirement {} names unknown document type {t}",
                            p.sid, d.requirement_name
                        ));
                    }
                }
            }
            let bundles = r
                .supporting_customer_profiles
                .iter()
                .map(|b| (b, BundleKind::CustomerProfile))
                .chain(
                    r.supporting_trust_products
                        .iter()
                        .map(|b| (b, BundleKind::TrustProduct)),
                );
            for (b, kind) in bundles {
                for st in b.statuses.iter().flatten() {
                    if Status::parse(st).is_none() {
                        out.push(format!(
                            "policy {}: requirement {} counts unknown status {st}",
                            p.sid, b.requirement_name
                        ));
                    }
                }
                if b.policy_sids.is_empty() {
                    out.push(format!(
                        "policy {}: requirement {} accepts no policy",
                        p.sid, b.requirement_name
                    ));
                }
                for s in &b.policy_sids {
                    match self.policy(s) {
                        None => out.push(format!(
                            "policy {}: requirement {} names unknown policy {s}",
                            p.sid, b.requirement_name
                        )),
                        Some(q) if q.bundle_kind != kind => out.push(format!(
                            "policy {}: requirement {} names policy {s} of the wrong kind",
                            p.sid, b.requirement_name
                        )),
                        _ => {}
                    }
                }
            }
        }
        for (label, types) in [
            ("end-user type", &self.end_user_types),
            ("supporting-document type", &self.supporting_document_types),
        ] {
            for t in types {
                if !crate::sid::is_valid(&t.sid, "OY") {
                    out.push(format!(
                        "{label} {}: SID is not OY + 32 hex",
                        t.machine_name
                    ));
                }
                let siblings: Vec<&str> =
                    t.fields.iter().map(|f| f.machine_name.as_str()).collect();
                for f in &t.fields {
                    let at = format!("{label} {}: field {}", t.machine_name, f.machine_name);
                    if f.values.as_ref().is_some_and(|v| v.is_empty()) {
                        out.push(format!("{at} allows no value"));
                    }
                    for c in [&f.required_when, &f.allowed_when].into_iter().flatten() {
                        if c.field == f.machine_name || !siblings.contains(&c.field.as_str()) {
                            out.push(format!(
                                "{at}: its condition names no other field of the type ({})",
                                c.field
                            ));
                        }
                    }
                    for why in super::descriptions::problems(f, &siblings) {
                        out.push(format!("{at}: the description {why}"));
                    }
                }
            }
        }
        out.extend(self.numbers.problems());
        out.extend(self.usecases.problems());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SID: &str = "RN00000000000000000000000000000001";
    const OY: &str = "OY00000000000000000000000000000001";

    /// A one-policy catalog: `policy` patches the policy, `field` the end-user type's field.
    fn catalog(policy: serde_json::Value, field: serde_json::Value) -> Catalog {
        let mut p = json!({
            "sid": SID, "friendly_name": "P", "bundle_kind": "trust_product",
            "requirements": {
                "end_user": [{"type": "info", "name": "Info", "requirement_name": "info"}],
                "supporting_trust_products": [{"type": "t", "name": "T", "requirement_name": "t",
                                               "policy_sids": [SID]}]
            }
        });
        for (k, v) in policy.as_object().unwrap() {
            p[k] = v.clone();
        }
        let mut f =
            json!({"machine_name": "name", "friendly_name": "Name", "constraint": "String"});
        for (k, v) in field.as_object().unwrap() {
            f[k] = v.clone();
        }
        let other =
            json!({"machine_name": "kind", "friendly_name": "Kind", "constraint": "String"});
        let t = json!({"sid": OY, "machine_name": "info", "friendly_name": "Info",
                       "fields": [f, other]});
        Catalog::new(
            vec![serde_json::from_value(p).unwrap()],
            vec![serde_json::from_value(t).unwrap()],
            vec![],
        )
    }

    fn one_problem(c: &Catalog, needle: &str) {
        let p = c.problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains(needle), "{p:?}");
    }

    #[test]
    fn a_sound_catalog_has_no_problems() {
        let c = catalog(
            json!({"exclusive_channel_endpoints": "cnam"}),
            json!({"required_when": {"field": "kind", "in": ["x"]},
                   "allowed_when": {"field": "kind", "in": ["x"]}}),
        );
        assert_eq!(c.problems(), Vec::<String>::new());
    }

    #[test]
    fn policy_keys_must_fit_the_bundle_kind() {
        let c = catalog(
            json!({"bundle_kind": "customer_profile", "exclusive_channel_endpoints": "cnam",
                   "requirements": {}}),
            json!({}),
        );
        one_problem(
            &c,
            "exclusive_channel_endpoints applies to trust products only",
        );
        let c = catalog(json!({"requires_isv_primary": true}), json!({}));
        one_problem(&c, "requires_isv_primary applies to customer profiles only");
        let c = catalog(
            json!({"bundle_kind": "customer_profile", "requires_isv_primary": true,
                   "requirements": {}}),
            json!({}),
        );
        assert!(c.problems().is_empty());
    }

    #[test]
    fn supporting_bundle_entries_must_name_known_policies_of_their_kind() {
        let mut c = catalog(json!({}), json!({}));
        let entry = &mut c.policies[0].requirements.supporting_trust_products[0];
        entry.policy_sids = vec!["RN0000000000000000000000000000000f".into()];
        one_problem(
            &c,
            "policy RN00000000000000000000000000000001: requirement t names unknown policy RN0000000000000000000000000000000f",
        );
        // The catalog's one policy is a trust product: as a supporting customer profile it
        // is of the wrong kind.
        let mut c = catalog(json!({}), json!({}));
        let r = &mut c.policies[0].requirements;
        r.supporting_customer_profiles = std::mem::take(&mut r.supporting_trust_products);
        one_problem(
            &c,
            &format!("requirement t names policy {SID} of the wrong kind"),
        );
        let mut c = catalog(json!({}), json!({}));
        c.policies[0].requirements.supporting_trust_products[0]
            .policy_sids
            .clear();
        one_problem(&c, "requirement t accepts no policy");
    }

    #[test]
    fn policies_and_types_must_be_well_formed() {
        let c = catalog(json!({"sid": "RN1"}), json!({}));
        let p = c.problems();
        assert!(
            p.contains(&"policy RN1: SID is not RN + 32 hex".to_string()),
            "{p:?}"
        );
        let mut c = catalog(json!({}), json!({}));
        let twice = c.policies[0].clone();
        c = Catalog::new(
            vec![c.policies[0].clone(), twice],
            c.end_user_types.clone(),
            vec![],
        );
        assert!(c
            .problems()
            .contains(&format!("policy {SID}: listed twice")));
        one_problem(
            &catalog(
                json!({"bundle_kind": "customer_profile", "refuses_toll_free": true,
                       "requirements": {}}),
                json!({}),
            ),
            "refuses_toll_free applies to trust products only",
        );
        one_problem(
            &catalog(json!({}), json!({"values": []})),
            "end-user type info: field name allows no value",
        );
        let mut c = catalog(json!({}), json!({}));
        c.end_user_types[0].sid = "OY1".into();
        let c = Catalog::new(c.policies.clone(), c.end_user_types.clone(), vec![]);
        one_problem(&c, "end-user type info: SID is not OY + 32 hex");
    }

    #[test]
    fn requirements_must_name_known_types() {
        let unknown_end_user = catalog(
            json!({"requirements": {"end_user": [{"type": "nope", "name": "N",
                   "requirement_name": "n"}]}}),
            json!({}),
        );
        one_problem(
            &unknown_end_user,
            &format!("policy {SID}: requirement n names unknown end-user type nope"),
        );
        let doc = |accepted: serde_json::Value| {
            catalog(
                json!({"requirements": {"supporting_document": [[{"description": "d",
                       "name": "D", "requirement_name": "d", "accepted_documents": accepted}]]}}),
                json!({}),
            )
        };
        one_problem(
            &doc(json!(["nope"])),
            &format!("policy {SID}: requirement d names unknown document type nope"),
        );
        one_problem(
            &doc(json!([])),
            &format!("policy {SID}: requirement d accepts no document type"),
        );
    }

    #[test]
    fn status_rules_and_required_profiles() {
        let c = catalog(json!({}), json!({}));
        let entry = &c.policies[0].requirements.supporting_trust_products[0];
        for st in SUBMITTED_STATUSES {
            assert!(entry.counts(st), "{st:?}");
        }
        assert!(!entry.counts(Status::Draft) && !entry.counts(Status::TwilioRejected));
        assert_eq!(
            entry.status_names(),
            ["pending-review", "in-review", "twilio-approved"]
        );
        let mut only = entry.clone();
        only.statuses = Some(vec!["twilio-approved".into()]);
        assert!(only.counts(Status::TwilioApproved) && !only.counts(Status::InReview));
        assert_eq!(only.status_names(), ["twilio-approved"]);
        // No supporting profile at all, an optional one, a required one.
        let mut p = c.policies[0].clone();
        assert!(!p.requires_customer_profile());
        let mut profile = entry.clone();
        profile.optional = true;
        p.requirements.supporting_customer_profiles = vec![profile.clone()];
        assert!(!p.requires_customer_profile());
        profile.optional = false;
        p.requirements.supporting_customer_profiles.push(profile);
        assert!(p.requires_customer_profile());
    }

    #[test]
    fn toll_free_numbers_are_the_eight_hundreds() {
        for n in [
            "+18005550199",
            "+18335550100",
            "+18885550100",
            "+18445550100",
        ] {
            assert!(is_us_toll_free(n), "{n}");
        }
        for n in [
            "+15555550100",
            "+18015550100",
            "+1800555010",
            "+448005550100",
            "800",
        ] {
            assert!(!is_us_toll_free(n), "{n}");
        }
    }

    #[test]
    fn statuses_must_be_bundle_statuses() {
        let mut c = catalog(json!({}), json!({}));
        c.policies[0].requirements.supporting_trust_products[0].statuses =
            Some(vec!["twilio-approved".into(), "approved".into()]);
        one_problem(&c, "counts unknown status approved");
    }

    #[test]
    fn conditions_must_name_another_field_of_the_type() {
        for (cond, why) in [
            (
                json!({"required_when": {"field": "nope", "in": ["x"]}}),
                "(nope)",
            ),
            (
                json!({"allowed_when": {"field": "name", "in": ["x"]}}),
                "(name)",
            ),
        ] {
            one_problem(&catalog(json!({}), cond), why);
        }
    }

    #[test]
    fn field_rules_must_name_fields_and_parse() {
        let with_rules = |rules: serde_json::Value| {
            catalog(
                json!({"requirements": {"end_user": [{"type": "info", "name": "Info",
                    "requirement_name": "info", "field_rules": rules}]}}),
                json!({}),
            )
        };
        one_problem(
            &with_rules(json!({"nmae": {"max_length": 3}})),
            "names nmae",
        );
        one_problem(
            &with_rules(json!({"name": {"max_length": "x"}})),
            "field_rules.name",
        );
        // The description check runs on the policy's own rules too.
        one_problem(
            &with_rules(json!({"name": {"description": "At most 3 characters."}})),
            "field_rules.name: the description says \"At most 3 characters\"",
        );
        assert!(with_rules(
            json!({"name": {"max_length": 3, "description": "At most 3 characters."}})
        )
        .problems()
        .is_empty());
    }

    #[test]
    fn a_type_field_whose_description_lies_is_a_problem() {
        let c = catalog(json!({}), json!({"description": "In E.164."}));
        one_problem(
            &c,
            "end-user type info: field name: the description promises format e164",
        );
    }

    #[test]
    fn an_invalid_pattern_does_not_load() {
        let f = json!({"machine_name": "n", "friendly_name": "N", "constraint": "String",
                       "pattern": "[a-"});
        assert!(serde_json::from_value::<Field>(f).is_err());
        let p = Pattern::new("a|b").unwrap();
        assert!(
            p.is_match("a") && p.is_match("b") && !p.is_match("ab"),
            "alternation is anchored as a whole"
        );
        assert_eq!(serde_json::to_value(&p).unwrap(), json!("a|b"));
    }
}
