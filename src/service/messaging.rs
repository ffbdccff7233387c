//! Messaging v1: Messaging Services (`MG…`) and their phone-number sender pools.
//!
//! Rules (Twilio's codes where its error dictionary has one):
//! - a number joins the pool of one Messaging Service at a time: another service's number
//!   is 400 / 21712, the same service's again 409 / 80104;
//! - the number must be an IncomingPhoneNumber of the service's account: a malformed,
//!   unknown or another account's `PhoneNumberSid` is 400 / 21421 (one message for all);
//! - it must be able to text: a number with neither SMS nor MMS is 400 / 21715;
//! - deleting a service empties its pool; releasing a number takes it out of its pool; a
//!   number in a pool is not moved to another account (409 / 20409, `numbers::update`);
//! - the service of a SOLE_PROPRIETOR campaign holds one number: a second is 409 / 20409
//!   (`campaigns::check_pool_room`).
//!
//! Services and pools are scoped by account like every other resource: another account's
//! service is 404 / 20404 as an unknown SID is.

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::sid;
use crate::store::{MessagingService, Page, PageQuery, ServiceNumber, StoreError, Unique};

use super::App;

/// What a setting's parameter takes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// An absolute http(s) URL; empty clears it.
    Url,
    /// `GET` or `POST` (either case), stored upper-case.
    Method,
    Bool,
    /// `inherit`, `enable` or `disable`.
    Scan,
    /// Seconds, 1 to 36,000.
    Validity,
    /// `notifications`, `marketing`, `verification`, `discussion`, `poll`, `undeclared`.
    Usecase,
}

/// The settings a create or update may carry: parameter, property, kind, and the value a
/// new service starts with. (A table: `duplicates` pairs its rows, which are alike by design.)
const SETTINGS: [(&str, &str, Kind); 15] = [
    ("InboundRequestUrl", "inbound_request_url", Kind::Url),
    ("InboundMethod", "inbound_method", Kind::Method),
    ("FallbackUrl", "fallback_url", Kind::Url),
    ("FallbackMethod", "fallback_method", Kind::Method),
    ("StatusCallback", "status_callback", Kind::Url),
    ("StickySender", "sticky_sender", Kind::Bool),
    ("MmsConverter", "mms_converter", Kind::Bool),
    ("SmartEncoding", "smart_encoding", Kind::Bool),
    ("ScanMessageContent", "scan_message_content", Kind::Scan),
    ("FallbackToLongCode", "fallback_to_long_code", Kind::Bool),
    ("AreaCodeGeomatch", "area_code_geomatch", Kind::Bool),
    ("ValidityPeriod", "validity_period", Kind::Validity),
    (
        "SynchronousValidation",
        "synchronous_validation",
        Kind::Bool,
    ),
    ("Usecase", "usecase", Kind::Usecase),
    (
        "UseInboundWebhookOnNumber",
        "use_inbound_webhook_on_number",
        Kind::Bool,
    ),
];

