//! Evaluations of both bundle kinds: create (synchronous), list newest first, fetch.

use crate::http::path::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use std::sync::Arc;

use super::auth::Caller;
use super::form::Params;
use super::{page, render};
use crate::domain::bundle::BundleKind;
use crate::error::ApiResult;
use crate::service::{bundles, evaluations, App};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/{bundle}/Evaluations", get(list).post(create))
        .route("/{bundle}/Evaluations/{sid}", get(fetch))
}

async fn create(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path(bundle): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let policy_sid = params.required("PolicySid")?;
    let e = evaluations::create(&app, &b, policy_sid).await?;
    Ok((
        StatusCode::CREATED,
        Json(render::evaluation(&app.urls, kind, &e)),
    ))
}

async fn fetch(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path((bundle, sid)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let e = evaluations::get(&app, &b, &sid).await?;
    Ok(Json(render::evaluation(&app.urls, kind, &e)))
}

async fn list(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path(bundle): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let found = evaluations::list(&app, &b, paging.query).await?;
    let list_url = format!(
        "{}/Evaluations",
        render::bundle_url(&app.urls, kind, &b.sid)
    );
    Ok(Json(page::envelope(
        &found,
        &paging,
        &list_url,
        &[],
        "results",
        |e| e.seq,
        |e| render::evaluation(&app.urls, kind, e),
    )))
}
