//! The operator's review, for the operator API and the console: the queue of bundles and
//! registrations (brands, vettings, campaigns, toll-free verifications) awaiting a
//! decision, and the operator's decisions. The pipeline's own steps are
//! `jobs/pipeline.rs`; the automatic reviewer's rules are `domain/reviewer.rs` and
//! `domain/registration.rs`.

use crate::domain::bundle::Status;
use crate::domain::registration::{self as reg, Actor, Failure};
use crate::error::{Error, Result};
use crate::store::{Bundle, Registration};

use super::{lifecycle, registrations, App};

/// Bundles awaiting a decision, oldest submission first.
pub async fn queue(app: &App, policy_sid: Option<&str>) -> Result<Vec<Bundle>> {
    Ok(app
        .store
        .bundles_in_status(&[Status::PendingReview, Status::InReview], policy_sid)
        .await?)
}

/// Registrations awaiting a decision (of one kind, or all), oldest first.
pub async fn registration_queue(app: &App, kind: Option<reg::Kind>) -> Result<Vec<Registration>> {
    let kinds: Vec<reg::Kind> = match kind {
        Some(k) => vec![k],
        None => reg::ALL_KINDS.to_vec(),
    };
    let pairs: Vec<(reg::Kind, &str)> = kinds
        .iter()
        .flat_map(|k| k.under_review().into_iter().map(move |s| (*k, s)))
        .collect();
    Ok(app.store.registrations_in_status(&pairs).await?)
}

/// The operator's decision on a registration: approve (refused while what it depends on
/// is not approved: a brand's bundles, a sole proprietor's OTP), or reject with a reason
/// and at least one of its kind's failure codes (`Kind::failure_codes`).
pub async fn decide_registration(app: &App, sid: &str, verdict: Verdict) -> Result<Registration> {
    let mut attempts = 0;
    loop {
        match decide_registration_once(app, sid, &verdict).await {
            Err(Error::Conflict { code: 20409, .. }) if attempts < 3 => attempts += 1,
            other => return other,
        }
    }
}

async fn decide_registration_once(app: &App, sid: &str, verdict: &Verdict) -> Result<Registration> {
    let r = app
        .store
        .registration_any(sid)
        .await?
        .ok_or_else(|| Error::NotFound(format!("/Reviews/{sid}")))?;
    let kind = r.kind;
    if !kind.stage(&r.status).under_review() {
        return Err(Error::conflict(
            20409,
            format!(
                "{} {} is {}; only {} ones can be decided",
                kind.label(),
                r.sid,
                r.status,
                kind.under_review().join(" and ")
            ),
        ));
    }
    let change = match verdict {
        Verdict::Approve => {
            registrations::check_approvable(app, &r).await?;
            registrations::transition(app, r, kind.approved(), Actor::Operator, None)?
        }
        Verdict::Reject { reason, codes } => {
            if codes.is_empty() {
                return Err(Error::MissingParameter("ErrorCodes"));
            }
            if let Some(bad) = codes.iter().find(|c| kind.failure_code(**c).is_none()) {
                let known: Vec<String> = kind
                    .failure_codes()
                    .iter()
                    .map(|(c, _)| c.to_string())
                    .collect();
                return Err(Error::invalid(
                    20001,
                    format!(
                        "ErrorCodes: {bad} is not a {} failure code; use {}",
                        kind.label(),
                        known.join(", ")
                    ),
                ));
            }
            let failure = Failure {
                reason: reason.clone(),
                codes: codes.clone(),
            };
            registrations::transition(app, r, kind.rejected(), Actor::Operator, Some(failure))?
        }
    };
    registrations::commit(app, change).await
}

pub enum Verdict {
    Approve,
    Reject { reason: String, codes: Vec<u32> },
}

pub async fn decide(app: &App, bundle_sid: &str, verdict: Verdict) -> Result<Bundle> {
    // The pipeline may move pending-review to in-review meanwhile; both are decidable.
    let mut attempts = 0;
    loop {
        match decide_once(app, bundle_sid, &verdict).await {
            Err(Error::Conflict { code: 20409, .. }) if attempts < 3 => attempts += 1,
            other => return other,
        }
    }
}

async fn decide_once(app: &App, bundle_sid: &str, verdict: &Verdict) -> Result<Bundle> {
    let b = app
        .store
        .bundle_any(bundle_sid)
        .await?
        .ok_or_else(|| Error::NotFound(format!("/Reviews/{bundle_sid}")))?;
    if !b.status.under_review() {
        return Err(Error::conflict(
            20409,
            format!(
                "{} {} is {}; only pending-review and in-review bundles can be decided",
                b.kind.label(),
                b.sid,
                b.status.as_str()
            ),
        ));
    }
    let change = match verdict {
        Verdict::Approve => lifecycle::transition(app, b, Status::TwilioApproved, "operator", None),
        Verdict::Reject { reason, codes } => {
            if codes.is_empty() {
                return Err(Error::MissingParameter("ErrorCodes"));
            }
            if let Some(bad) = codes
                .iter()
                .find(|c| app.catalog.rejection_code(**c).is_none())
            {
                let known: Vec<String> = app
                    .catalog
                    .rejection_codes
                    .iter()
                    .map(|c| c.code.to_string())
                    .collect();
                return Err(Error::invalid(
                    20001,
                    format!(
                        "ErrorCodes: {bad} is not a rejection code; use {}",
                        known.join(", ")
                    ),
                ));
            }
            lifecycle::transition(
                app,
                b,
                Status::TwilioRejected,
                "operator",
                Some((codes.clone(), reason.clone())),
            )
        }
    };
    lifecycle::commit(app, change).await
}
