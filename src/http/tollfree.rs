//! `/v1/Tollfree/Verifications` (Messaging v1): create, list, fetch, update (edit and
//! resubmit), delete, with the shapes of Twilio's Messaging spec
//! (`openapi/twilio_messaging_v1.json`, `messaging.v1.tollfree_verification`).

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

use super::form::Params;
use super::page;
use super::scope::{Member, Scope};
use crate::domain::registration::Failure;
use crate::domain::tollfree::Fields;
use crate::error::Result;
use crate::format::{iso, Urls};
use crate::service::parse_bool;
use crate::service::{tollfree, App};
use crate::store::Registration;

/// Marks the toll-free verification routes for [`Scope`].
#[derive(Clone, Copy, Debug)]
pub struct Tollfree;

type In = Scope<Tollfree>;

const LIST: &str = "/v1/Tollfree/Verifications";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(LIST, get(list).post(create))
        .route(
            "/v1/Tollfree/Verifications/{sid}",
            get(fetch).post(update).delete(remove),
        )
        .layer(Extension(Tollfree))
}

/// One entry of `rejection_reasons`: Twilio's error code and its description.
#[derive(Serialize)]
pub struct RejectionReason {
    pub code: u32,
    pub reason: String,
}

/// A toll-free verification as the spec lists its properties. The submitted fields are
/// rendered as stored (`domain::tollfree`); `rejection_reason`, `error_code` (the first
/// code), `rejection_reasons`, `edit_allowed` and `edit_expiration` are set only while it
/// is TWILIO_REJECTED; `trust_product_sid`, `regulated_item_sid` and
/// `vetting_id_expiration` are never set here.
#[derive(Serialize)]
pub struct Verification {
    pub sid: String,
    pub account_sid: String,
    pub customer_profile_sid: Option<String>,
    pub trust_product_sid: Option<String>,
    pub regulated_item_sid: Option<String>,
    pub date_created: String,
    pub date_updated: String,
    pub status: String,
    pub business_name: Option<String>,
    pub business_street_address: Option<String>,
    pub business_street_address2: Option<String>,
    pub business_city: Option<String>,
    pub business_state_province_region: Option<String>,
    pub business_postal_code: Option<String>,
    pub business_country: Option<String>,
    pub business_website: Option<String>,
    pub business_contact_first_name: Option<String>,
    pub business_contact_last_name: Option<String>,
    pub business_contact_email: Option<String>,
    pub business_contact_phone: Option<String>,
    pub notification_email: Option<String>,
    pub use_case_categories: Option<Vec<String>>,
    pub use_case_summary: Option<String>,
    pub production_message_sample: Option<String>,
    pub opt_in_image_urls: Option<Vec<String>>,
    pub opt_in_type: Option<String>,
    pub message_volume: Option<String>,
    pub additional_information: Option<String>,
    pub tollfree_phone_number_sid: Option<String>,
    pub tollfree_phone_number: Option<String>,
    pub rejection_reason: Option<String>,
    pub error_code: Option<u32>,
    pub edit_expiration: Option<String>,
    pub edit_allowed: Option<bool>,
    pub rejection_reasons: Option<Vec<RejectionReason>>,
    pub resource_links: Map<String, Value>,
    pub url: String,
    pub external_reference_id: Option<String>,
    pub business_registration_number: Option<String>,
    pub business_registration_authority: Option<String>,
    pub business_registration_country: Option<String>,
    pub business_type: Option<String>,
    pub business_registration_phone_number: Option<String>,
    pub doing_business_as: Option<String>,
    pub opt_in_confirmation_message: Option<String>,
    pub help_message_sample: Option<String>,
    pub privacy_policy_url: Option<String>,
    pub terms_and_conditions_url: Option<String>,
    pub age_gated_content: Option<bool>,
    pub opt_in_keywords: Option<Vec<String>>,
    pub vetting_id: Option<String>,
    pub vetting_provider: Option<String>,
    pub vetting_id_expiration: Option<String>,
}

fn text(f: &Fields, k: &str) -> Option<String> {
    f.get(k).and_then(Value::as_str).map(str::to_string)
}

