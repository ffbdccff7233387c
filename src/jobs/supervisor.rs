//! Keeping background work alive and visible: the claim loop is restarted if it panics,
//! a job that panics is recorded as failed (and retried with backoff) instead of
//! vanishing, and the loop's heartbeat tells `/healthz` whether it is running.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::service::App;

/// The worker's heartbeat: real Unix milliseconds of its last sign of life (0: never).
/// One worker per process, so one heartbeat.
static HEARTBEAT_MS: AtomicI64 = AtomicI64::new(0);
/// Times the claim loop was restarted after a panic.
static RESTARTS: AtomicU64 = AtomicU64::new(0);
/// Times the loop found nothing due while no claimed job was unfinished: each one says
/// "all work due at that moment is done", which tests wait for instead of sleeping.
static IDLE_POLLS: AtomicU64 = AtomicU64::new(0);

/// The loop beats at least this often while alive (also while all lanes are busy).
pub const BEAT: Duration = Duration::from_secs(1);
/// A heartbeat older than this makes `/healthz` answer 503.
pub const STALE: Duration = Duration::from_secs(10);
/// Wait before restarting a loop that panicked.
const RESTART_DELAY: Duration = Duration::from_secs(1);

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn beat() {
    HEARTBEAT_MS.store(now_ms(), Ordering::Relaxed);
}

/// A claim found nothing due and no claimed job is unfinished.
pub fn idle() {
    IDLE_POLLS.fetch_add(1, Ordering::Relaxed);
}

/// See [`IDLE_POLLS`].
pub fn idle_polls() -> u64 {
    IDLE_POLLS.load(Ordering::Relaxed)
}

/// Milliseconds since the last heartbeat (`None`: the worker never ran), and restarts.
pub fn heartbeat_age() -> (Option<i64>, u64) {
    let last = HEARTBEAT_MS.load(Ordering::Relaxed);
    let age = (last > 0).then(|| (now_ms() - last).max(0));
    (age, RESTARTS.load(Ordering::Relaxed))
}

/// Runs `work` until it returns, restarting it whenever it panics.
pub fn supervise<F, Fut>(app: Arc<App>, work: F) -> tokio::task::JoinHandle<()>
where
    F: Fn(Arc<App>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    beat();
    tokio::spawn(async move {
        loop {
            match tokio::spawn(work(app.clone())).await {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    RESTARTS.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(error = %e, "the job loop panicked; restarting it");
                    tokio::time::sleep(RESTART_DELAY).await;
                }
                Err(_) => return,
            }
        }
    })
}
