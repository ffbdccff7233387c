//! Status changes and what must commit with them: the timeline event, the signed
//! status callback and the next review step, all in one transaction. One builder
//! ([`status_change`]) serves every reviewed subject: bundles (here, [`transition`]) and
//! registrations (`service::registrations::transition`).

use serde_json::{json, Value};

use crate::domain::bundle::Status;
use crate::store::{Bundle, BundleChange, Event, Job, JobKind};

use super::App;

/// How long an approval is valid (Twilio shows a year on approved bundles).
pub const APPROVAL_VALIDITY: i64 = 365 * 24 * 3600;

pub fn event(b: &Bundle, kind: &str, detail: Value, now: i64) -> Event {
    subject_event(&b.sid, &b.account_sid, kind, detail, now)
}

/// A timeline entry of any subject (a bundle or a registration), by its SID.
pub fn subject_event(sid: &str, account_sid: &str, kind: &str, detail: Value, now: i64) -> Event {
    Event {
        seq: 0,
        bundle_sid: sid.to_string(),
        account_sid: account_sid.to_string(),
        kind: kind.to_string(),
        detail,
        date_created: now,
    }
}

/// The subject of a status change, as [`status_change`] needs it.
pub struct Subject<'a> {
    pub sid: &'a str,
    pub account_sid: &'a str,
    /// The status callback URL and its form parameters (Twilio's, for this resource), if
    /// the resource has one. Twilio's brand, campaign and toll-free APIs take no callback
    /// parameter: those are observed by polling and the timeline.
    pub callback: Option<(&'a str, Vec<(&'static str, String)>)>,
}

/// A status change from `from` to `to` by `by` (customer, pipeline, operator): what must
/// commit with it. The `status_changed` event (with the failure reason and codes), the
/// signed callback job and its `callback_queued` event when the subject has a callback,
/// and, when `review` (the subject was submitted), the pipeline's first review step.
#[allow(clippy::too_many_arguments)]
pub fn status_change(
    subject: &Subject<'_>,
    from: &str,
    to: &str,
    by: &str,
    reason: &str,
    codes: &[u32],
    review: bool,
    now: i64,
) -> (Vec<Event>, Vec<Job>) {
    let (sid, account) = (subject.sid, subject.account_sid);
    let mut events = vec![subject_event(
        sid,
        account,
        "status_changed",
        json!({"from": from, "to": to, "by": by,
               "failure_reason": reason, "error_codes": codes}),
        now,
    )];
    let mut jobs = Vec::new();
    if let Some((url, params)) = &subject.callback {
        let params: Vec<Value> = params.iter().map(|(k, v)| json!([k, v])).collect();
        jobs.push(job(
            JobKind::Callback,
            sid,
            json!({"account_sid": account, "url": url, "params": params}),
            now,
        ));
        events.push(subject_event(
            sid,
            account,
            "callback_queued",
            json!({"url": url, "status": to}),
            now,
        ));
    }
    if review {
        jobs.push(job(JobKind::Review, sid, json!({"step": "start"}), now));
    }
    (events, jobs)
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
    let callback = b.status_callback.as_deref().map(|url| {
        let params = vec![
            ("AccountSid", b.account_sid.clone()),
            ("BundleSid", b.sid.clone()),
            ("Status", to.as_str().to_string()),
            ("FailureReason", reason.clone()),
            ("ErrorCodes", codes_csv),
        ];
        (url, params)
    });
    let subject = Subject {
        sid: &b.sid,
        account_sid: &b.account_sid,
        callback,
    };
    let (events, jobs) = status_change(
        &subject,
        from.as_str(),
        to.as_str(),
        by,
        &reason,
        &codes,
        to == Status::PendingReview,
        now,
    );
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
