//! CustomerProfiles and TrustProducts: one implementation over `BundleKind`.

use crate::domain::bundle::{self, BundleKind, Status, TransitionError};
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Bundle, BundleFilter, Page, PageQuery};

use super::{evaluations, lifecycle, App};
use crate::domain::evaluate::Outcome;
use crate::store::{BundleChange, Evaluation, Event};
use serde_json::json;

pub struct NewBundle {
    pub friendly_name: String,
    pub email: String,
    pub policy_sid: String,
    pub status_callback: Option<String>,
}

#[derive(Default)]
pub struct BundleChanges {
    pub status: Option<String>,
    pub friendly_name: Option<String>,
    pub email: Option<String>,
    pub status_callback: Option<String>,
}

pub fn not_found(kind: BundleKind, sid: &str) -> Error {
    Error::NotFound(format!("/{}/{sid}", kind.collection()))
}

/// Twilio checks the Email during review, not when it is given (seed 004's own sample
/// sends `Email=Email`): here it only has to be there. The reviewer rejects a malformed one.
fn check_email(email: &str) -> Result<()> {
    if email.trim().is_empty() {
        return Err(Error::invalid(20001, "Email must not be empty"));
    }
    Ok(())
}

/// Status callbacks are delivered by POST over http(s) only.
fn check_callback(url: &str) -> Result<()> {
    super::check_http_url("StatusCallback", url, 21609)
}

/// `console_allowed` is for the operator API: the public API refuses console-only policies.
pub async fn create(
    app: &App,
    account_sid: &str,
    kind: BundleKind,
    new: NewBundle,
    console_allowed: bool,
) -> Result<Bundle> {
    let (bundle, created) = build(app, account_sid, kind, new, console_allowed).await?;
    Ok(app.store.insert_bundle(bundle, created).await?)
}

/// Checks a new bundle and builds its draft row and "created" event, without writing
/// them: what `create` stores, and what the console's profile form writes in its own
/// transaction. Errors (400): FriendlyName (20002), Email (20001), StatusCallback (21609),
/// PolicySid unknown, of the other kind or refused through the API (22200).
pub async fn build(
    app: &App,
    account_sid: &str,
    kind: BundleKind,
    new: NewBundle,
    console_allowed: bool,
) -> Result<(Bundle, Event)> {
    super::check_friendly_name(&new.friendly_name)?;
    check_email(&new.email)?;
    super::check_sid("PolicySid", &new.policy_sid, sid::POLICY, 22200)?;
    if let Some(cb) = &new.status_callback {
        check_callback(cb)?;
    }
    let policy = app.catalog.policy(&new.policy_sid).ok_or_else(|| {
        Error::invalid(
            22200,
            format!(
                "PolicySid {} is not a known policy; GET /v1/Policies lists them",
                new.policy_sid
            ),
        )
    })?;
    if policy.bundle_kind != kind {
        return Err(Error::invalid(
            22200,
            format!(
                "Policy {} ({}) is for a {}, not a {}",
                policy.sid,
                policy.friendly_name,
                match policy.bundle_kind {
                    BundleKind::CustomerProfile => "CustomerProfile",
                    BundleKind::TrustProduct => "TrustProduct",
                },
                kind.label()
            ),
        ));
    }
    if policy.console_only && !console_allowed {
        return Err(Error::invalid(
            22200,
            format!(
                "This operation is restricted via API for {} ({}). Use the Console instead.",
                policy.friendly_name, policy.sid
            ),
        ));
    }
    if policy.requires_isv_primary && !console_allowed {
        if let Some(primary) = direct_customer_primary(app, account_sid).await? {
            return Err(Error::invalid(
                22200,
                format!(
                    "This operation is restricted via API for {} ({}): the account's Primary Customer Profile {primary} is for a direct customer (business_identity=direct_customer). Creating Secondary Customer Profiles through the API is for ISVs (isv_reseller_or_partner); direct customers use the Console instead.",
                    policy.friendly_name, policy.sid
                ),
            ));
        }
    }
    let now = app.clock.now();
    let bundle = Bundle {
        seq: 0,
        sid: sid::generate(sid::BUNDLE),
        account_sid: account_sid.to_string(),
        kind,
        policy_sid: policy.sid.clone(),
        friendly_name: new.friendly_name,
        email: new.email,
        status: Status::Draft,
        status_callback: new.status_callback,
        valid_until: None,
        errors: None,
        date_created: now,
        date_updated: now,
        version: 0,
    };
    let created = lifecycle::event(
        &bundle,
        "created",
        json!({"policy_sid": bundle.policy_sid, "kind": kind.as_str()}),
        now,
    );
    Ok((bundle, created))
}

/// A bundle of this account and kind, or Twilio's 404.
pub async fn get(app: &App, account_sid: &str, kind: BundleKind, sid: &str) -> Result<Bundle> {
    match app.store.bundle(account_sid, sid).await? {
        Some(b) if b.kind == kind => Ok(b),
        _ => Err(not_found(kind, sid)),
    }
}

