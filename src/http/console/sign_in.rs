//! Signing in (customers with Account SID + auth token or API key + secret; operators with
//! the admin token) and out.
//!
//! The sign-in page stores nothing (anyone may request it, in a loop): its forms carry a
//! stateless, signed double-submit CSRF token. The page sets the cookie `trusthub_sign_in`
//! (a random value, Path=/console/sign-in, HttpOnly, SameSite=Strict, an hour) — kept if the
//! browser already holds one, so two open tabs both work — and the form's `csrf` field is
//! `<issue time, 16 hex digits><HMAC-SHA256(App::sign_in_key, cookie "." issue time), hex>`.
//! A sign-in POST is accepted only with that cookie, a token whose HMAC matches it
//! (constant-time) and an issue time at most [`FORM_TTL`] ago. Only a successful sign-in
//! stores a session.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::{html, Markup};
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::layout::{self, csrf_field};
use super::session::{self, check_csrf, MaybeSession, Who};
use crate::error::Error;
use crate::http::form::Params;
use crate::service::{accounts, App};

/// The sign-in page's cookie: the browser's half of the double-submit token.
const COOKIE: &str = "trusthub_sign_in";
/// Seconds a sign-in form (and its cookie) stays valid.
pub const FORM_TTL: i64 = 3600;
/// Seconds a token's issue time may lie ahead of this server's clock (servers sharing a
/// store disagree a little).
const SKEW: i64 = 60;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn mac(app: &App, cookie: &str, issued: i64) -> HmacSha256 {
    use hmac::Mac;
    #[allow(clippy::expect_used)] // HMAC takes a key of any length: this cannot fail.
    let mut m = <HmacSha256 as Mac>::new_from_slice(&app.sign_in_key).expect("any key length");
    m.update(format!("{cookie}.{issued}").as_bytes());
    m
}

/// The form's token for `cookie`, issued now: 16 hex digits of the issue time (Unix
/// seconds, real time) then the 64 hex digits of the HMAC.
fn token(app: &App, cookie: &str) -> String {
    use hmac::Mac;
    let issued = now();
    let tag = mac(app, cookie, issued).finalize().into_bytes();
    format!("{issued:016x}{}", hex::encode(tag))
}

/// Whether `token` was issued by [`token`] for `cookie` at most [`FORM_TTL`] seconds ago.
fn token_valid(app: &App, cookie: &str, token: &str) -> bool {
    use hmac::Mac;
    if token.len() != 80 || !token.is_ascii() {
        return false;
    }
    let (issued, tag) = token.split_at(16);
    let (Ok(issued), Ok(tag)) = (i64::from_str_radix(issued, 16), hex::decode(tag)) else {
        return false;
    };
    let age = now() - issued;
    (-SKEW..=FORM_TTL).contains(&age) && mac(app, cookie, issued).verify_slice(&tag).is_ok()
}

/// The value of the request's sign-in cookie, if it has a well-formed one.
fn cookie_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The sign-in page's form for the request: the cookie to (re)set and the form's token.
struct Issued {
    set_cookie: HeaderValue,
    csrf: String,
}

fn issue(app: &App, headers: &HeaderMap) -> ConsoleResult<Issued> {
    let value = cookie_of(headers).unwrap_or_else(|| hex::encode(rand::random::<[u8; 16]>()));
    let secure = if app.urls.base().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let set_cookie = format!(
        "{COOKIE}={value}; Path=/console/sign-in; Max-Age={FORM_TTL}; HttpOnly; SameSite=Strict{secure}"
    );
    Ok(Issued {
        set_cookie: HeaderValue::from_str(&set_cookie)
            .map_err(|e| ConsoleError::Internal(anyhow::anyhow!("sign-in cookie: {e}")))?,
        csrf: token(app, &value),
    })
}

