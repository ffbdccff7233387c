//! The catalog model: policies and the object types their requirements name.
//! Loaded from `catalog/*.json`; Twilio's wire shape is rendered from it in `http/catalog.rs`.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::bundle::BundleKind;

#[derive(Debug, Clone, Deserialize)]
pub struct Policy {
    pub sid: String,
    pub friendly_name: String,
    pub bundle_kind: BundleKind,
    /// Twilio creates these only in its Console (the Primary Customer Profile).
    #[serde(default)]
    pub console_only: bool,
    pub requirements: Requirements,
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
#[derive(Debug, Clone, Deserialize, Serialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Email,
    Url,
    E164,
    Integer,
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
            let r = &p.requirements;
            for e in &r.end_user {
                if self.end_user_type(&e.type_name).is_none() {
                    out.push(format!(
                        "policy {}: requirement {} names unknown end-user type {}",
                        p.sid, e.requirement_name, e.type_name
                    ));
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
                for f in &t.fields {
                    if f.values.as_ref().is_some_and(|v| v.is_empty()) {
                        out.push(format!(
                            "{label} {}: field {} allows no value",
                            t.machine_name, f.machine_name
                        ));
                    }
                }
            }
        }
        out
    }
}
