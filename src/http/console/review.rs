//! The operator's side: the review queue, a bundle's full content, and the decision
//! through `service::review::decide` (which records the timeline and queues the callback).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::layout::{self, date, notice, status_badge};
use super::registration_review;
use super::session::{Form, Operator};
use super::views;
use crate::error::Error;
use crate::http::path::Path;
use crate::service::review::{self, Verdict};
use crate::service::App;
use crate::store::{Bundle, Registration, RegistrationKind};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/console/reviews", get(queue))
        .route("/console/reviews/{bundle}", get(show))
        .route("/console/reviews/{bundle}/decision", post(decide))
}

#[derive(Deserialize)]
pub struct QueueQuery {
    policy: Option<String>,
    notice: Option<String>,
}

async fn queue(
    State(app): State<Arc<App>>,
    op: Operator,
    Query(q): Query<QueueQuery>,
) -> ConsoleResult<Markup> {
    let policy = q.policy.as_deref().filter(|p| !p.is_empty());
    let items = review::queue(&app, policy).await?;
    let registrations = match policy {
        None => review::registration_queue(&app, None).await?,
        Some(_) => vec![],
    };
    let body = html! {
        h1 { "Review queue" }
        (notice(q.notice.as_deref()))
        form.search method="get" action="/console/reviews" {
            label for="policy" { "Policy" }
            select #policy name="policy" {
                option value="" { "All policies" }
                @for p in &app.catalog.policies {
                    option value=(p.sid) selected[policy == Some(p.sid.as_str())] { (p.friendly_name) " (" (p.sid) ")" }
                }
            }
            button type="submit" { "Filter" }
        }
        p { (items.len()) " bundle(s) awaiting a decision, oldest first." }
        @if !items.is_empty() {
            table {
                thead { tr {
                    th scope="col" { "Bundle" } th scope="col" { "Status" } th scope="col" { "Kind" }
                    th scope="col" { "Policy" } th scope="col" { "Account" } th scope="col" { "Since" }
                } }
                tbody {
                    @for b in &items {
                        tr {
                            td { a href={ "/console/reviews/" (b.sid) } { (b.friendly_name) } br; code { (b.sid) } }
                            td { (status_badge(b.status)) }
                            td { (b.kind.label()) }
                            td { (app.catalog.policy(&b.policy_sid).map(|p| p.friendly_name.as_str()).unwrap_or(&b.policy_sid)) }
                            td { code { (b.account_sid) } }
                            td { (date(b.date_updated)) }
                        }
                    }
                }
            }
        }
        @if policy.is_none() {
            (registration_review::queue_table(&registrations))
        }
    };
    Ok(layout::page("Review queue", op.nav(), body))
}

async fn page(app: &App, op: &Operator, b: &Bundle, error: Option<&str>) -> ConsoleResult<Markup> {
    let content = views::load(app, b).await?;
    let action = format!("/console/reviews/{}/decision", b.sid);
    let body = html! {
        p { a href="/console/reviews" { "← Review queue" } }
        h1 { "Review: " (b.friendly_name) }
        @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
        (views::rejection(app, b, &content.events))
        (views::summary(app, b))
        section aria-labelledby="content-h" {
            h2 #content-h { "Content" }
            (views::content(&content, None))
        }
        section aria-labelledby="numbers-h" {
            h2 #numbers-h { "Phone numbers" }
            (views::numbers(&content))
        }
        section aria-labelledby="eval-h" {
            h2 #eval-h { "Latest evaluation" }
            (views::evaluation(content.evaluation.as_ref()))
        }
        @if b.status.under_review() {
            section.decision aria-labelledby="decision-h" {
                h2 #decision-h { "Decision" }
                (views::decision_forms(
                    &action,
                    &op.session.csrf,
                    html! { "The content matches the business: approve the bundle." },
                    "Rejection codes (at least one)",
                    app.catalog.rejection_codes.iter().map(|c| (c.code, c.description.as_str())),
                ))
            }
        } @else {
            p { "This bundle is " (status_badge(b.status)) " and is not awaiting a decision." }
        }
        section aria-labelledby="timeline-h" {
            h2 #timeline-h { "Timeline" }
            (views::timeline(&content.events))
        }
    };
    Ok(layout::page(
        &format!("Review {}", b.friendly_name),
        op.nav(),
        body,
    ))
}

async fn bundle(app: &App, sid: &str) -> ConsoleResult<Bundle> {
    app.store
        .bundle_any(sid)
        .await?
        .ok_or(ConsoleError::NotFound)
}

async fn registration(app: &App, sid: &str) -> ConsoleResult<Registration> {
    app.store
        .registration_any(sid)
        .await?
        .ok_or(ConsoleError::NotFound)
}

async fn show(
    State(app): State<Arc<App>>,
    op: Operator,
    Path(sid): Path<String>,
) -> ConsoleResult<Markup> {
    if RegistrationKind::of_sid(&sid).is_some() {
        let r = registration(&app, &sid).await?;
        return Ok(registration_review::page(&app, &op, &r, None).await?);
    }
    let b = bundle(&app, &sid).await?;
    page(&app, &op, &b, None).await
}

async fn decide(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
    Form { who: op, params }: Form<Operator>,
) -> ConsoleResult<Response> {
    let registration_kind = RegistrationKind::of_sid(&sid);
    if registration_kind.is_some() {
        registration(&app, &sid).await?;
    } else {
        bundle(&app, &sid).await?;
    }
    let verdict = match params.get("decision") {
        Some("approve") => Verdict::Approve,
        Some("reject") => Verdict::Reject {
            reason: params.get("reason").unwrap_or("").trim().to_string(),
            codes: params
                .0
                .iter()
                .filter(|(k, _)| k == "codes")
                .filter_map(|(_, v)| v.parse().ok())
                .collect(),
        },
        _ => return Err(ConsoleError::BadRequest("Choose approve or reject.".into())),
    };
    let done = match (
        registration_kind.is_some(),
        matches!(verdict, Verdict::Approve),
    ) {
        (false, true) => "approved",
        (false, false) => "rejected",
        (true, true) => "registration-approved",
        (true, false) => "registration-rejected",
    };
    let decided = match registration_kind {
        Some(_) => review::decide_registration(&app, &sid, verdict)
            .await
            .map(|_| ()),
        None => review::decide(&app, &sid, verdict).await.map(|_| ()),
    };
    match decided {
        Ok(()) => Ok(Redirect::to(&format!("/console/reviews?notice={done}")).into_response()),
        // The page again with the refusal: a form to fix is 422, a bundle decided meanwhile
        // keeps its 409.
        Err(e @ (Error::MissingParameter(_) | Error::Invalid { .. } | Error::Conflict { .. })) => {
            let (status, msg) = match e {
                Error::MissingParameter(_) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Choose at least one rejection code.".to_string(),
                ),
                Error::Conflict { .. } => (e.status(), e.to_string()),
                other => (StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
            };
            let body = if registration_kind.is_some() {
                let r = registration(&app, &sid).await?;
                registration_review::page(&app, &op, &r, Some(&msg)).await?
            } else {
                let b = bundle(&app, &sid).await?;
                page(&app, &op, &b, Some(&msg)).await?
            };
            Ok((status, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
