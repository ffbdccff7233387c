//! `GET /healthz`: 200 when the store answers and the job worker's heartbeat is fresh;
//! otherwise 503 with Twilio's error body (code 20503), naming what is unhealthy.
//! `worker.idle_polls` counts the times the worker found nothing left to do: a client that
//! sees it grow knows every job due before then has run (tests wait on it, never sleep).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

use crate::jobs::supervisor;
use crate::service::App;

/// How long the store has to answer a trivial query.
const STORE_DEADLINE: Duration = Duration::from_secs(2);

pub async fn healthz(State(app): State<Arc<App>>) -> Response {
    let store = match tokio::time::timeout(STORE_DEADLINE, app.store.account_count()).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("the store fails: {e}")),
        Err(_) => Err(format!(
            "the store did not answer within {} s",
            STORE_DEADLINE.as_secs()
        )),
    };
    let (age, restarts) = supervisor::heartbeat_age();
    let worker = match age {
        Some(ms) if ms <= supervisor::STALE.as_millis() as i64 => Ok(()),
        Some(ms) => Err(format!("the job worker's last heartbeat was {ms} ms ago")),
        None => Err("the job worker is not running".to_string()),
    };
    let problems: Vec<String> = [&store, &worker]
        .iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    let detail = json!({
        "store": if store.is_ok() { "ok" } else { "failing" },
        "worker": {
            "ok": worker.is_ok(),
            "heartbeat_age_ms": age,
            "restarts": restarts,
            "idle_polls": supervisor::idle_polls(),
        },
    });
    if problems.is_empty() {
        let mut body = detail;
        body["status"] = json!("ok");
        return Json(body).into_response();
    }
    let mut body = json!({
        "code": 20503,
        "message": format!("Unhealthy: {}", problems.join("; ")),
        "more_info": "https://www.twilio.com/docs/errors/20503",
        "status": 503,
    });
    body["checks"] = detail;
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}
