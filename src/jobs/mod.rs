//! Background work read from the durable outbox: status callbacks and review steps.
//! A job is leased while it runs; if the process dies, the lease expires and the job
//! is picked up again, so nothing committed is lost.

pub mod callbacks;
pub mod review;

use std::sync::Arc;
use std::time::Duration;

use crate::service::App;
use crate::store::{Job, JobKind, JobOutcome};

/// How often an idle worker looks for due jobs (time may also be advanced).
const IDLE_POLL: Duration = Duration::from_millis(100);
/// Jobs in flight at once (callbacks wait on the network).
const CONCURRENCY: usize = 16;

/// Real Unix seconds: leases must not move when the operator advances the clock.
fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        loop {
            let permit = match permits.clone().acquire_owned().await {
                Ok(p) => p,
                Err(_) => return,
            };
            let real = real_now();
            match app
                .store
                .claim_job(app.clock.now(), real, real + app.settings.job_lease)
                .await
            {
                Ok(Some(job)) => {
                    let app = app.clone();
                    tokio::spawn(async move {
                        run(&app, job).await;
                        drop(permit);
                    });
                }
                Ok(None) => {
                    drop(permit);
                    tokio::select! {
                        _ = app.jobs_wake.notified() => {}
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                    }
                }
                Err(e) => {
                    drop(permit);
                    tracing::error!(error = %e, "claiming a job failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}

async fn run(app: &App, job: Job) {
    let (outcome, event) = match job.kind {
        JobKind::Callback => callbacks::deliver(app, &job).await,
        JobKind::Review => review::step(app, &job).await,
    };
    let recorded = match app
        .store
        .complete_job(job.id, job.lease_until, outcome, event)
        .await
    {
        Ok(true) if matches!(outcome, JobOutcome::Done) => "done",
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
    if matches!(outcome, JobOutcome::RetryAt(_)) {
        app.jobs_wake.notify_one();
    }
}
