//! Time is read through a clock so tests and the sandbox can move it forward
//! (review delays, `valid_until`) without sleeping. With `--seed` the clock is fixed: it
//! starts at a known instant and moves only by requests and the operator's advances.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

/// 2024-01-01T00:00:00Z, where seeded clocks start.
pub const SEEDED_START: i64 = 1_704_067_200;

#[derive(Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
    /// Fixed clocks keep their time in `offset` and ignore the real clock.
    fixed: Arc<AtomicBool>,
}

impl Clock {
    /// A clock that starts at `start` and moves only when told to.
    pub fn fixed(start: i64) -> Self {
        Clock {
            offset: Arc::new(AtomicI64::new(start)),
            fixed: Arc::new(AtomicBool::new(true)),
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.fixed.load(Ordering::Relaxed)
    }

    /// Seconds since the Unix epoch, plus whatever the operator has advanced.
    pub fn now(&self) -> i64 {
        if self.is_fixed() {
            return self.offset.load(Ordering::Relaxed);
        }
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.offset.load(Ordering::Relaxed)
    }

    /// Seconds the operator has advanced a real clock (for a fixed clock: 0).
    pub fn offset(&self) -> i64 {
        if self.is_fixed() {
            0
        } else {
            self.offset.load(Ordering::Relaxed)
        }
    }

    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }

    /// One request happened: a fixed clock moves one second, a real one is unaffected.
    pub fn tick(&self) {
        if self.is_fixed() {
            self.advance(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clocks_move_only_when_told() {
        let c = Clock::fixed(SEEDED_START);
        assert_eq!(c.now(), SEEDED_START);
        c.tick();
        c.advance(10);
        assert_eq!(c.now(), SEEDED_START + 11);
        let real = Clock::default();
        real.tick();
        assert_eq!(real.offset(), 0);
    }
}
