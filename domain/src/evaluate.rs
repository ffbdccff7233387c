//! (bundle's assigned objects, policy, catalog) → Twilio's evaluation: one result per
//! requirement saying what passed, what failed and why, with Twilio's error codes.

use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

use super::bundle::Status;
use super::policy::{BundleRequirement, Catalog, DocumentRequirement, EndUserRequirement, Policy};
use super::validate::{address_sids, check_in, FieldProblem};

pub const MISSING_END_USER: u32 = 22214;
pub const END_USER_FIELD: u32 = 22215;
pub const MISSING_DOCUMENT: u32 = 22216;
pub const DOCUMENT_FIELD: u32 = 22217;
pub const MISSING_ADDRESS: u32 = 22219;

/// An end user or supporting document as the rules see it (the engine here, and the
/// automatic reviewer in `reviewer.rs`).
pub struct Entity<'a> {
    pub sid: &'a str,
    pub type_name: &'a str,
    pub friendly_name: &'a str,
    pub attributes: &'a Value,
}

/// A customer profile or trust product assigned to the bundle being evaluated or reviewed.
pub struct SupportingBundle<'a> {
    pub sid: &'a str,
    pub policy_sid: &'a str,
    pub status: Status,
    /// Its rejection codes, when rejected.
    pub errors: Option<&'a [u32]>,
}

#[derive(Default)]
pub struct Assigned<'a> {
    pub end_users: Vec<Entity<'a>>,
    pub documents: Vec<Entity<'a>>,
    pub bundles: Vec<SupportingBundle<'a>>,
    /// The account's Addresses among those the documents name; `None` checks shape only.
    pub addresses: Option<HashSet<String>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldResult {
    pub friendly_name: String,
    pub object_field: String,
    pub failure_reason: Option<String>,
    pub error_code: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequirementResult {
    pub friendly_name: String,
    pub object_type: String,
    pub passed: bool,
    pub failure_reason: Option<String>,
    pub error_code: Option<u32>,
    pub valid: Vec<FieldResult>,
    pub invalid: Vec<FieldResult>,
    pub requirement_friendly_name: String,
    pub requirement_name: String,
}

impl RequirementResult {
    /// A met requirement with no field results yet; the caller records what it checks.
    fn passing(friendly_name: String, object_type: String, requirement_name: &str) -> Self {
        RequirementResult {
            friendly_name,
            object_type,
            passed: true,
            failure_reason: None,
            error_code: None,
            valid: vec![],
            invalid: vec![],
            requirement_friendly_name: title_case(requirement_name),
            requirement_name: requirement_name.to_string(),
        }
    }
}

pub struct Outcome {
    pub compliant: bool,
    pub results: Vec<RequirementResult>,
}

impl Outcome {
    /// "Business Information (22215): The Email …" for each failed requirement.
    pub fn failures(&self) -> Vec<String> {
        self.results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| {
                format!(
                    "{} ({}): {}",
                    r.requirement_name,
                    r.error_code.unwrap_or_default(),
                    r.failure_reason.as_deref().unwrap_or("failed")
                )
            })
            .collect()
    }
}

pub fn evaluate(policy: &Policy, catalog: &Catalog, assigned: &Assigned) -> Outcome {
    let r = &policy.requirements;
    let mut results: Vec<RequirementResult> = Vec::new();
    for req in &r.end_user {
        results.push(end_user_result(req, catalog, assigned));
    }
    for group in &r.supporting_document {
        if let Some(res) = document_group_result(group, catalog, assigned) {
            results.push(res);
        }
    }
    // Entries sharing a requirement_name are alternatives: any one satisfies it.
    let mut groups: Vec<Vec<&BundleRequirement>> = Vec::new();
    for req in r
        .supporting_customer_profiles
        .iter()
        .chain(&r.supporting_trust_products)
    {
        match groups
            .iter_mut()
            .find(|g| g[0].requirement_name == req.requirement_name)
        {
            Some(g) => g.push(req),
            None => groups.push(vec![req]),
        }
    }
    for group in groups {
        results.push(bundle_result(&group, assigned));
    }
    Outcome {
        compliant: results.iter().all(|r| r.passed),
        results,
    }
}

