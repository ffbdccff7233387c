//! Status changes and what must commit with them: the timeline event, the signed
//! status callback and the next review step, all in one transaction.

use serde_json::{json, Value};

use crate::domain::bundle::Status;
use crate::store::{Bundle, BundleChange, Event, Job, JobKind};

use super::App;

/// How long an approval is valid (Twilio shows a year on approved bundles).
pub const APPROVAL_VALIDITY: i64 = 365 * 24 * 3600;

pub fn event(b: &Bundle, kind: &str, detail: Value, now: i64) -> Event {
    Event {
        seq: 0,
        bundle_sid: b.sid.clone(),
        account_sid: b.account_sid.clone(),
        kind: kind.to_string(),
        detail,
        date_created: now,
    }
}

pub fn job(kind: JobKind, bundle_sid: &str, payload: Value, due_at: i64) -> Job {
    Job {
        id: 0,
        kind,
        bundle_sid: bundle_sid.to_string(),
        payload,
        due_at,
        attempts: 0,
        lease_until: 0,
    }
}

/// Moves `b` to `to` on behalf of `by` (customer, pipeline, operator) and returns the
/// change to save. Rejections carry their 186xx codes and a reason.
pub fn transition(
    app: &App,
    mut b: Bundle,
    to: Status,
    by: &str,
    rejection: Option<(Vec<u32>, String)>,
) -> BundleChange {
    let now = app.clock.now();
    let from = b.status;
    b.status = to;
    b.date_updated = now;
    b.valid_until = (to == Status::TwilioApproved).then_some(now + APPROVAL_VALIDITY);
    let (codes, reason) = rejection.unwrap_or_default();
    b.errors = (to == Status::TwilioRejected).then(|| codes.clone());
    let codes_csv = codes
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut events = vec![event(
        &b,
        "status_changed",
        json!({"from": from.as_str(), "to": to.as_str(), "by": by,
               "failure_reason": reason, "error_codes": codes}),
        now,
    )];
    let mut jobs = Vec::new();
    if let Some(url) = &b.status_callback {
        jobs.push(job(
            JobKind::Callback,
            &b.sid,
            json!({
                "account_sid": b.account_sid,
                "url": url,
                "params": [
                    ["AccountSid", b.account_sid],
                    ["BundleSid", b.sid],
                    ["Status", to.as_str()],
                    ["FailureReason", reason],
                    ["ErrorCodes", codes_csv],
                ],
            }),
            now,
        ));
        events.push(event(
            &b,
            "callback_queued",
            json!({"url": url, "status": to.as_str()}),
            now,
        ));
    }
    if to == Status::PendingReview {
        jobs.push(job(JobKind::Review, &b.sid, json!({"step": "start"}), now));
    }
    BundleChange {
        bundle: b,
        expected_status: from,
        evaluation: None,
        events,
        jobs,
    }
}

/// Saves a change and wakes the background jobs it queued.
pub async fn commit(app: &App, change: BundleChange) -> crate::error::Result<Bundle> {
    let after = AfterCommit::of(&change);
    app.store.save_bundle(change).await?;
    Ok(after.done(app))
}

/// What follows a saved change once it has committed (whichever transaction saved it): the
/// review-decision metric and waking the background jobs it queued.
pub struct AfterCommit {
    /// The bundle as saved (its version bumped by the save).
    bundle: Bundle,
    queued: bool,
    decision: Option<(&'static str, String)>,
}

impl AfterCommit {
    /// Taken before `change` is handed to the store.
    pub fn of(change: &BundleChange) -> AfterCommit {
        let mut bundle = change.bundle.clone();
        bundle.version += 1;
        let outcome = match bundle.status {
            _ if bundle.status == change.expected_status => None,
            Status::TwilioApproved => Some("approved"),
            Status::TwilioRejected => Some("rejected"),
            _ => None,
        };
        let by = change
            .events
            .iter()
            .find(|e| e.kind == "status_changed")
            .and_then(|e| e.detail["by"].as_str())
            .unwrap_or("unknown")
            .to_string();
        AfterCommit {
            bundle,
            queued: !change.jobs.is_empty(),
            decision: outcome.map(|o| (o, by)),
        }
    }

    /// Call once the change has committed: the saved bundle.
    pub fn done(self, app: &App) -> Bundle {
        if let Some((outcome, by)) = self.decision {
            crate::telemetry::review_decision(outcome, by);
        }
        if self.queued {
            app.jobs_wake.notify_one();
        }
        self.bundle
    }
}
