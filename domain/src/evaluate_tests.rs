//! Catalog-driven tests of the engine: for every built-in policy, a bundle built from the
//! catalog alone is compliant, and each missing, malformed or unsubmitted piece fails
//! exactly the requirement it belongs to, with Twilio's error code.

use super::*;
use crate::bundle::ALL_STATUSES;
use crate::policy::{Field, Format, ObjectType};
use serde_json::{json, Value};

const ADDRESS_SID: &str = "AD0123456789abcdef0123456789abcdef";

fn catalog() -> Catalog {
    crate::catalog::built_in().expect("the built-in catalog parses")
}

/// One assigned object, owned so that a test can change it before evaluating.
#[derive(Clone)]
enum Item {
    EndUser(String, Value),
    Document(String, Value),
    Bundle(String, Status),
}

/// An assigned object and the requirement it is meant to satisfy.
#[derive(Clone)]
struct Part {
    requirement: String,
    optional: bool,
    item: Item,
}

fn run(policy: &Policy, catalog: &Catalog, parts: &[Part]) -> Outcome {
    run_with(policy, catalog, parts, None)
}

/// `run`, knowing which Addresses exist in the account (`None`: shape only).
fn run_with(
    policy: &Policy,
    catalog: &Catalog,
    parts: &[Part],
    addresses: Option<HashSet<String>>,
) -> Outcome {
    let mut a = Assigned {
        addresses,
        ..Assigned::default()
    };
    for p in parts {
        match &p.item {
            Item::EndUser(t, attributes) => a.end_users.push(entity("ITx", t, attributes)),
            Item::Document(t, attributes) => a.documents.push(entity("RDx", t, attributes)),
            Item::Bundle(policy_sid, status) => a.bundles.push(SupportingBundle {
                sid: "BUx",
                policy_sid,
                status: *status,
                errors: None,
            }),
        }
    }
    evaluate(policy, catalog, &a)
}

fn entity<'a>(sid: &'a str, type_name: &'a str, attributes: &'a Value) -> Entity<'a> {
    Entity {
        sid,
        type_name,
        friendly_name: "x",
        attributes,
    }
}

/// A value that satisfies every rule of the field.
fn good_value(f: &Field) -> String {
    if let Some(values) = &f.values {
        return values[0].clone();
    }
    match f.format {
        Some(Format::Email) => "ada@example.com".into(),
        Some(Format::Url) => "https://example.com".into(),
        Some(Format::E164) => "+15555550100".into(),
        Some(Format::Integer | Format::PositiveInteger) => "10".into(),
        Some(Format::AddressSids) => ADDRESS_SID.into(),
        None => {
            let n = f.min_length.unwrap_or(0).max(4);
            let n = n.min(f.max_length.unwrap_or(usize::MAX));
            "Acme".chars().cycle().take(n).collect()
        }
    }
}

/// Values that break the field, one per rule; `None` leaves the attribute out.
fn bad_values(f: &Field) -> Vec<Option<String>> {
    let mut bad = Vec::new();
    if f.required {
        bad.push(None);
    }
    if f.values.is_some() {
        bad.push(Some("NOT_AN_ALLOWED_VALUE".into()));
    }
    if let Some(format) = f.format {
        let v = match format {
            Format::Email => "not-an-email",
            Format::Url => "not a url",
            Format::E164 => "12345",
            Format::Integer => "ten",
            Format::PositiveInteger => "0",
            Format::AddressSids => "AD-bad",
        };
        bad.push(Some(v.into()));
    }
    if let Some(max) = f.max_length {
        bad.push(Some("x".repeat(max + 1)));
    }
    if f.pattern.is_some() {
        // Starts with a digit and carries a character no catalog pattern allows.
        bad.push(Some("1 BAD!".into()));
    }
    // A one-character minimum can only be broken by an empty value, which counts as missing.
    if let Some(min) = f.min_length.filter(|&m| m > 1) {
        bad.push(Some("x".repeat(min - 1)));
    }
    bad
}

