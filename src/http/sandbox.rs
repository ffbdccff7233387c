//! Sandbox powers on the wire: three layers every API request passes ([`tick`] moves a
//! seeded clock, [`faults`] injects the operator's faults, [`inspect`] keeps the request
//! inspector's log), and their operator API under `/admin/v1`. Auditing is not one of
//! them: it is the same for every request (`audit.rs`).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use rand::Rng;
use serde_json::{json, Value};
use std::sync::Arc;

use super::admin::require_operator;
use super::audit::ActorSlot;
use super::form::{Params, RawBody};
use crate::error::{Error, Result};
use crate::format::iso;
use crate::http::path::Path;
use crate::sandbox::{Effect, Fault, Logged};
use crate::service::{self, App};
use crate::sid;

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/admin/v1/Reset", post(reset))
        .route(
            "/admin/v1/Snapshots",
            get(list_snapshots).post(take_snapshot),
        )
        .route("/admin/v1/Snapshots/{name}/Restore", post(restore))
        .route("/admin/v1/Faults", get(list_faults).post(add_fault))
        .route("/admin/v1/Faults/{sid}", delete(remove_fault))
        .route("/admin/v1/Requests", get(requests))
        .route_layer(from_fn_with_state(app, require_operator))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/v1/") || path.starts_with("/2010-04-01/")
}

/// A seeded clock moves with the API's writes; reads (polling included) leave it alone,
/// so a run that polls a different number of times still replays byte for byte.
pub async fn tick(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if is_api(req.uri().path()) && req.method() != Method::GET {
        app.clock.tick();
    }
    next.run(req).await
}

/// Injected faults (`/admin/v1/Faults`) answer an API request instead of its handler: an
/// error body, a dropped connection, or a delay before the handler runs.
pub async fn faults(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_api(path) {
        return next.run(req).await;
    }
    let roll: f64 = rand::thread_rng().gen();
    match app.faults.take(req.method().as_str(), path, roll) {
        Some(Effect::Error { status, code }) => {
            // Read the body first: answering with it unread makes hyper close the
            // connection, and a client reusing it then sees a reset instead of the next
            // answer (seen as a flaky twilio-python test).
            let _ = axum::body::to_bytes(req.into_body(), crate::http::form::MAX_BODY).await;
            injected(status, code)
        }
        Some(Effect::Drop) => dropped(),
        Some(Effect::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(req).await
        }
        None => next.run(req).await,
    }
}

/// The request inspector (`--request-log`): an API exchange by an authenticated account is
/// kept under that account, the request's body as the handler's form reader read it (after
/// authentication; nothing is read here) and the response's as sent.
pub async fn inspect(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    if !app.requests.enabled() || !is_api(req.uri().path()) {
        return next.run(req).await;
    }
    let raw = RawBody::default();
    req.extensions_mut().insert(raw.clone());
    let (method, uri) = (req.method().to_string(), req.uri().clone());
    let slot = req.extensions().get::<ActorSlot>().cloned();
    let resp = next.run(req).await;
    let Some(account) = slot
        .as_ref()
        .and_then(ActorSlot::get)
        .and_then(|a| a.account_sid().map(str::to_string))
    else {
        return resp;
    };
    let (parts, body) = resp.into_parts();
    // Handlers answer from memory, so this collects what is already there; the whole body
    // is sent, whatever its size (the inspector keeps a bounded part).
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return Error::Internal(anyhow::anyhow!("response body: {e}")).into_response(),
    };
    let body = raw.0.get().map(|b| &b[..]).unwrap_or_default();
    app.requests.record(
        &account,
        Logged::new(
            method,
            uri.path().to_string(),
            uri.query().unwrap_or(""),
            body,
            parts.status.as_u16(),
            &bytes,
            app.clock.now(),
        ),
    );
    Response::from_parts(parts, Body::from(bytes))
}

fn injected(status: u16, code: u32) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "code": code,
        "message": format!("Injected fault: HTTP {} with error {code}", status.as_u16()),
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    let mut resp = (status, Json(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        resp.headers_mut()
            .insert("retry-after", axum::http::HeaderValue::from_static("1"));
    }
    resp
}

/// The connection is cut before any body arrives (the body stream fails at once).
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(failing))
}

