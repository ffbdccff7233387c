//! A2P brands (`BN…`) and their vettings (`VT…`): registrations
//! (`service::registrations`) whose rules tie them to TrustHub bundles.
//!
//! Rules (Twilio's codes where its error dictionary has one):
//! - `CustomerProfileBundleSid` names a customer profile of the caller's account under a
//!   policy the brand type takes, `A2PProfileBundleSid` a trust product of the account
//!   under the matching A2P policy (`registration::brand_policies`); an unknown SID,
//!   another account's, the wrong kind or policy is 400 / 30793 ("Brand Registration
//!   Failure: Validation problems with connected bundles"), naming the parameter;
//! - `BrandType` is STANDARD (default) or SOLE_PROPRIETOR (400 / 20001 otherwise); `Mock`
//!   and `SkipAutomaticSecVet` are true or false;
//! - the bundles need not be approved yet (the ISV guides create the brand right after
//!   submitting them); the review (both `--review` modes) approves the brand only once both
//!   are `twilio-approved`: a bundle in draft or review makes it wait, a rejected or
//!   deleted one fails it with 30793;
//! - an update (`POST /{Sid}`, no parameters) resubmits a FAILED brand (409 / 20409 for
//!   any other status);
//! - a SOLE_PROPRIETOR brand is approved with `identity_status` UNVERIFIED and an OTP
//!   "sent" (an `otp_sent` timeline event) to the sole proprietor's mobile number; the owner's reply
//!   (`POST /admin/v1/BrandRegistrations/{Sid}/OtpReply`, the sandbox's stand-in for the
//!   SMS reply) within 24 hours makes it VERIFIED, later it is refused with 30752;
//!   `SmsOtp` sends a fresh OTP (400 / 20001 for other brand types, 409 / 20409 unless the
//!   brand is APPROVED and UNVERIFIED);
//! - a vetting (`VettingProvider` campaign-verify or aegis; `VettingId`) names a brand of
//!   the account; its review waits for the brand to be APPROVED (a FAILED brand fails it).

use serde_json::{json, Map, Value};

use crate::domain::bundle::{BundleKind, Status};
use crate::domain::registration::{
    self as reg, Actor, Dependency, Kind, Stage, BRAND_TYPES, OTP_VALIDITY,
};
use crate::domain::tollfree::MAX_VETTING_ID;
use crate::error::{Error, Result};
use crate::store::{Bundle, Page, PageQuery, Registration, RegistrationChange, RegistrationFilter};

use super::{lifecycle, parse_bool, registrations, App};

/// The vetting providers of the spec's `brand_vetting_enum_vetting_provider`.
pub const VETTING_PROVIDERS: [&str; 2] = ["campaign-verify", "aegis"];

fn brand_not_found(sid: &str) -> Error {
    Error::NotFound(format!("/v1/a2p/BrandRegistrations/{sid}"))
}

/// The account's brand `sid` (404 / 20404 otherwise, another account's too).
pub async fn get(app: &App, account_sid: &str, sid: &str) -> Result<Registration> {
    app.store
        .registration(account_sid, Kind::Brand, sid)
        .await?
        .ok_or_else(|| brand_not_found(sid))
}

pub async fn list(app: &App, account_sid: &str, page: PageQuery) -> Result<Page<Registration>> {
    let filter = RegistrationFilter::default();
    Ok(app
        .store
        .list_registrations(account_sid, Kind::Brand, &filter, page)
        .await?)
}

/// The bundle `sid` of the account, of `kind` and one of `policies`; 400 / 30793 naming
/// `param` otherwise.
async fn named_bundle(
    app: &App,
    account_sid: &str,
    param: &str,
    sid: &str,
    kind: BundleKind,
    policies: &[&str],
    brand_type: &str,
) -> Result<Bundle> {
    let what = match kind {
        BundleKind::CustomerProfile => "a customer profile",
        BundleKind::TrustProduct => "an A2P trust product",
    };
    let names: Vec<String> = policies
        .iter()
        .map(|p| match app.catalog.policy(p) {
            Some(policy) => format!("{} ({p})", policy.friendly_name),
            None => p.to_string(),
        })
        .collect();
    let refuse = || {
        Error::invalid(
            30793,
            format!(
                "{param} \"{sid}\" must be {what} of this account under one of the policies a {brand_type} brand takes: {}",
                names.join(", ")
            ),
        )
    };
    match app.store.bundle(account_sid, sid).await? {
        Some(b) if b.kind == kind && policies.contains(&b.policy_sid.as_str()) => Ok(b),
        _ => Err(refuse()),
    }
}

