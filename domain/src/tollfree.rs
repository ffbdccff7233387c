//! Toll-free verifications (`/v1/Tollfree/Verifications`, Messaging v1): what a create or
//! an edit may carry, as pure rules over the request's parameters.
//!
//! Sources: the parameters, the create's required set and the enums are those of
//! `CreateTollfreeVerification` / `UpdateTollfreeVerification` in Twilio's Messaging spec
//! (`openapi/twilio_messaging_v1.json`); the `MessageVolume` values, the toll-free area
//! codes and error 30436 come from Twilio's toll-free verification resource page and
//! error dictionary. Limits Twilio does not publish (text lengths, list sizes) are ours
//! and listed in the README ("Toll-free verifications").
//!
//! A request's fields become a map of the resource's snake_case properties
//! ([`Fields`]): strings, lists of strings, a boolean, or `null` for an optional field an
//! edit clears. The service stores that map and renders it back unchanged.

use serde_json::{Map, Value};

use super::validate::{is_e164, is_email, is_url, shown};

/// `UseCaseCategories` (`tollfree_verification_enum_use_case_categories`).
pub const USE_CASE_CATEGORIES: [&str; 14] = [
    "TWO_FACTOR_AUTHENTICATION",
    "ACCOUNT_NOTIFICATIONS",
    "CUSTOMER_CARE",
    "CHARITY_NONPROFIT",
    "DELIVERY_NOTIFICATIONS",
    "FRAUD_ALERT_MESSAGING",
    "EVENTS",
    "HIGHER_EDUCATION",
    "K12",
    "MARKETING",
    "POLLING_AND_VOTING_NON_POLITICAL",
    "POLITICAL_ELECTION_CAMPAIGNS",
    "PUBLIC_SERVICE_ANNOUNCEMENT",
    "SECURITY_ALERT",
];

/// `OptInType` (`tollfree_verification_enum_opt_in_type`).
pub const OPT_IN_TYPES: [&str; 7] = [
    "VERBAL",
    "WEB_FORM",
    "PAPER_FORM",
    "VIA_TEXT",
    "MOBILE_QR_CODE",
    "IMPORT",
    "IMPORT_PLEASE_REPLACE",
];

/// `BusinessType` (`tollfree_verification_enum_business_type`).
pub const BUSINESS_TYPES: [&str; 5] = [
    "PRIVATE_PROFIT",
    "PUBLIC_PROFIT",
    "SOLE_PROPRIETOR",
    "NON_PROFIT",
    "GOVERNMENT",
];

/// `BusinessRegistrationAuthority`
/// (`tollfree_verification_enum_business_registration_authority`).
pub const REGISTRATION_AUTHORITIES: [&str; 18] = [
    "EIN",
    "CBN",
    "CRN",
    "PROVINCIAL_NUMBER",
    "VAT",
    "ACN",
    "ABN",
    "BRN",
    "SIREN",
    "SIRET",
    "NZBN",
    "USt-IdNr",
    "CIF",
    "NIF",
    "CNPJ",
    "UID",
    "NEQ",
    "OTHER",
];

/// `VettingProvider` (`tollfree_verification_enum_vetting_provider`).
pub const VETTING_PROVIDERS: [&str; 1] = ["CAMPAIGN_VERIFY"];

/// `MessageVolume`: the estimated monthly volumes Twilio's toll-free verification form
/// and resource page offer (the spec types it as a plain string).
pub const MESSAGE_VOLUMES: [&str; 11] = [
    "10",
    "100",
    "1,000",
    "10,000",
    "100,000",
    "250,000",
    "500,000",
    "750,000",
    "1,000,000",
    "5,000,000",
    "10,000,000+",
];

/// Longest name-like value (business name, address lines, contact names), in characters.
pub const MAX_SHORT_TEXT: usize = 255;
/// Longest free text (use-case summary, sample messages, additional information).
pub const MAX_LONG_TEXT: usize = 5000;
/// Longest `VettingId` (the spec's `vetting_id` has `maxLength: 500`).
pub const MAX_VETTING_ID: usize = 500;
/// Most items a list parameter (`OptInImageUrls`, `OptInKeywords`) may carry.
pub const MAX_LIST_ITEMS: usize = 20;
/// Longest opt-in keyword.
pub const MAX_KEYWORD: usize = 50;

/// What a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Up to this many characters.
    Text(usize),
    Email,
    /// A website as people type it: `https://acme.com` or a bare `www.acme.com`.
    Website,
    /// An absolute http(s) URL (the spec's `format: uri` on the way out).
    Url,
    /// E.164.
    Phone,
    /// ISO-3166 alpha-2 (either case; stored upper-case).
    Country,
    Bool,
    /// One of these values, exactly as spelled.
    Enum(&'static [&'static str]),
    /// A repeated parameter: a list of these values (duplicates dropped, order kept).
    EnumList(&'static [&'static str]),
    /// A repeated parameter: a list of absolute http(s) URLs.
    UrlList,
    /// A repeated parameter: a list of short words.
    WordList,
}

