//! Evaluations of both bundle kinds: create (synchronous), list newest first, fetch.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use super::form::Params;
use super::scope::{InBundle, Member};
use super::{page, render};
use crate::error::Result;
use crate::service::{evaluations, App};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/{bundle}/Evaluations", get(list).post(create))
        .route("/{bundle}/Evaluations/{sid}", get(fetch))
}

async fn create(
    InBundle { app, kind, bundle }: InBundle,
    params: Params,
) -> Result<impl IntoResponse> {
    let policy_sid = params.required("PolicySid")?;
    let e = evaluations::create(&app, &bundle, policy_sid).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::evaluation(&app.urls, kind, &e)),
    ))
}

async fn fetch(
    InBundle { app, kind, bundle }: InBundle,
    Member(sid): Member,
) -> Result<impl IntoResponse> {
    let e = evaluations::get(&app, &bundle, &sid).await?;
    Ok(crate::http::render::body(render::evaluation(
        &app.urls, kind, &e,
    )))
}

async fn list(
    InBundle { app, kind, bundle }: InBundle,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let found = evaluations::list(&app, &bundle, paging.query).await?;
    let list_url = format!(
        "{}/Evaluations",
        render::bundle_url(&app.urls, kind, &bundle.sid)
    );
    Ok(crate::http::render::body(paging.v1(
        &found,
        &list_url,
        &[],
        "results",
        |e| render::evaluation(&app.urls, kind, e),
    )))
}
