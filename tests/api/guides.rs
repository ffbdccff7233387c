//! Issue 12's faults: what Twilio's onboarding guides and integrators' code send, and what
//! they must get back. Each test failed on the server before the fix.
use crate::common::*;
use serde_json::{json, Value};

const SHAKEN_STIR: &str = "RN7a97559effdf62d00f4298208492a5ea";
const CNAM: &str = "RNf3db3cd1fe25fcfd3c3ded065c8fea53";
const STARTER: &str = "RN806dd6cd175f314e1f96a9727ee271f4";

/// A complete Secondary profile on an approved Primary, still a draft.
async fn compliant_secondary(s: &Server) -> String {
    let primary = s.approved_primary().await;
    let bu = s.profile(SECONDARY).await;
    s.complete_business_profile(&bu).await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    bu
}

async fn events(s: &Server, bu: &str) -> Vec<Value> {
    let (_, e) = s
        .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
        .await;
    e["events"].as_array().unwrap().clone()
}

/// The SHAKEN/STIR guides submit with `Status` and `StatusCallback` in one request.
#[tokio::test]
async fn status_and_other_properties_are_one_change() {
    let s = Server::start();
    let bu = compliant_secondary(&s).await;
    let path = format!("/v1/CustomerProfiles/{bu}");
    let b = s
        .ok(
            &path,
            &[
                ("Status", "pending-review"),
                ("StatusCallback", "https://hooks.example.com/trusthub"),
                ("FriendlyName", "Renamed at submission"),
                ("Email", "compliance@acme.example.com"),
            ],
            200,
        )
        .await;
    assert_eq!(b["status"], "pending-review");
    assert_eq!(b["status_callback"], "https://hooks.example.com/trusthub");
    assert_eq!(b["friendly_name"], "Renamed at submission");
    assert_eq!(b["email"], "compliance@acme.example.com");
    // The callback sent with the submission hears about it.
    let queued: Vec<Value> = events(&s, &bu)
        .await
        .into_iter()
        .filter(|e| e["type"] == "callback_queued")
        .collect();
    assert_eq!(
        queued[0]["detail"]["url"], "https://hooks.example.com/trusthub",
        "{queued:?}"
    );
    assert_eq!(queued[0]["detail"]["status"], "pending-review");

    // The evaluation still gates it: a refused submission applies nothing.
    let draft = s.profile(SECONDARY).await;
    let path = format!("/v1/CustomerProfiles/{draft}");
    let (st, body) = s
        .post(
            &path,
            &[
                ("Status", "pending-review"),
                ("StatusCallback", "https://hooks.example.com/other"),
                ("FriendlyName", "Not applied"),
            ],
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22220,
        "is noncompliant and cannot be submitted. Fix: ",
    );
    let (_, b) = s.get(&path).await;
    assert_eq!(b["status"], "draft");
    assert_eq!(b["friendly_name"], "Acme");
    assert_eq!(b["status_callback"], Value::Null);
    // A bad property refuses the whole request too, before the evaluation.
    let (st, body) = s
        .post(
            &path,
            &[("Status", "pending-review"), ("StatusCallback", "ftp://x")],
        )
        .await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21609)), "{body}");
}

/// Seed 004: `trustProducts(sid).update({status: "draft"})` on a draft answers 200.
#[tokio::test]
async fn setting_the_current_status_changes_nothing_else() {
    let s = Server::start();
    let tp = s.trust_product(VOICE_INTEGRITY).await;
    let path = format!("/v1/TrustProducts/{tp}");
    let (_, before) = s.get(&path).await;
    let b = s.ok(&path, &[("Status", "draft")], 200).await;
    assert_eq!(b, before, "nothing changed, not even date_updated");
    let b = s
        .ok(
            &path,
            &[("Status", "draft"), ("FriendlyName", "Renamed")],
            200,
        )
        .await;
    assert_eq!(
        (b["status"].as_str(), b["friendly_name"].as_str()),
        (Some("draft"), Some("Renamed"))
    );
    let (_, evs) = s
        .admin("GET", &format!("/admin/v1/Bundles/{tp}/Events"), &[])
        .await;
    let kinds: Vec<&str> = evs["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"status_changed"), "{kinds:?}");
    // The same for any status the bundle is in; other statuses stay refused.
    let primary = s.approved_primary().await;
    let path = format!("/v1/CustomerProfiles/{primary}");
    let b = s.ok(&path, &[("Status", "twilio-approved")], 200).await;
    assert_eq!(b["status"], "twilio-approved");
    let (st, body) = s.post(&path, &[("Status", "draft")]).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(22203)), "{body}");
}