/// When a parameter may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Create only, required there.
    CreateRequired,
    /// Required on create, editable (but never emptied) by an update.
    Required,
    /// Optional on create, editable (and clearable with an empty value) by an update.
    Optional,
    /// Optional on create, not editable.
    CreateOnly,
    /// Update only.
    UpdateOnly,
}

struct Param {
    name: &'static str,
    property: &'static str,
    kind: Kind,
    used: Use,
}

const fn p(name: &'static str, property: &'static str, kind: Kind, used: Use) -> Param {
    Param {
        name,
        property,
        kind,
        used,
    }
}

const SHORT: Kind = Kind::Text(MAX_SHORT_TEXT);
const LONG: Kind = Kind::Text(MAX_LONG_TEXT);

/// Every parameter of the create and the update, in the spec's order.
#[rustfmt::skip]
const PARAMS: [Param; 38] = [
    p("BusinessName", "business_name", SHORT, Use::Required),
    p("BusinessWebsite", "business_website", Kind::Website, Use::Required),
    p("NotificationEmail", "notification_email", Kind::Email, Use::Required),
    p("UseCaseCategories", "use_case_categories", Kind::EnumList(&USE_CASE_CATEGORIES), Use::Required),
    p("UseCaseSummary", "use_case_summary", LONG, Use::Required),
    p("ProductionMessageSample", "production_message_sample", LONG, Use::Required),
    p("OptInImageUrls", "opt_in_image_urls", Kind::UrlList, Use::Required),
    p("OptInType", "opt_in_type", Kind::Enum(&OPT_IN_TYPES), Use::Required),
    p("MessageVolume", "message_volume", Kind::Enum(&MESSAGE_VOLUMES), Use::Required),
    p("TollfreePhoneNumberSid", "tollfree_phone_number_sid", Kind::Text(34), Use::CreateRequired),
    p("CustomerProfileSid", "customer_profile_sid", Kind::Text(34), Use::CreateOnly),
    p("BusinessStreetAddress", "business_street_address", SHORT, Use::Optional),
    p("BusinessStreetAddress2", "business_street_address2", SHORT, Use::Optional),
    p("BusinessCity", "business_city", SHORT, Use::Optional),
    p("BusinessStateProvinceRegion", "business_state_province_region", SHORT, Use::Optional),
    p("BusinessPostalCode", "business_postal_code", SHORT, Use::Optional),
    p("BusinessCountry", "business_country", Kind::Country, Use::Optional),
    p("AdditionalInformation", "additional_information", LONG, Use::Optional),
    p("BusinessContactFirstName", "business_contact_first_name", SHORT, Use::Optional),
    p("BusinessContactLastName", "business_contact_last_name", SHORT, Use::Optional),
    p("BusinessContactEmail", "business_contact_email", Kind::Email, Use::Optional),
    p("BusinessContactPhone", "business_contact_phone", Kind::Phone, Use::Optional),
    p("ExternalReferenceId", "external_reference_id", SHORT, Use::CreateOnly),
    p("BusinessRegistrationNumber", "business_registration_number", SHORT, Use::Optional),
    p("BusinessRegistrationAuthority", "business_registration_authority", Kind::Enum(&REGISTRATION_AUTHORITIES), Use::Optional),
    p("BusinessRegistrationCountry", "business_registration_country", Kind::Country, Use::Optional),
    p("BusinessType", "business_type", Kind::Enum(&BUSINESS_TYPES), Use::Optional),
    p("BusinessRegistrationPhoneNumber", "business_registration_phone_number", Kind::Phone, Use::Optional),
    p("DoingBusinessAs", "doing_business_as", SHORT, Use::Optional),
    p("OptInConfirmationMessage", "opt_in_confirmation_message", LONG, Use::Optional),
    p("HelpMessageSample", "help_message_sample", LONG, Use::Optional),
    p("PrivacyPolicyUrl", "privacy_policy_url", Kind::Url, Use::Optional),
    p("TermsAndConditionsUrl", "terms_and_conditions_url", Kind::Url, Use::Optional),
    p("AgeGatedContent", "age_gated_content", Kind::Bool, Use::Optional),
    p("OptInKeywords", "opt_in_keywords", Kind::WordList, Use::Optional),
    p("VettingProvider", "vetting_provider", Kind::Enum(&VETTING_PROVIDERS), Use::Optional),
    p("VettingId", "vetting_id", Kind::Text(MAX_VETTING_ID), Use::Optional),
    p("EditReason", "edit_reason", LONG, Use::UpdateOnly),
];

/// The properties that are stored and rendered: every parameter's but `EditReason`'s
/// (the edit's note, kept with the edit, not as a property).
pub fn stored(property: &str) -> bool {
    property != "edit_reason"
}

/// The properties a verification renders from its fields, in the spec's order.
pub fn properties() -> impl Iterator<Item = &'static str> {
    PARAMS.iter().map(|p| p.property).filter(|p| stored(p))
}

