//! Sandbox powers: ephemeral store, seeded runs, reset, snapshots, faults, request log.
use crate::common::*;
use serde_json::{json, Value};

fn sandbox_opts(seed: &str) -> Options<'_> {
    Options {
        args: vec![
            "--ephemeral",
            "--seed",
            seed,
            "--public-url",
            "http://sandbox.test",
        ],
        ..Options::default()
    }
}

/// The seed 001 flow (manual review: the operator approves), recording every response
/// body; waits for the pipeline before each decision so background work happens at the
/// same point of every run.
async fn seed_001_transcript(s: &Server) -> Vec<String> {
    let mut out = Vec::new();
    let mut rec = |v: &Value| out.push(serde_json::to_string(v).unwrap());
    let primary = s.approved_primary().await;
    rec(&s.get(&format!("/v1/CustomerProfiles/{primary}")).await.1);
    let bu = s.profile(SECONDARY).await;
    rec(&s.assign("CustomerProfiles", &bu, &primary).await);
    let ad = s.address().await;
    let rd = s
        .document("customer_profile_address", json!({"address_sids": ad}))
        .await;
    let eu = s
        .end_user(
            "customer_profile_business_information",
            business_information(),
        )
        .await;
    let rep = s
        .end_user("authorized_representative_1", representative())
        .await;
    for o in [&rd, &eu, &rep] {
        rec(&s.assign("CustomerProfiles", &bu, o).await);
    }
    let pn = s.number("+15555550100").await;
    let form = [
        ("ChannelEndpointType", "phone-number"),
        ("ChannelEndpointSid", pn.as_str()),
    ];
    rec(&s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"),
            &form,
            201,
        )
        .await);
    rec(&s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await);
    rec(&s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}"),
            &[("Status", "pending-review")],
            200,
        )
        .await);
    s.approve(&bu).await;
    rec(&s.get(&format!("/v1/CustomerProfiles/{bu}")).await.1);
    let tp = s.trust_product(VOICE_INTEGRITY).await;
    let vi = s.end_user("voice_integrity_information", json!({"use_case": "Survey/Research", "business_employee_count": "10", "average_business_day_call_volume": "10", "notes": ""})).await;
    rec(&s.assign("TrustProducts", &tp, &vi).await);
    rec(&s.assign("TrustProducts", &tp, &bu).await);
    rec(&s
        .ok(
            &format!("/v1/TrustProducts/{tp}/ChannelEndpointAssignments"),
            &form,
            201,
        )
        .await);
    rec(&s
        .ok(
            &format!("/v1/TrustProducts/{tp}"),
            &[("Status", "pending-review")],
            200,
        )
        .await);
    s.approve(&tp).await;
    rec(&s.get(&format!("/v1/TrustProducts/{tp}")).await.1);
    for list in [
        "/v1/CustomerProfiles",
        "/v1/TrustProducts",
        "/v1/EndUsers",
        "/v1/SupportingDocuments",
    ] {
        rec(&s.get(list).await.1);
    }
    rec(&s
        .get(&format!(
            "/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"
        ))
        .await
        .1);
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{tp}/Events"), &[])
        .await;
    rec(&events);
    out
}

#[tokio::test]
async fn two_seeded_runs_answer_byte_for_byte_the_same() {
    let a = Server::start_with(sandbox_opts("7"));
    let first = seed_001_transcript(&a).await;
    drop(a);
    let b = Server::start_with(sandbox_opts("7"));
    let second = seed_001_transcript(&b).await;
    assert_eq!(first.len(), second.len());
    for (i, (x, y)) in first.iter().zip(&second).enumerate() {
        assert_eq!(
            x,
            y,
            "response {i} differs; first responses: {:#?} vs {:#?}",
            &first[..2],
            &second[..2]
        );
    }
    assert!(
        first[0].contains("\"date_created\":\"2024-01-01T00:00:"),
        "{}",
        first[0]
    );
    assert!(first[0].contains("http://sandbox.test/v1/CustomerProfiles/BU"));
    // Another seed gives other SIDs.
    let c = Server::start_with(sandbox_opts("8"));
    let third = seed_001_transcript(&c).await;
    assert_ne!(first[1], third[1]);
}

