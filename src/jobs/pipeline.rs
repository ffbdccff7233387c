//! The vetting pipeline, the background steps of a submitted bundle or registration (review
//! jobs, dispatched by their subject's SID): it moves to in-review; in `auto` mode it is
//! then decided by the automatic reviewer (`domain/reviewer.rs` for bundles,
//! `domain/registration.rs` for brands, vettings, campaigns and toll-free verifications)
//! after the review delay, in `manual` mode by an operator (`service/review.rs`).

use serde_json::json;

use crate::domain::bundle::Status;
use crate::domain::registration::{self as reg, Actor, Stage};
use crate::domain::reviewer::{self, Decision};
use crate::service::{evaluations, lifecycle, registrations, App, ReviewMode};
use crate::store::{Bundle, Event, Job, JobKind, JobOutcome, Registration};

pub async fn step(app: &App, job: &Job) -> (JobOutcome, Option<Event>) {
    if reg::Kind::of_sid(&job.bundle_sid).is_some() {
        return registration_step(app, job).await;
    }
    let bundle = match app.store.bundle_any(&job.bundle_sid).await {
        Ok(Some(b)) => b,
        // Deleted meanwhile: nothing left to review.
        Ok(None) => return (JobOutcome::Done, None),
        Err(e) => return super::failed(app, job, &e.to_string(), None),
    };
    let account = bundle.account_sid.clone();
    let result = match job.payload["step"].as_str() {
        Some("start") => start(app, bundle, job.due_at).await,
        Some("decide") => decide(app, bundle).await,
        // A step this version does not know is a failure (retried, then given up with a
        // `job_failed` event), never taken for another.
        other => Err(format!("unknown review step {other:?}")),
    };
    match result {
        Ok(outcome) => (outcome, None),
        // Mostly a bundle that changed under the step (an optimistic save lost): the first
        // retry is quiet; a step that keeps failing backs off, warns, and is given up.
        Err(e) => super::failed(app, job, &e, Some(&account)),
    }
}

/// `submitted_at` is when the start step fell due: the submission. The review delay counts
/// from it, so a clock advance sent right after the submit is not lost if this step runs
/// later (README "Scripting an outcome" submits, then advances).
async fn start(app: &App, b: Bundle, submitted_at: i64) -> Result<JobOutcome, String> {
    // A step that already happened (e.g. re-run after a crash) is done.
    if b.status != Status::PendingReview {
        return Ok(JobOutcome::Done);
    }
    let sid = b.sid.clone();
    let mut change = lifecycle::transition(app, b, Status::InReview, "pipeline", None);
    if app.settings.review == ReviewMode::Auto {
        let due = submitted_at.min(app.clock.now()) + app.settings.review_delay;
        change.jobs.push(lifecycle::job(
            JobKind::Review,
            &sid,
            json!({"step": "decide"}),
            due,
        ));
    }
    lifecycle::commit(app, change)
        .await
        .map_err(|e| e.to_string())?;
    Ok(JobOutcome::Done)
}

async fn decide(app: &App, b: Bundle) -> Result<JobOutcome, String> {
    if b.status != Status::InReview {
        return Ok(JobOutcome::Done);
    }
    let (entities, supporting) = app
        .store
        .assigned_objects(&b.sid)
        .await
        .map_err(|e| e.to_string())?;
    let (_, outcome) = evaluations::run(app, &b, &b.policy_sid.clone())
        .await
        .map_err(|e| e.to_string())?;
    let objects: Vec<_> = entities.iter().map(evaluations::entity_view).collect();
    let supporting: Vec<_> = supporting.iter().map(evaluations::bundle_view).collect();
    let decision = reviewer::decide(&b.email, &objects, &supporting, outcome.compliant);
    let change = match decision {
        Decision::Wait => return Ok(JobOutcome::WaitUntil(app.clock.now() + 1)),
        Decision::Approve => {
            lifecycle::transition(app, b, Status::TwilioApproved, "pipeline", None)
        }
        Decision::Reject { codes, reason } => lifecycle::transition(
            app,
            b,
            Status::TwilioRejected,
            "pipeline",
            Some((codes, reason)),
        ),
    };
    lifecycle::commit(app, change)
        .await
        .map_err(|e| e.to_string())?;
    Ok(JobOutcome::Done)
}

/// A registration's review step: as a bundle's, with its kind's statuses.
async fn registration_step(app: &App, job: &Job) -> (JobOutcome, Option<Event>) {
    let r = match app.store.registration_any(&job.bundle_sid).await {
        Ok(Some(r)) => r,
        Ok(None) => return (JobOutcome::Done, None),
        Err(e) => return super::failed(app, job, &e.to_string(), None),
    };
    let account = r.account_sid.clone();
    let result = match job.payload["step"].as_str() {
        Some("start") => start_registration(app, r, job.due_at).await,
        Some("decide") => decide_registration(app, r).await,
        other => Err(format!("unknown review step {other:?}")),
    };
    match result {
        Ok(outcome) => (outcome, None),
        Err(e) => super::failed(app, job, &e, Some(&account)),
    }
}

/// Submitted → in review (kinds whose submitted status is their in-review one have no
/// change to make); in `auto` mode, queues the decision after the review delay.
async fn start_registration(
    app: &App,
    r: Registration,
    submitted_at: i64,
) -> Result<JobOutcome, String> {
    let stage = r.kind.stage(&r.status);
    if !stage.under_review() {
        return Ok(JobOutcome::Done);
    }
    let decide = (app.settings.review == ReviewMode::Auto).then(|| {
        let due = submitted_at.min(app.clock.now()) + app.settings.review_delay;
        lifecycle::job(JobKind::Review, &r.sid, json!({"step": "decide"}), due)
    });
    if stage == Stage::Submitted {
        let to = r.kind.in_review();
        let mut change = registrations::transition(app, r, to, Actor::Pipeline, None)
            .map_err(|e| e.to_string())?;
        change.jobs.extend(decide);
        registrations::commit(app, change)
            .await
            .map_err(|e| e.to_string())?;
    } else if let Some(job) = decide {
        app.store.add_job(job).await.map_err(|e| e.to_string())?;
        app.jobs_wake.notify_one();
    }
    Ok(JobOutcome::Done)
}

async fn decide_registration(app: &App, r: Registration) -> Result<JobOutcome, String> {
    if r.kind.stage(&r.status) != Stage::InReview {
        return Ok(JobOutcome::Done);
    }
    let decision = registrations::auto_decision(app, &r)
        .await
        .map_err(|e| e.to_string())?;
    let change = match decision {
        reg::Decision::Wait => return Ok(JobOutcome::WaitUntil(app.clock.now() + 1)),
        reg::Decision::Approve => {
            let to = r.kind.approved();
            registrations::transition(app, r, to, Actor::Pipeline, None)
        }
        reg::Decision::Reject(failure) => {
            let to = r.kind.rejected();
            registrations::transition(app, r, to, Actor::Pipeline, Some(failure))
        }
    }
    .map_err(|e| e.to_string())?;
    registrations::commit(app, change)
        .await
        .map_err(|e| e.to_string())?;
    Ok(JobOutcome::Done)
}