/// Which request is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// Why a request is refused; the service turns it into Twilio's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required parameter is absent or empty: 400 / 20001 "Missing required parameter".
    Missing(&'static str),
    /// A value is outside what its parameter takes: 400 with this code and message.
    Invalid { code: u32, message: String },
}

impl Problem {
    fn invalid(message: String) -> Self {
        Problem::Invalid {
            code: 20001,
            message,
        }
    }
}

/// Twilio's error for a `TollfreePhoneNumberSid` that is malformed, unknown, another
/// account's or not toll-free ("Invalid Phone Number SID"; one message for the first
/// three, so nothing about other accounts' numbers leaks).
pub const INVALID_NUMBER_SID: u32 = 30436;

/// The 30436 refusal for a SID that is malformed, unknown or another account's.
pub fn invalid_number_sid(sid: &str) -> Problem {
    Problem::Invalid {
        code: INVALID_NUMBER_SID,
        message: format!(
            "TollfreePhoneNumberSid {} is not the SID of a toll-free phone number of this account (PN followed by 32 hex digits; see IncomingPhoneNumbers)",
            shown(sid)
        ),
    }
}

/// The 30436 refusal for the account's own number that is not a US/Canada toll-free
/// number (`+1` 800, 833, 844, 855, 866, 877, 888).
pub fn not_toll_free(sid: &str, number: &str) -> Problem {
    Problem::Invalid {
        code: INVALID_NUMBER_SID,
        message: format!(
            "TollfreePhoneNumberSid {sid} is {number}, which is not a toll-free number: toll-free verification takes +1 800, 833, 844, 855, 866, 877 or 888 numbers"
        ),
    }
}

/// A request's fields: property → value (see the module's docs).
pub type Fields = Map<String, Value>;

/// Parses and checks a create's or an update's parameters (the form's pairs, repeated keys
/// for lists). A create must carry every required parameter; an update carries the
/// fields it changes (an empty optional value clears the field; a required one cannot be
/// emptied). Parameters of the other operation and unknown ones are ignored, as
/// everywhere in this server. The first problem found is returned.
///
/// `TollfreePhoneNumberSid` is checked for its shape only (30436); `CustomerProfileSid`
/// likewise (20001): whether they name the account's own resources is the service's
/// question to the store.
pub fn parse(op: Operation, params: &[(String, String)]) -> Result<Fields, Problem> {
    let mut fields = Fields::new();
    for param in &PARAMS {
        let other_operations = matches!(
            (op, param.used),
            (Operation::Create, Use::UpdateOnly)
                | (Operation::Update, Use::CreateRequired | Use::CreateOnly)
        );
        if other_operations {
            continue;
        }
        let values: Vec<&str> = params
            .iter()
            .filter(|(k, _)| k == param.name)
            .map(|(_, v)| v.as_str())
            .collect();
        let list = matches!(
            param.kind,
            Kind::EnumList(_) | Kind::UrlList | Kind::WordList
        );
        // A list's empty items are dropped (a client sending `[]` sends nothing at all).
        let given: Vec<&str> = if list {
            values
                .iter()
                .copied()
                .filter(|v| !v.trim().is_empty())
                .collect()
        } else {
            values.first().copied().into_iter().collect()
        };
        let required_here = match param.used {
            Use::CreateRequired | Use::Required => op == Operation::Create,
            _ => false,
        };
        let empty = given.iter().all(|v| v.trim().is_empty());
        if empty {
            if required_here {
                return Err(Problem::Missing(param.name));
            }
            if values.is_empty() {
                continue; // not sent
            }
            if op == Operation::Update && param.used == Use::Required {
                return Err(Problem::invalid(format!(
                    "{} cannot be emptied: it is required (send a new value, or leave it out to keep it)",
                    param.name
                )));
            }
            if op == Operation::Update {
                fields.insert(param.property.into(), Value::Null);
            }
            continue;
        }
        let value = check(param, &given)?;
        fields.insert(param.property.into(), value);
    }
    if op == Operation::Create {
        check_together(&fields)?;
    }
    Ok(fields)
}

