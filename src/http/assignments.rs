//! EntityAssignments and ChannelEndpointAssignments of both bundle kinds.
//!
//! The two collections' handlers have one shape (create, fetch, list, delete), and so does
//! their route list with the operator API's (`duplicates` pairs them): each calls its own
//! service function and renders its own JSON in a few lines, which a generic over the two
//! (a trait of async service calls) would not shorten.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use super::form::Params;
use super::scope::{InBundle, Member};
use super::{page, render};
use crate::error::{Error, Result};
use crate::service::{assignments, App};
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
    InBundle { app, kind, bundle }: InBundle,
    params: Params,
) -> Result<impl IntoResponse> {
    let object_sid = params.required("ObjectSid")?;
    let a = assignments::create_entity(&app, &bundle, object_sid).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::entity_assignment(&app.urls, kind, &a)),
    ))
}

async fn fetch_entity(
    InBundle { app, kind, bundle }: InBundle,
    Member(sid): Member,
) -> Result<impl IntoResponse> {
    let a = assignments::get_entity(&app, &bundle, &sid).await?;
    Ok(crate::http::render::body(render::entity_assignment(
        &app.urls, kind, &a,
    )))
}

async fn list_entities(
    InBundle { app, kind, bundle }: InBundle,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let object_type = params.owned("ObjectType").filter(|s| !s.is_empty());
    let mut filters = Vec::new();
    if let Some(t) = &object_type {
        filters.push(("ObjectType", t.clone()));
    }
    let found =
        assignments::list_entities(&app, &bundle, object_type.as_deref(), paging.query).await?;
    let list_url = format!(
        "{}/EntityAssignments",
        render::bundle_url(&app.urls, kind, &bundle.sid)
    );
    Ok(crate::http::render::body(paging.v1(
        &found,
        &list_url,
        &filters,
        "results",
        |a| render::entity_assignment(&app.urls, kind, a),
    )))
}

async fn delete_entity(
    InBundle { app, bundle, .. }: InBundle,
    Member(sid): Member,
) -> Result<StatusCode> {
    assignments::delete_entity(&app, &bundle, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn create_channel(
    InBundle { app, kind, bundle }: InBundle,
    params: Params,
) -> Result<impl IntoResponse> {
    let endpoint_type = params.required("ChannelEndpointType")?;
    let endpoint_sid = params.required("ChannelEndpointSid")?;
    let a = assignments::create_channel(&app, &bundle, endpoint_type, endpoint_sid).await?;
    Ok((
        StatusCode::CREATED,
        crate::http::render::body(render::channel_assignment(&app.urls, kind, &a)),
    ))
}

async fn fetch_channel(
    InBundle { app, kind, bundle }: InBundle,
    Member(sid): Member,
) -> Result<impl IntoResponse> {
    let a = assignments::get_channel(&app, &bundle, &sid).await?;
    Ok(crate::http::render::body(render::channel_assignment(
        &app.urls, kind, &a,
    )))
}

async fn list_channels(
    InBundle { app, kind, bundle }: InBundle,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let mut filters = Vec::new();
    let mut sids: Option<Vec<String>> = None;
    // ChannelEndpointSid is one SID; ChannelEndpointSids one comma-separated string.
    for key in ["ChannelEndpointSid", "ChannelEndpointSids"] {
        if let Some(v) = params.owned(key).filter(|s| !s.is_empty()) {
            for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !sid::is_valid(s, sid::PHONE_NUMBER) {
                    return Err(Error::invalid(
                        assignments::INVALID_OBJECT,
                        format!("{key} must list PN SIDs; \"{s}\" is not one"),
                    ));
                }
                sids.get_or_insert_with(Vec::new).push(s.to_string());
            }
            filters.push((key, v));
        }
    }
    let found = assignments::list_channels(&app, &bundle, sids.as_deref(), paging.query).await?;
    let list_url = format!(
        "{}/ChannelEndpointAssignments",
        render::bundle_url(&app.urls, kind, &bundle.sid)
    );
    Ok(crate::http::render::body(paging.v1(
        &found,
        &list_url,
        &filters,
        "results",
        |a| render::channel_assignment(&app.urls, kind, a),
    )))
}

async fn delete_channel(
    InBundle { app, bundle, .. }: InBundle,
    Member(sid): Member,
) -> Result<StatusCode> {
    assignments::delete_channel(&app, &bundle, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