async fn reset(State(app): State<Arc<App>>, params: Params) -> Result<Json<Value>> {
    // Anything but true/false is refused (20001), not read as false.
    let accounts = super::api2010::bool_param(params.get("Accounts"), "Accounts")?.unwrap_or(false);
    let account = params.owned("AccountSid").filter(|s| !s.is_empty());
    service::sandbox::reset(&app, account.as_deref(), accounts).await?;
    Ok(Json(
        json!({"reset": true, "account_sid": account, "accounts": accounts}),
    ))
}

async fn take_snapshot(State(app): State<Arc<App>>, params: Params) -> Result<impl IntoResponse> {
    let name = params.required("Name")?.to_string();
    let (rows, now) = service::sandbox::take_snapshot(&app, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"name": name, "rows": rows, "date_created": iso(now)})),
    ))
}

async fn list_snapshots(State(app): State<Arc<App>>) -> Result<Json<Value>> {
    let items: Vec<Value> = service::sandbox::list_snapshots(&app)
        .await?
        .into_iter()
        .map(|(name, at)| json!({"name": name, "date_created": iso(at)}))
        .collect();
    Ok(Json(json!({ "snapshots": items })))
}

async fn restore(State(app): State<Arc<App>>, Path(name): Path<String>) -> Result<Json<Value>> {
    let restored = service::sandbox::restore(&app, &name).await?;
    Ok(Json(json!({"name": name, "restored_rows": restored})))
}

async fn add_fault(State(app): State<Arc<App>>, params: Params) -> Result<impl IntoResponse> {
    let path = params.required("Path")?.to_string();
    let methods: Vec<String> = params
        .get("Methods")
        .unwrap_or("")
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty())
        .collect();
    let number = |name: &str| -> Result<Option<u64>> {
        match params.get(name).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                Error::invalid(20001, format!("{name} must be a whole number; got \"{v}\""))
            }),
        }
    };
    let remaining = number("Count")?;
    let probability = match params.get("Probability").filter(|s| !s.is_empty()) {
        None => 1.0,
        Some(p) => p
            .parse::<f64>()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| Error::invalid(20001, "Probability must be a number from 0 to 1"))?,
    };
    let effect = if matches!(params.get("Drop"), Some("true" | "True")) {
        Effect::Drop
    } else if let Some(ms) = number("DelayMs")? {
        Effect::Delay { ms: ms.min(60_000) }
    } else if let Some(status) = number("Status")? {
        if !(400..=599).contains(&status) {
            return Err(Error::invalid(
                20001,
                "Status must be an HTTP error status from 400 to 599",
            ));
        }
        let code = number("ErrorCode")?.unwrap_or(status) as u32;
        Effect::Error {
            status: status as u16,
            code,
        }
    } else {
        return Err(Error::invalid(
            20001,
            "Give the fault an effect: Status (with ErrorCode), DelayMs, or Drop=true",
        ));
    };
    let fault = Fault {
        sid: sid::generate("FA"),
        path,
        methods,
        remaining,
        probability,
        effect,
        date_created: app.clock.now(),
    };
    let body = fault.to_json();
    app.faults.add(fault);
    Ok((StatusCode::CREATED, Json(body)))
}

async fn list_faults(State(app): State<Arc<App>>) -> Json<Value> {
    let items: Vec<Value> = app.faults.list().iter().map(Fault::to_json).collect();
    Json(json!({ "faults": items }))
}

async fn remove_fault(State(app): State<Arc<App>>, Path(sid): Path<String>) -> Result<StatusCode> {
    if app.faults.remove(&sid) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("/Faults/{sid}")))
    }
}

async fn requests(State(app): State<Arc<App>>, params: Params) -> Result<Json<Value>> {
    let limit = match params.get("Limit").filter(|s| !s.is_empty()) {
        None => 50,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| Error::invalid(20001, "Limit must be a whole number"))?,
    };
    let account = params.owned("AccountSid").filter(|s| !s.is_empty());
    let (held, budget) = app.requests.usage();
    Ok(Json(json!({
        "requests": app.requests.recent(account.as_deref(), limit),
        "bytes_held": held,
        "bytes_budget": budget,
    })))
}
