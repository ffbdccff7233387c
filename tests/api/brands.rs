//! A2P brands and their vettings (Messaging v1), wire-checked against Twilio's Messaging
//! spec: the rules that tie a brand to its TrustHub bundles, and the registration
//! lifecycle they share with bundles (pipeline, operator review, auto-review triggers,
//! timeline, resubmission, the sole proprietor's OTP).
use crate::common::*;
use serde_json::{json, Value};

pub const BRANDS: &str = "/v1/a2p/BrandRegistrations";
const A2P: &str = "RNb0d4771c2c98518d916a3d4cd70a8f8b";
const STARTER: &str = "RN806dd6cd175f314e1f96a9727ee271f4";
const SOLE_PROPRIETOR: &str = "RN670d5d2e282a6130ae063b234b6019c8";

/// A compliant Secondary Customer Profile on an approved Primary, still a draft.
pub async fn secondary(s: &Server) -> String {
    let primary = s.approved_primary().await;
    let bu = s.profile(SECONDARY).await;
    s.complete_business_profile(&bu).await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    bu
}

/// A compliant A2P trust product naming `profile`, still a draft.
pub async fn a2p(s: &Server, profile: &str, name: &str) -> String {
    let b = s
        .ok(
            "/v1/TrustProducts",
            &[
                ("FriendlyName", name),
                ("Email", "ops@acme.com"),
                ("PolicySid", A2P),
            ],
            201,
        )
        .await;
    let tp = b["sid"].as_str().unwrap().to_string();
    let eu = s
        .end_user(
            "us_a2p_messaging_profile_information",
            json!({"company_type": "private", "brand_contact_email": "brand@acme.com"}),
        )
        .await;
    s.assign("TrustProducts", &tp, &eu).await;
    s.assign("TrustProducts", &tp, profile).await;
    tp
}

