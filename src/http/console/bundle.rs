//! A customer's bundle page: content, numbers, latest evaluation, timeline; evaluate,
//! submit, and fix a rejected bundle's end users.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::fields::{self, error_summary, Errors, Values};
use super::layout::{self, csrf_field, notice};
use super::session::{Customer, Form};
use super::views;
use crate::domain::bundle::{entities_locked, Status};
use crate::domain::policy::ObjectType;
use crate::error::Error;
use crate::http::path::Path;
use crate::service::bundles::{self, BundleChanges};
use crate::service::{entities, evaluations, App};
use crate::store::{Account, Bundle, EntityKind};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/console/accounts/{account}/bundles/{bundle}", get(show))
        .route(
            "/console/accounts/{account}/bundles/{bundle}/{action}",
            post(act),
        )
        .route(
            "/console/accounts/{account}/bundles/{bundle}/end-users/{end_user}",
            get(edit_form).post(edit_save),
        )
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The viewed account and its bundle, or 404 (another account's bundle included).
async fn scoped(
    app: &App,
    c: &Customer,
    account: &str,
    sid: &str,
) -> ConsoleResult<(Account, Bundle)> {
    let viewing = c.scope(app, account).await?;
    let b = app
        .store
        .bundle(&viewing.sid, sid)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok((viewing, b))
}

fn base(b: &Bundle) -> String {
    format!("/console/accounts/{}/bundles/{}", b.account_sid, b.sid)
}

async fn show(
    State(app): State<Arc<App>>,
    c: Customer,
    Path((account, sid)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> ConsoleResult<Markup> {
    let (viewing, b) = scoped(&app, &c, &account, &sid).await?;
    let content = views::load(&app, &b).await?;
    let editable = !entities_locked(b.status);
    let link = |e: &crate::store::Entity| format!("{}/end-users/{}", base(&b), e.sid);
    let can_submit = matches!(b.status, Status::Draft | Status::TwilioRejected);
    let body = html! {
        h1 { (b.friendly_name) }
        (notice(q.notice.as_deref()))
        (views::rejection(&app, &b, &content.events))
        @if b.status == Status::TwilioRejected {
            p { "Fix what the reviewer named (edit the end users below), then submit again." }
        }
        (views::summary(&app, &b))
        div.actions {
            form.inline method="post" action={ (base(&b)) "/evaluate" } {
                (csrf_field(&c.session.csrf))
                button type="submit" { "Evaluate" }
            }
            @if can_submit {
                form.inline method="post" action={ (base(&b)) "/submit" } {
                    (csrf_field(&c.session.csrf))
                    button.primary type="submit" {
                        @if b.status == Status::TwilioRejected { "Resubmit for review" } @else { "Submit for review" }
                    }
                }
            }
        }
        section aria-labelledby="eval-h" {
            h2 #eval-h { "Latest evaluation" }
            (views::evaluation(content.evaluation.as_ref()))
        }
        section aria-labelledby="content-h" {
            h2 #content-h { "Content" }
            (views::content(&content, editable.then_some(&link as &dyn Fn(&crate::store::Entity) -> String)))
        }
        section aria-labelledby="numbers-h" {
            h2 #numbers-h { "Phone numbers" }
            (views::numbers(&content))
        }
        section aria-labelledby="timeline-h" {
            h2 #timeline-h { "Timeline" }
            (views::timeline(&content.events))
        }
    };
    Ok(layout::page(&b.friendly_name, c.nav(&viewing), body))
}

/// The bundle page's buttons: `evaluate`, and `submit` (for review).
async fn act(
    State(app): State<Arc<App>>,
    Path((account, sid, action)): Path<(String, String, String)>,
    Form { who: c, .. }: Form<Customer>,
) -> ConsoleResult<Response> {
    let (_, b) = scoped(&app, &c, &account, &sid).await?;
    let notice = match action.as_str() {
        "evaluate" => {
            evaluations::create(&app, &b, &b.policy_sid).await?;
            "evaluated"
        }
        "submit" => {
            let changes = BundleChanges {
                status: Some("pending-review".into()),
                ..Default::default()
            };
            match bundles::update(&app, &b.account_sid, b.kind, &b.sid, changes).await {
                Ok(_) => "submitted",
                // The refused submission's evaluation is kept: the page shows what failed.
                Err(Error::Invalid {
                    code: evaluations::NONCOMPLIANT,
                    ..
                }) => "refused",
                Err(e) => return Err(e.into()),
            }
        }
        _ => return Err(ConsoleError::NotFound),
    };
    Ok(Redirect::to(&format!("{}?notice={notice}", base(&b))).into_response())
}

/// An end user of a bundle the customer may see, being edited: the bundle's account, the
/// bundle, the end user and its catalog type (404 for anything else).
struct Editing<'a> {
    viewing: Account,
    b: Bundle,
    e: crate::store::Entity,
    t: &'a ObjectType,
}

async fn editing<'a>(
    app: &'a App,
    c: &Customer,
    (account, sid, end_user_sid): (String, String, String),
) -> ConsoleResult<Editing<'a>> {
    let (viewing, b) = scoped(app, c, &account, &sid).await?;
    let (assigned, _) = app.store.assigned_objects(&b.sid).await?;
    let e = assigned
        .into_iter()
        .find(|e| e.sid == end_user_sid && e.kind == EntityKind::EndUser)
        .ok_or(ConsoleError::NotFound)?;
    let t = app
        .catalog
        .end_user_type(&e.type_name)
        .ok_or(ConsoleError::NotFound)?;
    Ok(Editing { viewing, b, e, t })
}

