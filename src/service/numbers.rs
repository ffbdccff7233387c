//! IncomingPhoneNumbers (2010-04-01): numbers "bought" from this server, owned by one
//! account at a time, which bundles take as channel endpoints.

use serde_json::{Map, Value};

use crate::domain::validate::is_e164;
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Account, NumberFilter, Page, PageQuery, PhoneNumber, StoreError, Unique};

use super::{accounts, App};

fn not_found(account: &str, sid: &str) -> Error {
    Error::NotFound(format!(
        "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{sid}.json"
    ))
}

/// Settings a create or update may carry, by PascalCase parameter → snake_case property.
pub const SETTINGS: [(&str, &str); 21] = [
    ("ApiVersion", "api_version"),
    ("SmsApplicationSid", "sms_application_sid"),
    ("SmsFallbackMethod", "sms_fallback_method"),
    ("SmsFallbackUrl", "sms_fallback_url"),
    ("SmsMethod", "sms_method"),
    ("SmsUrl", "sms_url"),
    ("StatusCallback", "status_callback"),
    ("StatusCallbackMethod", "status_callback_method"),
    ("VoiceApplicationSid", "voice_application_sid"),
    ("VoiceCallerIdLookup", "voice_caller_id_lookup"),
    ("VoiceFallbackMethod", "voice_fallback_method"),
    ("VoiceFallbackUrl", "voice_fallback_url"),
    ("VoiceMethod", "voice_method"),
    ("VoiceUrl", "voice_url"),
    ("EmergencyStatus", "emergency_status"),
    ("EmergencyAddressSid", "emergency_address_sid"),
    ("TrunkSid", "trunk_sid"),
    ("IdentitySid", "identity_sid"),
    ("AddressSid", "address_sid"),
    ("VoiceReceiveMode", "voice_receive_mode"),
    ("BundleSid", "bundle_sid"),
];

/// Checks and applies settings; enumerated ones must hold an allowed value. Of a repeated
/// parameter the first counts, as everywhere else (`Params::get`).
pub fn apply_settings(config: &mut Map<String, Value>, params: &[(String, String)]) -> Result<()> {
    for (param, prop) in SETTINGS {
        let Some((_, v)) = params.iter().find(|(k, _)| k == param) else {
            continue;
        };
        let allowed: &[&str] = match param {
            "VoiceCallerIdLookup" => &["true", "false"],
            "EmergencyStatus" => &["Active", "Inactive"],
            "VoiceReceiveMode" => &["voice", "fax"],
            p if p.ends_with("Method") => &["GET", "POST", "get", "post"],
            _ => &[],
        };
        if !allowed.is_empty() && !allowed.contains(&v.as_str()) {
            return Err(Error::invalid(
                21422,
                format!("{param} must be one of {}; got \"{v}\"", allowed.join(", ")),
            ));
        }
        let value = match param {
            "VoiceCallerIdLookup" => Value::Bool(v == "true"),
            p if p.ends_with("Method") => Value::String(v.to_ascii_uppercase()),
            _ if v.is_empty() => Value::Null,
            _ => Value::String(v.clone()),
        };
        config.insert(prop.to_string(), value);
    }
    Ok(())
}

pub async fn create(
    app: &App,
    account: &Account,
    phone_number: Option<&str>,
    friendly_name: Option<String>,
    params: &[(String, String)],
) -> Result<PhoneNumber> {
    let Some(number) = phone_number.filter(|s| !s.is_empty()) else {
        return Err(Error::invalid(
            21452,
            "PhoneNumber is required: this server provisions the E.164 number you name (AreaCode search is not supported)",
        ));
    };
    if !is_e164(number) {
        return Err(Error::invalid(
            21421,
            format!("PhoneNumber \"{number}\" is not in E.164 format (e.g. +15555550100)"),
        ));
    }
    let mut config = Map::new();
    apply_settings(&mut config, params)?;
    let now = app.clock.now();
    let n = PhoneNumber {
        seq: 0,
        sid: sid::generate(sid::PHONE_NUMBER),
        account_sid: account.sid.clone(),
        phone_number: number.to_string(),
        friendly_name: friendly_name
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| number.to_string()),
        config,
        date_created: now,
        date_updated: now,
    };
    match app.store.insert_number(n).await {
        Err(StoreError::Duplicate(Unique::PhoneNumber)) => {
            let filter = NumberFilter {
                phone_number: Some(number.to_string()),
                friendly_name: None,
            };
            let one = PageQuery {
                size: 1,
                cursor: None,
            };
            let own = app.store.list_numbers(&account.sid, &filter, one).await?;
            let holder = if own.items.is_empty() {
                "another account owns it"
            } else {
                "this account has it already"
            };
            Err(Error::invalid(
                21422,
                format!("PhoneNumber {number} is not available: {holder}"),
            ))
        }
        other => Ok(other?),
    }
}

