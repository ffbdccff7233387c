//! IncomingPhoneNumbers (2010-04-01): numbers "bought" from this server, owned by one
//! account at a time, which bundles take as channel endpoints and Messaging Services as
//! senders; and the AvailablePhoneNumbers search over the catalog's inventory.

use serde_json::{Map, Value};

use crate::domain::numbers::{is_area_code, Candidate, NumberType, Search};
use crate::domain::validate::is_e164;
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{
    finish_page, Account, Cursor, NumberFilter, Page, PageQuery, PhoneNumber, StoreError, Unique,
};

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
            // Twilio's boolean, read as every boolean parameter is (`parse_bool`).
            "VoiceCallerIdLookup" => match super::parse_bool(Some(v), param) {
                Ok(Some(b)) => Value::Bool(b),
                _ => {
                    return Err(Error::invalid(
                        21422,
                        format!("{param} must be one of true, false; got \"{v}\""),
                    ))
                }
            },
            p if p.ends_with("Method") => Value::String(v.to_ascii_uppercase()),
            _ if v.is_empty() => Value::Null,
            _ => Value::String(v.clone()),
        };
        config.insert(prop.to_string(), value);
    }
    Ok(())
}

/// What a purchase names: the resource it was sent to and the number or area code.
#[derive(Debug, Default)]
pub struct Purchase<'a> {
    /// `IncomingPhoneNumbers/Local|TollFree|Mobile.json`; `None` for the generic resource.
    pub typed: Option<NumberType>,
    pub phone_number: Option<&'a str>,
    pub area_code: Option<&'a str>,
    pub friendly_name: Option<String>,
}

