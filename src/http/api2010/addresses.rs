//! `/2010-04-01/Accounts/{AccountSid}/Addresses`.

use crate::http::path::Path;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use std::sync::Arc;

use super::{bool_param, path_account, render, strip_json};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::form::Params;
use crate::http::page;
use crate::service::addresses::{self, AddressInput};
use crate::service::App;
use crate::store::AddressFilter;

fn input(params: &Params) -> ApiResult<AddressInput> {
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
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let a = path_account(&app, &caller, &account).await?;
    bool_param(params.get("AutoCorrectAddress"), "AutoCorrectAddress")?;
    let address = addresses::create(&app, &a, input(&params)?).await?;
    Ok((StatusCode::CREATED, Json(render::address(&address))))
}

pub async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let a = path_account(&app, &caller, &account).await?;
    let mut filters = Vec::new();
    let mut take = |name| super::take_filter(&params, name, &mut filters);
    let filter = AddressFilter {
        customer_name: take("CustomerName"),
        friendly_name: take("FriendlyName"),
        iso_country: take("IsoCountry"),
    };
    let found = addresses::list(&app, &a, &filter, paging.query).await?;
    Ok(Json(page::envelope_2010(
        &found,
        &paging,
        &format!("/2010-04-01/Accounts/{}/Addresses.json", a.sid),
        &filters,
        "addresses",
        |x| x.seq,
        render::address,
    )))
}

pub async fn fetch(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path((account, sid)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    let a = path_account(&app, &caller, &account).await?;
    let address = addresses::get(&app, &a, strip_json(&sid, uri.path())?).await?;
    Ok(Json(render::address(&address)))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path((account, sid)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let a = path_account(&app, &caller, &account).await?;
    bool_param(params.get("AutoCorrectAddress"), "AutoCorrectAddress")?;
    let address =
        addresses::update(&app, &a, strip_json(&sid, uri.path())?, input(&params)?).await?;
    Ok(Json(render::address(&address)))
}

pub async fn remove(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path((account, sid)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<StatusCode> {
    let a = path_account(&app, &caller, &account).await?;
    addresses::delete(&app, &a, strip_json(&sid, uri.path())?).await?;
    Ok(StatusCode::NO_CONTENT)
}