pub async fn get(app: &App, account: &Account, sid: &str) -> Result<PhoneNumber> {
    app.store
        .number(&account.sid, sid)
        .await?
        .ok_or_else(|| not_found(&account.sid, sid))
}

pub async fn list(
    app: &App,
    account: &Account,
    filter: &NumberFilter,
    page: PageQuery,
) -> Result<Page<PhoneNumber>> {
    Ok(app.store.list_numbers(&account.sid, filter, page).await?)
}

/// `AccountSid` moves the number within a parent and its subaccounts.
pub async fn update(
    app: &App,
    caller: &Account,
    account: &Account,
    sid: &str,
    friendly_name: Option<String>,
    new_owner: Option<&str>,
    params: &[(String, String)],
) -> Result<PhoneNumber> {
    let mut n = get(app, account, sid).await?;
    apply_settings(&mut n.config, params)?;
    if let Some(name) = friendly_name {
        if name.chars().count() > 64 {
            return Err(Error::invalid(
                20002,
                "FriendlyName must be at most 64 characters",
            ));
        }
        n.friendly_name = name;
    }
    if let Some(target) = new_owner.filter(|t| *t != n.account_sid) {
        // A malformed SID is a parameter error, not an account outside the family.
        super::check_sid("AccountSid", target, crate::sid::ACCOUNT, 20001)?;
        // The caller must reach both sides: its own account and its subaccounts.
        // Twilio: 21474 when a subaccount moves a number to its parent, 21473 when the target
        // is outside what the caller reaches (another family, a sibling, an inactive one).
        let to = match accounts::reach(app, caller, target, false).await {
            Ok(to) => to,
            Err(_) if caller.owner_sid.as_deref() == Some(target) => {
                return Err(Error::invalid(
                    21474,
                    format!("A subaccount cannot transfer a phone number to its parent account {target}; the parent account can move it"),
                ))
            }
            Err(_) => {
                return Err(Error::invalid(
                    21473,
                    format!("AccountSid {target} is not this account or one of its active subaccounts; phone numbers move only within an account family"),
                ))
            }
        };
        if !app.store.bundles_with_number(&n.sid).await?.is_empty() {
            return Err(Error::conflict(
                20409,
                format!(
                    "{} is assigned to a bundle; remove it from the bundle before moving it",
                    n.sid
                ),
            ));
        }
        n.account_sid = to.sid;
    }
    n.date_updated = app.clock.now();
    app.store.update_number(&n).await?;
    Ok(n)
}

pub async fn delete(app: &App, account: &Account, sid: &str) -> Result<()> {
    let n = get(app, account, sid).await?;
    if let Some(b) = app.store.bundles_with_number(&n.sid).await?.first() {
        // The parent's bundles (its Primary, its trust products) may hold a subaccount's
        // number: do not name them, and let the parent remove it.
        let message = if b.account_sid == account.sid {
            format!(
                "{} is assigned to {} {}; delete that ChannelEndpointAssignment first",
                n.sid,
                b.kind.label(),
                b.sid
            )
        } else {
            format!(
                "{} is assigned to a bundle of the parent account; the parent account must remove it there first",
                n.sid
            )
        };
        return Err(Error::conflict(20409, message));
    }
    // Checked again under the number's lock: an assignment may have landed since.
    match app.store.delete_number(&account.sid, sid).await {
        Err(crate::store::StoreError::Stale) => Err(Error::conflict(
            20409,
            format!(
                "{} was assigned while it was being released; delete that ChannelEndpointAssignment first",
                n.sid
            ),
        )),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// The bundle a number shows in `bundle_sid`: the one set on it, else the first it is
/// assigned to.
pub async fn bundle_of(app: &App, n: &PhoneNumber) -> Result<Option<String>> {
    if let Some(Value::String(b)) = n.config.get("bundle_sid") {
        return Ok(Some(b.clone()));
    }
    // The number's own account's bundle (a parent's primary may also hold it).
    Ok(app
        .store
        .bundles_with_number(&n.sid)
        .await?
        .iter()
        .find(|b| b.account_sid == n.account_sid)
        .map(|b| b.sid.clone()))
}
