//! The ISV world: subaccounts, API keys, Addresses, IncomingPhoneNumbers and how TrustHub
//! bundles may (and may not) reference them across accounts.
use crate::common::*;
use serde_json::{json, Value};

const ACCOUNTS: &str = "/2010-04-01/Accounts.json";

async fn subaccount(s: &Server, name: &str) -> (String, String) {
    let a = s.ok(ACCOUNTS, &[("FriendlyName", name)], 201).await;
    (
        a["sid"].as_str().unwrap().into(),
        a["auth_token"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn subaccounts_lifecycle_and_reach() {
    let mut s = Server::start();
    let (sub, sub_token) = subaccount(&s, "Customer A").await;
    let (sib, _) = subaccount(&s, "Customer B").await;
    let (_, list) = s.get(ACCOUNTS).await;
    let sids: Vec<&str> = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [SID, sub.as_str(), sib.as_str()],
        "own account and its subaccounts"
    );
    assert_eq!(
        list["first_page_uri"],
        "/2010-04-01/Accounts.json?PageSize=50&Page=0"
    );
    let (_, named) = s
        .get("/2010-04-01/Accounts.json?FriendlyName=Customer+B")
        .await;
    assert_eq!(named["accounts"].as_array().unwrap().len(), 1);
    let (_, a) = s.get(&format!("/2010-04-01/Accounts/{sub}.json")).await;
    assert_eq!(a["owner_account_sid"], SID);
    assert_eq!(a["uri"], format!("/2010-04-01/Accounts/{sub}.json"));
    assert_eq!(
        a["subresource_uris"]["addresses"],
        format!("/2010-04-01/Accounts/{sub}/Addresses.json")
    );
    assert!(a["date_created"].as_str().unwrap().ends_with("+0000"));
    let a = s
        .ok(
            &format!("/2010-04-01/Accounts/{sub}.json"),
            &[("FriendlyName", "Renamed")],
            200,
        )
        .await;
    assert_eq!(a["friendly_name"], "Renamed");

    // The subaccount reaches itself only.
    s.as_account(&sub, &sub_token);
    let (_, own) = s.get(ACCOUNTS).await;
    assert_eq!(own["accounts"].as_array().unwrap().len(), 1);
    for path in [
        format!("/2010-04-01/Accounts/{SID}.json"),
        format!("/2010-04-01/Accounts/{sib}/Addresses.json"),
    ] {
        let (st, body) = s.get(&path).await;
        assert_eq!((st, body["code"].as_u64()), (401, Some(20003)), "{path}");
    }
    let (st, body) = s.post(ACCOUNTS, &[("FriendlyName", "grandchild")]).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21101)));
    let (st, _) = s
        .post(
            &format!("/2010-04-01/Accounts/{sub}.json"),
            &[("Status", "closed")],
        )
        .await;
    assert_eq!(st, 400, "an account does not change its own status");

    // Suspended: its own credentials stop working; the parent can still see and revive it.
    s.as_account(SID, TOKEN);
    let a = s
        .ok(
            &format!("/2010-04-01/Accounts/{sub}.json"),
            &[("Status", "suspended")],
            200,
        )
        .await;
    assert_eq!(a["status"], "suspended");
    s.as_account(&sub, &sub_token);
    let (st, body) = s.get("/v1/CustomerProfiles").await;
    assert_eq!((st, body["code"].as_u64()), (403, Some(20005)));
    s.as_account(SID, TOKEN);
    let (st, _) = s
        .get(&format!("/2010-04-01/Accounts/{sub}/Addresses.json"))
        .await;
    assert_eq!(
        st, 403,
        "a suspended subaccount's resources are out of reach"
    );
    let (_, suspended) = s.get("/2010-04-01/Accounts.json?Status=suspended").await;
    assert_eq!(suspended["accounts"][0]["sid"], sub.as_str());
    s.ok(
        &format!("/2010-04-01/Accounts/{sub}.json"),
        &[("Status", "active")],
        200,
    )
    .await;
    s.as_account(&sub, &sub_token);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200);
    s.as_account(SID, TOKEN);
    s.ok(
        &format!("/2010-04-01/Accounts/{sub}.json"),
        &[("Status", "closed")],
        200,
    )
    .await;
    let (st, body) = s
        .post(
            &format!("/2010-04-01/Accounts/{sub}.json"),
            &[("Status", "active")],
        )
        .await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21479)));
    let (st, _) = s
        .post(
            &format!("/2010-04-01/Accounts/{sib}.json"),
            &[("Status", "frozen")],
        )
        .await;
    assert_eq!(st, 400);
    let (st, _) = s.get("/2010-04-01/Accounts/ACnope.json").await;
    assert_eq!(st, 401);
}

