//! Pieces of a bundle shown to both the customer and the operator: its content, phone
//! numbers, latest evaluation, rejection and timeline.

use maud::{html, Markup};
use serde_json::Value;

use super::error::ConsoleResult;
use super::layout::{csrf_field, date, status_badge};
use crate::domain::bundle::Status;
use crate::domain::validate::address_sids;
use crate::service::App;
use crate::store::{
    Address, Bundle, Entity, EntityKind, Evaluation, Event, PageQuery, PhoneNumber,
};

/// Everything a bundle holds, loaded once for a page.
pub struct Content {
    pub entities: Vec<Entity>,
    pub bundles: Vec<Bundle>,
    pub addresses: Vec<Address>,
    pub numbers: Vec<PhoneNumber>,
    pub evaluation: Option<Evaluation>,
    pub events: Vec<Event>,
}

pub async fn load(app: &App, b: &Bundle) -> ConsoleResult<Content> {
    let (entities, bundles) = app.store.assigned_objects(&b.sid).await?;
    // The documents' addresses, then the assigned numbers: one query each, in the order
    // the documents name them and the numbers were assigned.
    let address_sids: Vec<String> = entities
        .iter()
        .filter(|e| e.kind == EntityKind::SupportingDocument)
        .flat_map(|e| {
            e.attributes
                .get("address_sids")
                .map(address_sids)
                .unwrap_or_default()
        })
        .collect();
    let found = app
        .store
        .addresses_named(&b.account_sid, &address_sids)
        .await?;
    let addresses = in_order(&address_sids, found, |a| &a.sid);
    let all = PageQuery {
        size: 1000,
        cursor: None,
    };
    let endpoints: Vec<String> = app
        .store
        .list_channel_assignments(&b.sid, None, all)
        .await?
        .items
        .into_iter()
        .map(|a| a.channel_endpoint_sid)
        .collect();
    // A parent's primary profile may hold its subaccounts' numbers: looked up by SID.
    let found = app.store.numbers_named(&endpoints).await?;
    let numbers = in_order(&endpoints, found, |n| &n.sid);
    let evaluation = app
        .store
        .list_evaluations(
            &b.sid,
            PageQuery {
                size: 1,
                cursor: None,
            },
        )
        .await?
        .items
        .into_iter()
        .next();
    Ok(Content {
        entities,
        bundles,
        addresses,
        numbers,
        evaluation,
        events: app.store.events(&b.sid).await?,
    })
}