/// Seed 004 creates with `email: "Email"`; Twilio checks the email during review.
#[tokio::test]
async fn the_email_is_checked_at_review_not_at_create() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "3600"],
        ..Options::default()
    });
    let b = s
        .ok(
            "/v1/TrustProducts",
            &[
                ("Email", "Email"),
                ("FriendlyName", "FriendlyName"),
                ("PolicySid", VOICE_INTEGRITY),
            ],
            201,
        )
        .await;
    assert_eq!(b["email"], "Email");
    let (st, body) = s
        .post(
            "/v1/CustomerProfiles",
            &[
                ("Email", ""),
                ("FriendlyName", "x"),
                ("PolicySid", SECONDARY),
            ],
        )
        .await;
    assert_eq!(
        (st, body["code"].as_u64()),
        (400, Some(20001)),
        "empty is still missing: {body}"
    );

    let bu = compliant_secondary(&s).await;
    let path = format!("/v1/CustomerProfiles/{bu}");
    s.ok(&path, &[("Email", "not-an-email")], 200).await;
    s.ok(&path, &[("Status", "pending-review")], 200).await;
    s.wait_status("CustomerProfiles", &bu, "in-review").await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "3600")])
        .await;
    let b = s
        .wait_status("CustomerProfiles", &bu, "twilio-rejected")
        .await;
    assert_eq!(b["errors"], json!([{"code": 18606}]));
    // Fixed and resubmitted, it is approved.
    s.ok(
        &path,
        &[
            ("Email", "ops@acme.example.com"),
            ("Status", "pending-review"),
        ],
        200,
    )
    .await;
    s.wait_status("CustomerProfiles", &bu, "in-review").await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "3600")])
        .await;
    s.wait_status("CustomerProfiles", &bu, "twilio-approved")
        .await;
}

async fn subaccount(s: &Server, name: &str) -> (String, String) {
    let a = s
        .ok("/2010-04-01/Accounts.json", &[("FriendlyName", name)], 201)
        .await;
    (
        a["sid"].as_str().unwrap().into(),
        a["auth_token"].as_str().unwrap().into(),
    )
}

async fn assign_number(s: &Server, collection: &str, bu: &str, pn: &str) -> (u16, Value) {
    s.post(
        &format!("/v1/{collection}/{bu}/ChannelEndpointAssignments"),
        &[
            ("ChannelEndpointType", "phone-number"),
            ("ChannelEndpointSid", pn),
        ],
    )
    .await
}

/// Twilio's guides for direct customers with subaccounts: the subaccounts' numbers go on the
/// parent's Primary profile, then on the parent's SHAKEN/STIR, Voice Integrity and CNAM.
#[tokio::test]
async fn a_parents_trust_products_take_the_numbers_on_its_primary() {
    let mut s = Server::start();
    let primary = s.approved_primary().await;
    let (sub, token) = subaccount(&s, "Store 12").await;
    s.as_account(&sub, &token);
    let on_primary = s.number("+15555550112").await;
    let elsewhere = s.number("+15555550113").await;
    s.as_account(SID, TOKEN);
    let (st, body) = assign_number(&s, "CustomerProfiles", &primary, &on_primary).await;
    assert_eq!(st, 201, "{body}");
    for policy in [SHAKEN_STIR, VOICE_INTEGRITY, CNAM] {
        let tp = s.trust_product(policy).await;
        s.assign("TrustProducts", &tp, &primary).await;
        let (st, body) = assign_number(&s, "TrustProducts", &tp, &on_primary).await;
        assert_eq!(st, 201, "{policy}: {body}");
        assert_eq!(body["channel_endpoint_sid"], on_primary.as_str());
        // A subaccount number that is not on the Primary stays out.
        let (st, body) = assign_number(&s, "TrustProducts", &tp, &elsewhere).await;
        assert_refused(
            (st, &body),
            400,
            22205,
            &format!("{elsewhere} is not assigned to a CustomerProfile of this TrustProduct"),
        );
    }
    // Another family's number is unknown here.
    s.as_account(OTHER_SID, OTHER_TOKEN);
    let (st, _) = s.get("/v1/TrustProducts").await;
    assert_eq!(st, 401, "the other account does not exist in this store");
}

