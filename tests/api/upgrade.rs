//! Upgrades keep data: a store written by an earlier release (tests/fixtures/upgrade,
//! made by its make.py with that release's binary) opens under this one, migrates, and
//! serves exactly what the earlier release served — on SQLite and on PostgreSQL.
use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/upgrade")
        .join(name)
}

#[tokio::test]
async fn a_store_written_by_the_previous_release_serves_the_same_resources() {
    let dir = tempfile::tempdir().unwrap();
    let store = if postgres::enabled().is_some() {
        postgres::restore(dir.path(), &fixture("postgres.sql"));
        "postgres"
    } else {
        std::fs::copy(fixture("sqlite.db"), dir.path().join("th.db")).unwrap();
        "sqlite"
    };
    let recorded: Value = serde_json::from_slice(
        &std::fs::read(fixture(&format!("responses-{store}.json"))).unwrap(),
    )
    .unwrap();
    let flags: Vec<&str> = recorded["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        args: flags,
        ..Options::default()
    });
    let responses = recorded["responses"].as_array().unwrap();
    assert!(responses.len() > 50, "the fixture covers the resources");
    for r in responses {
        let path = r["path"].as_str().unwrap();
        let (status, body) = if r["admin"] == true {
            s.admin("GET", path, &[]).await
        } else {
            s.get(path).await
        };
        assert_eq!(status, r["status"], "GET {path}");
        assert_eq!(body, r["body"], "GET {path}");
    }

    // The numbers, stored before their type was (migration 0014), are classified at start:
    // the typed lists together hold what the generic list holds.
    let generic = responses
        .iter()
        .find(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .ends_with("/IncomingPhoneNumbers.json")
                && r["status"] == 200
        })
        .expect("a number list in the fixture");
    let numbers = |b: &Value| -> Vec<String> {
        b["incoming_phone_numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["phone_number"].as_str().unwrap().to_string())
            .collect()
    };
    let mut want = numbers(&generic["body"]);
    assert!(!want.is_empty(), "the fixture has numbers");
    let base = generic["path"].as_str().unwrap().trim_end_matches(".json");
    let mut typed = Vec::new();
    for kind in ["Local", "TollFree", "Mobile"] {
        let (st, b) = s.get(&format!("{base}/{kind}.json?PageSize=1000")).await;
        assert_eq!(st, 200, "{b}");
        typed.extend(numbers(&b));
    }
    want.sort();
    typed.sort();
    assert_eq!(typed, want, "every stored number has its type");

    // The jobs still due came along: the review decision due in ten years runs once the
    // operator clock gets there (two steps: one advance is at most ten years).
    let review = responses
        .iter()
        .find(|r| r["body"]["status"] == "in-review" && r["body"]["sid"].is_string())
        .map(|r| r["body"]["sid"].as_str().unwrap().to_string())
        .expect("an in-review bundle in the fixture");
    for _ in 0..2 {
        let (st, b) = s
            .admin(
                "POST",
                "/admin/v1/Clock",
                &[("AdvanceSeconds", "315360000")],
            )
            .await;
        assert_eq!(st, 200, "{b}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, b) = s.get(&format!("/v1/CustomerProfiles/{review}")).await;
        if b["status"] != "in-review" {
            assert!(
                b["status"] == "twilio-approved" || b["status"] == "twilio-rejected",
                "{b}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the review job due after the upgrade never ran"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    drop(s);
    if store == "postgres" {
        postgres::drop_database(dir.path());
    }
}
