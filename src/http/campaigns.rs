//! Messaging v1 A2P campaigns: `/v1/Services/{MessagingServiceSid}/Compliance/Usa2p`
//! (create, list, fetch, update, delete), `…/Usa2p/Usecases` and `/v1/Services/Usecases`,
//! with the shapes of Twilio's Messaging spec (`messaging.v1.service.us_app_to_person_v2`,
//! `…us_app_to_person_usecase`, `messaging.v1.usecase`). Rules: `service/campaigns.rs`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

use super::form::Params;
use super::messaging::Messaging;
use super::page;
use super::path::Path;
use super::scope::Scope;
use crate::error::Result;
use crate::format::{iso, Urls};
use crate::service::{campaigns, App};
use crate::store::Registration;

type In = Scope<Messaging>;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/Services/Usecases", get(service_usecases))
        .route(
            "/v1/Services/{service}/Compliance/Usa2p",
            get(list).post(create),
        )
        .route(
            "/v1/Services/{service}/Compliance/Usa2p/Usecases",
            get(usecases),
        )
        .route(
            "/v1/Services/{service}/Compliance/Usa2p/{sid}",
            get(fetch).post(update).delete(remove),
        )
        .layer(Extension(Messaging))
}

static NULL: Value = Value::Null;

fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[derive(Serialize)]
struct CampaignError {
    code: u32,
    description: String,
}

/// `messaging.v1.service.us_app_to_person_v2` (the spec's response is one of two shapes;
/// this is the one with the privacy-policy and terms URLs).
#[derive(Serialize)]
struct Campaign<'a> {
    sid: &'a str,
    account_sid: &'a str,
    brand_registration_sid: &'a Value,
    messaging_service_sid: &'a Value,
    description: &'a Value,
    message_samples: &'a Value,
    us_app_to_person_usecase: &'a Value,
    has_embedded_links: &'a Value,
    has_embedded_phone: &'a Value,
    subscriber_opt_in: &'a Value,
    age_gated: &'a Value,
    direct_lending: &'a Value,
    campaign_status: &'a str,
    campaign_id: &'a Value,
    is_externally_registered: &'a Value,
    rate_limits: Value,
    message_flow: &'a Value,
    opt_in_message: &'a Value,
    opt_out_message: &'a Value,
    help_message: &'a Value,
    opt_in_keywords: &'a Value,
    opt_out_keywords: &'a Value,
    help_keywords: &'a Value,
    privacy_policy_url: &'a Value,
    terms_and_conditions_url: &'a Value,
    date_created: String,
    date_updated: String,
    url: String,
    mock: &'a Value,
    errors: Vec<CampaignError>,
}

fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a Value {
    fields.get(name).unwrap_or(&NULL)
}

impl<'a> Campaign<'a> {
    fn of(urls: &Urls, r: &'a Registration) -> Self {
        let f = |n: &str| field(&r.fields, n);
        let service = r.parent_sid.as_deref().unwrap_or("");
        let errors = r
            .failure
            .as_ref()
            .and_then(|v| v["errors"].as_array())
            .map(|items| {
                items
                    .iter()
                    .map(|e| CampaignError {
                        code: e["code"].as_u64().unwrap_or(0) as u32,
                        description: e["description"].as_str().unwrap_or("").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Campaign {
            sid: &r.sid,
            account_sid: &r.account_sid,
            brand_registration_sid: f("brand_registration_sid"),
            messaging_service_sid: f("messaging_service_sid"),
            description: f("description"),
            message_samples: f("message_samples"),
            us_app_to_person_usecase: f("us_app_to_person_usecase"),
            has_embedded_links: f("has_embedded_links"),
            has_embedded_phone: f("has_embedded_phone"),
            subscriber_opt_in: f("subscriber_opt_in"),
            age_gated: f("age_gated"),
            direct_lending: f("direct_lending"),
            campaign_status: &r.status,
            campaign_id: f("campaign_id"),
            is_externally_registered: f("is_externally_registered"),
            // The carriers' classification, as Twilio's sample shows it once registered.
            rate_limits: if r.status == "VERIFIED" {
                json!({"att": {"msg_class": "A", "tpm": 4500}, "tmobile": {"brand_tier": "TOP"}})
            } else {
                Value::Null
            },
            message_flow: f("message_flow"),
            opt_in_message: f("opt_in_message"),
            opt_out_message: f("opt_out_message"),
            help_message: f("help_message"),
            opt_in_keywords: f("opt_in_keywords"),
            opt_out_keywords: f("opt_out_keywords"),
            help_keywords: f("help_keywords"),
            privacy_policy_url: f("privacy_policy_url"),
            terms_and_conditions_url: f("terms_and_conditions_url"),
            date_created: iso(r.date_created),
            date_updated: iso(r.date_updated),
            url: urls.abs(&format!(
                "/v1/Services/{service}/Compliance/Usa2p/{}",
                r.sid
            )),
            mock: f("mock"),
            errors,
        }
    }
}

fn service_sid(p: &HashMap<String, String>) -> &str {
    p.get("service").map(String::as_str).unwrap_or_default()
}

fn member(p: &HashMap<String, String>) -> &str {
    p.get("sid").map(String::as_str).unwrap_or_default()
}

async fn create(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let r = campaigns::create(&app, &caller.account_sid, service_sid(&p), &params.0).await?;
    Ok((
        StatusCode::CREATED,
        Json(value(Campaign::of(&app.urls, &r))),
    ))
}

async fn list(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let service = service_sid(&p);
    let found = campaigns::list(&app, &caller.account_sid, service, paging.query).await?;
    let url = app
        .urls
        .abs(&format!("/v1/Services/{service}/Compliance/Usa2p"));
    Ok(super::render::body(paging.v1(
        &found,
        &url,
        &[],
        "compliance",
        |r| value(Campaign::of(&app.urls, r)),
    )))
}

async fn fetch(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
) -> Result<impl IntoResponse> {
    let r = campaigns::get(&app, &caller.account_sid, service_sid(&p), member(&p)).await?;
    Ok(Json(value(Campaign::of(&app.urls, &r))))
}

async fn update(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let r = campaigns::update(
        &app,
        &caller.account_sid,
        service_sid(&p),
        member(&p),
        &params.0,
    )
    .await?;
    Ok(Json(value(Campaign::of(&app.urls, &r))))
}

async fn remove(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
) -> Result<StatusCode> {
    campaigns::delete(&app, &caller.account_sid, service_sid(&p), member(&p)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn usecases(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let brand = params.get("BrandRegistrationSid").filter(|v| !v.is_empty());
    let list =
        campaigns::usecases_for_service(&app, &caller.account_sid, service_sid(&p), brand).await?;
    Ok(Json(json!({ "us_app_to_person_usecases": list })))
}

/// `messaging.v1.usecase`: the Messaging Service use cases (the `Usecase` setting of
/// `/v1/Services`).
async fn service_usecases(Scope { .. }: In) -> Result<impl IntoResponse> {
    let items: Vec<Value> = [
        (
            "notifications",
            "Notify users about account updates, deliveries and alerts",
        ),
        ("marketing", "Send promotions and offers"),
        (
            "verification",
            "Send one-time passwords and verification codes",
        ),
        ("discussion", "Two-way conversations with users"),
        ("poll", "Polls, surveys and voting"),
        ("undeclared", "No use case declared"),
    ]
    .iter()
    .map(|(u, purpose)| json!({"usecase": u, "description": purpose, "purpose": purpose}))
    .collect();
    Ok(Json(json!({ "usecases": items })))
}
