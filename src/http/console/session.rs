//! Console sessions: tower-sessions manages the cookie and the session's life; its records
//! live in the store (`StoredSessions`), so any server sharing the store serves a sign-in
//! made on another, and a restart signs no one out. The cookie holds only a random id (the
//! store keeps its SHA-256); the session says who it is and carries the CSRF token.
//!
//! Expiry is real time, not the sandbox clock (advancing the server clock must not sign
//! people out), and is written into the session itself, so no save can extend it. It is
//! judged again at every read against the TTL in force: a session ends at the earlier of
//! its stored expiry and its start plus the current `--console-session-ttl`, so restarting
//! with a lower TTL shortens sessions already open. Expired rows are never read and are
//! deleted whenever a new session is stored.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

use super::error::{ConsoleError, ConsoleResult};
use super::layout::Nav;
use crate::http::form::Params;
use crate::service::audit::Actor;
use crate::service::App;
use crate::store::{Account, SessionClass, SessionRow};

pub const COOKIE_NAME: &str = "trusthub_console";
/// Seconds a sign-in-page session lasts (it only carries the sign-in form's CSRF token).
const ANONYMOUS_TTL: i64 = 3600;
/// Sessions stored per class (sign-in page, signed in, inquiry holder): when a class is
/// full, a new session of it evicts that class's oldest, never another class's (someone
/// requesting the sign-in page, or opening an inquiry link, in a loop). A debug build takes
/// `TRUSTHUB_TEST_SESSION_CAP` instead, so tests can fill a class quickly.
pub const SESSIONS_PER_CLASS: i64 = 10_000;

fn session_cap() -> i64 {
    if cfg!(debug_assertions) {
        if let Some(cap) = std::env::var("TRUSTHUB_TEST_SESSION_CAP")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            return cap;
        }
    }
    SESSIONS_PER_CLASS
}
/// The key of the console's data in a tower-sessions record.
const KEY: &str = "console";

#[derive(Clone, Debug, Serialize, Deserialize)]
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
        /// The ISV's account the inquiry belongs to (for the audit trail).
        account_sid: String,
        /// The SHA-256 of the token the page was opened with (the inquiry's `token_hash`
        /// then): once the inquiry is resumed, the token changes and the session ends.
        /// Empty in sessions of earlier releases, which therefore end.
        #[serde(default)]
        token_hash: String,
    },
}

impl Who {
    /// The actor the audit trail records for this session's writes (`http/audit.rs`); the
    /// sign-in page's session is nobody yet.
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Who::Anonymous => None,
            Who::Customer {
                account_sid,
                key_sid: Some(key_sid),
            } => Some(Actor::ApiKey {
                account_sid: account_sid.clone(),
                key_sid: key_sid.clone(),
            }),
            Who::Customer { account_sid, .. } => Some(Actor::Account {
                account_sid: account_sid.clone(),
            }),
            Who::Operator => Some(Actor::Operator),
            Who::Inquiry {
                inquiry_id,
                account_sid,
                ..
            } => Some(Actor::Inquiry {
                inquiry_id: inquiry_id.clone(),
                account_sid: account_sid.clone(),
            }),
        }
    }
}

/// What the console keeps in a session.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Data {
    csrf: String,
    who: Who,
    /// Unix seconds (real time).
    expires: i64,
    /// When the session started, unix seconds (real time); `None` in sessions of earlier
    /// releases, which keep their stored expiry.
    #[serde(default)]
    started: Option<i64>,
}

/// How long a session of `who` lasts under the current settings, in seconds.
fn ttl(app: &App, who: &Who) -> i64 {
    match who {
        Who::Anonymous => ANONYMOUS_TTL.min(app.settings.console_session_ttl),
        _ => app.settings.console_session_ttl,
    }
}

impl Data {
    /// The stored expiry, or the start plus the TTL in force now if that is earlier.
    fn expires(&self, app: &App) -> i64 {
        match self.started {
            Some(started) => self.expires.min(started + ttl(app, &self.who)),
            None => self.expires,
        }
    }
}