#[tokio::test]
async fn ephemeral_stores_start_empty_every_time() {
    let opts = || Options {
        args: vec!["--ephemeral"],
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let s = Server::start_with(opts());
    println!(
        "ephemeral start-up (process start to first line): {:?}",
        started.elapsed()
    );
    let bu = s.profile(SECONDARY).await;
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 200);
    let dir = s.stop().unwrap();
    assert!(
        !dir.path().join("th.db").exists(),
        "nothing is written to disk"
    );
    let s = Server::start_with(opts());
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 404);
}

#[tokio::test]
async fn reset_clears_resources_and_keeps_or_wipes_accounts() {
    let mut s = Server::start();
    let bu = s.profile(SECONDARY).await;
    s.number("+15555550100").await;
    let (_, other) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Other")])
        .await;
    let (osid, otoken) = (
        other["sid"].as_str().unwrap().to_string(),
        other["auth_token"].as_str().unwrap().to_string(),
    );
    s.as_account(&osid, &otoken);
    let obu = s.profile(SECONDARY).await;
    // One account's reset leaves the other's data.
    let (st, _) = s
        .admin("POST", "/admin/v1/Reset", &[("AccountSid", &osid)])
        .await;
    assert_eq!(st, 200);
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{obu}")).await.0, 404);
    s.as_account(SID, TOKEN);
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 200);
    // A full reset keeps accounts unless asked.
    s.admin("POST", "/admin/v1/Reset", &[]).await;
    let (_, list) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(list["results"].as_array().unwrap().len(), 0);
    let (_, nums) = s
        .get(&format!(
            "/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"
        ))
        .await;
    assert_eq!(nums["incoming_phone_numbers"].as_array().unwrap().len(), 0);
    s.as_account(&osid, &otoken);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200, "accounts stay");
    s.admin("POST", "/admin/v1/Reset", &[("Accounts", "true")])
        .await;
    assert_eq!(
        s.get("/v1/CustomerProfiles").await.0,
        401,
        "other accounts are gone"
    );
    s.as_account(SID, TOKEN);
    assert_eq!(
        s.get("/v1/CustomerProfiles").await.0,
        200,
        "the bootstrap account is kept"
    );
    let (st, _) = s
        .admin(
            "POST",
            "/admin/v1/Reset",
            &[("AccountSid", "AC00000000000000000000000000000000")],
        )
        .await;
    assert_eq!(st, 404);
}

