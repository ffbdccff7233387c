//! The operator API (`/admin/v1`), authenticated with `Authorization: Bearer <admin token>`.

use crate::http::path::Path;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::StatusCode;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

use super::form::Params;
use super::registrations::Reviewed;
use super::render;
use crate::domain::bundle::BundleKind;
use crate::error::{Error, Result};
use crate::format::iso;
use crate::service::bundles::{self, NewBundle};
use crate::service::review::{self, Verdict};
use crate::service::{accounts, App};
use crate::store::{Account, AccountFilter, PageQuery, RegistrationKind};

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route(
            "/admin/v1/Accounts",
            get(list_accounts).post(create_account),
        )
        .route(
            "/admin/v1/Accounts/{account}",
            get(fetch_account).post(update_account),
        )
        .route(
            "/admin/v1/Accounts/{account}/RotateAuthToken",
            post(rotate_token),
        )
        .route(
            "/admin/v1/Accounts/{account}/CustomerProfiles",
            post(create_profile),
        )
        .route(
            "/admin/v1/Accounts/{account}/TrustProducts",
            post(create_trust_product),
        )
        .route("/admin/v1/Reviews", get(list_reviews))
        .route("/admin/v1/Reviews/{bundle}", post(decide))
        .route(
            "/admin/v1/BrandRegistrations/{sid}/OtpReply",
            post(super::brands::otp_reply),
        )
        .route("/admin/v1/Bundles/{bundle}/Events", get(events))
        .route("/admin/v1/Clock", get(clock).post(advance_clock))
        .route("/admin/v1/Audit", get(audit))
        .route_layer(from_fn_with_state(app, require_operator))
}

pub async fn require_operator(
    State(app): State<Arc<App>>,
    req: Request,
    next: Next,
) -> Result<Response, Error> {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let throttle = super::admission::failures(&req);
    let keys = super::admission::failure_keys(&req, "operator");
    if let Some(t) = &throttle {
        t.failures.check(&keys)?;
    }
    if !app.settings.is_admin_token(token) {
        if let Some(t) = &throttle {
            t.failures.failed(&keys);
        }
        return Err(Error::Unauthorized);
    }
    let _slot = super::admission::authenticated(&req)?;
    super::audit::identify(req.extensions(), crate::service::audit::Actor::Operator);
    Ok(next.run(req).await)
}

fn account_json(a: &Account) -> Value {
    json!({
        "sid": a.sid,
        "friendly_name": a.friendly_name,
        "auth_token": a.auth_token,
        "owner_account_sid": a.owner_sid,
        "status": a.status,
        "date_created": iso(a.date_created),
        "date_updated": iso(a.date_updated),
    })
}

async fn create_account(State(app): State<Arc<App>>, params: Params) -> Result<impl IntoResponse> {
    let account = accounts::create_top_level(&app, params.owned("FriendlyName")).await?;
    Ok((StatusCode::CREATED, Json(account_json(&account))))
}

/// Top-level accounts, oldest first (`Status`, `FriendlyName` filters; `PageSize` up to 1000).
async fn list_accounts(State(app): State<Arc<App>>, params: Params) -> Result<Json<Value>> {
    let size = match params.get("PageSize").filter(|s| !s.is_empty()) {
        None => 100,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                Error::invalid(20001, "PageSize must be a whole number from 1 to 1000")
            })?,
    };
    let filter = AccountFilter {
        friendly_name: params.owned("FriendlyName").filter(|s| !s.is_empty()),
        status: params.owned("Status").filter(|s| !s.is_empty()),
    };
    let page = PageQuery { size, cursor: None };
    let found = accounts::list_top_level(&app, &filter, page).await?;
    let items: Vec<Value> = found.items.iter().map(account_json).collect();
    Ok(Json(json!({ "accounts": items })))
}

async fn fetch_account(
    State(app): State<Arc<App>>,
    Path(account): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(account_json(
        &accounts::get_any(&app, &account).await?,
    )))
}

/// `Status` (`active`, `suspended`, `closed`; closed is final) and `FriendlyName`.
async fn update_account(
    State(app): State<Arc<App>>,
    Path(account): Path<String>,
    params: Params,
) -> Result<Json<Value>> {
    let a = accounts::operator_update(
        &app,
        &account,
        params.owned("FriendlyName"),
        params.owned("Status"),
    )
    .await?;
    Ok(Json(account_json(&a)))
}

/// A new auth token, returned in the account; the old one stops working.
async fn rotate_token(
    State(app): State<Arc<App>>,
    Path(account): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(account_json(
        &accounts::rotate_token(&app, &account).await?,
    )))
}

async fn create_bundle(
    app: &App,
    account: &str,
    kind: BundleKind,
    params: &Params,
) -> Result<(StatusCode, Json<Value>)> {
    if app.store.account(account).await?.is_none() {
        return Err(Error::NotFound(format!("/Accounts/{account}")));
    }
    let new = NewBundle {
        friendly_name: params.required("FriendlyName")?.to_string(),
        email: params.required("Email")?.to_string(),
        policy_sid: params.required("PolicySid")?.to_string(),
        status_callback: params.owned("StatusCallback").filter(|s| !s.is_empty()),
    };
    let b = bundles::create(app, account, kind, new, true).await?;
    Ok((StatusCode::CREATED, Json(render::bundle(&app.urls, &b))))
}

