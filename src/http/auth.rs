//! HTTP Basic `AccountSid:AuthToken` on every API request; the account is resolved from
//! the credential alone (v1 URLs carry no account).

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::sync::Arc;

use crate::error::Error;
use crate::service::audit::Actor;
use crate::service::{accounts, App};
use crate::store::Account;

/// The authenticated account, put into request extensions by [`require_account`].
#[derive(Clone, Debug)]
pub struct Caller {
    pub account_sid: String,
    pub account: Account,
    /// The API key used, when not the auth token.
    pub key_sid: Option<String>,
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

/// `/2010-04-01/Accounts[.json]`, `/Accounts/{Sid}[.json]` and `/Accounts/{Sid}/Keys…`.
fn key_may_not_use(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/2010-04-01/Accounts") else {
        return false;
    };
    let rest = rest.trim_start_matches('/');
    match rest.split_once('/') {
        None => true,
        Some((_, sub)) => sub.starts_with("Keys"),
    }
}

/// HTTP Basic with `AC…:auth token` or `SK…:key secret`.
pub async fn require_account(
    State(app): State<Arc<App>>,
    mut req: Request,
    next: Next,
) -> Result<Response, Error> {
    let (user, pass) = credentials(&req).ok_or(Error::Unauthorized)?;
    let throttle = super::admission::failures(&req);
    let keys = super::admission::failure_keys(&req, &user);
    if let Some(t) = &throttle {
        t.failures.check(&keys)?;
    }
    let checking = super::admission::checking(&req)?;
    let account = match accounts::authenticate(&app, &user, &pass).await {
        Ok(a) => a,
        Err(e) => {
            if let (Some(t), Error::Unauthorized) = (&throttle, &e) {
                t.failures.failed(&keys);
            }
            return Err(e);
        }
    };
    drop(checking);
    // Twilio's standard API keys cannot use the Accounts and Keys resources (only a Main
    // key, which this server does not issue, can): https://www.twilio.com/docs/iam/api-keys
    if user.starts_with(crate::sid::API_KEY) && key_may_not_use(req.uri().path()) {
        return Err(Error::Unauthorized);
    }
    if let Some(rate) = &app.rate {
        rate.check(&account.sid)?;
    }
    // The body is read only from here on, by the handler: after authentication.
    let _slot = super::admission::authenticated(&req)?;
    let caller = Caller {
        account_sid: account.sid.clone(),
        account,
        key_sid: user.starts_with(crate::sid::API_KEY).then(|| user.clone()),
    };
    let actor = match &caller.key_sid {
        Some(key_sid) => Actor::ApiKey {
            account_sid: caller.account_sid.clone(),
            key_sid: key_sid.clone(),
        },
        None => Actor::Account {
            account_sid: caller.account_sid.clone(),
        },
    };
    super::audit::identify(req.extensions(), actor);
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}