/// `found` in the order `sids` name them (a SID named twice shows twice; unknown ones not).
fn in_order<T: Clone>(sids: &[String], found: Vec<T>, sid: impl Fn(&T) -> &String) -> Vec<T> {
    let by_sid: std::collections::HashMap<&String, &T> =
        found.iter().map(|t| (sid(t), t)).collect();
    sids.iter()
        .filter_map(|s| by_sid.get(s).map(|t| (*t).clone()))
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

pub fn summary(app: &App, b: &Bundle) -> Markup {
    let policy = app
        .catalog
        .policy(&b.policy_sid)
        .map(|p| p.friendly_name.as_str())
        .unwrap_or("unknown policy");
    html! {
        dl.summary {
            dt { "Status" } dd { (status_badge(b.status)) }
            dt { "SID" } dd { code { (b.sid) } }
            dt { "Account" } dd { code { (b.account_sid) } }
            dt { "Policy" } dd { (policy) " " code { (b.policy_sid) } }
            dt { "Email" } dd { (b.email) }
            dt { "Status callback" } dd { (b.status_callback.as_deref().unwrap_or("—")) }
            dt { "Created" } dd { (date(b.date_created)) }
            dt { "Updated" } dd { (date(b.date_updated)) }
            @if let Some(v) = b.valid_until { dt { "Valid until" } dd { (date(v)) } }
        }
    }
}

/// The reviewer's reason and codes (with the catalog's descriptions) of a rejected bundle.
pub fn rejection(app: &App, b: &Bundle, events: &[Event]) -> Markup {
    if b.status != Status::TwilioRejected {
        return html! {};
    }
    let reason = events
        .iter()
        .rev()
        .find(|e| e.kind == "status_changed" && e.detail["to"] == "twilio-rejected")
        .and_then(|e| e.detail["failure_reason"].as_str())
        .filter(|r| !r.is_empty());
    html! {
        section.rejection aria-labelledby="rejection-h" {
            h2 #rejection-h { "Rejected" }
            @if let Some(r) = reason { p { strong { "Reason: " } (r) } }
            ul {
                @for code in b.errors.iter().flatten() {
                    li {
                        strong { (code) } " — "
                        (app.catalog.rejection_code(*code).map(|c| c.description.as_str()).unwrap_or("Unknown code"))
                    }
                }
            }
        }
    }
}

/// Assigned end users and documents with their attributes; `edit` gives an end user's
/// edit link when the customer may still change it.
pub fn content(c: &Content, edit: Option<&dyn Fn(&Entity) -> String>) -> Markup {
    html! {
        @if c.entities.is_empty() && c.bundles.is_empty() { p.empty { "Nothing is assigned yet." } }
        div.cards {
            @for e in &c.entities {
                article.card {
                    h3 { (e.friendly_name) }
                    p.meta {
                        (if e.kind == EntityKind::EndUser { "End user" } else { "Supporting document" })
                        " · " (e.type_name) " · " code { (e.sid) }
                    }
                    dl {
                        @if let Some(attrs) = e.attributes.as_object() {
                            @for (k, v) in attrs { dt { (k) } dd { (text(v)) } }
                        }
                    }
                    @if let (Some(link), EntityKind::EndUser) = (edit, e.kind) {
                        a.button href=(link(e)) { "Edit " (e.friendly_name) }
                    }
                }
            }
            @for a in &c.addresses {
                article.card {
                    h3 { "Address " (a.friendly_name.as_deref().unwrap_or("")) }
                    p.meta { code { (a.sid) } }
                    address {
                        (a.customer_name) br; (a.street) br;
                        @if let Some(s2) = &a.street_secondary { (s2) br; }
                        (a.city) ", " (a.region) " " (a.postal_code) br; (a.iso_country)
                    }
                }
            }
            @for b in &c.bundles {
                article.card {
                    h3 { (b.friendly_name) }
                    p.meta { "Supporting bundle · " code { (b.sid) } " " (status_badge(b.status)) }
                }
            }
        }
    }
}

pub fn numbers(c: &Content) -> Markup {
    html! {
        @if c.numbers.is_empty() { p.empty { "No phone numbers are assigned." } } @else {
            ul { @for n in &c.numbers { li { (n.phone_number) " · " (n.friendly_name) " · " code { (n.sid) } } } }
        }
    }
}

pub fn evaluation(e: Option<&Evaluation>) -> Markup {
    let Some(e) = e else {
        return html! { p.empty { "Not evaluated yet." } };
    };
    html! {
        p { "Evaluated " (date(e.date_created)) ": "
            strong.{ "eval-" (e.status) } { (e.status) } " · " code { (e.sid) } }
        ul.checklist {
            @for r in e.results.as_array().into_iter().flatten() {
                @let passed = r["passed"].as_bool().unwrap_or(false);
                li.passed[passed].failed[!passed] {
                    span.mark aria-hidden="true" { @if passed { "✓" } @else { "✗" } }
                    strong { (r["requirement_friendly_name"].as_str().unwrap_or("Requirement")) }
                    " — " @if passed { "passed" } @else {
                        "failed"
                        @if let Some(code) = r["error_code"].as_u64() { " (" (code) ")" }
                        ": " (r["failure_reason"].as_str().unwrap_or(""))
                    }
                }
            }
        }
    }
}

fn describe(e: &Event) -> Markup {
    let d = &e.detail;
    let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
    html! {
        @match e.kind.as_str() {
            "created" => { "Created" }
            "assigned" => { "Assigned " code { (s("object_sid")) } }
            "unassigned" => { "Unassigned " code { (s("object_sid")) } }
            "channel_assigned" => { "Phone number " code { (s("channel_endpoint_sid")) } " assigned" }
            "channel_unassigned" => { "Phone number " code { (s("channel_endpoint_sid")) } " removed" }
            "evaluated" => { "Evaluated: " (s("status")) }
            "updated" => { "Properties updated" }
            "submission_refused" => {
                "Submission refused (noncompliant)"
                ul { @for f in d["failures"].as_array().into_iter().flatten() { li { (f.as_str().unwrap_or("")) } } }
            }
            "status_changed" => {
                (s("from")) " → " strong { (s("to")) } " by " (s("by"))
                @if !s("failure_reason").is_empty() { br; "Reason: " (s("failure_reason")) }
                @if let Some(codes) = d["error_codes"].as_array().filter(|c| !c.is_empty()) {
                    br; "Codes: " (codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))
                }
            }
            "callback_queued" => { "Status callback queued (" (s("status")) ") to " code { (s("url")) } }
            "callback_attempt" => {
                "Callback attempt " (d["attempt"]) " (" (s("status")) "): "
                @if d["delivered"].as_bool() == Some(true) {
                    strong { "delivered" } " (HTTP " (d["http_status"]) ")"
                } @else {
                    strong { "failed" }
                    @if !d["http_status"].is_null() { " (HTTP " (d["http_status"]) ")" }
                    @if !s("error").is_empty() { " — " (s("error")) }
                    @if d["gave_up"].as_bool() == Some(true) { "; gave up" }
                    @else if !s("next_attempt_at").is_empty() { "; next attempt " (s("next_attempt_at")) }
                }
            }
            other => { (other) }
        }
    }
}

pub fn timeline(events: &[Event]) -> Markup {
    html! {
        ol.timeline {
            @for e in events {
                li.{ "ev-" (e.kind) } { (date(e.date_created)) " — " (describe(e)) }
            }
        }
    }
}

/// The operator's two decision forms, for a bundle or a registration: approve (with what
/// approval means) and reject (a reason and at least one of `codes`, `(code, description)`).
/// Both post `decision`, `reason` and `codes` to `action`.
pub fn decision_forms<'a>(
    action: &str,
    csrf: &str,
    approve: Markup,
    codes_legend: &str,
    codes: impl Iterator<Item = (u32, &'a str)>,
) -> Markup {
    html! {
        div.cards {
            form.card method="post" action=(action) {
                (csrf_field(csrf))
                input type="hidden" name="decision" value="approve";
                h3 { "Approve" }
                p { (approve) }
                button.primary type="submit" { "Approve" }
            }
            form.card method="post" action=(action) {
                (csrf_field(csrf))
                input type="hidden" name="decision" value="reject";
                h3 { "Reject" }
                div.field {
                    label for="reason" { "Reason shown to the customer" }
                    textarea #reason name="reason" rows="3" {}
                }
                fieldset {
                    legend { (codes_legend) }
                    @for (i, (code, description)) in codes.enumerate() {
                        @let id = format!("code-{i}");
                        label.choice for=(id) {
                            input #(id) type="checkbox" name="codes" value=(code);
                            " " strong { (code) } " — " (description)
                        }
                    }
                }
                button.danger type="submit" { "Reject" }
            }
        }
    }
}
