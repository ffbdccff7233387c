//! `/2010-04-01/Accounts` (subaccounts) and their `Keys`.

use crate::http::path::Path;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Extension;
use std::sync::Arc;

use super::{render, strip_json};
use crate::error::Result;
use crate::http::auth::Caller;
use crate::http::form::Params;
use crate::http::page;
use crate::http::scope::{InAccount, JsonMember};
use crate::service::{accounts, App};
use crate::store::AccountFilter;

pub async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> Result<impl IntoResponse> {
    let a =
        accounts::create_subaccount(&app, &caller.account, params.owned("FriendlyName")).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::account(&a)),
    ))
}

pub async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let friendly_name = params.owned("FriendlyName").filter(|s| !s.is_empty());
    if let Some(f) = &friendly_name {
        filters.push(("FriendlyName", f.clone()));
    }
    let status = match params.get("Status").filter(|s| !s.is_empty()) {
        Some(s) => Some(accounts::parse_status(s)?),
        None => None,
    };
    if let Some(s) = status {
        filters.push(("Status", s.as_str().to_string()));
    }
    let filter = AccountFilter {
        friendly_name,
        status,
    };
    let found = accounts::list(&app, &caller.account, &filter, paging.query).await?;
    Ok(crate::http::render::body(paging.v2010(
        &found,
        "/2010-04-01/Accounts.json",
        &filters,
        "accounts",
        render::account,
    )))
}

pub async fn fetch(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<impl IntoResponse> {
    let sid = strip_json(&account, uri.path())?;
    let a = accounts::reach(&app, &caller.account, sid, true).await?;
    Ok(crate::http::render::body(render::account(&a)))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> Result<impl IntoResponse> {
    let sid = strip_json(&account, uri.path())?;
    let a = accounts::update(
        &app,
        &caller.account,
        sid,
        params.owned("FriendlyName"),
        params.owned("Status").filter(|s| !s.is_empty()),
    )
    .await?;
    Ok(crate::http::render::body(render::account(&a)))
}

pub async fn create_key(
    InAccount { app, account, .. }: InAccount,
    params: Params,
) -> Result<impl IntoResponse> {
    let (key, secret) = accounts::create_key(&app, &account, params.owned("FriendlyName")).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::new_key(&key, &secret)),
    ))
}

pub async fn list_keys(
    InAccount { app, account, .. }: InAccount,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let found = accounts::list_keys(&app, &account, paging.query).await?;
    Ok(crate::http::render::body(paging.v2010(
        &found,
        &format!("/2010-04-01/Accounts/{}/Keys.json", account.sid),
        &[],
        "keys",
        render::key,
    )))
}

pub async fn fetch_key(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<impl IntoResponse> {
    let k = accounts::get_key(&app, &account, &sid).await?;
    Ok(crate::http::render::body(render::key(&k)))
}

pub async fn update_key(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
    params: Params,
) -> Result<impl IntoResponse> {
    let k = accounts::update_key(&app, &account, &sid, params.owned("FriendlyName")).await?;
    Ok(crate::http::render::body(render::key(&k)))
}

pub async fn delete_key(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<StatusCode> {
    accounts::delete_key(&app, &account, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
