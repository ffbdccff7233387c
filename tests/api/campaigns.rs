//! A2P campaigns (`/v1/Services/{MessagingServiceSid}/Compliance/Usa2p`), wire-checked
//! against Twilio's Messaging spec: an approved brand of the account and a Messaging
//! Service of the account, one campaign per service, the use cases a brand takes, the
//! spec's field bounds, and the registration lifecycle (IN_PROGRESS → VERIFIED | FAILED).
use crate::brands::{a2p, approve_bundles, brand, decide, secondary, sid, wait_for};
use crate::common::*;
use serde_json::{json, Value};

const BRANDS: &str = "/v1/a2p/BrandRegistrations";

/// An APPROVED standard brand (operator-approved) and a Messaging Service.
async fn approved_brand(s: &Server) -> String {
    let profile = secondary(s).await;
    let tp = a2p(s, &profile, "Acme A2P").await;
    approve_bundles(s, &profile, &tp).await;
    let bn = sid(&brand(s, &profile, &tp, &[]).await);
    wait_until_decided_or_review(s, &bn).await;
    bn
}

/// Approves the brand as the operator unless `--review auto` did already.
async fn wait_until_decided_or_review(s: &Server, bn: &str) {
    let path = format!("{BRANDS}/{bn}");
    for _ in 0..400 {
        let (_, b) = s.get(&path).await;
        if b["status"] == "APPROVED" {
            return;
        }
        if b["status"] == "IN_REVIEW" {
            let (st, d) = decide(s, bn, &[("Decision", "approve")]).await;
            if st == 200 {
                return;
            }
            assert_eq!(st, 409, "{d}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{bn} was never approved");
}

async fn service(s: &Server) -> String {
    let b = s.ok("/v1/Services", &[("FriendlyName", "Acme")], 201).await;
    sid(&b)
}

fn usa2p(service: &str) -> String {
    format!("/v1/Services/{service}/Compliance/Usa2p")
}

const DESCRIPTION: &str = "Acme sends order updates and delivery notifications to its customers";
const FLOW: &str =
    "Customers opt in by checking a box on the Acme checkout page at acme.example.com";
const SAMPLE_1: &str = "Acme: your order 1234 has shipped. Reply STOP to opt out.";
const SAMPLE_2: &str = "Acme: your order 1234 was delivered. Reply HELP for help.";

fn form<'a>(brand: &'a str, usecase: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("BrandRegistrationSid", brand),
        ("Description", description),
        ("MessageFlow", FLOW),
        ("MessageSamples", SAMPLE_1),
        ("MessageSamples", SAMPLE_2),
        ("UsAppToPersonUsecase", usecase),
        ("HasEmbeddedLinks", "false"),
        ("HasEmbeddedPhone", "false"),
    ]
}

