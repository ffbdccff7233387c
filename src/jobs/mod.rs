//! Background work read from the durable outbox: status callbacks and review steps.
//! A job is leased while it runs; if the process dies, the lease expires and the job
//! is picked up again, so nothing committed is lost.

pub mod callbacks;
pub mod review;

use std::sync::Arc;
use std::time::Duration;

use crate::service::App;
use crate::store::{Job, JobKind, JobOutcome};

/// How long a claimed job is ours before another worker may take it over.
const LEASE_SECONDS: i64 = 60;
/// How often an idle worker looks for due jobs (time may also be advanced).
const IDLE_POLL: Duration = Duration::from_millis(100);
/// Jobs in flight at once (callbacks wait on the network).
const CONCURRENCY: usize = 16;

pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        loop {
            let permit = match permits.clone().acquire_owned().await {
                Ok(p) => p,
                Err(_) => return,
            };
            let now = app.clock.now();
            match app.store.claim_job(now, now + LEASE_SECONDS).await {
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
    if let Err(e) = app.store.complete_job(job.id, outcome, event).await {
        // The lease will expire and the job run again: at-least-once.
        tracing::error!(error = %e, job = job.id, "recording a job's outcome failed");
    }
    if matches!(outcome, JobOutcome::RetryAt(_)) {
        app.jobs_wake.notify_one();
    }
}
