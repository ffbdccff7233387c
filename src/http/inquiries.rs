//! The five `/v1/ComplianceInquiries/...` operations: each returns an inquiry id, a session
//! token and the `url` of a console page (no sign-in) where the end customer fills in the
//! guided business form (`console/inquiries.rs`). The state lives in
//! `service::inquiries`; this file knows Twilio's parameters and JSON only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

use crate::error::Result;
use crate::http::auth::{self, Caller};
use crate::http::form::Params;
use crate::http::path::Path;
use crate::service::inquiries::{self, Kind, Started};
use crate::service::App;

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/v1/ComplianceInquiries/Customers/Initialize", post(create_customer))
        .route("/v1/ComplianceInquiries/Customers/{customer_id}/Initialize", post(update_customer))
        .route(
            "/v1/ComplianceInquiries/Registration/RegulatoryCompliance/GB/Initialize",
            post(create_registration),
        )
        .route(
            "/v1/ComplianceInquiries/Registration/{registration_id}/RegulatoryCompliance/GB/Initialize",
            post(update_registration),
        )
        .route("/v1/ComplianceInquiries/Tollfree/Initialize", post(create_tollfree))
        // Every error is Twilio's JSON body, a wrong method included.
        .method_not_allowed_fallback(crate::http::method_not_allowed)
        .route_layer(from_fn_with_state(app, auth::require_account))
}

fn response(app: &App, s: &Started, status: StatusCode) -> (StatusCode, Json<Value>) {
    let id_key = if s.kind == Kind::Customer {
        "customer_id"
    } else {
        "registration_id"
    };
    let i = &s.inquiry;
    let url = app.urls.abs(&format!(
        "/console/inquiries/{}?session_token={}",
        i.id, s.token
    ));
    (
        status,
        Json(json!({
            "inquiry_id": i.id,
            "inquiry_session_token": s.token,
            id_key: i.external_id,
            "url": url,
        })),
    )
}

/// Form inputs prefilled from the request's parameters (Registration and Tollfree carry
/// the business's details), each checked against the prefill limit.
fn prefill(params: &Params, map: &[(&str, &str)]) -> Result<Vec<(String, String)>> {
    let mut v = Vec::new();
    for (param, input) in map {
        if let Some(x) = params.get(param).filter(|x| !x.is_empty()) {
            inquiries::check_prefill(param, x)?;
            v.push((input.to_string(), x.to_string()));
        }
    }
    Ok(v)
}

/// The Primary profile a request names in `param`, validated (the one call site of
/// `check_primary` per operation, so its rules stay in the service).
async fn primary(
    app: &App,
    caller: &Caller,
    params: &Params,
    param: &str,
) -> Result<Option<String>> {
    let Some(sid) = params.owned(param).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    inquiries::check_primary(app, &caller.account, param, &sid).await?;
    Ok(Some(sid))
}

async fn create_customer(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> Result<impl IntoResponse> {
    let primary = primary(&app, &caller, &params, "PrimaryProfileSid").await?;
    let values = prefill(&params, &[("NotificationEmail", "profile.email")])?;
    let s = inquiries::start(&app, &caller.account, Kind::Customer, primary, values).await?;
    Ok(response(&app, &s, StatusCode::CREATED))
}

async fn update_customer(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(customer_id): Path<String>,
    params: Params,
) -> Result<impl IntoResponse> {
    params.required("PrimaryProfileSid")?;
    let primary = primary(&app, &caller, &params, "PrimaryProfileSid").await?;
    let path = format!("/ComplianceInquiries/Customers/{customer_id}/Initialize");
    let s = inquiries::resume(&app, &caller.account, &customer_id, primary, &path).await?;
    Ok(response(&app, &s, StatusCode::OK))
}

const REGISTRATION_FIELDS: [(&str, &str); 17] = [
    ("FriendlyName", "profile.friendly_name"),
    ("NotificationEmail", "profile.email"),
    ("StatusCallbackUrl", "profile.status_callback"),
    (
        "BusinessLegalName",
        "customer_profile_business_information.business_name",
    ),
    (
        "BusinessWebsiteUrl",
        "customer_profile_business_information.website_url",
    ),
    (
        "BusinessRegistrationNumber",
        "customer_profile_business_information.business_registration_number",
    ),
    (
        "BusinessIdentityType",
        "customer_profile_business_information.business_identity",
    ),
    (
        "AuthorizedRepresentative1FirstName",
        "authorized_representative_1.first_name",
    ),
    (
        "AuthorizedRepresentative1LastName",
        "authorized_representative_1.last_name",
    ),
    (
        "AuthorizedRepresentative1Email",
        "authorized_representative_1.email",
    ),
    (
        "AuthorizedRepresentative1Phone",
        "authorized_representative_1.phone_number",
    ),
    ("AddressStreet", "address.street"),
    ("AddressStreetSecondary", "address.street_secondary"),
    ("AddressCity", "address.city"),
    ("AddressSubdivision", "address.region"),
    ("AddressPostalCode", "address.postal_code"),
    ("AddressCountryCode", "address.iso_country"),
];

async fn create_registration(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> Result<impl IntoResponse> {
    params.required("EndUserType")?;
    params.required("PhoneNumberType")?;
    let values = prefill(&params, &REGISTRATION_FIELDS)?;
    let s = inquiries::start(&app, &caller.account, Kind::Registration, None, values).await?;
    Ok(response(&app, &s, StatusCode::CREATED))
}

async fn update_registration(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(registration_id): Path<String>,
) -> Result<impl IntoResponse> {
    let path = format!(
        "/ComplianceInquiries/Registration/{registration_id}/RegulatoryCompliance/GB/Initialize"
    );
    let s = inquiries::resume(&app, &caller.account, &registration_id, None, &path).await?;
    Ok(response(&app, &s, StatusCode::OK))
}

const TOLLFREE_FIELDS: [(&str, &str); 13] = [
    ("NotificationEmail", "profile.email"),
    (
        "BusinessName",
        "customer_profile_business_information.business_name",
    ),
    (
        "BusinessWebsite",
        "customer_profile_business_information.website_url",
    ),
    (
        "BusinessRegistrationNumber",
        "customer_profile_business_information.business_registration_number",
    ),
    (
        "BusinessContactFirstName",
        "authorized_representative_1.first_name",
    ),
    (
        "BusinessContactLastName",
        "authorized_representative_1.last_name",
    ),
    ("BusinessContactEmail", "authorized_representative_1.email"),
    (
        "BusinessContactPhone",
        "authorized_representative_1.phone_number",
    ),
    ("BusinessStreetAddress", "address.street"),
    ("BusinessStreetAddress2", "address.street_secondary"),
    ("BusinessCity", "address.city"),
    ("BusinessStateProvinceRegion", "address.region"),
    ("BusinessPostalCode", "address.postal_code"),
];

async fn create_tollfree(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> Result<impl IntoResponse> {
    params.required("TollfreePhoneNumber")?;
    params.required("NotificationEmail")?;
    let primary = primary(&app, &caller, &params, "CustomerProfileSid").await?;
    let mut values = prefill(&params, &TOLLFREE_FIELDS)?;
    if let Some(c) = params.get("BusinessCountry").filter(|c| !c.is_empty()) {
        inquiries::check_prefill("BusinessCountry", c)?;
        values.push(("address.iso_country".to_string(), c.to_string()));
    }
    let s = inquiries::start(&app, &caller.account, Kind::Tollfree, primary, values).await?;
    Ok(response(&app, &s, StatusCode::CREATED))
}