#[tokio::test]
async fn api_keys_authenticate_on_both_apis_and_are_stored_hashed() {
    let mut s = Server::start();
    let keys = format!("/2010-04-01/Accounts/{SID}/Keys.json");
    let k = s.ok(&keys, &[("FriendlyName", "ci")], 201).await;
    let key_sid = k["sid"].as_str().unwrap().to_string();
    let secret = k["secret"].as_str().unwrap().to_string();
    assert!(key_sid.starts_with("SK"));
    assert!(secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_alphanumeric()));
    let (_, list) = s.get(&keys).await;
    assert_eq!(list["keys"][0]["sid"], key_sid.as_str());
    assert!(
        list["keys"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let one = format!("/2010-04-01/Accounts/{SID}/Keys/{key_sid}.json");
    let (_, fetched) = s.get(&one).await;
    assert!(fetched.get("secret").is_none());
    let renamed = s.ok(&one, &[("FriendlyName", "ci-2")], 200).await;
    assert_eq!(renamed["friendly_name"], "ci-2");

    s.as_account(&key_sid, &secret);
    let bu = s.profile(SECONDARY).await;
    let (_, b) = s.get(&format!("/v1/CustomerProfiles/{bu}")).await;
    assert_eq!(b["account_sid"], SID, "a key acts as its account");
    assert_eq!(
        s.get(&format!("/2010-04-01/Accounts/{SID}/Addresses.json"))
            .await
            .0,
        200
    );
    s.as_account(&key_sid, "wrong-secret");
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 401);

    // Nothing in the store holds the secret itself (but the key is there).
    let bytes = s.stored_bytes();
    let holds = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(holds(&key_sid), "the store's bytes were read");
    assert!(!holds(&secret));

    s.as_account(SID, TOKEN);
    assert_eq!(s.delete(&one).await.0, 204);
    s.as_account(&key_sid, &secret);
    assert_eq!(
        s.get("/v1/CustomerProfiles").await.0,
        401,
        "a deleted key stops working"
    );
}

