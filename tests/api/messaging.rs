//! Messaging v1: Messaging Services and their phone-number pools, wire-checked against
//! Twilio's Messaging spec, with the rules that tie numbers to them (one service at a
//! time, the account's own numbers, deletion and release) and account isolation.
use crate::common::*;
use serde_json::Value;

const SERVICES: &str = "/v1/Services";

async fn service(s: &Server, name: &str) -> String {
    let b = s.ok(SERVICES, &[("FriendlyName", name)], 201).await;
    b["sid"].as_str().unwrap().to_string()
}

fn pool(service: &str) -> String {
    format!("{SERVICES}/{service}/PhoneNumbers")
}

async fn add(s: &Server, service: &str, number: &str) -> (u16, Value) {
    s.post(&pool(service), &[("PhoneNumberSid", number)]).await
}

#[tokio::test]
async fn services_are_created_listed_updated_and_deleted() {
    let s = Server::start();
    let created = s
        .ok(
            SERVICES,
            &[
                ("FriendlyName", "Acme notifications"),
                ("InboundRequestUrl", "https://acme.example.com/sms"),
                ("InboundMethod", "get"),
                ("StickySender", "false"),
                ("Usecase", "notifications"),
                ("ValidityPeriod", "600"),
            ],
            201,
        )
        .await;
    let sid = created["sid"].as_str().unwrap().to_string();
    assert!(sid.starts_with("MG") && sid.len() == 34);
    assert_eq!(created["account_sid"], SID);
    assert_eq!(created["inbound_method"], "GET");
    assert_eq!(created["sticky_sender"], false);
    assert_eq!(created["validity_period"], 600);
    // Defaults of what was not sent.
    assert_eq!(
        (
            &created["fallback_method"],
            &created["mms_converter"],
            &created["scan_message_content"],
            &created["us_app_to_person_registered"],
        ),
        (
            &Value::from("POST"),
            &Value::from(true),
            &Value::from("inherit"),
            &Value::from(false)
        )
    );
    let url = format!("{}{SERVICES}/{sid}", s.base);
    assert_eq!(created["url"], url);
    assert_eq!(
        created["links"]["phone_numbers"],
        format!("{url}/PhoneNumbers")
    );

    let (st, fetched) = s.get(&format!("{SERVICES}/{sid}")).await;
    assert_eq!((st, &fetched), (200, &created));
    let updated = s
        .ok(
            &format!("{SERVICES}/{sid}"),
            &[
                ("FriendlyName", "Renamed"),
                ("InboundRequestUrl", ""),
                ("AreaCodeGeomatch", "false"),
            ],
            200,
        )
        .await;
    assert_eq!(updated["friendly_name"], "Renamed");
    assert_eq!(updated["inbound_request_url"], Value::Null);
    assert_eq!(updated["area_code_geomatch"], false);
    assert_eq!(updated["usecase"], "notifications", "untouched");

    // Paging with Twilio's meta block.
    let second = service(&s, "Second").await;
    let (_, page) = s.get(&format!("{SERVICES}?PageSize=1")).await;
    assert_eq!(page["meta"]["key"], "services");
    assert_eq!(page["services"][0]["sid"], sid.as_str());
    let next = page["meta"]["next_page_url"].as_str().unwrap();
    let (_, page2) = s.get(next.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(page2["services"][0]["sid"], second.as_str());
    assert_eq!(page2["meta"]["next_page_url"], Value::Null);

    // Bad values are refused and change nothing.
    for (form, code, says) in [
        (
            vec![("InboundMethod", "PUT")],
            20001,
            "InboundMethod must be GET or POST",
        ),
        (vec![("ValidityPeriod", "0")], 20001, "from 1 to 36000"),
        (vec![("ValidityPeriod", "36001")], 20001, "from 1 to 36000"),
        (vec![("Usecase", "spam")], 20001, "one of notifications"),
        (
            vec![("StickySender", "maybe")],
            20001,
            "StickySender must be true or false",
        ),
        (
            vec![("ScanMessageContent", "on")],
            20001,
            "inherit, enable, disable",
        ),
        (
            vec![("StatusCallback", "ftp://x.example.com")],
            21609,
            "StatusCallback",
        ),
        (vec![("FallbackUrl", "not a url")], 20001, "FallbackUrl"),
        (
            vec![("FriendlyName", &"x".repeat(65))],
            20002,
            "64 characters",
        ),
    ] {
        let (st, b) = s.post(&format!("{SERVICES}/{sid}"), &form).await;
        assert_refused((st, &b), 400, code, says);
    }
    let (_, unchanged) = s.get(&format!("{SERVICES}/{sid}")).await;
    assert_eq!(unchanged["friendly_name"], "Renamed");
    let (st, b) = s.post(SERVICES, &[("StickySender", "true")]).await;
    assert_refused((st, &b), 400, 20001, "FriendlyName");

    assert_eq!(s.delete(&format!("{SERVICES}/{sid}")).await.0, 204);
    let (st, b) = s.get(&format!("{SERVICES}/{sid}")).await;
    assert_refused((st, &b), 404, 20404, &sid);
    assert_eq!(s.delete(&format!("{SERVICES}/{sid}")).await.0, 404);
}

#[tokio::test]
async fn a_number_joins_one_messaging_service_at_a_time() {
    let s = Server::start();
    let (a, b) = (service(&s, "A").await, service(&s, "B").await);
    let pn = s.number("+14155550100").await;
    let (st, added) = add(&s, &a, &pn).await;
    assert_eq!(st, 201, "{added}");
    assert_eq!(
        (&added["sid"], &added["service_sid"], &added["phone_number"]),
        (
            &Value::from(pn.as_str()),
            &Value::from(a.as_str()),
            &Value::from("+14155550100")
        )
    );
    assert_eq!(added["country_code"], "US");
    assert_eq!(
        added["capabilities"],
        serde_json::json!(["MMS", "SMS", "Voice"])
    );
    assert_eq!(added["url"], format!("{}{}/{pn}", s.base, pool(&a)));

    let (st, body) = add(&s, &b, &pn).await;
    assert_refused(
        (st, &body),
        400,
        21712,
        &format!("another Messaging Service ({a})"),
    );
    let (st, body) = add(&s, &a, &pn).await;
    assert_refused((st, &body), 409, 80104, "has already been added");

    let (_, listed) = s.get(&pool(&a)).await;
    assert_eq!(listed["meta"]["key"], "phone_numbers");
    assert_eq!(listed["phone_numbers"][0], added);
    let (st, one) = s.get(&format!("{}/{pn}", pool(&a))).await;
    assert_eq!((st, &one), (200, &added));
    assert_eq!(s.get(&format!("{}/{pn}", pool(&b))).await.0, 404);

    // Removed from A, it may join B; it stays the account's number.
    assert_eq!(s.delete(&format!("{}/{pn}", pool(&a))).await.0, 204);
    assert_eq!(s.delete(&format!("{}/{pn}", pool(&a))).await.0, 404);
    assert_eq!(add(&s, &b, &pn).await.0, 201);
    let incoming = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
    assert_eq!(s.get(&incoming).await.0, 200);

    // Two services racing for one number: one wins, the other is told where it went.
    let other = s.number("+14155550101").await;
    let (c, d) = (service(&s, "C").await, service(&s, "D").await);
    let (x, y) = tokio::join!(add(&s, &c, &other), add(&s, &d, &other));
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [201, 400], "{} / {}", x.1, y.1);
}