pub async fn submit(s: &Server, collection: &str, bu: &str) {
    s.ok(
        &format!("/v1/{collection}/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
}

/// Submits both bundles and approves them as the operator.
pub async fn approve_bundles(s: &Server, profile: &str, tp: &str) {
    submit(s, "CustomerProfiles", profile).await;
    s.approve(profile).await;
    submit(s, "TrustProducts", tp).await;
    s.approve(tp).await;
}

pub async fn brand(s: &Server, profile: &str, tp: &str, extra: &[(&str, &str)]) -> Value {
    let mut form = vec![
        ("CustomerProfileBundleSid", profile),
        ("A2PProfileBundleSid", tp),
    ];
    form.extend_from_slice(extra);
    s.ok(BRANDS, &form, 201).await
}

pub fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_string()
}

/// Polls a brand (or any GET path) until its `field` is `want`.
pub async fn wait_for(s: &Server, path: &str, field: &str, want: &str) -> Value {
    for _ in 0..400 {
        let (st, b) = s.get(path).await;
        assert_eq!(st, 200, "{b}");
        if b[field] == want {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let (_, b) = s.get(path).await;
    panic!("{path} never had {field} {want}: {b}");
}

pub async fn decide(s: &Server, sid: &str, form: &[(&str, &str)]) -> (u16, Value) {
    s.admin("POST", &format!("/admin/v1/Reviews/{sid}"), form)
        .await
}

pub async fn events(s: &Server, sid: &str) -> Vec<Value> {
    let (st, e) = s
        .admin("GET", &format!("/admin/v1/Bundles/{sid}/Events"), &[])
        .await;
    assert_eq!(st, 200, "{e}");
    e["events"].as_array().unwrap().clone()
}

pub fn transitions(events: &[Value]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter(|e| e["type"] == "status_changed")
        .map(|e| {
            let d = &e["detail"];
            (
                d["from"].as_str().unwrap().to_string(),
                d["to"].as_str().unwrap().to_string(),
                d["by"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The whole lifecycle under `--review manual`: created before its bundles are approved,
/// in review, listed in the operator's queue, not approvable while the bundles are not,
/// approved by the operator once they are (with what approval fills in), on the timeline.
#[tokio::test]
async fn a_brand_is_approved_by_the_operator_once_both_bundles_are() {
    let s = Server::start();
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let b = brand(&s, &profile, &tp, &[("SkipAutomaticSecVet", "true")]).await;
    let bn = sid(&b);
    assert!(bn.starts_with("BN") && bn.len() == 34, "{b}");
    assert_eq!(b["status"], "PENDING");
    assert_eq!(b["brand_type"], "STANDARD");
    assert_eq!(b["customer_profile_bundle_sid"], profile.as_str());
    assert_eq!(b["a2p_profile_bundle_sid"], tp.as_str());
    assert_eq!(b["skip_automatic_sec_vet"], true);
    assert_eq!(b["mock"], false);
    assert_eq!(b["tcr_id"], Value::Null);
    assert_eq!(b["errors"], json!([]));
    let url = format!("{}{BRANDS}/{bn}", s.base);
    assert_eq!(b["url"], url.as_str());
    assert_eq!(b["links"]["brand_vettings"], format!("{url}/Vettings"));

    let path = format!("{BRANDS}/{bn}");
    wait_for(&s, &path, "status", "IN_REVIEW").await;
    let (_, q) = s.admin("GET", "/admin/v1/Reviews?Kind=brand", &[]).await;
    let queued = q["reviews"].as_array().unwrap();
    assert_eq!(queued.len(), 1, "{q}");
    assert_eq!(queued[0]["sid"], bn.as_str());
    assert_eq!(queued[0]["registration_kind"], "brand");
    // A PolicySid filter is about bundles: no brand then.
    let (_, q) = s
        .admin(
            "GET",
            &format!("/admin/v1/Reviews?PolicySid={SECONDARY}"),
            &[],
        )
        .await;
    assert!(q["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["sid"] != bn.as_str()));

    // Not approvable while the bundles are drafts: the rule holds for the operator too.
    let (st, e) = decide(&s, &bn, &[("Decision", "approve")]).await;
    assert_refused((st, &e), 409, 20409, "twilio-approved");

    approve_bundles(&s, &profile, &tp).await;
    let (st, d) = decide(&s, &bn, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
    let (_, b) = s.get(&path).await;
    assert_eq!(b["status"], "APPROVED");
    assert_eq!(b["identity_status"], "VETTED_VERIFIED");
    assert!(b["tcr_id"].as_str().unwrap().starts_with('B'), "{b}");
    assert_eq!(b["brand_score"], 42);
    assert_eq!(
        transitions(&events(&s, &bn).await),
        [
            ("PENDING".into(), "IN_REVIEW".into(), "pipeline".into()),
            ("IN_REVIEW".into(), "APPROVED".into(), "operator".into()),
        ]
    );
    // Decided: out of the queue, and not decided twice.
    let (_, q) = s.admin("GET", "/admin/v1/Reviews?Kind=brand", &[]).await;
    assert_eq!(q["reviews"], json!([]));
    let (st, e) = decide(&s, &bn, &[("Decision", "approve")]).await;
    assert_refused((st, &e), 409, 20409, "APPROVED");
    // The list pages it; another account does not see it.
    let (_, l) = s.get(&format!("{BRANDS}?PageSize=1")).await;
    assert_eq!(l["data"][0]["sid"], bn.as_str());
    assert_eq!(l["meta"]["key"], "data");
    let (other, token) = s.other_account("Other").await;
    let mut s = s;
    s.as_account(&other, &token);
    let (st, e) = s.get(&path).await;
    assert_refused((st, &e), 404, 20404, "");
    let (_, l) = s.get(BRANDS).await;
    assert_eq!(l["data"], json!([]));
}

/// An operator's rejection carries the brand's failure fields; an update resubmits the
/// FAILED brand (202), which goes through review again.
#[tokio::test]
async fn a_failed_brand_is_resubmitted_by_its_update() {
    let s = Server::start();
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    approve_bundles(&s, &profile, &tp).await;
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    let path = format!("{BRANDS}/{bn}");
    // Not resubmittable before it failed.
    let (st, e) = s.post(&path, &[]).await;
    assert_refused((st, &e), 409, 20409, "only a FAILED brand");
    wait_for(&s, &path, "status", "IN_REVIEW").await;
    let (st, e) = decide(&s, &bn, &[("Decision", "reject"), ("ErrorCodes", "18601")]).await;
    assert_refused((st, &e), 400, 20001, "30799");
    let (st, e) = decide(&s, &bn, &[("Decision", "reject")]).await;
    assert_refused((st, &e), 400, 20001, "ErrorCodes");
    let (st, d) = decide(
        &s,
        &bn,
        &[
            ("Decision", "reject"),
            ("FailureReason", "EIN does not match the legal name"),
            ("ErrorCodes", "30799,30798"),
        ],
    )
    .await;
    assert_eq!(st, 200, "{d}");
    let (_, b) = s.get(&path).await;
    assert_eq!(b["status"], "FAILED");
    assert_eq!(b["failure_reason"], "EIN does not match the legal name");
    let codes: Vec<u64> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [30799, 30798]);
    assert!(b["errors"][1]["description"]
        .as_str()
        .unwrap()
        .contains("501c"));

    let (st, b) = s.post(&path, &[]).await;
    assert_eq!(st, 202, "{b}");
    assert_eq!(b["status"], "PENDING");
    assert_eq!(b["errors"], json!([]));
    assert_eq!(b["failure_reason"], Value::Null);
    wait_for(&s, &path, "status", "IN_REVIEW").await;
    let (st, d) = decide(&s, &bn, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
    let t = transitions(&events(&s, &bn).await);
    assert_eq!(
        t.iter()
            .map(|(_, to, by)| format!("{to}/{by}"))
            .collect::<Vec<_>>(),
        [
            "IN_REVIEW/pipeline",
            "FAILED/operator",
            "PENDING/customer",
            "IN_REVIEW/pipeline",
            "APPROVED/operator"
        ]
    );
}

/// `--review auto`: the brand waits for its bundles, then the trigger values of the
/// bundles' friendly names decide; a rejected bundle fails it with 30793.
#[tokio::test]
async fn auto_review_waits_for_the_bundles_and_reads_the_triggers() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "60"],
        ..Options::default()
    });
    let profile = secondary(&s).await;
    let clean = a2p(&s, &profile, "Acme A2P").await;
    let failing = a2p(&s, &profile, "Acme A2P FAIL-30798").await;
    let ok = sid(&brand(&s, &profile, &clean, &[]).await);
    let bad = sid(&brand(&s, &profile, &failing, &[]).await);
    let (ok_path, bad_path) = (format!("{BRANDS}/{ok}"), format!("{BRANDS}/{bad}"));
    wait_for(&s, &ok_path, "status", "IN_REVIEW").await;
    // Past the review delay the brands still wait: their bundles are drafts.
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    s.worker_caught_up().await;
    assert_eq!(s.get(&ok_path).await.1["status"], "IN_REVIEW");
    for (collection, bu) in [
        ("CustomerProfiles", &profile),
        ("TrustProducts", &clean),
        ("TrustProducts", &failing),
    ] {
        submit(&s, collection, bu).await;
    }
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    let b = wait_for(&s, &ok_path, "status", "APPROVED").await;
    assert_eq!(b["identity_status"], "VETTED_VERIFIED");
    assert_eq!(b["brand_score"], 75);
    let b = wait_for(&s, &bad_path, "status", "FAILED").await;
    assert_eq!(b["errors"][0]["code"], 30798, "{b}");
    assert!(
        b["failure_reason"].as_str().unwrap().contains("FAIL-30798"),
        "{b}"
    );

    // A bundle the reviewer rejects fails the brand waiting on it (30793).
    let rejected = a2p(&s, &profile, "Rejected A2P").await;
    s.ok(
        &format!("/v1/TrustProducts/{rejected}"),
        &[("Email", "reject@acme.com")],
        200,
    )
    .await;
    let bn = sid(&brand(&s, &profile, &rejected, &[]).await);
    submit(&s, "TrustProducts", &rejected).await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    let b = wait_for(&s, &format!("{BRANDS}/{bn}"), "status", "FAILED").await;
    assert_eq!(b["errors"][0]["code"], 30793, "{b}");
    assert!(
        b["failure_reason"].as_str().unwrap().contains(&rejected),
        "{b}"
    );
}

/// The parameters and bundles a brand takes, each refusal naming what to fix.
#[tokio::test]
async fn a_brand_names_bundles_of_its_account_and_type() {
    let s = Server::start();
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let (st, e) = s.post(BRANDS, &[("A2PProfileBundleSid", &tp)]).await;
    assert_refused((st, &e), 400, 20001, "CustomerProfileBundleSid");
    let (st, e) = s
        .post(BRANDS, &[("CustomerProfileBundleSid", &profile)])
        .await;
    assert_refused((st, &e), 400, 20001, "A2PProfileBundleSid");
    let base = [
        ("CustomerProfileBundleSid", profile.as_str()),
        ("A2PProfileBundleSid", tp.as_str()),
    ];
    for (extra, says) in [
        (("BrandType", "LOW_VOLUME"), "BrandType"),
        (("Mock", "maybe"), "Mock"),
        (("SkipAutomaticSecVet", "1"), "SkipAutomaticSecVet"),
    ] {
        let mut form = base.to_vec();
        form.push(extra);
        let (st, e) = s.post(BRANDS, &form).await;
        assert_refused((st, &e), 400, 20001, says);
    }
    // The bundles swapped, an unknown SID, a malformed one, a trust product of another
    // policy, a profile of another policy: 30793 naming the parameter.
    let vi = s.trust_product(VOICE_INTEGRITY).await;
    let primary = s.complete_primary().await;
    let unknown = random_sid("BU");
    for (cp, a, param) in [
        (tp.as_str(), tp.as_str(), "CustomerProfileBundleSid"),
        (profile.as_str(), profile.as_str(), "A2PProfileBundleSid"),
        (unknown.as_str(), tp.as_str(), "CustomerProfileBundleSid"),
        ("BUnot-a-sid", tp.as_str(), "CustomerProfileBundleSid"),
        (profile.as_str(), vi.as_str(), "A2PProfileBundleSid"),
        (primary.as_str(), tp.as_str(), "CustomerProfileBundleSid"),
    ] {
        let (st, e) = s
            .post(
                BRANDS,
                &[("CustomerProfileBundleSid", cp), ("A2PProfileBundleSid", a)],
            )
            .await;
        assert_refused((st, &e), 400, 30793, param);
    }
    // A sole proprietor's brand takes a Starter profile, not a Secondary one.
    let (st, e) = s
        .post(
            BRANDS,
            &[
                ("CustomerProfileBundleSid", &profile),
                ("A2PProfileBundleSid", &tp),
                ("BrandType", "SOLE_PROPRIETOR"),
            ],
        )
        .await;
    assert_refused((st, &e), 400, 30793, "Starter Customer Profile");
    // Another account's bundles are not found as such.
    let (other, token) = s.other_account("Other").await;
    let mut s = s;
    s.as_account(&other, &token);
    let (st, e) = s.post(BRANDS, &base).await;
    assert_refused((st, &e), 400, 30793, "CustomerProfileBundleSid");
    let (st, e) = s.get(&format!("{BRANDS}/{}", random_sid("BN"))).await;
    assert_refused((st, &e), 404, 20404, "");
}

/// An approved Starter Customer Profile and Sole Proprietor trust product.
pub async fn sole_proprietor_bundles(s: &Server) -> (String, String) {
    let primary = s.approved_primary().await;
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
    let b = s
        .ok(
            "/v1/TrustProducts",
            &[
                ("FriendlyName", "Ada's A2P"),
                ("Email", "ada@acme.example.com"),
                ("PolicySid", SOLE_PROPRIETOR),
            ],
            201,
        )
        .await;
    let tp = sid(&b);
    let sp = s
        .end_user(
            "sole_proprietor_information",
            json!({"brand_name": "Ada's Bakery", "mobile_phone_number": "+15555550199"}),
        )
        .await;
    s.assign("TrustProducts", &tp, &sp).await;
    s.assign("TrustProducts", &tp, &starter).await;
    approve_bundles(s, &starter, &tp).await;

    (starter, tp)
}

/// The sole proprietor's OTP: sent at approval, resent by SmsOtp, confirmed by the mobile
/// owner's YES within 24 hours (the operator's stand-in), expired after.
#[tokio::test]
async fn a_sole_proprietor_brand_is_verified_by_its_otp() {
    let s = Server::start();
    let (starter, tp) = sole_proprietor_bundles(&s).await;
    let bn = sid(&brand(&s, &starter, &tp, &[("BrandType", "SOLE_PROPRIETOR")]).await);
    let path = format!("{BRANDS}/{bn}");
    let otp = format!("{path}/SmsOtp");
    // No OTP before approval.
    let (st, e) = s.post(&otp, &[]).await;
    assert_refused((st, &e), 409, 20409, "APPROVED");
    wait_for(&s, &path, "status", "IN_REVIEW").await;
    let (st, d) = decide(&s, &bn, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
    let b = s.get(&path).await.1;
    assert_eq!(b["status"], "APPROVED");
    assert_eq!(b["identity_status"], "UNVERIFIED");
    let sent: Vec<Value> = events(&s, &bn)
        .await
        .into_iter()
        .filter(|e| e["type"] == "otp_sent")
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");

    // Expired after 24 hours; a fresh OTP (SmsOtp, 201 with the spec's shape) goes to the
    // sole proprietor's mobile number.
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "86401")])
        .await;
    let reply = format!("/admin/v1/BrandRegistrations/{bn}/OtpReply");
    let (st, e) = s.admin("POST", &reply, &[("Body", "YES")]).await;
    assert_refused((st, &e), 409, 30752, "24 hours");
    let o = s.ok(&otp, &[], 201).await;
    assert_eq!(o, json!({"account_sid": SID, "brand_registration_sid": bn}));
    let last = events(&s, &bn)
        .await
        .into_iter()
        .rev()
        .find(|e| e["type"] == "otp_sent")
        .unwrap();
    assert_eq!(last["detail"]["to"], "+15555550199");
    let (st, e) = s.admin("POST", &reply, &[("Body", "NO")]).await;
    assert_refused((st, &e), 400, 20001, "YES");
    let (st, b) = s.admin("POST", &reply, &[("Body", "yes")]).await;
    assert_eq!(st, 200, "{b}");
    let b = s.get(&path).await.1;
    assert_eq!(b["identity_status"], "VERIFIED");
    let (st, e) = s.post(&otp, &[]).await;
    assert_refused((st, &e), 409, 20409, "VERIFIED");

    // A standard brand has no OTP.
    let profile = secondary(&s).await;
    let a = a2p(&s, &profile, "Acme A2P").await;
    let std = sid(&brand(&s, &profile, &a, &[]).await);
    let (st, e) = s.post(&format!("{BRANDS}/{std}/SmsOtp"), &[]).await;
    assert_refused((st, &e), 400, 20001, "SOLE_PROPRIETOR");
}

/// Vettings: created on a brand of the account, listed (with the provider filter) and
/// fetched; decided after their brand is APPROVED.
#[tokio::test]
async fn vettings_belong_to_a_brand_and_wait_for_its_approval() {
    let s = Server::start();
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    let vettings = format!("{BRANDS}/{bn}/Vettings");
    let (st, e) = s.post(&vettings, &[]).await;
    assert_refused((st, &e), 400, 20001, "VettingProvider");
    let (st, e) = s.post(&vettings, &[("VettingProvider", "acme")]).await;
    assert_refused((st, &e), 400, 20001, "campaign-verify or aegis");
    // A VettingId is bounded as the spec bounds the toll-free one (500): nothing stored.
    let huge = "x".repeat(501);
    let (st, e) = s
        .post(
            &vettings,
            &[("VettingProvider", "campaign-verify"), ("VettingId", &huge)],
        )
        .await;
    assert_refused(
        (st, &e),
        400,
        20001,
        "VettingId must be at most 500 characters",
    );
    assert_eq!(s.get(&vettings).await.1["data"], json!([]));
    let (st, e) = s
        .post(
            &format!("{BRANDS}/{}/Vettings", random_sid("BN")),
            &[("VettingProvider", "aegis")],
        )
        .await;
    assert_refused((st, &e), 404, 20404, "");
    let v = s
        .ok(
            &vettings,
            &[
                ("VettingProvider", "campaign-verify"),
                ("VettingId", "cv|1.0|tcr|10dlc|abc"),
            ],
            201,
        )
        .await;
    let vt = v["brand_vetting_sid"].as_str().unwrap().to_string();
    assert!(vt.starts_with("VT"), "{v}");
    assert_eq!(v["brand_sid"], bn.as_str());
    assert_eq!(v["vetting_status"], "PENDING");
    assert_eq!(v["vetting_class"], "POLITICAL");
    s.ok(&vettings, &[("VettingProvider", "aegis")], 201).await;
    let (_, l) = s.get(&format!("{vettings}?VettingProvider=aegis")).await;
    assert_eq!(l["data"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(l["data"][0]["vetting_provider"], "aegis");
    let (_, l) = s.get(&vettings).await;
    assert_eq!(l["data"].as_array().unwrap().len(), 2, "{l}");
    let (st, f) = s.get(&format!("{vettings}/{vt}")).await;
    assert_eq!(
        (st, &f["vetting_id"]),
        (200, &json!("cv|1.0|tcr|10dlc|abc"))
    );

    // The vetting waits for its brand.
    let (st, e) = decide(&s, &vt, &[("Decision", "approve")]).await;
    assert_refused((st, &e), 409, 20409, "brand must be APPROVED");
    approve_bundles(&s, &profile, &tp).await;
    wait_for(&s, &format!("{BRANDS}/{bn}"), "status", "IN_REVIEW").await;
    assert_eq!(decide(&s, &bn, &[("Decision", "approve")]).await.0, 200);
    let (st, d) = decide(&s, &vt, &[("Decision", "approve")]).await;
    assert_eq!(st, 200, "{d}");
    let (_, f) = s.get(&format!("{vettings}/{vt}")).await;
    assert_eq!(f["vetting_status"], "SUCCESS");
}

/// Snapshots restore brands with their timeline; a reset of the account removes them.
#[tokio::test]
async fn snapshots_and_resets_cover_brands() {
    let s = Server::start();
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    let path = format!("{BRANDS}/{bn}");
    let (st, b) = s
        .admin("POST", "/admin/v1/Snapshots", &[("Name", "brands")])
        .await;
    assert_eq!(st, 201, "{b}");
    let (st, _) = s
        .admin("POST", "/admin/v1/Reset", &[("AccountSid", SID)])
        .await;
    assert_eq!(st, 200);
    assert_eq!(s.get(&path).await.0, 404);
    let (st, b) = s
        .admin("POST", "/admin/v1/Snapshots/brands/Restore", &[])
        .await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = s.get(&path).await;
    assert_eq!(
        (st, &b["customer_profile_bundle_sid"]),
        (200, &json!(profile))
    );
    assert!(!events(&s, &bn).await.is_empty());
}

/// The console's review queue lists brands; its page decides them (a rejection needs one
/// of the brand's codes); the CLI's review commands list and decide them too.
#[tokio::test]
async fn the_console_and_the_cli_review_brands() {
    use crate::common::console::{self, csrf_of};
    let s = Server::start();
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let one = sid(&brand(&s, &profile, &tp, &[]).await);
    let two = sid(&brand(&s, &profile, &tp, &[]).await);
    wait_for(&s, &format!("{BRANDS}/{two}"), "status", "IN_REVIEW").await;

    let http = console::client();
    let cookie = console::operator_sign_in(&http, &s.base, ADMIN_TOKEN).await;
    let (st, html) = console::page(&http, &format!("{}/console/reviews", s.base), &cookie).await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("/console/reviews/{one}")), "{html}");
    let (st, html) =
        console::page(&http, &format!("{}/console/reviews/{one}", s.base), &cookie).await;
    assert_eq!(st, 200);
    assert!(html.contains("30799") && html.contains(&profile), "{html}");
    let csrf = csrf_of(&html);
    let url = format!("{}/console/reviews/{one}/decision", s.base);
    let (st, _) = console::post(
        &http,
        &url,
        &cookie,
        &[("csrf", &csrf), ("decision", "reject")],
    )
    .await;
    assert_eq!(st, 422);
    let form = [
        ("csrf", csrf.as_str()),
        ("decision", "reject"),
        ("reason", "Unverifiable"),
        ("codes", "30799"),
    ];
    let (st, to) = console::post(&http, &url, &cookie, &form).await;
    assert_eq!(st, 303);
    // The notice names what was decided: a registration, not a bundle.
    let (_, html) = console::page(&http, &format!("{}{}", s.base, to.unwrap()), &cookie).await;
    assert!(html.contains("The registration was rejected."), "{html}");
    assert!(!html.contains("The bundle was"), "{html}");
    let (_, b) = s.get(&format!("{BRANDS}/{one}")).await;
    assert_eq!(
        (&b["status"], &b["errors"][0]["code"]),
        (&json!("FAILED"), &json!(30799))
    );

    let (ok, listed) = s.admin_cli(&["review", "list", "--kind", "brand"]);
    assert!(ok, "{listed}");
    let sids: Vec<&str> = listed["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids, [two.as_str()]);
    let (ok, out) = s.admin_cli(&[
        "review", "reject", &two, "--reason", "No", "--codes", "18601",
    ]);
    assert!(!ok, "{out}");
    let (ok, out) = s.admin_cli(&[
        "review", "reject", &two, "--reason", "No", "--codes", "30792",
    ]);
    assert!(ok, "{out}");
    assert_eq!(out["status"], "FAILED");
}

/// `--review auto`: a vetting is decided once its brand is APPROVED; `FAIL` in its
/// `VettingId` fails it.
#[tokio::test]
async fn auto_review_decides_vettings_after_their_brand() {
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "60"],
        ..Options::default()
    });
    let profile = secondary(&s).await;
    let tp = a2p(&s, &profile, "Acme A2P").await;
    let bn = sid(&brand(&s, &profile, &tp, &[]).await);
    let vettings = format!("{BRANDS}/{bn}/Vettings");
    let ok = s
        .ok(
            &vettings,
            &[("VettingProvider", "aegis"), ("VettingId", "ae-1")],
            201,
        )
        .await;
    let bad = s
        .ok(
            &vettings,
            &[("VettingProvider", "aegis"), ("VettingId", "ae-2 FAIL")],
            201,
        )
        .await;
    let path = |v: &Value| format!("{vettings}/{}", v["brand_vetting_sid"].as_str().unwrap());
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    s.worker_caught_up().await;
    assert_eq!(s.get(&path(&ok)).await.1["vetting_status"], "PENDING");
    for (c, bu) in [("CustomerProfiles", &profile), ("TrustProducts", &tp)] {
        submit(&s, c, bu).await;
    }
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "120")])
        .await;
    wait_for(&s, &format!("{BRANDS}/{bn}"), "status", "APPROVED").await;
    wait_for(&s, &path(&ok), "vetting_status", "SUCCESS").await;
    wait_for(&s, &path(&bad), "vetting_status", "FAILED").await;
}