/// Every field a good value; fields allowed only under a condition (A2P stock data, which
/// `good_value`'s first company_type does not meet) stay out.
fn attributes(fields: &[Field]) -> Value {
    fields
        .iter()
        .filter(|f| f.allowed_when.is_none())
        .map(|f| (f.machine_name.clone(), json!(good_value(f))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn document(catalog: &Catalog, type_name: &str) -> Item {
    let t = catalog.document_type(type_name).unwrap();
    Item::Document(type_name.into(), attributes(&t.fields))
}

/// Supporting-bundle entries grouped by requirement_name (entries sharing one are alternatives).
fn bundle_groups(policy: &Policy) -> Vec<Vec<&BundleRequirement>> {
    let r = &policy.requirements;
    let mut groups: Vec<Vec<&BundleRequirement>> = Vec::new();
    for b in r
        .supporting_customer_profiles
        .iter()
        .chain(&r.supporting_trust_products)
    {
        match groups
            .iter_mut()
            .find(|g| g[0].requirement_name == b.requirement_name)
        {
            Some(g) => g.push(b),
            None => groups.push(vec![b]),
        }
    }
    groups
}

/// A bundle satisfying every requirement, built from the catalog alone.
fn complete(policy: &Policy, catalog: &Catalog) -> Vec<Part> {
    let r = &policy.requirements;
    let part = |requirement: &str, optional, item| Part {
        requirement: requirement.into(),
        optional,
        item,
    };
    let mut parts = Vec::new();
    for e in &r.end_user {
        let t = catalog.end_user_type(&e.type_name).unwrap();
        let item = Item::EndUser(e.type_name.clone(), attributes(&e.fields(t).unwrap()));
        parts.push(part(&e.requirement_name, e.optional, item));
    }
    for g in r.supporting_document.iter().filter(|g| !g.is_empty()) {
        let item = document(catalog, &g[0].accepted_documents[0]);
        let optional = g.iter().all(|d| d.optional);
        parts.push(part(&g[0].requirement_name, optional, item));
    }
    for g in bundle_groups(policy) {
        let item = Item::Bundle(g[0].policy_sids[0].clone(), Status::TwilioApproved);
        let optional = g.iter().all(|b| b.optional);
        parts.push(part(&g[0].requirement_name, optional, item));
    }
    parts
}

/// The one failed result, asserting that it is the only failure and belongs to `requirement`.
fn only_failure<'o>(
    outcome: &'o Outcome,
    requirement: &str,
    context: &str,
) -> &'o RequirementResult {
    let failed: Vec<_> = outcome.results.iter().filter(|r| !r.passed).collect();
    assert_eq!(failed.len(), 1, "{context}: {:?}", outcome.failures());
    assert_eq!(failed[0].requirement_name, requirement, "{context}");
    assert!(!outcome.compliant, "{context}");
    failed[0]
}

fn reason(r: &RequirementResult) -> &str {
    r.failure_reason
        .as_deref()
        .expect("a failed result has a failure_reason")
}

fn assert_all_pass(outcome: &Outcome, context: &str) {
    assert!(outcome.compliant, "{context}: {:?}", outcome.failures());
    for r in &outcome.results {
        assert!(
            r.passed && r.error_code.is_none() && r.failure_reason.is_none(),
            "{context}: {r:?}"
        );
        assert!(r.invalid.is_empty(), "{context}: {r:?}");
    }
}

#[test]
fn a_bundle_built_from_the_catalog_satisfies_every_policy() {
    let c = catalog();
    assert!(!c.policies.is_empty());
    for p in &c.policies {
        let outcome = run(p, &c, &complete(p, &c));
        assert_all_pass(&outcome, &p.sid);
        let r = &p.requirements;
        let docs = r
            .supporting_document
            .iter()
            .filter(|g| !g.is_empty())
            .count();
        let expected = r.end_user.len() + docs + bundle_groups(p).len();
        assert_eq!(outcome.results.len(), expected, "{}", p.sid);
        let names = outcome.results.iter().map(|r| &r.requirement_name);
        let distinct: std::collections::BTreeSet<_> = names.collect();
        assert_eq!(
            distinct.len(),
            expected,
            "{}: distinct requirement names",
            p.sid
        );
    }
}

#[test]
fn removing_a_requirement_fails_only_that_requirement() {
    let c = catalog();
    for p in &c.policies {
        let parts = complete(p, &c);
        for (i, removed) in parts.iter().enumerate() {
            let mut rest = parts.clone();
            rest.remove(i);
            let outcome = run(p, &c, &rest);
            let context = format!("{} without {}", p.sid, removed.requirement);
            if removed.optional {
                assert_all_pass(&outcome, &context);
                continue;
            }
            let failed = only_failure(&outcome, &removed.requirement, &context);
            let code = match removed.item {
                Item::EndUser(..) => MISSING_END_USER,
                Item::Document(..) | Item::Bundle(..) => MISSING_DOCUMENT,
            };
            assert_eq!(failed.error_code, Some(code), "{context}");
            let wording = match removed.item {
                // Twilio's wording, which integrators match: "Primary customer profile bundle is null".
                Item::Bundle(..) => "bundle is null",
                _ => "is missing",
            };
            assert!(
                reason(failed).contains(wording),
                "{context}: {}",
                reason(failed)
            );
        }
    }
}

/// The parts with one attribute of the i-th object set, or removed when `value` is `None`.
fn with_attribute(parts: &[Part], i: usize, field: &str, value: Option<&str>) -> Vec<Part> {
    let mut changed = parts.to_vec();
    let (Item::EndUser(_, a) | Item::Document(_, a)) = &mut changed[i].item else {
        panic!("only end users and documents have attributes");
    };
    let a = a.as_object_mut().unwrap();
    match value {
        Some(v) => a.insert(field.into(), json!(v)),
        None => a.remove(field),
    };
    changed
}

/// Asserts that the broken field fails the requirement alone, with `code`, naming the field.
fn assert_field_fails(outcome: &Outcome, requirement: &str, f: &Field, code: u32, context: &str) {
    let failed = only_failure(outcome, requirement, context);
    assert_eq!(failed.error_code, Some(code), "{context}");
    assert_eq!(failed.invalid.len(), 1, "{context}: {:?}", failed.invalid);
    let field = &failed.invalid[0];
    assert_eq!(field.object_field, f.machine_name, "{context}");
    assert_eq!(field.error_code, Some(code), "{context}");
    // Twilio's wording for a missing address says "The Address", not the field's name.
    let field_reason = field.failure_reason.as_deref().unwrap();
    let names_field = field_reason.contains(&f.friendly_name)
        || (code == MISSING_ADDRESS && field_reason.starts_with("The Address is missing"));
    assert!(names_field, "{context}: {field_reason}");
    assert!(reason(failed).contains(field_reason), "{context}");
}

#[test]
fn a_bad_field_value_fails_only_its_requirement_and_names_the_field() {
    let c = catalog();
    let mut checked = 0;
    for p in &c.policies {
        let parts = complete(p, &c);
        for (i, part) in parts.iter().enumerate() {
            // An end user is judged by its type's fields with the policy's field_rules.
            let (type_name, object_code, fields) = match &part.item {
                Item::EndUser(t, _) => {
                    let req = p
                        .requirements
                        .end_user
                        .iter()
                        .find(|e| e.requirement_name == part.requirement);
                    (
                        t,
                        END_USER_FIELD,
                        req.unwrap().fields(c.end_user_type(t).unwrap()).unwrap(),
                    )
                }
                Item::Document(t, _) => (
                    t,
                    DOCUMENT_FIELD,
                    c.document_type(t).unwrap().fields.clone(),
                ),
                Item::Bundle(..) => continue,
            };
            for f in &fields {
                let code = match f.format {
                    Some(Format::AddressSids) => MISSING_ADDRESS,
                    _ => object_code,
                };
                for bad in bad_values(f) {
                    let broken = with_attribute(&parts, i, &f.machine_name, bad.as_deref());
                    let context = format!("{} {type_name}.{} = {bad:?}", p.sid, f.machine_name);
                    let outcome = run(p, &c, &broken);
                    assert_field_fails(&outcome, &part.requirement, f, code, &context);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn a_named_address_must_exist_and_a_missing_one_uses_twilios_wording() {
    let c = catalog();
    let mut checked = 0;
    for p in &c.policies {
        let parts = complete(p, &c);
        for (i, part) in parts.iter().enumerate() {
            let Item::Document(t, _) = &part.item else {
                continue;
            };
            let fields = &c.document_type(t).unwrap().fields;
            for f in fields
                .iter()
                .filter(|f| f.format == Some(Format::AddressSids))
            {
                let context = format!("{} {t}.{}", p.sid, f.machine_name);
                let known = HashSet::from([ADDRESS_SID.to_string()]);
                assert_all_pass(&run_with(p, &c, &parts, Some(known)), &context);

                let outcome = run_with(p, &c, &parts, Some(HashSet::new()));
                assert_field_fails(&outcome, &part.requirement, f, MISSING_ADDRESS, &context);
                let failed = only_failure(&outcome, &part.requirement, &context);
                let why = failed.invalid[0].failure_reason.as_deref().unwrap();
                let gone =
                    format!("names Address {ADDRESS_SID}, which does not exist in this account");
                assert!(why.contains(&gone), "{context}: {why}");

                if f.required {
                    let outcome = run(p, &c, &with_attribute(&parts, i, &f.machine_name, None));
                    let failed = only_failure(&outcome, &part.requirement, &context);
                    let why = failed.invalid[0].failure_reason.as_deref().unwrap();
                    let twilio =
                        "The Address is missing. Please enter in the address shown on the ";
                    assert!(why.starts_with(twilio), "{context}: {why}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn a_supporting_bundle_counts_in_the_statuses_its_entry_names() {
    let c = catalog();
    let mut approved_only = 0;
    for p in &c.policies {
        let parts = complete(p, &c);
        for (i, part) in parts.iter().enumerate() {
            let Item::Bundle(policy_sid, _) = &part.item else {
                continue;
            };
            let entry = bundle_groups(p)
                .into_iter()
                .flatten()
                .find(|b| {
                    b.requirement_name == part.requirement && b.policy_sids.contains(policy_sid)
                })
                .unwrap();
            if entry.statuses.is_some() {
                approved_only += 1;
            }
            for status in ALL_STATUSES {
                let mut changed = parts.clone();
                changed[i].item = Item::Bundle(policy_sid.clone(), status);
                let outcome = run(p, &c, &changed);
                let context = format!("{} {} {}", p.sid, part.requirement, status.as_str());
                if entry.counts(status) {
                    assert_all_pass(&outcome, &context);
                    continue;
                }
                let failed = only_failure(&outcome, &part.requirement, &context);
                assert_eq!(failed.error_code, Some(DOCUMENT_FIELD), "{context}");
                assert!(reason(failed).contains(status.as_str()), "{context}");
                for wanted in entry.status_names() {
                    assert!(
                        reason(failed).contains(&wanted),
                        "{context}: names {wanted}"
                    );
                }
                assert_eq!(failed.invalid.len(), 1, "{context}");
                assert_eq!(failed.invalid[0].error_code, failed.error_code);
            }
        }
    }
    assert!(
        approved_only > 0,
        "some entries count only approved bundles"
    );
}

#[test]
fn the_default_status_rule_counts_submitted_bundles_only() {
    let entry: BundleRequirement = serde_json::from_value(json!({
        "type": "t", "name": "n", "requirement_name": "r", "policy_sids": ["RNx"]
    }))
    .unwrap();
    let counted: Vec<Status> = ALL_STATUSES
        .into_iter()
        .filter(|s| entry.counts(*s))
        .collect();
    assert_eq!(counted, crate::policy::SUBMITTED_STATUSES);
    let approved: BundleRequirement = serde_json::from_value(json!({
        "type": "t", "name": "n", "requirement_name": "r", "policy_sids": ["RNx"],
        "statuses": ["twilio-approved"]
    }))
    .unwrap();
    let counted: Vec<Status> = ALL_STATUSES
        .into_iter()
        .filter(|s| approved.counts(*s))
        .collect();
    assert_eq!(counted, vec![Status::TwilioApproved]);
    assert_eq!(approved.status_names(), vec!["twilio-approved".to_string()]);
}

#[test]
fn starter_and_secondary_profiles_need_an_approved_primary() {
    // Twilio's Starter and Secondary API guides: the Primary must be twilio-approved.
    let c = catalog();
    for sid in [
        "RN806dd6cd175f314e1f96a9727ee271f4",
        "RNdfbf3fae0e1107f8aded0e7cead80bf5",
    ] {
        let p = c.policy(sid).unwrap();
        let mut parts = complete(p, &c);
        let primary = parts
            .iter()
            .position(|x| matches!(x.item, Item::Bundle(..)))
            .unwrap();
        parts[primary].item = Item::Bundle(
            "RN6433641899984f951173ef1738c3bdd0".into(),
            Status::InReview,
        );
        let outcome = run(p, &c, &parts);
        let failed = only_failure(&outcome, "primary_customer_profile", sid);
        assert!(reason(failed).contains("in-review"), "{}", reason(failed));
        assert!(
            reason(failed).contains("twilio-approved"),
            "{}",
            reason(failed)
        );
    }
}

#[test]
fn a_missing_supporting_bundle_uses_twilios_wording() {
    let c = catalog();
    let p = c.policy("RNdfbf3fae0e1107f8aded0e7cead80bf5").unwrap();
    let parts: Vec<Part> = complete(p, &c)
        .into_iter()
        .filter(|x| !matches!(x.item, Item::Bundle(..)))
        .collect();
    let outcome = run(p, &c, &parts);
    let failed = only_failure(&outcome, "primary_customer_profile", "no primary");
    assert_eq!(reason(failed), "Primary customer profile bundle is null");
    assert_eq!(failed.error_code, Some(MISSING_DOCUMENT));
    assert_eq!(super::sentence_case("customer_profile"), "Customer profile");
    assert_eq!(super::sentence_case("x"), "X");
    assert_eq!(super::sentence_case(""), "");
}

#[test]
fn any_alternative_of_the_catalog_satisfies_its_requirement() {
    let c = catalog();
    let (mut doc_alternatives, mut bundle_alternatives) = (0, 0);
    for p in &c.policies {
        let parts = complete(p, &c);
        for (i, part) in parts.iter().enumerate() {
            let items: Vec<Item> = match &part.item {
                Item::EndUser(..) => continue,
                Item::Document(..) => p
                    .requirements
                    .supporting_document
                    .iter()
                    .flatten()
                    .filter(|d| d.requirement_name == part.requirement)
                    .flat_map(|d| &d.accepted_documents)
                    .map(|t| document(&c, t))
                    .collect(),
                Item::Bundle(..) => bundle_groups(p)
                    .into_iter()
                    .flatten()
                    .filter(|b| b.requirement_name == part.requirement)
                    .flat_map(|b| &b.policy_sids)
                    .map(|s| Item::Bundle(s.clone(), Status::TwilioApproved))
                    .collect(),
            };
            let counter = match part.item {
                Item::Document(..) => &mut doc_alternatives,
                _ => &mut bundle_alternatives,
            };
            *counter += items.len() - 1;
            for item in items {
                let mut changed = parts.clone();
                changed[i].item = item;
                assert_all_pass(
                    &run(p, &c, &changed),
                    &format!("{} {}", p.sid, part.requirement),
                );
            }
        }
    }
    assert!(
        doc_alternatives > 0 && bundle_alternatives > 0,
        "the catalog has alternatives"
    );
}

/// Document groups [[id_card or passport], [utility_bill], [tax_form, optional]].
fn hand_built() -> Catalog {
    let doc = |name: &str, optional: bool| {
        json!({"description": name, "name": name, "requirement_name": name,
               "accepted_documents": [name], "optional": optional})
    };
    let policy = json!({
        "sid": "RN00000000000000000000000000000001", "friendly_name": "Test",
        "bundle_kind": "customer_profile",
        "requirements": {"supporting_document": [
            [doc("id_card", false), doc("passport", false)],
            [doc("utility_bill", false)],
            [doc("tax_form", true)]
        ]}
    });
    let doc_type = |name: &str| {
        json!({"sid": "OYx", "machine_name": name, "friendly_name": name, "fields": [
            {"machine_name": "number", "friendly_name": "Number", "constraint": "String",
             "required": true}
        ]})
    };
    let types = ["id_card", "passport", "utility_bill", "tax_form"].map(doc_type);
    Catalog::new(
        vec![serde_json::from_value(policy).unwrap()],
        vec![],
        serde_json::from_value(json!(types)).unwrap(),
    )
}

#[test]
fn an_inner_group_is_satisfied_by_any_one_item_and_every_outer_group_is_required() {
    let c = hand_built();
    let p = &c.policies[0];
    let doc = |t: &str, number: &str| Part {
        requirement: t.into(),
        optional: false,
        item: Item::Document(t.into(), json!({ "number": number })),
    };
    for alternative in ["id_card", "passport"] {
        let outcome = run(p, &c, &[doc(alternative, "42"), doc("utility_bill", "7")]);
        assert_all_pass(&outcome, alternative);
        assert_eq!(outcome.results[0].requirement_name, alternative);
    }
    let outcome = run(p, &c, &[doc("utility_bill", "7")]);
    let failed = only_failure(&outcome, "id_card", "no identity document");
    assert_eq!(failed.error_code, Some(MISSING_DOCUMENT));
    assert!(reason(failed).contains("id_card or passport"));
    let outcome = run(p, &c, &[doc("passport", "42")]);
    let failed = only_failure(&outcome, "utility_bill", "no utility bill");
    assert_eq!(failed.error_code, Some(MISSING_DOCUMENT));
    // The optional group: absent is fine; present, it is checked like any other.
    let mut parts = vec![doc("id_card", "1"), doc("utility_bill", "2")];
    assert_all_pass(&run(p, &c, &parts), "no tax form");
    parts.push(doc("tax_form", ""));
    let outcome = run(p, &c, &parts);
    let failed = only_failure(&outcome, "tax_form", "an empty tax form");
    assert_eq!(failed.error_code, Some(DOCUMENT_FIELD));
}

fn title_cased(name: &str) -> String {
    let word = |w: &str| w[..1].to_uppercase() + &w[1..];
    name.split('_').map(word).collect::<Vec<_>>().join(" ")
}

#[test]
fn results_serialize_in_twilio_key_order_with_a_title_cased_requirement_name() {
    const KEYS: [&str; 9] = [
        "friendly_name",
        "object_type",
        "passed",
        "failure_reason",
        "error_code",
        "valid",
        "invalid",
        "requirement_friendly_name",
        "requirement_name",
    ];
    assert_eq!(
        title_cased("customer_profile_address"),
        "Customer Profile Address"
    );
    let c = catalog();
    for p in &c.policies {
        let complete = run(p, &c, &complete(p, &c));
        let empty = evaluate(p, &c, &Assigned::default());
        for r in complete.results.iter().chain(&empty.results) {
            let v = serde_json::to_value(r).unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, KEYS, "{} {}", p.sid, r.requirement_name);
            assert_eq!(
                r.requirement_friendly_name,
                title_cased(&r.requirement_name)
            );
        }
    }
}

#[test]
fn a_document_result_is_named_by_accepted_document_name() {
    // catalog/README.md and Twilio's Starter evaluation fixture: "Legal Company Address".
    let c = catalog();
    let p = c.policy("RN806dd6cd175f314e1f96a9727ee271f4").unwrap();
    let outcome = run(p, &c, &complete(p, &c));
    let doc = &outcome.results[1];
    assert_eq!(doc.requirement_name, "customer_profile_address");
    assert_eq!(doc.friendly_name, "Legal Company Address");
}

#[test]
fn a_bundle_result_is_named_by_the_matching_entry() {
    // catalog/README.md: object_type/friendly_name come from the matching entry.
    let c = catalog();
    let p = c.policy("RNb0d4771c2c98518d916a3d4cd70a8f8b").unwrap();
    let mut parts = complete(p, &c);
    let secondary = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
    parts.last_mut().unwrap().item = Item::Bundle(secondary.into(), Status::TwilioApproved);
    let outcome = run(p, &c, &parts);
    let r = outcome.results.last().unwrap();
    assert_eq!(r.requirement_name, "customer_profile");
    assert_eq!(r.object_type, "secondary_customer_profile_type_business");
    assert_eq!(r.friendly_name, "Secondary Customer Profile Bundle");
}

#[test]
fn length_bounds_apply_to_the_value_as_stored() {
    // catalog/README.md: lengths and patterns apply to the value as stored (QA F7).
    let c = catalog();
    let p = c.policy("RNf3db3cd1fe25fcfd3c3ded065c8fea53").unwrap();
    let mut parts = complete(p, &c);
    let padded = json!({"cnam_display_name": " ABCDEFGHIJKLMNO "}); // 15 characters inside
    parts[0].item = Item::EndUser("cnam_information".into(), padded);
    let outcome = run(p, &c, &parts);
    let failed = only_failure(&outcome, "cnam_information", "padded CNAM name");
    assert!(reason(failed).contains("at most 15"), "{}", reason(failed));
    let exact = json!({"cnam_display_name": "ABCDEFGHIJKLMNO"});
    parts[0].item = Item::EndUser("cnam_information".into(), exact);
    assert_all_pass(&run(p, &c, &parts), "15 characters");
}

/// A2P brand information: stock data and the contact email are required for public
/// companies only (Twilio's A2P guides).
#[test]
fn a2p_public_companies_need_stock_data_and_a_contact_email() {
    let c = catalog();
    let p = c.policy("RNb0d4771c2c98518d916a3d4cd70a8f8b").unwrap();
    let base = complete(p, &c);
    let i = base
        .iter()
        .position(|x| matches!(&x.item, Item::EndUser(t, _) if t == "us_a2p_messaging_profile_information"))
        .unwrap();
    let with = |attrs: Value| {
        let mut parts = base.clone();
        parts[i].item = Item::EndUser("us_a2p_messaging_profile_information".into(), attrs);
        run(p, &c, &parts)
    };
    for private in ["private", "non_profit", "government"] {
        assert_all_pass(&with(json!({"company_type": private})), private);
    }
    let outcome = with(json!({"company_type": "public"}));
    let failed = only_failure(
        &outcome,
        "us_a2p_messaging_profile_information",
        "bare public",
    );
    let fields: Vec<&str> = failed
        .invalid
        .iter()
        .map(|f| f.object_field.as_str())
        .collect();
    assert_eq!(
        fields,
        ["stock_exchange", "stock_ticker", "brand_contact_email"]
    );
    assert_all_pass(
        &with(json!({"company_type": "public", "stock_exchange": "NASDAQ",
                     "stock_ticker": "ACME", "brand_contact_email": "ir@acme.com"})),
        "complete public",
    );
    // The old spelling is not an allowed value: it names the allowed list.
    let outcome = with(json!({"company_type": "non-profit"}));
    let failed = only_failure(
        &outcome,
        "us_a2p_messaging_profile_information",
        "non-profit",
    );
    assert!(
        reason(failed).contains("\"non-profit\""),
        "{}",
        reason(failed)
    );
    assert!(reason(failed).contains("non_profit"), "{}", reason(failed));
    // QA F4: the ISV guide says to omit the stock data unless the company is public.
    for company in ["private", "non_profit", "government"] {
        let outcome = with(json!({"company_type": company, "stock_exchange": "NASDAQ",
                                  "stock_ticker": "ACME"}));
        let failed = only_failure(&outcome, "us_a2p_messaging_profile_information", company);
        let fields: Vec<&str> = failed
            .invalid
            .iter()
            .map(|f| f.object_field.as_str())
            .collect();
        assert_eq!(fields, ["stock_exchange", "stock_ticker"], "{company}");
        assert!(
            reason(failed)
                .contains("The Stock Ticker of US A2P Messaging Profile Information must be empty unless company_type is \"public\""),
            "{}",
            reason(failed)
        );
    }
}

/// QA F6: Basic US Branded Calling display names: Twilio's regulation pattern with a literal
/// space (no tabs, newlines or other blanks), 2 to 15 characters, and a message that says
/// which rule failed.
#[test]
fn basic_branded_calling_display_names() {
    let c = catalog();
    let p = c.policy("RNca63d1066fbd5e44eac02d0b3cf6d019").unwrap();
    let e = p
        .requirements
        .end_user
        .iter()
        .find(|e| e.type_name == "branded_calls_information")
        .unwrap();
    let fields = e.fields(c.end_user_type(&e.type_name).unwrap()).unwrap();
    let f = fields
        .iter()
        .find(|f| f.machine_name == "branded_calls_display_name")
        .unwrap();
    use crate::validate::{check, FieldProblem};
    for ok in ["Acme", "Acme Co.", "AB", "Acme, Inc 24"] {
        assert_eq!(check(f, Some(&json!(ok))), Ok(()), "{ok}");
    }
    for blank in ["Acme\tCo", "Acme\nCo", "Acme\u{a0}Co", "Acme\u{3000}Co"] {
        assert!(
            matches!(check(f, Some(&json!(blank))), Err(FieldProblem::Invalid(why)) if why.contains("must start with a letter")),
            "{blank:?}"
        );
    }
    assert_eq!(
        check(f, Some(&json!("A"))),
        Err(FieldProblem::Invalid(
            "is too short (at least 2 characters)".into()
        ))
    );
}

#[test]
fn cnam_display_names_follow_the_character_rule() {
    // Twilio's CNAM guide: starts with a letter; letters, digits, spaces, periods, commas; ≤ 15.
    let c = catalog();
    let p = c.policy("RNf3db3cd1fe25fcfd3c3ded065c8fea53").unwrap();
    let mut parts = complete(p, &c);
    let mut name = |v: &str| {
        parts[0].item = Item::EndUser("cnam_information".into(), json!({"cnam_display_name": v}));
        run(p, &c, &parts)
    };
    for ok in ["BLUEFIN", "Blue Fin, Inc.", "ABCDEFGHIJKLMNO", "A1"] {
        assert_all_pass(&name(ok), ok);
    }
    for bad in ["1BLUEFIN", "BLUE-FIN!", "BLUEFIN & CO", "ABCDEFGHIJKLMNOP"] {
        let outcome = name(bad);
        let failed = only_failure(&outcome, "cnam_information", bad);
        assert_eq!(failed.error_code, Some(END_USER_FIELD), "{bad}");
    }
}

#[test]
fn field_rules_override_the_type_for_one_policy() {
    let mut c = hand_built();
    let t: ObjectType = serde_json::from_value(json!({
    "sid": "OYx", "machine_name": "info", "friendly_name": "Info", "fields": [
        {"machine_name": "name", "friendly_name": "Name", "constraint": "String",
         "required": true, "max_length": 35}
    ]}))
    .unwrap();
    let strict: EndUserRequirement = serde_json::from_value(json!({
        "type": "info", "name": "Info", "requirement_name": "info",
        "field_rules": {"name": {"max_length": 15, "pattern": "[A-Z ]+",
                                  "pattern_description": "must be capital letters"}}
    }))
    .unwrap();
    let fields = strict.fields(&t).unwrap();
    assert_eq!(fields[0].max_length, Some(15));
    assert!(fields[0].required, "keys not overridden stay");
    let unknown: EndUserRequirement = serde_json::from_value(json!({
        "type": "info", "name": "Info", "requirement_name": "info",
        "field_rules": {"nmae": {"max_length": 15}}
    }))
    .unwrap();
    assert!(unknown.fields(&t).unwrap_err().contains("nmae"));
    let malformed: EndUserRequirement = serde_json::from_value(json!({
        "type": "info", "name": "Info", "requirement_name": "info",
        "field_rules": {"name": {"max_length": "fifteen"}}
    }))
    .unwrap();
    assert!(malformed.fields(&t).is_err());
    let not_object: EndUserRequirement = serde_json::from_value(json!({
        "type": "info", "name": "Info", "requirement_name": "info",
        "field_rules": {"name": 15}
    }))
    .unwrap();
    assert!(not_object.fields(&t).is_err());
    // Evaluated: the same value passes the type's rule and fails the policy's.
    c = Catalog::new(
        vec![serde_json::from_value(json!({
            "sid": "RN00000000000000000000000000000002", "friendly_name": "Strict",
            "bundle_kind": "trust_product",
            "requirements": {"end_user": [{"type": "info", "name": "Info",
                "requirement_name": "info", "field_rules": strict.field_rules}]}
        }))
        .unwrap()],
        vec![t],
        c.supporting_document_types.clone(),
    );
    let p = &c.policies[0];
    let eu = |v: &str| Part {
        requirement: "info".into(),
        optional: false,
        item: Item::EndUser("info".into(), json!({ "name": v })),
    };
    assert_all_pass(&run(p, &c, &[eu("ACME CO")]), "short capitals");
    let outcome = run(p, &c, &[eu("ACME CORPORATION OF AMERICA")]);
    assert!(reason(only_failure(&outcome, "info", "long")).contains("at most 15"));
    let outcome = run(p, &c, &[eu("Acme")]);
    assert!(reason(only_failure(&outcome, "info", "lower")).contains("must be capital letters"));
    let problems = c.problems();
    assert!(
        !problems.iter().any(|p| p.contains("field_rules")),
        "{problems:?}"
    );
}

/// End-user types `info` and `biz` and document type `proof`, each with two required fields
/// `a` and `b`; one policy requiring one of each.
fn two_fields() -> Catalog {
    let field = |m: &str, f: &str| json!({"machine_name": m, "friendly_name": f, "constraint": "String", "required": true});
    let t = |m: &str| {
        json!({"sid": "OYx", "machine_name": m, "friendly_name": m,
               "fields": [field("a", "A"), field("b", "B")]})
    };
    let policy = json!({
        "sid": "RN00000000000000000000000000000002", "friendly_name": "Two",
        "bundle_kind": "customer_profile",
        "requirements": {
            "end_user": [
                {"type": "info", "name": "Information", "requirement_name": "information"},
                {"type": "biz", "name": "Business", "requirement_name": "business"}
            ],
            "supporting_document": [[{"description": "p", "name": "proof",
                "requirement_name": "proof", "accepted_documents": ["proof"]}]]
        }
    });
    Catalog::new(
        vec![serde_json::from_value(policy).unwrap()],
        vec![
            serde_json::from_value(t("info")).unwrap(),
            serde_json::from_value(t("biz")).unwrap(),
        ],
        vec![serde_json::from_value(t("proof")).unwrap()],
    )
}

fn part(item: Item) -> Part {
    Part {
        requirement: String::new(),
        optional: false,
        item,
    }
}

fn end_user(t: &str, v: Value) -> Part {
    part(Item::EndUser(t.into(), v))
}

fn proof(v: Value) -> Part {
    part(Item::Document("proof".into(), v))
}

#[test]
fn of_several_end_users_the_one_closest_to_passing_is_judged() {
    let c = two_fields();
    let p = &c.policies[0];
    let full = json!({"a": "1", "b": "2"});
    let rest = [end_user("biz", full.clone()), proof(full.clone())];
    for order in [
        [json!({}), json!({"a": "1"})],
        [json!({"a": "1"}), json!({})],
    ] {
        let mut parts: Vec<Part> = order.iter().map(|v| end_user("info", v.clone())).collect();
        parts.extend(rest.iter().cloned());
        let outcome = run(p, &c, &parts);
        let failed = only_failure(&outcome, "information", "one field missing at best");
        assert_eq!(failed.error_code, Some(END_USER_FIELD));
        assert_eq!(failed.invalid.len(), 1, "{failed:?}");
        assert_eq!(failed.invalid[0].object_field, "b");
        assert_eq!(
            reason(failed),
            "The B is missing. Please enter in a B on the Information."
        );
        assert_eq!(failed.valid.len(), 1);
        assert_eq!(
            outcome.failures(),
            ["information (22215): The B is missing. Please enter in a B on the Information."]
        );
    }
    for order in [[json!({}), full.clone()], [full.clone(), json!({})]] {
        let mut parts: Vec<Part> = order.iter().map(|v| end_user("info", v.clone())).collect();
        parts.extend(rest.iter().cloned());
        assert_all_pass(&run(p, &c, &parts), "a complete one passes");
    }
}

#[test]
fn of_several_documents_the_one_closest_to_passing_is_judged() {
    let c = two_fields();
    let p = &c.policies[0];
    let full = json!({"a": "1", "b": "2"});
    let rest = [
        end_user("info", full.clone()),
        end_user("biz", full.clone()),
    ];
    for order in [
        [json!({}), json!({"a": "1"})],
        [json!({"a": "1"}), json!({})],
    ] {
        let mut parts: Vec<Part> = order.iter().map(|v| proof(v.clone())).collect();
        parts.extend(rest.iter().cloned());
        let outcome = run(p, &c, &parts);
        let failed = only_failure(&outcome, "proof", "one field missing at best");
        assert_eq!(failed.error_code, Some(DOCUMENT_FIELD));
        assert_eq!(failed.invalid.len(), 1, "{failed:?}");
        assert_eq!(
            reason(failed),
            "The B is missing. Please enter in a B on the proof."
        );
    }
    for order in [[json!({}), full.clone()], [full.clone(), json!({})]] {
        let mut parts: Vec<Part> = order.iter().map(|v| proof(v.clone())).collect();
        parts.extend(rest.iter().cloned());
        assert_all_pass(&run(p, &c, &parts), "a complete one passes");
    }
    // Equally close alternatives: the first one of the group is reported.
    let c = hand_built();
    let p = &c.policies[0];
    let doc = |t: &str, number: &str| part(Item::Document(t.into(), json!({ "number": number })));
    for order in [
        [doc("passport", ""), doc("id_card", "")],
        [doc("id_card", ""), doc("passport", "")],
    ] {
        let mut parts = order.to_vec();
        parts.push(doc("utility_bill", "7"));
        let outcome = run(p, &c, &parts);
        let failed = only_failure(&outcome, "id_card", "both empty");
        assert_eq!(failed.object_type, "id_card");
    }
}

#[test]
fn missing_objects_are_named_with_the_right_article() {
    let c = two_fields();
    let p = &c.policies[0];
    let full = json!({"a": "1", "b": "2"});
    let outcome = run(p, &c, &[end_user("biz", full.clone()), proof(full.clone())]);
    let failed = only_failure(&outcome, "information", "no information");
    assert_eq!(failed.error_code, Some(MISSING_END_USER));
    assert_eq!(
        reason(failed),
        "An Information End-User is missing. Please add one to the regulatory bundle."
    );
    let missing: Vec<_> = failed
        .invalid
        .iter()
        .map(|f| f.failure_reason.clone().unwrap())
        .collect();
    assert_eq!(
        missing,
        [
            "The A is missing. Please enter in a A on the Information.",
            "The B is missing. Please enter in a B on the Information."
        ]
    );
    let outcome = run(
        p,
        &c,
        &[end_user("info", full.clone()), proof(full.clone())],
    );
    let failed = only_failure(&outcome, "business", "no business");
    assert_eq!(
        reason(failed),
        "A Business End-User is missing. Please add one to the regulatory bundle."
    );
    let outcome = run(
        p,
        &c,
        &[end_user("info", full.clone()), end_user("biz", full)],
    );
    let failed = only_failure(&outcome, "proof", "no proof");
    assert_eq!(failed.error_code, Some(MISSING_DOCUMENT));
    assert_eq!(
        reason(failed),
        "A proof is missing. Please add one to the regulatory bundle."
    );
    let c = hand_built();
    let outcome = run(
        &c.policies[0],
        &c,
        &[part(Item::Document(
            "utility_bill".into(),
            json!({"number": "7"}),
        ))],
    );
    let failed = only_failure(&outcome, "id_card", "no identity");
    assert_eq!(
        reason(failed),
        "An id_card or passport is missing. Please add one to the regulatory bundle."
    );
    for (name, a) in [
        ("Information", "An"),
        ("umbrella", "An"),
        ("Ein", "An"),
        ("x", "A"),
        ("", "A"),
    ] {
        assert_eq!(article(name), a, "{name}");
    }
    assert_eq!(
        sentence_case("primary_customer_profile"),
        "Primary customer profile"
    );
    assert_eq!(title_case("a__b_c"), "A B C");
}