#[tokio::test]
async fn addresses_crud_and_rules() {
    let s = Server::start();
    let base = format!("/2010-04-01/Accounts/{SID}/Addresses.json");
    let form = [
        ("CustomerName", "Acme Inc"),
        ("Street", "1 Main St"),
        ("City", "Springfield"),
        ("Region", "IL"),
        ("PostalCode", "62701"),
        ("IsoCountry", "us"),
        ("FriendlyName", "HQ"),
        ("EmergencyEnabled", "true"),
    ];
    let a = s.ok(&base, &form, 201).await;
    let ad = a["sid"].as_str().unwrap().to_string();
    assert!(ad.starts_with("AD"));
    assert_eq!(
        (a["iso_country"].as_str(), a["emergency_enabled"].as_bool()),
        (Some("US"), Some(true))
    );
    assert_eq!(a["street_secondary"], Value::Null);
    for missing in [
        "CustomerName",
        "Street",
        "City",
        "Region",
        "PostalCode",
        "IsoCountry",
    ] {
        let partial: Vec<(&str, &str)> = form
            .iter()
            .filter(|(k, _)| *k != missing)
            .copied()
            .collect();
        let (st, body) = s.post(&base, &partial).await;
        assert_eq!((st, body["code"].as_u64()), (400, Some(20001)), "{missing}");
        assert!(body["message"].as_str().unwrap().contains(missing));
    }
    let (st, _) = s
        .post(
            &base,
            &[
                ("CustomerName", "x"),
                ("Street", "x"),
                ("City", "x"),
                ("Region", "x"),
                ("PostalCode", "x"),
                ("IsoCountry", "USA"),
            ],
        )
        .await;
    assert_eq!(st, 400);
    let (_, hq) = s
        .get(&format!("{base}?FriendlyName=HQ&IsoCountry=US"))
        .await;
    assert_eq!(hq["addresses"].as_array().unwrap().len(), 1);
    let (_, none) = s.get(&format!("{base}?CustomerName=Nobody")).await;
    assert_eq!(none["addresses"].as_array().unwrap().len(), 0);
    let one = format!("/2010-04-01/Accounts/{SID}/Addresses/{ad}.json");
    let up = s
        .ok(
            &one,
            &[("Street", "2 Main St"), ("StreetSecondary", "Suite 5")],
            200,
        )
        .await;
    assert_eq!(
        (up["street"].as_str(), up["street_secondary"].as_str()),
        (Some("2 Main St"), Some("Suite 5"))
    );
    let (st, _) = s.post(&one, &[("IsoCountry", "CA")]).await;
    assert_eq!(st, 400, "IsoCountry is not updatable");

    // An address inside a submitted bundle's document is what was vetted.
    let primary = s.approved_primary().await;
    let (_, docs) = s.get("/v1/SupportingDocuments").await;
    let doc = docs["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["attributes"]["address_sids"].is_string())
        .unwrap()
        .clone();
    let used = doc["attributes"]["address_sids"]
        .as_str()
        .unwrap()
        .to_string();
    let used_path = format!("/2010-04-01/Accounts/{SID}/Addresses/{used}.json");
    let (st, body) = s.delete(&used_path).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21630)), "{body}");
    assert!(body["message"].as_str().unwrap().contains(&primary));
    let (st, _) = s.post(&used_path, &[("Street", "Elsewhere")]).await;
    assert_eq!(st, 400);
    // An unused one goes.
    assert_eq!(s.delete(&one).await.0, 204);
    assert_eq!(s.get(&one).await.0, 404);
}

