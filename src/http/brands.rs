//! Messaging v1 A2P brands: `/v1/a2p/BrandRegistrations` (create, list, fetch, update),
//! `…/{Sid}/SmsOtp`, `…/{BrandSid}/Vettings` (create, list, fetch), with the shapes of
//! Twilio's Messaging spec (`messaging.v1.brand_registrations`, `…brand_vetting`,
//! `…brand_registration_otp`). Rules: `service/brands.rs`. The operator's stand-in for
//! the sole proprietor's OTP reply is `/admin/v1/BrandRegistrations/{Sid}/OtpReply`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

use super::form::Params;
use super::messaging::Messaging;
use super::page;
use super::path::Path;
use super::scope::{Member, Scope};
use crate::error::Result;
use crate::format::{iso, Urls};
use crate::service::{brands, App};
use crate::store::Registration;

type In = Scope<Messaging>;

const BRANDS: &str = "/v1/a2p/BrandRegistrations";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(BRANDS, get(list).post(create))
        .route("/v1/a2p/BrandRegistrations/{sid}", get(fetch).post(update))
        .route("/v1/a2p/BrandRegistrations/{sid}/SmsOtp", post(sms_otp))
        .route(
            "/v1/a2p/BrandRegistrations/{brand}/Vettings",
            get(list_vettings).post(create_vetting),
        )
        .route(
            "/v1/a2p/BrandRegistrations/{brand}/Vettings/{sid}",
            get(fetch_vetting),
        )
        .layer(Extension(Messaging))
}

/// The operator API's route (mounted behind the operator's token by `http/admin.rs`).
pub async fn otp_reply(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
    params: Params,
) -> Result<Json<Value>> {
    let body = params.required("Body")?;
    let b = brands::otp_reply(&app, &sid, body).await?;
    Ok(Json(value(Brand::of(&app.urls, &b))))
}

fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `{code, description}` of each failure code, as Twilio's brand `errors` items.
#[derive(Serialize)]
struct BrandError {
    code: u32,
    description: String,
}

#[derive(Serialize)]
struct BrandLinks {
    brand_vettings: String,
    brand_registration_otps: String,
}

/// `messaging.v1.brand_registrations`.
#[derive(Serialize)]
struct Brand<'a> {
    sid: &'a str,
    account_sid: &'a str,
    customer_profile_bundle_sid: &'a Value,
    a2p_profile_bundle_sid: &'a Value,
    date_created: String,
    date_updated: String,
    brand_type: &'a Value,
    status: &'a str,
    tcr_id: &'a Value,
    failure_reason: Option<&'a str>,
    errors: Vec<BrandError>,
    url: String,
    brand_score: &'a Value,
    brand_feedback: Option<Vec<&'static str>>,
    identity_status: &'a Value,
    russell_3000: &'a Value,
    government_entity: &'a Value,
    tax_exempt_status: &'a Value,
    skip_automatic_sec_vet: &'a Value,
    mock: &'a Value,
    links: BrandLinks,
}

static NULL: Value = Value::Null;

fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a Value {
    fields.get(name).unwrap_or(&NULL)
}