/// Checks every field of an object's type; returns (valid, invalid).
fn check_fields(
    type_fields: &[super::policy::Field],
    attributes: &Value,
    object_label: &str,
    field_code: u32,
    addresses: Option<&HashSet<String>>,
) -> (Vec<FieldResult>, Vec<FieldResult>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for f in type_fields {
        let value = attributes.get(&f.machine_name);
        let is_address = f.format == Some(super::policy::Format::AddressSids);
        let code = if is_address {
            MISSING_ADDRESS
        } else {
            field_code
        };
        let mut checked = check_in(f, attributes);
        if let (Ok(()), true, Some(known), Some(v)) = (&checked, is_address, addresses, value) {
            if let Some(gone) = address_sids(v).into_iter().find(|a| !known.contains(a)) {
                checked = Err(FieldProblem::Invalid(format!(
                    "names Address {gone}, which does not exist in this account"
                )));
            }
        }
        match checked {
            Ok(()) => valid.push(FieldResult {
                friendly_name: f.friendly_name.clone(),
                object_field: f.machine_name.clone(),
                failure_reason: None,
                error_code: None,
                passed: Some(true),
            }),
            Err(problem) => invalid.push(FieldResult {
                friendly_name: f.friendly_name.clone(),
                object_field: f.machine_name.clone(),
                failure_reason: Some(match problem {
                    FieldProblem::Missing if code == MISSING_ADDRESS => format!(
                        "The Address is missing. Please enter in the address shown on the {object_label}."
                    ),
                    FieldProblem::Missing => format!(
                        "The {} is missing. Please enter in a {} on the {object_label}.",
                        f.friendly_name, f.friendly_name
                    ),
                    FieldProblem::Invalid(why) => {
                        format!("The {} of {object_label} {why}.", f.friendly_name)
                    }
                }),
                error_code: Some(code),
                passed: None,
            }),
        }
    }
    (valid, invalid)
}

fn end_user_result(
    req: &EndUserRequirement,
    catalog: &Catalog,
    assigned: &Assigned,
) -> RequirementResult {
    // The catalog check refuses field_rules that do not apply, so an error cannot happen here.
    let fields = catalog
        .end_user_type(&req.type_name)
        .and_then(|t| req.fields(t).ok())
        .unwrap_or_default();
    let fields = fields.as_slice();
    let mut result = RequirementResult::passing(
        req.name.clone(),
        req.type_name.clone(),
        &req.requirement_name,
    );
    // Of several candidates, judge the one closest to passing.
    let best = assigned
        .end_users
        .iter()
        .filter(|e| e.type_name == req.type_name)
        .map(|e| check_fields(fields, e.attributes, &req.name, END_USER_FIELD, None))
        .min_by_key(|(_, invalid)| invalid.len());
    match best {
        None if req.optional => {}
        None => {
            let (_, invalid) = check_fields(fields, &Value::Null, &req.name, END_USER_FIELD, None);
            result.passed = false;
            result.error_code = Some(MISSING_END_USER);
            result.failure_reason = Some(format!(
                "{} {} End-User is missing. Please add one to the regulatory bundle.",
                article(&req.name),
                req.name
            ));
            result.invalid = invalid;
        }
        Some((valid, invalid)) => {
            if !invalid.is_empty() {
                result.passed = false;
                result.error_code = Some(END_USER_FIELD);
                result.failure_reason = Some(join_reasons(&invalid));
            }
            result.valid = valid;
            result.invalid = invalid;
        }
    }
    result
}

