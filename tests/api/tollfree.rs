//! Toll-free verifications (`/v1/Tollfree/Verifications`): the request's rules, the rules
//! that tie a verification to the account's numbers and customer profiles, and its review
//! lifecycle (edit and resubmit after a rejection), every response checked against
//! Twilio's Messaging spec (`Server::call`).
use crate::common::*;
use serde_json::Value;

const TFV: &str = "/v1/Tollfree/Verifications";

fn at(sid: &str) -> String {
    format!("{TFV}/{sid}")
}

/// The spec's `create` example without its number.
const SAMPLE: [(&str, &str); 16] = [
    ("BusinessName", "Owl, Inc."),
    ("BusinessWebsite", "http://www.company.com"),
    ("NotificationEmail", "support@company.com"),
    ("UseCaseCategories", "TWO_FACTOR_AUTHENTICATION"),
    ("UseCaseCategories", "MARKETING"),
    (
        "UseCaseSummary",
        "Promotional offers and coupons for the customers of John's Coffee Shop",
    ),
    ("ProductionMessageSample", "lorem ipsum"),
    (
        "OptInImageUrls",
        "https://testbusiness.com/images/image1.jpg",
    ),
    (
        "OptInImageUrls",
        "https://testbusiness.com/images/image2.jpg",
    ),
    ("OptInType", "VERBAL"),
    ("MessageVolume", "10"),
    ("BusinessContactPhone", "+11231231234"),
    ("ExternalReferenceId", "abc123xyz567"),
    ("BusinessRegistrationNumber", "123456789"),
    ("BusinessType", "PRIVATE_PROFIT"),
    ("AgeGatedContent", "false"),
];

fn form<'a>(number: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = SAMPLE
        .iter()
        .copied()
        .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
        .collect();
    f.push(("TollfreePhoneNumberSid", number));
    f.extend(overrides.iter().copied());
    f
}

async fn create(s: &Server, number: &str, overrides: &[(&str, &str)]) -> (u16, Value) {
    s.post(TFV, &form(number, overrides)).await
}

async fn created(s: &Server, number: &str, overrides: &[(&str, &str)]) -> String {
    let (st, b) = create(s, number, overrides).await;
    assert_eq!(st, 201, "{b}");
    b["sid"].as_str().unwrap().to_string()
}

fn auto() -> Options<'static> {
    Options {
        args: vec!["--review", "auto", "--review-delay", "3600"],
        ..Default::default()
    }
}

async fn advance(s: &Server, seconds: &str) {
    let (st, b) = s
        .admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", seconds)])
        .await;
    assert_eq!(st, 200, "{b}");
}

