//! The guided Primary (or inquiry) profile: one operation that creates the HQ address, the
//! bundle, its end users and address document, assigns them (and a supporting Primary for
//! a Secondary), evaluates and submits. The console's form (`http/console/profile_form.rs`)
//! and hosted inquiries only parse and render; this is the one place the steps live.
//!
//! It is one unit of work in the sense that matters to a client: it runs as a task of its
//! own, so a client that hangs up (the server then drops the request's future) cannot stop
//! it half way, and when a step fails the steps made before it are undone in that task.
//! (A crash of the server between steps can still leave drafts behind: the service
//! operations it calls each commit on their own.)

use serde_json::{json, Value};
use std::sync::Arc;

use super::addresses::{self, AddressInput};
use super::bundles::{self, BundleChanges, NewBundle};
use super::{assignments, entities, evaluations, App};
use crate::domain::bundle::BundleKind;
use crate::error::{Error, Result};
use crate::store::{Account, Bundle, EntityKind};

/// Seconds (real time) an inquiry stays claimed by the request completing it.
const CLAIM_SECONDS: i64 = 120;

/// What to create.
pub struct NewProfile {
    pub bundle: NewBundle,
    /// Names the address, its document and unnamed end users.
    pub business: String,
    /// End users to create and assign: (type machine name, friendly name, attributes).
    pub end_users: Vec<(String, String, Value)>,
    /// The HQ address, the document type that names it and that type's AddressSids field.
    pub address: Option<(AddressInput, String, String)>,
    /// A Primary profile to assign (for a Secondary).
    pub supporting: Option<String>,
    /// Submit (`pending-review`) after the evaluation; else leave a draft.
    pub submit: bool,
    /// The hosted inquiry this profile finishes (recorded in the same detached task).
    pub inquiry: Option<String>,
}

/// The step a failure belongs to (the form shows it there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Address,
    Bundle,
    /// End users, the document and the assignments.
    Content,
}

pub enum Outcome {
    /// `submitted` is false for a draft, or when the evaluation was noncompliant (the
    /// evaluation is kept and the bundle stays a draft).
    Done { bundle: Bundle, submitted: bool },
    /// Nothing was left behind.
    Refused { step: Step, error: Error },
}

/// Creates the whole profile for `account`, detached from the caller (see the module doc).
/// For an inquiry (`p.inquiry`), the inquiry is claimed first and finished in the same
/// task. Errors: a refused step is `Outcome::Refused`; an inquiry being completed by
/// another request is a 409 (20409); a store failure is `Err`, also after undoing what
/// was made.
pub async fn create(app: &Arc<App>, account: &Account, p: NewProfile) -> Result<Outcome> {
    let (app, account) = (app.clone(), account.clone());
    tokio::spawn(async move {
        let Some(inquiry) = p.inquiry.clone() else {
            return create_whole(&app, &account, p).await;
        };
        // One completion at a time: a second request (a double click, another server)
        // waits for no one and creates nothing. A claim of a server that died lapses.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        if !app
            .store
            .claim_inquiry(&inquiry, now, now + CLAIM_SECONDS)
            .await?
        {
            return Err(Error::conflict(
                20409,
                "This form is being sent, or was sent already; reload the page",
            ));
        }
        let outcome = create_whole(&app, &account, p).await;
        match &outcome {
            Ok(Outcome::Done { bundle, .. }) => {
                app.store.finish_inquiry(&inquiry, &bundle.sid).await?;
            }
            _ => app.store.release_inquiry(&inquiry).await?,
        }
        outcome
    })
    .await
    .map_err(|e| Error::Internal(e.into()))?
}

/// Test builds only: `TRUSTHUB_TEST_PROFILE_PAUSE_MS` waits between steps (so a test can
/// hang up mid-operation) and `TRUSTHUB_TEST_PROFILE_FAIL=<step>` plants a store failure
/// after that step. Release builds compile this to nothing.
async fn checkpoint(step: &str) -> Result<()> {
    if cfg!(debug_assertions) {
        if let Some(ms) = std::env::var("TRUSTHUB_TEST_PROFILE_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        if std::env::var("TRUSTHUB_TEST_PROFILE_FAIL").is_ok_and(|v| v == step) {
            return Err(Error::Internal(anyhow::anyhow!(
                "planted failure after {step}"
            )));
        }
    }
    Ok(())
}