/// `--review manual`: created IN_PROGRESS, in the operator's queue, VERIFIED by the
/// operator (with its TCR campaign id); one per service; deleted in any status.
#[tokio::test]
async fn a_campaign_is_verified_by_the_operator_and_one_per_service() {
    let s = Server::start();
    let bn = approved_brand(&s).await;
    let mg = service(&s).await;
    let mut f = form(&bn, "ACCOUNT_NOTIFICATION", DESCRIPTION);
    f.push(("OptInKeywords", "START"));
    f.push(("OptInKeywords", "YES"));
    f.push(("PrivacyPolicyUrl", "https://acme.example.com/privacy"));
    let c = s.ok(&usa2p(&mg), &f, 201).await;
    let qe = sid(&c);
    assert!(qe.starts_with("QE"), "{c}");
    assert_eq!(c["campaign_status"], "IN_PROGRESS");
    assert_eq!(c["messaging_service_sid"], mg.as_str());
    assert_eq!(c["brand_registration_sid"], bn.as_str());
    assert_eq!(c["message_samples"], json!([SAMPLE_1, SAMPLE_2]));
    assert_eq!(c["opt_in_keywords"], json!(["START", "YES"]));
    assert_eq!(c["campaign_id"], Value::Null);
    let (_, q) = s
        .admin("GET", "/admin/v1/Reviews?Kind=us_app_to_person", &[])
        .await;
    assert_eq!(q["reviews"][0]["sid"], qe.as_str(), "{q}");

    // One campaign per Messaging Service.
    let (st, e) = s
        .post(&usa2p(&mg), &form(&bn, "MARKETING", DESCRIPTION))
        .await;
    assert_refused((st, &e), 409, 20409, &qe);

    let (st, d) = decide(&s, &qe, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
    let path = format!("{}/{qe}", usa2p(&mg));
    let (_, c) = s.get(&path).await;
    assert_eq!(c["campaign_status"], "VERIFIED");
    assert!(c["campaign_id"].as_str().unwrap().starts_with('C'), "{c}");
    let (_, l) = s.get(&usa2p(&mg)).await;
    assert_eq!(l["compliance"][0]["sid"], qe.as_str(), "{l}");
    assert_eq!(l["meta"]["key"], "compliance");
    // Under another service, or another account: not found.
    let other = service(&s).await;
    let (st, e) = s.get(&format!("{}/{qe}", usa2p(&other))).await;
    assert_refused((st, &e), 404, 20404, "");
    assert_eq!(s.delete(&path).await.0, 204);
    assert_eq!(s.get(&path).await.0, 404);
    // The service takes a campaign again; deleting the service deletes it.
    s.ok(&usa2p(&mg), &form(&bn, "MARKETING", DESCRIPTION), 201)
        .await;
    let campaigns = "SELECT COUNT(*) FROM registrations WHERE kind = 'us_app_to_person'";
    assert_eq!(s.raw_number(campaigns).await, 1);
    assert_eq!(s.delete(&format!("/v1/Services/{mg}")).await.0, 204);
    assert_eq!(s.raw_number(campaigns).await, 0);
}

/// The brand and the parameters a campaign takes, each refusal naming what to fix.
#[tokio::test]
async fn a_campaign_needs_an_approved_brand_and_the_specs_fields() {
    let s = Server::start();
    let mg = service(&s).await;
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let pending = sid(&brand(&s, &profile, &tp, &[]).await);
    let (st, e) = s
        .post(&usa2p(&mg), &form(&pending, "MARKETING", DESCRIPTION))
        .await;
    assert_refused((st, &e), 400, 21717, "APPROVED");
    let unknown = random_sid("BN");
    let (st, e) = s
        .post(&usa2p(&mg), &form(&unknown, "MARKETING", DESCRIPTION))
        .await;
    assert_refused((st, &e), 400, 21717, "no such brand");
    let bn = approved_brand(&s).await;
    let (st, e) = s
        .post(&usa2p(&mg), &form(&bn, "SOLE_PROPRIETOR", DESCRIPTION))
        .await;
    assert_refused((st, &e), 400, 21717, "STANDARD");
    let (st, e) = s.post(&usa2p(&mg), &form(&bn, "PIZZA", DESCRIPTION)).await;
    assert_refused((st, &e), 400, 20001, "UsAppToPersonUsecase");
    let (st, e) = s
        .post(&usa2p(&mg), &form(&bn, "MARKETING", "Too short"))
        .await;
    assert_refused((st, &e), 400, 20001, "Description must be 40 to 4096");
    let whole = form(&bn, "MARKETING", DESCRIPTION);
    for (drop, says) in [
        ("Description", "Description"),
        ("MessageFlow", "MessageFlow"),
        ("MessageSamples", "MessageSamples"),
        ("HasEmbeddedLinks", "HasEmbeddedLinks"),
        ("BrandRegistrationSid", "BrandRegistrationSid"),
    ] {
        let f: Vec<(&str, &str)> = whole.iter().copied().filter(|(k, _)| *k != drop).collect();
        let (st, e) = s.post(&usa2p(&mg), &f).await;
        assert_refused((st, &e), 400, 20001, says);
    }
    let one_sample: Vec<(&str, &str)> = whole
        .iter()
        .copied()
        .filter(|(k, v)| *k != "MessageSamples" || *v == SAMPLE_1)
        .collect();
    let (st, e) = s.post(&usa2p(&mg), &one_sample).await;
    assert_refused((st, &e), 400, 20001, "two to five");
    for extra in [
        ("OptOutKeywords", "STOP NOW"),
        ("AgeGated", "maybe"),
        ("TermsAndConditionsUrl", "ftp://acme"),
        ("HelpMessage", "short"),
    ] {
        let mut f = whole.clone();
        f.push(extra);
        let (st, e) = s.post(&usa2p(&mg), &f).await;
        assert_refused((st, &e), 400, 20001, extra.0);
    }
    // Another account's service: not found.
    let (other, token) = s.other_account("Other").await;
    let mut s = s;
    s.as_account(&other, &token);
    let (st, e) = s.post(&usa2p(&mg), &whole).await;
    assert_refused((st, &e), 404, 20404, "");
}

/// `--review auto`: a trigger value fails the campaign with its code; the update edits
/// and resubmits it, and it is VERIFIED after the delay.
#[tokio::test]
async fn auto_review_fails_on_a_trigger_and_the_update_resubmits() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "60"],
        ..Options::default()
    });
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    for (c, bu) in [("CustomerProfiles", &profile), ("TrustProducts", &tp)] {
        crate::brands::submit(&s, c, bu).await;
    }
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "600")])
        .await;
    wait_for(&s, &format!("{BRANDS}/{bn}"), "status", "APPROVED").await;

    let mg = service(&s).await;
    let failing = format!("{DESCRIPTION} FAIL-30885");
    let qe = sid(&s
        .ok(&usa2p(&mg), &form(&bn, "MARKETING", &failing), 201)
        .await);
    let path = format!("{}/{qe}", usa2p(&mg));
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    let c = wait_for(&s, &path, "campaign_status", "FAILED").await;
    assert_eq!(c["errors"][0]["code"], 30885, "{c}");

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
    let (st, e) = s.post(&path, &update[..7]).await;
    assert_refused((st, &e), 400, 20001, "DirectLending");
    let (st, c) = s.post(&path, &update).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["campaign_status"], "IN_PROGRESS");
    assert_eq!(c["has_embedded_links"], true);
    assert_eq!(c["errors"], json!([]));
    // Not editable while it is reviewed.
    let (st, e) = s.post(&path, &update).await;
    assert_refused((st, &e), 409, 20409, "reviewed");
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    let c = wait_for(&s, &path, "campaign_status", "VERIFIED").await;
    assert!(c["rate_limits"].is_object(), "{c}");
    // A verified campaign's edit keeps it verified.
    let (st, c) = s.post(&path, &update).await;
    assert_eq!((st, &c["campaign_status"]), (200, &json!("VERIFIED")));
}

