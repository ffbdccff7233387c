//! Fair shares of background capacity. Claim order is the store's (oldest due first);
//! once claimed, a job runs in its kind's lane, so review steps never wait behind
//! callbacks, and one account's callbacks (which wait on the network) can take only a few
//! of the callback lane's places.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::store::{Job, JobKind};

/// Jobs claimed and not yet finished (running or waiting for their lane).
pub const CLAIMED: usize = 128;
/// Callback deliveries in flight at once.
pub const CALLBACKS: usize = 16;
/// Callback deliveries in flight at once for one account.
pub const CALLBACKS_PER_ACCOUNT: usize = 4;
/// Review steps in flight at once.
pub const REVIEWS: usize = 8;

pub struct Lanes {
    pub claimed: Arc<Semaphore>,
    callbacks: Arc<Semaphore>,
    reviews: Arc<Semaphore>,
    accounts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// The places a running job holds; dropping it frees them.
pub struct Places {
    _lane: OwnedSemaphorePermit,
    _account: Option<(OwnedSemaphorePermit, AccountRelease)>,
}

pub struct AccountRelease {
    lanes: Arc<Lanes>,
    account: String,
}

impl Drop for AccountRelease {
    fn drop(&mut self) {
        // Forget an account's semaphore once nobody holds or waits on it.
        if let Ok(mut m) = self.lanes.accounts.lock() {
            if m.get(&self.account)
                .is_some_and(|s| Arc::strong_count(s) == 1)
            {
                m.remove(&self.account);
            }
        }
    }
}

impl Lanes {
    pub fn new() -> Arc<Self> {
        Arc::new(Lanes {
            claimed: Arc::new(Semaphore::new(CLAIMED)),
            callbacks: Arc::new(Semaphore::new(CALLBACKS)),
            reviews: Arc::new(Semaphore::new(REVIEWS)),
            accounts: Mutex::new(HashMap::new()),
        })
    }

    fn account(&self, sid: &str) -> Arc<Semaphore> {
        let mut m = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(sid.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(CALLBACKS_PER_ACCOUNT)))
            .clone()
    }

    /// Waits for the job's places: its account's share first (callbacks), then its lane.
    pub async fn enter(self: &Arc<Self>, job: &Job) -> Places {
        let account = match job.kind {
            JobKind::Callback => {
                let sid = job.payload["account_sid"].as_str().unwrap_or_default();
                let sem = self.account(sid);
                #[allow(clippy::expect_used)] // Lanes never closes its semaphores.
                let permit = sem.acquire_owned().await.expect("never closed");
                let release = AccountRelease {
                    lanes: self.clone(),
                    account: sid.to_string(),
                };
                Some((permit, release))
            }
            JobKind::Review => None,
        };
        let lane = match job.kind {
            JobKind::Callback => &self.callbacks,
            JobKind::Review => &self.reviews,
        };
        #[allow(clippy::expect_used)] // Lanes never closes its semaphores.
        let lane = lane.clone().acquire_owned().await.expect("never closed");
        Places {
            _lane: lane,
            _account: account,
        }
    }
}