async fn create_profile(
    State(app): State<Arc<App>>,
    Path(account): Path<String>,
    params: Params,
) -> Result<impl IntoResponse> {
    create_bundle(&app, &account, BundleKind::CustomerProfile, &params).await
}

async fn create_trust_product(
    State(app): State<Arc<App>>,
    Path(account): Path<String>,
    params: Params,
) -> Result<impl IntoResponse> {
    create_bundle(&app, &account, BundleKind::TrustProduct, &params).await
}

/// The queue: bundles (filtered by `PolicySid`) and registrations (filtered by `Kind`:
/// `brand`, `brand_vetting`, `us_app_to_person`, `tollfree_verification`); either filter
/// leaves the other family out.
async fn list_reviews(State(app): State<Arc<App>>, params: Params) -> Result<Json<Value>> {
    let policy = params.owned("PolicySid").filter(|s| !s.is_empty());
    let kind = match params.owned("Kind").filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(RegistrationKind::parse(&k).ok_or_else(|| {
            Error::invalid(
                20001,
                format!(
                    "Kind must be one of brand, brand_vetting, us_app_to_person, tollfree_verification; got \"{k}\""
                ),
            )
        })?),
    };
    let mut items: Vec<Value> = Vec::new();
    if kind.is_none() {
        let queue = review::queue(&app, policy.as_deref()).await?;
        items.extend(queue.iter().map(|b| {
            let mut v = render::bundle(&app.urls, b);
            v["bundle_kind"] = json!(b.kind.as_str());
            v
        }));
    }
    if policy.is_none() {
        let queue = review::registration_queue(&app, kind).await?;
        items.extend(queue.iter().map(Reviewed::json));
    }
    Ok(Json(json!({ "reviews": items })))
}

async fn decide(
    State(app): State<Arc<App>>,
    Path(bundle): Path<String>,
    params: Params,
) -> Result<Json<Value>> {
    let verdict = match params.required("Decision")? {
        "approve" => Verdict::Approve,
        "reject" => {
            let mut codes = Vec::new();
            // Accept repeated ErrorCodes and comma-separated lists alike.
            for (_, v) in params.0.iter().filter(|(k, _)| k == "ErrorCodes") {
                for c in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    codes.push(c.parse::<u32>().map_err(|_| {
                        Error::invalid(20001, format!("ErrorCodes: \"{c}\" is not a number"))
                    })?);
                }
            }
            Verdict::Reject {
                reason: params.owned("FailureReason").unwrap_or_default(),
                codes,
            }
        }
        other => {
            return Err(Error::invalid(
                20001,
                format!("Decision must be approve or reject; got \"{other}\""),
            ))
        }
    };
    if RegistrationKind::of_sid(&bundle).is_some() {
        let r = review::decide_registration(&app, &bundle, verdict).await?;
        return Ok(Json(Reviewed::json(&r)));
    }
    let b = review::decide(&app, &bundle, verdict).await?;
    Ok(Json(render::bundle(&app.urls, &b)))
}

async fn events(State(app): State<Arc<App>>, Path(bundle): Path<String>) -> Result<Json<Value>> {
    let events = app.store.events(&bundle).await?;
    if events.is_empty()
        && app.store.bundle_any(&bundle).await?.is_none()
        && app.store.registration_any(&bundle).await?.is_none()
    {
        return Err(Error::NotFound(format!("/Bundles/{bundle}/Events")));
    }
    let items: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "type": e.kind,
                "date_created": iso(e.date_created),
                "detail": e.detail,
            })
        })
        .collect();
    Ok(Json(json!({ "bundle_sid": bundle, "events": items })))
}

fn clock_json(app: &App) -> Json<Value> {
    Json(json!({ "now": iso(app.clock.now()), "offset_seconds": app.clock.offset() }))
}

async fn clock(State(app): State<Arc<App>>) -> Json<Value> {
    clock_json(&app)
}

async fn advance_clock(State(app): State<Arc<App>>, params: Params) -> Result<Json<Value>> {
    let raw = params.required("AdvanceSeconds")?;
    let seconds: i64 = raw
        .parse()
        .ok()
        .filter(|s: &i64| (0..=10 * 365 * 24 * 3600).contains(s))
        .ok_or_else(|| {
            Error::invalid(
                20001,
                format!("AdvanceSeconds must be a whole number of seconds from 0 to ten years; got \"{raw}\""),
            )
        })?;
    app.clock.advance(seconds);
    app.jobs_wake.notify_one();
    Ok(clock_json(&app))
}

/// The audit trail: who (account, API key, operator) changed what, newest first.
async fn audit(State(app): State<Arc<App>>, params: Params) -> Result<Json<Value>> {
    let limit = match params.get("Limit").filter(|s| !s.is_empty()) {
        None => 100,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| Error::invalid(20001, "Limit must be a whole number from 1 to 10000"))?,
    };
    let account = params.owned("AccountSid").filter(|s| !s.is_empty());
    let entries = app.store.audit(account.as_deref(), limit).await?;
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "actor": {"kind": e.actor_kind, "sid": e.actor_sid},
                "account_sid": e.account_sid,
                "method": e.method,
                "path": e.path,
                "status": e.status,
                "date_created": iso(e.date_created),
            })
        })
        .collect();
    Ok(Json(json!({ "audit": items })))
}
