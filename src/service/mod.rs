//! Every write and rule-bound read, shared by the API, the operator API, the console and the
//! sandbox: each loads what it needs, applies the rules in `domain/`, and writes through the store.

pub mod accounts;
pub mod addresses;
pub mod assignments;
pub mod audit;
pub mod brands;
pub mod bundles;
pub mod campaigns;
pub mod entities;
pub mod evaluations;
pub mod inquiries;
pub mod lifecycle;
pub mod messaging;
pub mod numbers;
pub mod profiles;
pub mod registrations;
pub mod review;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::domain::policy::Catalog;
use crate::error::Error;
use crate::format::Urls;
use crate::store::{Store, StoreError, Unique};

/// Everything a request needs: the store, the catalog, URL building and the clock.
pub struct App {
    pub store: Box<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub urls: Urls,
    pub clock: Clock,
    pub settings: Settings,
    /// Wakes the background jobs when new work was committed.
    pub jobs_wake: tokio::sync::Notify,
    /// Sandbox: injected faults and the last requests of each account.
    pub faults: crate::sandbox::Faults,
    pub requests: crate::sandbox::RequestLog,
    /// Recently authenticated accounts.
    pub accounts: accounts::AccountCache,
    /// Per-account request rate (`--rate-limit`), when set.
    pub rate: Option<crate::http::limits::AccountRate>,
    /// The HMAC-SHA256 key of the console sign-in form's CSRF tokens (32 bytes, the
    /// store's `sign_in_form_key` secret, so every server sharing the store accepts a form
    /// another served; `http/console/sign_in.rs`).
    pub sign_in_key: [u8; 32],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewMode {
    /// Submitted bundles wait for an operator's decision.
    Manual,
    /// Submitted bundles are decided by the sandbox rules after the review delay.
    Auto,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub review: ReviewMode,
    /// Seconds between in-review and the automatic decision.
    pub review_delay: i64,
    /// Delivery attempts per status callback, in all.
    pub callback_attempts: i64,
    /// Seconds before the first retry; each later retry waits twice as long.
    pub callback_retry_delay: i64,
    pub callback_timeout: Duration,
    /// Seconds a claimed job is leased (real time).
    pub job_lease: i64,
    /// SHA-256 of the operator token: the token itself is not kept in memory.
    pub admin_token_hash: String,
    /// The bootstrap account's credentials, re-created by a reset that wipes accounts.
    pub bootstrap: Option<(String, String)>,
    /// Refuse callbacks to private, loopback and unique-local addresses too.
    pub callback_refuse_private: bool,
    /// Requests served at once; more are refused (503).
    pub max_concurrency: usize,
    /// Time a client has to send a request body.
    pub body_timeout: Duration,
    /// Seconds a console sign-in lasts (real time).
    pub console_session_ttl: i64,
}

impl Settings {
    /// Constant-time check of a presented operator token.
    pub fn is_admin_token(&self, candidate: &str) -> bool {
        use subtle::ConstantTimeEq;
        !self.admin_token_hash.is_empty()
            && bool::from(
                self.admin_token_hash
                    .as_bytes()
                    .ct_eq(accounts::hash_secret(candidate).as_bytes()),
            )
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review: ReviewMode::Manual,
            review_delay: 2,
            callback_attempts: 8,
            callback_retry_delay: 1,
            callback_timeout: Duration::from_secs(10),
            job_lease: 60,
            admin_token_hash: String::new(),
            bootstrap: None,
            callback_refuse_private: false,
            max_concurrency: 1024,
            body_timeout: Duration::from_secs(30),
            console_session_ttl: 8 * 3600,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            // A constraint a service did not expect to meet: say which, as a conflict.
            StoreError::Duplicate(Unique::Identity { table }) => Error::conflict(
                20409,
                format!(
                    "A {table} row with this SID already exists (a server started with --seed \
                     repeats its SIDs on a store it wrote before: use another seed)"
                ),
            ),
            StoreError::Duplicate(u) => {
                Error::conflict(20409, format!("The resource already exists ({u:?})"))
            }
            StoreError::Stale => Error::conflict(
                20409,
                "The resource changed while this request was processed; fetch it and try again",
            ),
            StoreError::Other(e) => Error::Internal(e),
        }
    }
}

/// The bundle statuses for which `rule` holds: what a store's conditional write checks
/// under lock (the rule itself stays in `domain`).
pub fn statuses_where(
    rule: impl Fn(crate::domain::bundle::Status) -> bool,
) -> Vec<crate::domain::bundle::Status> {
    crate::domain::bundle::ALL_STATUSES
        .into_iter()
        .filter(|s| rule(*s))
        .collect()
}

/// 256 bits from the OS, hex: session ids, CSRF and inquiry tokens. Never the seeded
/// generator, which makes SIDs predictable.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Bundles, end users and documents share Twilio's FriendlyName rule.
pub fn check_friendly_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() || name.chars().count() > 255 {
        return Err(Error::invalid(
            20002,
            "FriendlyName must be between 1 and 255 characters",
        ));
    }
    Ok(())
}

/// Twilio's boolean parameter: `true`/`false` (or `True`/`False`); absent or empty is
/// `None`; anything else is 400 / 20001 naming the parameter.
pub fn parse_bool(v: Option<&str>, name: &str) -> Result<Option<bool>, Error> {
    match v {
        None | Some("") => Ok(None),
        Some("true") | Some("True") => Ok(Some(true)),
        Some("false") | Some("False") => Ok(Some(false)),
        Some(other) => Err(Error::invalid(
            20001,
            format!("{name} must be true or false; got \"{other}\""),
        )),
    }
}

/// Checks that `url` is an absolute http(s) URL with a host; the message names the parameter.
pub fn check_http_url(param: &str, url: &str, code: u32) -> Result<(), Error> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(Error::invalid(
            code,
            format!("{param} \"{url}\" is not a valid http or https URL"),
        )),
    }
}

/// Checks that `sid` is `prefix` + 32 hex digits; the message names the parameter.
pub fn check_sid(param: &str, sid: &str, prefix: &str, code: u32) -> Result<(), Error> {
    if crate::sid::is_valid(sid, prefix) {
        Ok(())
    } else {
        Err(Error::invalid(
            code,
            format!("{param} must be a SID starting with {prefix} followed by 32 hexadecimal digits; got \"{sid}\""),
        ))
    }
}
