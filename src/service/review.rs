//! The operator's review, for the operator API and the console: the queue of bundles
//! awaiting a decision, and the operator's decisions. The pipeline's own steps are
//! `jobs/pipeline.rs`; the automatic reviewer's rules are `domain/reviewer.rs`.

use crate::domain::bundle::Status;
use crate::error::{Error, Result};
use crate::store::Bundle;

use super::{lifecycle, App};

/// Bundles awaiting a decision, oldest submission first.
pub async fn queue(app: &App, policy_sid: Option<&str>) -> Result<Vec<Bundle>> {
    Ok(app
        .store
        .bundles_in_status(&[Status::PendingReview, Status::InReview], policy_sid)
        .await?)
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
