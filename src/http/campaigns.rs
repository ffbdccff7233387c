//! A2P 10DLC campaigns on the wire: `/v1/Services/{MessagingServiceSid}/Compliance/Usa2p`
//! (create, list, fetch, update, delete), `…/Compliance/Usa2p/Usecases` and
//! `/v1/Services/Usecases`, with the shapes of `openapi/twilio_messaging_v1.json`.
//!
//! A campaign renders as the spec's `us_app_to_person_response`, a `oneOf` of two shapes:
//! `us_app_to_person` (no `privacy_policy_url` / `terms_and_conditions_url`, no other
//! property allowed) and `us_app_to_person_v2` (both URLs required). We render the v2 shape
//! when the request sends `X-Twilio-Api-Version: v1.1` (the header twilio-python 9.x and
//! twilio-node 6.x pass as `x_twilio_api_version` / `xTwilioApiVersion`) or the campaign
//! has either URL, the v1 shape otherwise (README "A2P campaigns").

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

use super::form::Params;
use super::messaging::Messaging;
use super::page;
use super::path::Path;
use super::scope::Scope;
use crate::error::{Error, Result};
use crate::format::iso;
use crate::service::campaigns::{self, Given};
use crate::service::App;
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
            get(a2p_usecases),
        )
        .route(
            "/v1/Services/{service}/Compliance/Usa2p/{sid}",
            get(fetch).post(update).delete(remove),
        )
        .layer(Extension(Messaging))
}

/// What a parameter takes.
#[derive(Clone, Copy)]
enum Takes {
    Text,
    /// Repeated parameter (`MessageSamples=a&MessageSamples=b`), a list of strings.
    List,
    /// `true` or `false` (`service::parse_bool`, Twilio's boolean parameter).
    Bool,
}

/// The create parameters besides `BrandRegistrationSid` and `UsAppToPersonUsecase`: the
/// spec's `CreateUsAppToPersonRequest`, with the property each fills.
const CREATE: [(&str, &str, Takes); 16] = [
    ("Description", "description", Takes::Text),
    ("MessageFlow", "message_flow", Takes::Text),
    ("MessageSamples", "message_samples", Takes::List),
    ("HasEmbeddedLinks", "has_embedded_links", Takes::Bool),
    ("HasEmbeddedPhone", "has_embedded_phone", Takes::Bool),
    ("OptInMessage", "opt_in_message", Takes::Text),
    ("OptOutMessage", "opt_out_message", Takes::Text),
    ("HelpMessage", "help_message", Takes::Text),
    ("OptInKeywords", "opt_in_keywords", Takes::List),
    ("OptOutKeywords", "opt_out_keywords", Takes::List),
    ("HelpKeywords", "help_keywords", Takes::List),
    ("SubscriberOptIn", "subscriber_opt_in", Takes::Bool),
    ("AgeGated", "age_gated", Takes::Bool),
    ("DirectLending", "direct_lending", Takes::Bool),
    ("PrivacyPolicyUrl", "privacy_policy_url", Takes::Text),
    (
        "TermsAndConditionsUrl",
        "terms_and_conditions_url",
        Takes::Text,
    ),
];

/// Required by create (the spec's `required`, besides the brand and use case).
const CREATE_REQUIRED: [&str; 5] = [
    "Description",
    "MessageFlow",
    "MessageSamples",
    "HasEmbeddedLinks",
    "HasEmbeddedPhone",
];

/// The spec's `UpdateUsAppToPersonRequest`: these, all required but the two URLs.
const UPDATE: [&str; 9] = [
    "HasEmbeddedLinks",
    "HasEmbeddedPhone",
    "MessageSamples",
    "MessageFlow",
    "Description",
    "AgeGated",
    "DirectLending",
    "PrivacyPolicyUrl",
    "TermsAndConditionsUrl",
];