/// Buys a number for the account: the one named by `PhoneNumber` (any E.164 number; on a
/// typed resource it must be of that type, 21458), or on the generic resource the first
/// available inventory number in `AreaCode` (21451 when that is no area code, 21452 when
/// none is left). Twilio's errors: 21421 not E.164, 21422 owned by another account, 21457
/// `AreaCode` on a typed resource; settings as [`apply_settings`].
pub async fn create(
    app: &App,
    account: &Account,
    purchase: Purchase<'_>,
    params: &[(String, String)],
) -> Result<PhoneNumber> {
    let number = purchase.phone_number.filter(|s| !s.is_empty());
    let area = purchase.area_code.filter(|s| !s.is_empty());
    if let (Some(t), Some(_)) = (purchase.typed, area) {
        return Err(Error::invalid(
            21457,
            format!(
                "AreaCode is not supported on IncomingPhoneNumbers/{}; search AvailablePhoneNumbers and buy with PhoneNumber, or send AreaCode to IncomingPhoneNumbers",
                t.segment()
            ),
        ));
    }
    let mut config = Map::new();
    apply_settings(&mut config, params)?;
    let friendly_name = purchase.friendly_name.filter(|s| !s.is_empty());
    let Some(number) = number else {
        return match (purchase.typed, area) {
            (Some(_), _) => Err(Error::MissingParameter("PhoneNumber")),
            (None, None) => Err(Error::invalid(
                20001,
                "A PhoneNumber or an AreaCode is required",
            )),
            (None, Some(area)) => buy_in_area(app, account, area, friendly_name, config).await,
        };
    };
    if !is_e164(number) {
        return Err(Error::invalid(
            21421,
            format!("PhoneNumber \"{number}\" is not in E.164 format (e.g. +15555550100)"),
        ));
    }
    if let Some(t) = purchase.typed {
        let kind = app.catalog.numbers.number_type(number);
        if kind != t {
            return Err(Error::invalid(
                21458,
                format!(
                    "PhoneNumber {number} is a {} number; buy it through IncomingPhoneNumbers/{} or IncomingPhoneNumbers",
                    kind.as_str(),
                    kind.segment()
                ),
            ));
        }
    }
    match insert(app, account, number, friendly_name, config).await {
        Err(StoreError::Duplicate(Unique::PhoneNumber)) => {
            let filter = NumberFilter {
                phone_number: Some(number.to_string()),
                ..Default::default()
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

async fn insert(
    app: &App,
    account: &Account,
    number: &str,
    friendly_name: Option<String>,
    config: Map<String, Value>,
) -> Result<PhoneNumber, StoreError> {
    let now = app.clock.now();
    let kind = app.catalog.numbers.number_type(number);
    app.store
        .insert_number(
            PhoneNumber {
                seq: 0,
                sid: sid::generate(sid::PHONE_NUMBER),
                account_sid: account.sid.clone(),
                phone_number: number.to_string(),
                friendly_name: friendly_name.unwrap_or_else(|| number.to_string()),
                config,
                date_created: now,
                date_updated: now,
            },
            kind,
        )
        .await
}

/// How many inventory numbers are checked against the store at once.
const CHUNK: usize = 200;

/// The first inventory number in the area code that no account owns; one taken between
/// the check and the insert (a concurrent purchase) is skipped for the next.
async fn buy_in_area(
    app: &App,
    account: &Account,
    area: &str,
    friendly_name: Option<String>,
    config: Map<String, Value>,
) -> Result<PhoneNumber> {
    if !is_area_code(area) {
        return Err(Error::invalid(
            21451,
            format!("AreaCode \"{area}\" is not a valid North American area code (three digits, the first 2 to 9)"),
        ));
    }
    let all: Vec<String> = app.catalog.numbers.in_area_code(area).collect();
    for chunk in all.chunks(CHUNK) {
        let owned = app.store.owned_numbers(chunk).await?;
        for n in chunk.iter().filter(|n| !owned.contains(n)) {
            match insert(app, account, n, friendly_name.clone(), config.clone()).await {
                Err(StoreError::Duplicate(Unique::PhoneNumber)) => continue,
                other => return Ok(other?),
            }
        }
    }
    Err(Error::invalid(
        21452,
        format!("No phone numbers found in area code {area}"),
    ))
}

/// The first `size` numbers of `country`'s `kind` that `search` accepts and no account
/// owns, in inventory order. A country the inventory does not list, or a type it does not
/// offer there, is Twilio's 404.
pub async fn available<'a>(
    app: &'a App,
    account: &Account,
    country: &str,
    kind: NumberType,
    search: &'a Search,
    size: usize,
) -> Result<Vec<Candidate<'a>>> {
    let inventory = &app.catalog.numbers;
    let Some(c) = inventory
        .country(country)
        .filter(|c| c.blocks.iter().any(|b| b.kind == kind))
    else {
        return Err(Error::NotFound(format!(
            "/2010-04-01/Accounts/{}/AvailablePhoneNumbers/{country}/{}.json",
            account.sid,
            kind.segment()
        )));
    };
    let mut found = Vec::new();
    let mut candidates = inventory.candidates(c, kind, search).peekable();
    while found.len() < size && candidates.peek().is_some() {
        let chunk: Vec<Candidate> = candidates.by_ref().take(CHUNK).collect();
        let numbers: Vec<String> = chunk.iter().map(|c| c.phone_number.clone()).collect();
        let owned = app.store.owned_numbers(&numbers).await?;
        found.extend(
            chunk
                .into_iter()
                .filter(|c| !owned.contains(&c.phone_number))
                .take(size - found.len()),
        );
    }
    Ok(found)
}

pub async fn get(app: &App, account: &Account, sid: &str) -> Result<PhoneNumber> {
    app.store
        .number(&account.sid, sid)
        .await?
        .ok_or_else(|| not_found(&account.sid, sid))
}

/// What a list asks beyond the store's filters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Derived {
    /// Only numbers of this type (the typed list resources): the type stored at purchase.
    pub kind: Option<NumberType>,
    /// `Beta=false`: leave out numbers new to the platform (read from the inventory).
    pub exclude_beta: bool,
    /// `Origin` other than `twilio`: every number here is Twilio's, so none match.
    pub other_origin: bool,
}

/// The account's numbers, paged in the store (the type is a column, stored at purchase).
/// `Beta=false` is read from the inventory, not stored: such a list reads the account's
/// matching numbers and pages them in memory, with the same keyset cursors as the store.
pub async fn list(
    app: &App,
    account: &Account,
    filter: &NumberFilter,
    derived: Derived,
    page: PageQuery,
) -> Result<Page<PhoneNumber>> {
    if derived.other_origin {
        return Ok(finish_page(vec![], page));
    }
    let filter = NumberFilter {
        phone_number: filter.phone_number.clone(),
        friendly_name: filter.friendly_name.clone(),
        kind: derived.kind.or(filter.kind),
    };
    if !derived.exclude_beta {
        return Ok(app.store.list_numbers(&account.sid, &filter, page).await?);
    }
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let batch = PageQuery { size: 1000, cursor };
        let got = app.store.list_numbers(&account.sid, &filter, batch).await?;
        cursor = got.items.last().map(|n| Cursor::After(n.seq));
        let more = got.has_next;
        all.extend(
            got.items
                .into_iter()
                .filter(|n| !app.catalog.numbers.facts(&n.phone_number).beta),
        );
        if !more {
            break;
        }
    }
    // `all` is in ascending `seq`: take `size + 1` in the cursor's direction, as a store
    // query would, and let `finish_page` turn them into the page.
    let rows: Vec<PhoneNumber> = match page.cursor {
        Some(Cursor::Before(s)) => all
            .into_iter()
            .rev()
            .filter(|n| n.seq < s)
            .take(page.size + 1)
            .collect(),
        Some(Cursor::After(s)) => all
            .into_iter()
            .filter(|n| n.seq > s)
            .take(page.size + 1)
            .collect(),
        None => all.into_iter().take(page.size + 1).collect(),
    };
    Ok(finish_page(rows, page))
}

