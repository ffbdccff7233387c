//! Policies, EndUserTypes and SupportingDocumentTypes, served from the catalog.

use crate::http::path::Path;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use std::sync::Arc;

use super::form::Params;
use super::page;
use crate::domain::policy::{BundleRequirement, Catalog, ObjectType, Policy};
use crate::error::{Error, Result};
use crate::format::Urls;
use crate::service::App;
use crate::store::{finish_page, Cursor, Page, PageQuery};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/Policies", get(list_policies))
        .route("/v1/Policies/{sid}", get(fetch_policy))
        .route("/v1/EndUserTypes", get(list_end_user_types))
        .route("/v1/EndUserTypes/{sid}", get(fetch_end_user_type))
        .route("/v1/SupportingDocumentTypes", get(list_document_types))
        .route(
            "/v1/SupportingDocumentTypes/{sid}",
            get(fetch_document_type),
        )
}

/// Pages over an in-memory list; positions are 1-based indexes.
fn page_of<T>(items: &[T], q: PageQuery) -> Page<(i64, &T)> {
    let indexed = items.iter().enumerate().map(|(i, t)| (i as i64 + 1, t));
    let rows: Vec<_> = match q.cursor {
        None => indexed.take(q.size + 1).collect(),
        Some(Cursor::After(s)) => indexed.filter(|(i, _)| *i > s).take(q.size + 1).collect(),
        Some(Cursor::Before(s)) => indexed
            .filter(|(i, _)| *i < s)
            .rev()
            .take(q.size + 1)
            .collect(),
    };
    finish_page(rows, q)
}

fn list_of<'a, T, R: serde::Serialize>(
    app: &App,
    params: &Params,
    items: &'a [T],
    path: &str,
    key: &str,
    render: impl Fn(&'a T) -> R,
) -> Result<Response> {
    let paging = page::parse(params)?;
    let found = page_of(items, paging.query);
    Ok(crate::http::render::body(paging.v1(
        &found,
        &app.urls.abs(path),
        &[],
        key,
        |&(_, t)| render(t),
    )))
}

/// A Policy: its requirements as Twilio lists them, each end-user and document type with
/// the machine names of its fields.
#[derive(Serialize)]
pub struct PolicyBody<'a> {
    sid: &'a str,
    friendly_name: &'a str,
    requirements: RequirementsBody<'a>,
    url: String,
}

#[derive(Serialize)]
struct RequirementsBody<'a> {
    end_user: Vec<EndUserBody<'a>>,
    supporting_trust_products: Vec<BundleRequirementBody<'a>>,
    supporting_document: Vec<Vec<DocumentBody<'a>>>,
    supporting_customer_profiles: Vec<BundleRequirementBody<'a>>,
}

#[derive(Serialize)]
struct EndUserBody<'a> {
    url: String,
    fields: Vec<&'a str>,
    #[serde(rename = "type")]
    type_name: &'a str,
    name: &'a str,
    requirement_name: &'a str,
}

#[derive(Serialize)]
struct BundleRequirementBody<'a> {
    #[serde(rename = "type")]
    type_name: &'a str,
    name: &'a str,
    requirement_name: &'a str,
}

#[derive(Serialize)]
struct DocumentBody<'a> {
    description: &'a str,
    #[serde(rename = "type")]
    type_name: &'static str,
    name: &'a str,
    accepted_documents: Vec<AcceptedBody<'a>>,
    requirement_name: &'a str,
}

#[derive(Serialize)]
struct AcceptedBody<'a> {
    url: String,
    fields: Vec<&'a str>,
    #[serde(rename = "type")]
    type_name: &'a str,
    name: &'a str,
}

fn bundle_requirement(r: &BundleRequirement) -> BundleRequirementBody<'_> {
    BundleRequirementBody {
        type_name: &r.type_name,
        name: &r.name,
        requirement_name: &r.requirement_name,
    }
}

