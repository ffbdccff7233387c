//! Hosted compliance inquiries: the five `/v1/ComplianceInquiries/...` operations return an
//! inquiry id and session token; the `url` opens a console page (no sign-in) where the end
//! customer fills in the guided business form. The result is a Customer Profile of the ISV's
//! (the calling) account: a Secondary Customer Profile with the named primary assigned when
//! a PrimaryProfileSid (Tollfree: CustomerProfileSid) is given, as Twilio describes, else a
//! Primary Customer Profile. Inquiries live in memory (a restart forgets unfinished ones;
//! finished ones are ordinary bundles in the store).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::error::{ConsoleError, ConsoleResult};
use super::fields::{Errors, Values};
use super::layout::{self, status_badge};
use super::profile_form::{self, Created, PRIMARY_BUSINESS};
use super::session::{check_csrf, equal, random_token, Console, MaybeSession, Session, Who};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::{self, Caller};
use crate::http::form::Params;
use crate::http::path::Path;
use crate::service::App;
use crate::sid;

/// Twilio's Secondary Customer Profile of type Business.
const SECONDARY_BUSINESS: &str = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
/// Inquiries kept in memory in all; when full, finished ones go first, then the oldest.
pub const MAX_INQUIRIES: usize = 10_000;
/// Open inquiries per account; a new one beyond it replaces the account's oldest.
pub const MAX_PER_ACCOUNT: usize = 100;
/// An inquiry not finished within this long is forgotten (its page stops working).
pub const INQUIRY_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// The longest prefill value accepted, in bytes (Twilio's fields are short).
pub const PREFILL_MAX: usize = 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Customer,
    Registration,
    Tollfree,
}

#[derive(Clone)]
pub struct Inquiry {
    id: String,
    token: String,
    kind: Kind,
    account_sid: String,
    /// The customer or registration id the API returned.
    external_id: String,
    primary: Option<String>,
    prefill: Values,
    bundle_sid: Option<String>,
    created: std::time::Instant,
}

#[derive(Default)]
pub struct Inquiries(Mutex<HashMap<String, Inquiry>>);

impl Inquiries {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Inquiry>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn get(&self, id: &str) -> Option<Inquiry> {
        self.lock()
            .get(id)
            .filter(|i| i.created.elapsed() < INQUIRY_TTL)
            .cloned()
    }
    fn put(&self, i: Inquiry) {
        let mut map = self.lock();
        if !map.contains_key(&i.id) {
            map.retain(|_, v| v.created.elapsed() < INQUIRY_TTL);
            let oldest = |map: &HashMap<String, Inquiry>, of: Option<&str>| {
                map.values()
                    .filter(|v| of.is_none_or(|a| v.account_sid == a))
                    .min_by_key(|v| v.created)
                    .map(|v| v.id.clone())
            };
            let open = map
                .values()
                .filter(|v| v.account_sid == i.account_sid && v.bundle_sid.is_none())
                .count();
            if open >= MAX_PER_ACCOUNT {
                if let Some(id) = oldest(&map, Some(&i.account_sid)) {
                    map.remove(&id);
                }
            }
            if map.len() >= MAX_INQUIRIES {
                // Finished inquiries go first: their bundles are in the store anyway.
                map.retain(|_, v| v.bundle_sid.is_none());
            }
            if map.len() >= MAX_INQUIRIES {
                if let Some(id) = oldest(&map, None) {
                    map.remove(&id);
                }
            }
        }
        map.insert(i.id.clone(), i);
    }
    /// The account an inquiry belongs to (for the audit trail).
    pub fn account_of(&self, id: &str) -> Option<String> {
        self.lock().get(id).map(|i| i.account_sid.clone())
    }
    fn find(&self, account: &str, external_id: &str) -> Option<Inquiry> {
        self.lock()
            .values()
            .find(|i| i.account_sid == account && i.external_id == external_id)
            .cloned()
    }
}

pub fn api(app: Arc<App>) -> Router<Arc<App>> {
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

pub fn pages() -> Router<Arc<App>> {
    Router::new().route("/console/inquiries/{inquiry}", get(open).post(complete))
}

fn new_id() -> String {
    format!("inq_{}", &random_token()[..24])
}

fn page_url(app: &App, i: &Inquiry) -> String {
    app.urls.abs(&format!(
        "/console/inquiries/{}?session_token={}",
        i.id, i.token
    ))
}

fn response(app: &App, i: &Inquiry, status: StatusCode) -> (StatusCode, Json<Value>) {
    let id_key = if i.kind == Kind::Customer {
        "customer_id"
    } else {
        "registration_id"
    };
    (
        status,
        Json(json!({
            "inquiry_id": i.id,
            "inquiry_session_token": i.token,
            id_key: i.external_id,
            "url": page_url(app, i),
        })),
    )
}

/// A PrimaryProfileSid must be a Customer Profile the calling account can build on (the
/// one rule of `assignments::referable`); anything else reads as an unknown SID.
async fn check_primary(app: &App, caller: &Caller, param: &str, sid: &str) -> ApiResult<()> {
    crate::service::check_sid(param, sid, sid::BUNDLE, 22205)?;
    let role = crate::domain::bundle::Role::InquiryProfile;
    match crate::service::assignments::referable(app, &caller.account_sid, role, sid).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::invalid(
            22205,
            format!("{param} {sid} is not a Customer Profile of this account (or, for a subaccount, its parent's twilio-approved Primary Customer Profile)"),
        )),
    }
}

