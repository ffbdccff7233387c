//! Background work that fails keeps failing visibly and boundedly, and `/healthz` reports
//! the store and the job worker.
use crate::common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const CNAM: &str = "RNf3db3cd1fe25fcfd3c3ded065c8fea53";

/// The default catalog without one policy.
fn catalog_without(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    for f in ["end_user_types.json", "supporting_document_types.json"] {
        std::fs::copy(format!("{src}/{f}"), dir.path().join(f)).unwrap();
    }
    let mut policies: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{src}/policies.json")).unwrap())
            .unwrap();
    policies
        .as_array_mut()
        .unwrap()
        .retain(|p| p["sid"] != policy);
    std::fs::write(dir.path().join("policies.json"), policies.to_string()).unwrap();
    dir
}

async fn failures(s: &Server, bu: &str) -> Vec<Value> {
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
        .await;
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "job_failed")
        .cloned()
        .collect()
}

/// A review step whose policy left the catalog once retried every second for ever, at
/// debug level. Now: doubling delays, a warning and a timeline event, and a cap.
#[tokio::test]
async fn a_review_step_that_keeps_failing_backs_off_and_is_given_up() {
    let dir = tempfile::tempdir().unwrap();
    let auto = ["--review", "auto", "--review-delay", "100000"];
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        args: auto.to_vec(),
        ..Options::default()
    });
    let primary = s.approved_primary().await;
    let tp = s.trust_product(CNAM).await;
    let cnam = s
        .end_user(
            "cnam_information",
            serde_json::json!({"cnam_display_name": "Acme"}),
        )
        .await;
    s.assign("TrustProducts", &tp, &cnam).await;
    s.assign("TrustProducts", &tp, &primary).await;
    s.ok(
        &format!("/v1/TrustProducts/{tp}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("TrustProducts", &tp, "in-review").await;
    drop(s);
    let catalog = catalog_without(CNAM);
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        catalog: Some(catalog.path()),
        args: auto.to_vec(),
        ..Options::default()
    });
    let until = Instant::now() + Duration::from_secs(15);
    let events = loop {
        s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "100000")])
            .await;
        let events = failures(&s, &tp).await;
        if events.iter().any(|e| e["detail"]["gave_up"] == true) {
            break events;
        }
        if Instant::now() > until {
            let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
            let tail: String = log
                .chars()
                .rev()
                .take(3000)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            panic!("never given up: {events:?}\n{tail}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Attempts 2.. are warned about and on the timeline; the last one gives up.
    let attempts: Vec<i64> = events
        .iter()
        .map(|e| e["detail"]["attempt"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts.iter().max(), Some(&12), "{attempts:?}");
    assert!(attempts.len() >= 10, "{attempts:?}");
    // Given up means no more attempts, however far the clock moves.
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "100000")])
        .await;
    s.worker_caught_up().await;
    let (st, health) = health(&s).await;
    assert_eq!(st, 200, "{health}");
    assert_eq!(failures(&s, &tp).await.len(), events.len());
}

async fn health(s: &Server) -> (u16, Value) {
    let r = reqwest::get(format!("{}/healthz", s.base)).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn healthz_reports_the_store_and_the_worker() {
    let s = Server::start();
    let (st, body) = health(&s).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["store"], "ok");
    assert_eq!(body["worker"]["ok"], true);
    assert!(body["worker"]["heartbeat_age_ms"].as_i64().unwrap() <= 10_000);
}