#[tokio::test]
async fn phone_numbers_are_owned_by_one_account() {
    let mut s = Server::start();
    let base = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json");
    let n = s
        .ok(
            &base,
            &[
                ("PhoneNumber", "+15555550100"),
                ("FriendlyName", "Main line"),
                ("VoiceUrl", "https://x.example.com/voice"),
                ("VoiceMethod", "GET"),
            ],
            201,
        )
        .await;
    let pn = n["sid"].as_str().unwrap().to_string();
    assert_eq!(
        (n["phone_number"].as_str(), n["friendly_name"].as_str()),
        (Some("+15555550100"), Some("Main line"))
    );
    assert_eq!(
        (n["voice_url"].as_str(), n["voice_method"].as_str()),
        (Some("https://x.example.com/voice"), Some("GET"))
    );
    assert_eq!(n["bundle_sid"], Value::Null);
    for (form, code) in [
        (vec![("PhoneNumber", "+15555550100")], 21422),
        (vec![("PhoneNumber", "5550100")], 21421),
        (vec![("AreaCode", "999")], 21452),
        (
            vec![("PhoneNumber", "+15555550199"), ("VoiceMethod", "PUT")],
            21422,
        ),
    ] {
        let (st, body) = s.post(&base, &form).await;
        assert_eq!((st, body["code"].as_u64()), (400, Some(code)), "{form:?}");
    }
    let (_, found) = s.get(&format!("{base}?PhoneNumber=%2B15555550100")).await;
    assert_eq!(found["incoming_phone_numbers"].as_array().unwrap().len(), 1);
    let one = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
    let up = s
        .ok(
            &one,
            &[
                ("FriendlyName", "Renamed"),
                ("SmsUrl", "https://x.example.com/sms"),
            ],
            200,
        )
        .await;
    assert_eq!(
        (up["friendly_name"].as_str(), up["sms_url"].as_str()),
        (Some("Renamed"), Some("https://x.example.com/sms"))
    );

    // bundle_sid reflects the bundle the number is assigned to.
    let bu = s.profile(SECONDARY).await;
    let form = [
        ("ChannelEndpointType", "phone-number"),
        ("ChannelEndpointSid", pn.as_str()),
    ];
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"),
        &form,
        201,
    )
    .await;
    let (_, n) = s.get(&one).await;
    assert_eq!(n["bundle_sid"], bu.as_str());
    let (st, _) = s.delete(&one).await;
    assert_eq!(st, 409, "an assigned number is not released");

    // Another account cannot take the same number, see it, or assign it.
    let (sub, token) = subaccount(&s, "Customer").await;
    s.as_account(&sub, &token);
    let (st, _) = s
        .post(
            &format!("/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers.json"),
            &[("PhoneNumber", "+15555550100")],
        )
        .await;
    assert_eq!(st, 400);
    assert_eq!(
        s.get(&format!(
            "/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers/{pn}.json"
        ))
        .await
        .0,
        404
    );
    let sub_bu = s.profile(SECONDARY).await;
    let (st, body) = s
        .post(
            &format!("/v1/CustomerProfiles/{sub_bu}/ChannelEndpointAssignments"),
            &form,
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22205,
        &format!("ChannelEndpointSid {pn} is not an IncomingPhoneNumber of this account"),
    );

    // The parent moves a free number to its subaccount (AccountSid).
    s.as_account(SID, TOKEN);
    let free = s.number("+15555550101").await;
    let moved = s
        .ok(
            &format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{free}.json"),
            &[("AccountSid", &sub)],
            200,
        )
        .await;
    assert_eq!(moved["account_sid"], sub.as_str());
    let (st, _) = s.post(&one, &[("AccountSid", &sub)]).await;
    assert_eq!(st, 409, "an assigned number does not move");
    s.as_account(&sub, &token);
    let (_, mine) = s
        .get(&format!(
            "/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers.json"
        ))
        .await;
    assert_eq!(mine["incoming_phone_numbers"][0]["sid"], free.as_str());
    assert_eq!(
        s.delete(&format!(
            "/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers/{free}.json"
        ))
        .await
        .0,
        204
    );
}

