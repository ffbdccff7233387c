//! `/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers`: the countries the catalog's
//! inventory offers numbers in, and the search of a country's `Local`, `TollFree` and
//! `Mobile` numbers with Twilio's filters. A search is one page (the first `PageSize`
//! matches, never a number an account owns); `next_page_uri` is always null.

use axum::response::IntoResponse;
use std::collections::HashMap;

use super::{bool_param, render, strip_json, take_filter};
use crate::domain::numbers::{is_area_code, Geo, NumberType, Pattern, Search};
use crate::domain::validate::is_e164;
use crate::error::{Error, Result};
use crate::http::form::Params;
use crate::http::page;
use crate::http::path::Path;
use crate::http::scope::InAccount;
use crate::store::Page;

fn base(account_sid: &str) -> String {
    format!("/2010-04-01/Accounts/{account_sid}/AvailablePhoneNumbers")
}

/// `GET …/AvailablePhoneNumbers.json`: every country of the inventory.
pub async fn countries(InAccount { app, account, .. }: InAccount) -> impl IntoResponse {
    #[derive(serde::Serialize)]
    struct Countries<'a> {
        countries: Vec<render::CountryBody<'a>>,
        uri: String,
    }
    let countries = app
        .catalog
        .numbers
        .countries
        .iter()
        .map(|c| render::country(&account.sid, c))
        .collect();
    let uri = format!("{}.json", base(&account.sid));
    crate::http::render::body(Countries { countries, uri })
}

/// `GET …/AvailablePhoneNumbers/{CountryCode}.json`; a country without numbers is 404.
pub async fn country(
    InAccount { app, account, .. }: InAccount,
    Path(p): Path<HashMap<String, String>>,
) -> Result<impl IntoResponse> {
    let segment = p.get("country").map(String::as_str).unwrap_or_default();
    let path = format!("{}/{segment}", base(&account.sid));
    let code = strip_json(segment, &path)?;
    let c = app
        .catalog
        .numbers
        .country(code)
        .ok_or_else(|| Error::NotFound(path.clone()))?;
    Ok(crate::http::render::body(render::country(&account.sid, c)))
}

/// A filter that may name a phone number instead of a value ("search within the same
/// region as that number"): the inventory's value for that number.
fn geo(
    app: &crate::service::App,
    value: Option<String>,
    field: Geo,
    unresolvable: &mut bool,
) -> Option<String> {
    let v = value?;
    if !v.starts_with('+') {
        return Some(v);
    }
    let found = app.catalog.numbers.attribute_of(&v, field);
    *unresolvable |= found.is_none();
    found
}

fn invalid(param: &str, v: &str, takes: &str) -> Error {
    Error::invalid(20001, format!("{param} must be {takes}; got \"{v}\""))
}

/// `GET …/AvailablePhoneNumbers/{CountryCode}/{Local|TollFree|Mobile}.json`.
pub async fn search(
    InAccount { app, account, .. }: InAccount,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let (country, segment) = (
        p.get("country").map(String::as_str).unwrap_or_default(),
        p.get("kind").map(String::as_str).unwrap_or_default(),
    );
    let path = format!("{}/{country}/{segment}", base(&account.sid));
    let kind = strip_json(segment, &path)?;
    let kind = NumberType::from_segment(kind).ok_or_else(|| Error::NotFound(path.clone()))?;
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let mut take = |name| take_filter(&params, name, &mut filters);

    let area_code = take("AreaCode");
    if let Some(a) = area_code.as_deref().filter(|a| !is_area_code(a)) {
        return Err(Error::invalid(
            21451,
            format!("AreaCode \"{a}\" is not a valid North American area code (three digits, the first 2 to 9)"),
        ));
    }
    let contains = take("Contains")
        .map(|c| {
            Pattern::parse(&c)
                .map_err(|why| Error::invalid(20001, format!("Contains pattern \"{c}\" {why}")))
        })
        .transpose()?;
    let mut flag =
        |name: &'static str| -> Result<Option<bool>> { bool_param(take(name).as_deref(), name) };
    let (sms, mms, voice, fax) = (
        flag("SmsEnabled")?,
        flag("MmsEnabled")?,
        flag("VoiceEnabled")?,
        flag("FaxEnabled")?,
    );
    let exclude_all_address = flag("ExcludeAllAddressRequired")?.unwrap_or(false);
    let exclude_local_address = flag("ExcludeLocalAddressRequired")?.unwrap_or(false);
    let exclude_foreign_address = flag("ExcludeForeignAddressRequired")?.unwrap_or(false);
    let include_beta = flag("Beta")?.unwrap_or(true);

    let mut unresolvable = false;
    let distance = match take("Distance") {
        None => 25.0,
        Some(d) => match d.parse::<u32>() {
            Ok(n) if n <= 500 => f64::from(n),
            _ => return Err(invalid("Distance", &d, "a whole number of miles up to 500")),
        },
    };
    let mut near = None;
    if let Some(n) = take("NearNumber") {
        if !is_e164(&n) {
            return Err(Error::invalid(
                21421,
                format!("NearNumber \"{n}\" is not in E.164 format (e.g. +14155550100)"),
            ));
        }
        match app.catalog.numbers.position(&n) {
            Some((lat, long)) => near = Some((lat, long, distance)),
            None => unresolvable = true,
        }
    }
    if let Some(ll) = take("NearLatLong") {
        let parsed = ll
            .split_once(',')
            .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
            .filter(|(a, b)| (-90.0..=90.0).contains(a) && (-180.0..=180.0).contains(b));
        let Some((lat, long)) = parsed else {
            return Err(invalid("NearLatLong", &ll, "latitude,longitude in degrees"));
        };
        near = Some((lat, long, distance));
    }
    let in_lata = take("InLata");
    let in_rate_center = take("InRateCenter");
    if in_rate_center.is_some() && in_lata.is_none() {
        return Err(Error::invalid(
            20001,
            "InRateCenter requires InLata to be set as well",
        ));
    }
    let in_region = take("InRegion");
    let in_postal_code = take("InPostalCode");
    let in_locality = take("InLocality");
    let search = Search {
        area_code,
        contains,
        sms,
        mms,
        voice,
        fax,
        exclude_all_address,
        exclude_local_address,
        exclude_foreign_address,
        include_beta,
        near,
        in_region: geo(&app, in_region, Geo::Region, &mut unresolvable),
        in_postal_code: geo(&app, in_postal_code, Geo::PostalCode, &mut unresolvable),
        in_locality: geo(&app, in_locality, Geo::Locality, &mut unresolvable),
        in_lata: geo(&app, in_lata, Geo::Lata, &mut unresolvable),
        in_rate_center: geo(&app, in_rate_center, Geo::RateCenter, &mut unresolvable),
        unresolvable,
    };
    let found = crate::service::numbers::available(
        &app,
        &account,
        country,
        kind,
        &search,
        paging.query.size,
    )
    .await?;
    let page = Page {
        items: found
            .into_iter()
            .enumerate()
            .map(|(i, c)| (i as i64, c))
            .collect(),
        has_next: false,
        has_prev: false,
    };
    let list_path = format!("{}/{country}/{}.json", base(&account.sid), kind.segment());
    Ok(crate::http::render::body(paging.v2010(
        &page,
        &list_path,
        &filters,
        "available_phone_numbers",
        |(_, c)| render::available(c),
    )))
}
