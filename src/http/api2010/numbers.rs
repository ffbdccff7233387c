//! `/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers`.

use crate::http::path::Path;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use std::collections::HashMap;
use std::sync::Arc;

use super::{path_account, render, strip_json};
use crate::error::ApiResult;
use crate::http::auth::Caller;
use crate::http::form::Params;
use crate::http::page;
use crate::service::{numbers, App};
use crate::store::{NumberFilter, PhoneNumber};

async fn rendered(app: &App, n: &PhoneNumber) -> ApiResult<serde_json::Value> {
    let bundle = numbers::bundle_of(app, n).await?;
    Ok(render::number(n, bundle.as_deref()))
}

pub async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let a = path_account(&app, &caller, &account).await?;
    let n = numbers::create(
        &app,
        &a,
        params.get("PhoneNumber"),
        params.owned("FriendlyName"),
        &params.0,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(rendered(&app, &n).await?)))
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
    let filter = NumberFilter {
        phone_number: take("PhoneNumber"),
        friendly_name: take("FriendlyName"),
    };
    let found = numbers::list(&app, &a, &filter, paging.query).await?;
    let mut bundles = HashMap::new();
    for n in &found.items {
        bundles.insert(n.sid.clone(), numbers::bundle_of(&app, n).await?);
    }
    Ok(Json(page::envelope_2010(
        &found,
        &paging,
        &format!("/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json", a.sid),
        &filters,
        "incoming_phone_numbers",
        |n| n.seq,
        |n| render::number(n, bundles.get(&n.sid).and_then(|b| b.as_deref())),
    )))
}

pub async fn fetch(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path((account, sid)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    let a = path_account(&app, &caller, &account).await?;
    let n = numbers::get(&app, &a, strip_json(&sid, uri.path())?).await?;
    Ok(Json(rendered(&app, &n).await?))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path((account, sid)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let a = path_account(&app, &caller, &account).await?;
    let n = numbers::update(
        &app,
        &caller.account,
        &a,
        strip_json(&sid, uri.path())?,
        params.owned("FriendlyName"),
        params.get("AccountSid").filter(|s| !s.is_empty()),
        &params.0,
    )
    .await?;
    Ok(Json(rendered(&app, &n).await?))
}

pub async fn remove(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path((account, sid)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<StatusCode> {
    let a = path_account(&app, &caller, &account).await?;
    numbers::delete(&app, &a, strip_json(&sid, uri.path())?).await?;
    Ok(StatusCode::NO_CONTENT)
}
