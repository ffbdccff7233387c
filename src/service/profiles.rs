//! The guided Primary (or inquiry) profile: one operation that creates the HQ address, the
//! bundle, its end users and address document, assigns them (and a supporting Primary for
//! a Secondary), evaluates and submits. The console's form (`http/console/profile_form.rs`)
//! and hosted inquiries only parse and render; this is the one place the steps live.
//!
//! **One store transaction, the same rules.** Each row is first checked and built, without
//! a write, by the function its single API operation uses: `addresses::build`,
//! `bundles::build`, `entities::build`, `assignments::build_entity` (with `referable`, so
//! `domain::bundle::may_reference`). Then one transaction (`Store::begin`, a `store::Tx`)
//! writes them through the store's own statements, with their checks under lock
//! (`Tx::insert_entity_assignment` is `Store::insert_entity_assignment`'s code), judges what
//! the transaction now holds with `evaluations::judge`, applies `bundles::submission` (a
//! noncompliant evaluation keeps the bundle a draft and the evaluation is kept; a compliant
//! one saves the status change with its events and callback and review jobs), and commits.
//! Any failure, a planted one included, drops the transaction: nothing is left, events and
//! jobs included; a crash before COMMIT leaves nothing either.
//!
//! Why a transaction-scoped handle rather than one store method writing a "profile plan":
//! the evaluation must judge the rows as the transaction holds them (the supporting
//! Primary's status read under the lock the assignment took), which a plan written in one
//! call cannot give without the store running the service's rules; and the handle reuses
//! each store write as it is, so no statement or check exists twice. Everything is built
//! before the transaction opens, so the transaction (which on SQLite holds the write lock)
//! only writes and reads back its own rows, and never waits for a read outside it (the
//! in-memory store has one connection).
//!
//! **Once.** A hosted inquiry is marked finished by the first statement of the
//! transaction, only while its link is the one the session was opened with; the console's
//! form carries a one-time `form_id`, recorded the same way (`Tx::use_form`). A second
//! submission (a double click, another server) waits for the first transaction and then
//! makes nothing.
//!
//! The work runs as a task of its own: no longer for atomicity (the transaction gives
//! that), but so that a form the client has sent is carried out whole even when the client
//! leaves — a browser cancels the first request of a double click, and the second then
//! finds the profile the first made.

use serde_json::{json, Value};
use std::sync::Arc;

use super::accounts::hash_secret;
use super::addresses::{self, AddressInput};
use super::bundles::{self, NewBundle, Submission};
use super::{assignments, entities, evaluations, lifecycle, App};
use crate::domain::bundle::{BundleKind, Status};
use crate::error::{Error, Result};
use crate::store::{
    Account, Bundle, Entity, EntityAssignment, EntityKind, Event, StoreError, StoreResult,
};

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
    /// What the profile is made once for.
    pub once: Once,
}

/// What makes a profile at most once, checked in its transaction.
pub enum Once {
    /// The console form's one-time id: the rendered form makes one profile at most.
    Form(String),
    /// A hosted inquiry, which the profile finishes, and the SHA-256 of the session token
    /// its page was opened with (a resumed inquiry's old link finishes nothing).
    Inquiry { id: String, token_hash: String },
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
    /// Nothing was made.
    Refused { step: Step, error: Error },
    /// This rendered form (`form_id`) made `bundle_sid` already; nothing more was made.
    SentAlready { bundle_sid: String },
}

/// Why the operation stopped: a refusal of a step (shown on the form), or a failure.
enum Stop {
    At(Step, Error),
    Fail(Error),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Fail(e.into())
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Fail(e)
    }
}

trait At<T> {
    fn at(self, step: Step) -> Result<T, Stop>;
}

impl<T> At<T> for Result<T> {
    fn at(self, step: Step) -> Result<T, Stop> {
        self.map_err(|e| match e {
            Error::Internal(e) => Stop::Fail(Error::Internal(e)),
            e => Stop::At(step, e),
        })
    }
}