/// A request's console session.
#[derive(Clone, Debug)]
pub struct Session {
    pub csrf: String,
    pub who: Who,
    handle: tower_sessions::Session,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn internal(e: tower_sessions::session::Error) -> ConsoleError {
    ConsoleError::Internal(anyhow::anyhow!("console session: {e}"))
}

/// The session layer for the console's pages: cookie `trusthub_console` on `/console`,
/// HttpOnly, SameSite=Strict, Secure when `secure`, ending with the browser session (the
/// store ends it sooner).
pub fn layer(app: Arc<App>, secure: bool) -> SessionManagerLayer<StoredSessions> {
    SessionManagerLayer::new(StoredSessions(app))
        .with_name(COOKIE_NAME)
        .with_path("/console")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(secure)
        .with_expiry(Expiry::OnSessionEnd)
}

/// Starts a session for `who` on this request, under a new id every time (no fixation):
/// the request's old session, if any, is deleted. Its cookie is set on the response.
pub async fn start(
    app: &App,
    handle: &tower_sessions::Session,
    who: Who,
) -> ConsoleResult<Session> {
    let ttl = ttl(app, &who);
    handle.cycle_id().await.map_err(internal)?;
    handle.clear().await;
    let started = now();
    let data = Data {
        csrf: crate::service::random_token(),
        who,
        expires: started + ttl,
        started: Some(started),
    };
    handle.insert(KEY, &data).await.map_err(internal)?;
    Ok(Session {
        csrf: data.csrf,
        who: data.who,
        handle: handle.clone(),
    })
}

/// Ends the session: deleted from the store, its cookie removed.
pub async fn end(s: &Session) -> ConsoleResult<()> {
    s.handle.flush().await.map_err(internal)
}

/// The request's tower-sessions handle (the layer puts it in every console request).
pub fn handle_of(parts: &Parts) -> ConsoleResult<tower_sessions::Session> {
    parts
        .extensions
        .get::<tower_sessions::Session>()
        .cloned()
        .ok_or_else(|| ConsoleError::Internal(anyhow::anyhow!("session layer missing")))
}

/// The console session `handle` holds, if any and unexpired under the TTL in force.
pub async fn current(
    app: &App,
    handle: &tower_sessions::Session,
) -> ConsoleResult<Option<Session>> {
    // A record this code cannot read (written by another version) is no session.
    let value = handle.get_value(KEY).await.map_err(internal)?;
    let data = value.and_then(|v| serde_json::from_value::<Data>(v).ok());
    Ok(data.filter(|d| d.expires(app) > now()).map(|d| Session {
        csrf: d.csrf,
        who: d.who,
        handle: handle.clone(),
    }))
}

/// The session of the request, if any, and its handle (to start one). Every console
/// extractor resolves the session through this one, which names the session's actor for
/// the audit trail (`http/audit.rs`): the console's authentication.
pub struct MaybeSession(pub Option<Session>, pub tower_sessions::Session);

impl FromRequestParts<Arc<App>> for MaybeSession {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> ConsoleResult<Self> {
        let handle = handle_of(parts)?;
        let session = current(app, &handle).await?;
        if let Some(actor) = session.as_ref().and_then(|s| s.who.actor()) {
            crate::http::audit::identify(&parts.extensions, actor);
        }
        Ok(MaybeSession(session, handle))
    }
}

/// Checks the hidden `csrf` field of a POST against the session's token (the form body
/// only: one in the URL is refused before this, see `csrf_not_in_query`).
pub fn check_csrf(s: &Session, params: &Params) -> ConsoleResult<()> {
    match params.get("csrf") {
        Some(t) if equal(t, &s.csrf) => Ok(()),
        _ => Err(ConsoleError::Csrf),
    }
}

/// A signed-in session kind that may post console forms.
pub trait SignedIn: FromRequestParts<Arc<App>, Rejection = ConsoleError> + Send {
    fn session(&self) -> &Session;
}

/// A console form posted by a signed-in `W` (a [`Customer`] or the [`Operator`]), its CSRF
/// token checked: how every signed-in console write receives its form, so none can forget
/// the check.
pub struct Form<W> {
    pub who: W,
    pub params: Params,
}

impl<W: SignedIn> FromRequest<Arc<App>> for Form<W> {
    type Rejection = ConsoleError;