/// `POST /v1/a2p/BrandRegistrations`.
pub async fn create(
    app: &App,
    account_sid: &str,
    params: &[(String, String)],
) -> Result<Registration> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let profile = get("CustomerProfileBundleSid")
        .filter(|v| !v.is_empty())
        .ok_or(Error::MissingParameter("CustomerProfileBundleSid"))?;
    let a2p = get("A2PProfileBundleSid")
        .filter(|v| !v.is_empty())
        .ok_or(Error::MissingParameter("A2PProfileBundleSid"))?;
    let brand_type = match get("BrandType").filter(|v| !v.is_empty()) {
        None => "STANDARD",
        Some(t) => BRAND_TYPES.into_iter().find(|b| *b == t).ok_or_else(|| {
            Error::invalid(
                20001,
                format!("BrandType must be STANDARD or SOLE_PROPRIETOR; got \"{t}\""),
            )
        })?,
    };
    let mock = parse_bool(get("Mock"), "Mock")?.unwrap_or(false);
    let skip = parse_bool(get("SkipAutomaticSecVet"), "SkipAutomaticSecVet")?.unwrap_or(false);
    let (profile_policies, a2p_policies) = reg::brand_policies(brand_type);
    let cp = named_bundle(
        app,
        account_sid,
        "CustomerProfileBundleSid",
        profile,
        BundleKind::CustomerProfile,
        profile_policies,
        brand_type,
    )
    .await?;
    let tp = named_bundle(
        app,
        account_sid,
        "A2PProfileBundleSid",
        a2p,
        BundleKind::TrustProduct,
        a2p_policies,
        brand_type,
    )
    .await?;
    let mut fields = Map::new();
    for (k, v) in [
        ("customer_profile_bundle_sid", json!(cp.sid)),
        ("a2p_profile_bundle_sid", json!(tp.sid)),
        ("brand_type", json!(brand_type)),
        ("mock", json!(mock)),
        ("skip_automatic_sec_vet", json!(skip)),
        ("identity_status", json!("UNVERIFIED")),
        ("tcr_id", Value::Null),
        ("brand_score", Value::Null),
        ("russell_3000", json!(false)),
        ("government_entity", json!(false)),
        ("tax_exempt_status", Value::Null),
    ] {
        fields.insert(k.to_string(), v);
    }
    let r = registrations::new(app, account_sid, Kind::Brand, None, fields);
    Ok(registrations::create(app, r).await?)
}

/// `POST /v1/a2p/BrandRegistrations/{Sid}`: resubmits a FAILED brand for review.
pub async fn resubmit(app: &App, account_sid: &str, sid: &str) -> Result<Registration> {
    let b = get(app, account_sid, sid).await?;
    if Kind::Brand.stage(&b.status) != Stage::Rejected {
        return Err(Error::conflict(
            20409,
            format!(
                "BrandRegistration {sid} is {}; only a FAILED brand can be updated (resubmitted)",
                b.status
            ),
        ));
    }
    let change = registrations::transition(app, b, Kind::Brand.submitted(), Actor::Customer, None)?;
    registrations::commit(app, change).await
}

/// The mobile number the OTP goes to: the `mobile_phone_number` of the A2P trust
/// product's sole_proprietor_information (the sole-proprietor guide), else the starter
/// profile's end user's `phone_number`.
async fn otp_phone(app: &App, b: &Registration) -> Result<Option<String>> {
    for (field, attribute) in [
        ("a2p_profile_bundle_sid", "mobile_phone_number"),
        ("customer_profile_bundle_sid", "phone_number"),
    ] {
        let bundle = b.fields[field].as_str().unwrap_or("");
        let (entities, _) = app.store.assigned_objects(bundle).await?;
        if let Some(n) = entities
            .iter()
            .find_map(|e| e.attributes.get(attribute).and_then(Value::as_str))
        {
            return Ok(Some(n.to_string()));
        }
    }
    Ok(None)
}

