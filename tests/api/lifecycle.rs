use crate::common::*;
use serde_json::Value;

async fn secondary_ready(s: &Server, primary: &str) -> String {
    let bu = s.profile(SECONDARY).await;
    s.complete_business_profile(&bu).await;
    s.assign("CustomerProfiles", &bu, primary).await;
    bu
}

fn event_types(events: &Value) -> Vec<String> {
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn manual_review_approves_with_valid_until_and_freezes() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let bu = secondary_ready(&s, &primary).await;
    let path = format!("/v1/CustomerProfiles/{bu}");
    let e = s
        .ok(
            &format!("{path}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await;
    assert_eq!(e["status"], "compliant", "{e}");
    let b = s.ok(&path, &[("Status", "pending-review")], 200).await;
    assert_eq!(b["status"], "pending-review");
    s.wait_status("CustomerProfiles", &bu, "in-review").await;

    let (_, queue) = s.admin("GET", "/admin/v1/Reviews", &[]).await;
    let sids: Vec<&str> = queue["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [bu.as_str()],
        "the approved primary is not in the queue"
    );
    let (_, filtered) = s
        .admin(
            "GET",
            &format!("/admin/v1/Reviews?PolicySid={PRIMARY}"),
            &[],
        )
        .await;
    assert_eq!(filtered["reviews"].as_array().unwrap().len(), 0);

    let (st, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{bu}"),
            &[("Decision", "approve")],
        )
        .await;
    assert_eq!((st, b["status"].as_str()), (200, Some("twilio-approved")));
    let (_, b) = s.get(&path).await;
    assert_eq!(b["status"], "twilio-approved");
    assert_eq!(b["errors"], Value::Null);
    let valid_until = b["valid_until"]
        .as_str()
        .expect("approved bundles carry valid_until");
    assert!(valid_until > b["date_updated"].as_str().unwrap());
    // Approved content is what was vetted: no new entities, no attribute edits.
    let eu = s
        .end_user("authorized_representative_2", representative())
        .await;
    let (st, _) = s
        .post(&format!("{path}/EntityAssignments"), &[("ObjectSid", &eu)])
        .await;
    assert_eq!(st, 409);
    // Numbers may still be added to an approved profile.
    let pn = s.number("+15555550100").await;
    s.ok(
        &format!("{path}/ChannelEndpointAssignments"),
        &[
            ("ChannelEndpointType", "phone-number"),
            ("ChannelEndpointSid", &pn),
        ],
        201,
    )
    .await;
    // Deciding again is refused.
    let (st, body) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{bu}"),
            &[("Decision", "approve")],
        )
        .await;
    assert_eq!((st, body["code"].as_u64()), (409, Some(20409)));

    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
        .await;
    let types = event_types(&events);
    assert_eq!(types[0], "created");
    for want in [
        "assigned",
        "evaluated",
        "status_changed",
        "channel_assigned",
    ] {
        assert!(
            types.iter().any(|t| t == want),
            "{want} missing from {types:?}"
        );
    }
    let changes: Vec<(String, String)> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "status_changed")
        .map(|e| {
            (
                e["detail"]["to"].as_str().unwrap().into(),
                e["detail"]["by"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("pending-review".to_string(), "customer".to_string()),
            ("in-review".into(), "pipeline".into()),
            ("twilio-approved".into(), "operator".into())
        ]
    );
}

#[tokio::test]
async fn rejection_carries_codes_and_the_bundle_can_be_fixed_and_resubmitted() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let bu = secondary_ready(&s, &primary).await;
    let path = format!("/v1/CustomerProfiles/{bu}");
    s.ok(&path, &[("Status", "pending-review")], 200).await;
    let reject = [
        ("Decision", "reject"),
        ("FailureReason", "Website does not match"),
        ("ErrorCodes", "18601,18606"),
    ];
    let (st, b) = s
        .admin("POST", &format!("/admin/v1/Reviews/{bu}"), &reject)
        .await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = s.get(&path).await;
    assert_eq!(b["status"], "twilio-rejected");
    assert_eq!(
        b["errors"],
        serde_json::json!([{"code": 18601}, {"code": 18606}])
    );
    assert_eq!(b["valid_until"], Value::Null);
    // Fix: rejected bundles are editable again.
    let (_, assigned) = s
        .get(&format!(
            "{path}/EntityAssignments?ObjectType=customer_profile_business_information"
        ))
        .await;
    let eu = assigned["results"][0]["object_sid"].as_str().unwrap();
    let mut fixed = business_information();
    fixed["website_url"] = "https://acme-inc.example.com".into();
    s.ok(
        &format!("/v1/EndUsers/{eu}"),
        &[("Attributes", &fixed.to_string())],
        200,
    )
    .await;
    let b = s.ok(&path, &[("Status", "pending-review")], 200).await;
    assert_eq!(b["status"], "pending-review");
    assert_eq!(
        b["errors"],
        Value::Null,
        "resubmission clears the rejection"
    );
    let (st, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{bu}"),
            &[("Decision", "approve")],
        )
        .await;
    assert_eq!(
        (st, b["status"].as_str()),
        (200, Some("twilio-approved")),
        "{b}"
    );
    assert_eq!(b["errors"], Value::Null, "{b}");
    s.wait_status("CustomerProfiles", &bu, "twilio-approved")
        .await;
}

#[tokio::test]
async fn operator_api_refuses_bad_requests() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}/admin/v1/Reviews", s.base))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp = client
        .get(format!("{}/admin/v1/Reviews", s.base))
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        401,
        "account credentials are not operator credentials"
    );
    let cases: Vec<(Form, u16, u64)> = vec![
        (vec![("Decision", "approve")], 409, 20409),
        (vec![("Decision", "maybe")], 400, 20001),
        (vec![], 400, 20001),
    ];
    for (form, status, code) in cases {
        let (st, body) = s
            .admin("POST", &format!("/admin/v1/Reviews/{bu}"), &form)
            .await;
        assert_eq!(
            (st, body["code"].as_u64()),
            (status, Some(code)),
            "{form:?}: {body}"
        );
    }
    let primary = s.approved_primary().await;
    let sec = secondary_ready(&s, &primary).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{sec}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    for (form, says) in [
        (
            vec![("Decision", "reject")],
            "Missing required parameter ErrorCodes",
        ),
        (
            vec![("Decision", "reject"), ("ErrorCodes", "12345")],
            "ErrorCodes: 12345 is not a rejection code; use 18601",
        ),
        (
            vec![("Decision", "reject"), ("ErrorCodes", "x")],
            "ErrorCodes: \"x\" is not a number",
        ),
    ] {
        let (st, body) = s
            .admin("POST", &format!("/admin/v1/Reviews/{sec}"), &form)
            .await;
        assert_refused((st, &body), 400, 20001, says);
    }
    // None of them decided anything.
    let (_, b) = s.get(&format!("/v1/CustomerProfiles/{sec}")).await;
    assert!(
        b["status"] == "pending-review" || b["status"] == "in-review",
        "{b}"
    );
    let (st, _) = s
        .admin(
            "POST",
            "/admin/v1/Reviews/BU0123456789abcdef0123456789abcdef",
            &[("Decision", "approve")],
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = s
        .admin(
            "POST",
            "/admin/v1/Accounts/AC00000000000000000000000000000000/CustomerProfiles",
            &[
                ("FriendlyName", "x"),
                ("Email", "a@b.co"),
                ("PolicySid", PRIMARY),
            ],
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = s
        .admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "-5")])
        .await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn operator_accounts_work_with_the_public_api() {
    let mut s = Server::start();
    let (st, a) = s
        .admin(
            "POST",
            "/admin/v1/Accounts",
            &[("FriendlyName", "Customer B")],
        )
        .await;
    assert_eq!(st, 201);
    let sid = a["sid"].as_str().unwrap().to_string();
    let token = a["auth_token"].as_str().unwrap().to_string();
    assert!(sid.starts_with("AC") && sid.len() == 34);
    assert!(
        token.len() == 32
            && token
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(a["friendly_name"], "Customer B");
    s.as_account(&sid, &token);
    let bu = s.profile(SECONDARY).await;
    s.as_account(SID, TOKEN);
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 404);
}

