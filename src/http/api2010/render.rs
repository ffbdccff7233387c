//! 2010-04-01 JSON shapes: RFC 2822 dates and relative `.json` URIs.

use serde_json::{json, Map, Value};

use crate::domain::numbers::{Candidate, Capabilities, Country, Facts};
use crate::format::rfc2822;
use crate::store::{Account, Address, ApiKey, PhoneNumber};

pub fn account_uri(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{sid}.json")
}

pub fn account(a: &Account) -> Value {
    let sub = |name: &str| format!("/2010-04-01/Accounts/{}/{name}.json", a.sid);
    let mut uris = Map::new();
    for name in [
        "AvailablePhoneNumbers",
        "Calls",
        "Conferences",
        "IncomingPhoneNumbers",
        "Notifications",
        "OutgoingCallerIds",
        "Recordings",
        "Transcriptions",
        "Addresses",
        "SigningKeys",
        "ConnectApps",
        "SIP",
        "AuthorizedConnectApps",
        "Usage",
        "Keys",
        "Applications",
        "Queues",
        "Messages",
        "Balance",
    ] {
        uris.insert(snake(name), Value::String(sub(name)));
    }
    uris.insert("short_codes".into(), Value::String(sub("SMS/ShortCodes")));
    json!({
        "auth_token": a.auth_token,
        "date_created": rfc2822(a.date_created),
        "date_updated": rfc2822(a.date_updated),
        "friendly_name": a.friendly_name,
        "owner_account_sid": a.owner_sid.clone().unwrap_or_else(|| a.sid.clone()),
        "sid": a.sid,
        "status": a.status,
        "subresource_uris": uris,
        "type": "Full",
        "uri": account_uri(&a.sid),
    })
}

fn snake(name: &str) -> String {
    if name == "SIP" {
        return "sip".into();
    }
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

pub fn key(k: &ApiKey) -> Value {
    json!({
        "sid": k.sid,
        "friendly_name": k.friendly_name,
        "date_created": rfc2822(k.date_created),
        "date_updated": rfc2822(k.date_updated),
    })
}

pub fn new_key(k: &ApiKey, secret: &str) -> Value {
    let mut v = key(k);
    v["secret"] = json!(secret);
    v
}

pub fn address(a: &Address) -> Value {
    json!({
        "account_sid": a.account_sid,
        "city": a.city,
        "customer_name": a.customer_name,
        "date_created": rfc2822(a.date_created),
        "date_updated": rfc2822(a.date_updated),
        "emergency_enabled": a.emergency_enabled,
        "friendly_name": a.friendly_name,
        "iso_country": a.iso_country,
        "postal_code": a.postal_code,
        "region": a.region,
        "sid": a.sid,
        "street": a.street,
        "street_secondary": a.street_secondary,
        "validated": false,
        "verified": false,
        "uri": format!("/2010-04-01/Accounts/{}/Addresses/{}.json", a.account_sid, a.sid),
    })
}

/// `bundle_sid` is resolved by the caller (it may come from a channel assignment); `facts`
/// (type, capabilities, …) are read from the number by the catalog's inventory.
pub fn number(n: &PhoneNumber, bundle_sid: Option<&str>, facts: &Facts) -> Value {
    let c = |k: &str| n.config.get(k).cloned().unwrap_or(Value::Null);
    let method = |k: &str| n.config.get(k).cloned().unwrap_or_else(|| json!("POST"));
    json!({
        "account_sid": n.account_sid,
        "address_sid": c("address_sid"),
        "address_requirements": facts.address_requirements,
        "api_version": n.config.get("api_version").cloned().unwrap_or_else(|| json!("2010-04-01")),
        "beta": facts.beta,
        "capabilities": capabilities(&facts.capabilities),
        "date_created": rfc2822(n.date_created),
        "date_updated": rfc2822(n.date_updated),
        "friendly_name": n.friendly_name,
        "identity_sid": c("identity_sid"),
        "phone_number": n.phone_number,
        "origin": "twilio",
        "sid": n.sid,
        "sms_application_sid": c("sms_application_sid"),
        "sms_fallback_method": method("sms_fallback_method"),
        "sms_fallback_url": c("sms_fallback_url"),
        "sms_method": method("sms_method"),
        "sms_url": c("sms_url"),
        "status_callback": c("status_callback"),
        "status_callback_method": method("status_callback_method"),
        "trunk_sid": c("trunk_sid"),
        "uri": format!("/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json", n.account_sid, n.sid),
        "voice_receive_mode": n.config.get("voice_receive_mode").cloned().unwrap_or_else(|| json!("voice")),
        "voice_application_sid": c("voice_application_sid"),
        "voice_caller_id_lookup": n.config.get("voice_caller_id_lookup").cloned().unwrap_or(json!(false)),
        "voice_fallback_method": method("voice_fallback_method"),
        "voice_fallback_url": c("voice_fallback_url"),
        "voice_method": method("voice_method"),
        "voice_url": c("voice_url"),
        "emergency_status": n.config.get("emergency_status").cloned().unwrap_or_else(|| json!("Inactive")),
        "emergency_address_sid": c("emergency_address_sid"),
        "emergency_address_status": "unregistered",
        "bundle_sid": bundle_sid,
        "status": "in-use",
        "type": facts.kind.as_str(),
    })
}

pub fn capabilities(c: &Capabilities) -> Value {
    json!({"voice": c.voice, "sms": c.sms, "mms": c.mms, "fax": c.fax})
}

/// A North American number as Twilio's friendly name shows it, `(415) 555-0100`; others
/// in E.164.
pub fn friendly_number(e164: &str) -> String {
    match e164.strip_prefix("+1").filter(|r| r.len() == 10) {
        Some(r) => format!("({}) {}-{}", &r[..3], &r[3..6], &r[6..]),
        None => e164.to_string(),
    }
}

/// One `AvailablePhoneNumbers` result (the Local, TollFree and Mobile shapes are alike).
pub fn available(c: &Candidate) -> Value {
    let b = c.block;
    json!({
        "friendly_name": friendly_number(&c.phone_number),
        "phone_number": c.phone_number,
        "lata": b.lata,
        "locality": b.locality,
        "rate_center": b.rate_center,
        "latitude": b.latitude,
        "longitude": b.longitude,
        "region": b.region,
        "postal_code": b.postal_code,
        "iso_country": c.country.country_code,
        "address_requirements": b.address_requirements,
        "beta": b.beta || c.country.beta,
        "capabilities": capabilities(&b.capabilities),
    })
}

/// An `AvailablePhoneNumbers/{CountryCode}` resource: the country and the types offered
/// there (`subresource_uris`: `local`, `toll_free`, `mobile`).
pub fn country(account_sid: &str, c: &Country) -> Value {
    let base = format!(
        "/2010-04-01/Accounts/{account_sid}/AvailablePhoneNumbers/{}",
        c.country_code
    );
    let mut uris = Map::new();
    for t in crate::domain::numbers::NUMBER_TYPES {
        if c.blocks.iter().any(|b| b.kind == t) {
            uris.insert(
                t.key().into(),
                json!(format!("{base}/{}.json", t.segment())),
            );
        }
    }
    json!({
        "country_code": c.country_code,
        "country": c.country,
        "uri": format!("{base}.json"),
        "beta": c.beta,
        "subresource_uris": uris,
    })
}
