//! A2P campaigns (`/v1/Services/{MessagingServiceSid}/Compliance/Usa2p`, `QE…`):
//! registrations (`service::registrations`) hanging off a Messaging Service.
//!
//! Rules (Twilio's codes where its error dictionary has one):
//! - the Messaging Service must be the account's (404 / 20404 otherwise, as for any SID);
//! - `BrandRegistrationSid` must be a brand of the account that is APPROVED — and, for a
//!   sole proprietor, OTP-verified (`identity_status` VERIFIED) — else 400 / 21717 ("Brand
//!   Registration SID for US A2P Campaign Use Case is Not Registered or Not Valid");
//! - `UsAppToPersonUsecase` must be one the brand type takes (`domain::campaign`): a
//!   SOLE_PROPRIETOR brand only SOLE_PROPRIETOR and others never (21717 too), any other
//!   value 400 / 20001;
//! - `Description`, `MessageFlow`, `MessageSamples`, `HasEmbeddedLinks`,
//!   `HasEmbeddedPhone` are required (400 / 20001), with the spec's bounds (20001 naming
//!   them); keywords alphanumeric; URLs http(s);
//! - one campaign per Messaging Service (the store's partial unique index: 409 / 20409
//!   naming the campaign it has), and one per SOLE_PROPRIETOR brand (409 / 20409);
//! - statuses IN_PROGRESS → VERIFIED | FAILED by the review pipeline (the brand must still
//!   be APPROVED); an update edits the campaign, and resubmits a FAILED one; delete removes
//!   it in any status.

use serde_json::{json, Map, Value};

use crate::domain::campaign;
use crate::domain::registration::{Actor, Dependency, Kind, Stage};
use crate::error::{Error, Result};
use crate::store::{Page, PageQuery, Registration, RegistrationFilter, StoreError, Unique};

use super::{brands, messaging, parse_bool, registrations, App};

type Params = [(String, String)];

fn first<'a>(params: &'a Params, k: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn all(params: &Params, k: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .collect()
}

fn not_found(service: &str, sid: &str) -> Error {
    Error::NotFound(format!("/v1/Services/{service}/Compliance/Usa2p/{sid}"))
}

fn bad(message: String) -> Error {
    Error::invalid(20001, message)
}

/// Applies the editable parameters present in `params` to `fields` (`required`: each of
/// the update's required parameters must be there). Nothing is applied on a refusal.
fn apply(fields: &mut Map<String, Value>, params: &Params, required: bool) -> Result<()> {
    let mut out = fields.clone();
    for (param, field) in [
        ("Description", "description"),
        ("MessageFlow", "message_flow"),
        ("OptInMessage", "opt_in_message"),
        ("OptOutMessage", "opt_out_message"),
        ("HelpMessage", "help_message"),
    ] {
        match first(params, param) {
            Some(v) if !v.is_empty() => {
                campaign::check_text(param, v).map_err(bad)?;
                out.insert(field.into(), json!(v));
            }
            _ if required && matches!(param, "Description" | "MessageFlow") => {
                return Err(Error::MissingParameter(if param == "Description" {
                    "Description"
                } else {
                    "MessageFlow"
                }));
            }
            _ => {}
        }
    }
    let samples = all(params, "MessageSamples");
    if !samples.is_empty() {
        campaign::check_samples(&samples).map_err(bad)?;
        out.insert("message_samples".into(), json!(samples));
    } else if required {
        return Err(Error::MissingParameter("MessageSamples"));
    }
    for (param, field) in [
        ("OptInKeywords", "opt_in_keywords"),
        ("OptOutKeywords", "opt_out_keywords"),
        ("HelpKeywords", "help_keywords"),
    ] {
        let words = all(params, param);
        if !words.is_empty() {
            campaign::check_keywords(param, &words).map_err(bad)?;
            out.insert(field.into(), json!(words));
        }
    }
    for (param, field, needed) in [
        ("HasEmbeddedLinks", "has_embedded_links", true),
        ("HasEmbeddedPhone", "has_embedded_phone", true),
        ("SubscriberOptIn", "subscriber_opt_in", false),
        ("AgeGated", "age_gated", false),
        ("DirectLending", "direct_lending", false),
    ] {
        match parse_bool(first(params, param), param)? {
            Some(b) => {
                out.insert(field.into(), json!(b));
            }
            None if required && needed => {
                return Err(Error::MissingParameter(if param == "HasEmbeddedLinks" {
                    "HasEmbeddedLinks"
                } else {
                    "HasEmbeddedPhone"
                }))
            }
            None => {}
        }
    }
    for (param, field) in [
        ("PrivacyPolicyUrl", "privacy_policy_url"),
        ("TermsAndConditionsUrl", "terms_and_conditions_url"),
    ] {
        if let Some(v) = first(params, param).filter(|v| !v.is_empty()) {
            super::check_http_url(param, v, 20001)?;
            out.insert(field.into(), json!(v));
        }
    }
    *fields = out;
    Ok(())
}

