//! "Create a Primary Business Profile": a guided form generated from the policy's
//! requirements. The objects are created through the service layer, then evaluated and
//! submitted. Hosted compliance inquiries reuse the same form.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use maud::{html, Markup};
use serde_json::{json, Map, Value};
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::fields::{self, error_summary, input_id, Errors, Values};
use super::layout::{self, csrf_field, Nav};
use super::session::{check_csrf, Customer};
use crate::domain::bundle::BundleKind;
use crate::domain::policy::{Format, ObjectType, Policy};
use crate::domain::validate::is_email;
use crate::error::ApiError;
use crate::http::form::Params;
use crate::http::path::Path;
use crate::service::addresses::{self, AddressInput};
use crate::service::bundles::{self, BundleChanges, NewBundle};
use crate::service::{assignments, entities, evaluations, App};
use crate::store::{Account, Bundle, EntityKind};

/// Twilio's Primary Customer Profile of type Business (console-only).
pub const PRIMARY_BUSINESS: &str = "RN6433641899984f951173ef1738c3bdd0";

pub fn routes() -> Router<Arc<App>> {
    Router::new().route(
        "/console/accounts/{account}/primary-profile/new",
        get(new_form).post(create_submit),
    )
}

/// The catalog's field rules for `console.js` (the same `fields` as `/v1/EndUserTypes`).
pub async fn rules_json(State(app): State<Arc<App>>) -> Response {
    let by_name = |types: &[ObjectType]| -> Map<String, Value> {
        types
            .iter()
            .map(|t| (t.machine_name.clone(), json!(t.fields)))
            .collect()
    };
    let body = json!({
        "end_user_types": by_name(&app.catalog.end_user_types),
        "supporting_document_types": by_name(&app.catalog.supporting_document_types),
    });
    (
        [(axum::http::header::CACHE_CONTROL, "public, max-age=300")],
        Json(body),
    )
        .into_response()
}

/// The Address inputs: (input name, label, required, hint, Address parameter name).
const ADDRESS_FIELDS: [(&str, &str, bool, &str, &str); 6] = [
    (
        "address.street",
        "Street",
        true,
        "Number and street.",
        "Street",
    ),
    (
        "address.street_secondary",
        "Street, line 2",
        false,
        "Suite, floor… (optional).",
        "StreetSecondary",
    ),
    ("address.city", "City", true, "", "City"),
    (
        "address.region",
        "State or region",
        true,
        "E.g. CA.",
        "Region",
    ),
    ("address.postal_code", "Postal code", true, "", "PostalCode"),
    (
        "address.iso_country",
        "Country",
        true,
        "Two-letter ISO code, e.g. US.",
        "IsoCountry",
    ),
];

fn text_field(
    name: &str,
    label: &str,
    required: bool,
    hint: &str,
    kind: &str,
    values: &Values,
    errors: &Errors,
) -> Markup {
    let id = input_id(name);
    let error = errors.get(name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) @if required { span.req aria-hidden="true" { " *" } } }
            input #(id) type=(kind) name=(name) value=(values.get(name)) required[required]
                aria-describedby={ (id) "-hint " (id) "-error" } aria-invalid=[error.map(|_| "true")];
            p.hint #{ (id) "-hint" } { @if required { "Required. " } @else { "Optional. " } (hint) }
            p.field-error #{ (id) "-error" } aria-live="polite" { @if let Some(e) = error { (e) } }
        }
    }
}

/// The document requirement that takes an Address (the HQ address), if the policy has one.
fn address_type<'a>(app: &'a App, policy: &Policy) -> Option<&'a ObjectType> {
    policy
        .requirements
        .supporting_document
        .iter()
        .flatten()
        .flat_map(|r| r.accepted_documents.iter())
        .filter_map(|t| app.catalog.document_type(t))
        .find(|t| {
            t.fields
                .iter()
                .any(|f| f.format == Some(Format::AddressSids))
        })
}