/// Integrators handle 409 / 20409 naming the other bundle when a number is registered twice.
#[tokio::test]
async fn a_number_is_registered_once_per_kind_of_trust_product() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let pn = s.number("+15555550120").await;
    assert_eq!(
        assign_number(&s, "CustomerProfiles", &primary, &pn).await.0,
        201
    );
    let product = |policy| {
        let s = &s;
        let primary = primary.clone();
        async move {
            let tp = s.trust_product(policy).await;
            s.assign("TrustProducts", &tp, &primary).await;
            tp
        }
    };
    let first = product(CNAM).await;
    let second = product(CNAM).await;
    let (st, a) = assign_number(&s, "TrustProducts", &first, &pn).await;
    assert_eq!(st, 201, "{a}");
    let (st, body) = assign_number(&s, "TrustProducts", &second, &pn).await;
    assert_eq!((st, body["code"].as_u64()), (409, Some(20409)), "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(msg.contains(&first) && msg.contains(&pn), "{msg}");
    // Other kinds of trust product take the same number.
    for policy in [SHAKEN_STIR, VOICE_INTEGRITY] {
        let tp = product(policy).await;
        assert_eq!(
            assign_number(&s, "TrustProducts", &tp, &pn).await.0,
            201,
            "{policy}"
        );
    }
    // Once removed from the first, the second may take it.
    let (st, _) = s
        .delete(&format!(
            "/v1/TrustProducts/{first}/ChannelEndpointAssignments/{}",
            a["sid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, 204);
    assert_eq!(
        assign_number(&s, "TrustProducts", &second, &pn).await.0,
        201
    );
}

async fn create_secondary(s: &Server) -> (u16, Value) {
    s.post(
        "/v1/CustomerProfiles",
        &[
            ("FriendlyName", "Acme"),
            ("Email", "ops@acme.com"),
            ("PolicySid", SECONDARY),
        ],
    )
    .await
}

/// Direct customers create Secondary profiles in the Console; the API is the ISVs' path.
#[tokio::test]
async fn secondary_profiles_through_the_api_are_for_isvs() {
    let mut s = Server::start();
    // No Primary yet: nothing says which kind of customer this is.
    assert_eq!(create_secondary(&s).await.0, 201);
    let (_, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{SID}/CustomerProfiles"),
            &[
                ("FriendlyName", "Direct Inc"),
                ("Email", "ops@direct.example.com"),
                ("PolicySid", PRIMARY),
            ],
        )
        .await;
    let primary = b["sid"].as_str().unwrap().to_string();
    s.complete_business_profile(&primary).await; // business_identity=direct_customer
    let (st, body) = create_secondary(&s).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(22200)), "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.contains("direct_customer") && msg.contains(&primary),
        "{msg}"
    );
    // Its subaccounts know nothing of the parent's Primary until it is approved (issue 15:
    // a parent bundle a subaccount may not use reads as nothing)...
    let (sub, token) = subaccount(&s, "Store").await;
    s.as_account(&sub, &token);
    let (st, body) = create_secondary(&s).await;
    assert_eq!(st, 201, "a draft parent Primary must not show: {body}");
    assert!(!body.to_string().contains(&primary), "{body}");
    // ...and once it is, they belong to the same direct customer.
    s.as_account(SID, TOKEN);
    s.ok(
        &format!("/v1/CustomerProfiles/{primary}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.approve(&primary).await;
    s.as_account(&sub, &token);
    let (st, body) = create_secondary(&s).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(22200)), "{body}");
    // Other customer-profile policies are not restricted.
    assert_eq!(
        s.post(
            "/v1/CustomerProfiles",
            &[
                ("FriendlyName", "S"),
                ("Email", "s@acme.com"),
                ("PolicySid", STARTER)
            ],
        )
        .await
        .0,
        201
    );
    // An ISV's family keeps creating them (seed 001).
    s.as_account(SID, TOKEN);
    let isv = Server::start();
    isv.approved_primary().await;
    assert_eq!(create_secondary(&isv).await.0, 201);
}

/// Twilio's codes: 21473 for a target outside the family, 21474 for a subaccount's move to
/// its parent.
#[tokio::test]
async fn transfer_refusals_use_twilios_codes() {
    let mut s = Server::start();
    let (sub, token) = subaccount(&s, "A").await;
    let (sibling, _) = subaccount(&s, "B").await;
    let (_, other) = s
        .admin(
            "POST",
            "/admin/v1/Accounts",
            &[("FriendlyName", "Elsewhere")],
        )
        .await;
    let other = other["sid"].as_str().unwrap().to_string();
    let own = s.number("+15555550130").await;
    let path = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{own}.json");
    let (st, body) = s.post(&path, &[("AccountSid", &other)]).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21473)), "{body}");

    s.as_account(&sub, &token);
    let pn = s.number("+15555550131").await;
    let path = format!("/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers/{pn}.json");
    let (st, body) = s.post(&path, &[("AccountSid", SID)]).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21474)), "{body}");
    let (st, body) = s.post(&path, &[("AccountSid", &sibling)]).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21473)), "{body}");
    let (_, n) = s.get(&path).await;
    assert_eq!(n["account_sid"], sub.as_str(), "the number did not move");
}

