//! 2010-04-01 JSON shapes: RFC 2822 dates and relative `.json` URIs. One
//! `#[derive(Serialize)]` struct per resource, fields in wire order (see `http/render.rs`).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use crate::domain::account::AccountStatus;
use crate::domain::numbers::{Candidate, Capabilities, Country, Facts};
use crate::format::rfc2822;
use crate::store::{Account, Address, ApiKey, PhoneNumber};

pub fn account_uri(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{sid}.json")
}

/// An object whose keys are known only at run time (`subresource_uris`), in order.
pub struct Pairs(Vec<(&'static str, String)>);

impl Serialize for Pairs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// An account's `subresource_uris`: (key, path segment), in Twilio's order.
const ACCOUNT_SUBRESOURCES: [(&str, &str); 20] = [
    ("available_phone_numbers", "AvailablePhoneNumbers"),
    ("calls", "Calls"),
    ("conferences", "Conferences"),
    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
    ("notifications", "Notifications"),
    ("outgoing_caller_ids", "OutgoingCallerIds"),
    ("recordings", "Recordings"),
    ("transcriptions", "Transcriptions"),
    ("addresses", "Addresses"),
    ("signing_keys", "SigningKeys"),
    ("connect_apps", "ConnectApps"),
    ("sip", "SIP"),
    ("authorized_connect_apps", "AuthorizedConnectApps"),
    ("usage", "Usage"),
    ("keys", "Keys"),
    ("applications", "Applications"),
    ("queues", "Queues"),
    ("messages", "Messages"),
    ("balance", "Balance"),
    ("short_codes", "SMS/ShortCodes"),
];

#[derive(Serialize)]
pub struct AccountBody<'a> {
    auth_token: &'a str,
    date_created: String,
    date_updated: String,
    friendly_name: &'a str,
    owner_account_sid: &'a str,
    sid: &'a str,
    status: AccountStatus,
    subresource_uris: Pairs,
    #[serde(rename = "type")]
    kind: &'static str,
    uri: String,
}

pub fn account(a: &Account) -> AccountBody<'_> {
    let uris = ACCOUNT_SUBRESOURCES
        .iter()
        .map(|&(key, name)| (key, format!("/2010-04-01/Accounts/{}/{name}.json", a.sid)))
        .collect();
    AccountBody {
        auth_token: &a.auth_token,
        date_created: rfc2822(a.date_created),
        date_updated: rfc2822(a.date_updated),
        friendly_name: &a.friendly_name,
        owner_account_sid: a.owner_sid.as_deref().unwrap_or(&a.sid),
        sid: &a.sid,
        status: a.status,
        subresource_uris: Pairs(uris),
        kind: "Full",
        uri: account_uri(&a.sid),
    }
}

#[derive(Serialize)]
pub struct KeyBody<'a> {
    sid: &'a str,
    friendly_name: &'a str,
    date_created: String,
    date_updated: String,
}

pub fn key(k: &ApiKey) -> KeyBody<'_> {
    KeyBody {
        sid: &k.sid,
        friendly_name: &k.friendly_name,
        date_created: rfc2822(k.date_created),
        date_updated: rfc2822(k.date_updated),
    }
}

/// A new key: the key and, this once, its secret.
#[derive(Serialize)]
pub struct NewKeyBody<'a> {
    #[serde(flatten)]
    key: KeyBody<'a>,
    secret: &'a str,
}

pub fn new_key<'a>(k: &'a ApiKey, secret: &'a str) -> NewKeyBody<'a> {
    NewKeyBody {
        key: key(k),
        secret,
    }
}

#[derive(Serialize)]
pub struct AddressBody<'a> {
    account_sid: &'a str,
    city: &'a str,
    customer_name: &'a str,
    date_created: String,
    date_updated: String,
    emergency_enabled: bool,
    friendly_name: Option<&'a str>,
    iso_country: &'a str,
    postal_code: &'a str,
    region: &'a str,
    sid: &'a str,
    street: &'a str,
    street_secondary: Option<&'a str>,
    validated: bool,
    verified: bool,
    uri: String,
}

pub fn address(a: &Address) -> AddressBody<'_> {
    AddressBody {
        account_sid: &a.account_sid,
        city: &a.city,
        customer_name: &a.customer_name,
        date_created: rfc2822(a.date_created),
        date_updated: rfc2822(a.date_updated),
        emergency_enabled: a.emergency_enabled,
        friendly_name: a.friendly_name.as_deref(),
        iso_country: &a.iso_country,
        postal_code: &a.postal_code,
        region: &a.region,
        sid: &a.sid,
        street: &a.street,
        street_secondary: a.street_secondary.as_deref(),
        validated: false,
        verified: false,
        uri: format!(
            "/2010-04-01/Accounts/{}/Addresses/{}.json",
            a.account_sid, a.sid
        ),
    }
}

/// A number setting: the stored value, else its default (`null` when `D` is `()`).
pub struct Setting<'a, D>(Option<&'a Value>, D);

impl<D: Serialize> Serialize for Setting<'_, D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(v) => v.serialize(s),
            None => self.1.serialize(s),
        }
    }
}

