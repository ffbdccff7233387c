//! Hostile clients, each attack bounded in count and time and aimed at loopback only:
//! the server must stay within its memory ceiling and keep answering legitimate callers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on failure.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod callbacks;
mod fairness;
mod inquiries;
mod inspector;
mod jobs;
mod responses;
mod slow;

use std::time::Duration;

/// The server child's resident set, in MiB, from `/proc/<pid>/status` (Linux).
pub fn rss_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// A plain client (no spec validation: these tests send and receive large bodies).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}
