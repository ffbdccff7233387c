//! Messaging v1 (`messaging.twilio.com` at Twilio, the same listener here):
//! `/v1/Services` and `/v1/Services/{ServiceSid}/PhoneNumbers`, with the JSON shapes of
//! Twilio's Messaging spec (`openapi/twilio_messaging_v1.json`).

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

use super::form::Params;
use super::page;
use super::path::Path;
use super::render;
use super::scope::{Member, Scope};
use crate::error::Result;
use crate::format::{iso, Urls};
use crate::service::{campaigns, messaging, App};
use crate::store::{MessagingService, ServiceNumber};

/// Marks the Messaging routes for [`Scope`].
#[derive(Clone, Copy, Debug)]
pub struct Messaging;

type In = Scope<Messaging>;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/Services", get(list).post(create))
        .route("/v1/Services/{sid}", get(fetch).post(update).delete(remove))
        .route(
            "/v1/Services/{service}/PhoneNumbers",
            get(list_numbers).post(add_number),
        )
        .route(
            "/v1/Services/{service}/PhoneNumbers/{sid}",
            get(fetch_number).delete(remove_number),
        )
        .layer(Extension(Messaging))
}

fn service_url(urls: &Urls, sid: &str) -> String {
    urls.abs(&format!("/v1/Services/{sid}"))
}

/// A Messaging Service as Twilio's spec lists its properties (settings not set are
/// `null`). `a2p` is what its A2P campaign makes of `us_app_to_person_registered` and
/// `usecase` (`service::campaigns::service_view`).
#[derive(Serialize)]
pub struct ServiceBody<'a> {
    account_sid: &'a str,
    sid: &'a str,
    date_created: String,
    date_updated: String,
    friendly_name: &'a str,
    inbound_request_url: Option<&'a Value>,
    inbound_method: Option<&'a Value>,
    fallback_url: Option<&'a Value>,
    fallback_method: Option<&'a Value>,
    status_callback: Option<&'a Value>,
    sticky_sender: Option<&'a Value>,
    smart_encoding: Option<&'a Value>,
    mms_converter: Option<&'a Value>,
    fallback_to_long_code: Option<&'a Value>,
    scan_message_content: Option<&'a Value>,
    area_code_geomatch: Option<&'a Value>,
    validity_period: Option<&'a Value>,
    synchronous_validation: Option<&'a Value>,
    usecase: Value,
    us_app_to_person_registered: bool,
    use_inbound_webhook_on_number: Option<&'a Value>,
    links: ServiceLinks,
    url: String,
}

#[derive(Serialize)]
pub struct ServiceLinks {
    phone_numbers: String,
    short_codes: String,
    alpha_senders: String,
    messages: String,
    us_app_to_person: String,
    us_app_to_person_usecases: String,
    channel_senders: String,
    destination_alpha_senders: String,
}

pub fn service<'a>(urls: &Urls, s: &'a MessagingService, a2p: (bool, Value)) -> ServiceBody<'a> {
    let url = service_url(urls, &s.sid);
    let c = |k: &str| s.config.get(k);
    ServiceBody {
        account_sid: &s.account_sid,
        sid: &s.sid,
        date_created: iso(s.date_created),
        date_updated: iso(s.date_updated),
        friendly_name: &s.friendly_name,
        inbound_request_url: c("inbound_request_url"),
        inbound_method: c("inbound_method"),
        fallback_url: c("fallback_url"),
        fallback_method: c("fallback_method"),
        status_callback: c("status_callback"),
        sticky_sender: c("sticky_sender"),
        smart_encoding: c("smart_encoding"),
        mms_converter: c("mms_converter"),
        fallback_to_long_code: c("fallback_to_long_code"),
        scan_message_content: c("scan_message_content"),
        area_code_geomatch: c("area_code_geomatch"),
        validity_period: c("validity_period"),
        synchronous_validation: c("synchronous_validation"),
        usecase: a2p.1,
        us_app_to_person_registered: a2p.0,
        use_inbound_webhook_on_number: c("use_inbound_webhook_on_number"),
        links: ServiceLinks {
            phone_numbers: format!("{url}/PhoneNumbers"),
            short_codes: format!("{url}/ShortCodes"),
            alpha_senders: format!("{url}/AlphaSenders"),
            messages: format!("{url}/Messages"),
            us_app_to_person: format!("{url}/Compliance/Usa2p"),
            us_app_to_person_usecases: format!("{url}/Compliance/Usa2p/Usecases"),
            channel_senders: format!("{url}/ChannelSenders"),
            destination_alpha_senders: format!("{url}/DestinationAlphaSenders"),
        },
        url,
    }
}

