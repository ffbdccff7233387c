//! Console sessions. Kept in memory: a restart signs everyone out, and one server process
//! is assumed (a load-balanced deployment would need them in the store). The cookie holds
//! only a random id; the session says who it is and carries the CSRF token.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::Response;
use rand::rngs::OsRng;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

use super::error::{ConsoleError, ConsoleResult};
use crate::http::form::Params;
use crate::service::App;
use crate::store::Account;

pub const COOKIE_NAME: &str = "trusthub_console";
/// Real time, not the sandbox clock: advancing the server clock must not sign people out.
const SIGNED_IN_TTL: Duration = Duration::from_secs(8 * 3600);
const ANONYMOUS_TTL: Duration = Duration::from_secs(3600);
/// Bounds memory if someone requests the sign-in page in a loop.
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone, Debug)]
pub enum Who {
    /// Visited the sign-in page: holds only a CSRF token for the sign-in form.
    Anonymous,
    /// `key_sid` when signed in with an API key, re-checked on every request.
    Customer {
        account_sid: String,
        key_sid: Option<String>,
    },
    Operator,
    /// An end customer holding a compliance inquiry's session token.
    Inquiry {
        inquiry_id: String,
    },
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub csrf: String,
    pub who: Who,
    expires: Instant,
}

pub struct Console {
    sessions: Mutex<HashMap<String, Session>>,
    secure_cookie: bool,
    pub inquiries: super::inquiries::Inquiries,
}

/// 256 bits from the OS: never the seeded generator, which makes SIDs predictable.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl Console {
    pub fn new(secure_cookie: bool) -> Self {
        Console {
            sessions: Mutex::new(HashMap::new()),
            secure_cookie,
            inquiries: Default::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session (a new id every time someone signs in: no fixation).
    pub fn start(&self, who: Who) -> Session {
        let ttl = match who {
            Who::Anonymous => ANONYMOUS_TTL,
            _ => SIGNED_IN_TTL,
        };
        let s = Session {
            id: random_token(),
            csrf: random_token(),
            who,
            expires: Instant::now() + ttl,
        };
        let mut map = self.lock();
        let now = Instant::now();
        map.retain(|_, v| v.expires > now);
        if map.len() >= MAX_SESSIONS {
            // Drop anonymous sessions first; signed-in people keep theirs.
            map.retain(|_, v| !matches!(v.who, Who::Anonymous));
        }
        map.insert(s.id.clone(), s.clone());
        s
    }

    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.lock();
        match map.get(id) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Sets the cookie for `s` on a response.
    pub fn set_cookie(&self, resp: &mut Response, s: &Session) {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        let v = format!(
            "{COOKIE_NAME}={}; Path=/console; HttpOnly; SameSite=Strict{secure}",
            s.id
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }

    pub fn clear_cookie(&self, resp: &mut Response) {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        let v =
            format!("{COOKIE_NAME}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
}

fn console_of(parts: &Parts) -> ConsoleResult<Arc<Console>> {
    parts
        .extensions
        .get::<Arc<Console>>()
        .cloned()
        .ok_or_else(|| ConsoleError::Internal(anyhow::anyhow!("console state missing")))
}

fn cookie_id(parts: &Parts) -> Option<String> {
    session_cookie(&parts.headers)
}

/// The session id in a request's cookies.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_string())
}

/// The session of the request, if any.
pub struct MaybeSession(pub Option<Session>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSession {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let console = console_of(parts)?;
        Ok(MaybeSession(
            cookie_id(parts).and_then(|id| console.get(&id)),
        ))
    }
}

/// Checks the hidden `csrf` field of a POST against the session's token.
pub fn check_csrf(s: &Session, params: &Params) -> ConsoleResult<()> {
    match params.get("csrf") {
        Some(t) if equal(t, &s.csrf) => Ok(()),
        _ => Err(ConsoleError::Csrf),
    }
}

/// A signed-in customer. The account is re-read on every request, so a suspended account
/// or a deleted API key loses access at once.
pub struct Customer {
    pub session: Session,
    pub account: Account,
}

impl FromRequestParts<Arc<App>> for Customer {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> ConsoleResult<Self> {
        let MaybeSession(s) = MaybeSession::from_request_parts(parts, app).await?;
        let s = s.ok_or(ConsoleError::SignIn)?;
        let Who::Customer {
            account_sid,
            key_sid,
        } = &s.who
        else {
            return Err(ConsoleError::SignIn);
        };
        if let Some(k) = key_sid {
            let key = app.store.key(k).await?;
            if key.is_none_or(|k| &k.account_sid != account_sid) {
                return Err(ConsoleError::SignIn);
            }
        }
        let account = app
            .store
            .account(account_sid)
            .await?
            .ok_or(ConsoleError::SignIn)?;
        crate::service::accounts::ensure_active(app, &account)
            .await
            .map_err(|_| ConsoleError::SignIn)?;
        Ok(Customer {
            session: s,
            account,
        })
    }
}

impl Customer {
    /// The account a URL names, if this customer may see it: its own, or (for a parent)
    /// a subaccount's. Anything else is a 404, like another account's bundle on the API.
    pub async fn scope(&self, app: &App, account_sid: &str) -> ConsoleResult<Account> {
        crate::service::accounts::reach(app, &self.account, account_sid, false)
            .await
            .map_err(|_| ConsoleError::NotFound)
    }
}

pub struct Operator {
    pub session: Session,
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ConsoleResult<Self> {
        let MaybeSession(s) = MaybeSession::from_request_parts(parts, state).await?;
        match s {
            Some(s) if matches!(s.who, Who::Operator) => Ok(Operator { session: s }),
            _ => Err(ConsoleError::SignIn),
        }
    }
}