fn edit_page(c: &Customer, x: &Editing, values: &Values, errors: &Errors) -> Markup {
    let Editing { viewing, b, e, t } = x;
    let body = html! {
        h1 { "Edit " (e.friendly_name) }
        p.lead { (t.friendly_name) " · " code { (e.sid) } " in " a href=(base(b)) { (b.friendly_name) } }
        (error_summary(errors))
        form.guided method="post" action={ (base(b)) "/end-users/" (e.sid) } novalidate data-validate="" {
            (csrf_field(&c.session.csrf))
            fieldset {
                legend { (t.friendly_name) }
                (fields::fields(t, &t.machine_name, values, errors))
            }
            div.actions {
                button.primary type="submit" { "Save" }
                a href=(base(b)) { "Cancel" }
            }
        }
    };
    layout::page(&format!("Edit {}", e.friendly_name), c.nav(viewing), body)
}

async fn edit_form(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(path): Path<(String, String, String)>,
) -> ConsoleResult<Markup> {
    let x = editing(&app, &c, path).await?;
    let values = Values::from_attributes(&x.t.machine_name, x.t, &x.e.attributes);
    Ok(edit_page(&c, &x, &values, &Errors::new()))
}

async fn edit_save(
    State(app): State<Arc<App>>,
    Path(path): Path<(String, String, String)>,
    Form { who: c, params }: Form<Customer>,
) -> ConsoleResult<Response> {
    let x = editing(&app, &c, path).await?;
    let Editing { viewing, b, e, t } = &x;
    let values = Values(params.0);
    let mut errors = Errors::new();
    let checked = fields::attributes(t, &t.machine_name, &values, &mut errors);
    if !errors.is_empty() {
        let page = edit_page(&c, &x, &values, &errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    // Keys outside the type's fields are kept; the type's fields are replaced.
    let mut attrs = e.attributes.as_object().cloned().unwrap_or_default();
    for f in &t.fields {
        attrs.remove(&f.machine_name);
    }
    attrs.extend(checked);
    entities::update(
        &app,
        &viewing.sid,
        EntityKind::EndUser,
        &e.sid,
        None,
        Some(Value::Object(attrs)),
    )
    .await?;
    Ok(Redirect::to(&format!("{}?notice=saved", base(b))).into_response())
}