/// The account's brand `sid` if a campaign may name it, else 400 / 21717 saying why.
async fn usable_brand(app: &App, account_sid: &str, sid: &str) -> Result<Registration> {
    let refuse = |why: String| {
        Error::invalid(
            21717,
            format!(
                "BrandRegistrationSid \"{sid}\" is not a registered brand for this campaign: {why}"
            ),
        )
    };
    let b = brands::get(app, account_sid, sid)
        .await
        .map_err(|_| refuse("no such brand in this account".into()))?;
    if b.status != Kind::Brand.approved() {
        return Err(refuse(format!("it is {}; it must be APPROVED", b.status)));
    }
    if b.fields["brand_type"] == "SOLE_PROPRIETOR" && b.fields["identity_status"] != "VERIFIED" {
        return Err(refuse(
            "a sole proprietor brand must be OTP-verified (identity_status VERIFIED) first".into(),
        ));
    }
    Ok(b)
}

/// `POST …/Compliance/Usa2p`.
pub async fn create(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    params: &Params,
) -> Result<Registration> {
    let service = messaging::get(app, account_sid, service_sid).await?;
    let brand_sid = first(params, "BrandRegistrationSid")
        .filter(|v| !v.is_empty())
        .ok_or(Error::MissingParameter("BrandRegistrationSid"))?;
    let usecase = first(params, "UsAppToPersonUsecase")
        .filter(|v| !v.is_empty())
        .ok_or(Error::MissingParameter("UsAppToPersonUsecase"))?;
    let brand = usable_brand(app, account_sid, brand_sid).await?;
    let brand_type = brand.fields["brand_type"].as_str().unwrap_or("STANDARD");
    let allowed = campaign::usecases_for(brand_type);
    if !allowed.iter().any(|u| u.code == usecase) {
        let known = campaign::STANDARD_USECASES
            .iter()
            .chain([&campaign::SOLE_PROPRIETOR_USECASE])
            .any(|u| u.code == usecase);
        let codes: Vec<&str> = allowed.iter().map(|u| u.code).collect();
        let message = format!(
            "UsAppToPersonUsecase \"{usecase}\" is not one a {brand_type} brand takes; use {}",
            codes.join(", ")
        );
        return Err(if known {
            Error::invalid(21717, message)
        } else {
            bad(message)
        });
    }
    let mut fields = Map::new();
    for (k, v) in [
        ("brand_registration_sid", json!(brand.sid)),
        ("messaging_service_sid", json!(service.sid)),
        ("us_app_to_person_usecase", json!(usecase)),
        ("campaign_id", Value::Null),
        ("is_externally_registered", json!(false)),
        (
            "mock",
            brand.fields.get("mock").cloned().unwrap_or(json!(false)),
        ),
        ("subscriber_opt_in", json!(false)),
        ("age_gated", json!(false)),
        ("direct_lending", json!(false)),
    ] {
        fields.insert(k.into(), v);
    }
    apply(&mut fields, params, true)?;
    // One SOLE_PROPRIETOR campaign per SOLE_PROPRIETOR brand (the spec's description).
    if usecase == "SOLE_PROPRIETOR" {
        if let Some(other) = campaign_of_brand(app, account_sid, &brand.sid).await? {
            return Err(Error::conflict(
                20409,
                format!(
                    "The SOLE_PROPRIETOR brand {} has a campaign already: {other}",
                    brand.sid
                ),
            ));
        }
    }
    let r = registrations::new(
        app,
        account_sid,
        Kind::UsAppToPerson,
        Some(service.sid.clone()),
        fields,
    );
    match registrations::create(app, r).await {
        Ok(r) => Ok(r),
        Err(StoreError::Duplicate(Unique::ServiceCampaign)) => {
            let existing = list(
                app,
                account_sid,
                &service.sid,
                PageQuery {
                    size: 1,
                    cursor: None,
                },
            )
            .await?
            .items
            .into_iter()
            .next()
            .map(|r| r.sid)
            .unwrap_or_default();
            Err(Error::conflict(
                20409,
                format!(
                    "The Messaging Service {} has a campaign already ({existing}); a service takes one",
                    service.sid
                ),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// A campaign of the account naming this brand, if any (a brand has few).
async fn campaign_of_brand(
    app: &App,
    account_sid: &str,
    brand_sid: &str,
) -> Result<Option<String>> {
    let mut cursor = None;
    loop {
        let page = app
            .store
            .list_registrations(
                account_sid,
                Kind::UsAppToPerson,
                &RegistrationFilter::default(),
                PageQuery { size: 200, cursor },
            )
            .await?;
        if let Some(r) = page
            .items
            .iter()
            .find(|r| r.fields["brand_registration_sid"] == brand_sid)
        {
            return Ok(Some(r.sid.clone()));
        }
        match page.items.last() {
            Some(last) if page.has_next => cursor = Some(crate::store::Cursor::After(last.seq)),
            _ => return Ok(None),
        }
    }
}

pub async fn list(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    page: PageQuery,
) -> Result<Page<Registration>> {
    messaging::get(app, account_sid, service_sid).await?;
    let filter = RegistrationFilter {
        parent_sid: Some(service_sid.to_string()),
        status: None,
    };
    Ok(app
        .store
        .list_registrations(account_sid, Kind::UsAppToPerson, &filter, page)
        .await?)
}

pub async fn get(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    sid: &str,
) -> Result<Registration> {
    match app
        .store
        .registration(account_sid, Kind::UsAppToPerson, sid)
        .await?
    {
        Some(r) if r.parent_sid.as_deref() == Some(service_sid) => Ok(r),
        _ => Err(not_found(service_sid, sid)),
    }
}

/// `POST …/Compliance/Usa2p/{Sid}`: edits the campaign (the update's required parameters
/// each given); a FAILED campaign is resubmitted with its edits, one under review is 409.
pub async fn update(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    sid: &str,
    params: &Params,
) -> Result<Registration> {
    let mut r = get(app, account_sid, service_sid, sid).await?;
    for p in ["AgeGated", "DirectLending"] {
        if first(params, p).is_none_or(str::is_empty) {
            return Err(Error::MissingParameter(if p == "AgeGated" {
                "AgeGated"
            } else {
                "DirectLending"
            }));
        }
    }
    apply(&mut r.fields, params, true)?;
    match Kind::UsAppToPerson.stage(&r.status) {
        Stage::Rejected => {
            let change = registrations::transition(
                app,
                r,
                Kind::UsAppToPerson.submitted(),
                Actor::Customer,
                None,
            )?;
            registrations::commit(app, change).await
        }
        Stage::Approved => {
            r.date_updated = app.clock.now();
            let event = super::lifecycle::subject_event(
                &r.sid,
                &r.account_sid,
                "updated",
                json!({}),
                r.date_updated,
            );
            registrations::commit(
                app,
                crate::store::RegistrationChange {
                    registration: r,
                    events: vec![event],
                    jobs: vec![],
                },
            )
            .await
        }
        _ => Err(Error::conflict(
            20409,
            format!(
                "Campaign {sid} is {}: it cannot be edited while it is reviewed",
                r.status
            ),
        )),
    }
}

/// `DELETE …/Compliance/Usa2p/{Sid}`: in any status.
pub async fn delete(app: &App, account_sid: &str, service_sid: &str, sid: &str) -> Result<()> {
    get(app, account_sid, service_sid, sid).await?;
    let deleted = app
        .store
        .delete_registration(
            account_sid,
            Kind::UsAppToPerson,
            sid,
            Kind::UsAppToPerson.statuses(),
        )
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(not_found(service_sid, sid))
    }
}

/// `GET …/Compliance/Usa2p/Usecases`: the use cases the brand (`BrandRegistrationSid`, of
/// the account) may register on this service; without a brand, the standard ones.
pub async fn usecases_for_service(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    brand_sid: Option<&str>,
) -> Result<Vec<Value>> {
    messaging::get(app, account_sid, service_sid).await?;
    let brand_type = match brand_sid {
        Some(sid) => {
            let b = brands::get(app, account_sid, sid).await?;
            b.fields["brand_type"]
                .as_str()
                .unwrap_or("STANDARD")
                .to_string()
        }
        None => "STANDARD".to_string(),
    };
    Ok(campaign::usecases_for(&brand_type)
        .into_iter()
        .map(campaign::usecase_json)
        .collect())
}

/// A campaign's review waits on nothing (its brand was APPROVED at create) but fails if
/// its brand is no longer APPROVED.
pub async fn review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let brand_sid = r.fields["brand_registration_sid"].as_str().unwrap_or("");
    let d = match app
        .store
        .registration(&r.account_sid, Kind::Brand, brand_sid)
        .await?
    {
        Some(b) if b.status == Kind::Brand.approved() => Dependency::Ready,
        Some(b) => Dependency::Failed(format!("The brand {brand_sid} is {}", b.status)),
        None => Dependency::Failed(format!("The brand {brand_sid} no longer exists")),
    };
    Ok((registrations::trigger_values(r), vec![d]))
}