fn texts(f: &Fields, k: &str) -> Option<Vec<String>> {
    f.get(k).and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

impl Verification {
    pub fn of(urls: &Urls, r: &Registration) -> Self {
        let f = &r.fields;
        let failure = r.failure.as_ref().map(Failure::from_json);
        let window = tollfree::edit_window(r);
        let kind = r.kind;
        Verification {
            sid: r.sid.clone(),
            account_sid: r.account_sid.clone(),
            customer_profile_sid: text(f, "customer_profile_sid"),
            trust_product_sid: None,
            regulated_item_sid: None,
            date_created: iso(r.date_created),
            date_updated: iso(r.date_updated),
            status: r.status.clone(),
            business_name: text(f, "business_name"),
            business_street_address: text(f, "business_street_address"),
            business_street_address2: text(f, "business_street_address2"),
            business_city: text(f, "business_city"),
            business_state_province_region: text(f, "business_state_province_region"),
            business_postal_code: text(f, "business_postal_code"),
            business_country: text(f, "business_country"),
            business_website: text(f, "business_website"),
            business_contact_first_name: text(f, "business_contact_first_name"),
            business_contact_last_name: text(f, "business_contact_last_name"),
            business_contact_email: text(f, "business_contact_email"),
            business_contact_phone: text(f, "business_contact_phone"),
            notification_email: text(f, "notification_email"),
            use_case_categories: texts(f, "use_case_categories"),
            use_case_summary: text(f, "use_case_summary"),
            production_message_sample: text(f, "production_message_sample"),
            opt_in_image_urls: texts(f, "opt_in_image_urls"),
            opt_in_type: text(f, "opt_in_type"),
            message_volume: text(f, "message_volume"),
            additional_information: text(f, "additional_information"),
            tollfree_phone_number_sid: text(f, "tollfree_phone_number_sid"),
            tollfree_phone_number: text(f, "tollfree_phone_number"),
            rejection_reason: failure.as_ref().map(|x| x.reason.clone()),
            error_code: failure.as_ref().and_then(|x| x.codes.first().copied()),
            edit_expiration: window.map(|w| iso(w.until)),
            edit_allowed: window.map(|w| w.allowed),
            rejection_reasons: failure.as_ref().map(|x| {
                x.codes
                    .iter()
                    .map(|c| RejectionReason {
                        code: *c,
                        reason: kind.failure_code(*c).unwrap_or_default().to_string(),
                    })
                    .collect()
            }),
            resource_links: Map::new(),
            url: urls.abs(&format!("{LIST}/{}", r.sid)),
            external_reference_id: text(f, "external_reference_id"),
            business_registration_number: text(f, "business_registration_number"),
            business_registration_authority: text(f, "business_registration_authority"),
            business_registration_country: text(f, "business_registration_country"),
            business_type: text(f, "business_type"),
            business_registration_phone_number: text(f, "business_registration_phone_number"),
            doing_business_as: text(f, "doing_business_as"),
            opt_in_confirmation_message: text(f, "opt_in_confirmation_message"),
            help_message_sample: text(f, "help_message_sample"),
            privacy_policy_url: text(f, "privacy_policy_url"),
            terms_and_conditions_url: text(f, "terms_and_conditions_url"),
            age_gated_content: f.get("age_gated_content").and_then(Value::as_bool),
            opt_in_keywords: texts(f, "opt_in_keywords"),
            vetting_id: text(f, "vetting_id"),
            vetting_provider: text(f, "vetting_provider"),
            vetting_id_expiration: None,
        }
    }

    pub fn json(urls: &Urls, r: &Registration) -> Value {
        serde_json::to_value(Verification::of(urls, r)).unwrap_or(Value::Null)
    }
}

async fn create(Scope { app, caller, .. }: In, params: Params) -> Result<impl IntoResponse> {
    let r = tollfree::create(&app, &caller.account_sid, &params.0).await?;
    Ok((StatusCode::CREATED, Json(Verification::of(&app.urls, &r))))
}

async fn list(Scope { app, caller, .. }: In, params: Params) -> Result<impl IntoResponse> {
    let paging = page::parse(&params)?;
    // Each filter given is echoed into the paging URLs.
    let mut echoed: Vec<(&str, String)> = Vec::new();
    let mut one = |name: &'static str| {
        let v = params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        if let Some(v) = &v {
            echoed.push((name, v.clone()));
        }
        v
    };
    let mut filter = tollfree::ListFilter {
        number_sid: one("TollfreePhoneNumberSid"),
        status: one("Status"),
        external_reference_id: one("ExternalReferenceId"),
        ..Default::default()
    };
    if let Some(include) = parse_bool(params.get("IncludeSubAccounts"), "IncludeSubAccounts")? {
        filter.include_subaccounts = include;
        echoed.push(("IncludeSubAccounts", include.to_string()));
    }
    for (k, v) in &params.0 {
        if k == "TrustProductSid" && !v.is_empty() {
            filter.trust_product_sids.push(v.clone());
            echoed.push(("TrustProductSid", v.clone()));
        }
    }
    let found = tollfree::list(&app, &caller.account_sid, &filter, paging.query).await?;
    let url = app.urls.abs(LIST);
    Ok(super::render::body(paging.v1(
        &found,
        &url,
        &echoed,
        "verifications",
        |r| Verification::json(&app.urls, r),
    )))
}

async fn fetch(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<impl IntoResponse> {
    let r = tollfree::get(&app, &caller.account_sid, &sid).await?;
    Ok(Json(Verification::of(&app.urls, &r)))
}

/// The spec answers an update with 202 (Accepted): the edit is resubmitted for review.
async fn update(
    Scope { app, caller, .. }: In,
    Member(sid): Member,
    params: Params,
) -> Result<impl IntoResponse> {
    let r = tollfree::update(&app, &caller.account_sid, &sid, &params.0).await?;
    Ok((StatusCode::ACCEPTED, Json(Verification::of(&app.urls, &r))))
}

async fn remove(Scope { app, caller, .. }: In, Member(sid): Member) -> Result<StatusCode> {
    tollfree::delete(&app, &caller.account_sid, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