/// A new service's settings (README "Messaging Services" says where each comes from).
fn defaults() -> Map<String, Value> {
    let v = json!({
        "inbound_request_url": null,
        "inbound_method": "POST",
        "fallback_url": null,
        "fallback_method": "POST",
        "status_callback": null,
        "sticky_sender": true,
        "mms_converter": true,
        "smart_encoding": true,
        "scan_message_content": "inherit",
        "fallback_to_long_code": false,
        "area_code_geomatch": true,
        "validity_period": 36000,
        "synchronous_validation": false,
        "usecase": "undeclared",
        "use_inbound_webhook_on_number": false,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Checks and applies the settings a request carries (the first of a repeated parameter
/// counts). A bad value is 400 / 20001 naming the parameter and what it takes (21609 for
/// a `StatusCallback` that is not an http(s) URL, as on bundles); nothing is applied then.
/// `Usecase` takes a Messaging Service use case of the catalog (`a2p_usecases.json`).
fn apply_settings(
    app: &App,
    config: &mut Map<String, Value>,
    params: &[(String, String)],
) -> Result<()> {
    let usecases: Vec<&str> = app
        .catalog
        .usecases
        .messaging_service
        .iter()
        .map(|u| u.usecase.as_str())
        .collect();
    let mut changes = Vec::new();
    for (param, prop, kind) in SETTINGS {
        let Some((_, v)) = params.iter().find(|(k, _)| k == param) else {
            continue;
        };
        let bad =
            |takes: &str| Error::invalid(20001, format!("{param} must be {takes}; got \"{v}\""));
        let value = match kind {
            Kind::Url if v.is_empty() => Value::Null,
            Kind::Url => {
                let code = if param == "StatusCallback" {
                    21609
                } else {
                    20001
                };
                super::check_http_url(param, v, code)?;
                json!(v)
            }
            Kind::Method => match v.to_ascii_uppercase().as_str() {
                m @ ("GET" | "POST") => json!(m),
                _ => return Err(bad("GET or POST")),
            },
            Kind::Bool => match super::parse_bool(Some(v), param)? {
                Some(b) => json!(b),
                None => continue,
            },
            Kind::Scan => match v.as_str() {
                "inherit" | "enable" | "disable" => json!(v),
                _ => return Err(bad("one of inherit, enable, disable")),
            },
            Kind::Validity => match v.parse::<i64>() {
                Ok(n) if (1..=36_000).contains(&n) => json!(n),
                _ => return Err(bad("a whole number of seconds from 1 to 36000")),
            },
            Kind::Usecase => match usecases.contains(&v.as_str()) {
                true => json!(v),
                false => return Err(bad(&format!("one of {}", usecases.join(", ")))),
            },
        };
        changes.push((prop, value));
    }
    for (prop, value) in changes {
        config.insert(prop.to_string(), value);
    }
    Ok(())
}

fn not_found(path: String) -> Error {
    Error::NotFound(path)
}

/// Creates a service with Twilio's defaults and the settings given.
pub async fn create(
    app: &App,
    account_sid: &str,
    friendly_name: &str,
    params: &[(String, String)],
) -> Result<MessagingService> {
    super::check_short_name(friendly_name, true)?;
    let mut config = defaults();
    apply_settings(app, &mut config, params)?;
    let now = app.clock.now();
    Ok(app
        .store
        .insert_service(MessagingService {
            seq: 0,
            sid: sid::generate(sid::MESSAGING_SERVICE),
            account_sid: account_sid.to_string(),
            friendly_name: friendly_name.to_string(),
            config,
            date_created: now,
            date_updated: now,
        })
        .await?)
}

/// The account's service, or 404 / 20404 (also for another account's).
pub async fn get(app: &App, account_sid: &str, sid: &str) -> Result<MessagingService> {
    app.store
        .service(account_sid, sid)
        .await?
        .ok_or_else(|| not_found(format!("/Services/{sid}")))
}

/// The account's services, oldest first (keyset paging).
pub async fn list(app: &App, account_sid: &str, page: PageQuery) -> Result<Page<MessagingService>> {
    Ok(app.store.list_services(account_sid, page).await?)
}

/// Renames the service and/or changes the settings the request carries (404 / 20404 for
/// another account's; bad values as [`apply_settings`], nothing applied then).
pub async fn update(
    app: &App,
    account_sid: &str,
    sid: &str,
    friendly_name: Option<&str>,
    params: &[(String, String)],
) -> Result<MessagingService> {
    let mut s = get(app, account_sid, sid).await?;
    if let Some(name) = friendly_name {
        super::check_short_name(name, true)?;
        s.friendly_name = name.to_string();
    }
    apply_settings(app, &mut s.config, params)?;
    super::campaigns::check_service_usecase(app, &s).await?;
    s.date_updated = app.clock.now();
    app.store.update_service(&s).await?;
    Ok(s)
}

/// Deletes the service; its numbers leave its pool and stay with the account, and its A2P
/// campaign is deleted with it (in the store's one transaction).
pub async fn delete(app: &App, account_sid: &str, sid: &str) -> Result<()> {
    if app.store.delete_service(account_sid, sid).await? {
        Ok(())
    } else {
        Err(not_found(format!("/Services/{sid}")))
    }
}

/// The 400 / 21421 of a `PhoneNumberSid` that names no number of the account.
fn invalid_number(number_sid: &str) -> Error {
    Error::invalid(
        21421,
        format!("PhoneNumberSid \"{number_sid}\" is not the SID of a phone number of this account"),
    )
}

/// Where a number already is: 21712 in another service, 80104 in this one.
fn already_in(number_sid: &str, service_sid: &str, other: &str) -> Error {
    if other == service_sid {
        Error::conflict(
            80104,
            format!("PhoneNumber {number_sid} has already been added to Service {service_sid}"),
        )
    } else {
        Error::invalid(
            21712,
            format!("PhoneNumber {number_sid} is associated with another Messaging Service ({other}); a number is in one Messaging Service at a time: remove it from {other} first"),
        )
    }
}

/// Adds one of the account's numbers to the service's pool (rules in the module docs).
pub async fn add_number(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    number_sid: &str,
) -> Result<ServiceNumber> {
    let service = get(app, account_sid, service_sid).await?;
    if !sid::is_valid(number_sid, sid::PHONE_NUMBER) {
        return Err(invalid_number(number_sid));
    }
    let number = app
        .store
        .number(account_sid, number_sid)
        .await?
        .ok_or_else(|| invalid_number(number_sid))?;
    let caps = app.catalog.numbers.facts(&number.phone_number).capabilities;
    if !caps.sms && !caps.mms {
        return Err(Error::invalid(
            21715,
            format!(
                "PhoneNumber {number_sid} ({}) has neither SMS nor MMS capability and cannot be in a Messaging Service",
                number.phone_number
            ),
        ));
    }
    if let Some(other) = app.store.service_of_number(&number.sid).await? {
        return Err(already_in(&number.sid, &service.sid, &other));
    }
    super::campaigns::check_pool_room(app, &service).await?;
    let now = app.clock.now();
    let added = app
        .store
        .insert_service_number(ServiceNumber {
            seq: 0,
            service_sid: service.sid.clone(),
            account_sid: account_sid.to_string(),
            number_sid: number.sid.clone(),
            phone_number: number.phone_number.clone(),
            date_created: now,
            date_updated: now,
        })
        .await;
    match added {
        // Added to a pool by a concurrent request since the check above.
        Err(StoreError::Duplicate(Unique::ServiceNumber)) => match app.store.service_of_number(&number.sid).await? {
            Some(other) => Err(already_in(&number.sid, &service.sid, &other)),
            None => Err(StoreError::Stale.into()),
        },
        // The service was deleted or the number released or moved meanwhile.
        Err(StoreError::Stale) => Err(Error::conflict(
            20409,
            format!("Service {service_sid} or phone number {number_sid} changed while the number was being added; fetch both and try again"),
        )),
        other => Ok(other?),
    }
}

fn number_path(service_sid: &str, number_sid: &str) -> String {
    format!("/Services/{service_sid}/PhoneNumbers/{number_sid}")
}

/// A number of the service's pool (404 / 20404 when the service is not the account's or
/// the number not in its pool).
pub async fn get_number(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    number_sid: &str,
) -> Result<ServiceNumber> {
    let service = get(app, account_sid, service_sid).await?;
    app.store
        .service_number(&service.sid, number_sid)
        .await?
        .ok_or_else(|| not_found(number_path(service_sid, number_sid)))
}

/// The numbers of the service's pool, in the order they joined (404 / 20404 when the
/// service is not the account's).
pub async fn list_numbers(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    page: PageQuery,
) -> Result<Page<ServiceNumber>> {
    let service = get(app, account_sid, service_sid).await?;
    Ok(app.store.list_service_numbers(&service.sid, page).await?)
}

/// Takes a number out of the pool; it stays with the account.
pub async fn remove_number(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    number_sid: &str,
) -> Result<()> {
    let service = get(app, account_sid, service_sid).await?;
    if app
        .store
        .delete_service_number(&service.sid, number_sid)
        .await?
    {
        Ok(())
    } else {
        Err(not_found(number_path(service_sid, number_sid)))
    }
}
