//! The operator's accounts page: top-level accounts with suspend, reactivate, close and
//! auth-token rotation, each through `service::accounts` (the same rules as the operator
//! API and a parent's 2010 update).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::layout::{self, csrf_field, date};
use super::session::{Form, Operator};
use crate::error::Error;
use crate::http::path::Path;
use crate::service::accounts::{self, AccountStatus};
use crate::service::App;
use crate::store::{Account, AccountFilter, PageQuery};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/console/operator/accounts", get(list))
        .route("/console/operator/accounts/{account}", post(change))
}

/// Accounts shown on the page (the operator API shows up to 1,000, with filters).
const SHOWN: usize = 200;

#[derive(Deserialize)]
pub struct Shown {
    notice: Option<String>,
}

/// Fixed texts chosen by the `notice` query value: nothing a link can inject.
fn notice_text(key: Option<&str>) -> Option<&'static str> {
    match key.and_then(AccountStatus::parse)? {
        AccountStatus::Suspended => {
            Some("The account is suspended: its requests, and its subaccounts', are refused.")
        }
        AccountStatus::Active => Some("The account is active again."),
        AccountStatus::Closed => Some("The account is closed for good."),
    }
}

async fn page(
    app: &App,
    op: &Operator,
    message: Option<Markup>,
    error: Option<&str>,
) -> ConsoleResult<Markup> {
    let found = accounts::list_top_level(
        app,
        &AccountFilter::default(),
        PageQuery {
            size: SHOWN,
            cursor: None,
        },
    )
    .await?;
    let body = html! {
        h1 { "Accounts" }
        p.lead { "Top-level accounts. A suspended account (and its subaccounts) gets 403 (20005) on every request until reactivated; a closed account cannot be reopened; rotating the auth token ends the old one at once." }
        @if let Some(m) = message { div.notice role="status" { (m) } }
        @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
        table {
            thead { tr {
                th scope="col" { "Name" } th scope="col" { "Account SID" } th scope="col" { "Status" }
                th scope="col" { "Created" } th scope="col" { "Actions" }
            } }
            tbody {
                @for a in &found.items { (row(a, &op.session.csrf)) }
            }
        }
        @if found.items.len() == SHOWN {
            p { "The first " (SHOWN) " accounts are shown; " code { "GET /admin/v1/Accounts" } " (" code { "PageSize" } " up to 1,000, filters " code { "Status" } " and " code { "FriendlyName" } ") reaches more." }
        }
    };
    Ok(layout::page("Accounts", op.nav(), body))
}

fn action(a: &Account, csrf: &str, name: &str, value: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action={ "/console/operator/accounts/" (a.sid) } {
            (csrf_field(csrf))
            input type="hidden" name=(name) value=(value);
            button class=(class) type="submit" { (label) }
        }
    }
}

fn row(a: &Account, csrf: &str) -> Markup {
    html! {
        tr {
            td { (a.friendly_name) }
            td { code { (a.sid) } }
            td { (a.status) }
            td { (date(a.date_created)) }
            td {
                @match a.status {
                    AccountStatus::Active => {
                        (action(a, csrf, "status", AccountStatus::Suspended.as_str(), "Suspend", "secondary"))
                        (action(a, csrf, "rotate", "token", "Rotate auth token", "secondary"))
                    }
                    AccountStatus::Suspended => {
                        (action(a, csrf, "status", AccountStatus::Active.as_str(), "Reactivate", "primary"))
                        (action(a, csrf, "rotate", "token", "Rotate auth token", "secondary"))
                    }
                    AccountStatus::Closed => {}
                }
                @if a.status != AccountStatus::Closed {
                    form.inline method="post" action={ "/console/operator/accounts/" (a.sid) } {
                        (csrf_field(csrf))
                        input type="hidden" name="status" value=(AccountStatus::Closed.as_str());
                        label.choice { input type="checkbox" name="confirm" value="yes" required; " I understand closing is final" }
                        button.danger type="submit" { "Close" }
                    }
                }
            }
        }
    }
}

async fn list(
    State(app): State<Arc<App>>,
    op: Operator,
    Query(q): Query<Shown>,
) -> ConsoleResult<Markup> {
    let message = notice_text(q.notice.as_deref()).map(|t| html! { (t) });
    page(&app, &op, message, None).await
}

/// One change per form: `status` (with `confirm=yes` to close) or `rotate`.
async fn change(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
    Form { who: op, params }: Form<Operator>,
) -> ConsoleResult<Response> {
    let result = if params.get("rotate").is_some() {
        accounts::rotate_token(&app, &sid).await
    } else {
        let status = params.get("status").unwrap_or("").to_string();
        if status == AccountStatus::Closed.as_str() && params.get("confirm") != Some("yes") {
            return Err(ConsoleError::BadRequest(
                "Tick the box to confirm: a closed account cannot be reopened.".into(),
            ));
        }
        accounts::operator_update(&app, &sid, None, Some(status)).await
    };
    match result {
        // The new token is shown once, on this page only (never in a URL).
        Ok(a) if params.get("rotate").is_some() => {
            let m = html! { "New auth token for " code { (a.sid) } ": " code.secret { (a.auth_token) } " — copy it now; the old one no longer works." };
            Ok(page(&app, &op, Some(m), None).await?.into_response())
        }
        Ok(a) => Ok(
            Redirect::to(&format!("/console/operator/accounts?notice={}", a.status))
                .into_response(),
        ),
        Err(Error::NotFound(_)) => Err(ConsoleError::NotFound),
        Err(e @ Error::Invalid { .. }) => {
            let body = page(&app, &op, None, Some(&e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