pub async fn list(
    app: &App,
    account_sid: &str,
    kind: BundleKind,
    filter: &BundleFilter,
    page: PageQuery,
) -> Result<Page<Bundle>> {
    Ok(app
        .store
        .list_bundles(account_sid, kind, filter, page)
        .await?)
}

/// Status and the other editable properties, applied as one change. A `Status` equal to the
/// bundle's current status changes nothing (seed 004 sends `status: "draft"` to a draft);
/// `pending-review` submits, gated by the evaluation: a refused submission applies nothing.
pub async fn update(
    app: &App,
    account_sid: &str,
    kind: BundleKind,
    sid: &str,
    changes: BundleChanges,
) -> Result<Bundle> {
    // The review pipeline may move the status meanwhile: re-read and re-apply.
    let mut attempts = 0;
    loop {
        match apply(app, account_sid, kind, sid, &changes).await {
            Err(Error::Conflict { code: 20409, .. }) if attempts < 3 => attempts += 1,
            other => return other,
        }
    }
}

async fn apply(
    app: &App,
    account_sid: &str,
    kind: BundleKind,
    sid: &str,
    changes: &BundleChanges,
) -> Result<Bundle> {
    let mut b = get(app, account_sid, kind, sid).await?;
    let to = match &changes.status {
        None => None,
        Some(raw) => Some(Status::parse(raw).ok_or_else(|| {
            Error::invalid(
                22203,
                format!("Status \"{raw}\" is not a bundle status; to submit a bundle for review send Status=pending-review"),
            )
        })?),
    };
    let edited = edit(&mut b, changes)?;
    let submit_to = to.filter(|&t| t != b.status);
    if let Some(to) = submit_to {
        check_transition(&b, to)?;
    }
    let now = app.clock.now();
    let edit_event = edited.then(|| {
        b.date_updated = now;
        lifecycle::event(&b, "updated", json!({}), now)
    });
    match submit_to {
        Some(to) => submit(app, b, to, edit_event).await,
        None => match edit_event {
            // Nothing changes: answer the bundle as it is.
            None => Ok(b),
            Some(e) => {
                lifecycle::commit(
                    app,
                    BundleChange {
                        expected_status: b.status,
                        bundle: b,
                        evaluation: None,
                        events: vec![e],
                        jobs: vec![],
                    },
                )
                .await
            }
        },
    }
}

/// Applies FriendlyName, Email and StatusCallback to `b`; true if any was sent.
fn edit(b: &mut Bundle, changes: &BundleChanges) -> Result<bool> {
    if let Some(name) = &changes.friendly_name {
        super::check_friendly_name(name)?;
        b.friendly_name = name.clone();
    }
    if let Some(email) = &changes.email {
        check_email(email)?;
        b.email = email.clone();
    }
    if let Some(cb) = &changes.status_callback {
        // An empty value clears the callback.
        if cb.is_empty() {
            b.status_callback = None;
        } else {
            check_callback(cb)?;
            b.status_callback = Some(cb.clone());
        }
    }
    Ok(changes.friendly_name.is_some()
        || changes.email.is_some()
        || changes.status_callback.is_some())
}

/// The customer's status change rule (`domain::bundle::customer_transition`) as the API
/// answers it: 22203 for a status only the review sets, 409 / 20409 from a wrong status.
pub fn check_transition(b: &Bundle, to: Status) -> Result<()> {
    match bundle::customer_transition(b.status, to) {
        Ok(()) => Ok(()),
        Err(TransitionError::NotCustomerSettable(to)) => Err(Error::invalid(
            22203,
            format!(
                "Status can only be set to pending-review by the customer; {} is set by the review",
                to.as_str()
            ),
        )),
        Err(TransitionError::WrongState { from }) => Err(Error::conflict(
            20409,
            format!(
                "The {} {} is {} and cannot be submitted; only draft and twilio-rejected bundles can",
                b.kind.label(),
                b.sid,
                from.as_str()
            ),
        )),
    }
}

/// `Status=pending-review`: evaluate, and submit only a compliant bundle. `b` carries the
/// request's other properties, saved with the submission (so a new StatusCallback hears it).
async fn submit(app: &App, b: Bundle, to: Status, edited: Option<Event>) -> Result<Bundle> {
    let (evaluation, outcome) = evaluations::run(app, &b, &b.policy_sid.clone()).await?;
    match submission(app, b, to, edited, evaluation, outcome) {
        Submission::Accepted(change) => lifecycle::commit(app, change).await,
        Submission::Refused {
            evaluation,
            event,
            error,
        } => {
            app.store.insert_evaluation(evaluation, event).await?;
            Err(error)
        }
    }
}

/// What a submission of `b` comes to, given its evaluation (no write).
pub enum Submission {
    /// Compliant: the status change to save, with the evaluation, its events and the jobs
    /// it queues (callback, review).
    Accepted(BundleChange),
    /// Noncompliant: the bundle stays as it is; the evaluation and its
    /// "submission_refused" event are kept, and the caller is answered `error` (400 /
    /// 22220 naming the failures).
    Refused {
        evaluation: Evaluation,
        event: Event,
        error: Error,
    },
}

