//! A2P 10DLC campaigns (`/v1/Services/{MessagingServiceSid}/Compliance/Usa2p`), wire-checked
//! against Twilio's Messaging spec (its `oneOf` of the v1 and v2 shapes): every rule that ties
//! a campaign to its brand and Messaging Service, the use cases a brand may register, the
//! texts' bounds, and the registration lifecycle (operator, `--review auto` triggers, a
//! FAILED campaign's update and resubmission, deletion).
use crate::brands::{
    a2p, approve_bundles, brand, decide, events, secondary, sid, sole_proprietor_bundles,
    transitions, wait_for, BRANDS,
};
use crate::common::*;
use serde_json::{json, Value};

const SERVICES: &str = "/v1/Services";

fn usa2p(service: &str) -> String {
    format!("{SERVICES}/{service}/Compliance/Usa2p")
}

async fn service(s: &Server, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("FriendlyName", "Acme, Inc.'s A2P 10DLC Messaging Service")];
    form.extend_from_slice(extra);
    sid(&s.ok(SERVICES, &form, 201).await)
}

/// An APPROVED STANDARD brand (low-volume: secondary vetting skipped unless `vetted`),
/// decided by the operator.
async fn approved_brand(s: &Server, vetted: bool) -> String {
    let profile = secondary(s).await;
    let tp = a2p(s, &profile, "Acme A2P").await;
    approve_bundles(s, &profile, &tp).await;
    let skip = if vetted { "false" } else { "true" };
    let bn = sid(&brand(s, &profile, &tp, &[("SkipAutomaticSecVet", skip)]).await);
    approve_registration(s, &format!("{BRANDS}/{bn}"), &bn, "IN_REVIEW").await;
    bn
}

/// Waits for the pipeline to take it in review, then approves it as the operator.
async fn approve_registration(s: &Server, path: &str, sid: &str, in_review: &str) {
    let field = if path.contains("Usa2p") {
        "campaign_status"
    } else {
        "status"
    };
    wait_for(s, path, field, in_review).await;
    let (st, d) = decide(s, sid, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
}

/// An APPROVED SOLE_PROPRIETOR brand whose OTP is not yet confirmed (UNVERIFIED).
async fn sole_proprietor_brand(s: &Server) -> String {
    let (starter, tp) = sole_proprietor_bundles(s).await;
    let bn = sid(&brand(s, &starter, &tp, &[("BrandType", "SOLE_PROPRIETOR")]).await);
    approve_registration(s, &format!("{BRANDS}/{bn}"), &bn, "IN_REVIEW").await;
    bn
}

const DESCRIPTION: &str = "Send marketing messages about sales to opted in customers.";
const FLOW: &str = "End users opt in by visiting www.example.com and adding their phone number, then checking a box agreeing to receive text messages from Acme.";
const SAMPLE_1: &str = "EXPRESS: Denim Days Event is ON";
const SAMPLE_2: &str = "LAST CHANCE: Book your next flight for just 1 (ONE) EUR";

fn campaign_form<'a>(brand: &'a str, usecase: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("BrandRegistrationSid", brand),
        ("Description", DESCRIPTION),
        ("MessageFlow", FLOW),
        ("MessageSamples", SAMPLE_1),
        ("MessageSamples", SAMPLE_2),
        ("UsAppToPersonUsecase", usecase),
        ("HasEmbeddedLinks", "true"),
        ("HasEmbeddedPhone", "false"),
    ]
}

/// `form` with its `name` parameters replaced by `values` (removed for none).
fn with<'a>(
    form: &[(&'a str, &'a str)],
    name: &str,
    values: &[&'a str],
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = form.iter().filter(|(k, _)| *k != name).copied().collect();
    let key = form
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(k, _)| *k)
        .unwrap_or("x");
    out.extend(values.iter().map(|v| (key, *v)));
    out
}