/// Checks a parameter's non-empty value(s) and returns what is stored.
fn check(param: &Param, given: &[&str]) -> Result<Value, Problem> {
    let name = param.name;
    let one = given[0];
    let too_long = |max: usize, v: &str| {
        Problem::invalid(format!(
            "{name} must be at most {max} characters; got {}",
            v.chars().count()
        ))
    };
    let text = |v: &str| Value::String(v.to_string());
    match param.kind {
        Kind::Text(max) => {
            if one.chars().count() > max {
                return Err(too_long(max, one));
            }
            if name == "TollfreePhoneNumberSid" && !crate::sid::is_valid(one, "PN") {
                return Err(invalid_number_sid(one));
            }
            if name == "CustomerProfileSid" && !crate::sid::is_valid(one, "BU") {
                return Err(Problem::invalid(format!(
                    "CustomerProfileSid must be a SID starting with BU followed by 32 hexadecimal digits; got {}",
                    shown(one)
                )));
            }
            Ok(text(one))
        }
        Kind::Email if one.chars().count() > MAX_SHORT_TEXT => Err(too_long(MAX_SHORT_TEXT, one)),
        Kind::Email if !is_email(one) => Err(Problem::invalid(format!(
            "{name} {} is not a valid email address",
            shown(one)
        ))),
        Kind::Email => Ok(text(one)),
        Kind::Website if one.chars().count() > MAX_SHORT_TEXT => {
            Err(too_long(MAX_SHORT_TEXT, one))
        }
        Kind::Website if !is_url(one) => Err(Problem::invalid(format!(
            "{name} {} is not a valid website address (e.g. https://www.example.com)",
            shown(one)
        ))),
        Kind::Website => Ok(text(one)),
        Kind::Url => {
            check_absolute_url(name, one)?;
            Ok(text(one))
        }
        Kind::Phone if !is_e164(one) => Err(Problem::invalid(format!(
            "{name} {} is not a phone number in E.164 format (a + followed by 7 to 15 digits, e.g. +18005550100)",
            shown(one)
        ))),
        Kind::Phone => Ok(text(one)),
        Kind::Country => {
            if one.len() == 2 && one.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(Value::String(one.to_ascii_uppercase()))
            } else {
                Err(Problem::invalid(format!(
                    "{name} {} is not an ISO-3166 alpha-2 country code (e.g. US, CA)",
                    shown(one)
                )))
            }
        }
        Kind::Bool => match one {
            "true" | "True" => Ok(Value::Bool(true)),
            "false" | "False" => Ok(Value::Bool(false)),
            other => Err(Problem::invalid(format!(
                "{name} must be true or false; got {}",
                shown(other)
            ))),
        },
        Kind::Enum(allowed) if allowed.contains(&one) => Ok(text(one)),
        Kind::Enum(allowed) => Err(not_one_of(name, one, allowed)),
        Kind::EnumList(allowed) => {
            let items = list(name, given)?;
            if let Some(bad) = items.iter().find(|v| !allowed.contains(v)) {
                return Err(not_one_of(name, bad, allowed));
            }
            Ok(strings(&items))
        }
        Kind::UrlList => {
            let items = list(name, given)?;
            for v in &items {
                check_absolute_url(name, v)?;
            }
            Ok(strings(&items))
        }
        Kind::WordList => {
            let items = list(name, given)?;
            if let Some(bad) = items
                .iter()
                .find(|v| v.chars().count() > MAX_KEYWORD || v.chars().any(char::is_whitespace))
            {
                return Err(Problem::invalid(format!(
                    "{name} items must be single words of at most {MAX_KEYWORD} characters; got {}",
                    shown(bad)
                )));
            }
            Ok(strings(&items))
        }
    }
}

/// The list's items without duplicates (first occurrence kept), at most [`MAX_LIST_ITEMS`].
fn list<'a>(name: &str, given: &[&'a str]) -> Result<Vec<&'a str>, Problem> {
    let mut items: Vec<&str> = Vec::new();
    for v in given {
        if !items.contains(v) {
            items.push(v);
        }
    }
    if items.len() > MAX_LIST_ITEMS {
        return Err(Problem::invalid(format!(
            "{name} takes at most {MAX_LIST_ITEMS} values; got {}",
            items.len()
        )));
    }
    Ok(items)
}

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|v| Value::String(v.to_string())).collect())
}

fn not_one_of(name: &str, value: &str, allowed: &[&str]) -> Problem {
    Problem::invalid(format!(
        "{name} {} is not one of {}",
        shown(value),
        allowed.join(", ")
    ))
}

/// A publicly reachable document: an absolute http(s) URL whose host has a dot.
fn check_absolute_url(name: &str, v: &str) -> Result<(), Problem> {
    let ok = v.chars().count() <= 2048
        && !v.chars().any(char::is_whitespace)
        && url::Url::parse(v).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str()
                    .is_some_and(|h| h.contains('.') && !h.ends_with('.'))
        });
    if ok {
        Ok(())
    } else {
        Err(Problem::invalid(format!(
            "{name} {} is not an absolute http or https URL of a publicly hosted page (e.g. https://www.example.com/opt-in.png)",
            shown(v)
        )))
    }
}

/// Rules between fields of a whole submission: a vetting names both its provider and its
/// ID.
fn check_together(fields: &Fields) -> Result<(), Problem> {
    let has = |k: &str| fields.get(k).is_some_and(|v| !v.is_null());
    match (has("vetting_provider"), has("vetting_id")) {
        (true, false) => Err(Problem::invalid(
            "VettingProvider needs VettingId (the Campaign Verify token)".into(),
        )),
        (false, true) => Err(Problem::invalid(
            "VettingId needs VettingProvider (CAMPAIGN_VERIFY)".into(),
        )),
        _ => Ok(()),
    }
}

