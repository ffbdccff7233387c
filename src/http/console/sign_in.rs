//! Signing in (customers with Account SID + auth token or API key + secret; operators with
//! the admin token) and out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::{html, Markup};
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::layout::{self, csrf_field};
use super::session::{self, check_csrf, MaybeSession, Session, Who};
use crate::error::Error;
use crate::http::form::Params;
use crate::service::{accounts, App};

fn view(s: &Session, error: Option<&str>, user: &str) -> Markup {
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
                (card(s, "customer", "Customers", customer, "Sign in"))
                (card(s, "operator", "Operators", operator, "Sign in as operator"))
            }
        },
    )
}

/// One sign-in form: the role it signs in as, its heading, fields and button.
fn card(s: &Session, role: &str, heading: &str, fields: Markup, button: &str) -> Markup {
    let id = format!("{role}-h");
    html! {
        section.card aria-labelledby=(id) {
            h2 id=(id) { (heading) }
            form method="post" action="/console/sign-in" {
                (csrf_field(&s.csrf))
                input type="hidden" name="role" value=(role);
                (fields)
                button.primary type="submit" { (button) }
            }
        }
    }
}

/// The sign-in page starts an anonymous session so its form carries a CSRF token too.
pub async fn form(State(app): State<Arc<App>>, s: MaybeSession) -> ConsoleResult<Response> {
    let s = match s.0 {
        Some(s) => s,
        None => session::start(&app, &s.1, Who::Anonymous).await?,
    };
    Ok(view(&s, None, "").into_response())
}

pub async fn submit(
    State(app): State<Arc<App>>,
    admission: Option<Extension<Arc<crate::http::admission::Admission>>>,
    peer: Option<Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    s: MaybeSession,
    params: Params,
) -> ConsoleResult<Response> {
    let MaybeSession(s, handle) = s;
    let s = s.ok_or(ConsoleError::Csrf)?;
    check_csrf(&s, &params)?;
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
                let page = view(&s, Some(&message), user);
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
        let page = view(&s, Some("Those credentials were not accepted."), user);
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