/// The values of `names` the request carries, typed; a missing one of `required` is
/// 400 / 20001, a boolean that is not `true`/`false` 400 / 20001.
fn given(params: &Params, names: &[&str], required: &[&'static str]) -> Result<Given> {
    let mut out = Given::new();
    for (param, field, takes) in CREATE {
        if !names.contains(&param) {
            continue;
        }
        let values: Vec<&str> = params
            .0
            .iter()
            .filter(|(k, _)| k == param)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            if required.contains(&param) {
                return Err(Error::MissingParameter(param));
            }
            continue;
        }
        let value = match takes {
            Takes::Text => json!(values[0]),
            Takes::List => json!(values),
            Takes::Bool => match crate::service::parse_bool(Some(values[0]), param)? {
                Some(b) => json!(b),
                None if required.contains(&param) => return Err(Error::MissingParameter(param)),
                None => continue,
            },
        };
        out.push((param, field, value));
    }
    Ok(out)
}

/// The campaign's properties in the spec's order; `privacy_policy_url` and
/// `terms_and_conditions_url` only in the v2 shape (see the module docs).
#[derive(Serialize)]
pub struct Campaign {
    sid: String,
    account_sid: String,
    brand_registration_sid: Value,
    messaging_service_sid: Value,
    description: Value,
    message_samples: Value,
    us_app_to_person_usecase: Value,
    has_embedded_links: Value,
    has_embedded_phone: Value,
    subscriber_opt_in: Value,
    age_gated: Value,
    direct_lending: Value,
    campaign_status: String,
    campaign_id: Value,
    is_externally_registered: bool,
    rate_limits: Value,
    message_flow: Value,
    opt_in_message: Value,
    opt_out_message: Value,
    help_message: Value,
    opt_in_keywords: Value,
    opt_out_keywords: Value,
    help_keywords: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    privacy_policy_url: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terms_and_conditions_url: Option<Value>,
    date_created: String,
    date_updated: String,
    url: String,
    mock: bool,
    errors: Vec<Value>,
}

/// The properties a failure names in `errors[].fields` (Twilio's upper-case names).
const TRIGGER_FIELDS: [(&str, &str); 3] = [
    ("description", "DESCRIPTION"),
    ("message_flow", "MESSAGE_FLOW"),
    ("message_samples", "MESSAGE_SAMPLES"),
];