/// An update's fields (from [`parse`]) applied to the stored ones: given values replace,
/// `null` clears. The result is checked as a whole submission; on a problem `stored` is
/// left unchanged.
pub fn apply(stored: &mut Fields, changes: &Fields) -> Result<(), Problem> {
    let mut next = stored.clone();
    for (k, v) in changes {
        if self::stored(k) {
            next.insert(k.clone(), v.clone());
        }
    }
    check_together(&next)?;
    *stored = next;
    Ok(())
}

/// The rejection codes a verification's review gives (the automatic reviewer's triggers
/// reach each; the operator picks among them), with Twilio's titles (its error dictionary
/// and "Why was my toll-free verification rejected?"). The first is the default (the
/// trigger word `FAIL`): resubmittable, so the common rejection can be edited.
pub const REJECTIONS: [(u32, &str); 13] = [
    (
        30484,
        "Toll Free verification rejection - Business name and official records do not match",
    ),
    (
        30527,
        "Toll Free verification rejection - Business Registration Number is missing or invalid",
    ),
    (
        30448,
        "Toll-Free phone number verification rejection - Age Gate",
    ),
    (
        30451,
        "Toll-Free phone number verification unable to process - address invalid",
    ),
    (
        30501,
        "Toll Free rejection: Political campaigns require a Campaign Verify token",
    ),
    (
        30511,
        "Toll Free verification rejection - Verbal consent script must be provided",
    ),
    (
        30513,
        "Toll Free verification rejection - Opt-in not sufficient: Language Unclear",
    ),
    (30440, "Toll-Free verification rejection - Unknown Error"),
    (
        30441,
        "Toll-Free phone number verification rejection - Content Violation",
    ),
    (
        30460,
        "Toll Free verification rejection - Disallowed: Third Party Debt Collection",
    ),
    (
        30464,
        "Toll Free verification rejection - Disallowed: Cryptocurrency",
    ),
    (
        30466,
        "Toll Free verification rejection - Disallowed - Debt Reduction",
    ),
    (30481, "Toll Free verification - Requested Cancellation"),
];

/// How long a rejected verification may be edited and resubmitted: seven days from the
/// rejection (Twilio's errors 30437/30824, "the seven-day edit window"), in seconds.
pub const EDIT_WINDOW_SECS: i64 = 7 * 24 * 3600;

/// Rejection codes after which no edit is taken (Twilio's "Why was my toll-free
/// verification rejected?": unknown error, content violation, disallowed content —
/// third-party debt collection, cryptocurrency, debt reduction — and a cancellation the
/// customer asked for are not resubmittable; the others are).
pub const NOT_EDITABLE: [u32; 6] = [30440, 30441, 30460, 30464, 30466, 30481];

/// `edit_allowed` of a rejection with these codes: every one resubmittable.
pub fn edit_allowed(codes: &[u32]) -> bool {
    codes.iter().all(|c| !NOT_EDITABLE.contains(c))
}

/// `edit_expiration` of a rejection decided at `rejected_at` (seconds since the epoch).
pub fn edit_expiration(rejected_at: i64) -> i64 {
    rejected_at.saturating_add(EDIT_WINDOW_SECS)
}

/// A rejected verification's edit window: whether its codes allow an edit, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditWindow {
    pub allowed: bool,
    /// Seconds since the epoch.
    pub until: i64,
}

/// Why an edit (update) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditRefusal {
    /// Not rejected: only a TWILIO_REJECTED verification is edited.
    NotRejected,
    /// Rejected for a reason that takes no edit.
    NotEditable,
    /// The seven days are over.
    Expired,
}

impl std::fmt::Display for EditRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EditRefusal::NotRejected => {
                "only a TWILIO_REJECTED verification can be edited and resubmitted"
            }
            EditRefusal::NotEditable => {
                "its rejection reason does not allow an edit (edit_allowed is false); create a new verification"
            }
            EditRefusal::Expired => {
                "the seven days to edit it are over (edit_expiration); delete it and create a new verification"
            }
        })
    }
}