#[tokio::test]
async fn a_service_takes_only_the_accounts_own_texting_numbers() {
    let mut s = Server::start();
    let mg = service(&s, "Mine").await;
    let (osid, otoken) = s.other_account("Other").await;
    s.as_account(&osid, &otoken);
    let theirs = s.number("+14155550150").await;
    s.as_account(SID, TOKEN);
    let unknown = random_sid("PN");
    // Another account's number reads exactly as an unknown one.
    let (st, b1) = add(&s, &mg, &theirs).await;
    assert_refused(
        (st, &b1),
        400,
        21421,
        "is not the SID of a phone number of this account",
    );
    let (_, b2) = add(&s, &mg, &unknown).await;
    assert_eq!(
        b1["message"].as_str().unwrap().replace(&theirs, "X"),
        b2["message"].as_str().unwrap().replace(&unknown, "X")
    );
    for bad in ["PN123", "MG0123456789abcdef0123456789abcdef", ""] {
        let (st, b) = add(&s, &mg, bad).await;
        let code = if bad.is_empty() { 20001 } else { 21421 };
        assert_eq!((st, b["code"].as_u64()), (400, Some(code)), "{bad}: {b}");
    }
    // A subaccount's number is not the parent's to add (the parent's own service).
    let (_, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    let sub_sid = sub["sid"].as_str().unwrap();
    let sub_number = s
        .ok(
            &format!("/2010-04-01/Accounts/{sub_sid}/IncomingPhoneNumbers.json"),
            &[("PhoneNumber", "+14155550151")],
            201,
        )
        .await;
    let (st, b) = add(&s, &mg, sub_number["sid"].as_str().unwrap()).await;
    assert_refused((st, &b), 400, 21421, "of this account");
    // A number that can neither text nor send MMS (the 646 block is voice and fax).
    let voice = s.number("+16465550100").await;
    let (st, b) = add(&s, &mg, &voice).await;
    assert_refused((st, &b), 400, 21715, "neither SMS nor MMS");
    // A service that is not the account's is an unknown one.
    let (st, b) = add(&s, &random_sid("MG"), &voice).await;
    assert_refused((st, &b), 404, 20404, "was not found");
}

#[tokio::test]
async fn deleting_a_service_or_releasing_a_number_empties_the_pool() {
    let s = Server::start();
    let (a, b) = (service(&s, "A").await, service(&s, "B").await);
    let kept = s.number("+14155550100").await;
    let released = s.number("+14155550101").await;
    assert_eq!(add(&s, &a, &kept).await.0, 201);
    assert_eq!(add(&s, &a, &released).await.0, 201);

    // Releasing a number takes it out of its service.
    let incoming = |pn: &str| format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
    assert_eq!(s.delete(&incoming(&released)).await.0, 204);
    let (_, listed) = s.get(&pool(&a)).await;
    let sids: Vec<&str> = listed["phone_numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids, [kept.as_str()]);
    assert_eq!(s.get(&format!("{}/{released}", pool(&a))).await.0, 404);

    // Deleting the service lets its numbers join another; they stay the account's.
    assert_eq!(s.delete(&format!("{SERVICES}/{a}")).await.0, 204);
    assert_eq!(s.get(&pool(&a)).await.0, 404);
    assert_eq!(s.get(&incoming(&kept)).await.0, 200);
    assert_eq!(add(&s, &b, &kept).await.0, 201);
}

#[tokio::test]
async fn a_number_in_a_service_stays_in_its_account() {
    let s = Server::start();
    let (_, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    let sub_sid = sub["sid"].as_str().unwrap().to_string();
    let mg = service(&s, "Parent's").await;
    let pn = s.number("+14155550100").await;
    assert_eq!(add(&s, &mg, &pn).await.0, 201);
    let incoming = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
    let (st, b) = s.post(&incoming, &[("AccountSid", &sub_sid)]).await;
    assert_refused((st, &b), 409, 20409, &format!("sender pool of {mg}"));
    // Other updates are not moves.
    assert_eq!(s.post(&incoming, &[("FriendlyName", "Main")]).await.0, 200);
    assert_eq!(s.delete(&format!("{}/{pn}", pool(&mg))).await.0, 204);
    let (st, moved) = s.post(&incoming, &[("AccountSid", &sub_sid)]).await;
    assert_eq!(
        (st, moved["account_sid"].as_str()),
        (200, Some(sub_sid.as_str()))
    );
}

#[tokio::test]
async fn another_account_sees_no_service_of_this_one() {
    let mut s = Server::start();
    let mg = service(&s, "Mine").await;
    let pn = s.number("+14155550100").await;
    assert_eq!(add(&s, &mg, &pn).await.0, 201);
    let unknown = random_sid("MG");
    let (_, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    let sub_creds = (
        sub["sid"].as_str().unwrap().to_string(),
        sub["auth_token"].as_str().unwrap().to_string(),
    );
    let other = s.other_account("Other").await;
    for (sid, token) in [other, sub_creds] {
        s.as_account(&sid, &token);
        let (_, list) = s.get(SERVICES).await;
        assert!(list["services"].as_array().unwrap().is_empty());
        for (method, path, form) in [
            ("GET", format!("{SERVICES}/{{}}"), vec![]),
            (
                "POST",
                format!("{SERVICES}/{{}}"),
                vec![("FriendlyName", "Mine now")],
            ),
            ("DELETE", format!("{SERVICES}/{{}}"), vec![]),
            ("GET", format!("{SERVICES}/{{}}/PhoneNumbers"), vec![]),
            ("GET", format!("{SERVICES}/{{}}/PhoneNumbers/{pn}"), vec![]),
            (
                "DELETE",
                format!("{SERVICES}/{{}}/PhoneNumbers/{pn}"),
                vec![],
            ),
        ] {
            let (st, theirs) = s.call(method, &path.replace("{}", &mg), &form).await;
            let (st2, none) = s.call(method, &path.replace("{}", &unknown), &form).await;
            assert_eq!((st, st2), (404, 404), "{method} {path}");
            assert_eq!(theirs["code"], 20404);
            assert_eq!(
                theirs["message"].as_str().unwrap().replace(&mg, "X"),
                none["message"].as_str().unwrap().replace(&unknown, "X"),
                "{method} {path}: an existing service reads as an unknown one"
            );
        }
        let (st, b) = add(&s, &mg, &pn).await;
        assert_refused((st, &b), 404, 20404, "was not found");
    }
    s.as_account(SID, TOKEN);
    let (_, still) = s.get(&pool(&mg)).await;
    assert_eq!(still["phone_numbers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn snapshots_and_resets_cover_messaging_services() {
    let mut s = Server::start();
    let mg = service(&s, "Kept").await;
    let pn = s.number("+14155550100").await;
    assert_eq!(add(&s, &mg, &pn).await.0, 201);
    let (st, _) = s
        .admin("POST", "/admin/v1/Snapshots", &[("Name", "with-service")])
        .await;
    assert_eq!(st, 201);
    assert_eq!(s.delete(&format!("{SERVICES}/{mg}")).await.0, 204);
    let later = service(&s, "Later").await;
    let (st, _) = s
        .admin("POST", "/admin/v1/Snapshots/with-service/Restore", &[])
        .await;
    assert_eq!(st, 200);
    let (st, back) = s.get(&format!("{}/{pn}", pool(&mg))).await;
    assert_eq!((st, back["service_sid"].as_str()), (200, Some(mg.as_str())));
    assert_eq!(s.get(&format!("{SERVICES}/{later}")).await.0, 404);
    // New rows after a restore do not collide with restored ones.
    let again = service(&s, "After restore").await;
    let (_, list) = s.get(SERVICES).await;
    let sids: Vec<&str> = list["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids, [mg.as_str(), again.as_str()]);

    // An account's reset takes its services and pools; another account's stay.
    let (osid, otoken) = s.other_account("Other").await;
    s.as_account(&osid, &otoken);
    let theirs = service(&s, "Theirs").await;
    s.as_account(SID, TOKEN);
    let (st, _) = s
        .admin("POST", "/admin/v1/Reset", &[("AccountSid", SID)])
        .await;
    assert_eq!(st, 200);
    assert_eq!(s.get(&format!("{SERVICES}/{mg}")).await.0, 404);
    s.as_account(&osid, &otoken);
    assert_eq!(s.get(&format!("{SERVICES}/{theirs}")).await.0, 200);
    s.admin("POST", "/admin/v1/Reset", &[]).await;
    assert_eq!(s.get(&format!("{SERVICES}/{theirs}")).await.0, 404);
}
