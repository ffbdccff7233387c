//! The request inspector in the console: a customer sees the last API requests of its own
//! account (what its code sent and what came back, secrets already redacted by the
//! request log); an operator sees everyone's, filtered by account, and the audit trail.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

use super::error::ConsoleResult;
use super::layout::{self, date};
use super::session::{Customer, Operator};
use crate::service::App;

/// Requests shown on a page: the whole log of one account at the default `--request-log`.
const REQUESTS_SHOWN: usize = 100;
const AUDIT_SHOWN: i64 = 200;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/console/requests", get(customer_requests))
        .route("/console/operator/requests", get(operator_requests))
        .route("/console/operator/audit", get(operator_audit))
}

#[derive(Deserialize)]
pub struct Filter {
    account: Option<String>,
}

impl Filter {
    fn account(&self) -> Option<String> {
        self.account
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
    }
}

/// The signed-in account's own requests (a parent's subaccounts keep theirs to themselves:
/// they were made with other credentials).
async fn customer_requests(State(app): State<Arc<App>>, c: Customer) -> ConsoleResult<Markup> {
    let entries = app.requests.recent(Some(&c.account.sid), REQUESTS_SHOWN);
    let body = html! {
        h1 { "Requests" }
        p.lead {
            "The last API requests made with this account's credentials, newest first: what your code sent and what the server answered. "
            "Tokens, secrets and passwords are shown as " code { "[redacted]" } "."
        }
        (disabled_note(&app))
        (request_list(&entries, false))
    };
    Ok(layout::page("Requests", c.nav(&c.account), body))
}

async fn operator_requests(
    State(app): State<Arc<App>>,
    op: Operator,
    Query(f): Query<Filter>,
) -> ConsoleResult<Markup> {
    let account = f.account();
    let entries = app.requests.recent(account.as_deref(), REQUESTS_SHOWN);
    let body = html! {
        h1 { "Requests" }
        p.lead {
            "The last API requests of " (scope(account.as_deref())) ", newest first. "
            "Tokens, secrets and passwords are shown as " code { "[redacted]" } "."
        }
        (account_filter("/console/operator/requests", account.as_deref()))
        (disabled_note(&app))
        (request_list(&entries, true))
    };
    Ok(layout::page("Requests", op.nav(), body))
}

async fn operator_audit(
    State(app): State<Arc<App>>,
    op: Operator,
    Query(f): Query<Filter>,
) -> ConsoleResult<Markup> {
    let account = f.account();
    let entries = app.store.audit(account.as_deref(), AUDIT_SHOWN).await?;
    let body = html! {
        h1 { "Audit trail" }
        p.lead {
            "Every change request (not reads) of " (scope(account.as_deref()))
            ", newest first: who made it (an account's auth token or an API key, through the API or the console; the operator; an end customer completing an inquiry) and how it ended."
        }
        (account_filter("/console/operator/audit", account.as_deref()))
        @if entries.is_empty() {
            p.empty { "No changes recorded." }
        } @else {
            table.audit {
                thead { tr {
                    th scope="col" { "Time" } th scope="col" { "Actor" } th scope="col" { "Account" }
                    th scope="col" { "Request" } th scope="col" { "Status" }
                } }
                tbody {
                    @for e in &entries {
                        tr {
                            td { (date(e.date_created)) }
                            td {
                                span.actor { (e.actor_kind) }
                                @if let Some(sid) = &e.actor_sid { " " code { (sid) } }
                            }
                            td {
                                @match &e.account_sid {
                                    Some(a) => a href=(filter_link("/console/operator/audit", a)) { code { (a) } },
                                    None => span.empty { "—" },
                                }
                            }
                            td { span.method { (e.method) } " " code { (e.path) } }
                            td { (http_badge(e.status)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Audit trail", op.nav(), body))
}

fn scope(account: Option<&str>) -> Markup {
    html! {
        @match account {
            Some(a) => { "account " code { (a) } },
            None => "all accounts",
        }
    }
}

fn filter_link(base: &str, account: &str) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("account", account)
        .finish();
    format!("{base}?{q}")
}

/// A GET form: it only reads, so it carries no CSRF token.
fn account_filter(base: &str, account: Option<&str>) -> Markup {
    html! {
        form.search method="get" action=(base) role="search" {
            label for="account" { "Account SID" }
            input #account type="search" name="account" value=[account]
                size="36" placeholder="AC… (all accounts when empty)" spellcheck="false";
            button type="submit" { "Filter" }
            @if account.is_some() { a href=(base) { "All accounts" } }
        }
    }
}

fn disabled_note(app: &App) -> Markup {
    html! {
        @if !app.requests.enabled() {
            p.notice role="status" { "The request log is turned off on this server (" code { "--request-log 0" } ")." }
        }
    }
}

/// A coloured badge with the status code and its reason in words.
fn http_badge(status: u16) -> Markup {
    let class = match status {
        200..=299 => "approved",
        300..=399 => "draft",
        _ => "rejected",
    };
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    html! { span class={ "badge " (class) } { (status) " " (reason) } }
}

/// The ISO timestamp of a log entry, shown like [`layout::date`].
fn iso_time(s: &str) -> Markup {
    html! { time datetime=(s) { (s.replace('T', " ").trim_end_matches('Z')) " UTC" } }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Each request is a `<details>`: the summary line, and when opened the parameters sent
/// and the response body. Everything is text escaped by maud.
fn request_list(entries: &[Value], with_account: bool) -> Markup {
    html! {
        @if entries.is_empty() {
            p.empty { "No requests yet." }
        } @else {
            p { (entries.len()) " request(s), newest first." }
            ol.requests {
                @for e in entries {
                    @let status = e.get("status").and_then(Value::as_u64).unwrap_or(0) as u16;
                    @let response = e.get("response").unwrap_or(&Value::Null);
                    @let code = (status >= 400).then(|| response.get("code")).flatten().filter(|c| !c.is_null());
                    @let params: Vec<(&str, &str)> = e.get("parameters").and_then(Value::as_array)
                        .map(|ps| ps.iter().filter_map(|p| Some((p.get(0)?.as_str()?, p.get(1)?.as_str()?))).collect())
                        .unwrap_or_default();
                    li {
                        details {
                            summary {
                                span.when { (iso_time(str_of(e, "date_created"))) }
                                span.method { (str_of(e, "method")) }
                                code.path { (str_of(e, "path")) }
                                (http_badge(status))
                                @if let Some(c) = code { span.error-code { "Error " (c) } }
                                @if with_account { span.account { "Account " code { (str_of(e, "account_sid")) } } }
                            }
                            div.exchange {
                                h3 { "Parameters sent" }
                                @if params.is_empty() {
                                    p.empty { "No parameters." }
                                } @else {
                                    table.params {
                                        thead { tr { th scope="col" { "Name" } th scope="col" { "Value" } } }
                                        tbody {
                                            @for (k, v) in &params {
                                                tr { td { code { (k) } } td { code { (v) } } }
                                            }
                                        }
                                    }
                                }
                                @if e.get("truncated").and_then(Value::as_bool) == Some(true) {
                                    p.notice {
                                        "Cut to fit the inspector: the request sent " (e["request_bytes"]) " bytes (up to "
                                        (crate::sandbox::REQUEST_KEEP) " are kept), the response was " (e["response_bytes"])
                                        " bytes (kept only up to " (crate::sandbox::RESPONSE_KEEP) ")."
                                    }
                                }
                                h3 { "Response" }
                                @if response.is_null() {
                                    p.empty { "No JSON body." }
                                } @else {
                                    pre.json { code { (serde_json::to_string_pretty(response).unwrap_or_default()) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