/// Form inputs prefilled from the request's parameters (Registration and Tollfree carry
/// the business's details).
fn prefill(params: &Params, map: &[(&str, &str)]) -> ApiResult<Values> {
    let mut v = Values::default();
    for (param, input) in map {
        if let Some(x) = params.get(param).filter(|x| !x.is_empty()) {
            if x.len() > PREFILL_MAX {
                return Err(ApiError::invalid(
                    20001,
                    format!(
                        "{param} is {} bytes long; the limit is {PREFILL_MAX}",
                        x.len()
                    ),
                ));
            }
            v.set(input, x);
        }
    }
    Ok(v)
}

fn start(
    console: &Console,
    caller: &Caller,
    kind: Kind,
    primary: Option<String>,
    prefill: Values,
) -> Inquiry {
    let id = new_id();
    let external_id = match kind {
        Kind::Customer => format!("tri1.us1.trusthub.{}.customer.{id}", caller.account_sid),
        Kind::Registration => format!("tri1.us1.account.{}.registration.{id}", caller.account_sid),
        Kind::Tollfree => format!("tri1.us1.trusthub.{}.tollfree.{id}", caller.account_sid),
    };
    let i = Inquiry {
        id,
        token: random_token(),
        kind,
        account_sid: caller.account_sid.clone(),
        external_id,
        primary,
        prefill,
        bundle_sid: None,
        created: std::time::Instant::now(),
    };
    console.inquiries.put(i.clone());
    i
}

async fn create_customer(
    State(app): State<Arc<App>>,
    Extension(console): Extension<Arc<Console>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let primary = params.owned("PrimaryProfileSid").filter(|s| !s.is_empty());
    if let Some(p) = &primary {
        check_primary(&app, &caller, "PrimaryProfileSid", p).await?;
    }
    let values = prefill(&params, &[("NotificationEmail", "profile.email")])?;
    let i = start(&console, &caller, Kind::Customer, primary, values);
    Ok(response(&app, &i, StatusCode::CREATED))
}

/// Resume: a fresh session token for an inquiry of this account.
fn resume(console: &Console, caller: &Caller, external_id: &str, path: &str) -> ApiResult<Inquiry> {
    let mut i = console
        .inquiries
        .find(&caller.account_sid, external_id)
        .ok_or_else(|| ApiError::NotFound(path.to_string()))?;
    i.token = random_token();
    console.inquiries.put(i.clone());
    Ok(i)
}

async fn update_customer(
    State(app): State<Arc<App>>,
    Extension(console): Extension<Arc<Console>>,
    Extension(caller): Extension<Caller>,
    Path(customer_id): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    let primary = params.required("PrimaryProfileSid")?.to_string();
    check_primary(&app, &caller, "PrimaryProfileSid", &primary).await?;
    let path = format!("/ComplianceInquiries/Customers/{customer_id}/Initialize");
    let mut i = resume(&console, &caller, &customer_id, &path)?;
    if i.bundle_sid.is_none() {
        i.primary = Some(primary);
        console.inquiries.put(i.clone());
    }
    Ok(response(&app, &i, StatusCode::OK))
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
    Extension(console): Extension<Arc<Console>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    params.required("EndUserType")?;
    params.required("PhoneNumberType")?;
    let values = prefill(&params, &REGISTRATION_FIELDS)?;
    let i = start(&console, &caller, Kind::Registration, None, values);
    Ok(response(&app, &i, StatusCode::CREATED))
}

