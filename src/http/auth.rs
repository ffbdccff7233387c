//! HTTP Basic `AccountSid:AuthToken` on every API request; the account is resolved from
//! the credential alone (v1 URLs carry no account).

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::sync::Arc;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::service::App;

/// The authenticated account, put into request extensions by [`require_account`].
#[derive(Clone, Debug)]
pub struct Caller {
    pub account_sid: String,
}

fn credentials(req: &Request) -> Option<(String, String)> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

pub async fn require_account(
    State(app): State<Arc<App>>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (user, pass) = credentials(&req).ok_or(ApiError::Unauthorized)?;
    let account = app
        .store
        .account(&user)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    // Constant-time so response timing says nothing about how much of a token matched.
    let ok: bool = account.auth_token.as_bytes().ct_eq(pass.as_bytes()).into();
    if !ok || account.status != "active" {
        return Err(ApiError::Unauthorized);
    }
    req.extensions_mut().insert(Caller {
        account_sid: account.sid,
    });
    Ok(next.run(req).await)
}