/// Creates the whole profile for `account` in one transaction (see the module doc),
/// detached from the caller. Errors: a refused step is `Outcome::Refused`, a form sent
/// before `Outcome::SentAlready`; an inquiry finished already (or whose link was replaced)
/// is a 409 (20409); a store failure is `Err`. In every case but `Done`, nothing was made.
pub async fn create(app: &Arc<App>, account: &Account, p: NewProfile) -> Result<Outcome> {
    let (app, account) = (app.clone(), account.clone());
    tokio::spawn(async move {
        match create_whole(&app, &account, p).await {
            Ok(outcome) => Ok(outcome),
            Err(Stop::At(step, error)) => Ok(Outcome::Refused { step, error }),
            Err(Stop::Fail(e)) => Err(e),
        }
    })
    .await
    .map_err(|e| Error::Internal(e.into()))?
}

/// Test builds only, between the steps inside the transaction:
/// `TRUSTHUB_TEST_PROFILE_PAUSE_MS` waits (at every step, or only at
/// `TRUSTHUB_TEST_PROFILE_PAUSE_AT`, logging "profile form paused" with the step first, so a
/// test can hang up or kill the server mid-operation), and `TRUSTHUB_TEST_PROFILE_FAIL=<step>`
/// plants a store failure after that step. Steps: `address`, `bundle`, `end user`,
/// `document`, `evaluation` (the last write before COMMIT). Release builds compile this to
/// nothing.
async fn checkpoint(step: &str) -> Result<(), Stop> {
    if cfg!(debug_assertions) {
        let at = std::env::var("TRUSTHUB_TEST_PROFILE_PAUSE_AT").ok();
        if let Some(ms) = std::env::var("TRUSTHUB_TEST_PROFILE_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|_| at.as_deref().is_none_or(|at| at == step))
        {
            tracing::info!(step, "profile form paused (test hook)");
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        if std::env::var("TRUSTHUB_TEST_PROFILE_FAIL").is_ok_and(|v| v == step) {
            return Err(Stop::Fail(Error::Internal(anyhow::anyhow!(
                "planted failure after {step}"
            ))));
        }
    }
    Ok(())
}

/// An entity to make and assign, built and checked.
struct Part {
    entity: Entity,
    assignment: EntityAssignment,
    assigned: Event,
    /// The checkpoint after it.
    step: &'static str,
}

async fn create_whole(app: &App, account: &Account, p: NewProfile) -> Result<Outcome, Stop> {
    // 1. Check and build every row, writing nothing.
    let address = match &p.address {
        None => None,
        Some((input, _, _)) => {
            Some(addresses::build(app, account, input.clone()).at(Step::Address)?)
        }
    };
    let kind = BundleKind::CustomerProfile;
    let (bundle, created) = bundles::build(app, &account.sid, kind, p.bundle, true)
        .await
        .at(Step::Bundle)?;
    let mut made: Vec<(Entity, &'static str)> = Vec::new();
    for (type_name, name, attributes) in p.end_users {
        let e = entities::build(
            app,
            &account.sid,
            EntityKind::EndUser,
            name,
            &type_name,
            attributes,
        );
        made.push((e.at(Step::Content)?, "end user"));
    }
    if let (Some((_, doc_type, field)), Some(a)) = (&p.address, &address) {
        let doc = entities::build(
            app,
            &account.sid,
            EntityKind::SupportingDocument,
            format!("{} HQ address", p.business),
            doc_type,
            json!({ field.as_str(): a.sid }),
        );
        made.push((doc.at(Step::Content)?, "document"));
    }
    let entities: Vec<Entity> = made.iter().map(|(e, _)| e.clone()).collect();
    let mut parts = Vec::new();
    for (entity, step) in made {
        let (assignment, assigned) =
            assignments::build_entity(app, &bundle, &entity.sid, &entities)
                .await
                .at(Step::Content)?;
        parts.push(Part {
            entity,
            assignment,
            assigned,
            step,
        });
    }
    let supporting = match &p.supporting {
        Some(primary) => Some(
            assignments::build_entity(app, &bundle, primary, &[])
                .await
                .at(Step::Content)?,
        ),
        None => None,
    };
    let policy = evaluations::policy(app, &bundle.policy_sid).at(Step::Bundle)?;

    // 2. Write them in one transaction.
    let mut tx = app.store.begin().await?;
    match &p.once {
        Once::Inquiry { id, token_hash } => {
            if !tx.finish_inquiry(id, token_hash, &bundle.sid).await? {
                return Err(Stop::Fail(Error::conflict(
                    20409,
                    "This form was sent already, or its link was replaced by a newer one; reload the page",
                )));
            }
        }
        Once::Form(form_id) => {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            // A form can be sent as long as the sign-in that shows it lasts.
            let until = now + app.settings.console_session_ttl;
            let used = tx
                .use_form(&account.sid, &hash_secret(form_id), &bundle.sid, now, until)
                .await?;
            if let Some(bundle_sid) = used {
                return Ok(Outcome::SentAlready { bundle_sid });
            }
        }
    }
    if let Some(a) = address {
        tx.insert_address(a).await?;
        checkpoint("address").await?;
    }
    let bundle_sid = bundle.sid.clone();
    tx.insert_bundle(bundle.clone(), created).await?;
    checkpoint("bundle").await?;
    let open = assignments::entities_open();
    for part in parts {
        tx.insert_entity(part.entity).await?;
        let object_sid = part.assignment.object_sid.clone();
        let written = tx
            .insert_entity_assignment(part.assignment, &open, part.assigned)
            .await;
        assignment_written(written, &bundle, &object_sid)?;
        checkpoint(part.step).await?;
    }
    if let Some((assignment, assigned)) = supporting {
        let object_sid = assignment.object_sid.clone();
        let written = tx
            .insert_entity_assignment(assignment, &open, assigned)
            .await;
        assignment_written(written, &bundle, &object_sid)?;
    }
    // The evaluation judges what this transaction holds, with the API's rule.
    let stored = tx.bundle(&account.sid, &bundle_sid).await?.ok_or_else(|| {
        Error::Internal(anyhow::anyhow!("the new bundle is not in its transaction"))
    })?;
    let (objects, supporting) = tx.assigned_objects(&bundle_sid).await?;
    let named = evaluations::named_addresses(&objects);
    let addresses = tx.existing_addresses(&account.sid, &named).await?;
    let (evaluation, outcome) =
        evaluations::judge(app, &stored, policy, &objects, &supporting, addresses)?;
    if !p.submit {
        let evaluated = evaluations::evaluated(&stored, &evaluation);
        tx.insert_evaluation(evaluation, evaluated).await?;
        checkpoint("evaluation").await?;
        tx.commit().await?;
        return Ok(Outcome::Done {
            bundle: stored,
            submitted: false,
        });
    }
    bundles::check_transition(&stored, Status::PendingReview)?;
    match bundles::submission(
        app,
        stored.clone(),
        Status::PendingReview,
        None,
        evaluation,
        outcome,
    ) {
        Submission::Accepted(change) => {
            let after = lifecycle::AfterCommit::of(&change);
            tx.save_bundle(change).await?;
            checkpoint("evaluation").await?;
            tx.commit().await?;
            Ok(Outcome::Done {
                bundle: after.done(app),
                submitted: true,
            })
        }
        // Noncompliant: the evaluation is kept, the bundle stays a draft.
        Submission::Refused {
            evaluation, event, ..
        } => {
            tx.insert_evaluation(evaluation, event).await?;
            checkpoint("evaluation").await?;
            tx.commit().await?;
            Ok(Outcome::Done {
                bundle: stored,
                submitted: false,
            })
        }
    }
}

/// An assignment the store refused under lock (the supporting Primary changed meanwhile)
/// is the content step's refusal, worded as the API words it.
fn assignment_written<T>(written: StoreResult<T>, b: &Bundle, object_sid: &str) -> Result<T, Stop> {
    written.map_err(|e| match e {
        StoreError::Other(e) => Stop::Fail(Error::Internal(e)),
        e => Stop::At(
            Step::Content,
            assignments::entity_write_refused(b, object_sid, e),
        ),
    })
}
