//! `/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use std::collections::HashMap;

use super::render;
use crate::error::Result;
use crate::http::form::Params;
use crate::http::page;
use crate::http::scope::{InAccount, JsonMember};
use crate::service::{numbers, App};
use crate::store::{NumberFilter, PhoneNumber};

async fn rendered(app: &App, n: &PhoneNumber) -> Result<serde_json::Value> {
    let bundle = numbers::bundle_of(app, n).await?;
    Ok(render::number(n, bundle.as_deref()))
}

pub async fn create(
    InAccount { app, account, .. }: InAccount,
    params: Params,
) -> Result<impl IntoResponse> {
    let n = numbers::create(
        &app,
        &account,
        params.get("PhoneNumber"),
        params.owned("FriendlyName"),
        &params.0,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(rendered(&app, &n).await?)))
}

pub async fn list(
    InAccount { app, account, .. }: InAccount,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let mut take = |name| super::take_filter(&params, name, &mut filters);
    let filter = NumberFilter {
        phone_number: take("PhoneNumber"),
        friendly_name: take("FriendlyName"),
    };
    let found = numbers::list(&app, &account, &filter, paging.query).await?;
    let mut bundles = HashMap::new();
    for n in &found.items {
        bundles.insert(n.sid.clone(), numbers::bundle_of(&app, n).await?);
    }
    Ok(Json(paging.v2010(
        &found,
        &format!(
            "/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json",
            account.sid
        ),
        &filters,
        "incoming_phone_numbers",
        |n| render::number(n, bundles.get(&n.sid).and_then(|b| b.as_deref())),
    )))
}

pub async fn fetch(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<impl IntoResponse> {
    let n = numbers::get(&app, &account, &sid).await?;
    Ok(Json(rendered(&app, &n).await?))
}

pub async fn update(
    InAccount {
        app,
        caller,
        account,
    }: InAccount,
    JsonMember(sid): JsonMember,
    params: Params,
) -> Result<impl IntoResponse> {
    let n = numbers::update(
        &app,
        &caller.account,
        &account,
        &sid,
        params.owned("FriendlyName"),
        params.get("AccountSid").filter(|s| !s.is_empty()),
        &params.0,
    )
    .await?;
    Ok(Json(rendered(&app, &n).await?))
}

pub async fn remove(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<StatusCode> {
    numbers::delete(&app, &account, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