#[derive(Serialize)]
pub struct NumberBody<'a> {
    account_sid: &'a str,
    address_sid: Setting<'a, ()>,
    address_requirements: String,
    api_version: Setting<'a, &'static str>,
    beta: bool,
    capabilities: Capabilities,
    date_created: String,
    date_updated: String,
    friendly_name: &'a str,
    identity_sid: Setting<'a, ()>,
    phone_number: &'a str,
    origin: &'static str,
    sid: &'a str,
    sms_application_sid: Setting<'a, ()>,
    sms_fallback_method: Setting<'a, &'static str>,
    sms_fallback_url: Setting<'a, ()>,
    sms_method: Setting<'a, &'static str>,
    sms_url: Setting<'a, ()>,
    status_callback: Setting<'a, ()>,
    status_callback_method: Setting<'a, &'static str>,
    trunk_sid: Setting<'a, ()>,
    uri: String,
    voice_receive_mode: Setting<'a, &'static str>,
    voice_application_sid: Setting<'a, ()>,
    voice_caller_id_lookup: Setting<'a, bool>,
    voice_fallback_method: Setting<'a, &'static str>,
    voice_fallback_url: Setting<'a, ()>,
    voice_method: Setting<'a, &'static str>,
    voice_url: Setting<'a, ()>,
    emergency_status: Setting<'a, &'static str>,
    emergency_address_sid: Setting<'a, ()>,
    emergency_address_status: &'static str,
    bundle_sid: Option<&'a str>,
    status: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `bundle_sid` is resolved by the caller (it may come from a channel assignment); `facts`
/// (type, capabilities, …) are read from the number by the catalog's inventory.
pub fn number<'a>(n: &'a PhoneNumber, bundle_sid: Option<&'a str>, facts: Facts) -> NumberBody<'a> {
    let c = |k: &str| Setting(n.config.get(k), ());
    let method = |k: &str| Setting(n.config.get(k), "POST");
    NumberBody {
        account_sid: &n.account_sid,
        address_sid: c("address_sid"),
        address_requirements: facts.address_requirements,
        api_version: Setting(n.config.get("api_version"), "2010-04-01"),
        beta: facts.beta,
        capabilities: facts.capabilities,
        date_created: rfc2822(n.date_created),
        date_updated: rfc2822(n.date_updated),
        friendly_name: &n.friendly_name,
        identity_sid: c("identity_sid"),
        phone_number: &n.phone_number,
        origin: "twilio",
        sid: &n.sid,
        sms_application_sid: c("sms_application_sid"),
        sms_fallback_method: method("sms_fallback_method"),
        sms_fallback_url: c("sms_fallback_url"),
        sms_method: method("sms_method"),
        sms_url: c("sms_url"),
        status_callback: c("status_callback"),
        status_callback_method: method("status_callback_method"),
        trunk_sid: c("trunk_sid"),
        uri: format!(
            "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json",
            n.account_sid, n.sid
        ),
        voice_receive_mode: Setting(n.config.get("voice_receive_mode"), "voice"),
        voice_application_sid: c("voice_application_sid"),
        voice_caller_id_lookup: Setting(n.config.get("voice_caller_id_lookup"), false),
        voice_fallback_method: method("voice_fallback_method"),
        voice_fallback_url: c("voice_fallback_url"),
        voice_method: method("voice_method"),
        voice_url: c("voice_url"),
        emergency_status: Setting(n.config.get("emergency_status"), "Inactive"),
        emergency_address_sid: c("emergency_address_sid"),
        emergency_address_status: "unregistered",
        bundle_sid,
        status: "in-use",
        kind: facts.kind.as_str(),
    }
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
#[derive(Serialize)]
pub struct AvailableBody<'a> {
    friendly_name: String,
    phone_number: &'a str,
    lata: Option<&'a str>,
    locality: Option<&'a str>,
    rate_center: Option<&'a str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    region: Option<&'a str>,
    postal_code: Option<&'a str>,
    iso_country: &'a str,
    address_requirements: &'a str,
    beta: bool,
    capabilities: &'a Capabilities,
}

pub fn available<'a>(c: &'a Candidate) -> AvailableBody<'a> {
    let b = c.block;
    AvailableBody {
        friendly_name: friendly_number(&c.phone_number),
        phone_number: &c.phone_number,
        lata: b.lata.as_deref(),
        locality: b.locality.as_deref(),
        rate_center: b.rate_center.as_deref(),
        latitude: b.latitude,
        longitude: b.longitude,
        region: b.region.as_deref(),
        postal_code: b.postal_code.as_deref(),
        iso_country: &c.country.country_code,
        address_requirements: &b.address_requirements,
        beta: b.beta || c.country.beta,
        capabilities: &b.capabilities,
    }
}

/// An `AvailablePhoneNumbers/{CountryCode}` resource: the country and the types offered
/// there (`subresource_uris`: `local`, `toll_free`, `mobile`).
#[derive(Serialize)]
pub struct CountryBody<'a> {
    country_code: &'a str,
    country: &'a str,
    uri: String,
    beta: bool,
    subresource_uris: Pairs,
}

pub fn country<'a>(account_sid: &str, c: &'a Country) -> CountryBody<'a> {
    let base = format!(
        "/2010-04-01/Accounts/{account_sid}/AvailablePhoneNumbers/{}",
        c.country_code
    );
    let uris = crate::domain::numbers::NUMBER_TYPES
        .into_iter()
        .filter(|&t| c.blocks.iter().any(|b| b.kind == t))
        .map(|t| (t.key(), format!("{base}/{}.json", t.segment())))
        .collect();
    CountryBody {
        country_code: &c.country_code,
        country: &c.country,
        uri: format!("{base}.json"),
        beta: c.beta,
        subresource_uris: Pairs(uris),
    }
}