async fn update_registration(
    State(app): State<Arc<App>>,
    Extension(console): Extension<Arc<Console>>,
    Extension(caller): Extension<Caller>,
    Path(registration_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let path = format!(
        "/ComplianceInquiries/Registration/{registration_id}/RegulatoryCompliance/GB/Initialize"
    );
    let i = resume(&console, &caller, &registration_id, &path)?;
    Ok(response(&app, &i, StatusCode::OK))
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
    Extension(console): Extension<Arc<Console>>,
    Extension(caller): Extension<Caller>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    params.required("TollfreePhoneNumber")?;
    params.required("NotificationEmail")?;
    let primary = params.owned("CustomerProfileSid").filter(|s| !s.is_empty());
    if let Some(p) = &primary {
        check_primary(&app, &caller, "CustomerProfileSid", p).await?;
    }
    let mut values = prefill(&params, &TOLLFREE_FIELDS)?;
    if let Some(c) = params.get("BusinessCountry").filter(|c| !c.is_empty()) {
        values.set("address.iso_country", c);
    }
    let i = start(&console, &caller, Kind::Tollfree, primary, values);
    Ok(response(&app, &i, StatusCode::CREATED))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    session_token: Option<String>,
}

fn policy_of(i: &Inquiry) -> &'static str {
    if i.primary.is_some() {
        SECONDARY_BUSINESS
    } else {
        PRIMARY_BUSINESS
    }
}

async fn view(
    app: &App,
    i: &Inquiry,
    s: &Session,
    values: &Values,
    errors: &Errors,
    form_error: Option<&str>,
) -> ConsoleResult<Markup> {
    if let Some(sid) = &i.bundle_sid {
        let b = app
            .store
            .bundle(&i.account_sid, sid)
            .await?
            .ok_or(ConsoleError::NotFound)?;
        return Ok(layout::bare(
            "Business profile",
            html! {
                h1 { "Thank you" }
                p { "Your business profile " strong { (b.friendly_name) } " was received and is " (status_badge(b.status)) "." }
                p { "Reference: " code { (b.sid) } ". You can close this page." }
            },
        ));
    }
    let policy = app
        .catalog
        .policy(policy_of(i))
        .ok_or(ConsoleError::NotFound)?;
    let action = format!("/console/inquiries/{}", i.id);
    Ok(layout::bare(
        "Business profile",
        html! {
            h1 { "Tell us about your business" }
            p.lead { "This information is checked before your phone numbers can be used. Fields marked * are required." }
            (profile_form::form_body(app, policy, values, errors, form_error, &s.csrf, &action))
        },
    ))
}

/// With the token: starts a session for this inquiry alone and shows the form at once
/// (no redirect, so the SameSite=Strict cookie is set even when arriving from the ISV's site).
async fn open(
    State(app): State<Arc<App>>,
    Extension(console): Extension<Arc<Console>>,
    s: MaybeSession,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> ConsoleResult<Response> {
    let i = console.inquiries.get(&id).ok_or(ConsoleError::SignIn)?;
    let (session, fresh) = match (q.session_token, s.0) {
        (Some(t), _) if equal(&t, &i.token) => (
            console.start(Who::Inquiry {
                inquiry_id: id.clone(),
            }),
            true,
        ),
        (None, Some(s)) if matches!(&s.who, Who::Inquiry { inquiry_id } if *inquiry_id == id) => {
            (s, false)
        }
        _ => return Err(ConsoleError::SignIn),
    };
    let mut resp = view(&app, &i, &session, &i.prefill, &Errors::new(), None)
        .await?
        .into_response();
    if fresh {
        console.set_cookie(&mut resp, &session);
    }
    Ok(resp)
}

async fn complete(
    State(app): State<Arc<App>>,
    Extension(console): Extension<Arc<Console>>,
    s: MaybeSession,
    Path(id): Path<String>,
    params: Params,
) -> ConsoleResult<Response> {
    let s = s.0.ok_or(ConsoleError::SignIn)?;
    if !matches!(&s.who, Who::Inquiry { inquiry_id } if *inquiry_id == id) {
        return Err(ConsoleError::SignIn);
    }
    check_csrf(&s, &params)?;
    let mut i = console.inquiries.get(&id).ok_or(ConsoleError::NotFound)?;
    if i.bundle_sid.is_some() {
        return Ok(view(&app, &i, &s, &Values::default(), &Errors::new(), None)
            .await?
            .into_response());
    }
    let account = app
        .store
        .account(&i.account_sid)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    // An inquiry opened before its account was suspended or closed creates nothing after.
    crate::service::accounts::ensure_active(&app, &account).await?;
    let policy = app
        .catalog
        .policy(policy_of(&i))
        .ok_or(ConsoleError::NotFound)?;
    let values = Values(params.0);
    match profile_form::create(&app, &account, policy, &values, i.primary.as_deref(), true).await? {
        Created::Done { bundle, .. } => {
            i.bundle_sid = Some(bundle.sid);
            console.inquiries.put(i.clone());
            Ok(view(&app, &i, &s, &values, &Errors::new(), None)
                .await?
                .into_response())
        }
        Created::Invalid { errors, message } => {
            let page = view(&app, &i, &s, &values, &errors, message.as_deref()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