/// The operator's manual review, end to end: created IN_PROGRESS with Twilio's defaults,
/// listed, fetched, VERIFIED by the operator (campaign id, carrier limits), reflected on its
/// Messaging Service, one per service, deleted.
#[tokio::test]
async fn a_campaign_is_registered_verified_and_deleted() {
    let s = Server::start();
    let bn = approved_brand(&s, true).await;
    let mg = service(&s, &[]).await;
    let c = s
        .ok(&usa2p(&mg), &campaign_form(&bn, "MARKETING"), 201)
        .await;
    let qe = sid(&c);
    assert!(qe.starts_with("QE") && qe.len() == 34, "{c}");
    assert_eq!(c["campaign_status"], "IN_PROGRESS");
    assert_eq!(c["brand_registration_sid"], bn.as_str());
    assert_eq!(c["messaging_service_sid"], mg.as_str());
    assert_eq!(c["us_app_to_person_usecase"], "MARKETING");
    assert_eq!(c["message_samples"], json!([SAMPLE_1, SAMPLE_2]));
    assert_eq!(
        (
            c["has_embedded_links"].clone(),
            c["has_embedded_phone"].clone()
        ),
        (json!(true), json!(false))
    );
    // Twilio's defaults for what was left out (the spec's createWithDefaults).
    assert_eq!(c["subscriber_opt_in"], true);
    assert_eq!(
        c["opt_out_keywords"],
        json!(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
    );
    assert_eq!(c["help_keywords"], json!(["HELP", "INFO"]));
    assert_eq!(c["opt_in_keywords"], Value::Null);
    assert_eq!(
        (c["campaign_id"].clone(), c["rate_limits"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(c["errors"], json!([]));
    // The v1 shape: no privacy / terms URLs.
    assert!(c.get("privacy_policy_url").is_none(), "{c}");
    let path = format!("{}/{qe}", usa2p(&mg));
    assert_eq!(c["url"], format!("{}{path}", s.base));
    let svc = s.get(&format!("{SERVICES}/{mg}")).await.1;
    assert_eq!(svc["us_app_to_person_registered"], false);
    assert_eq!(
        svc["usecase"], "marketing",
        "the campaign's use case shows on an undeclared service"
    );

    let l = s.get(&usa2p(&mg)).await.1;
    assert_eq!(l["meta"]["key"], "compliance");
    assert_eq!(l["compliance"][0]["sid"], qe.as_str());
    assert_eq!(s.get(&path).await.1["sid"], qe.as_str());

    // Listed in the operator's queue, decided there.
    let (_, q) = s
        .admin("GET", "/admin/v1/Reviews?Kind=us_app_to_person", &[])
        .await;
    assert_eq!(q["reviews"][0]["sid"], qe.as_str(), "{q}");
    approve_registration(&s, &path, &qe, "IN_PROGRESS").await;
    let c = s.get(&path).await.1;
    assert_eq!(c["campaign_status"], "VERIFIED");
    assert!(c["campaign_id"].as_str().unwrap().starts_with('C'), "{c}");
    assert_eq!(
        c["rate_limits"],
        json!({"att": {"mps": 600, "msg_class": "A"}, "tmobile": {"brand_tier": "TOP"}})
    );
    assert_eq!(
        transitions(&events(&s, &qe).await),
        [("IN_PROGRESS".into(), "VERIFIED".into(), "operator".into())]
    );
    let svc = s.get(&format!("{SERVICES}/{mg}")).await.1;
    assert_eq!(svc["us_app_to_person_registered"], true);
    let listed = s.get(SERVICES).await.1;
    assert_eq!(listed["services"][0]["us_app_to_person_registered"], true);

    // One campaign per Messaging Service.
    let (st, e) = s.post(&usa2p(&mg), &campaign_form(&bn, "MARKETING")).await;
    assert_refused((st, &e), 409, 20409, "already has an A2P campaign");
    // A verified campaign is not updated (only a FAILED one is resubmitted).
    let update = [
        ("HasEmbeddedLinks", "true"),
        ("HasEmbeddedPhone", "false"),
        ("MessageSamples", SAMPLE_1),
        ("MessageSamples", SAMPLE_2),
        ("MessageFlow", FLOW),
        ("Description", DESCRIPTION),
        ("AgeGated", "false"),
        ("DirectLending", "false"),
    ];
    let (st, e) = s.post(&path, &update).await;
    assert_refused((st, &e), 409, 20409, "only a FAILED campaign");

    // Another account sees nothing of it.
    let (other, token) = s.other_account("Other").await;
    let mut s = s;
    s.as_account(&other, &token);
    let (st, e) = s.get(&path).await;
    assert_refused((st, &e), 404, 20404, "");
    let (st, e) = s.get(&format!("{}/Usecases", usa2p(&mg))).await;
    assert_refused((st, &e), 404, 20404, "");
    s.as_account(SID, TOKEN);

    let (st, _) = s.delete(&path).await;
    assert_eq!(st, 204);
    let (st, e) = s.get(&path).await;
    assert_refused((st, &e), 404, 20404, "");
    let svc = s.get(&format!("{SERVICES}/{mg}")).await.1;
    assert_eq!(svc["us_app_to_person_registered"], false);
    assert_eq!(svc["usecase"], "undeclared");
    assert_eq!(s.get(&usa2p(&mg)).await.1["compliance"], json!([]));
    // Deleted, the service takes a campaign again.
    let again = sid(&s
        .ok(&usa2p(&mg), &campaign_form(&bn, "MARKETING"), 201)
        .await);
    // Deleting the service deletes its campaign: out of the operator's queue.
    assert_eq!(s.delete(&format!("{SERVICES}/{mg}")).await.0, 204);
    let (_, q) = s
        .admin("GET", "/admin/v1/Reviews?Kind=us_app_to_person", &[])
        .await;
    assert!(
        q["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["sid"] != again.as_str()),
        "{q}"
    );
}

/// Every refusal of a create, each with its code and a message naming what to fix.
#[tokio::test]
async fn a_campaign_needs_an_approved_brand_a_service_and_sound_values() {
    let s = Server::start();
    let bn = approved_brand(&s, false).await;
    let mg = service(&s, &[]).await;
    let form = campaign_form(&bn, "MARKETING");

    // The brand: unknown, another account's, not yet approved.
    let unknown = random_sid("BN");
    let (st, e) = s
        .post(&usa2p(&mg), &campaign_form(&unknown, "MARKETING"))
        .await;
    assert_refused((st, &e), 400, 21717, &unknown);
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Pending A2P").await;
    let pending = sid(&brand(&s, &profile, &tp, &[]).await);
    let (st, e) = s
        .post(&usa2p(&mg), &campaign_form(&pending, "MARKETING"))
        .await;
    assert_refused((st, &e), 400, 21717, "once its brand is APPROVED");
    // The service: unknown, another account's.
    let (st, e) = s.post(&usa2p(&random_sid("MG")), &form).await;
    assert_refused((st, &e), 404, 20404, "");
    let (other, token) = s.other_account("Other").await;
    let mut s = s;
    s.as_account(&other, &token);
    let theirs = service(&s, &[]).await;
    let (st, e) = s.post(&usa2p(&theirs), &form).await;
    assert_refused(
        (st, &e),
        400,
        21717,
        "not a brand registration of this account",
    );
    s.as_account(SID, TOKEN);
    let (st, e) = s.post(&usa2p(&theirs), &form).await;
    assert_refused((st, &e), 404, 20404, "");

    // The use case: unknown, another brand type's, not the service's.
    let (st, e) = s.post(&usa2p(&mg), &campaign_form(&bn, "marketing")).await;
    assert_refused((st, &e), 400, 21720, "Usecases");
    let (st, e) = s
        .post(&usa2p(&mg), &campaign_form(&bn, "SOLE_PROPRIETOR"))
        .await;
    assert_refused(
        (st, &e),
        400,
        21717,
        "cannot register the SOLE_PROPRIETOR use case",
    );
    let verification = service(&s, &[("Usecase", "verification")]).await;
    let (st, e) = s.post(&usa2p(&verification), &form).await;
    assert_refused((st, &e), 400, 21719, "\"verification\"");
    s.ok(&usa2p(&verification), &campaign_form(&bn, "2FA"), 201)
        .await;
    // The service's use case cannot move away from its campaign's (21719 again); to one its
    // campaign goes with, it can.
    let (st, e) = s
        .post(
            &format!("{SERVICES}/{verification}"),
            &[("Usecase", "marketing")],
        )
        .await;
    assert_refused((st, &e), 400, 21719, "2FA");
    s.ok(
        &format!("{SERVICES}/{verification}"),
        &[("Usecase", "undeclared")],
        200,
    )
    .await;

    // Required parameters and the spec's bounds.
    for (name, says) in [
        ("BrandRegistrationSid", "BrandRegistrationSid"),
        ("Description", "Description"),
        ("MessageFlow", "MessageFlow"),
        ("MessageSamples", "MessageSamples"),
        ("UsAppToPersonUsecase", "UsAppToPersonUsecase"),
        ("HasEmbeddedLinks", "HasEmbeddedLinks"),
        ("HasEmbeddedPhone", "HasEmbeddedPhone"),
    ] {
        let (st, e) = s.post(&usa2p(&mg), &with(&form, name, &[])).await;
        assert_refused((st, &e), 400, 20001, says);
    }
    let short = "Too short a description";
    let long_sample = "x".repeat(1025);
    for (f, says) in [
        (
            with(&form, "Description", &[short]),
            "Description must be 40 to 4096 characters long; it has 23",
        ),
        (
            with(&form, "MessageFlow", &[short]),
            "MessageFlow must be 40 to 2048",
        ),
        (
            with(&form, "MessageSamples", &[SAMPLE_1]),
            "MessageSamples must hold 2 to 5 samples; it has 1",
        ),
        (with(&form, "MessageSamples", &[SAMPLE_1; 6]), "it has 6"),
        (
            with(&form, "MessageSamples", &[SAMPLE_1, "Too short"]),
            "MessageSamples[1] must be 20 to 1024",
        ),
        (
            with(&form, "MessageSamples", &[SAMPLE_1, &long_sample]),
            "it has 1025",
        ),
        (
            with(&form, "HasEmbeddedLinks", &["yes"]),
            "HasEmbeddedLinks must be true or false",
        ),
        (
            [form.clone(), vec![("OptInKeywords", "OPT IN")]].concat(),
            "OptInKeywords values must be alphanumeric",
        ),
        (
            [form.clone(), vec![("HelpMessage", "Reply HELP")]].concat(),
            "HelpMessage must be 20 to 320",
        ),
        (
            [
                form.clone(),
                vec![("PrivacyPolicyUrl", "example.com/privacy")],
            ]
            .concat(),
            "PrivacyPolicyUrl",
        ),
    ] {
        let (st, e) = s.post(&usa2p(&mg), &f).await;
        assert_refused((st, &e), 400, 20001, says);
    }
    // Nothing was registered by a refused create.
    assert_eq!(s.get(&usa2p(&mg)).await.1["compliance"], json!([]));
}

/// The use cases a service's campaign may register: every STANDARD one without a brand, the
/// brand type's with one, none for a brand that cannot register; `/v1/Services/Usecases`
/// lists the Messaging Service use cases.
#[tokio::test]
async fn use_cases_follow_the_brand() {
    let s = Server::start();
    let bn = approved_brand(&s, false).await;
    let mg = service(&s, &[]).await;
    let codes = |v: &Value| -> Vec<String> {
        v["us_app_to_person_usecases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap().to_string())
            .collect()
    };
    let path = format!("{}/Usecases", usa2p(&mg));
    let all = s.get(&path).await.1;
    assert_eq!(codes(&all).len(), 20);
    assert!(codes(&all).contains(&"LOW_VOLUME".to_string()));
    assert!(!codes(&all).contains(&"SOLE_PROPRIETOR".to_string()));
    assert_eq!(
        all["us_app_to_person_usecases"][0],
        json!({
            "code": "2FA",
            "name": "Two-Factor authentication (2FA)",
            "description": "Two-Factor authentication, one-time use password, password reset",
            "post_approval_required": false,
        })
    );
    let standard = s.get(&format!("{path}?BrandRegistrationSid={bn}")).await.1;
    assert_eq!(codes(&standard), codes(&all));
    let unknown = s
        .get(&format!("{path}?BrandRegistrationSid={}", random_sid("BN")))
        .await
        .1;
    assert_eq!(unknown["us_app_to_person_usecases"], json!([]));
    let (st, e) = s
        .get(&format!("{}/Usecases", usa2p(&random_sid("MG"))))
        .await;
    assert_refused((st, &e), 404, 20404, "");

    let sole = sole_proprietor_brand(&s).await;
    let only = s
        .get(&format!("{path}?BrandRegistrationSid={sole}"))
        .await
        .1;
    assert_eq!(codes(&only), ["SOLE_PROPRIETOR"]);

    let services = s.get("/v1/Services/Usecases").await.1;
    let names: Vec<&str> = services["usecases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["usecase"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "notifications",
            "marketing",
            "verification",
            "discussion",
            "poll",
            "undeclared"
        ]
    );
    assert_eq!(services["usecases"][1]["purpose"], "Market my services.");
}

/// A sole proprietor registers only the SOLE_PROPRIETOR use case, one campaign per brand;
/// its campaign waits for the OTP to verify the brand's identity.
#[tokio::test]
async fn a_sole_proprietor_campaign_waits_for_the_otp() {
    let s = Server::start();
    let bn = sole_proprietor_brand(&s).await;
    let mg = service(&s, &[]).await;
    let (st, e) = s.post(&usa2p(&mg), &campaign_form(&bn, "MARKETING")).await;
    assert_refused((st, &e), 400, 21717, "it may register: SOLE_PROPRIETOR");
    let c = s
        .ok(&usa2p(&mg), &campaign_form(&bn, "SOLE_PROPRIETOR"), 201)
        .await;
    let qe = sid(&c);
    let other = service(&s, &[]).await;
    let (st, e) = s
        .post(&usa2p(&other), &campaign_form(&bn, "SOLE_PROPRIETOR"))
        .await;
    assert_refused((st, &e), 409, 20409, &qe);
    // Not approvable while the brand's identity is UNVERIFIED.
    let (st, e) = decide(&s, &qe, &[("Decision", "approve")]).await;
    assert_refused((st, &e), 409, 20409, "OTP");
    let (st, d) = s
        .admin(
            "POST",
            &format!("/admin/v1/BrandRegistrations/{bn}/OtpReply"),
            &[("Body", "YES")],
        )
        .await;
    assert_eq!(st, 200, "{d}");
    let (st, d) = decide(&s, &qe, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
    let c = s.get(&format!("{}/{qe}", usa2p(&mg))).await.1;
    assert_eq!(c["campaign_status"], "VERIFIED");
    assert_eq!(c["rate_limits"]["att"], json!({"mps": 1, "msg_class": "S"}));
}

/// `--review auto`: a trigger value fails the campaign with its code and the field it names;
/// the update edits and resubmits it, and it is verified; a FAILED brand registers none.
#[tokio::test]
async fn auto_review_fails_on_triggers_and_an_update_resubmits() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "60"],
        ..Options::default()
    });
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    approve_bundles(&s, &profile, &tp).await;
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    wait_for(&s, &format!("{BRANDS}/{bn}"), "status", "APPROVED").await;

    let mg = service(&s, &[]).await;
    let failing = format!("{DESCRIPTION} FAIL-30893");
    let form = with(&campaign_form(&bn, "MARKETING"), "Description", &[&failing]);
    let qe = sid(&s.ok(&usa2p(&mg), &form, 201).await);
    let path = format!("{}/{qe}", usa2p(&mg));
    s.worker_caught_up().await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    let c = wait_for(&s, &path, "campaign_status", "FAILED").await;
    assert_eq!(c["errors"].as_array().unwrap().len(), 1, "{c}");
    let e = &c["errors"][0];
    assert_eq!(e["error_code"], 30893);
    assert_eq!(e["fields"], json!(["DESCRIPTION"]));
    assert_eq!(e["url"], "https://www.twilio.com/docs/api/errors/30893");
    assert!(
        e["description"]
            .as_str()
            .unwrap()
            .contains("Sample Message and Use-case"),
        "{e}"
    );
    assert_eq!(c["campaign_id"], Value::Null);

    // The update: all its required parameters, the description fixed, and the v2 shape
    // once a privacy policy URL is given.
    let update = [
        ("HasEmbeddedLinks", "true"),
        ("HasEmbeddedPhone", "false"),
        ("MessageSamples", SAMPLE_1),
        ("MessageSamples", SAMPLE_2),
        ("MessageFlow", FLOW),
        ("AgeGated", "false"),
        ("DirectLending", "false"),
        ("PrivacyPolicyUrl", "https://www.example.com/privacy"),
    ];
    let (st, e) = s.post(&path, &update).await;
    assert_refused((st, &e), 400, 20001, "Description");
    let fixed = [&update[..], &[("Description", DESCRIPTION)]].concat();
    let (st, c) = s.post(&path, &fixed).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["campaign_status"], "IN_PROGRESS");
    assert_eq!(c["errors"], json!([]));
    assert_eq!(c["description"], DESCRIPTION);
    assert_eq!(c["us_app_to_person_usecase"], "MARKETING");
    assert_eq!(c["privacy_policy_url"], "https://www.example.com/privacy");
    assert_eq!(c["terms_and_conditions_url"], Value::Null);
    let (st, e) = s.post(&path, &fixed).await;
    assert_refused((st, &e), 409, 20409, "IN_PROGRESS");
    s.worker_caught_up().await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    wait_for(&s, &path, "campaign_status", "VERIFIED").await;
    let t = transitions(&events(&s, &qe).await);
    assert_eq!(
        t.iter()
            .map(|(_, to, by)| format!("{to}/{by}"))
            .collect::<Vec<_>>(),
        [
            "FAILED/pipeline",
            "IN_PROGRESS/customer",
            "VERIFIED/pipeline"
        ]
    );

    // A brand the reviewer fails registers no campaign.
    let failing_tp = a2p(&s, &profile, "Acme A2P FAIL-30798").await;
    submit_and_approve(&s, &failing_tp).await;
    let bad = sid(&brand(&s, &profile, &failing_tp, &[]).await);
    let mg2 = service(&s, &[]).await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    wait_for(&s, &format!("{BRANDS}/{bad}"), "status", "FAILED").await;
    let (st, e) = s
        .post(&usa2p(&mg2), &campaign_form(&bad, "MARKETING"))
        .await;
    assert_refused((st, &e), 400, 21717, "FAILED");
}

async fn submit_and_approve(s: &Server, tp: &str) {
    s.ok(
        &format!("/v1/TrustProducts/{tp}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    s.wait_status("TrustProducts", tp, "twilio-approved").await;
}

/// `X-Twilio-Api-Version: v1.1` asks for the v2 shape (both URLs, null when not given).
#[tokio::test]
async fn the_v2_shape_is_served_on_request() {
    let s = Server::start();
    let bn = approved_brand(&s, false).await;
    let mg = service(&s, &[]).await;
    let qe = sid(&s
        .ok(&usa2p(&mg), &campaign_form(&bn, "LOW_VOLUME"), 201)
        .await);
    let url = format!("{}{}/{qe}", s.base, usa2p(&mg));
    let body: Value = reqwest::Client::new()
        .get(&url)
        .basic_auth(SID, Some(TOKEN))
        .header("X-Twilio-Api-Version", "v1.1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    crate::common::openapi::assert_valid("GET", &format!("{}/{qe}", usa2p(&mg)), 200, &body);
    assert_eq!(body["privacy_policy_url"], Value::Null);
    assert_eq!(body["terms_and_conditions_url"], Value::Null);
    let plain = s.get(&format!("{}/{qe}", usa2p(&mg))).await.1;
    assert!(plain.get("privacy_policy_url").is_none());
}

/// Two campaigns created at once on one Messaging Service: exactly one wins (the store's
/// unique index), the other is 409 naming the winner.
#[tokio::test]
async fn concurrent_campaigns_on_one_service_leave_one() {
    let s = Server::start();
    let bn = approved_brand(&s, false).await;
    let mg = service(&s, &[]).await;
    let path = usa2p(&mg);
    let f = campaign_form(&bn, "MARKETING");
    let (a, b) = tokio::join!(s.post(&path, &f), s.post(&path, &f));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{a:?} {b:?}");
    let (winner, loser) = if a.0 == 201 { (a.1, b.1) } else { (b.1, a.1) };
    assert_refused((409, &loser), 409, 20409, winner["sid"].as_str().unwrap());
    let (_, l) = s.get(&path).await;
    assert_eq!(l["compliance"].as_array().unwrap().len(), 1, "{l}");
}

/// Hostile input gets a Twilio-style error that says what to fix, never a 5xx.
#[tokio::test]
async fn hostile_input_gets_twilio_errors() {
    let s = Server::start();
    let bn = approved_brand(&s, false).await;
    let mg = service(&s, &[]).await;
    let form = campaign_form(&bn, "MARKETING");
    // Under the 1,000-parameter limit of every request (which refuses more, 20001).
    let many = vec![SAMPLE_1; 900];
    let (st, e) = s
        .post(&usa2p(&mg), &with(&form, "MessageSamples", &many))
        .await;
    assert_refused((st, &e), 400, 20001, "it has 900");
    let huge = "x".repeat(100_000);
    let (st, e) = s
        .post(&usa2p(&mg), &with(&form, "Description", &[&huge]))
        .await;
    assert_refused((st, &e), 400, 20001, "it has 100000");
    let (st, e) = s
        .post(
            &usa2p(&mg),
            &with(
                &form,
                "BrandRegistrationSid",
                &["BN'; DROP TABLE registrations;--"],
            ),
        )
        .await;
    assert_refused((st, &e), 400, 21717, "DROP TABLE");
    let (st, e) = s
        .post(
            &usa2p(&mg),
            &with(&form, "UsAppToPersonUsecase", &["MARKETING\u{202e}"]),
        )
        .await;
    assert_refused((st, &e), 400, 21720, "Usecases");
    let (st, e) = s.get(&format!("{}/not-a-sid", usa2p(&mg))).await;
    assert_refused((st, &e), 404, 20404, "");
    let (st, e) = s.delete(&format!("{}/Usecases", usa2p(&mg))).await;
    assert_refused((st, &e), 405, 20004, "");
    let (st, u) = s
        .get(&format!(
            "{}/Usecases?BrandRegistrationSid=%00%ff",
            usa2p(&mg)
        ))
        .await;
    assert!(st == 200 || st == 400, "{st} {u}");
    // Nothing was registered.
    assert_eq!(s.get(&usa2p(&mg)).await.1["compliance"], json!([]));
}

/// A SOLE_PROPRIETOR campaign's Messaging Service sends from one number (Twilio's sole
/// proprietor guide: one 10DLC number per sole-proprietor campaign): a second number is
/// refused while the campaign is there, a service already holding two numbers takes no
/// sole-proprietor campaign, and a STANDARD campaign's service takes any number.
#[tokio::test]
async fn a_sole_proprietor_campaign_sends_from_one_number() {
    let s = Server::start();
    let add = |mg: String, pn: String| {
        let s = &s;
        async move {
            s.post(
                &format!("{SERVICES}/{mg}/PhoneNumbers"),
                &[("PhoneNumberSid", pn.as_str())],
            )
            .await
        }
    };
    let bn = sole_proprietor_brand(&s).await;
    // A service with two numbers takes no sole-proprietor campaign.
    let crowded = service(&s, &[]).await;
    let (one, two) = (
        s.number("+14155550100").await,
        s.number("+14155550101").await,
    );
    assert_eq!(add(crowded.clone(), one.clone()).await.0, 201);
    assert_eq!(add(crowded.clone(), two.clone()).await.0, 201);
    let (st, e) = s
        .post(&usa2p(&crowded), &campaign_form(&bn, "SOLE_PROPRIETOR"))
        .await;
    assert_refused((st, &e), 409, 20409, "+14155550100");
    assert!(e["message"].as_str().unwrap().contains(&crowded), "{e}");
    // Emptied to one number, it takes it.
    let (st, _) = s
        .delete(&format!("{SERVICES}/{crowded}/PhoneNumbers/{two}"))
        .await;
    assert_eq!(st, 204);
    let qe = sid(&s
        .ok(
            &usa2p(&crowded),
            &campaign_form(&bn, "SOLE_PROPRIETOR"),
            201,
        )
        .await);
    // And no second number while the campaign is there.
    let (st, e) = add(crowded.clone(), two.clone()).await;
    assert_refused((st, &e), 409, 20409, &qe);
    assert!(
        e["message"].as_str().unwrap().contains("+14155550100"),
        "{e}"
    );
    let (_, pool) = s.get(&format!("{SERVICES}/{crowded}/PhoneNumbers")).await;
    assert_eq!(pool["phone_numbers"].as_array().unwrap().len(), 1, "{pool}");
    // Swapping the one number is allowed: remove it, add the other.
    let (st, _) = s
        .delete(&format!("{SERVICES}/{crowded}/PhoneNumbers/{one}"))
        .await;
    assert_eq!(st, 204);
    assert_eq!(add(crowded.clone(), two.clone()).await.0, 201);
    // A STANDARD campaign's service has no such limit.
    let standard = approved_brand(&s, false).await;
    let mg = service(&s, &[]).await;
    s.ok(&usa2p(&mg), &campaign_form(&standard, "MARKETING"), 201)
        .await;
    assert_eq!(add(mg.clone(), one).await.0, 201);
    let three = s.number("+14155550102").await;
    assert_eq!(add(mg, three).await.0, 201);
}

/// Store statements per GET of `path`, averaged over a few requests.
async fn per_get(s: &Server, path: &str) -> f64 {
    const RUNS: u32 = 5;
    let before = s.store_statements().await;
    for _ in 0..RUNS {
        let (st, b) = s.get(path).await;
        assert_eq!(st, 200, "{b}");
    }
    (s.store_statements().await - before) / f64::from(RUNS)
}

/// A page of Messaging Services reads its services' campaigns in one query: it costs the
/// same store round trips for one service or twelve, and each listed service shows its
/// campaign (`us_app_to_person_registered`, an undeclared service's `usecase`) as its
/// fetch does.
#[tokio::test]
async fn a_service_list_page_costs_the_same_for_one_service_or_twelve() {
    let s = Server::start();
    let bn = approved_brand(&s, false).await;
    let first = service(&s, &[]).await;
    let qe = sid(&s
        .ok(&usa2p(&first), &campaign_form(&bn, "MARKETING"), 201)
        .await);
    approve_registration(&s, &format!("{}/{qe}", usa2p(&first)), &qe, "IN_PROGRESS").await;
    let list = format!("{SERVICES}?PageSize=50");
    let one = per_get(&s, &list).await;
    for i in 1..12 {
        let mg = service(&s, &[]).await;
        if i % 3 == 0 {
            s.ok(&usa2p(&mg), &campaign_form(&bn, "CUSTOMER_CARE"), 201)
                .await;
        }
    }
    let twelve = per_get(&s, &list).await;
    // Headroom for the background: account re-reads (2 s cache), job polls, scrapes.
    // (One query per service would add eleven.)
    assert!(
        twelve <= one + 1.0,
        "one service: {one} statements per list GET; twelve: {twelve}"
    );
    let (_, page) = s.get(&list).await;
    let items = page["services"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    for listed in items {
        let (_, fetched) = s
            .get(&format!("{SERVICES}/{}", listed["sid"].as_str().unwrap()))
            .await;
        assert_eq!(listed, &fetched);
    }
    assert_eq!(items[0]["us_app_to_person_registered"], true);
    assert_eq!(items[0]["usecase"], "marketing");
    assert_eq!(items[3]["us_app_to_person_registered"], false);
    assert_eq!(items[3]["usecase"], "discussion");
}