/// twilio-cli keys its help text on Twilio's 401 message, "Authenticate".
#[tokio::test]
async fn unauthorized_bodies_say_authenticate() {
    let mut s = Server::start();
    s.as_account(SID, "wrong-token");
    for p in ["/v1/CustomerProfiles", "/2010-04-01/Accounts.json"] {
        let (st, body) = s.get(p).await;
        assert_eq!(st, 401);
        assert_eq!(body["message"], "Authenticate", "{p}");
        assert_eq!(body["code"], 20003);
    }
}

/// Twilio's Starter guide: the Primary must be twilio-approved, not merely in review.
#[tokio::test]
async fn a_starter_profile_counts_only_an_approved_primary() {
    let s = Server::start();
    let (_, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{SID}/CustomerProfiles"),
            &[
                ("FriendlyName", "Parent"),
                ("Email", "ops@parent.example.com"),
                ("PolicySid", PRIMARY),
            ],
        )
        .await;
    let primary = b["sid"].as_str().unwrap().to_string();
    s.complete_business_profile(&primary).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{primary}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("CustomerProfiles", &primary, "in-review")
        .await;

    let starter = s.profile(STARTER).await;
    let info = s
        .end_user(
            "starter_customer_profile_information",
            json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example.com",
                   "phone_number": "+15555550100"}),
        )
        .await;
    let doc = s.address_document().await;
    for o in [&info, &doc, &primary] {
        s.assign("CustomerProfiles", &starter, o).await;
    }
    let evaluate = || async {
        s.ok(
            &format!("/v1/CustomerProfiles/{starter}/Evaluations"),
            &[("PolicySid", STARTER)],
            201,
        )
        .await
    };
    let e = evaluate().await;
    assert_eq!(e["status"], "noncompliant", "{e}");
    let failed: Vec<&Value> = e["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{e}");
    assert_eq!(failed[0]["requirement_name"], "primary_customer_profile");
    let reason = failed[0]["failure_reason"].as_str().unwrap();
    assert!(
        reason.contains("in-review") && reason.contains("twilio-approved"),
        "{reason}"
    );
    s.approve(&primary).await;
    assert_eq!(evaluate().await["status"], "compliant");
}