/// Classifies the stored numbers by the inventory where their stored type differs (none
/// before migration 0014 or in an older snapshot or export; another under a changed
/// `--catalog`); run at start and after a restore.
pub async fn classify_stored(
    store: &dyn crate::store::Store,
    catalog: &crate::domain::policy::Catalog,
) -> Result<u64> {
    Ok(store
        .classify_numbers(&|n| catalog.numbers.number_type(n))
        .await?)
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
        super::check_short_name(&name, false)?;
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
        if let Some(service) = app.store.service_of_number(&n.sid).await? {
            return Err(in_service(&n.sid, &service));
        }
        n.account_sid = to.sid;
    }
    n.date_updated = app.clock.now();
    match app.store.update_number(&n).await {
        // Added to a Messaging Service since the check above (the store checks under lock).
        Err(StoreError::Stale) => Err(in_service(&n.sid, "a Messaging Service")),
        other => Ok(other.map(|_| n)?),
    }
}

/// A number in a Messaging Service stays in its account: moving it would leave the
/// service with another account's number.
fn in_service(number_sid: &str, service: &str) -> Error {
    Error::conflict(
        20409,
        format!("{number_sid} is in the sender pool of {service}; remove it from the Messaging Service before moving it to another account"),
    )
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
    let mut held = bundles_of(app, std::slice::from_ref(n)).await?;
    Ok(held.remove(&n.sid).flatten())
}

/// [`bundle_of`] for each number of a list page, by number SID, in one store query.
pub async fn bundles_of(
    app: &App,
    numbers: &[PhoneNumber],
) -> Result<std::collections::HashMap<String, Option<String>>> {
    let mut held = std::collections::HashMap::new();
    let mut unset = Vec::new();
    for n in numbers {
        match n.config.get("bundle_sid") {
            Some(Value::String(b)) => {
                held.insert(n.sid.clone(), Some(b.clone()));
            }
            _ => unset.push(n.sid.clone()),
        }
    }
    let owner: std::collections::HashMap<&str, &str> = numbers
        .iter()
        .map(|n| (n.sid.as_str(), n.account_sid.as_str()))
        .collect();
    for sid in &unset {
        held.insert(sid.clone(), None);
    }
    // The number's own account's bundle (a parent's primary may also hold it).
    for (number, b) in app.store.bundles_with_numbers(&unset).await? {
        if owner.get(number.as_str()) == Some(&b.account_sid.as_str()) {
            held.entry(number).or_insert(None).get_or_insert(b.sid);
        }
    }
    Ok(held)
}

/// For the console's number list: each number's `bundle_sid` ([`bundle_of`]) with that
/// bundle when `account_sid` has it, in page order, in two store queries.
pub async fn bundles_shown(
    app: &App,
    account_sid: &str,
    page: &[PhoneNumber],
) -> Result<Vec<(Option<String>, Option<crate::store::Bundle>)>> {
    let held = bundles_of(app, page).await?;
    let sids: Vec<String> = held.values().flatten().cloned().collect();
    let bundles: std::collections::HashMap<String, crate::store::Bundle> = app
        .store
        .bundles_named(account_sid, &sids)
        .await?
        .into_iter()
        .map(|b| (b.sid.clone(), b))
        .collect();
    Ok(page
        .iter()
        .map(|n| {
            let sid = held.get(&n.sid).cloned().flatten();
            let bundle = sid.as_ref().and_then(|s| bundles.get(s)).cloned();
            (sid, bundle)
        })
        .collect())
}
