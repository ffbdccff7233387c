//! `/2010-04-01/Accounts/{AccountSid}/Addresses`.

use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::{bool_param, render};
use crate::error::Result;
use crate::http::form::Params;
use crate::http::page;
use crate::http::scope::{InAccount, JsonMember};
use crate::service::addresses::{self, AddressInput};
use crate::store::AddressFilter;

fn input(params: &Params) -> Result<AddressInput> {
    Ok(AddressInput {
        customer_name: params.owned("CustomerName"),
        friendly_name: params.owned("FriendlyName"),
        street: params.owned("Street"),
        street_secondary: params.owned("StreetSecondary"),
        city: params.owned("City"),
        region: params.owned("Region"),
        postal_code: params.owned("PostalCode"),
        iso_country: params.owned("IsoCountry"),
        emergency_enabled: bool_param(params.get("EmergencyEnabled"), "EmergencyEnabled")?,
    })
}

pub async fn create(
    InAccount { app, account, .. }: InAccount,
    params: Params,
) -> Result<impl IntoResponse> {
    bool_param(params.get("AutoCorrectAddress"), "AutoCorrectAddress")?;
    let address = addresses::create(&app, &account, input(&params)?).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::address(&address)),
    ))
}

/// The 2010 list shape (paging, the filters sent, a `v2010` page), as in `numbers.rs`
/// (`duplicates` pairs the two): each names its own filters and rendering.
pub async fn list(
    InAccount { app, account, .. }: InAccount,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let mut take = |name| super::take_filter(&params, name, &mut filters);
    let filter = AddressFilter {
        customer_name: take("CustomerName"),
        friendly_name: take("FriendlyName"),
        iso_country: take("IsoCountry"),
    };
    let found = addresses::list(&app, &account, &filter, paging.query).await?;
    Ok(crate::http::render::body(paging.v2010(
        &found,
        &format!("/2010-04-01/Accounts/{}/Addresses.json", account.sid),
        &filters,
        "addresses",
        render::address,
    )))
}

pub async fn fetch(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<impl IntoResponse> {
    let address = addresses::get(&app, &account, &sid).await?;
    Ok(crate::http::render::body(render::address(&address)))
}

pub async fn update(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
    params: Params,
) -> Result<impl IntoResponse> {
    bool_param(params.get("AutoCorrectAddress"), "AutoCorrectAddress")?;
    let address = addresses::update(&app, &account, &sid, input(&params)?).await?;
    Ok(crate::http::render::body(render::address(&address)))
}

pub async fn remove(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<StatusCode> {
    addresses::delete(&app, &account, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