/// The submission rule, shared by the API (`submit`) and the console's profile form: a
/// compliant evaluation moves `b` to `to` (`lifecycle::transition`, the evaluation and
/// `edited`, the event of the request's other changes, saved with it); a noncompliant
/// one refuses. The caller writes the outcome.
pub fn submission(
    app: &App,
    b: Bundle,
    to: Status,
    edited: Option<Event>,
    evaluation: Evaluation,
    outcome: Outcome,
) -> Submission {
    if !outcome.compliant {
        let event = lifecycle::event(
            &b,
            "submission_refused",
            json!({"evaluation_sid": evaluation.sid, "failures": outcome.failures()}),
            app.clock.now(),
        );
        let error = Error::Invalid {
            code: evaluations::NONCOMPLIANT,
            message: format!(
                "The {} {} is noncompliant and cannot be submitted. Fix: {}",
                b.kind.label(),
                b.sid,
                outcome.failures().join("; ")
            ),
            details: Some(json!({
                "evaluation_sid": evaluation.sid,
                "failed_requirements": outcome
                    .results
                    .iter()
                    .filter(|r| !r.passed)
                    .map(|r| r.requirement_name.clone())
                    .collect::<Vec<_>>(),
            })),
        };
        return Submission::Refused {
            evaluation,
            event,
            error,
        };
    }
    let evaluated = evaluations::evaluated(&b, &evaluation);
    let mut change = lifecycle::transition(app, b, to, "customer", None);
    change.evaluation = Some(evaluation);
    change.events.insert(0, evaluated);
    if let Some(e) = edited {
        change.events.insert(0, e);
    }
    Submission::Accepted(change)
}

/// The SID of the account family's Primary Customer Profile when it is a direct customer's
/// (its Business Information says `business_identity=direct_customer` and no Primary of the
/// family says otherwise); `None` for ISVs and families without a Primary. A subaccount
/// counts only its parent's twilio-approved Primaries — the only parent bundles it may use
/// (issue 15: it learns nothing of the others, not even that they exist).
async fn direct_customer_primary(app: &App, account_sid: &str) -> Result<Option<String>> {
    let parent = app
        .store
        .account(account_sid)
        .await?
        .and_then(|a| a.owner_sid);
    let approved_only = parent.is_some();
    let root = parent.unwrap_or_else(|| account_sid.to_string());
    let mut direct = None;
    let primaries = app
        .catalog
        .policies
        .iter()
        .filter(|p| p.console_only && p.bundle_kind == BundleKind::CustomerProfile);
    for policy in primaries {
        let filter = BundleFilter {
            policy_sid: Some(policy.sid.clone()),
            ..BundleFilter::default()
        };
        let page = PageQuery {
            size: 50,
            cursor: None,
        };
        let found = app
            .store
            .list_bundles(&root, BundleKind::CustomerProfile, &filter, page)
            .await?;
        let visible = found
            .items
            .into_iter()
            .filter(|p| !approved_only || p.status == Status::TwilioApproved);
        for primary in visible {
            let (entities, _) = app.store.assigned_objects(&primary.sid).await?;
            let identities = entities
                .iter()
                .filter_map(|e| e.attributes.get("business_identity"))
                .filter_map(serde_json::Value::as_str);
            for identity in identities {
                if identity != "direct_customer" {
                    return Ok(None);
                }
                direct.get_or_insert_with(|| primary.sid.clone());
            }
        }
    }
    Ok(direct)
}

pub async fn delete(app: &App, account_sid: &str, kind: BundleKind, sid: &str) -> Result<()> {
    let b = get(app, account_sid, kind, sid).await?;
    if !bundle::deletable(b.status) {
        return Err(Error::invalid(
            21647,
            format!(
                "The {} {} is {} and cannot be deleted until its review ends",
                kind.label(),
                b.sid,
                b.status.as_str()
            ),
        ));
    }
    let holders = app.store.bundles_holding(&b.sid).await?;
    if let Some(h) = holders.first() {
        // Another account's bundle (a subaccount's, holding the parent's primary) is not
        // named: its SID is not the caller's to see.
        let holder = if h.account_sid == account_sid {
            format!(
                "{} {}; delete that EntityAssignment first",
                h.kind.label(),
                h.sid
            )
        } else {
            "a subaccount's bundle".to_string()
        };
        return Err(Error::invalid(
            21647,
            format!("The {} {} is assigned to {holder}", kind.label(), b.sid),
        ));
    }
    // Checked again under the bundle's lock: a submission or an assignment may have
    // landed since it was read.
    match app
        .store
        .delete_bundle(account_sid, sid, &super::statuses_where(bundle::deletable))
        .await
    {
        Err(crate::store::StoreError::Stale) => Err(Error::conflict(
            20409,
            format!(
                "The {} {} changed while it was being deleted (submitted or assigned); fetch it and try again",
                kind.label(),
                b.sid
            ),
        )),
        other => other.map(|_| ()).map_err(Into::into),
    }
}