/// May a verification be edited at `now`? `window` is `None` unless it is rejected.
pub fn may_edit(window: Option<EditWindow>, now: i64) -> Result<(), EditRefusal> {
    match window {
        None => Err(EditRefusal::NotRejected),
        Some(w) if !w.allowed => Err(EditRefusal::NotEditable),
        Some(w) if now > w.until => Err(EditRefusal::Expired),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NUMBER: &str = "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /// The spec's `create` example, as a client sends it.
    fn sample() -> Vec<(String, String)> {
        [
            ("BusinessName", "Owl, Inc."),
            ("BusinessWebsite", "http://www.company.com"),
            ("NotificationEmail", "support@company.com"),
            ("UseCaseCategories", "TWO_FACTOR_AUTHENTICATION"),
            ("UseCaseCategories", "MARKETING"),
            (
                "UseCaseSummary",
                "This number is used to send out promotional offers",
            ),
            ("ProductionMessageSample", "lorem ipsum"),
            (
                "OptInImageUrls",
                "https://testbusiness.com/images/image1.jpg",
            ),
            (
                "OptInImageUrls",
                "https://testbusiness.com/images/image2.jpg",
            ),
            ("OptInType", "VERBAL"),
            ("MessageVolume", "10"),
            ("TollfreePhoneNumberSid", NUMBER),
            ("BusinessStreetAddress", "123 Main Street"),
            ("BusinessCountry", "us"),
            ("BusinessContactPhone", "+11231231234"),
            ("BusinessContactEmail", "email@company.com"),
            ("ExternalReferenceId", "abc123xyz567"),
            ("BusinessRegistrationNumber", "123456789"),
            ("BusinessRegistrationAuthority", "EIN"),
            ("BusinessType", "PRIVATE_PROFIT"),
            ("AgeGatedContent", "false"),
            ("OptInKeywords", "START"),
            ("PrivacyPolicyUrl", "https://www.example.com/privacy"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn with(params: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all = sample();
        for (k, v) in params {
            all.retain(|(key, _)| key != k);
            all.push((k.to_string(), v.to_string()));
        }
        all
    }

    fn without(name: &str) -> Vec<(String, String)> {
        sample().into_iter().filter(|(k, _)| k != name).collect()
    }

    fn code_of(r: Result<Fields, Problem>) -> u32 {
        match r {
            Err(Problem::Invalid { code, .. }) => code,
            other => panic!("expected an invalid value, got {other:?}"),
        }
    }

    #[test]
    fn the_spec_sample_parses_to_its_properties() {
        let f = parse(Operation::Create, &sample()).unwrap();
        assert_eq!(f["business_name"], json!("Owl, Inc."));
        assert_eq!(
            f["use_case_categories"],
            json!(["TWO_FACTOR_AUTHENTICATION", "MARKETING"])
        );
        assert_eq!(f["opt_in_image_urls"].as_array().unwrap().len(), 2);
        assert_eq!(f["business_country"], json!("US"));
        assert_eq!(f["age_gated_content"], json!(false));
        assert_eq!(f["opt_in_keywords"], json!(["START"]));
        assert_eq!(f["tollfree_phone_number_sid"], json!(NUMBER));
        assert!(!f.contains_key("business_city"), "not sent, not set");
    }

    #[test]
    fn every_required_create_parameter_is_required() {
        for name in [
            "BusinessName",
            "BusinessWebsite",
            "NotificationEmail",
            "UseCaseCategories",
            "UseCaseSummary",
            "ProductionMessageSample",
            "OptInImageUrls",
            "OptInType",
            "MessageVolume",
            "TollfreePhoneNumberSid",
        ] {
            assert_eq!(
                parse(Operation::Create, &without(name)),
                Err(Problem::Missing(name))
            );
            // Empty is missing too (a list of only empty items included).
            assert_eq!(
                parse(Operation::Create, &with(&[(name, "  ")])),
                Err(Problem::Missing(name)),
                "{name}"
            );
        }
    }

    #[test]
    fn optional_parameters_are_optional() {
        let minimal: Vec<(String, String)> = sample()
            .into_iter()
            .filter(|(k, _)| {
                PARAMS
                    .iter()
                    .any(|p| p.name == k && matches!(p.used, Use::Required | Use::CreateRequired))
            })
            .collect();
        let f = parse(Operation::Create, &minimal).unwrap();
        assert!(!f.contains_key("business_type"));
    }

    #[test]
    fn enums_take_only_their_values() {
        for (name, bad) in [
            ("OptInType", "verbal"),
            ("OptInType", "EMAIL"),
            ("MessageVolume", "1000"),
            ("MessageVolume", "10,000,000"),
            ("BusinessType", "LLC"),
            ("BusinessRegistrationAuthority", "SSN"),
            ("VettingProvider", "OTHER"),
        ] {
            assert_eq!(
                code_of(parse(Operation::Create, &with(&[(name, bad)]))),
                20001,
                "{name}={bad}"
            );
        }
        for v in OPT_IN_TYPES {
            assert!(parse(Operation::Create, &with(&[("OptInType", v)])).is_ok());
        }
        for v in MESSAGE_VOLUMES {
            assert!(parse(Operation::Create, &with(&[("MessageVolume", v)])).is_ok());
        }
        for v in BUSINESS_TYPES {
            assert!(parse(Operation::Create, &with(&[("BusinessType", v)])).is_ok());
        }
        for v in REGISTRATION_AUTHORITIES {
            assert!(parse(
                Operation::Create,
                &with(&[("BusinessRegistrationAuthority", v)])
            )
            .is_ok());
        }
    }

    #[test]
    fn use_case_categories_are_checked_one_by_one() {
        let mut params = sample();
        params.push(("UseCaseCategories".into(), "SPAM".into()));
        match parse(Operation::Create, &params) {
            Err(Problem::Invalid {
                code: 20001,
                message,
            }) => {
                assert!(message.contains("\"SPAM\""), "{message}");
                assert!(message.contains("TWO_FACTOR_AUTHENTICATION"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        for v in USE_CASE_CATEGORIES {
            assert!(parse(Operation::Create, &with(&[("UseCaseCategories", v)])).is_ok());
        }
        // Duplicates are dropped, the order kept.
        let mut params = sample();
        params.push((
            "UseCaseCategories".into(),
            "TWO_FACTOR_AUTHENTICATION".into(),
        ));
        let f = parse(Operation::Create, &params).unwrap();
        assert_eq!(
            f["use_case_categories"],
            json!(["TWO_FACTOR_AUTHENTICATION", "MARKETING"])
        );
    }

    #[test]
    fn formats_are_checked() {
        for (name, bad) in [
            ("NotificationEmail", "support.company.com"),
            ("BusinessContactEmail", "a@b"),
            ("BusinessWebsite", "not a website"),
            ("BusinessWebsite", "ftp://files.company.com"),
            ("OptInImageUrls", "testbusiness.com/image.jpg"),
            ("OptInImageUrls", "javascript:alert(1)"),
            ("PrivacyPolicyUrl", "/privacy"),
            ("TermsAndConditionsUrl", "https://localhost/terms"),
            ("BusinessContactPhone", "5555550100"),
            ("BusinessRegistrationPhoneNumber", "+1 302 333 4444"),
            ("BusinessCountry", "USA"),
            ("BusinessRegistrationCountry", "1A"),
            ("AgeGatedContent", "yes"),
            ("OptInKeywords", "OPT IN"),
            ("CustomerProfileSid", "BU123"),
        ] {
            assert_eq!(
                code_of(parse(Operation::Create, &with(&[(name, bad)]))),
                20001,
                "{name}={bad}"
            );
        }
        // A bare website is how people type it; the spec's own samples do.
        assert!(parse(
            Operation::Create,
            &with(&[("BusinessWebsite", "www.company.com")])
        )
        .is_ok());
    }

    #[test]
    fn a_malformed_number_sid_is_30436() {
        for bad in [
            "PN123",
            "AD00000000000000000000000000000000",
            "+18005550100",
        ] {
            assert_eq!(
                code_of(parse(
                    Operation::Create,
                    &with(&[("TollfreePhoneNumberSid", bad)])
                )),
                INVALID_NUMBER_SID
            );
        }
    }

    #[test]
    fn lengths_and_list_sizes_are_bounded() {
        let long = "x".repeat(MAX_SHORT_TEXT + 1);
        assert_eq!(
            code_of(parse(Operation::Create, &with(&[("BusinessName", &long)]))),
            20001
        );
        let ok = "x".repeat(MAX_SHORT_TEXT);
        assert!(parse(Operation::Create, &with(&[("BusinessName", &ok)])).is_ok());
        let summary = "x".repeat(MAX_LONG_TEXT + 1);
        assert_eq!(
            code_of(parse(
                Operation::Create,
                &with(&[("UseCaseSummary", &summary)])
            )),
            20001
        );
        let mut params = without("OptInImageUrls");
        for i in 0..=MAX_LIST_ITEMS {
            params.push((
                "OptInImageUrls".into(),
                format!("https://example.com/{i}.png"),
            ));
        }
        assert_eq!(code_of(parse(Operation::Create, &params)), 20001);
        params.pop();
        assert!(parse(Operation::Create, &params).is_ok());
    }

    /// `before` and `after` with `x`s between them: `len` characters in all.
    fn padded(before: &str, after: &str, len: usize) -> String {
        format!(
            "{before}{}{after}",
            "x".repeat(len - before.len() - after.len())
        )
    }

    #[test]
    fn emails_websites_and_keywords_have_their_own_bounds() {
        for (name, before, after) in [
            ("NotificationEmail", "", "@company.com"),
            ("BusinessContactEmail", "", "@company.com"),
            ("BusinessWebsite", "https://www.company.com/", ""),
        ] {
            let ok = padded(before, after, MAX_SHORT_TEXT);
            assert!(
                parse(Operation::Create, &with(&[(name, &ok)])).is_ok(),
                "{name} of {MAX_SHORT_TEXT} characters"
            );
            let long = padded(before, after, MAX_SHORT_TEXT + 1);
            match parse(Operation::Create, &with(&[(name, &long)])) {
                Err(Problem::Invalid {
                    code: 20001,
                    message,
                }) => assert_eq!(
                    message,
                    format!("{name} must be at most 255 characters; got 256")
                ),
                other => panic!("{name}: {other:?}"),
            }
        }
        let ok = "k".repeat(MAX_KEYWORD);
        assert!(parse(Operation::Create, &with(&[("OptInKeywords", &ok)])).is_ok());
        let long = "k".repeat(MAX_KEYWORD + 1);
        assert_eq!(
            code_of(parse(Operation::Create, &with(&[("OptInKeywords", &long)]))),
            20001
        );
    }

    #[test]
    fn a_vetting_names_provider_and_id() {
        let p = with(&[("VettingProvider", "CAMPAIGN_VERIFY")]);
        assert_eq!(code_of(parse(Operation::Create, &p)), 20001);
        let p = with(&[("VettingId", "cv|1.0|tcr|10dlc|abc")]);
        assert_eq!(code_of(parse(Operation::Create, &p)), 20001);
        let p = with(&[
            ("VettingProvider", "CAMPAIGN_VERIFY"),
            ("VettingId", "cv|1.0|tcr|10dlc|abc"),
        ]);
        let mut stored = parse(Operation::Create, &p).unwrap();
        // An edit that drops one half of the pair is refused, and changes nothing.
        let drop_id = parse(Operation::Update, &[("VettingId".into(), "".into())]).unwrap();
        assert!(apply(&mut stored, &drop_id).is_err());
        assert_eq!(stored["vetting_id"], json!("cv|1.0|tcr|10dlc|abc"));
        let drop_both = parse(
            Operation::Update,
            &[
                ("VettingId".into(), "".into()),
                ("VettingProvider".into(), "".into()),
            ],
        )
        .unwrap();
        apply(&mut stored, &drop_both).unwrap();
        assert_eq!(stored["vetting_provider"], Value::Null);
    }

    #[test]
    fn an_update_carries_only_what_changes() {
        let f = parse(
            Operation::Update,
            &[
                ("BusinessWebsite".into(), "https://www.owl.example".into()),
                ("EditReason".into(), "Website fixed".into()),
                // Create-only parameters are not edits.
                ("TollfreePhoneNumberSid".into(), "PN123".into()),
                ("ExternalReferenceId".into(), "other".into()),
            ],
        )
        .unwrap();
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f["business_website"], json!("https://www.owl.example"));
        assert_eq!(f["edit_reason"], json!("Website fixed"));
        // Nothing at all: a resubmission as is.
        assert!(parse(Operation::Update, &[]).unwrap().is_empty());
    }

    #[test]
    fn an_update_clears_optional_fields_but_not_required_ones() {
        let f = parse(Operation::Update, &[("BusinessCity".into(), "".into())]).unwrap();
        assert_eq!(f["business_city"], Value::Null);
        let r = parse(Operation::Update, &[("BusinessName".into(), "".into())]);
        assert_eq!(code_of(r), 20001);
        let r = parse(Operation::Update, &[("OptInType".into(), "NOPE".into())]);
        assert_eq!(code_of(r), 20001);
    }

    #[test]
    fn apply_replaces_and_clears_but_never_stores_the_edit_reason() {
        let mut stored = parse(Operation::Create, &sample()).unwrap();
        let changes = parse(
            Operation::Update,
            &[
                ("BusinessName".into(), "Owl Corp".into()),
                ("BusinessStreetAddress".into(), "".into()),
                ("EditReason".into(), "Name fixed".into()),
            ],
        )
        .unwrap();
        apply(&mut stored, &changes).unwrap();
        assert_eq!(stored["business_name"], json!("Owl Corp"));
        assert_eq!(stored["business_street_address"], Value::Null);
        assert!(!stored.contains_key("edit_reason"));
    }

    #[test]
    fn the_default_rejection_is_editable_and_every_unediting_code_is_a_rejection() {
        assert!(edit_allowed(&[REJECTIONS[0].0]));
        for code in NOT_EDITABLE {
            assert!(REJECTIONS.iter().any(|(c, _)| *c == code), "{code}");
        }
        let mut codes: Vec<u32> = REJECTIONS.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REJECTIONS.len());
    }

    #[test]
    fn edits_follow_the_rejection_and_its_window() {
        assert!(edit_allowed(&[30446]));
        assert!(edit_allowed(&[30446, 30501]));
        assert!(!edit_allowed(&[30446, 30464]));
        assert!(!edit_allowed(&[30441]));
        assert_eq!(edit_expiration(1_000), 1_000 + 604_800);
        let w = EditWindow {
            allowed: true,
            until: 2_000,
        };
        assert_eq!(may_edit(None, 0), Err(EditRefusal::NotRejected));
        assert_eq!(may_edit(Some(w), 2_000), Ok(()));
        assert_eq!(may_edit(Some(w), 2_001), Err(EditRefusal::Expired));
        let closed = EditWindow {
            allowed: false,
            until: 2_000,
        };
        assert_eq!(may_edit(Some(closed), 0), Err(EditRefusal::NotEditable));
        for r in [
            EditRefusal::NotRejected,
            EditRefusal::NotEditable,
            EditRefusal::Expired,
        ] {
            assert!(!r.to_string().is_empty());
        }
    }

    #[test]
    fn rendered_properties_are_the_stored_ones() {
        let props: Vec<&str> = properties().collect();
        assert!(props.contains(&"business_name"));
        assert!(props.contains(&"tollfree_phone_number_sid"));
        assert!(!props.contains(&"edit_reason"));
        assert_eq!(props.len(), PARAMS.len() - 1);
    }
}