/// The CNAM guide's character rule, evaluated through the API.
#[tokio::test]
async fn cnam_display_names_must_start_with_a_letter() {
    let s = Server::start();
    let tp = s.trust_product(CNAM).await;
    let eu = s
        .end_user(
            "cnam_information",
            json!({"cnam_display_name": "BLUEFIN & CO"}),
        )
        .await;
    s.assign("TrustProducts", &tp, &eu).await;
    let e = s
        .ok(
            &format!("/v1/TrustProducts/{tp}/Evaluations"),
            &[("PolicySid", CNAM)],
            201,
        )
        .await;
    let cnam = e["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["requirement_name"] == "cnam_information")
        .unwrap()
        .clone();
    assert_eq!(cnam["passed"], false, "{cnam}");
    assert_eq!(cnam["invalid"][0]["object_field"], "cnam_display_name");
    assert!(
        cnam["failure_reason"]
            .as_str()
            .unwrap()
            .contains("must start with a letter"),
        "{cnam}"
    );
}

/// Every voice guide: "You can complete this step before or after submitting your … Trust
/// Product for vetting." Numbers are taken (and removed) while the bundle is under review.
#[tokio::test]
async fn numbers_are_assigned_before_or_after_submitting() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let early = s.number("+15555550140").await;
    let late = s.number("+15555550141").await;
    for pn in [&early, &late] {
        assert_eq!(
            assign_number(&s, "CustomerProfiles", &primary, pn).await.0,
            201
        );
    }
    let tp = s.trust_product(SHAKEN_STIR).await;
    s.assign("TrustProducts", &tp, &primary).await;
    let (_, a) = assign_number(&s, "TrustProducts", &tp, &early).await;
    s.ok(
        &format!("/v1/TrustProducts/{tp}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("TrustProducts", &tp, "in-review").await;
    let (st, body) = assign_number(&s, "TrustProducts", &tp, &late).await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = s
        .delete(&format!(
            "/v1/TrustProducts/{tp}/ChannelEndpointAssignments/{}",
            a["sid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, 204, "{body}");
    // Entities stay frozen for the reviewer.
    let eu = s
        .end_user("authorized_representative_2", representative())
        .await;
    let (st, _) = s
        .post(
            &format!("/v1/TrustProducts/{tp}/EntityAssignments"),
            &[("ObjectSid", &eu)],
        )
        .await;
    assert_eq!(st, 409);
}

/// README "Scripting an outcome": submit, then advance the clock by the review delay, then
/// expect the decision. The delay counts from the submission, whenever the background step
/// that moves the bundle to in-review runs.
#[tokio::test]
async fn the_review_delay_counts_from_the_submission() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "3600"],
        ..Options::default()
    });
    for i in 0..6 {
        let (_, b) = s
            .admin(
                "POST",
                &format!("/admin/v1/Accounts/{SID}/CustomerProfiles"),
                &[
                    ("FriendlyName", &format!("Primary {i}")),
                    ("Email", "ops@acme.example.com"),
                    ("PolicySid", PRIMARY),
                ],
            )
            .await;
        let bu = b["sid"].as_str().unwrap().to_string();
        s.complete_business_profile(&bu).await;
        s.ok(
            &format!("/v1/CustomerProfiles/{bu}"),
            &[("Status", "pending-review")],
            200,
        )
        .await;
        // At once, as the README's example does: no waiting for in-review. (Before the fix
        // the advance often landed before the in-review step, and the decision an hour later.)
        s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "3600")])
            .await;
        s.wait_status("CustomerProfiles", &bu, "twilio-approved")
            .await;
    }
}

const ENHANCED_BRANDED_CALLING: &str = "RNa0b74679be7511921f4d2e3094fa6d23";