#[tokio::test]
async fn auto_review_approves_after_the_delay_measured_on_the_server_clock() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "3600"],
        ..Options::default()
    });
    let primary = s.approved_primary().await;
    let bu = secondary_ready(&s, &primary).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("CustomerProfiles", &bu, "in-review").await;
    // Fifty minutes on the server clock (the submission was a few real seconds ago), and
    // the worker has run everything due by then: not decided yet.
    let (st, clock) = s
        .admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "3000")])
        .await;
    assert_eq!((st, clock["offset_seconds"].as_i64()), (200, Some(3000)));
    s.worker_caught_up().await;
    let (_, b) = s.get(&format!("/v1/CustomerProfiles/{bu}")).await;
    assert_eq!(b["status"], "in-review", "an hour has not passed yet");
    let (st, clock) = s
        .admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "600")])
        .await;
    assert_eq!((st, clock["offset_seconds"].as_i64()), (200, Some(3600)));
    s.wait_status("CustomerProfiles", &bu, "twilio-approved")
        .await;
}

#[tokio::test]
async fn auto_review_trigger_values_reject_with_their_codes() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "0"],
        ..Options::default()
    });
    let primary = s.approved_primary().await;
    let bu = s.profile(SECONDARY).await;
    let mut biz = business_information();
    biz["business_name"] = "Acme REJECT".into();
    let eu = s
        .end_user("customer_profile_business_information", biz)
        .await;
    let mut rep = representative();
    rep["last_name"] = "REJECT".into();
    let r1 = s.end_user("authorized_representative_1", rep).await;
    let rd = s.address_document().await;
    for o in [&eu, &r1, &rd, &primary] {
        s.assign("CustomerProfiles", &bu, o).await;
    }
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let b = s
        .wait_status("CustomerProfiles", &bu, "twilio-rejected")
        .await;
    assert_eq!(
        b["errors"],
        serde_json::json!([{"code": 18601}, {"code": 18604}])
    );
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
        .await;
    let rejected = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["detail"]["to"] == "twilio-rejected")
        .unwrap();
    assert!(rejected["detail"]["failure_reason"]
        .as_str()
        .unwrap()
        .contains("Acme REJECT"));
}