/// `AccountSid` with `Accounts=true` deletes that account, its subaccounts and their keys
/// (they once kept authenticating); the bootstrap account is re-created empty instead.
#[tokio::test]
async fn reset_of_one_account_with_accounts_deletes_it_and_its_subaccounts() {
    let mut s = Server::start();
    let mine = s.profile(SECONDARY).await;
    let (_, other) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Doomed")])
        .await;
    let (osid, otoken) = (
        other["sid"].as_str().unwrap().to_string(),
        other["auth_token"].as_str().unwrap().to_string(),
    );
    s.as_account(&osid, &otoken);
    let (st, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Child")])
        .await;
    assert_eq!(st, 201, "{sub}");
    let (st, key) = s
        .post(&format!("/2010-04-01/Accounts/{osid}/Keys.json"), &[])
        .await;
    assert_eq!(st, 201, "{key}");
    let credentials = [
        (osid.clone(), otoken.clone()),
        (
            sub["sid"].as_str().unwrap().to_string(),
            sub["auth_token"].as_str().unwrap().to_string(),
        ),
        (
            key["sid"].as_str().unwrap().to_string(),
            key["secret"].as_str().unwrap().to_string(),
        ),
    ];
    for (user, pass) in &credentials {
        s.as_account(user, pass);
        assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200, "{user} before");
    }
    // A value that is not true/false is refused, not read as "keep the accounts".
    let (st, body) = s
        .admin(
            "POST",
            "/admin/v1/Reset",
            &[("AccountSid", &osid), ("Accounts", "1")],
        )
        .await;
    assert_refused((st, &body), 400, 20001, "Accounts must be true or false");
    let (st, _) = s
        .admin(
            "POST",
            "/admin/v1/Reset",
            &[("AccountSid", &osid), ("Accounts", "true")],
        )
        .await;
    assert_eq!(st, 200);
    for (user, pass) in &credentials {
        s.as_account(user, pass);
        assert_eq!(s.get("/v1/CustomerProfiles").await.0, 401, "{user} is gone");
    }
    // Their requests leave the inspector with them.
    for gone in [&osid, &credentials[1].0] {
        let (_, log) = s
            .admin("GET", &format!("/admin/v1/Requests?AccountSid={gone}"), &[])
            .await;
        assert_eq!(
            log["requests"].as_array().unwrap().len(),
            0,
            "{gone}: {log}"
        );
    }
    s.as_account(SID, TOKEN);
    assert_eq!(
        s.get(&format!("/v1/CustomerProfiles/{mine}")).await.0,
        200,
        "another account's data stays"
    );
    // The bootstrap account: its data goes, the account comes back empty.
    let (st, _) = s
        .admin(
            "POST",
            "/admin/v1/Reset",
            &[("AccountSid", SID), ("Accounts", "true")],
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{mine}")).await.0, 404);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200);
    // The audit trail outlives the reset.
    let (_, audit) = s
        .admin("GET", &format!("/admin/v1/Audit?AccountSid={osid}"), &[])
        .await;
    assert!(!audit["audit"].as_array().unwrap().is_empty(), "{audit}");
}

#[tokio::test]
async fn snapshots_restore_the_whole_state() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let (st, snap) = s
        .admin(
            "POST",
            "/admin/v1/Snapshots",
            &[("Name", "after-onboarding")],
        )
        .await;
    assert_eq!(st, 201, "{snap}");
    assert!(snap["rows"].as_u64().unwrap() > 5);
    let (_, before) = s.get("/v1/EndUsers").await;
    // Change things: a new profile, a deleted assignment, a new account.
    let extra = s.profile(SECONDARY).await;
    s.admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Later")])
        .await;
    let (st, restored) = s
        .admin("POST", "/admin/v1/Snapshots/after-onboarding/Restore", &[])
        .await;
    assert_eq!(st, 200, "{restored}");
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{extra}")).await.0, 404);
    let (_, p) = s.get(&format!("/v1/CustomerProfiles/{primary}")).await;
    assert_eq!(p["status"], "twilio-approved");
    let (_, after) = s.get("/v1/EndUsers").await;
    assert_eq!(before["results"], after["results"]);
    // Paging and new writes keep working after a restore.
    let again = s.profile(SECONDARY).await;
    let (_, list) = s.get("/v1/CustomerProfiles").await;
    let sids: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids, [primary.as_str(), again.as_str()]);
    let (_, snaps) = s.admin("GET", "/admin/v1/Snapshots", &[]).await;
    assert_eq!(snaps["snapshots"][0]["name"], "after-onboarding");
    let (st, _) = s
        .admin("POST", "/admin/v1/Snapshots/nope/Restore", &[])
        .await;
    assert_eq!(st, 404);
    let (st, _) = s
        .admin("POST", "/admin/v1/Snapshots", &[("Name", "bad name!")])
        .await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn faults_inject_errors_delays_and_drops() {
    let s = Server::start();
    let (st, f) = s
        .admin(
            "POST",
            "/admin/v1/Faults",
            &[
                ("Path", "/v1/EndUsers"),
                ("Methods", "POST"),
                ("Count", "2"),
                ("Status", "429"),
                ("ErrorCode", "20429"),
            ],
        )
        .await;
    assert_eq!(st, 201, "{f}");
    let form = [
        ("FriendlyName", "x"),
        ("Type", "authorized_representative_1"),
    ];
    for _ in 0..2 {
        let (st, body) = s.post("/v1/EndUsers", &form).await;
        assert_eq!((st, body["code"].as_u64()), (429, Some(20429)));
    }
    assert_eq!(s.get("/v1/EndUsers").await.0, 200, "GET is not affected");
    assert_eq!(
        s.post("/v1/EndUsers", &form).await.0,
        201,
        "the fault is used up"
    );
    let (_, list) = s.admin("GET", "/admin/v1/Faults", &[]).await;
    assert_eq!(list["faults"].as_array().unwrap().len(), 0);

    // A glob, a delay, then removal.
    let (_, d) = s
        .admin(
            "POST",
            "/admin/v1/Faults",
            &[("Path", "/v1/*/Evaluations"), ("DelayMs", "300")],
        )
        .await;
    let bu = s.profile(SECONDARY).await;
    let t = std::time::Instant::now();
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
        &[("PolicySid", SECONDARY)],
        201,
    )
    .await;
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
    let (st, _) = s
        .admin(
            "DELETE",
            &format!("/admin/v1/Faults/{}", d["sid"].as_str().unwrap()),
            &[],
        )
        .await;
    assert_eq!(st, 204);

    // A dropped connection gives the client no usable answer.
    s.admin(
        "POST",
        "/admin/v1/Faults",
        &[("Path", "/v1/Policies"), ("Drop", "true"), ("Count", "1")],
    )
    .await;
    let r = reqwest::Client::new()
        .get(format!("{}/v1/Policies", s.base))
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await;
    let broken = match r {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(broken, "the dropped request must fail on the client");
    assert_eq!(s.get("/v1/Policies").await.0, 200);
    for bad in [
        vec![("Path", "/v1")],
        vec![("Path", "/v1"), ("Status", "200")],
        vec![("Path", "/v1"), ("Status", "500"), ("Probability", "2")],
    ] {
        let (st, _) = s.admin("POST", "/admin/v1/Faults", &bad).await;
        assert_eq!(st, 400, "{bad:?}");
    }
}

