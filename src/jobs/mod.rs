//! Background work read from the durable outbox: status callbacks and review steps.
//! A job is leased while it runs; if the process dies, the lease expires and the job
//! is picked up again, so nothing committed is lost.

pub mod callbacks;
pub mod lanes;
pub mod pipeline;
pub mod supervisor;

use std::sync::Arc;
use std::time::Duration;

use crate::service::App;
use crate::store::{Claimed, Event, Job, JobKind, JobOutcome};

/// How often an idle worker looks for due jobs (time may also be advanced).
const IDLE_POLL: Duration = Duration::from_millis(100);

/// Real Unix seconds: leases must not move when the operator advances the clock.
fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Starts the supervised job loop.
pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    let lanes = lanes::Lanes::new();
    supervisor::supervise(app, move |app| work(app, lanes.clone()))
}

/// Claims due jobs while fewer than [`lanes::CLAIMED`] are unfinished; each runs in its lane.
async fn work(app: Arc<App>, lanes: Arc<lanes::Lanes>) {
    loop {
        supervisor::beat();
        let claimed =
            match tokio::time::timeout(supervisor::BEAT, lanes.claimed.clone().acquire_owned())
                .await
            {
                Ok(Ok(p)) => p,
                Ok(Err(_)) => return,
                // Every claimed job still runs: beat, and wait again.
                Err(_) => continue,
            };
        let real = real_now();
        match app
            .store
            .claim_job(app.clock.now(), real, real + app.settings.job_lease)
            .await
        {
            Ok(Some(Claimed::Unreadable {
                id,
                bundle_sid,
                lease_until,
                error,
            })) => {
                drop(claimed);
                give_up_unreadable(&app, id, bundle_sid, lease_until, &error).await;
            }
            Ok(Some(Claimed::Job(job))) => {
                let app = app.clone();
                let lanes = lanes.clone();
                tokio::spawn(async move {
                    let places = lanes.enter(&job).await;
                    run(&app, job).await;
                    drop(places);
                    drop(claimed);
                });
            }
            Ok(None) => {
                drop(claimed);
                if lanes.claimed.available_permits() == lanes::CLAIMED {
                    supervisor::idle();
                }
                tokio::select! {
                    _ = app.jobs_wake.notified() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
            Err(e) => {
                drop(claimed);
                tracing::error!(error = %e, "claiming a job failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Runs one job's step in a task of its own, so a panic becomes a recorded failure.
async fn attempt(app: &Arc<App>, job: &Job) -> (JobOutcome, Option<Event>) {
    let (a, j) = (app.clone(), job.clone());
    let step = tokio::spawn(async move {
        match j.kind {
            JobKind::Callback => callbacks::deliver(&a, &j).await,
            JobKind::Review => pipeline::step(&a, &j).await,
        }
    });
    match step.await {
        Ok(result) => result,
        Err(e) => {
            let why = if e.is_panic() {
                "the step panicked"
            } else {
                "the step was cancelled"
            };
            failed(app, job, why, None)
        }
    }
}

/// Most attempts a job whose step keeps failing gets before it is given up.
pub const FAILED_ATTEMPTS: i64 = 12;
/// The longest wait between attempts of a failing step, in seconds.
pub const MAX_BACKOFF: i64 = 300;

/// A step that failed: retried after 1, 2, 4, … seconds (at most [`MAX_BACKOFF`]), given
/// up after [`FAILED_ATTEMPTS`]. A failure that repeats is a warning and a timeline event
/// (`job_failed`); the first one is usually a concurrent change and only debug.
pub fn failed(
    app: &App,
    job: &Job,
    why: &str,
    account_sid: Option<&str>,
) -> (JobOutcome, Option<Event>) {
    let gave_up = job.attempts >= FAILED_ATTEMPTS;
    let delay = 1i64 << (job.attempts - 1).clamp(0, 16);
    let now = app.clock.now();
    let outcome = if gave_up {
        JobOutcome::Done
    } else {
        JobOutcome::RetryAt(now + delay.min(MAX_BACKOFF))
    };
    if job.attempts < 2 {
        tracing::debug!(
            error = why,
            job = job.id,
            "job step failed; it will be retried"
        );
        return (outcome, None);
    }
    if gave_up {
        tracing::warn!(error = why, job = job.id, bundle = %job.bundle_sid, attempts = job.attempts, "job step keeps failing; given up");
    } else {
        tracing::warn!(error = why, job = job.id, bundle = %job.bundle_sid, attempts = job.attempts, "job step failed again; backing off");
    }
    let account = account_sid
        .or_else(|| job.payload["account_sid"].as_str())
        .unwrap_or_default();
    let event = Event {
        seq: 0,
        bundle_sid: job.bundle_sid.clone(),
        account_sid: account.to_string(),
        kind: "job_failed".into(),
        detail: serde_json::json!({
            "job": format!("{:?}", job.kind).to_lowercase(),
            "step": job.payload.get("step"),
            "error": why,
            "attempt": job.attempts,
            "gave_up": gave_up,
            "next_attempt_at": match outcome {
                JobOutcome::RetryAt(t) | JobOutcome::WaitUntil(t) => Some(crate::format::iso(t)),
                JobOutcome::Done => None,
            },
        }),
        date_created: now,
    };
    (outcome, Some(event))
}

/// A job row this version cannot read ends on its first claim: marked done with a
/// `job_failed` event (`gave_up`, no retry) and logged once. Retrying cannot help — the
/// row will not read better later — and leaving it would claim it again after each lease.
async fn give_up_unreadable(app: &App, id: i64, bundle_sid: String, lease_until: i64, why: &str) {
    tracing::error!(error = %why, job = id, bundle = %bundle_sid, "unreadable job row; given up");
    let event = Event {
        seq: 0,
        bundle_sid,
        account_sid: String::new(),
        kind: "job_failed".into(),
        detail: serde_json::json!({
            "job": null,
            "error": why,
            "attempt": 1,
            "gave_up": true,
            "next_attempt_at": null,
        }),
        date_created: app.clock.now(),
    };
    let recorded = match app
        .store
        .complete_job(id, lease_until, JobOutcome::Done, Some(event))
        .await
    {
        Ok(true) => "unreadable",
        Ok(false) => "lease_lost",
        Err(e) => {
            tracing::error!(error = %e, job = id, "recording an unreadable job's end failed");
            "store_error"
        }
    };
    crate::telemetry::job("unknown", recorded);
}

async fn run(app: &Arc<App>, job: Job) {
    let (outcome, event) = attempt(app, &job).await;
    let recorded = match app
        .store
        .complete_job(job.id, job.lease_until, outcome, event)
        .await
    {
        Ok(true) if matches!(outcome, JobOutcome::Done) => "done",
        Ok(true) if matches!(outcome, JobOutcome::WaitUntil(_)) => "wait",
        Ok(true) => "retry",
        // Another worker took the job over after our lease ran out: its outcome counts.
        Ok(false) => {
            tracing::warn!(
                job = job.id,
                "lease lost; this attempt's outcome is dropped"
            );
            "lease_lost"
        }
        // The lease will expire and the job run again: at-least-once.
        Err(e) => {
            tracing::error!(error = %e, job = job.id, "recording a job's outcome failed");
            "store_error"
        }
    };
    crate::telemetry::job(job.kind.as_str(), recorded);
    if !matches!(outcome, JobOutcome::Done) {
        app.jobs_wake.notify_one();
    }
}
