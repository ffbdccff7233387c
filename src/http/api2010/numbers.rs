//! `/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers`, generic and typed
//! (`/Local.json`, `/TollFree.json`, `/Mobile.json`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::render;
use crate::domain::numbers::NumberType;
use crate::error::Result;
use crate::http::form::Params;
use crate::http::page;
use crate::http::scope::{InAccount, JsonMember};
use crate::service::numbers::{self, Derived, Purchase};
use crate::service::App;
use crate::store::{NumberFilter, PhoneNumber};

async fn rendered(app: &App, n: &PhoneNumber) -> Result<Response> {
    let bundle = numbers::bundle_of(app, n).await?;
    let facts = app.catalog.numbers.facts(&n.phone_number);
    Ok(crate::http::render::body(render::number(
        n,
        bundle.as_deref(),
        facts,
    )))
}

/// The typed resource a request was routed to (`…/IncomingPhoneNumbers/Local.json` …), or
/// `None` for the generic one, read from the path's last segment.
pub struct Typed(Option<NumberType>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Typed {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|o| o.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let kind = path
            .strip_suffix(".json")
            .and_then(|p| p.rsplit_once("/IncomingPhoneNumbers/"))
            .and_then(|(_, last)| NumberType::from_segment(last));
        Ok(Typed(kind))
    }
}

pub async fn create(
    InAccount { app, account, .. }: InAccount,
    Typed(kind): Typed,
    params: Params,
) -> Result<impl IntoResponse> {
    let n = numbers::create(
        &app,
        &account,
        Purchase {
            typed: kind,
            phone_number: params.get("PhoneNumber"),
            area_code: params.get("AreaCode"),
            friendly_name: params.owned("FriendlyName"),
        },
        &params.0,
    )
    .await?;
    Ok((StatusCode::CREATED, rendered(&app, &n).await?))
}

pub async fn list(
    InAccount { app, account, .. }: InAccount,
    Typed(kind): Typed,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let mut take = |name| super::take_filter(&params, name, &mut filters);
    let filter = NumberFilter {
        phone_number: take("PhoneNumber"),
        friendly_name: take("FriendlyName"),
        kind: None,
    };
    let beta = super::bool_param(take("Beta").as_deref(), "Beta")?;
    let origin = take("Origin");
    let derived = Derived {
        kind,
        exclude_beta: beta == Some(false),
        other_origin: origin.is_some_and(|o| o != "twilio"),
    };
    let found = numbers::list(&app, &account, &filter, derived, paging.query).await?;
    let bundles = numbers::bundles_of(&app, &found.items).await?;
    let path = match kind {
        Some(t) => format!(
            "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json",
            account.sid,
            t.segment()
        ),
        None => format!(
            "/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json",
            account.sid
        ),
    };
    Ok(crate::http::render::body(paging.v2010(
        &found,
        &path,
        &filters,
        "incoming_phone_numbers",
        |n| {
            let facts = app.catalog.numbers.facts(&n.phone_number);
            render::number(n, bundles.get(&n.sid).and_then(|b| b.as_deref()), facts)
        },
    )))
}

pub async fn fetch(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<impl IntoResponse> {
    let n = numbers::get(&app, &account, &sid).await?;
    rendered(&app, &n).await
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
    rendered(&app, &n).await
}

pub async fn remove(
    InAccount { app, account, .. }: InAccount,
    JsonMember(sid): JsonMember,
) -> Result<StatusCode> {
    numbers::delete(&app, &account, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