#[tokio::test]
async fn the_request_inspector_shows_what_was_sent_without_secrets() {
    let s = Server::start();
    let attrs = representative().to_string();
    s.ok(
        "/v1/EndUsers",
        &[
            ("FriendlyName", "Ada"),
            ("Type", "authorized_representative_1"),
            ("Attributes", &attrs),
        ],
        201,
    )
    .await;
    let (st, _) = s
        .post("/v1/CustomerProfiles", &[("FriendlyName", "x")])
        .await;
    assert_eq!(st, 400);
    s.ok(
        &format!("/2010-04-01/Accounts/{SID}/Keys.json"),
        &[("FriendlyName", "k")],
        201,
    )
    .await;
    let (_, log) = s
        .admin(
            "GET",
            &format!("/admin/v1/Requests?AccountSid={SID}&Limit=3"),
            &[],
        )
        .await;
    let reqs = log["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[0]["path"],
        format!("/2010-04-01/Accounts/{SID}/Keys.json")
    );
    assert_eq!(reqs[0]["response"]["secret"], "[redacted]");
    assert_eq!(reqs[1]["status"], 400);
    assert_eq!(reqs[1]["response"]["code"], 20001);
    assert_eq!(reqs[2]["method"], "POST");
    assert_eq!(reqs[2]["parameters"][2], json!(["Attributes", attrs]));
    assert_eq!(reqs[2]["response"]["friendly_name"], "Ada");
    let (_, accounts) = s.get("/2010-04-01/Accounts.json").await;
    assert_eq!(
        accounts["accounts"][0]["auth_token"], TOKEN,
        "the API itself still answers tokens"
    );
    let (_, log) = s.admin("GET", "/admin/v1/Requests?Limit=1", &[]).await;
    assert_eq!(
        log["requests"][0]["response"]["accounts"][0]["auth_token"],
        "[redacted]"
    );
}

/// The sandbox operator API through `trusthub admin …`.
#[tokio::test]
async fn the_admin_cli_drives_the_sandbox() {
    let s = Server::start();
    let cli = |args: &[&str]| {
        let (ok, json) = s.admin_cli(args);
        assert!(ok, "{args:?}: {json}");
        json
    };
    let bu = s.profile(SECONDARY).await;
    assert_eq!(cli(&["snapshots", "save", "one"])["name"], "one");
    assert_eq!(cli(&["snapshots", "list"])["snapshots"][0]["name"], "one");
    cli(&["reset"]);
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 404);
    cli(&["snapshots", "restore", "one"]);
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 200);
    let f = cli(&[
        "faults",
        "add",
        "/v1/EndUsers",
        "--methods",
        "GET",
        "--count",
        "1",
        "--status",
        "503",
        "--error-code",
        "20503",
    ]);
    assert_eq!(cli(&["faults", "list"])["faults"][0]["sid"], f["sid"]);
    assert_eq!(s.get("/v1/EndUsers").await.0, 503);
    let g = cli(&["faults", "add", "/v1/Policies", "--delay-ms", "1"]);
    assert_eq!(
        cli(&["faults", "remove", g["sid"].as_str().unwrap()])["status"],
        204
    );
    let reqs = cli(&["requests", "--account", SID, "--limit", "1"]);
    // Injected faults answer before authentication, so the inspector shows the last
    // request that reached the API.
    assert_eq!(
        reqs["requests"][0]["path"],
        format!("/v1/CustomerProfiles/{bu}")
    );
    let audit = cli(&["audit", "--account", SID]);
    assert_eq!(audit["audit"][0]["path"], "/v1/CustomerProfiles");
}
