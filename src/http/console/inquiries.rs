//! The hosted compliance inquiry page: the `url` the `/v1/ComplianceInquiries/...` API
//! (`http/inquiries.rs`) returns opens it without sign-in, and the end customer fills in
//! the guided business form. The result is a Customer Profile of the ISV's (the calling)
//! account: a Secondary Customer Profile with the named primary assigned when a
//! PrimaryProfileSid (Tollfree: CustomerProfileSid) was given, as Twilio describes, else a
//! Primary Customer Profile. The inquiry itself is `service::inquiries` state, in the store.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::fields::{Errors, Values};
use super::layout::{self, status_badge};
use super::profile_form::{self, Created, Hidden, PRIMARY_BUSINESS};
use super::session::{self, check_csrf, MaybeSession, Session, Who};
use crate::http::form::Params;
use crate::http::path::Path;
use crate::service::inquiries;
use crate::service::profiles::Once;
use crate::service::App;
use crate::store::Inquiry;

/// Twilio's Secondary Customer Profile of type Business.
const SECONDARY_BUSINESS: &str = "RNdfbf3fae0e1107f8aded0e7cead80bf5";

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/console/inquiries/{inquiry}", get(open).post(complete))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    session_token: Option<String>,
}

fn policy_of(i: &Inquiry) -> &'static str {
    if i.primary_sid.is_some() {
        SECONDARY_BUSINESS
    } else {
        PRIMARY_BUSINESS
    }
}

async fn view(
    app: &App,
    i: &Inquiry,
    s: &Session,
    values: &Values,
    errors: &Errors,
    form_error: Option<&str>,
) -> ConsoleResult<Markup> {
    if let Some(sid) = &i.bundle_sid {
        let b = app
            .store
            .bundle(&i.account_sid, sid)
            .await?
            .ok_or(ConsoleError::NotFound)?;
        return Ok(layout::bare(
            "Business profile",
            html! {
                h1 { "Thank you" }
                p { "Your business profile " strong { (b.friendly_name) } " was received and is " (status_badge(b.status)) "." }
                p { "Reference: " code { (b.sid) } ". You can close this page." }
            },
        ));
    }
    let policy = app
        .catalog
        .policy(policy_of(i))
        .ok_or(ConsoleError::NotFound)?;
    let action = format!("/console/inquiries/{}", i.id);
    let hidden = Hidden {
        csrf: &s.csrf,
        form_id: None,
    };
    Ok(layout::bare(
        "Business profile",
        html! {
            h1 { "Tell us about your business" }
            p.lead { "This information is checked before your phone numbers can be used. Fields marked * are required." }
            (profile_form::form_body(app, policy, values, errors, form_error, hidden, &action))
        },
    ))
}

/// With the token: starts a session for this inquiry alone and shows the form at once
/// (no redirect, so the SameSite=Strict cookie is set even when arriving from the ISV's site).
/// The session lasts while the token does: resuming the inquiry (a new token) ends it.
async fn open(
    State(app): State<Arc<App>>,
    s: MaybeSession,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> ConsoleResult<Response> {
    let (i, _) = inquiries::get(&app, &id)
        .await?
        .ok_or(ConsoleError::SignIn)?;
    let MaybeSession(s, handle) = s;
    let session = match (q.session_token, s) {
        (Some(t), _) if inquiries::token_matches(&i, &t) => {
            let who = Who::Inquiry {
                inquiry_id: id.clone(),
                account_sid: i.account_sid.clone(),
                token_hash: i.token_hash.clone(),
            };
            session::start(&app, &handle, who).await?
        }
        (None, Some(s)) => held(s, &i).await?,
        _ => return Err(ConsoleError::SignIn),
    };
    let prefill = Values(inquiries::prefill(&i)?);
    Ok(view(&app, &i, &session, &prefill, &Errors::new(), None)
        .await?
        .into_response())
}

/// Session `s` if it was started for inquiry `i` with its current token. A session opened
/// with a token the inquiry no longer has (it was resumed since) is ended here; any other
/// is left alone. Otherwise: sign in (no session for this page).
async fn held(s: Session, i: &Inquiry) -> ConsoleResult<Session> {
    let Who::Inquiry {
        inquiry_id,
        token_hash,
        ..
    } = &s.who
    else {
        return Err(ConsoleError::SignIn);
    };
    if inquiry_id != &i.id {
        return Err(ConsoleError::SignIn);
    }
    if !session::equal(token_hash, &i.token_hash) {
        session::end(&s).await?;
        return Err(ConsoleError::SignIn);
    }
    Ok(s)
}

async fn complete(
    State(app): State<Arc<App>>,
    s: MaybeSession,
    Path(id): Path<String>,
    params: Params,
) -> ConsoleResult<Response> {
    let s = s.0.ok_or(ConsoleError::SignIn)?;
    if !matches!(&s.who, Who::Inquiry { inquiry_id, .. } if inquiry_id == &id) {
        return Err(ConsoleError::SignIn);
    }
    let (mut i, _) = inquiries::get(&app, &id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    let s = held(s, &i).await?;
    check_csrf(&s, &params)?;
    if i.bundle_sid.is_some() {
        return Ok(view(&app, &i, &s, &Values::default(), &Errors::new(), None)
            .await?
            .into_response());
    }
    let account = app
        .store
        .account(&i.account_sid)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    // An inquiry opened before its account was suspended or closed creates nothing after.
    crate::service::accounts::ensure_active(&app, &account).await?;
    let policy = app
        .catalog
        .policy(policy_of(&i))
        .ok_or(ConsoleError::NotFound)?;
    let values = Values(params.0);
    let primary = i.primary_sid.as_deref();
    // The token this session was opened with: the profile finishes the inquiry only while
    // it is still the inquiry's.
    let once = Once::Inquiry {
        id: i.id.clone(),
        token_hash: i.token_hash.clone(),
    };
    match profile_form::create(&app, &account, policy, &values, primary, true, once).await? {
        Created::Done { bundle, .. } => {
            i.bundle_sid = Some(bundle.sid);
            Ok(view(&app, &i, &s, &values, &Errors::new(), None)
                .await?
                .into_response())
        }
        Created::SentAlready { bundle_sid } => {
            i.bundle_sid = Some(bundle_sid);
            Ok(view(&app, &i, &s, &values, &Errors::new(), None)
                .await?
                .into_response())
        }
        Created::Invalid { errors, message } => {
            let page = view(&app, &i, &s, &values, &errors, message.as_deref()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
