//! EntityAssignments and ChannelEndpointAssignments of both bundle kinds.

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
use crate::error::{ApiError, ApiResult};
use crate::service::{assignments, bundles, App};
use crate::sid;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/{bundle}/EntityAssignments",
            get(list_entities).post(create_entity),
        )
        .route(
            "/{bundle}/EntityAssignments/{sid}",
            get(fetch_entity).delete(delete_entity),
        )
        .route(
            "/{bundle}/ChannelEndpointAssignments",
            get(list_channels).post(create_channel),
        )
        .route(
            "/{bundle}/ChannelEndpointAssignments/{sid}",
            get(fetch_channel).delete(delete_channel),
        )
}

async fn create_entity(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path(bundle): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let object_sid = params.required("ObjectSid")?;
    let a = assignments::create_entity(&app, &b, object_sid).await?;
    Ok((
        StatusCode::CREATED,
        Json(render::entity_assignment(&app.urls, kind, &a)),
    ))
}

async fn fetch_entity(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path((bundle, sid)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let a = assignments::get_entity(&app, &b, &sid).await?;
    Ok(Json(render::entity_assignment(&app.urls, kind, &a)))
}

async fn list_entities(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path(bundle): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let object_type = params.owned("ObjectType").filter(|s| !s.is_empty());
    let mut filters = Vec::new();
    if let Some(t) = &object_type {
        filters.push(("ObjectType", t.clone()));
    }
    let found = assignments::list_entities(&app, &b, object_type.as_deref(), paging.query).await?;
    let list_url = format!(
        "{}/EntityAssignments",
        render::bundle_url(&app.urls, kind, &b.sid)
    );
    Ok(Json(page::envelope(
        &found,
        &paging,
        &list_url,
        &filters,
        "results",
        |a| a.seq,
        |a| render::entity_assignment(&app.urls, kind, a),
    )))
}

async fn delete_entity(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path((bundle, sid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    assignments::delete_entity(&app, &b, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn create_channel(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path(bundle): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let endpoint_type = params.required("ChannelEndpointType")?;
    let endpoint_sid = params.required("ChannelEndpointSid")?;
    let a = assignments::create_channel(&app, &b, endpoint_type, endpoint_sid).await?;
    Ok((
        StatusCode::CREATED,
        Json(render::channel_assignment(&app.urls, kind, &a)),
    ))
}

async fn fetch_channel(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path((bundle, sid)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let a = assignments::get_channel(&app, &b, &sid).await?;
    Ok(Json(render::channel_assignment(&app.urls, kind, &a)))
}

async fn list_channels(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path(bundle): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    let mut filters = Vec::new();
    let mut sids: Option<Vec<String>> = None;
    // ChannelEndpointSid is one SID; ChannelEndpointSids one comma-separated string.
    for key in ["ChannelEndpointSid", "ChannelEndpointSids"] {
        if let Some(v) = params.owned(key).filter(|s| !s.is_empty()) {
            for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !sid::is_valid(s, sid::PHONE_NUMBER) {
                    return Err(ApiError::invalid(
                        assignments::INVALID_OBJECT,
                        format!("{key} must list PN SIDs; \"{s}\" is not one"),
                    ));
                }
                sids.get_or_insert_with(Vec::new).push(s.to_string());
            }
            filters.push((key, v));
        }
    }
    let found = assignments::list_channels(&app, &b, sids.as_deref(), paging.query).await?;
    let list_url = format!(
        "{}/ChannelEndpointAssignments",
        render::bundle_url(&app.urls, kind, &b.sid)
    );
    Ok(Json(page::envelope(
        &found,
        &paging,
        &list_url,
        &filters,
        "results",
        |a| a.seq,
        |a| render::channel_assignment(&app.urls, kind, a),
    )))
}

async fn delete_channel(
    State(app): State<Arc<App>>,
    Extension(kind): Extension<BundleKind>,
    Extension(caller): Extension<Caller>,
    Path((bundle, sid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let b = bundles::get(&app, &caller.account_sid, kind, &bundle).await?;
    assignments::delete_channel(&app, &b, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