/// A number of a service's pool: its SID is the IncomingPhoneNumber's (`PN…`);
/// `capabilities` lists `MMS`, `SMS`, `Voice` as the number has them.
#[derive(Serialize)]
pub struct ServiceNumberBody<'a> {
    sid: &'a str,
    account_sid: &'a str,
    service_sid: &'a str,
    date_created: String,
    date_updated: String,
    phone_number: &'a str,
    country_code: Option<String>,
    capabilities: Vec<&'static str>,
    url: String,
}

pub fn service_number<'a>(app: &App, n: &'a ServiceNumber) -> ServiceNumberBody<'a> {
    let facts = app.catalog.numbers.facts(&n.phone_number);
    let c = facts.capabilities;
    let capabilities = [(c.mms, "MMS"), (c.sms, "SMS"), (c.voice, "Voice")]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
        .collect();
    ServiceNumberBody {
        sid: &n.number_sid,
        account_sid: &n.account_sid,
        service_sid: &n.service_sid,
        date_created: iso(n.date_created),
        date_updated: iso(n.date_updated),
        phone_number: &n.phone_number,
        country_code: facts.iso_country,
        capabilities,
        url: format!(
            "{}/PhoneNumbers/{}",
            service_url(&app.urls, &n.service_sid),
            n.number_sid
        ),
    }
}

/// A service with what its campaign makes of it.
async fn view<'a>(app: &App, s: &'a MessagingService) -> Result<ServiceBody<'a>> {
    let a2p = campaigns::service_view(app, s).await?;
    Ok(service(&app.urls, s, a2p))
}

async fn create(Scope { app, caller, .. }: In, params: Params) -> Result<impl IntoResponse> {
    let name = params.required("FriendlyName")?;
    let s = messaging::create(&app, &caller.account_sid, name, &params.0).await?;
    Ok((StatusCode::CREATED, render::body(view(&app, &s).await?)))
}

async fn list(Scope { app, caller, .. }: In, params: Params) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let found = messaging::list(&app, &caller.account_sid, paging.query).await?;
    let url = app.urls.abs("/v1/Services");
    let views = campaigns::service_views(&app, &caller.account_sid, &found.items).await?;
    Ok(render::body(paging.v1(
        &found,
        &url,
        &[],
        "services",
        |s| {
            let a2p = views.get(&s.sid).cloned().unwrap_or((false, Value::Null));
            service(&app.urls, s, a2p)
        },
    )))
}

async fn fetch(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<impl IntoResponse> {
    let s = messaging::get(&app, &caller.account_sid, &sid).await?;
    Ok(render::body(view(&app, &s).await?))
}

async fn update(
    Scope { app, caller, .. }: In,
    Member(sid): Member,
    params: Params,
) -> Result<impl IntoResponse> {
    let s = messaging::update(
        &app,
        &caller.account_sid,
        &sid,
        params.get("FriendlyName"),
        &params.0,
    )
    .await?;
    Ok(render::body(view(&app, &s).await?))
}

async fn remove(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<StatusCode> {
    messaging::delete(&app, &caller.account_sid, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `{service}` path segment.
fn service_sid(p: &HashMap<String, String>) -> &str {
    p.get("service").map(String::as_str).unwrap_or_default()
}

async fn add_number(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let number = params.required("PhoneNumberSid")?;
    let n = messaging::add_number(&app, &caller.account_sid, service_sid(&p), number).await?;
    Ok((StatusCode::CREATED, render::body(service_number(&app, &n))))
}

async fn list_numbers(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let sid = service_sid(&p);
    let found = messaging::list_numbers(&app, &caller.account_sid, sid, paging.query).await?;
    let url = app.urls.abs(&format!("/v1/Services/{sid}/PhoneNumbers"));
    Ok(crate::http::render::body(paging.v1(
        &found,
        &url,
        &[],
        "phone_numbers",
        |n| service_number(&app, n),
    )))
}

async fn fetch_number(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
) -> Result<impl IntoResponse> {
    let number = p.get("sid").map(String::as_str).unwrap_or_default();
    let n = messaging::get_number(&app, &caller.account_sid, service_sid(&p), number).await?;
    Ok(render::body(service_number(&app, &n)))
}

async fn remove_number(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
) -> Result<StatusCode> {
    let number = p.get("sid").map(String::as_str).unwrap_or_default();
    messaging::remove_number(&app, &caller.account_sid, service_sid(&p), number).await?;
    Ok(StatusCode::NO_CONTENT)
}
