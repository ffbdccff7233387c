//! Prometheus metrics (`GET /metrics`, text format 0.0.4), recorded with the `metrics`
//! crate and rendered by `metrics-exporter-prometheus`.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `trusthub_http_requests_total` | counter | `method`, `route` (the route template, e.g. `/v1/CustomerProfiles/{Sid}`; `unmatched` for unknown paths), `status` |
//! | `trusthub_http_request_duration_seconds` | histogram | the same |
//! | `trusthub_jobs_total` | counter | `kind` (`callback`, `review`), `outcome` (`done`, `retry`, `lease_lost`, `store_error`) |
//! | `trusthub_callback_deliveries_total` | counter | `outcome` (`delivered`, `failed` (will retry), `gave_up`, `refused` (address policy)) |
//! | `trusthub_review_decisions_total` | counter | `outcome` (`approved`, `rejected`), `by` (`operator`, `pipeline`) |
//! | `trusthub_credential_lookups_total` | counter | `from` (`cache`, `store`): where an account looked up to authenticate a request (the credential's, and a subaccount's parent) was found, or found missing |
//! | `trusthub_jobs_pending` | gauge | unfinished jobs, due or not |
//! | `trusthub_jobs_due` | gauge | unfinished jobs whose due time has come |
//! | `trusthub_jobs_oldest_due_age_seconds` | gauge | server-clock seconds the oldest due job has waited (0 when none) |
//! | `trusthub_store_pool_connections` | gauge | `state` (`idle`, `in_use`) |
//! | `trusthub_store_pool_max_connections` | gauge | — |
//!
//! Counters are per process (each server of a scale-out exports its own); the gauges are
//! read from the store when scraped, so they describe the shared queue.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

use crate::service::App;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Request latency buckets, in seconds: 0.5 ms to 10 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the process-wide recorder (once; later calls keep the first).
pub fn install() -> anyhow::Result<()> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("trusthub_http_request_duration_seconds".into()),
            &LATENCY_BUCKETS,
        )?
        .install_recorder()?;
    let _ = HANDLE.set(handle);
    Ok(())
}

/// Middleware: counts and times every request by route template, method and status.
/// Added with `Router::layer`, which runs it after routing, so `MatchedPath` is known.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    // A client chooses the method: only the standard ones become label values, so no
    // request can add series at will.
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "CONNECT"
        | "TRACE") => m,
        _ => "other",
    }
    .to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", resp.status().as_u16().to_string()),
    ];
    counter!("trusthub_http_requests_total", &labels).increment(1);
    histogram!("trusthub_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    resp
}

/// One statement (or BEGIN, or COMMIT) sent to the store: round trips per request are
/// what `bench/statements.sh` and `tests/api/evaluations.rs` measure.
pub fn store_statement() {
    counter!("trusthub_store_statements_total").increment(1);
}

pub fn job(kind: &'static str, outcome: &'static str) {
    counter!("trusthub_jobs_total", "kind" => kind, "outcome" => outcome).increment(1);
}

pub fn credential_lookup(from: &'static str) {
    counter!("trusthub_credential_lookups_total", "from" => from).increment(1);
}

pub fn callback(outcome: &'static str) {
    counter!("trusthub_callback_deliveries_total", "outcome" => outcome).increment(1);
}

pub fn review_decision(outcome: &'static str, by: String) {
    counter!("trusthub_review_decisions_total", "outcome" => outcome, "by" => by).increment(1);
}

/// The text exposition: the store's gauges read now, then everything recorded.
pub async fn render(app: &App) -> String {
    let now = app.clock.now();
    match app.store.stats(now).await {
        Ok(s) => {
            gauge!("trusthub_jobs_pending").set(s.jobs_pending as f64);
            gauge!("trusthub_jobs_due").set(s.jobs_due as f64);
            gauge!("trusthub_jobs_oldest_due_age_seconds")
                .set(s.oldest_due.map_or(0, |due| (now - due).max(0)) as f64);
            gauge!("trusthub_store_pool_connections", "state" => "idle").set(s.pool_idle as f64);
            gauge!("trusthub_store_pool_connections", "state" => "in_use")
                .set(s.pool_size.saturating_sub(s.pool_idle) as f64);
            gauge!("trusthub_store_pool_max_connections").set(s.pool_max as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: could not read the store's gauges"),
    }
    HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}