/// One result per group ("any one of"): the passing alternative, else the closest one.
fn document_group_result(
    group: &[DocumentRequirement],
    catalog: &Catalog,
    assigned: &Assigned,
) -> Option<RequirementResult> {
    let mut best: Option<(usize, RequirementResult)> = None;
    for req in group {
        for doc in assigned
            .documents
            .iter()
            .filter(|d| req.accepted_documents.iter().any(|t| t == d.type_name))
        {
            let fields = catalog
                .document_type(doc.type_name)
                .map(|t| t.fields.as_slice())
                .unwrap_or_default();
            let (valid, invalid) = check_fields(
                fields,
                doc.attributes,
                &req.name,
                DOCUMENT_FIELD,
                assigned.addresses.as_ref(),
            );
            let score = invalid.len();
            let passed = invalid.is_empty();
            let res = RequirementResult {
                friendly_name: req
                    .accepted_document_name
                    .clone()
                    .unwrap_or_else(|| req.name.clone()),
                object_type: doc.type_name.to_string(),
                passed,
                failure_reason: (!passed).then(|| join_reasons(&invalid)),
                error_code: invalid.first().and_then(|f| f.error_code),
                valid,
                invalid,
                requirement_friendly_name: title_case(&req.requirement_name),
                requirement_name: req.requirement_name.clone(),
            };
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, res));
            }
        }
    }
    if let Some((_, res)) = best {
        return Some(res);
    }
    let first = group.first()?;
    if group.iter().all(|r| r.optional) {
        return Some(RequirementResult::passing(
            first.name.clone(),
            first
                .accepted_documents
                .first()
                .cloned()
                .unwrap_or_default(),
            &first.requirement_name,
        ));
    }
    let names: Vec<&str> = group.iter().map(|r| r.name.as_str()).collect();
    Some(RequirementResult {
        friendly_name: first.name.clone(),
        object_type: first
            .accepted_documents
            .first()
            .cloned()
            .unwrap_or_default(),
        passed: false,
        failure_reason: Some(format!(
            "{} {} is missing. Please add one to the regulatory bundle.",
            article(&first.name),
            names.join(" or ")
        )),
        error_code: Some(MISSING_DOCUMENT),
        valid: vec![],
        invalid: vec![],
        requirement_friendly_name: title_case(&first.requirement_name),
        requirement_name: first.requirement_name.clone(),
    })
}

fn bundle_result(group: &[&BundleRequirement], assigned: &Assigned) -> RequirementResult {
    // Named after the entry an assigned bundle matches, else the group's first.
    let matches = |r: &BundleRequirement, b: &SupportingBundle| {
        r.policy_sids.iter().any(|p| p == b.policy_sid)
    };
    let req = group
        .iter()
        .find(|r| assigned.bundles.iter().any(|b| matches(r, b)))
        .copied()
        .unwrap_or(group[0]);
    let mut result = RequirementResult::passing(
        req.name.clone(),
        req.type_name.clone(),
        &req.requirement_name,
    );
    let candidates: Vec<&SupportingBundle> = assigned
        .bundles
        .iter()
        .filter(|b| group.iter().any(|r| matches(r, b)))
        .collect();
    let status_field = |reason: Option<String>| FieldResult {
        friendly_name: "Supporting Bundle Status".into(),
        object_field: "bundle_status".into(),
        error_code: reason.as_ref().map(|_| DOCUMENT_FIELD),
        passed: reason.is_none().then_some(true),
        failure_reason: reason,
    };
    // Each entry says which statuses count (catalog `statuses`; default: submitted).
    let counts = |b: &SupportingBundle| group.iter().any(|r| matches(r, b) && r.counts(b.status));
    if candidates.iter().any(|b| counts(b)) {
        result.valid.push(status_field(None));
    } else if let Some(b) = candidates.first() {
        let wanted = group
            .iter()
            .find(|r| matches(r, b))
            .map(|r| r.status_names())
            .unwrap_or_default();
        let reason = format!(
            "The {} {} is {}; it must be {} first.",
            req.name,
            b.sid,
            b.status.as_str(),
            wanted.join(" or ")
        );
        result.passed = false;
        result.error_code = Some(DOCUMENT_FIELD);
        result.failure_reason = Some(reason.clone());
        result.invalid.push(status_field(Some(reason)));
    } else if !group.iter().all(|r| r.optional) {
        // Integrators match Twilio's wording: "Primary customer profile bundle is null".
        result.passed = false;
        result.error_code = Some(MISSING_DOCUMENT);
        result.failure_reason = Some(format!(
            "{} bundle is null",
            sentence_case(&req.requirement_name)
        ));
    }
    result
}

/// `primary_customer_profile` → `Primary customer profile`.
fn sentence_case(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut c = words.trim().chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn join_reasons(invalid: &[FieldResult]) -> String {
    invalid
        .iter()
        .filter_map(|f| f.failure_reason.as_deref())
        .collect::<Vec<_>>()
        .join(" ")
}

fn article(name: &str) -> &'static str {
    match name.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "An",
        _ => "A",
    }
}

/// Twilio's `requirement_friendly_name` is the requirement name in title case
/// (`starter_customer_profile_information` → `Starter Customer Profile Information`).
fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
