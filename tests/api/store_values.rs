//! What the store says keeps its meaning (issue 14 item 5): a unique violation names its
//! constraint, so the caller hears what is taken; a value this version cannot read is an
//! error naming it, never read as something else.
use crate::common::*;
use std::process::Command;

fn numbers() -> String {
    format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json")
}

#[tokio::test]
async fn a_taken_number_says_who_holds_it() {
    let mut s = Server::start();
    s.number("+15555550100").await;
    let (st, body) = s.post(&numbers(), &[("PhoneNumber", "+15555550100")]).await;
    assert_refused(
        (st, &body),
        400,
        21422,
        "+15555550100 is not available: this account has it already",
    );
    let (_, other) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Other")])
        .await;
    let other_sid = other["sid"].as_str().unwrap();
    s.as_account(other_sid, other["auth_token"].as_str().unwrap());
    let path = format!("/2010-04-01/Accounts/{other_sid}/IncomingPhoneNumbers.json");
    let (st, body) = s.post(&path, &[("PhoneNumber", "+15555550100")]).await;
    assert_refused(
        (st, &body),
        400,
        21422,
        "+15555550100 is not available: another account owns it",
    );
}

/// A server started with `--seed` on a store it wrote before generates the same SIDs
/// again: the collision is a SID's, not the number's (it used to say "another account
/// owns it" of a number nobody had).
#[tokio::test]
async fn a_repeated_sid_is_not_a_taken_number() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options {
        dir: Some(dir.path()),
        args: vec!["--seed", "7"],
        ..Options::default()
    };
    let s = Server::start_with(opts());
    s.number("+15555550100").await;
    s.stop();
    let s = Server::start_with(opts());
    let (st, body) = s.post(&numbers(), &[("PhoneNumber", "+15555550111")]).await;
    assert_refused((st, &body), 409, 20409, "phone_numbers");
    assert!(
        body["message"].as_str().unwrap().contains("--seed"),
        "{body}"
    );
}

fn trusthub(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_trusthub"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trusthub {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits (at most 20 s) until the server's log in `dir` contains `text`.
fn logged(dir: &std::path::Path, text: &str) -> String {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        if log.contains(text) || std::time::Instant::now() > until {
            return log;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Rows of a kind this version does not know (written by a newer one, or by hand) are
/// errors that name them: an unknown entity kind is not a SupportingDocument, an unknown
/// job kind is not a review.
#[tokio::test]
async fn unknown_kinds_in_the_store_are_errors_not_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options {
        dir: Some(dir.path()),
        log: Some("error"),
        ..Options::default()
    };
    let s = Server::start_with(opts());
    let bu = s.profile(SECONDARY).await;
    let eu = s
        .end_user("authorized_representative_1", representative())
        .await;
    s.assign("CustomerProfiles", &bu, &eu).await;
    s.stop();

    // The store's rows, one entity's kind changed and a job of an unknown kind added.
    let url = postgres::database_url(dir.path())
        .unwrap_or_else(|| format!("sqlite://{}/th.db", dir.path().display()));
    let file = dir.path().join("rows.jsonl");
    let file = file.to_str().unwrap();
    trusthub(&["export", "--database-url", &url, "--output", file]);
    let mut rows = String::new();
    for line in std::fs::read_to_string(file).unwrap().lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["row"]["sid"] == eu.as_str() {
            v["row"]["kind"] = "end_user_v2".into();
        }
        rows.push_str(&format!("{v}\n"));
    }
    let job = serde_json::json!({"table": "jobs", "row": {
        "id": 9000, "kind": "carrier_check", "bundle_sid": bu, "payload": "{}", "due_at": 0,
        "attempts": 0, "lease_until": null, "done": 0, "date_created": 0}});
    rows.push_str(&format!("{job}\n"));
    let job = serde_json::json!({"table": "jobs", "row": {
        "id": 9001, "kind": "callback", "bundle_sid": bu, "payload": "not json", "due_at": 0,
        "attempts": 0, "lease_until": null, "done": 0, "date_created": 0}});
    rows.push_str(&format!("{job}\n"));
    std::fs::write(file, rows).unwrap();
    trusthub(&["import", "--database-url", &url, "--input", file]);

    let s = Server::start_with(opts());
    let (st, body) = s
        .post(
            &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
            &[("PolicySid", SECONDARY)],
        )
        .await;
    assert_eq!(
        st, 500,
        "an unreadable row is not evaluated as a document: {body}"
    );
    let named = format!("unknown entity kind \"end_user_v2\" in store (row {eu})");
    let log = logged(dir.path(), &named);
    assert!(log.contains(&named), "{log}");
    let log = logged(
        dir.path(),
        "unknown job kind \"carrier_check\" in store (job 9000)",
    );
    assert!(log.contains("carrier_check\" in store (job 9000)"), "{log}");
    // Both unreadable jobs were due at start: once the worker has caught up, each has ended.
    s.worker_caught_up().await;
    s.stop();

    // The unreadable job ended on its first claim: done, with a `job_failed` event that
    // gave up, so no lease expiry claims it again (it used to be claimed and logged anew
    // after every lease).
    trusthub(&["export", "--database-url", &url, "--output", file]);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for id in [9000, 9001] {
        let job = rows
            .iter()
            .find(|v| v["table"] == "jobs" && v["row"]["id"] == id)
            .expect("the job row is kept");
        assert_eq!(job["row"]["done"], 1, "given up, not left to claim: {job}");
    }
    let failed: Vec<serde_json::Value> = rows
        .iter()
        .filter(|v| v["table"] == "events" && v["row"]["type"] == "job_failed")
        .map(|v| {
            assert_eq!(v["row"]["bundle_sid"], bu.as_str());
            serde_json::from_str(v["row"]["detail"].as_str().unwrap()).unwrap()
        })
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().all(|d| d["gave_up"] == true), "{failed:?}");
    // Each error names its job and what is wrong with it (a payload that is not JSON used
    // to say only "bad attributes JSON in store").
    for says in [
        "unknown job kind \"carrier_check\" in store (job 9000)",
        "unreadable payload of job 9001: bad attributes JSON in store",
    ] {
        assert!(
            failed
                .iter()
                .any(|d| d["error"].as_str().unwrap().contains(says)),
            "{says}: {failed:?}"
        );
    }
}