impl Campaign {
    fn of(app: &App, r: &Registration, v2: bool) -> Campaign {
        let f = |k: &str| r.fields.get(k).cloned().unwrap_or(Value::Null);
        let service = r.parent_sid.clone().unwrap_or_default();
        let verified = r.status == "VERIFIED";
        let v2 =
            v2 || !f("privacy_policy_url").is_null() || !f("terms_and_conditions_url").is_null();
        let errors = r
            .failure
            .as_ref()
            .map(|failure| {
                let reason = failure["reason"].as_str().unwrap_or("");
                let fields: Vec<&str> = TRIGGER_FIELDS
                    .iter()
                    .filter(|(name, _)| reason.contains(&format!("{name} \"")))
                    .map(|(_, upper)| *upper)
                    .collect();
                failure["errors"]
                    .as_array()
                    .map(|errors| {
                        errors
                            .iter()
                            .map(|e| {
                                json!({
                                    "error_code": e["code"],
                                    "fields": fields,
                                    "url": format!("https://www.twilio.com/docs/api/errors/{}", e["code"]),
                                    "description": e["description"],
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        Campaign {
            sid: r.sid.clone(),
            account_sid: r.account_sid.clone(),
            brand_registration_sid: f("brand_registration_sid"),
            messaging_service_sid: json!(service),
            description: f("description"),
            message_samples: f("message_samples"),
            us_app_to_person_usecase: f("us_app_to_person_usecase"),
            has_embedded_links: f("has_embedded_links"),
            has_embedded_phone: f("has_embedded_phone"),
            subscriber_opt_in: f("subscriber_opt_in"),
            age_gated: f("age_gated"),
            direct_lending: f("direct_lending"),
            campaign_status: r.status.clone(),
            campaign_id: if verified {
                f("campaign_id")
            } else {
                Value::Null
            },
            is_externally_registered: false,
            rate_limits: if verified {
                crate::domain::campaign::rate_limits(
                    f("brand_type").as_str().unwrap_or("STANDARD"),
                    f("brand_skipped_vetting").as_bool().unwrap_or(false),
                )
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
            privacy_policy_url: v2.then(|| f("privacy_policy_url")),
            terms_and_conditions_url: v2.then(|| f("terms_and_conditions_url")),
            date_created: iso(r.date_created),
            date_updated: iso(r.date_updated),
            url: app.urls.abs(&format!(
                "/v1/Services/{service}/Compliance/Usa2p/{}",
                r.sid
            )),
            mock: false,
            errors,
        }
    }

    fn json(app: &App, r: &Registration, v2: bool) -> Value {
        serde_json::to_value(Campaign::of(app, r, v2)).unwrap_or(Value::Null)
    }
}

/// Does the request ask for the v2 shape (`X-Twilio-Api-Version: v1.1`)?
fn wants_v2(headers: &HeaderMap) -> bool {
    headers
        .get("x-twilio-api-version")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("v1.1"))
}

fn path_part<'a>(p: &'a HashMap<String, String>, name: &str) -> &'a str {
    p.get(name).map(String::as_str).unwrap_or_default()
}

async fn create(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    headers: HeaderMap,
    params: Params,
) -> Result<impl IntoResponse> {
    let brand = params.required("BrandRegistrationSid")?;
    let usecase = params.required("UsAppToPersonUsecase")?;
    let names: Vec<&str> = CREATE.iter().map(|(p, _, _)| *p).collect();
    let values = given(&params, &names, &CREATE_REQUIRED)?;
    let r = campaigns::create(
        &app,
        &caller.account_sid,
        path_part(&p, "service"),
        brand,
        usecase,
        values,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Campaign::json(&app, &r, wants_v2(&headers))),
    ))
}

async fn list(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    headers: HeaderMap,
    params: Params,
) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    let service = path_part(&p, "service");
    let found = campaigns::list(&app, &caller.account_sid, service, paging.query).await?;
    let url = app
        .urls
        .abs(&format!("/v1/Services/{service}/Compliance/Usa2p"));
    let v2 = wants_v2(&headers);
    Ok(super::render::body(paging.v1(
        &found,
        &url,
        &[],
        "compliance",
        |r| Campaign::json(&app, r, v2),
    )))
}

async fn fetch(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<impl IntoResponse> {
    let r = campaigns::get(
        &app,
        &caller.account_sid,
        path_part(&p, "service"),
        path_part(&p, "sid"),
    )
    .await?;
    Ok(Json(Campaign::json(&app, &r, wants_v2(&headers))))
}

async fn update(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    headers: HeaderMap,
    params: Params,
) -> Result<impl IntoResponse> {
    let values = given(&params, &UPDATE, &UPDATE[..7])?;
    let r = campaigns::update(
        &app,
        &caller.account_sid,
        path_part(&p, "service"),
        path_part(&p, "sid"),
        values,
    )
    .await?;
    Ok(Json(Campaign::json(&app, &r, wants_v2(&headers))))
}

async fn remove(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
) -> Result<StatusCode> {
    campaigns::delete(
        &app,
        &caller.account_sid,
        path_part(&p, "service"),
        path_part(&p, "sid"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One entry of `us_app_to_person_usecases` (Twilio's example's keys).
#[derive(Serialize)]
struct UsecaseView<'a> {
    code: &'a str,
    name: &'a str,
    description: &'a str,
    post_approval_required: bool,
}

#[derive(Serialize)]
struct A2pUsecases<'a> {
    us_app_to_person_usecases: Vec<UsecaseView<'a>>,
}

async fn a2p_usecases(
    Scope { app, caller, .. }: In,
    Path(p): Path<HashMap<String, String>>,
    params: Params,
) -> Result<impl IntoResponse> {
    let brand = params.get("BrandRegistrationSid").filter(|b| !b.is_empty());
    let found =
        campaigns::usecases(&app, &caller.account_sid, path_part(&p, "service"), brand).await?;
    let body = A2pUsecases {
        us_app_to_person_usecases: found
            .iter()
            .map(|u| UsecaseView {
                code: &u.code,
                name: &u.name,
                description: &u.description,
                post_approval_required: u.post_approval_required,
            })
            .collect(),
    };
    Ok(Json(serde_json::to_value(body).unwrap_or(Value::Null)))
}

#[derive(Serialize)]
struct ServiceUsecases<'a> {
    usecases: &'a [crate::domain::campaign::ServiceUsecase],
}

async fn service_usecases(Scope { app, .. }: In) -> Result<impl IntoResponse> {
    let body = ServiceUsecases {
        usecases: &app.catalog.usecases.messaging_service,
    };
    Ok(Json(serde_json::to_value(body).unwrap_or(Value::Null)))
}
