//! Console writes go to the audit trail like API writes: every POST by a signed-in
//! customer, operator or inquiry holder, with its path and outcome (sign-in itself is
//! not a write).

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

use super::session::{current, Who};
use crate::service::App;

pub async fn record(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let who = match req.extensions().get::<tower_sessions::Session>() {
        Some(handle) => current(&app, handle).await.ok().flatten().map(|s| s.who),
        None => None,
    };
    let resp = next.run(req).await;
    let (kind, actor, account) = match who {
        Some(Who::Customer {
            account_sid,
            key_sid: Some(key),
        }) => ("api_key", Some(key), Some(account_sid)),
        Some(Who::Customer { account_sid, .. }) => {
            ("account", Some(account_sid.clone()), Some(account_sid))
        }
        Some(Who::Operator) => (
            "operator",
            None,
            crate::http::sandbox::account_in_path(&path),
        ),
        Some(Who::Inquiry {
            inquiry_id,
            account_sid,
            ..
        }) => ("inquiry", Some(inquiry_id), Some(account_sid)),
        Some(Who::Anonymous) | None => return resp,
    };
    let status = resp.status().as_u16();
    crate::http::sandbox::audit(&app, kind, actor, account, "POST", &path, status).await;
    resp
}
