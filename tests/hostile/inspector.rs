//! The request inspector keeps a bounded amount: bytes per entry, entries per account, and
//! a total across all accounts and subaccounts.
use crate::common::*;
use crate::{client, rss_mib};
use serde_json::Value;

const RSS_CEILING_MIB: u64 = 300;

/// Fifty 1 MiB bodies of empty pairs and sixty ~1 MiB list responses once took the server
/// from 25 MB to over 2.5 GB, never released.
#[tokio::test]
async fn huge_bodies_and_responses_do_not_grow_the_inspector() {
    let s = Server::start();
    // Linux only, as the server's deployments are: fail loudly rather than pass unrun.
    let before = rss_mib(s.pid()).expect("this test needs /proc/<pid>/status (Linux)");
    let http = client();
    let body = "a&".repeat(512 * 1024);
    for _ in 0..50 {
        let resp = http
            .post(format!("{}/v1/CustomerProfiles", s.base))
            .basic_auth(SID, Some(TOKEN))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["code"], 20001);
    }
    // Twenty end users of ~48 KiB each: a page of them is about 1 MiB.
    let attrs = serde_json::json!({"first_name": "x".repeat(48 * 1024)}).to_string();
    for _ in 0..20 {
        s.ok(
            "/v1/EndUsers",
            &[
                ("FriendlyName", "big"),
                ("Type", "authorized_representative_1"),
                ("Attributes", &attrs),
            ],
            201,
        )
        .await;
    }
    for _ in 0..60 {
        let resp = http
            .get(format!("{}/v1/EndUsers?PageSize=20", s.base))
            .basic_auth(SID, Some(TOKEN))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let page: Value = resp.json().await.unwrap();
        assert_eq!(page["results"].as_array().unwrap().len(), 20);
    }
    let after = rss_mib(s.pid()).unwrap();
    assert!(
        after < RSS_CEILING_MIB,
        "RSS went from {before} MiB to {after} MiB (ceiling {RSS_CEILING_MIB})"
    );
    let (_, log) = s.admin("GET", "/admin/v1/Requests?Limit=1", &[]).await;
    let newest = &log["requests"][0];
    assert_eq!(newest["truncated"], true, "{newest}");
    assert!(newest["response"].is_null());
    assert!(newest["response_bytes"].as_u64().unwrap() > 900 * 1024);
    assert!(log["bytes_held"].as_u64().unwrap() <= log["bytes_budget"].as_u64().unwrap());
}

/// Subaccounts each get their own per-account count, but one total budget spans them all.
#[tokio::test]
async fn the_budget_spans_accounts_and_subaccounts() {
    let s = Server::start();
    let mut accounts = vec![(SID.to_string(), TOKEN.to_string())];
    for i in 0..4 {
        let (st, sub) = s
            .post(
                "/2010-04-01/Accounts.json",
                &[("FriendlyName", &format!("sub{i}"))],
            )
            .await;
        assert_eq!(st, 201, "{sub}");
        accounts.push((
            sub["sid"].as_str().unwrap().into(),
            sub["auth_token"].as_str().unwrap().into(),
        ));
    }
    // Each update: a ~56 KiB form body (kept up to 16 KiB) answered by a ~57 KiB body.
    let attrs = serde_json::json!({"first_name": "y".repeat(56 * 1024)}).to_string();
    let mut tasks = vec![];
    for (sid, token) in accounts.clone() {
        let base = s.base.clone();
        let attrs = attrs.clone();
        tasks.push(tokio::spawn(async move {
            let http = client();
            let created: Value = http
                .post(format!("{base}/v1/EndUsers"))
                .basic_auth(&sid, Some(&token))
                .form(&[
                    ("FriendlyName", "eu"),
                    ("Type", "authorized_representative_1"),
                    ("Attributes", &attrs),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let eu = created["sid"].as_str().unwrap().to_string();
            for _ in 0..100 {
                let st = http
                    .post(format!("{base}/v1/EndUsers/{eu}"))
                    .basic_auth(&sid, Some(&token))
                    .form(&[("Attributes", attrs.as_str()), ("AuthToken", "hunter2")])
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(st, 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (_, log) = s.admin("GET", "/admin/v1/Requests?Limit=1000", &[]).await;
    let held = log["bytes_held"].as_u64().unwrap();
    let budget = log["bytes_budget"].as_u64().unwrap();
    let kept = log["requests"].as_array().unwrap();
    assert!(held <= budget, "{held} > {budget}");
    assert!(
        kept.len() < 505 && kept.len() > 300,
        "505 requests sent, {} kept within the budget",
        kept.len()
    );
    let newest = &kept[0];
    assert_eq!(newest["truncated"], true);
    assert!(newest["request_bytes"].as_u64().unwrap() > 56 * 1024);
    assert!(newest["response"]["attributes"].is_object(), "{newest}");
    // The cut parameter is dropped whole rather than shown half; the secret never shows.
    let params = newest["parameters"].as_array().unwrap();
    assert!(params.iter().all(|p| p[1] != "hunter2"));
    // Each account still sees only its own.
    let (sub, _) = &accounts[1];
    let (_, mine) = s
        .admin(
            "GET",
            &format!("/admin/v1/Requests?AccountSid={sub}&Limit=1000"),
            &[],
        )
        .await;
    assert!(mine["requests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["account_sid"] == sub.as_str()));
}

/// `{"a":{"a":…{}}}` nested `depth` levels (a top-level object is 1).
fn nested(depth: usize) -> String {
    let mut s = String::from("{}");
    for _ in 1..depth {
        s = format!("{{\"a\":{s}}}");
    }
    s
}

/// Attributes nested beyond 128 levels were accepted, and their responses were then shown
/// by the inspector as a body it cannot parse. Input nesting is bounded at 32 levels.
#[tokio::test]
async fn deeply_nested_attributes_are_refused_and_every_stored_body_is_shown() {
    let s = Server::start();
    for depth in [33, 127] {
        let attrs = nested(depth);
        let (st, err) = s
            .post(
                "/v1/EndUsers",
                &[
                    ("FriendlyName", "deep"),
                    ("Type", "authorized_representative_1"),
                    ("Attributes", attrs.as_str()),
                ],
            )
            .await;
        assert_eq!(st, 400, "depth {depth}: {err}");
        assert_eq!(err["code"], 22207);
        assert!(
            err["message"].as_str().unwrap().contains("32 levels"),
            "{err}"
        );
    }
    let attrs = nested(32);
    s.ok(
        "/v1/EndUsers",
        &[
            ("FriendlyName", "deepest allowed"),
            ("Type", "authorized_representative_1"),
            ("Attributes", attrs.as_str()),
        ],
        201,
    )
    .await;
    let (_, log) = s
        .admin(
            "GET",
            &format!("/admin/v1/Requests?AccountSid={SID}&Limit=10"),
            &[],
        )
        .await;
    for entry in log["requests"].as_array().unwrap() {
        assert!(
            entry["response"].get("inspector_note").is_none(),
            "the inspector could not show {entry}"
        );
    }
    let created = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == 201)
        .expect("the 201 is listed");
    assert_eq!(created["response"]["friendly_name"], "deepest allowed");
}
