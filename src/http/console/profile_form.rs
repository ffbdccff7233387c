//! "Create a Primary Business Profile": a guided form generated from the policy's
//! requirements. The form is checked here; `service::profiles` creates, evaluates and
//! submits the whole profile as one operation. Hosted compliance inquiries reuse the form.

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
use super::layout::{self, csrf_field};
use super::session::{Customer, Form};
use crate::domain::policy::{Format, ObjectType, Policy};
use crate::domain::validate::is_email;
use crate::error::Error;
use crate::http::path::Path;
use crate::service::addresses::AddressInput;
use crate::service::bundles::NewBundle;
use crate::service::profiles::{self, NewProfile, Once, Outcome, Step};
use crate::service::App;
use crate::store::{Account, Bundle};

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

/// The hidden fields of a form: the session's CSRF token and, for the console's own form,
/// the rendered form's one-time id (the profile service makes one profile per id).
pub struct Hidden<'a> {
    pub csrf: &'a str,
    pub form_id: Option<&'a str>,
}

/// The whole form; `action` is where it posts.
pub fn form_body(
    app: &App,
    policy: &Policy,
    values: &Values,
    errors: &Errors,
    form_error: Option<&str>,
    hidden: Hidden,
    action: &str,
) -> Markup {
    html! {
        (error_summary(errors))
        @if let Some(e) = form_error { div.error-summary role="alert" { p { (e) } } }
        form.guided method="post" action=(action) novalidate data-validate="" {
            (csrf_field(hidden.csrf))
            @if let Some(id) = hidden.form_id { input type="hidden" name=(FORM_ID) value=(id); }
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

/// The hidden field carrying a rendered form's one-time id.
pub const FORM_ID: &str = "form_id";

/// What became of a create attempt.
pub enum Created {
    Done {
        bundle: Bundle,
        submitted: bool,
    },
    /// This rendered form made `bundle_sid` before: nothing more was made.
    SentAlready {
        bundle_sid: String,
    },
    Invalid {
        errors: Errors,
        message: Option<String>,
    },
}

/// Where an Address error belongs in the form, and how to say it there.
fn address_error(e: &Error) -> Option<(&'static str, String)> {
    match e {
        Error::MissingParameter(p) => ADDRESS_FIELDS
            .iter()
            .find(|(_, _, _, _, param)| param == p)
            .map(|(name, label, ..)| (*name, format!("{label} is required."))),
        Error::Invalid { code: 21628, .. } => Some(("address.iso_country", format!("{e}."))),
        _ => None,
    }
}

/// Checks the form, then has `service::profiles` create the whole profile for `account`
/// (and assign `supporting`, a primary profile for a secondary one), evaluate and submit.
/// This only parses and maps failures back onto the form's fields. `once`: the rendered
/// form's one-time id, or the hosted inquiry it finishes.
pub async fn create(
    app: &Arc<App>,
    account: &Account,
    policy: &Policy,
    values: &Values,
    supporting: Option<&str>,
    submit: bool,
    once: Once,
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
    let doc_type = address_type(app, policy);
    if doc_type.is_some() {
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
    let opt = |name: &str| Some(values.get(name).to_string()).filter(|s| !s.is_empty());
    // With an encryption key, names never quote attribute values (they are stored in
    // clear): the profile's own name, or the policy's, labels what the form creates.
    let encrypting = crate::store::codec::encrypting();
    let business = match people
        .iter()
        .find_map(|(_, a)| a.get("business_name").and_then(Value::as_str))
    {
        Some(name) if !encrypting => name.to_string(),
        _ => opt("profile.friendly_name").unwrap_or_else(|| policy.friendly_name.clone()),
    };
    let address = doc_type.map(|t| {
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
        let field = t
            .fields
            .iter()
            .find(|f| f.format == Some(Format::AddressSids))
            .map(|f| f.machine_name.clone())
            .unwrap_or_default();
        (input, t.machine_name.clone(), field)
    });
    let end_users = people
        .into_iter()
        .map(|(t, attrs)| {
            let name = match (attrs.get("first_name"), attrs.get("last_name")) {
                _ if encrypting => t.friendly_name.clone(),
                (Some(Value::String(f)), Some(Value::String(l))) => format!("{f} {l}"),
                _ => format!("{business} – {}", t.friendly_name),
            };
            (t.machine_name.clone(), name, Value::Object(attrs))
        })
        .collect();
    let new = NewProfile {
        bundle: NewBundle {
            friendly_name: opt("profile.friendly_name").unwrap_or_else(|| business.clone()),
            email: email.to_string(),
            policy_sid: policy.sid.clone(),
            status_callback: opt("profile.status_callback"),
        },
        business,
        end_users,
        address,
        supporting: supporting.map(str::to_string),
        submit,
        once,
    };
    match profiles::create(app, account, new).await? {
        Outcome::Done { bundle, submitted } => Ok(Created::Done { bundle, submitted }),
        Outcome::SentAlready { bundle_sid } => Ok(Created::SentAlready { bundle_sid }),
        Outcome::Refused { step, error } => {
            let field = match step {
                Step::Address => address_error(&error),
                Step::Bundle => match error.code() {
                    20002 => Some("profile.friendly_name"),
                    21609 => Some("profile.status_callback"),
                    20001 => Some("profile.email"),
                    _ => None,
                }
                .map(|name| (name, format!("{error}."))),
                Step::Content => {
                    return Ok(Created::Invalid {
                        errors,
                        message: Some(error.to_string()),
                    })
                }
            };
            let Some((name, message)) = field else {
                return Err(error.into());
            };
            errors.insert(name.into(), message);
            Ok(Created::Invalid {
                errors,
                message: None,
            })
        }
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
    // A new rendering is a new form; one shown again after a refusal keeps its id (the
    // refused attempt made nothing).
    let form_id = Some(values.get(FORM_ID))
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .unwrap_or_else(crate::service::random_token);
    let hidden = Hidden {
        csrf: &c.session.csrf,
        form_id: Some(&form_id),
    };
    let body = html! {
        h1 { "Create a Primary Business Profile" }
        p.lead { "Tell us about the business behind " strong { (viewing.friendly_name) } ". "
            "Every field below comes from the policy " em { (p.friendly_name) } " (" code { (p.sid) } "); fields marked * are required." }
        (form_body(app, p, values, errors, form_error, hidden, &action))
    };
    Ok(layout::page(
        "Create a Primary Business Profile",
        c.nav(viewing),
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
    Path(account): Path<String>,
    Form { who: c, params }: Form<Customer>,
) -> ConsoleResult<Response> {
    let viewing = c.scope(&app, &account).await?;
    let values = Values(params.0);
    let submit = values.get("action") != "draft";
    let form_id = values.get(FORM_ID).to_string();
    if form_id.is_empty() {
        return Err(ConsoleError::BadRequest(
            "This form is out of date: reload the page and send it again.".into(),
        ));
    }
    let once = Once::Form(form_id);
    match create(&app, &viewing, policy(&app)?, &values, None, submit, once).await? {
        Created::SentAlready { bundle_sid } => Ok(Redirect::to(&format!(
            "/console/accounts/{}/bundles/{bundle_sid}?notice=sent-already",
            viewing.sid
        ))
        .into_response()),
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
