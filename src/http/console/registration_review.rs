//! The operator's review of a registration (a brand, vetting, campaign or toll-free
//! verification): its line in the review queue, and its page with the approve/reject
//! forms, which decide through `service::review::decide_registration` like the operator
//! API.

use maud::{html, Markup};

use super::layout::{self, date};
use super::session::Operator;
use super::views;
use crate::domain::registration::Stage;
use crate::service::App;
use crate::store::Registration;

/// A coloured badge for a registration's Twilio status, by its review stage.
pub fn badge(r: &Registration) -> Markup {
    let class = match r.kind.stage(&r.status) {
        Stage::Submitted | Stage::InReview => "review",
        Stage::Approved => "approved",
        Stage::Rejected => "rejected",
        Stage::Other => "draft",
    };
    html! { span class={ "badge " (class) } { (r.status) } }
}

/// The queue's table of registrations awaiting a decision.
pub fn queue_table(items: &[Registration]) -> Markup {
    html! {
        h2 { "Messaging registrations" }
        p { (items.len()) " brand(s), vetting(s), campaign(s) or toll-free verification(s) awaiting a decision, oldest first." }
        @if !items.is_empty() {
            table {
                thead { tr {
                    th scope="col" { "Registration" } th scope="col" { "Status" } th scope="col" { "Kind" }
                    th scope="col" { "Account" } th scope="col" { "Since" }
                } }
                tbody {
                    @for r in items {
                        tr {
                            td { a href={ "/console/reviews/" (r.sid) } { code { (r.sid) } } }
                            td { (badge(r)) }
                            td { (r.kind.label()) }
                            td { code { (r.account_sid) } }
                            td { (date(r.date_updated)) }
                        }
                    }
                }
            }
        }
    }
}

/// A registration's review page: properties, failure, decision forms, timeline.
pub async fn page(
    app: &App,
    op: &Operator,
    r: &Registration,
    error: Option<&str>,
) -> Result<Markup, crate::error::Error> {
    let events = app.store.events(&r.sid).await?;
    let action = format!("/console/reviews/{}/decision", r.sid);
    let body = html! {
        p { a href="/console/reviews" { "← Review queue" } }
        h1 { "Review: " (r.kind.label()) " " code { (r.sid) } }
        @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
        dl.summary {
            dt { "Status" } dd { (badge(r)) }
            dt { "Account" } dd { code { (r.account_sid) } }
            @if let Some(p) = &r.parent_sid { dt { "Of" } dd { code { (p) } } }
            dt { "Created" } dd { (date(r.date_created)) }
            dt { "Updated" } dd { (date(r.date_updated)) }
        }
        @if let Some(f) = &r.failure {
            section aria-labelledby="failure-h" {
                h2 #failure-h { "Failure" }
                p { (f["reason"].as_str().unwrap_or("")) }
                ul { @for e in f["errors"].as_array().into_iter().flatten() {
                    li { strong { (e["code"]) } " — " (e["description"].as_str().unwrap_or("")) }
                } }
            }
        }
        section aria-labelledby="content-h" {
            h2 #content-h { "Content" }
            table {
                tbody {
                    @for (k, v) in &r.fields {
                        tr { th scope="row" { (k) } td { (match v { serde_json::Value::String(s) => s.clone(), other => other.to_string() }) } }
                    }
                }
            }
        }
        @if r.kind.stage(&r.status).under_review() {
            section.decision aria-labelledby="decision-h" {
                h2 #decision-h { "Decision" }
                (views::decision_forms(
                    &action,
                    &op.session.csrf,
                    html! { "Becomes " (r.kind.approved()) "." },
                    "Failure codes (at least one)",
                    r.kind.failure_codes().iter().map(|(code, description)| (*code, *description)),
                ))
            }
        } @else {
            p { "This registration is " (badge(r)) " and is not awaiting a decision." }
        }
        section aria-labelledby="timeline-h" {
            h2 #timeline-h { "Timeline" }
            (views::timeline(&events))
        }
    };
    Ok(layout::page(&format!("Review {}", r.sid), op.nav(), body))
}