/// Undoes a half-made profile (best effort: a failure leaves only unassigned drafts).
async fn roll_back(
    app: &App,
    account: &Account,
    bundle: Option<&Bundle>,
    made: &[(EntityKind, String)],
    address: Option<&str>,
) {
    if let Some(b) = bundle {
        let _ = bundles::delete(app, &account.sid, b.kind, &b.sid).await;
    }
    for (kind, sid) in made {
        let _ = entities::delete(app, &account.sid, *kind, sid).await;
    }
    if let Some(a) = address {
        let _ = addresses::delete(app, account, a).await;
    }
}

async fn create_whole(app: &App, account: &Account, p: NewProfile) -> Result<Outcome> {
    let address = match &p.address {
        None => None,
        Some((input, _, _)) => match addresses::create(app, account, input.clone()).await {
            Ok(a) => Some(a),
            Err(Error::Internal(e)) => return Err(Error::Internal(e)),
            Err(error) => {
                return Ok(Outcome::Refused {
                    step: Step::Address,
                    error,
                })
            }
        },
    };
    let address_sid = address.as_ref().map(|a| a.sid.clone());
    let made_bundle = match checkpoint("address").await {
        Ok(()) => {
            bundles::create(
                app,
                &account.sid,
                BundleKind::CustomerProfile,
                p.bundle,
                true,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let bundle = match made_bundle {
        Ok(b) => b,
        Err(e) => {
            roll_back(app, account, None, &[], address_sid.as_deref()).await;
            return match e {
                Error::Internal(e) => Err(Error::Internal(e)),
                error => Ok(Outcome::Refused {
                    step: Step::Bundle,
                    error,
                }),
            };
        }
    };
    let mut made: Vec<(EntityKind, String)> = Vec::new();
    let content: Result<()> = async {
        checkpoint("bundle").await?;
        for (type_name, name, attributes) in p.end_users {
            let e = entities::create(
                app,
                &account.sid,
                EntityKind::EndUser,
                name,
                &type_name,
                attributes,
            )
            .await?;
            made.push((EntityKind::EndUser, e.sid.clone()));
            assignments::create_entity(app, &bundle, &e.sid).await?;
            checkpoint("end user").await?;
        }
        if let (Some((_, doc_type, field)), Some(a)) = (&p.address, &address) {
            let doc = entities::create(
                app,
                &account.sid,
                EntityKind::SupportingDocument,
                format!("{} HQ address", p.business),
                doc_type,
                json!({ field.as_str(): a.sid }),
            )
            .await?;
            made.push((EntityKind::SupportingDocument, doc.sid.clone()));
            assignments::create_entity(app, &bundle, &doc.sid).await?;
            checkpoint("document").await?;
        }
        if let Some(primary) = &p.supporting {
            assignments::create_entity(app, &bundle, primary).await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = content {
        roll_back(app, account, Some(&bundle), &made, address_sid.as_deref()).await;
        return match e {
            Error::Internal(e) => Err(Error::Internal(e)),
            error => Ok(Outcome::Refused {
                step: Step::Content,
                error,
            }),
        };
    }
    if !p.submit {
        if let Err(e) = evaluations::create(app, &bundle, &bundle.policy_sid).await {
            roll_back(app, account, Some(&bundle), &made, address_sid.as_deref()).await;
            return Err(e);
        }
        return Ok(Outcome::Done {
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
        Ok(b) => Ok(Outcome::Done {
            bundle: b,
            submitted: true,
        }),
        Err(Error::Invalid {
            code: evaluations::NONCOMPLIANT,
            ..
        }) => Ok(Outcome::Done {
            bundle,
            submitted: false,
        }),
        // Anything else: nothing of the profile is kept (a retry must not make a second).
        Err(e) => {
            roll_back(app, account, Some(&bundle), &made, address_sid.as_deref()).await;
            Err(e)
        }
    }
}
