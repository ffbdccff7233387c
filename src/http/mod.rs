//! The wire, and only the wire: routes, authentication, Twilio's parameters and JSON.

pub mod admin;
pub mod admission;
pub mod api2010;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod brands;
pub mod bundles;
pub mod campaigns;
pub mod catalog;
pub mod console;
pub mod entities;
pub mod error;
pub mod evaluations;
pub mod form;
pub mod health;
pub mod inquiries;
pub mod limits;
pub mod messaging;
pub mod page;
pub mod path;
pub mod registrations;
pub mod render;
pub mod sandbox;
pub mod scope;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use std::sync::Arc;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Level;

use crate::domain::bundle::BundleKind;
use crate::error::Error;
use crate::service::App;
use crate::store::EntityKind;

pub fn router(app: Arc<App>) -> Router {
    let bundle = |kind: BundleKind| {
        bundles::routes()
            .merge(assignments::routes())
            .merge(evaluations::routes())
            .layer(Extension(kind))
    };
    let entity = |kind: EntityKind| entities::routes().layer(Extension(kind));
    let api = Router::new()
        .nest("/v1/CustomerProfiles", bundle(BundleKind::CustomerProfile))
        .nest("/v1/TrustProducts", bundle(BundleKind::TrustProduct))
        .nest("/v1/EndUsers", entity(EntityKind::EndUser))
        .nest(
            "/v1/SupportingDocuments",
            entity(EntityKind::SupportingDocument),
        )
        .merge(catalog::routes())
        .merge(api2010::routes())
        .merge(messaging::routes())
        .merge(brands::routes())
        .merge(campaigns::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(from_fn_with_state(app.clone(), auth::require_account));
    // On the API listener the metrics are the operator's: behind the operator token.
    // Other methods: Twilio's 405 body (after the operator check, as on every
    // authenticated route, so a caller without the token learns nothing).
    let metrics = Router::new()
        .route("/metrics", get(serve_metrics))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(from_fn_with_state(app.clone(), admin::require_operator));
    Router::new()
        .route(
            "/healthz",
            get(health::healthz).fallback(method_not_allowed),
        )
        .merge(api)
        .merge(metrics)
        .merge(admin::routes(app.clone()))
        .merge(sandbox::routes(app.clone()))
        .merge(inquiries::routes(app.clone()))
        .merge(console::routes(app.clone()))
        .fallback(not_found)
        // Outermost last: the sandbox's clock and faults, then the one audit layer (it gives
        // every request the slot authentication names its actor in), then the inspector.
        .layer(from_fn_with_state(app.clone(), sandbox::inspect))
        .layer(from_fn_with_state(app.clone(), audit::record))
        .layer(from_fn_with_state(app.clone(), sandbox::faults))
        .layer(from_fn_with_state(app.clone(), sandbox::tick))
        .layer(axum::middleware::from_fn(limits::guard))
        .layer(from_fn_with_state(
            admission::Admission::new(app.settings.max_concurrency, app.settings.body_timeout),
            admission::admit,
        ))
        .with_state(app)
        .layer(axum::middleware::from_fn(crate::telemetry::track))
        // 5xx answers are not logged as errors here: the deliberate ones (overload 503,
        // injected faults) are normal, and a real 500 logs its cause where it is made.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(Level::DEBUG)))
}

/// Scrapes answered at once on `--metrics-listen` (more: 503, 20503).
pub const METRICS_SCRAPES: usize = 8;

/// `--metrics-listen`: `/metrics` alone, without authentication (for a private interface),
/// behind the same URL/header limits and body deadline as the API; other paths and
/// methods get Twilio's 404/405 bodies.
pub fn metrics_router(app: Arc<App>) -> Router {
    let admission = admission::Admission::new(METRICS_SCRAPES, app.settings.body_timeout);
    Router::new()
        .route("/metrics", get(serve_metrics))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(limits::guard))
        .layer(from_fn_with_state(admission, admission::admit))
        .with_state(app)
}

/// Prometheus text exposition (see `crate::telemetry` for the metrics).
async fn serve_metrics(State(app): State<Arc<App>>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        crate::telemetry::render(&app).await,
    )
}

async fn not_found(uri: Uri) -> Error {
    let path = uri.path();
    Error::NotFound(path.strip_prefix("/v1").unwrap_or(path).to_string())
}

pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> Error {
    Error::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_string(),
    }
}
