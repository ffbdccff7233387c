//! Who gets a request slot, and for how long a body may take.
//!
//! Three budgets, so that work nobody has vouched for cannot take the slots authenticated
//! callers need: authenticated API and operator requests share `--max-concurrency`
//! (taken only once credentials check out); the credential check itself has a small pool
//! of its own ([`checking`]); everything served without credentials (console pages,
//! unknown paths) has another ([`PUBLIC_SHARE`] of the limit). `/healthz` takes none.
//! Over a budget: 503 with Twilio's 20503 body.
//!
//! A request body has one total deadline from the moment the request arrived
//! (`--body-timeout`), which a client cannot extend by trickling bytes: then 408 (20408).

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Error;

/// The unauthenticated budget as a fraction of `--max-concurrency` (at least 8).
pub const PUBLIC_SHARE: usize = 4;
/// Credential checks in flight at once (each is at most a store lookup).
pub const CHECKING: usize = 64;

pub struct Admission {
    authenticated: Arc<Semaphore>,
    checking: Arc<Semaphore>,
    public: Arc<Semaphore>,
    body_timeout: Duration,
    /// Failed authentication, per source and per credential.
    pub failures: Failures,
}

impl Admission {
    pub fn new(max_concurrency: usize, body_timeout: Duration) -> Arc<Self> {
        Arc::new(Admission {
            authenticated: Arc::new(Semaphore::new(max_concurrency)),
            checking: Arc::new(Semaphore::new(CHECKING)),
            public: Arc::new(Semaphore::new((max_concurrency / PUBLIC_SHARE).max(8))),
            body_timeout,
            failures: Failures::default(),
        })
    }
}

fn take(pool: &Arc<Semaphore>) -> Result<OwnedSemaphorePermit, Error> {
    pool.clone()
        .try_acquire_owned()
        .map_err(|_| crate::http::limits::overloaded_error())
}

/// A slot for checking credentials; drop it once they are checked.
pub fn checking(req: &Request) -> Result<Option<OwnedSemaphorePermit>, Error> {
    match req.extensions().get::<Arc<Admission>>() {
        Some(a) => take(&a.checking).map(Some),
        None => Ok(None),
    }
}

/// A slot among authenticated requests, held until the answer is ready.
pub fn authenticated(req: &Request) -> Result<Option<OwnedSemaphorePermit>, Error> {
    match req.extensions().get::<Arc<Admission>>() {
        Some(a) => take(&a.authenticated).map(Some),
        None => Ok(None),
    }
}

/// Paths whose handlers authenticate the caller themselves (and then take a slot).
fn authenticates(path: &str) -> bool {
    path.starts_with("/v1/") || path.starts_with("/2010-04-01/") || path.starts_with("/admin/")
}

/// The outermost layer: the body deadline for every request, and the public budget for
/// requests that will not be authenticated.
pub async fn admit(
    State(admission): State<Arc<Admission>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let _public = if path == "/healthz" || authenticates(path) {
        None
    } else {
        match take(&admission.public) {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        }
    };
    let deadline = tokio::time::Instant::now() + admission.body_timeout;
    req.extensions_mut().insert(admission);
    let unread = req.version() <= axum::http::Version::HTTP_11 && !req.body().is_end_stream();
    let finished = Arc::new(AtomicBool::new(false));
    let seen = finished.clone();
    let req = req.map(|body| Body::new(DeadlineBody::new(body, deadline, seen)));
    let mut resp = next.run(req).await;
    // Answered without reading the body (refused before authentication, say): the rest of
    // it is still on the wire, so this HTTP/1 connection cannot carry another request.
    if unread && !finished.load(Ordering::Relaxed) {
        resp.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    resp
}

/// A body that fails once its total deadline passes, however it trickles in.
struct DeadlineBody {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
    /// Set once the body has been read to its end.
    finished: Arc<AtomicBool>,
}

impl DeadlineBody {
    fn new(inner: Body, deadline: tokio::time::Instant, finished: Arc<AtomicBool>) -> Self {
        DeadlineBody {
            inner,
            sleep: Box::pin(tokio::time::sleep_until(deadline)),
            finished,
        }
    }
}

/// The error a late body ends with; [`crate::http::form::body_error`] answers it with 408.
#[derive(Debug)]
pub struct BodyDeadline;

impl std::fmt::Display for BodyDeadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body was not received before its deadline")
    }
}

impl std::error::Error for BodyDeadline {}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.inner.is_end_stream() {
            self.finished.store(true, Ordering::Relaxed);
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(BodyDeadline))));
        }
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.finished.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Failed authentication attempts allowed per source address, and per credential (an
/// Account or API key SID, or the operator token), before attempts are refused.
pub const FAILURE_BURST: f64 = 30.0;
/// Failed attempts regained per second.
pub const FAILURE_REFILL: f64 = 1.0;
/// Sources and credentials tracked at once (the fullest buckets are forgotten first).
const FAILURE_KEYS: usize = 10_000;

/// Throttles failed authentication: each source address and each credential has a
/// bucket of [`FAILURE_BURST`] failures that refills at [`FAILURE_REFILL`] per second.
/// An empty bucket refuses attempts (429, 20429, `Retry-After`) before any check, so
/// guessing is slowed whether it comes from one address or aims at one credential.
#[derive(Default)]
pub struct Failures {
    buckets: std::sync::Mutex<std::collections::HashMap<String, (f64, std::time::Instant)>>,
}

impl Failures {
    fn level(entry: &(f64, std::time::Instant), now: std::time::Instant) -> f64 {
        (entry.0 + now.duration_since(entry.1).as_secs_f64() * FAILURE_REFILL).min(FAILURE_BURST)
    }

    /// Refuses when any of `keys` has no failures left.
    pub fn check(&self, keys: &[String]) -> Result<(), Error> {
        let now = std::time::Instant::now();
        let m = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            if let Some(e) = m.get(k) {
                let level = Self::level(e, now);
                if level < 1.0 {
                    let wait = ((1.0 - level) / FAILURE_REFILL).ceil().max(1.0) as u64;
                    return Err(Error::Limit {
                        status: axum::http::StatusCode::TOO_MANY_REQUESTS,
                        code: 20429,
                        message: "Too many failed authentication attempts; retry later".into(),
                        retry_after: Some(wait),
                    });
                }
            }
        }
        Ok(())
    }

    /// Counts one failure against each of `keys`.
    pub fn failed(&self, keys: &[String]) {
        let now = std::time::Instant::now();
        let mut m = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() + keys.len() > FAILURE_KEYS {
            m.retain(|_, e| Self::level(e, now) < FAILURE_BURST);
        }
        for k in keys {
            if m.len() >= FAILURE_KEYS && !m.contains_key(k) {
                continue;
            }
            let e = m.entry(k.clone()).or_insert((FAILURE_BURST, now));
            *e = (Self::level(e, now) - 1.0, now);
        }
    }
}

/// The throttling keys of a request: its source address, and the credential it names.
pub fn failure_keys(req: &Request, credential: &str) -> Vec<String> {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    keys_for(peer, credential)
}

pub fn keys_for(peer: Option<std::net::SocketAddr>, credential: &str) -> Vec<String> {
    let mut keys = vec![format!("cred:{credential}")];
    if let Some(addr) = peer {
        keys.push(format!("ip:{}", addr.ip()));
    }
    keys
}

/// The failure throttle, when the request came through [`admit`].
pub fn failures(req: &Request) -> Option<Arc<Admission>> {
    req.extensions().get::<Arc<Admission>>().cloned()
}