/// The use-case lists: the brand's (standard, or only SOLE_PROPRIETOR) and the Messaging
/// Service use cases.
#[tokio::test]
async fn use_case_lists_follow_the_brand_type() {
    let s = Server::start();
    let mg = service(&s).await;
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    let (st, u) = s
        .get(&format!(
            "{}/Usecases?BrandRegistrationSid={bn}",
            usa2p(&mg)
        ))
        .await;
    assert_eq!(st, 200, "{u}");
    let codes: Vec<&str> = u["us_app_to_person_usecases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"MARKETING") && !codes.contains(&"SOLE_PROPRIETOR"),
        "{u}"
    );
    let (st, e) = s
        .get(&format!(
            "{}/Usecases?BrandRegistrationSid={}",
            usa2p(&mg),
            random_sid("BN")
        ))
        .await;
    assert_refused((st, &e), 404, 20404, "");
    let (st, u) = s.get("/v1/Services/Usecases").await;
    assert_eq!(st, 200, "{u}");
    assert!(u["usecases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["usecase"] == "notifications"));
}

/// A sole proprietor's brand takes one SOLE_PROPRIETOR campaign, and only once its OTP is
/// confirmed.
#[tokio::test]
async fn a_sole_proprietor_brand_takes_one_campaign_once_verified() {
    let s = Server::start();
    let (starter, tp) = crate::brands::sole_proprietor_bundles(&s).await;
    let bn = sid(&brand(&s, &starter, &tp, &[("BrandType", "SOLE_PROPRIETOR")]).await);
    wait_until_decided_or_review(&s, &bn).await;
    let (one, two) = (service(&s).await, service(&s).await);
    let (st, e) = s
        .post(&usa2p(&one), &form(&bn, "SOLE_PROPRIETOR", DESCRIPTION))
        .await;
    assert_refused((st, &e), 400, 21717, "OTP-verified");
    let reply = format!("/admin/v1/BrandRegistrations/{bn}/OtpReply");
    assert_eq!(s.admin("POST", &reply, &[("Body", "YES")]).await.0, 200);
    let (st, e) = s
        .post(&usa2p(&one), &form(&bn, "MARKETING", DESCRIPTION))
        .await;
    assert_refused((st, &e), 400, 21717, "SOLE_PROPRIETOR");
    let (_, u) = s
        .get(&format!(
            "{}/Usecases?BrandRegistrationSid={bn}",
            usa2p(&one)
        ))
        .await;
    assert_eq!(u["us_app_to_person_usecases"][0]["code"], "SOLE_PROPRIETOR");
    assert_eq!(u["us_app_to_person_usecases"].as_array().unwrap().len(), 1);
    let qe = sid(&s
        .ok(
            &usa2p(&one),
            &form(&bn, "SOLE_PROPRIETOR", DESCRIPTION),
            201,
        )
        .await);
    let (st, e) = s
        .post(&usa2p(&two), &form(&bn, "SOLE_PROPRIETOR", DESCRIPTION))
        .await;
    assert_refused((st, &e), 409, 20409, &qe);
}

/// Two campaigns created at once on one Messaging Service: exactly one wins (the store's
/// unique index), the other is 409 naming the winner.
#[tokio::test]
async fn concurrent_campaigns_on_one_service_leave_one() {
    let s = Server::start();
    let bn = approved_brand(&s).await;
    let mg = service(&s).await;
    let path = usa2p(&mg);
    let f = form(&bn, "MARKETING", DESCRIPTION);
    let (a, b) = tokio::join!(s.post(&path, &f), s.post(&path, &f));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{a:?} {b:?}");
    let (winner, loser) = if a.0 == 201 { (a.1, b.1) } else { (b.1, a.1) };
    assert_refused((409, &loser), 409, 20409, winner["sid"].as_str().unwrap());
    let (_, l) = s.get(&path).await;
    assert_eq!(l["compliance"].as_array().unwrap().len(), 1, "{l}");
}