/// Seed 001: the subaccount's secondary profile takes the parent's approved primary.
#[tokio::test]
async fn cross_account_references_follow_the_documented_rules() {
    let mut s = Server::start();
    let primary = s.approved_primary().await;
    let draft_primary = {
        let (_, b) = s
            .admin(
                "POST",
                &format!("/admin/v1/Accounts/{SID}/CustomerProfiles"),
                &[
                    ("FriendlyName", "Draft"),
                    ("Email", "a@b.co"),
                    ("PolicySid", PRIMARY),
                ],
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    };
    let parent_secondary = s.profile(SECONDARY).await;
    let parent_address = s.address().await;
    let (sub, token) = subaccount(&s, "Customer").await;
    let (sib, sib_token) = subaccount(&s, "Sibling").await;
    s.as_account(&sib, &sib_token);
    let sib_profile = s.profile(SECONDARY).await;
    let sib_number = s.number("+15555550177").await;

    s.as_account(&sub, &token);
    let bu = s.profile(SECONDARY).await;
    let ea = format!("/v1/CustomerProfiles/{bu}/EntityAssignments");
    // Another account's bundle that the subaccount may not use reads as unknown — the
    // parent's Primary too while it is not approved (its status is not told: issue 15).
    let unknown = |sid: &str| {
        format!("ObjectSid {sid} is not an EndUser (IT…), SupportingDocument (RD…), CustomerProfile or TrustProduct (BU…) of this account")
    };
    for (other, says) in [
        (&draft_primary, unknown(&draft_primary)),
        (&parent_secondary, unknown(&parent_secondary)),
        (&sib_profile, unknown(&sib_profile)),
    ] {
        let (st, body) = s.post(&ea, &[("ObjectSid", other)]).await;
        assert_refused((st, &body), 400, 22205, &says);
    }
    s.assign("CustomerProfiles", &bu, &primary).await;
    // Not even its parent's address: documents name the bundle account's own Addresses.
    let foreign_doc = s
        .document(
            "customer_profile_address",
            json!({"address_sids": parent_address}),
        )
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
    for o in [&foreign_doc, &eu, &rep] {
        s.assign("CustomerProfiles", &bu, o).await;
    }
    let e = s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await;
    assert_eq!(e["status"], "noncompliant");
    let addr = e["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["requirement_name"] == "customer_profile_address")
        .unwrap();
    assert_eq!(addr["invalid"][0]["error_code"], 22219);
    assert!(addr["invalid"][0]["failure_reason"]
        .as_str()
        .unwrap()
        .contains("does not exist in this account"));
    assert_eq!(
        e["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["requirement_name"] == "primary_customer_profile")
            .unwrap()["passed"],
        true
    );
    // With its own address the profile is complete.
    let own_doc = s.address_document().await;
    let foreign_assignment = s
        .get(&format!("{ea}?ObjectType=customer_profile_address"))
        .await
        .1["results"][0]["sid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(s.delete(&format!("{ea}/{foreign_assignment}")).await.0, 204);
    s.assign("CustomerProfiles", &bu, &own_doc).await;
    let e = s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await;
    assert_eq!(e["status"], "compliant", "{e}");
    // A deleted address makes the profile noncompliant again.
    let (_, d) = s.get(&format!("/v1/SupportingDocuments/{own_doc}")).await;
    let ad = d["attributes"]["address_sids"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.delete(&format!("/2010-04-01/Accounts/{sub}/Addresses/{ad}.json"))
            .await
            .0,
        204
    );
    let e = s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await;
    assert_eq!(e["status"], "noncompliant");

    // Numbers: the subaccount's own, not a sibling's; the parent's primary takes its subaccounts'.
    let sub_number = s.number("+15555550188").await;
    let ce = format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments");
    let (st, body) = s
        .post(
            &ce,
            &[
                ("ChannelEndpointType", "phone-number"),
                ("ChannelEndpointSid", &sib_number),
            ],
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22205,
        &format!("ChannelEndpointSid {sib_number} is not an IncomingPhoneNumber of this account"),
    );
    s.ok(
        &ce,
        &[
            ("ChannelEndpointType", "phone-number"),
            ("ChannelEndpointSid", &sub_number),
        ],
        201,
    )
    .await;
    s.as_account(SID, TOKEN);
    let pce = format!("/v1/CustomerProfiles/{primary}/ChannelEndpointAssignments");
    s.ok(
        &pce,
        &[
            ("ChannelEndpointType", "phone-number"),
            ("ChannelEndpointSid", &sub_number),
        ],
        201,
    )
    .await;
    // Only the primary takes subaccount numbers.
    let (st, body) = s
        .post(
            &format!("/v1/CustomerProfiles/{parent_secondary}/ChannelEndpointAssignments"),
            &[
                ("ChannelEndpointType", "phone-number"),
                ("ChannelEndpointSid", &sub_number),
            ],
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22205,
        &format!("ChannelEndpointSid {sub_number} is not an IncomingPhoneNumber of this account"),
    );
    // Parent credentials do not reach the subaccount's TrustHub resources.
    assert_eq!(s.get(&format!("/v1/CustomerProfiles/{bu}")).await.0, 404);
    // And the primary, now used by the subaccount's profile, cannot be deleted.
    let (st, body) = s.delete(&format!("/v1/CustomerProfiles/{primary}")).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21647)));
}