/// Records that an OTP was sent now (an `otp_sent` event naming the number).
async fn send_otp(app: &App, mut b: Registration) -> Result<Registration> {
    let now = app.clock.now();
    let to = otp_phone(app, &b).await?;
    b.fields.insert("otp_sent_at".into(), json!(now));
    b.date_updated = now;
    let event = lifecycle::subject_event(
        &b.sid,
        &b.account_sid,
        "otp_sent",
        json!({"to": to, "valid_until": crate::format::iso(now + OTP_VALIDITY)}),
        now,
    );
    registrations::commit(
        app,
        RegistrationChange {
            registration: b,
            events: vec![event],
            jobs: vec![],
        },
    )
    .await
}

/// Refuses the OTP steps for brands that have none pending.
fn check_otp_pending(b: &Registration) -> Result<()> {
    if b.fields["brand_type"] != "SOLE_PROPRIETOR" {
        return Err(Error::invalid(
            20001,
            format!(
                "BrandRegistration {} is a {} brand; only SOLE_PROPRIETOR brands are verified by OTP",
                b.sid,
                b.fields["brand_type"].as_str().unwrap_or("STANDARD")
            ),
        ));
    }
    if b.status != "APPROVED" || b.fields["identity_status"] != "UNVERIFIED" {
        return Err(Error::conflict(
            20409,
            format!(
                "BrandRegistration {} is {} with identity_status {}; an OTP is pending only for an APPROVED, UNVERIFIED brand",
                b.sid,
                b.status,
                b.fields["identity_status"].as_str().unwrap_or("null")
            ),
        ));
    }
    Ok(())
}

/// `POST /v1/a2p/BrandRegistrations/{Sid}/SmsOtp`: sends a fresh OTP.
pub async fn resend_otp(app: &App, account_sid: &str, sid: &str) -> Result<Registration> {
    let b = get(app, account_sid, sid).await?;
    check_otp_pending(&b)?;
    send_otp(app, b).await
}

/// The sandbox's stand-in for the mobile owner's SMS reply to the OTP: `YES` within 24
/// hours of the last OTP verifies the brand's identity; later, 409 / 30752.
pub async fn otp_reply(app: &App, sid: &str, body: &str) -> Result<Registration> {
    let mut b = app
        .store
        .registration_any(sid)
        .await?
        .filter(|r| r.kind == Kind::Brand)
        .ok_or_else(|| brand_not_found(sid))?;
    check_otp_pending(&b)?;
    if !body.trim().eq_ignore_ascii_case("YES") {
        return Err(Error::invalid(
            20001,
            format!("Body must be YES (the reply that confirms the OTP); got \"{body}\""),
        ));
    }
    let now = app.clock.now();
    let sent = b
        .fields
        .get("otp_sent_at")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if now > sent + OTP_VALIDITY {
        return Err(Error::conflict(
            30752,
            format!(
                "Brand Registration Failure: Invalid or expired OTP. The OTP for {sid} was sent at {} and is valid for 24 hours; send a new one (SmsOtp)",
                crate::format::iso(sent)
            ),
        ));
    }
    b.fields.insert("identity_status".into(), json!("VERIFIED"));
    b.date_updated = now;
    let event = lifecycle::subject_event(
        &b.sid,
        &b.account_sid,
        "otp_confirmed",
        json!({"identity_status": "VERIFIED"}),
        now,
    );
    registrations::commit(
        app,
        RegistrationChange {
            registration: b,
            events: vec![event],
            jobs: vec![],
        },
    )
    .await
}

/// `POST /v1/a2p/BrandRegistrations/{BrandSid}/Vettings`.
pub async fn create_vetting(
    app: &App,
    account_sid: &str,
    brand_sid: &str,
    params: &[(String, String)],
) -> Result<Registration> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let brand = get_brand_for_vetting(app, account_sid, brand_sid).await?;
    let provider = get("VettingProvider")
        .filter(|v| !v.is_empty())
        .ok_or(Error::MissingParameter("VettingProvider"))?;
    if !VETTING_PROVIDERS.contains(&provider) {
        return Err(Error::invalid(
            20001,
            format!("VettingProvider must be campaign-verify or aegis; got \"{provider}\""),
        ));
    }
    let vetting_id = get("VettingId").filter(|v| !v.is_empty());
    // Bounded as the spec bounds the toll-free `vetting_id` (the same Campaign Verify
    // token); this spec gives the brand vetting's none.
    if let Some(id) = vetting_id {
        let n = id.chars().count();
        if n > MAX_VETTING_ID {
            return Err(Error::invalid(
                20001,
                format!("VettingId must be at most {MAX_VETTING_ID} characters; got {n}"),
            ));
        }
    }
    // campaign-verify imports a political (Campaign Verify) token; aegis a standard
    // secondary vetting (the spec's `vetting_class` description).
    let class = if provider == "campaign-verify" {
        "POLITICAL"
    } else {
        "STANDARD"
    };
    let mut fields = Map::new();
    fields.insert("vetting_provider".into(), json!(provider));
    fields.insert("vetting_id".into(), json!(vetting_id));
    fields.insert("vetting_class".into(), json!(class));
    let r = registrations::new(
        app,
        account_sid,
        Kind::BrandVetting,
        Some(brand.sid.clone()),
        fields,
    );
    Ok(registrations::create(app, r).await?)
}

