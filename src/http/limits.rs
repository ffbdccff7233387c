//! Protective limits on the wire: URL and header sizes, per-account rate limiting, and
//! shedding load beyond the concurrency limit. (Body size and body/header read timeouts
//! are set where the body is read and where connections are served.)

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

use crate::error::Error;

pub const MAX_URI: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 32 * 1024;

/// Refuses requests whose URL or headers are larger than any client of this API sends.
pub async fn guard(req: Request, next: Next) -> Response {
    let uri_len = req.uri().to_string().len();
    if uri_len > MAX_URI {
        return limit(
            StatusCode::URI_TOO_LONG,
            20414,
            format!("The URL is {uri_len} bytes long; the limit is {MAX_URI}"),
        );
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADERS {
        return limit(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            20431,
            format!("The request headers are {header_bytes} bytes; the limit is {MAX_HEADERS}"),
        );
    }
    next.run(req).await
}

fn limit(status: StatusCode, code: u32, message: String) -> Response {
    Error::Limit {
        status,
        code,
        message,
        retry_after: None,
    }
    .into_response()
}

/// Requests per second per account, with a burst allowance.
pub struct AccountRate {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl AccountRate {
    pub fn new(per_second: u32, burst: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_second)?;
        let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
        Some(AccountRate {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
        })
    }

    /// Twilio's 429 (code 20429) with `Retry-After` when the account is over its rate.
    pub fn check(&self, account_sid: &str) -> Result<(), Error> {
        match self.limiter.check_key(&account_sid.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(Error::Limit {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    code: 20429,
                    message: "Too Many Requests: this account is over its request rate".into(),
                    retry_after: Some(wait.as_secs().max(1)),
                })
            }
        }
    }
}

/// The answer when more requests are in flight than `--max-concurrency` allows.
pub fn overloaded_error() -> Error {
    Error::Limit {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: 20503,
        message: "The server is at its concurrency limit; retry shortly".into(),
        retry_after: Some(1),
    }
}