impl<'a> Brand<'a> {
    fn of(urls: &Urls, b: &'a Registration) -> Self {
        let url = urls.abs(&format!("{BRANDS}/{}", b.sid));
        let f = |n: &str| field(&b.fields, n);
        let errors = b
            .failure
            .as_ref()
            .and_then(|v| v["errors"].as_array())
            .map(|items| {
                items
                    .iter()
                    .map(|e| BrandError {
                        code: e["code"].as_u64().unwrap_or(0) as u32,
                        description: e["description"].as_str().unwrap_or("").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Brand {
            sid: &b.sid,
            account_sid: &b.account_sid,
            customer_profile_bundle_sid: f("customer_profile_bundle_sid"),
            a2p_profile_bundle_sid: f("a2p_profile_bundle_sid"),
            date_created: iso(b.date_created),
            date_updated: iso(b.date_updated),
            brand_type: f("brand_type"),
            status: &b.status,
            tcr_id: f("tcr_id"),
            failure_reason: b.failure.as_ref().and_then(|v| v["reason"].as_str()),
            errors,
            brand_score: f("brand_score"),
            brand_feedback: b.failure.as_ref().map(|_| vec!["OTHERS"]),
            identity_status: f("identity_status"),
            russell_3000: f("russell_3000"),
            government_entity: f("government_entity"),
            tax_exempt_status: f("tax_exempt_status"),
            skip_automatic_sec_vet: f("skip_automatic_sec_vet"),
            mock: f("mock"),
            links: BrandLinks {
                brand_vettings: format!("{url}/Vettings"),
                brand_registration_otps: format!("{url}/SmsOtp"),
            },
            url,
        }
    }
}

/// `messaging.v1.brand_registrations.brand_vetting`. `vetting_status` is PENDING,
/// SUCCESS or FAILED (the spec's description).
#[derive(Serialize)]
struct Vetting<'a> {
    account_sid: &'a str,
    brand_sid: &'a str,
    brand_vetting_sid: &'a str,
    date_updated: String,
    date_created: String,
    vetting_id: &'a Value,
    vetting_class: &'a Value,
    vetting_status: &'a str,
    vetting_provider: &'a Value,
    url: String,
}

impl<'a> Vetting<'a> {
    fn of(urls: &Urls, v: &'a Registration) -> Self {
        let brand = v.parent_sid.as_deref().unwrap_or("");
        Vetting {
            account_sid: &v.account_sid,
            brand_sid: brand,
            brand_vetting_sid: &v.sid,
            date_updated: iso(v.date_updated),
            date_created: iso(v.date_created),
            vetting_id: field(&v.fields, "vetting_id"),
            vetting_class: field(&v.fields, "vetting_class"),
            vetting_status: &v.status,
            vetting_provider: field(&v.fields, "vetting_provider"),
            url: urls.abs(&format!("{BRANDS}/{brand}/Vettings/{}", v.sid)),
        }
    }
}

/// `messaging.v1.brand_registrations.brand_registration_otp`.
#[derive(Serialize)]
struct Otp<'a> {
    account_sid: &'a str,
    brand_registration_sid: &'a str,
}

async fn create(Scope { app, caller, .. }: In, params: Params) -> Result<impl IntoResponse> {
    let b = brands::create(&app, &caller.account_sid, &params.0).await?;
    Ok((StatusCode::CREATED, Json(value(Brand::of(&app.urls, &b)))))
}

async fn list(Scope { app, caller, .. }: In, params: Params) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let found = brands::list(&app, &caller.account_sid, paging.query).await?;
    let url = app.urls.abs(BRANDS);
    Ok(Json(paging.v1(&found, &url, &[], "data", |b| {
        value(Brand::of(&app.urls, b))
    })))
}

async fn fetch(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<impl IntoResponse> {
    let b = brands::get(&app, &caller.account_sid, &sid).await?;
    Ok(Json(value(Brand::of(&app.urls, &b))))
}

/// Twilio answers 202 Accepted: the resubmitted brand is reviewed again.
async fn update(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<impl IntoResponse> {
    let b = brands::resubmit(&app, &caller.account_sid, &sid).await?;
    Ok((StatusCode::ACCEPTED, Json(value(Brand::of(&app.urls, &b)))))
}

async fn sms_otp(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<impl IntoResponse> {
    let b = brands::resend_otp(&app, &caller.account_sid, &sid).await?;
    let otp = Otp {
        account_sid: &b.account_sid,
        brand_registration_sid: &b.sid,
    };
    Ok((StatusCode::CREATED, Json(value(otp))))
}

fn brand_sid(p: &HashMap<String, String>) -> &str {
    p.get("brand").map(String::as_str).unwrap_or_default()
}

async fn create_vetting(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let v = brands::create_vetting(&app, &caller.account_sid, brand_sid(&p), &params.0).await?;
    Ok((StatusCode::CREATED, Json(value(Vetting::of(&app.urls, &v)))))
}

async fn list_vettings(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let brand = brand_sid(&p);
    let provider = params.get("VettingProvider").filter(|v| !v.is_empty());
    let found =
        brands::list_vettings(&app, &caller.account_sid, brand, provider, paging.query).await?;
    let url = app.urls.abs(&format!("{BRANDS}/{brand}/Vettings"));
    let filters: Vec<(&str, String)> = provider
        .map(|p| vec![("VettingProvider", p.to_string())])
        .unwrap_or_default();
    Ok(Json(paging.v1(&found, &url, &filters, "data", |v| {
        value(Vetting::of(&app.urls, v))
    })))
}

async fn fetch_vetting(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
) -> Result<impl IntoResponse> {
    let sid = p.get("sid").map(String::as_str).unwrap_or_default();
    let v = brands::get_vetting(&app, &caller.account_sid, brand_sid(&p), sid).await?;
    Ok(Json(value(Vetting::of(&app.urls, &v))))
}