/// The whole form; `action` is where it posts.
pub fn form_body(
    app: &App,
    policy: &Policy,
    values: &Values,
    errors: &Errors,
    form_error: Option<&str>,
    csrf: &str,
    action: &str,
) -> Markup {
    html! {
        (error_summary(errors))
        @if let Some(e) = form_error { div.error-summary role="alert" { p { (e) } } }
        form.guided method="post" action=(action) novalidate data-validate="" {
            (csrf_field(csrf))
            fieldset {
                legend { "Profile" }
                (text_field("profile.friendly_name", "Profile name", false, "Defaults to the business name.", "text", values, errors))
                (text_field("profile.email", "Notification email", true, "Review results are sent here.", "email", values, errors))
                (text_field("profile.status_callback", "Status callback URL", false, "We POST each status change here (http or https).", "url", values, errors))
            }
            @for req in &policy.requirements.end_user {
                @if let Some(t) = app.catalog.end_user_type(&req.type_name) {
                    @if req.optional {
                        details.optional open[fields::any_value(t, &t.machine_name, values)] {
                            summary { "Add " (req.name) " (optional)" }
                            fieldset {
                                legend { (req.name) }
                                p.hint { "Leave every field empty to skip this section." }
                                (fields::fields(t, &t.machine_name, values, errors))
                            }
                        }
                    } @else {
                        fieldset {
                            legend { (req.name) }
                            (fields::fields(t, &t.machine_name, values, errors))
                        }
                    }
                }
            }
            @if address_type(app, policy).is_some() {
                fieldset {
                    legend { "Physical business address" }
                    p.hint { "The headquarters address: we create an Address and a customer profile address document naming it." }
                    @for (name, label, required, hint, _) in ADDRESS_FIELDS {
                        (text_field(name, label, required, hint, "text", values, errors))
                    }
                }
            }
            div.actions {
                button.primary type="submit" name="action" value="submit" { "Create and submit for review" }
                button type="submit" name="action" value="draft" { "Save as draft" }
            }
        }
    }
}

/// What became of a create attempt.
pub enum Created {
    Done {
        bundle: Bundle,
        submitted: bool,
    },
    Invalid {
        errors: Errors,
        message: Option<String>,
    },
}

/// Where an Address error belongs in the form, and how to say it there.
fn address_error(e: &ApiError) -> Option<(&'static str, String)> {
    match e {
        ApiError::MissingParameter(p) => ADDRESS_FIELDS
            .iter()
            .find(|(_, _, _, _, param)| param == p)
            .map(|(name, label, ..)| (*name, format!("{label} is required."))),
        ApiError::Invalid { code: 21628, .. } => Some(("address.iso_country", format!("{e}."))),
        _ => None,
    }
}

/// Undoes a half-made profile (best effort: a failure leaves only unassigned drafts).
async fn roll_back(
    app: &App,
    account: &Account,
    bundle: Option<&Bundle>,
    made: &[(EntityKind, String)],
    address: &str,
) {
    if let Some(b) = bundle {
        let _ = bundles::delete(app, &account.sid, b.kind, &b.sid).await;
    }
    for (kind, sid) in made {
        let _ = entities::delete(app, &account.sid, *kind, sid).await;
    }
    let _ = addresses::delete(app, account, address).await;
}

/// Validates everything, then creates the address, bundle, end users and document,
/// assigns them (and `supporting`, a primary profile for a secondary one), and submits.
/// Runs as a task of its own: a client that hangs up drops the request's future, and that
/// must not stop these writes (or their roll-back) half way.
pub async fn create(
    app: &Arc<App>,
    account: &Account,
    policy: &Policy,
    values: &Values,
    supporting: Option<&str>,
    submit: bool,
) -> ConsoleResult<Created> {
    let (app, account, values) = (app.clone(), account.clone(), values.clone());
    let (policy_sid, supporting) = (policy.sid.clone(), supporting.map(str::to_string));
    tokio::spawn(async move {
        let policy = app
            .catalog
            .policy(&policy_sid)
            .ok_or(ConsoleError::NotFound)?;
        create_whole(
            &app,
            &account,
            policy,
            &values,
            supporting.as_deref(),
            submit,
        )
        .await
    })
    .await
    .map_err(|e| ConsoleError::Internal(e.into()))?
}

