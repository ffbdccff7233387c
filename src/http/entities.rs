//! /v1/EndUsers and /v1/SupportingDocuments: one handler set over `EntityKind`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use super::form::Params;
use super::scope::{Member, Scope};
use super::{page, render};
use crate::error::Result;
use crate::service::entities::{self, collection, parse_attributes};
use crate::service::App;
use crate::store::EntityKind;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{sid}", get(fetch).post(update).delete(remove))
}

async fn create(
    Scope { app, kind, caller }: Scope<EntityKind>,
    params: Params,
) -> Result<impl IntoResponse> {
    let friendly_name = params.required("FriendlyName")?.to_string();
    let type_name = params.required("Type")?;
    let attributes = parse_attributes(params.get("Attributes"))?;
    let e = entities::create(
        &app,
        &caller.account_sid,
        kind,
        friendly_name,
        type_name,
        attributes,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::entity(&app.urls, &e)),
    ))
}

async fn fetch(
    Scope { app, kind, caller }: Scope<EntityKind>,
    Member(sid): Member,
) -> Result<impl IntoResponse> {
    let e = entities::get(&app, &caller.account_sid, kind, &sid).await?;
    Ok(crate::http::render::body(render::entity(&app.urls, &e)))
}

async fn list(
    Scope { app, kind, caller }: Scope<EntityKind>,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let found = entities::list(&app, &caller.account_sid, kind, None, paging.query).await?;
    let list_url = app.urls.abs(&format!("/v1/{}", collection(kind)));
    Ok(crate::http::render::body(paging.v1(
        &found,
        &list_url,
        &[],
        "results",
        |e| render::entity(&app.urls, e),
    )))
}

async fn update(
    Scope { app, kind, caller }: Scope<EntityKind>,
    Member(sid): Member,
    params: Params,
) -> Result<impl IntoResponse> {
    let attributes = match params.get("Attributes") {
        Some(raw) => Some(parse_attributes(Some(raw))?),
        None => None,
    };
    let e = entities::update(
        &app,
        &caller.account_sid,
        kind,
        &sid,
        params.owned("FriendlyName"),
        attributes,
    )
    .await?;
    Ok(crate::http::render::body(render::entity(&app.urls, &e)))
}

async fn remove(
    Scope { app, kind, caller }: Scope<EntityKind>,
    Member(sid): Member,
) -> Result<StatusCode> {
    entities::delete(&app, &caller.account_sid, kind, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