    async fn from_request(req: Request, app: &Arc<App>) -> ConsoleResult<Self> {
        let (mut parts, body) = req.into_parts();
        let who = W::from_request_parts(&mut parts, app).await?;
        let params = Params::from_request(Request::from_parts(parts, body), app).await?;
        check_csrf(who.session(), &params)?;
        Ok(Form { who, params })
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
        let MaybeSession(s, _) = MaybeSession::from_request_parts(parts, app).await?;
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

impl SignedIn for Customer {
    fn session(&self) -> &Session {
        &self.session
    }
}

impl Customer {
    /// The pages' navigation for this customer, viewing `viewing` (its own account or one
    /// of its subaccounts).
    pub fn nav<'a>(&'a self, viewing: &'a Account) -> Nav<'a> {
        Nav::Customer {
            me: &self.account,
            viewing,
            csrf: &self.session.csrf,
        }
    }

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

impl SignedIn for Operator {
    fn session(&self) -> &Session {
        &self.session
    }
}

impl Operator {
    /// The pages' navigation for the operator.
    pub fn nav(&self) -> Nav<'_> {
        Nav::Operator {
            csrf: &self.session.csrf,
        }
    }
}

impl FromRequestParts<Arc<App>> for Operator {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<App>) -> ConsoleResult<Self> {
        let MaybeSession(s, _) = MaybeSession::from_request_parts(parts, state).await?;
        match s {
            Some(s) if matches!(s.who, Who::Operator) => Ok(Operator { session: s }),
            _ => Err(ConsoleError::SignIn),
        }
    }
}

/// tower-sessions' `SessionStore` over our store: the one place session records are
/// written, for SQLite and PostgreSQL alike.
#[derive(Clone)]
pub struct StoredSessions(Arc<App>);

impl std::fmt::Debug for StoredSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredSessions")
    }
}

fn id_hash(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// The row for a record: its expiry is the console's own (`Data::expires`), never later
/// than the record's.
fn row_of(r: &Record) -> session_store::Result<SessionRow> {
    let data = r.data.get(KEY).cloned();
    let console: Option<Data> = data.and_then(|d| serde_json::from_value(d).ok());
    let record_expiry = r.expiry_date.unix_timestamp();
    let (class, expires_at) = match &console {
        Some(d) => (
            match d.who {
                Who::Anonymous => SessionClass::Anonymous,
                Who::Inquiry { .. } => SessionClass::Inquiry,
                _ => SessionClass::SignedIn,
            },
            d.expires.min(record_expiry),
        ),
        None => (
            SessionClass::Anonymous,
            (now() + ANONYMOUS_TTL).min(record_expiry),
        ),
    };
    Ok(SessionRow {
        id_hash: id_hash(&r.id),
        data: serde_json::to_string(&r.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?,
        class,
        expires_at,
    })
}

#[async_trait::async_trait]
impl SessionStore for StoredSessions {
    async fn create(&self, r: &mut Record) -> session_store::Result<()> {
        // A taken id (128 random bits: practically never) gets a new one.
        loop {
            let row = row_of(r)?;
            let stored = self.0.store.insert_session(&row, now(), session_cap());
            if stored.await.map_err(backend)? {
                return Ok(());
            }
            r.id = Id::default();
        }
    }

    async fn save(&self, r: &Record) -> session_store::Result<()> {
        self.0
            .store
            .save_session(&row_of(r)?)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self
            .0
            .store
            .session(&id_hash(id), now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0
            .store
            .delete_session(&id_hash(id))
            .await
            .map_err(backend)
    }
}