/// QA F2: a trust product's number must stay on its customer profile for as long as the
/// trust product has it; the profile cannot drop it first (409 naming the trust product).
#[tokio::test]
async fn a_profile_keeps_the_numbers_its_trust_products_rely_on() {
    let mut s = Server::start();
    let primary = s.approved_primary().await;
    let (sub, token) = subaccount(&s, "Store 7").await;
    s.as_account(&sub, &token);
    let pn = s.number("+15555550150").await;
    s.as_account(SID, TOKEN);
    let (_, on_primary) = assign_number(&s, "CustomerProfiles", &primary, &pn).await;
    let tp = s.trust_product(SHAKEN_STIR).await;
    s.assign("TrustProducts", &tp, &primary).await;
    let (st, on_tp) = assign_number(&s, "TrustProducts", &tp, &pn).await;
    assert_eq!(st, 201, "{on_tp}");
    let primary_path = format!(
        "/v1/CustomerProfiles/{primary}/ChannelEndpointAssignments/{}",
        on_primary["sid"].as_str().unwrap()
    );
    let (st, body) = s.delete(&primary_path).await;
    assert_eq!((st, body["code"].as_u64()), (409, Some(20409)), "{body}");
    assert!(body["message"].as_str().unwrap().contains(&tp), "{body}");
    // The subaccount cannot release it either, and is told who must act.
    s.as_account(&sub, &token);
    let (st, body) = s
        .delete(&format!(
            "/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers/{pn}.json"
        ))
        .await;
    assert_eq!(st, 409, "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(msg.contains("a bundle of the parent account"), "{msg}");
    assert!(!msg.contains(&tp) && !msg.contains(&primary), "{msg}");
    // Trust product first, then the profile.
    s.as_account(SID, TOKEN);
    let (st, _) = s
        .delete(&format!(
            "/v1/TrustProducts/{tp}/ChannelEndpointAssignments/{}",
            on_tp["sid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st, 204);
    assert_eq!(s.delete(&primary_path).await.0, 204);
}

/// QA F3: only a subaccount's customer profile may reference the parent's Primary; to a
/// subaccount's trust product the parent's bundles are unknown SIDs, whatever their status.
#[tokio::test]
async fn a_subaccounts_trust_product_cannot_take_the_parents_primary() {
    let mut s = Server::start();
    let approved = s.approved_primary().await;
    let (_, pending) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{SID}/CustomerProfiles"),
            &[
                ("FriendlyName", "Draft"),
                ("Email", "ops@parent.example.com"),
                ("PolicySid", PRIMARY),
            ],
        )
        .await;
    let pending = pending["sid"].as_str().unwrap().to_string();
    let parents_tp = s.trust_product(SHAKEN_STIR).await;
    let (sub, token) = subaccount(&s, "Store 8").await;
    s.as_account(&sub, &token);
    let tp = s.trust_product(SHAKEN_STIR).await;
    let unknown = random_sid("BU");
    let path = format!("/v1/TrustProducts/{tp}/EntityAssignments");
    let (st, expected) = s.post(&path, &[("ObjectSid", &unknown)]).await;
    assert_refused(
        (st, &expected),
        400,
        22205,
        &format!("ObjectSid {unknown} is not an EndUser"),
    );
    let expected = expected["message"]
        .as_str()
        .unwrap()
        .replace(&unknown, "{}");
    for parents in [&approved, &pending, &parents_tp] {
        let (st, body) = s.post(&path, &[("ObjectSid", parents)]).await;
        assert_eq!((st, body["code"].as_u64()), (400, Some(22205)), "{body}");
        assert_eq!(
            body["message"]
                .as_str()
                .unwrap()
                .replace(parents.as_str(), "{}"),
            expected,
            "no word about the parent's bundle"
        );
    }
    // The subaccount's customer profile still may (seed 001 step 2).
    let bu = s.profile(SECONDARY).await;
    s.assign("CustomerProfiles", &bu, &approved).await;
}

/// QA F12: Twilio's CNAM guide registers local numbers only (toll-free CNAM is not through
/// the API); a malformed transfer target is a parameter error.
#[tokio::test]
async fn cnam_refuses_toll_free_numbers_and_transfers_check_the_target() {
    let s = Server::start();
    let primary = s.approved_primary().await;
    let tp = s.trust_product(CNAM).await;
    s.assign("TrustProducts", &tp, &primary).await;
    for e164 in ["+18005550199", "+18885550100", "+15555550160"] {
        let pn = s.number(e164).await;
        assert_eq!(
            assign_number(&s, "CustomerProfiles", &primary, &pn).await.0,
            201
        );
        let (st, body) = assign_number(&s, "TrustProducts", &tp, &pn).await;
        if e164.starts_with("+1555") {
            assert_eq!(st, 201, "{body}");
            continue;
        }
        assert_refused(
            (st, &body),
            400,
            22205,
            &format!(
                "{pn} ({e164}) is a toll-free number; CNAM trust products take local numbers only"
            ),
        );
        // Other voice trust products take it.
        let shaken = s.trust_product(SHAKEN_STIR).await;
        s.assign("TrustProducts", &shaken, &primary).await;
        assert_eq!(
            assign_number(&s, "TrustProducts", &shaken, &pn).await.0,
            201
        );
    }
    let pn = s.number("+15555550161").await;
    let path = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
    let (st, body) = s.post(&path, &[("AccountSid", "garbage")]).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(20001)), "{body}");
}

/// QA F1: Enhanced US Branded Calling makes the customer profile optional (Twilio's US
/// Enhanced page: a Business Profile is recommended, not required); its trust products take
/// the account's own numbers directly, so an approved one can be used.
#[tokio::test]
async fn a_trust_product_without_a_required_profile_takes_its_own_numbers() {
    let mut s = Server::start();
    let tp = s.trust_product(ENHANCED_BRANDED_CALLING).await;
    let own = s.number("+15555550170").await;
    let (st, body) = assign_number(&s, "TrustProducts", &tp, &own).await;
    assert_eq!(st, 201, "{body}");
    // A subaccount's number still comes in only through the parent's Primary.
    let (sub, token) = subaccount(&s, "Store 9").await;
    s.as_account(&sub, &token);
    let subs = s.number("+15555550171").await;
    s.as_account(SID, TOKEN);
    let (st, body) = assign_number(&s, "TrustProducts", &tp, &subs).await;
    assert_refused(
        (st, &body),
        400,
        22205,
        &format!("{subs} is not assigned to a CustomerProfile of this TrustProduct"),
    );
    // Where the profile is required, the rule stands.
    let shaken = s.trust_product(SHAKEN_STIR).await;
    let (st, body) = assign_number(&s, "TrustProducts", &shaken, &own).await;
    assert_refused(
        (st, &body),
        400,
        22205,
        &format!("{own} is not assigned to a CustomerProfile of this TrustProduct"),
    );
}