async fn get_brand_for_vetting(app: &App, account_sid: &str, sid: &str) -> Result<Registration> {
    get(app, account_sid, sid).await
}

pub async fn list_vettings(
    app: &App,
    account_sid: &str,
    brand_sid: &str,
    provider: Option<&str>,
    page: PageQuery,
) -> Result<Page<Registration>> {
    get(app, account_sid, brand_sid).await?;
    if let Some(p) = provider.filter(|p| !VETTING_PROVIDERS.contains(p)) {
        return Err(Error::invalid(
            20001,
            format!("VettingProvider must be campaign-verify or aegis; got \"{p}\""),
        ));
    }
    let filter = RegistrationFilter {
        parent_sid: Some(brand_sid.to_string()),
        status: None,
    };
    let mut found = app
        .store
        .list_registrations(account_sid, Kind::BrandVetting, &filter, page)
        .await?;
    // The provider is a property, not a column: filtered on the page (a brand has few
    // vettings).
    if let Some(p) = provider {
        found.items.retain(|r| r.fields["vetting_provider"] == p);
    }
    Ok(found)
}

pub async fn get_vetting(
    app: &App,
    account_sid: &str,
    brand_sid: &str,
    sid: &str,
) -> Result<Registration> {
    match app
        .store
        .registration(account_sid, Kind::BrandVetting, sid)
        .await?
    {
        Some(v) if v.parent_sid.as_deref() == Some(brand_sid) => Ok(v),
        _ => Err(Error::NotFound(format!(
            "/v1/a2p/BrandRegistrations/{brand_sid}/Vettings/{sid}"
        ))),
    }
}

/// A bundle a brand names, as a dependency of its review, with its friendly name.
async fn bundle_dependency(
    app: &App,
    r: &Registration,
    field: &str,
) -> Result<(Dependency, String)> {
    let sid = r.fields.get(field).and_then(Value::as_str).unwrap_or("");
    let Some(b) = app.store.bundle(&r.account_sid, sid).await? else {
        return Ok((
            Dependency::Failed(format!("The bundle {sid} no longer exists")),
            String::new(),
        ));
    };
    let d = match b.status {
        Status::TwilioApproved => Dependency::Ready,
        Status::TwilioRejected => {
            Dependency::Failed(format!("The bundle {sid} was rejected by Twilio"))
        }
        _ => Dependency::Pending,
    };
    Ok((d, b.friendly_name))
}

/// A brand's trigger values (its customer profile's and A2P trust product's friendly
/// names) and dependencies (both bundles).
pub async fn review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let (profile, profile_name) = bundle_dependency(app, r, "customer_profile_bundle_sid").await?;
    let (a2p, a2p_name) = bundle_dependency(app, r, "a2p_profile_bundle_sid").await?;
    let triggers = vec![
        (
            "The customer profile's FriendlyName".to_string(),
            profile_name,
        ),
        ("The A2P trust product's FriendlyName".to_string(), a2p_name),
    ];
    Ok((triggers, vec![profile, a2p]))
}

/// A vetting's trigger values (its `vetting_id`) and dependency (its brand).
pub async fn vetting_review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let brand_sid = r.parent_sid.as_deref().unwrap_or("");
    let brand = app
        .store
        .registration(&r.account_sid, Kind::Brand, brand_sid)
        .await?;
    let d = match brand {
        None => Dependency::Failed(format!("The brand {brand_sid} no longer exists")),
        Some(b) => match Kind::Brand.stage(&b.status) {
            Stage::Approved => Dependency::Ready,
            Stage::Rejected => Dependency::Failed(format!("The brand {brand_sid} is FAILED")),
            _ => Dependency::Pending,
        },
    };
    Ok((registrations::trigger_values(r), vec![d]))
}