/// A Secondary profile with this `Email`, submitted under a two-hour review delay; then,
/// after a restart with a one-minute delay, a Voice Integrity trust product over it,
/// submitted: the trust product's decision falls due long before its profile's.
/// Returns the running server, its directory, the profile and the trust product.
async fn trust_product_due_before_its_profile(
    profile_email: &str,
) -> (Server, tempfile::TempDir, String, String) {
    let opts = |delay| Options {
        args: vec!["--review", "auto", "--review-delay", delay],
        ..Options::default()
    };
    let s = Server::start_with(opts("7200"));
    let primary = s.approved_primary().await;
    let bu = secondary_ready(&s, &primary).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Email", profile_email), ("Status", "pending-review")],
        200,
    )
    .await;
    // In review: its decision is scheduled two hours after the submission.
    s.wait_status("CustomerProfiles", &bu, "in-review").await;
    let dir = s.stop().unwrap();
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        ..opts("60")
    });
    let tp = s.trust_product(VOICE_INTEGRITY).await;
    let vi = s
        .end_user(
            "voice_integrity_information",
            serde_json::json!({"use_case": "Survey/Research", "business_employee_count": "10", "average_business_day_call_volume": "10", "notes": ""}),
        )
        .await;
    s.assign("TrustProducts", &tp, &vi).await;
    s.assign("TrustProducts", &tp, &bu).await;
    s.ok(
        &format!("/v1/TrustProducts/{tp}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("TrustProducts", &tp, "in-review").await;
    (s, dir, bu, tp)
}

/// The status_changed event of `sid` into `to`.
async fn decision_event(s: &Server, sid: &str, to: &str) -> Value {
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{sid}/Events"), &[])
        .await;
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "status_changed" && e["detail"]["to"] == to)
        .unwrap_or_else(|| panic!("{sid} has no change to {to}: {events}"))
        .clone()
}

/// Seed 001's second half: the trust product is decided only after its profile, even
/// when its own decision falls due first.
#[tokio::test]
async fn auto_review_of_a_trust_product_waits_for_its_customer_profile() {
    let (s, dir, bu, tp) = trust_product_due_before_its_profile("ops@acme.com").await;
    // Ten minutes on: the trust product's delay has passed, its profile's has not.
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "600")])
        .await;
    s.worker_caught_up().await;
    let (_, b) = s.get(&format!("/v1/TrustProducts/{tp}")).await;
    assert_eq!(b["status"], "in-review", "decided before its profile");
    // Two hours on: the profile is approved, then the trust product.
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "7200")])
        .await;
    s.wait_status("CustomerProfiles", &bu, "twilio-approved")
        .await;
    s.wait_status("TrustProducts", &tp, "twilio-approved").await;
    let profile = decision_event(&s, &bu, "twilio-approved").await;
    let product = decision_event(&s, &tp, "twilio-approved").await;
    assert!(
        product["date_created"].as_str() >= profile["date_created"].as_str(),
        "{product} before {profile}"
    );
    drop(s);
    drop(dir);
}

