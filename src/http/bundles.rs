//! /v1/CustomerProfiles and /v1/TrustProducts: one handler set over `BundleKind`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use super::form::Params;
use super::scope::{Member, Scope};
use super::{page, render};
use crate::domain::bundle::{BundleKind, Status};
use crate::error::{Error, Result};
use crate::service::bundles::{self, BundleChanges, NewBundle};
use crate::service::App;
use crate::store::BundleFilter;

/// Routes under `/v1/{CustomerProfiles|TrustProducts}`; the kind comes from an extension layer.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{sid}", get(fetch).post(update).delete(remove))
}

async fn create(
    Scope { app, kind, caller }: Scope<BundleKind>,
    params: Params,
) -> Result<impl IntoResponse> {
    let new = NewBundle {
        friendly_name: params.required("FriendlyName")?.to_string(),
        email: params.required("Email")?.to_string(),
        policy_sid: params.required("PolicySid")?.to_string(),
        status_callback: params.owned("StatusCallback").filter(|s| !s.is_empty()),
    };
    let b = bundles::create(&app, &caller.account_sid, kind, new, false).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::bundle(&app.urls, &b)),
    ))
}

async fn fetch(
    Scope { app, kind, caller }: Scope<BundleKind>,
    Member(sid): Member,
) -> Result<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &sid).await?;
    Ok(crate::http::render::body(render::bundle(&app.urls, &b)))
}

async fn list(
    Scope { app, kind, caller }: Scope<BundleKind>,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let status = match params.get("Status").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            filters.push(("Status", s.to_string()));
            Some(Status::parse(s).ok_or_else(|| {
                Error::invalid(
                    22203,
                    format!("Status \"{s}\" is not one of draft, pending-review, in-review, twilio-rejected, twilio-approved"),
                )
            })?)
        }
    };
    let friendly_name = params.owned("FriendlyName").filter(|s| !s.is_empty());
    if let Some(f) = &friendly_name {
        filters.push(("FriendlyName", f.clone()));
    }
    let policy_sid = params.owned("PolicySid").filter(|s| !s.is_empty());
    if let Some(p) = &policy_sid {
        filters.push(("PolicySid", p.clone()));
    }
    let filter = BundleFilter {
        status,
        friendly_name,
        policy_sid,
    };
    let found = bundles::list(&app, &caller.account_sid, kind, &filter, paging.query).await?;
    let list_url = app.urls.abs(&format!("/v1/{}", kind.collection()));
    Ok(crate::http::render::body(paging.v1(
        &found,
        &list_url,
        &filters,
        "results",
        |b| render::bundle(&app.urls, b),
    )))
}

async fn update(
    Scope { app, kind, caller }: Scope<BundleKind>,
    Member(sid): Member,
    params: Params,
) -> Result<impl IntoResponse> {
    let changes = BundleChanges {
        status: params.owned("Status"),
        friendly_name: params.owned("FriendlyName"),
        email: params.owned("Email"),
        status_callback: params.owned("StatusCallback"),
    };
    let b = bundles::update(&app, &caller.account_sid, kind, &sid, changes).await?;
    Ok(crate::http::render::body(render::bundle(&app.urls, &b)))
}

async fn remove(
    Scope { app, kind, caller }: Scope<BundleKind>,
    Member(sid): Member,
) -> Result<StatusCode> {
    bundles::delete(&app, &caller.account_sid, kind, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