pub fn policy_json<'a>(urls: &Urls, catalog: &'a Catalog, p: &'a Policy) -> PolicyBody<'a> {
    let fields_of = |t: Option<&'a ObjectType>| -> Vec<&'a str> {
        t.map(|t| t.fields.iter().map(|f| f.machine_name.as_str()).collect())
            .unwrap_or_default()
    };
    let r = &p.requirements;
    PolicyBody {
        sid: &p.sid,
        friendly_name: &p.friendly_name,
        requirements: RequirementsBody {
            end_user: r
                .end_user
                .iter()
                .map(|e| EndUserBody {
                    url: format!("/EndUserTypes/{}", e.type_name),
                    fields: fields_of(catalog.end_user_type(&e.type_name)),
                    type_name: &e.type_name,
                    name: &e.name,
                    requirement_name: &e.requirement_name,
                })
                .collect(),
            supporting_trust_products: r
                .supporting_trust_products
                .iter()
                .map(bundle_requirement)
                .collect(),
            supporting_document: r
                .supporting_document
                .iter()
                .map(|group| {
                    group
                        .iter()
                        .map(|d| DocumentBody {
                            description: &d.description,
                            type_name: "document",
                            name: &d.name,
                            accepted_documents: d
                                .accepted_documents
                                .iter()
                                .map(|t| AcceptedBody {
                                    url: format!("/SupportingDocumentTypes/{t}"),
                                    fields: fields_of(catalog.document_type(t)),
                                    type_name: t,
                                    name: d.accepted_document_name.as_deref().unwrap_or(&d.name),
                                })
                                .collect(),
                            requirement_name: &d.requirement_name,
                        })
                        .collect()
                })
                .collect(),
            supporting_customer_profiles: r
                .supporting_customer_profiles
                .iter()
                .map(bundle_requirement)
                .collect(),
        },
        url: urls.abs(&format!("/v1/Policies/{}", p.sid)),
    }
}

/// An EndUserType or SupportingDocumentType.
#[derive(Serialize)]
struct TypeBody<'a> {
    sid: &'a str,
    friendly_name: &'a str,
    machine_name: &'a str,
    fields: &'a [crate::domain::policy::Field],
    url: String,
}

fn type_json<'a>(urls: &Urls, collection: &str, t: &'a ObjectType) -> TypeBody<'a> {
    TypeBody {
        sid: &t.sid,
        friendly_name: &t.friendly_name,
        machine_name: &t.machine_name,
        fields: &t.fields,
        url: urls.abs(&format!("/v1/{collection}/{}", t.sid)),
    }
}

async fn list_policies(State(app): State<Arc<App>>, params: Params) -> Result<Response> {
    list_of(
        &app,
        &params,
        &app.catalog.policies,
        "/v1/Policies",
        "results",
        |p| policy_json(&app.urls, &app.catalog, p),
    )
}

async fn fetch_policy(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
) -> Result<impl IntoResponse> {
    let p = app
        .catalog
        .policy(&sid)
        .ok_or_else(|| Error::NotFound(format!("/Policies/{sid}")))?;
    Ok(crate::http::render::body(policy_json(
        &app.urls,
        &app.catalog,
        p,
    )))
}

async fn list_end_user_types(State(app): State<Arc<App>>, params: Params) -> Result<Response> {
    let types = &app.catalog.end_user_types;
    list_of(
        &app,
        &params,
        types,
        "/v1/EndUserTypes",
        "end_user_types",
        |t| type_json(&app.urls, "EndUserTypes", t),
    )
}

async fn fetch_end_user_type(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
) -> Result<impl IntoResponse> {
    let t = app
        .catalog
        .end_user_type(&sid)
        .ok_or_else(|| Error::NotFound(format!("/EndUserTypes/{sid}")))?;
    Ok(crate::http::render::body(type_json(
        &app.urls,
        "EndUserTypes",
        t,
    )))
}

async fn list_document_types(State(app): State<Arc<App>>, params: Params) -> Result<Response> {
    let types = &app.catalog.supporting_document_types;
    list_of(
        &app,
        &params,
        types,
        "/v1/SupportingDocumentTypes",
        "supporting_document_types",
        |t| type_json(&app.urls, "SupportingDocumentTypes", t),
    )
}

async fn fetch_document_type(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
) -> Result<impl IntoResponse> {
    let t = app
        .catalog
        .document_type(&sid)
        .ok_or_else(|| Error::NotFound(format!("/SupportingDocumentTypes/{sid}")))?;
    Ok(crate::http::render::body(type_json(
        &app.urls,
        "SupportingDocumentTypes",
        t,
    )))
}