fn view(csrf: &str, error: Option<&str>, user: &str) -> Markup {
    let customer = html! {
        div.field {
            label for="user" { "Account SID or API key SID" }
            input #user name="user" value=(user) autocomplete="username"
                required spellcheck="false" aria-describedby="user-hint";
            p.hint #user-hint { "AC… with the account's auth token, or SK… with the key's secret." }
        }
        div.field {
            label for="secret" { "Auth token or API key secret" }
            input #secret type="password" name="secret" autocomplete="current-password" required;
        }
    };
    let operator = html! {
        div.field {
            label for="admin-token" { "Operator token" }
            input #admin-token type="password" name="secret" autocomplete="current-password" required;
        }
    };
    layout::bare(
        "Sign in",
        html! {
            h1 { "Sign in to the TrustHub console" }
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            div.cards {
                (card(csrf, "customer", "Customers", customer, "Sign in"))
                (card(csrf, "operator", "Operators", operator, "Sign in as operator"))
            }
        },
    )
}

/// One sign-in form: the role it signs in as, its heading, fields and button.
fn card(csrf: &str, role: &str, heading: &str, fields: Markup, button: &str) -> Markup {
    let id = format!("{role}-h");
    html! {
        section.card aria-labelledby=(id) {
            h2 id=(id) { (heading) }
            form method="post" action="/console/sign-in" {
                (csrf_field(csrf))
                input type="hidden" name="role" value=(role);
                (fields)
                button.primary type="submit" { (button) }
            }
        }
    }
}

/// The sign-in page: stores nothing, sets the sign-in cookie, its forms carry a token for it.
pub async fn form(State(app): State<Arc<App>>, headers: HeaderMap) -> ConsoleResult<Response> {
    let issued = issue(&app, &headers)?;
    let page = view(&issued.csrf, None, "");
    Ok(([(header::SET_COOKIE, issued.set_cookie)], page).into_response())
}

pub async fn submit(
    State(app): State<Arc<App>>,
    admission: Option<Extension<Arc<crate::http::admission::Admission>>>,
    peer: Option<Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    s: MaybeSession,
    headers: HeaderMap,
    params: Params,
) -> ConsoleResult<Response> {
    let handle = s.1;
    let csrf = params.get("csrf").unwrap_or("");
    match cookie_of(&headers) {
        Some(cookie) if token_valid(&app, &cookie, csrf) => {}
        _ => return Err(ConsoleError::Csrf),
    }
    let secret = params.get("secret").unwrap_or("");
    let user = params.get("user").unwrap_or("").trim();
    let credential = match params.get("role") {
        Some("operator") => "operator",
        _ => user,
    };
    let keys = crate::http::admission::keys_for(peer.map(|p| p.0 .0), credential);
    if let Some(Extension(a)) = &admission {
        a.failures.check(&keys)?;
    }
    let who = match params.get("role") {
        Some("operator") => app.settings.is_admin_token(secret).then_some(Who::Operator),
        _ => match accounts::authenticate(&app, user, secret).await {
            Ok(account) => Some(Who::Customer {
                account_sid: account.sid,
                key_sid: user
                    .starts_with(crate::sid::API_KEY)
                    .then(|| user.to_string()),
            }),
            Err(Error::Forbidden { message, .. }) => {
                let page = view(csrf, Some(&message), user);
                return Ok((StatusCode::FORBIDDEN, page).into_response());
            }
            Err(Error::Unauthorized) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let Some(who) = who else {
        if let Some(Extension(a)) = &admission {
            a.failures.failed(&keys);
        }
        let page = view(csrf, Some("Those credentials were not accepted."), user);
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    let signed_in = session::start(&app, &handle, who).await?;
    let target = match &signed_in.who {
        Who::Customer { account_sid, .. } => {
            format!("/console/accounts/{account_sid}/customer-profiles")
        }
        _ => "/console/reviews".to_string(),
    };
    Ok(Redirect::to(&target).into_response())
}

pub async fn sign_out(s: MaybeSession, params: Params) -> ConsoleResult<Response> {
    let s = s.0.ok_or(ConsoleError::SignIn)?;
    check_csrf(&s, &params)?;
    session::end(&s).await?;
    Ok(Redirect::to("/console/sign-in").into_response())
}