/// Seconds since the epoch of an ISO 8601 `YYYY-MM-DDTHH:MM:SSZ` date.
fn epoch(iso: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| iso[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

/// `assert_refused` of an owned answer.
#[track_caller]
fn refused(got: (u16, Value), status: u16, code: u64, says: &str) {
    assert_refused((got.0, &got.1), status, code, says);
}

/// Waits for IN_REVIEW, lets the review delay pass, waits for `want`.
async fn decided(s: &Server, sid: &str, want: &str) -> Value {
    s.wait_status("Tollfree/Verifications", sid, "IN_REVIEW")
        .await;
    advance(s, "3600").await;
    s.wait_status("Tollfree/Verifications", sid, want).await
}

#[tokio::test]
async fn a_verification_is_created_fetched_and_listed() {
    let s = Server::start();
    let number = s.number("+18885550100").await;
    let (st, v) = create(&s, &number, &[("BusinessCountry", "us")]).await;
    assert_eq!(st, 201, "{v}");
    let sid = v["sid"].as_str().unwrap().to_string();
    assert!(sid.starts_with("HH") && sid.len() == 34, "{sid}");
    assert_eq!(v["account_sid"], SID);
    assert_eq!(v["status"], "PENDING_REVIEW");
    assert_eq!(v["tollfree_phone_number_sid"], number.as_str());
    assert_eq!(v["tollfree_phone_number"], "+18885550100");
    assert_eq!(
        v["use_case_categories"],
        serde_json::json!(["TWO_FACTOR_AUTHENTICATION", "MARKETING"])
    );
    assert_eq!(v["business_country"], "US");
    assert_eq!(v["age_gated_content"], false);
    assert_eq!(v["business_city"], Value::Null, "not sent");
    for k in [
        "rejection_reason",
        "error_code",
        "edit_allowed",
        "edit_expiration",
        "rejection_reasons",
    ] {
        assert_eq!(v[k], Value::Null, "{k}");
    }
    assert_eq!(v["url"], format!("{}{TFV}/{sid}", s.base));

    let (st, fetched) = s.get(&at(&sid)).await;
    assert_eq!(st, 200);
    assert_eq!(fetched["sid"], sid.as_str());
    assert_eq!(fetched["business_name"], "Owl, Inc.");

    let other = s.number("+18775550100").await;
    let second = created(&s, &other, &[]).await;
    let (_, page) = s.get(&format!("{TFV}?PageSize=1")).await;
    assert_eq!(page["meta"]["key"], "verifications");
    assert_eq!(page["verifications"][0]["sid"], sid.as_str());
    let next = page["meta"]["next_page_url"].as_str().unwrap();
    let (_, page2) = s.get(next.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(page2["verifications"][0]["sid"], second.as_str());
    let (_, by_number) = s
        .get(&format!("{TFV}?TollfreePhoneNumberSid={other}"))
        .await;
    let sids: Vec<&Value> = by_number["verifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["sid"])
        .collect();
    assert_eq!(sids, vec![&Value::from(second.as_str())]);
    let (_, by_status) = s.get(&format!("{TFV}?Status=TWILIO_APPROVED")).await;
    assert_eq!(by_status["verifications"], serde_json::json!([]));
    refused(
        s.get(&format!("{TFV}?Status=approved")).await,
        400,
        20001,
        "Status must be one of",
    );
}

#[tokio::test]
async fn the_request_is_checked_before_anything_is_stored() {
    let s = Server::start();
    let number = s.number("+18885550101").await;
    for name in [
        "BusinessName",
        "BusinessWebsite",
        "NotificationEmail",
        "UseCaseCategories",
        "UseCaseSummary",
        "ProductionMessageSample",
        "OptInImageUrls",
        "OptInType",
        "MessageVolume",
    ] {
        let f: Vec<(&str, &str)> = form(&number, &[])
            .into_iter()
            .filter(|(k, _)| *k != name)
            .collect();
        let got = s.post(TFV, &f).await;
        refused(got, 400, 20001, name);
    }
    let f: Vec<(&str, &str)> = form(&number, &[])
        .into_iter()
        .filter(|(k, _)| *k != "TollfreePhoneNumberSid")
        .collect();
    refused(s.post(TFV, &f).await, 400, 20001, "TollfreePhoneNumberSid");
    for (param, bad, says) in [
        (
            "OptInType",
            "EMAIL",
            "OptInType \"EMAIL\" is not one of VERBAL",
        ),
        ("MessageVolume", "1000", "MessageVolume"),
        ("UseCaseCategories", "SPAM", "UseCaseCategories \"SPAM\""),
        ("BusinessType", "LLC", "BusinessType"),
        (
            "NotificationEmail",
            "support.company.com",
            "not a valid email address",
        ),
        (
            "OptInImageUrls",
            "testbusiness.com/image.jpg",
            "absolute http or https URL",
        ),
        ("BusinessContactPhone", "5555550100", "E.164"),
        ("AgeGatedContent", "maybe", "true or false"),
        ("BusinessRegistrationCountry", "USA", "alpha-2"),
        ("VettingProvider", "CAMPAIGN_VERIFY", "VettingId"),
    ] {
        refused(create(&s, &number, &[(param, bad)]).await, 400, 20001, says);
    }
    let (_, listed) = s.get(TFV).await;
    assert_eq!(
        listed["verifications"],
        serde_json::json!([]),
        "nothing stored"
    );
}

#[tokio::test]
async fn the_number_is_a_toll_free_number_of_the_account() {
    let mut s = Server::start();
    let local = s.number("+14155550100").await;
    refused(
        create(&s, &local, &[]).await,
        400,
        30436,
        "+14155550100, which is not a toll-free number",
    );
    // Malformed, unknown and another account's: one answer.
    let unknown = random_sid("PN");
    let (other_sid, other_token) = s.other_account("Other").await;
    s.as_account(&other_sid, &other_token);
    let theirs = s.number("+18885550102").await;
    s.as_account(SID, TOKEN);
    let mut messages = Vec::new();
    for bad in ["PN123", unknown.as_str(), theirs.as_str()] {
        let (st, b) = create(&s, bad, &[]).await;
        assert_refused(
            (st, &b),
            400,
            30436,
            "is not the SID of a toll-free phone number of this account",
        );
        messages.push(b["message"].as_str().unwrap().replace(bad, "X"));
    }
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
}

#[tokio::test]
async fn one_verification_per_number_at_a_time() {
    let s = Server::start();
    let number = s.number("+18885550103").await;
    let first = created(&s, &number, &[]).await;
    let got = create(&s, &number, &[("ExternalReferenceId", "again")]).await;
    refused(got, 409, 20409, &first);
    // Concurrent creates for one number: exactly one wins.
    let other = s.number("+18775550103").await;
    let (a, b) = tokio::join!(create(&s, &other, &[]), create(&s, &other, &[]));
    let mut statuses = vec![a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![201, 409], "{a:?} {b:?}");
    // Deleting the first frees the number (a verification not under review: approve it first).
    let s2 = Server::start_with(auto());
    let n2 = s2.number("+18665550103").await;
    let v = created(&s2, &n2, &[]).await;
    refused(s2.delete(&at(&v)).await, 409, 20409, "under review");
    decided(&s2, &v, "TWILIO_APPROVED").await;
    assert_eq!(s2.delete(&at(&v)).await.0, 204);
    assert_eq!(s2.get(&at(&v)).await.0, 404);
    created(&s2, &n2, &[]).await;
}

#[tokio::test]
async fn a_customer_profile_must_be_the_accounts_own() {
    let mut s = Server::start();
    let number = s.number("+18885550104").await;
    let profile = s.profile(SECONDARY).await;
    let v = created(&s, &number, &[("CustomerProfileSid", &profile)]).await;
    let (_, fetched) = s.get(&at(&v)).await;
    assert_eq!(fetched["customer_profile_sid"], profile.as_str());

    let trust_product = s.trust_product(VOICE_INTEGRITY).await;
    let (other_sid, other_token) = s.other_account("Other").await;
    s.as_account(&other_sid, &other_token);
    let theirs = s.profile(SECONDARY).await;
    s.as_account(SID, TOKEN);
    let unknown = random_sid("BU");
    for (i, bad) in [trust_product.as_str(), theirs.as_str(), unknown.as_str()]
        .into_iter()
        .enumerate()
    {
        let n = s.number(&format!("+1877555011{i}")).await;
        refused(
            create(&s, &n, &[("CustomerProfileSid", bad)]).await,
            400,
            20001,
            "is not a customer profile of this account",
        );
    }
    refused(
        create(&s, &number, &[("CustomerProfileSid", "BU1")]).await,
        400,
        20001,
        "CustomerProfileSid must be a SID",
    );
}

#[tokio::test]
async fn another_accounts_verifications_are_not_found() {
    let mut s = Server::start();
    let number = s.number("+18885550105").await;
    let v = created(&s, &number, &[]).await;
    let (other_sid, other_token) = s.other_account("Other").await;
    s.as_account(&other_sid, &other_token);
    assert_eq!(s.get(&at(&v)).await.0, 404);
    assert_eq!(s.post(&at(&v), &[("BusinessName", "Mine")]).await.0, 404);
    assert_eq!(s.delete(&at(&v)).await.0, 404);
    let (_, listed) = s.get(TFV).await;
    assert_eq!(listed["verifications"], serde_json::json!([]));
}

#[tokio::test]
async fn approved_by_the_automatic_reviewer() {
    let s = Server::start_with(auto());
    let number = s.number("+18885550106").await;
    let v = created(&s, &number, &[]).await;
    let approved = decided(&s, &v, "TWILIO_APPROVED").await;
    assert_eq!(approved["error_code"], Value::Null);
    assert_eq!(approved["edit_allowed"], Value::Null);
    // Only a rejected verification is edited.
    refused(
        s.post(&at(&v), &[("BusinessName", "Owl Corp")]).await,
        409,
        20409,
        "only a TWILIO_REJECTED verification can be edited",
    );
}

#[tokio::test]
async fn rejected_edited_resubmitted_and_approved() {
    let s = Server::start_with(auto());
    let number = s.number("+18885550107").await;
    let v = created(&s, &number, &[("BusinessName", "Owl, Inc. FAIL")]).await;
    let rejected = decided(&s, &v, "TWILIO_REJECTED").await;
    assert_eq!(rejected["error_code"], 30484);
    assert_eq!(rejected["rejection_reasons"][0]["code"], 30484);
    assert!(rejected["rejection_reason"]
        .as_str()
        .unwrap()
        .contains("business_name"));
    assert_eq!(rejected["edit_allowed"], true);
    let updated = epoch(rejected["date_updated"].as_str().unwrap());
    let until = epoch(rejected["edit_expiration"].as_str().unwrap());
    assert_eq!(until - updated, 7 * 24 * 3600);

    // A bad edit changes nothing.
    refused(
        s.post(&at(&v), &[("OptInType", "NOPE")]).await,
        400,
        20001,
        "OptInType",
    );
    refused(
        s.post(&at(&v), &[("BusinessName", "")]).await,
        400,
        20001,
        "cannot be emptied",
    );
    let (_, still) = s.get(&at(&v)).await;
    assert_eq!(still["status"], "TWILIO_REJECTED");

    let (st, edited) = s
        .post(
            &at(&v),
            &[
                ("BusinessName", "Owl, Inc."),
                ("BusinessCity", "Anytown"),
                ("EditReason", "Name fixed"),
            ],
        )
        .await;
    assert_eq!(st, 202, "{edited}");
    assert_eq!(edited["status"], "PENDING_REVIEW");
    assert_eq!(edited["business_name"], "Owl, Inc.");
    assert_eq!(edited["business_city"], "Anytown");
    assert_eq!(
        edited["use_case_summary"], rejected["use_case_summary"],
        "untouched"
    );
    for k in [
        "rejection_reason",
        "error_code",
        "edit_allowed",
        "edit_expiration",
        "rejection_reasons",
    ] {
        assert_eq!(edited[k], Value::Null, "{k}");
    }
    decided(&s, &v, "TWILIO_APPROVED").await;
}

#[tokio::test]
async fn some_rejections_take_no_edit_and_the_window_closes() {
    let s = Server::start_with(auto());
    let n1 = s.number("+18885550108").await;
    let v = created(&s, &n1, &[("UseCaseSummary", "Coins FAIL-30464")]).await;
    let rejected = decided(&s, &v, "TWILIO_REJECTED").await;
    assert_eq!(rejected["error_code"], 30464);
    assert_eq!(rejected["edit_allowed"], false);
    refused(
        s.post(&at(&v), &[("UseCaseSummary", "Coffee")]).await,
        409,
        20409,
        "does not allow an edit",
    );

    let n2 = s.number("+18775550108").await;
    let w = created(&s, &n2, &[("BusinessName", "Owl FAIL")]).await;
    decided(&s, &w, "TWILIO_REJECTED").await;
    advance(&s, &(7 * 24 * 3600 + 1).to_string()).await;
    refused(
        s.post(&at(&w), &[("BusinessName", "Owl")]).await,
        409,
        20409,
        "seven days",
    );
    // Deleting it frees the number for a new verification.
    assert_eq!(s.delete(&at(&w)).await.0, 204);
    created(&s, &n2, &[]).await;
}

#[tokio::test]
async fn list_filters_reference_subaccounts_and_trust_products() {
    let mut s = Server::start();
    let n1 = s.number("+18885550109").await;
    let n2 = s.number("+18775550109").await;
    let n3 = s.number("+18665550109").await;
    let a = created(&s, &n1, &[("ExternalReferenceId", "ref-a")]).await;
    let b = created(&s, &n2, &[("ExternalReferenceId", "ref-b")]).await;
    let c = created(&s, &n3, &[("ExternalReferenceId", "ref-a")]).await;
    let sids = |page: &Value| -> Vec<String> {
        page["verifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["sid"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, by_ref) = s.get(&format!("{TFV}?ExternalReferenceId=ref-a")).await;
    assert_eq!(sids(&by_ref), vec![a.clone(), c.clone()]);
    // Paged with the filter kept, forwards and back.
    let (_, p1) = s
        .get(&format!("{TFV}?ExternalReferenceId=ref-a&PageSize=1"))
        .await;
    assert_eq!(sids(&p1), vec![a.clone()]);
    let next = p1["meta"]["next_page_url"].as_str().unwrap();
    assert!(next.contains("ExternalReferenceId=ref-a"), "{next}");
    let (_, p2) = s.get(next.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(sids(&p2), vec![c.clone()]);
    assert_eq!(p2["meta"]["next_page_url"], Value::Null);
    let prev = p2["meta"]["previous_page_url"].as_str().unwrap();
    let (_, back) = s.get(prev.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(sids(&back), vec![a.clone()]);
    let (_, none) = s
        .get(&format!("{TFV}?TrustProductSid={}", random_sid("BU")))
        .await;
    assert_eq!(sids(&none), Vec::<String>::new());

    // A subaccount's verification: listed by its parent with IncludeSubAccounts only.
    let (st, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    assert_eq!(st, 201, "{sub}");
    let (sub_sid, sub_token) = (
        sub["sid"].as_str().unwrap().to_string(),
        sub["auth_token"].as_str().unwrap().to_string(),
    );
    s.as_account(&sub_sid, &sub_token);
    let n4 = s.number("+18555550109").await;
    let d = created(&s, &n4, &[]).await;
    s.as_account(SID, TOKEN);
    let (_, own) = s.get(TFV).await;
    assert_eq!(sids(&own), vec![a.clone(), b.clone(), c.clone()]);
    let (_, family) = s.get(&format!("{TFV}?IncludeSubAccounts=true")).await;
    assert_eq!(
        sids(&family),
        vec![a.clone(), b.clone(), c.clone(), d.clone()]
    );
    let (_, family_ref) = s
        .get(&format!(
            "{TFV}?IncludeSubAccounts=true&ExternalReferenceId=abc123xyz567"
        ))
        .await;
    assert_eq!(sids(&family_ref), vec![d.clone()]);
    refused(
        s.get(&format!("{TFV}?IncludeSubAccounts=yes")).await,
        400,
        20001,
        "IncludeSubAccounts",
    );
    // The subaccount does not see its parent's.
    s.as_account(&sub_sid, &sub_token);
    let (_, theirs) = s.get(&format!("{TFV}?IncludeSubAccounts=true")).await;
    assert_eq!(sids(&theirs), vec![d]);
}

#[tokio::test]
async fn the_operator_decides_in_manual_review_and_the_timeline_keeps_the_edit() {
    let s = Server::start();
    let number = s.number("+18885550110").await;
    let v = created(&s, &number, &[]).await;
    s.wait_status("Tollfree/Verifications", &v, "IN_REVIEW")
        .await;
    let (_, q) = s
        .admin("GET", "/admin/v1/Reviews?Kind=tollfree_verification", &[])
        .await;
    let queued = q["reviews"].as_array().unwrap();
    assert_eq!(queued.len(), 1, "{q}");
    assert_eq!(queued[0]["sid"], v.as_str());

    // Another kind's code is refused; a toll-free one is taken.
    let (st, e) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{v}"),
            &[
                ("Decision", "reject"),
                ("ErrorCodes", "30794"),
                ("FailureReason", "x"),
            ],
        )
        .await;
    assert_eq!(st, 400, "{e}");
    let (st, d) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{v}"),
            &[
                ("Decision", "reject"),
                ("ErrorCodes", "30513"),
                (
                    "FailureReason",
                    "The opt-in language does not mention text messages",
                ),
            ],
        )
        .await;
    assert_eq!(st, 200, "{d}");
    let (_, rejected) = s.get(&at(&v)).await;
    assert_eq!(rejected["status"], "TWILIO_REJECTED");
    assert_eq!(rejected["error_code"], 30513);
    assert_eq!(
        rejected["rejection_reason"],
        "The opt-in language does not mention text messages"
    );
    assert_eq!(
        rejected["rejection_reasons"][0]["reason"],
        "Toll Free verification rejection - Opt-in not sufficient: Language Unclear"
    );
    assert_eq!(rejected["edit_allowed"], true);

    let (st, _) = s
        .post(
            &at(&v),
            &[
                ("OptInConfirmationMessage", "Reply YES to get texts"),
                ("EditReason", "Opt-in fixed"),
            ],
        )
        .await;
    assert_eq!(st, 202);
    s.wait_status("Tollfree/Verifications", &v, "IN_REVIEW")
        .await;
    let (st, d) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{v}"),
            &[("Decision", "approve")],
        )
        .await;
    assert_eq!(st, 200, "{d}");
    let (_, approved) = s.get(&at(&v)).await;
    assert_eq!(approved["status"], "TWILIO_APPROVED");
    assert_eq!(
        approved["opt_in_confirmation_message"],
        "Reply YES to get texts"
    );

    let (st, e) = s
        .admin("GET", &format!("/admin/v1/Bundles/{v}/Events"), &[])
        .await;
    assert_eq!(st, 200, "{e}");
    let events = e["events"].as_array().unwrap();
    let edited = events
        .iter()
        .find(|e| e["type"] == "edited")
        .expect("an edited event");
    assert_eq!(edited["detail"]["edit_reason"], "Opt-in fixed");
    assert_eq!(
        edited["detail"]["fields"],
        serde_json::json!(["opt_in_confirmation_message"])
    );
    let moves: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["type"] == "status_changed")
        .map(|e| {
            (
                e["detail"]["to"].as_str().unwrap().to_string(),
                e["detail"]["by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("IN_REVIEW", "pipeline"),
        ("TWILIO_REJECTED", "operator"),
        ("PENDING_REVIEW", "customer"),
        ("IN_REVIEW", "pipeline"),
        ("TWILIO_APPROVED", "operator"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(moves, want);
}

#[tokio::test]
async fn hostile_input_gets_a_twilio_error_never_a_5xx() {
    let s = Server::start();
    let number = s.number("+18885550111").await;
    let long = "x".repeat(100_000);
    refused(
        create(&s, &number, &[("BusinessName", &long)]).await,
        400,
        20001,
        "at most 255 characters",
    );
    refused(
        create(&s, &number, &[("UseCaseSummary", &long)]).await,
        400,
        20001,
        "at most 5000 characters",
    );
    let url = format!("https://example.com/{long}");
    refused(
        create(&s, &number, &[("OptInImageUrls", &url)]).await,
        400,
        20001,
        "OptInImageUrls",
    );
    let mut many = form(&number, &[]);
    let urls: Vec<String> = (0..200)
        .map(|i| format!("https://example.com/{i}.png"))
        .collect();
    many.extend(urls.iter().map(|u| ("OptInImageUrls", u.as_str())));
    refused(s.post(TFV, &many).await, 400, 20001, "at most 20 values");
    refused(
        create(
            &s,
            &number,
            &[(
                "UseCaseCategories",
                "MARKETING'; DROP TABLE registrations;--",
            )],
        )
        .await,
        400,
        20001,
        "UseCaseCategories",
    );
    refused(
        s.get(&format!("{TFV}?Status=%27%20OR%201%3D1")).await,
        400,
        20001,
        "Status must be one of",
    );
    let (st, b) = s
        .get(&format!("{TFV}?TollfreePhoneNumberSid=%27%20OR%201%3D1"))
        .await;
    assert_eq!((st, &b["verifications"]), (200, &serde_json::json!([])));
    for path in [at("HH123"), at(&random_sid("HH")), at("..%2F..%2Fetc")] {
        assert_eq!(s.get(&path).await.0, 404, "{path}");
        assert_eq!(
            s.post(&path, &[("BusinessName", "x")]).await.0,
            404,
            "{path}"
        );
        assert_eq!(s.delete(&path).await.0, 404, "{path}");
    }
    // Nothing was stored by any of it.
    let (_, listed) = s.get(TFV).await;
    assert_eq!(listed["verifications"], serde_json::json!([]));
}

#[tokio::test]
async fn of_two_concurrent_edits_one_resubmits() {
    let s = Server::start();
    let number = s.number("+18885550112").await;
    let v = created(&s, &number, &[]).await;
    s.wait_status("Tollfree/Verifications", &v, "IN_REVIEW")
        .await;
    let (st, d) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{v}"),
            &[
                ("Decision", "reject"),
                ("ErrorCodes", "30484"),
                ("FailureReason", "Name"),
            ],
        )
        .await;
    assert_eq!(st, 200, "{d}");
    let path = at(&v);
    let (a, b) = tokio::join!(
        s.post(&path, &[("BusinessName", "Owl A")]),
        s.post(&path, &[("BusinessName", "Owl B")])
    );
    let mut statuses = vec![a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![202, 409], "{a:?} {b:?}");
    let winner = if a.0 == 202 { "Owl A" } else { "Owl B" };
    let (_, now) = s.get(&path).await;
    assert_eq!(now["business_name"], winner);
    let (_, e) = s
        .admin("GET", &format!("/admin/v1/Bundles/{v}/Events"), &[])
        .await;
    let resubmissions = e["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "status_changed" && e["detail"]["to"] == "PENDING_REVIEW")
        .count();
    assert_eq!(resubmissions, 1);
}

/// A verification whose toll-free number is released before its decision is not approved:
/// the operator's approval is refused saying why, and the automatic reviewer rejects it
/// with 30440 (no edit brings the number back).
#[tokio::test]
async fn a_released_number_is_not_verified() {
    let s = Server::start();
    let number = s.number("+18885550120").await;
    let v = created(&s, &number, &[]).await;
    s.wait_status("Tollfree/Verifications", &v, "IN_REVIEW")
        .await;
    let release = format!(
        "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{number}.json",
        s.account_sid()
    );
    assert_eq!(s.delete(&release).await.0, 204);
    let (st, e) = s
        .admin(
            "POST",
            &format!("/admin/v1/Reviews/{v}"),
            &[("Decision", "approve")],
        )
        .await;
    assert_refused((st, &e), 409, 20409, "no longer this account's");

    let s = Server::start_with(auto());
    let number = s.number("+18885550121").await;
    let v = created(&s, &number, &[]).await;
    let release = format!(
        "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{number}.json",
        s.account_sid()
    );
    assert_eq!(s.delete(&release).await.0, 204);
    let rejected = decided(&s, &v, "TWILIO_REJECTED").await;
    assert_eq!(rejected["error_code"], 30440, "{rejected}");
    assert_eq!(rejected["edit_allowed"], false, "{rejected}");
    assert!(
        rejected["rejection_reason"]
            .as_str()
            .unwrap()
            .contains("released"),
        "{rejected}"
    );
}