/// A rejected customer profile rejects the trust product over it, with its codes.
#[tokio::test]
async fn auto_review_carries_a_rejected_profile_over_to_its_trust_product() {
    let (s, dir, bu, tp) = trust_product_due_before_its_profile("reject@acme.com").await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "600")])
        .await;
    s.worker_caught_up().await;
    let (_, b) = s.get(&format!("/v1/TrustProducts/{tp}")).await;
    assert_eq!(b["status"], "in-review", "decided before its profile");
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "7200")])
        .await;
    let profile = s
        .wait_status("CustomerProfiles", &bu, "twilio-rejected")
        .await;
    assert_eq!(profile["errors"], serde_json::json!([{"code": 18606}]));
    let product = s.wait_status("TrustProducts", &tp, "twilio-rejected").await;
    assert_eq!(product["errors"], serde_json::json!([{"code": 18606}]));
    let rejected = decision_event(&s, &tp, "twilio-rejected").await;
    assert_eq!(
        rejected["detail"]["failure_reason"],
        format!("The supporting bundle {bu} was rejected"),
        "{rejected}"
    );
    drop(s);
    drop(dir);
}

#[tokio::test]
async fn customers_cannot_set_any_other_status_or_resubmit_an_approved_bundle() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let path = format!("/v1/CustomerProfiles/{primary}");
    for status in ["draft", "in-review", "twilio-rejected"] {
        let (st, body) = s.post(&path, &[("Status", status)]).await;
        assert_eq!((st, body["code"].as_u64()), (400, Some(22203)), "{status}");
    }
    // Its own status is no change (issue 12: seed 004 sends draft to a draft).
    let (st, body) = s.post(&path, &[("Status", "twilio-approved")]).await;
    assert_eq!(
        (st, body["status"].as_str()),
        (200, Some("twilio-approved"))
    );
    let (st, body) = s.post(&path, &[("Status", "pending-review")]).await;
    assert_eq!(
        (st, body["code"].as_u64()),
        (409, Some(20409)),
        "approved bundles are not resubmitted"
    );
    let (_, b) = s.get(&path).await;
    assert_eq!(b["status"], "twilio-approved");
}

/// The same operator API through `trusthub admin …`.
#[tokio::test]
async fn the_admin_cli_drives_a_running_server() {
    let s = Server::start();
    let cli = |args: &[&str]| s.admin_cli(args);
    let (ok, account) = cli(&["accounts", "create", "--friendly-name", "From CLI"]);
    assert!(ok);
    assert_eq!(account["friendly_name"], "From CLI");
    let (ok, b) = cli(&[
        "create-bundle",
        "--account",
        SID,
        "--policy",
        PRIMARY,
        "--friendly-name",
        "Parent",
        "--email",
        "ops@parent.example.com",
    ]);
    assert!(ok, "{b}");
    let bu = b["sid"].as_str().unwrap().to_string();
    s.complete_business_profile(&bu).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let (ok, queue) = cli(&["review", "list"]);
    assert!(ok);
    assert_eq!(queue["reviews"][0]["sid"], bu.as_str());
    let (ok, bad) = cli(&[
        "review", "reject", &bu, "--reason", "nope", "--codes", "99999",
    ]);
    assert!(!ok, "an unknown code is refused and the command fails");
    assert_eq!(bad["status"], 400);
    let (ok, rejected) = cli(&[
        "review", "reject", &bu, "--reason", "Website", "--codes", "18601",
    ]);
    assert!(ok);
    assert_eq!(rejected["status"], "twilio-rejected");
    let (ok, events) = cli(&["events", &bu]);
    assert!(ok);
    assert!(event_types(&events).contains(&"status_changed".to_string()));
    let (ok, clock) = cli(&["clock", "advance", "60"]);
    assert!(ok);
    assert_eq!(clock["offset_seconds"], 60);
}