async fn create_whole(
    app: &App,
    account: &Account,
    policy: &Policy,
    values: &Values,
    supporting: Option<&str>,
    submit: bool,
) -> ConsoleResult<Created> {
    let mut errors = Errors::new();
    let mut people: Vec<(&ObjectType, Map<String, Value>)> = Vec::new();
    for req in &policy.requirements.end_user {
        let Some(t) = app.catalog.end_user_type(&req.type_name) else {
            continue;
        };
        if req.optional && !fields::any_value(t, &t.machine_name, values) {
            continue;
        }
        let attrs = fields::attributes(t, &t.machine_name, values, &mut errors);
        people.push((t, attrs));
    }
    let email = values.get("profile.email");
    if email.is_empty() {
        errors.insert(
            "profile.email".into(),
            "Notification email is required.".into(),
        );
    } else if !is_email(email) {
        errors.insert(
            "profile.email".into(),
            format!("Email \"{email}\" is not a valid email address."),
        );
    }
    if address_type(app, policy).is_some() {
        // The form's own required marks, so all problems show at once; the Address
        // service still judges what is sent.
        for (name, label, required, ..) in ADDRESS_FIELDS {
            if required && values.get(name).is_empty() {
                errors.insert(name.into(), format!("{label} is required."));
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Created::Invalid {
            errors,
            message: None,
        });
    }
    let business = people
        .iter()
        .find_map(|(_, a)| a.get("business_name").and_then(Value::as_str))
        .unwrap_or("Business")
        .to_string();
    let opt = |name: &str| Some(values.get(name).to_string()).filter(|s| !s.is_empty());
    let doc_type = address_type(app, policy);
    let address = match doc_type {
        None => None,
        Some(_) => {
            let input = AddressInput {
                customer_name: Some(business.clone()),
                friendly_name: Some(business.chars().take(56).collect::<String>() + " HQ"),
                street: opt("address.street"),
                street_secondary: opt("address.street_secondary"),
                city: opt("address.city"),
                region: opt("address.region"),
                postal_code: opt("address.postal_code"),
                iso_country: opt("address.iso_country"),
                emergency_enabled: None,
            };
            match addresses::create(app, account, input).await {
                Ok(a) => Some(a),
                Err(e) => {
                    let Some((name, message)) = address_error(&e) else {
                        return Err(e.into());
                    };
                    errors.insert(name.into(), message);
                    return Ok(Created::Invalid {
                        errors,
                        message: None,
                    });
                }
            }
        }
    };
    let address_sid = address.as_ref().map(|a| a.sid.clone()).unwrap_or_default();
    let new = NewBundle {
        friendly_name: opt("profile.friendly_name").unwrap_or_else(|| business.clone()),
        email: email.to_string(),
        policy_sid: policy.sid.clone(),
        status_callback: opt("profile.status_callback"),
    };
    let bundle =
        match bundles::create(app, &account.sid, BundleKind::CustomerProfile, new, true).await {
            Ok(b) => b,
            Err(e) => {
                roll_back(app, account, None, &[], &address_sid).await;
                let name = match e.code() {
                    20002 => "profile.friendly_name",
                    21609 => "profile.status_callback",
                    20001 => "profile.email",
                    _ => return Err(e.into()),
                };
                errors.insert(name.into(), format!("{e}."));
                return Ok(Created::Invalid {
                    errors,
                    message: None,
                });
            }
        };
    let mut made: Vec<(EntityKind, String)> = Vec::new();
    let result: Result<(), ApiError> = async {
        for (t, attrs) in people {
            let name = match (attrs.get("first_name"), attrs.get("last_name")) {
                (Some(Value::String(f)), Some(Value::String(l))) => format!("{f} {l}"),
                _ => format!("{business} – {}", t.friendly_name),
            };
            let e = entities::create(
                app,
                &account.sid,
                EntityKind::EndUser,
                name,
                &t.machine_name,
                Value::Object(attrs),
            )
            .await?;
            made.push((EntityKind::EndUser, e.sid.clone()));
            assignments::create_entity(app, &bundle, &e.sid).await?;
        }
        if let (Some(t), Some(a)) = (doc_type, &address) {
            let field = t
                .fields
                .iter()
                .find(|f| f.format == Some(Format::AddressSids))
                .map(|f| f.machine_name.clone())
                .unwrap_or_default();
            let doc = entities::create(
                app,
                &account.sid,
                EntityKind::SupportingDocument,
                format!("{business} HQ address"),
                &t.machine_name,
                json!({ field: a.sid }),
            )
            .await?;
            made.push((EntityKind::SupportingDocument, doc.sid.clone()));
            assignments::create_entity(app, &bundle, &doc.sid).await?;
        }
        if let Some(primary) = supporting {
            assignments::create_entity(app, &bundle, primary).await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        roll_back(app, account, Some(&bundle), &made, &address_sid).await;
        return Ok(Created::Invalid {
            errors,
            message: Some(e.to_string()),
        });
    }
    if !submit {
        evaluations::create(app, &bundle, &bundle.policy_sid).await?;
        return Ok(Created::Done {
            bundle,
            submitted: false,
        });
    }
    // Submitting evaluates first and keeps that evaluation, compliant or not.
    let changes = BundleChanges {
        status: Some("pending-review".into()),
        ..Default::default()
    };
    match bundles::update(app, &account.sid, bundle.kind, &bundle.sid, changes).await {
        Ok(b) => Ok(Created::Done {
            bundle: b,
            submitted: true,
        }),
        Err(ApiError::Invalid {
            code: evaluations::NONCOMPLIANT,
            ..
        }) => Ok(Created::Done {
            bundle,
            submitted: false,
        }),
        Err(e) => Err(e.into()),
    }
}

fn policy(app: &App) -> ConsoleResult<&Policy> {
    app.catalog.policy(PRIMARY_BUSINESS).ok_or_else(|| {
        ConsoleError::BadRequest("This catalog has no Primary Customer Profile policy.".into())
    })
}

fn page(
    app: &App,
    c: &Customer,
    viewing: &Account,
    values: &Values,
    errors: &Errors,
    form_error: Option<&str>,
) -> ConsoleResult<Markup> {
    let p = policy(app)?;
    let action = format!("/console/accounts/{}/primary-profile/new", viewing.sid);
    let body = html! {
        h1 { "Create a Primary Business Profile" }
        p.lead { "Tell us about the business behind " strong { (viewing.friendly_name) } ". "
            "Every field below comes from the policy " em { (p.friendly_name) } " (" code { (p.sid) } "); fields marked * are required." }
        (form_body(app, p, values, errors, form_error, &c.session.csrf, &action))
    };
    Ok(layout::page(
        "Create a Primary Business Profile",
        Nav::Customer {
            me: &c.account,
            viewing,
            csrf: &c.session.csrf,
        },
        body,
    ))
}

async fn new_form(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
) -> ConsoleResult<Markup> {
    let viewing = c.scope(&app, &account).await?;
    page(&app, &c, &viewing, &Values::default(), &Errors::new(), None)
}

async fn create_submit(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    params: Params,
) -> ConsoleResult<Response> {
    check_csrf(&c.session, &params)?;
    let viewing = c.scope(&app, &account).await?;
    let values = Values(params.0);
    let submit = values.get("action") != "draft";
    match create(&app, &viewing, policy(&app)?, &values, None, submit).await? {
        Created::Done { bundle, submitted } => {
            let notice = if submitted {
                "submitted"
            } else if submit {
                "refused"
            } else {
                "created"
            };
            Ok(Redirect::to(&format!(
                "/console/accounts/{}/bundles/{}?notice={notice}",
                viewing.sid, bundle.sid
            ))
            .into_response())
        }
        Created::Invalid { errors, message } => {
            let body = page(&app, &c, &viewing, &values, &errors, message.as_deref())?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
    }
}
