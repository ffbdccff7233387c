//! The web console at `/console`: customers manage their bundles, operators review them,
//! and end customers complete hosted compliance inquiries. Server-rendered HTML (maud);
//! every rule comes from `service/` and `domain/`, never from here.

mod account;
mod bundle;
mod error;
mod fields;
mod inquiries;
mod layout;
mod lists;
mod operator_accounts;
mod profile_form;
mod registration_review;
mod requests;
mod review;
mod session;
mod sign_in;
mod views;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

use crate::service::App;

pub use error::ConsoleError;

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    let secure_cookie = app.urls.base().starts_with("https://");
    let pages = Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/static/console.css", get(static_css))
        .route("/console/static/console.js", get(static_js))
        .route(
            "/console/static/field-rules.json",
            get(profile_form::rules_json),
        )
        .merge(account::routes())
        .merge(lists::routes())
        .merge(bundle::routes())
        .merge(profile_form::routes())
        .merge(review::routes())
        .merge(operator_accounts::routes())
        .merge(requests::routes())
        .merge(inquiries::routes())
        .route("/console/{*rest}", get(not_found).post(not_found))
        .layer(from_fn(security_headers))
        .layer(from_fn(csrf_not_in_query));
    // Outermost: every layer and handler above sees the request's session.
    pages.layer(session::layer(app, secure_cookie))
}

/// A CSRF token belongs in the form body only: one in the URL can leak through logs,
/// history and `Referer`, so a POST whose query names `csrf` is refused.
async fn csrf_not_in_query(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let in_query = req.method() == axum::http::Method::POST
        && url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .any(|(k, _)| k == "csrf");
    if in_query {
        return ConsoleError::Csrf.into_response();
    }
    next.run(req).await
}

async fn home(s: session::MaybeSession) -> Response {
    match s.0.map(|s| s.who) {
        Some(session::Who::Customer { account_sid, .. }) => Redirect::to(&format!(
            "/console/accounts/{account_sid}/customer-profiles"
        ))
        .into_response(),
        Some(session::Who::Operator) => Redirect::to("/console/reviews").into_response(),
        _ => Redirect::to("/console/sign-in").into_response(),
    }
}

/// Unknown console paths: sign in first (so nothing is learnt without a session), then 404.
async fn not_found(s: session::MaybeSession) -> ConsoleError {
    match s.0.map(|s| s.who) {
        Some(session::Who::Customer { .. } | session::Who::Operator) => ConsoleError::NotFound,
        _ => ConsoleError::SignIn,
    }
}

const CSS: &str = include_str!("static/console.css");
const JS: &str = include_str!("static/console.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn static_css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn static_js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

/// No inline script or style anywhere, so the policy can forbid both.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages show account data: keep them out of shared and back-button caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
