//! Numbers as onboarding code buys them: AvailablePhoneNumbers searched from the catalog's
//! inventory (never a number someone owns), purchases through the typed resources and by
//! AreaCode, and a number's type read from the number.
use crate::common::*;
use serde_json::Value;

fn avail(path: &str) -> String {
    format!("/2010-04-01/Accounts/{SID}/AvailablePhoneNumbers{path}")
}

fn incoming(path: &str) -> String {
    format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers{path}")
}

/// The `phone_number`s of a search.
async fn found(s: &Server, query: &str) -> Vec<String> {
    let (st, b) = s.get(&avail(query)).await;
    assert_eq!(st, 200, "{query}: {b}");
    numbers_of(&b, "available_phone_numbers")
}

fn numbers_of(b: &Value, key: &str) -> Vec<String> {
    b[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["phone_number"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn countries_list_what_the_inventory_offers() {
    let s = Server::start();
    let (_, list) = s.get(&avail(".json")).await;
    let codes: Vec<&str> = list["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["country_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["US", "CA", "GB"]);
    let (st, us) = s.get(&avail("/US.json")).await;
    assert_eq!(st, 200);
    assert_eq!(us["country"], "United States");
    let uris = us["subresource_uris"].as_object().unwrap();
    assert_eq!(
        uris.keys().collect::<Vec<_>>(),
        ["local", "toll_free"],
        "the US has no Mobile numbers on Twilio"
    );
    assert_eq!(uris["toll_free"], avail("/US/TollFree.json"));
    let (_, gb) = s.get(&avail("/GB.json")).await;
    assert_eq!(gb["subresource_uris"].as_object().unwrap().len(), 3);
    // A country or a type the inventory does not offer is Twilio's 404.
    for missing in [
        "/ZZ.json",
        "/US/Mobile.json",
        "/CA/TollFree.json",
        "/US/Voip.json",
    ] {
        let (st, b) = s.get(&avail(missing)).await;
        assert_refused((st, &b), 404, 20404, "was not found");
    }
}

#[tokio::test]
async fn searches_filter_the_inventory_deterministically() {
    let s = Server::start();
    let (_, b) = s
        .get(&avail("/US/Local.json?AreaCode=510&PageSize=5"))
        .await;
    let first = &b["available_phone_numbers"][0];
    assert_eq!(first["phone_number"], "+15105550100");
    assert_eq!(first["friendly_name"], "(510) 555-0100");
    assert_eq!(
        (&first["locality"], &first["region"], &first["iso_country"]),
        (
            &Value::from("Oakland"),
            &Value::from("CA"),
            &Value::from("US")
        )
    );
    assert_eq!(b["next_page_uri"], Value::Null, "a search is one page");
    assert!(b["uri"].as_str().unwrap().contains("AreaCode=510"));
    let five = numbers_of(&b, "available_phone_numbers");
    assert_eq!(five.len(), 5);
    assert_eq!(
        found(&s, "/US/Local.json?AreaCode=510&PageSize=5").await,
        five,
        "the same search finds the same numbers"
    );

    // Contains, with Twilio's meta-characters and letters as keypad digits (JKL = 5).
    let ten = found(&s, "/US/Local.json?Contains=%2B1415555010*").await;
    assert_eq!(ten.len(), 10);
    assert!(ten.iter().all(|n| n.starts_with("+1415555010")), "{ten:?}");
    let ends = found(&s, "/US/TollFree.json?Contains=%250100$").await;
    assert_eq!(ends.len(), 7, "one per toll-free area code: {ends:?}");
    let letters = found(&s, "/US/Local.json?Contains=%2B1415JKL&PageSize=1000").await;
    assert_eq!(letters.len(), 100);
    assert!(letters.iter().all(|n| n.starts_with("+1415555")));

    // Toll-free by its area code; capability, region, locality, postal code filters.
    let tf = found(&s, "/US/TollFree.json?AreaCode=888&PageSize=1000").await;
    assert_eq!(tf.len(), 100);
    assert!(tf.iter().all(|n| n.starts_with("+1888")));
    let voice_only = found(&s, "/US/Local.json?SmsEnabled=false&PageSize=1000").await;
    assert_eq!(voice_only.len(), 100);
    assert!(voice_only.iter().all(|n| n.starts_with("+1646")));
    let ny_sms = found(
        &s,
        "/US/Local.json?InRegion=NY&SmsEnabled=true&PageSize=1000",
    )
    .await;
    assert!(!ny_sms.is_empty() && ny_sms.iter().all(|n| n.starts_with("+1212")));
    assert!(found(&s, "/US/Local.json?InLocality=oakland")
        .await
        .iter()
        .all(|n| n.starts_with("+1510")));
    assert!(found(&s, "/US/Local.json?InPostalCode=94105")
        .await
        .iter()
        .all(|n| n.starts_with("+1415")));
    // A filter given as a number: the same region as that number (CA: 415 and 510).
    let same_region = found(&s, "/US/Local.json?InRegion=%2B15105550100&PageSize=1000").await;
    assert_eq!(same_region.len(), 200);
    // NearNumber: San Francisco and Oakland are within 20 miles of each other.
    let near = found(
        &s,
        "/US/Local.json?NearNumber=%2B14155550100&Distance=20&PageSize=1000",
    )
    .await;
    let areas: std::collections::BTreeSet<&str> = near.iter().map(|n| &n[..5]).collect();
    assert_eq!(areas.into_iter().collect::<Vec<_>>(), ["+1415", "+1510"]);
    // Beta numbers (Denver's block) are offered unless Beta=false.
    assert_eq!(found(&s, "/US/Local.json?AreaCode=720").await.len(), 50);
    assert!(found(&s, "/US/Local.json?AreaCode=720&Beta=false")
        .await
        .is_empty());
    // Address requirements: London's numbers need one, Manchester's do not.
    let no_address = found(&s, "/GB/Local.json?ExcludeAllAddressRequired=true").await;
    assert!(!no_address.is_empty() && no_address.iter().all(|n| n.starts_with("+44161")));
    let mobile = s.get(&avail("/GB/Mobile.json?PageSize=1")).await.1;
    assert_eq!(
        mobile["available_phone_numbers"][0]["capabilities"]["mms"],
        false
    );

    // Malformed filters are refused; unknown numbers in filters find nothing.
    for (query, code, says) in [
        ("AreaCode=41", 21451, "not a valid North American area code"),
        ("Contains=5*5", 20001, "only at its beginning or end"),
        ("Contains=5", 20001, "2 to 16 characters"),
        (
            "SmsEnabled=maybe",
            20001,
            "SmsEnabled must be true or false",
        ),
        ("NearNumber=4155550100", 21421, "E.164"),
        ("Distance=501&NearNumber=%2B14155550100", 20001, "up to 500"),
        ("NearLatLong=north", 20001, "latitude,longitude"),
        ("InRateCenter=OKLD", 20001, "requires InLata"),
        ("PageSize=0", 20007, "PageSize"),
    ] {
        let (st, b) = s.get(&avail(&format!("/US/Local.json?{query}"))).await;
        assert_refused((st, &b), 400, code, says);
    }
    assert!(found(&s, "/US/Local.json?InRegion=%2B19995550100")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_number_owned_by_any_account_is_not_offered() {
    let mut s = Server::start();
    let (osid, otoken) = s.other_account("Other").await;
    s.as_account(&osid, &otoken);
    s.number("+14155550100").await;
    s.number("+14155550102").await;
    s.as_account(SID, TOKEN);
    let offered = found(&s, "/US/Local.json?AreaCode=415&PageSize=3").await;
    assert_eq!(offered, ["+14155550101", "+14155550103", "+14155550104"]);
    // An AreaCode purchase skips them too.
    let bought = s.ok(&incoming(".json"), &[("AreaCode", "415")], 201).await;
    assert_eq!(bought["phone_number"], "+14155550101");
}

#[tokio::test]
async fn typed_purchases_check_the_number_type() {
    let s = Server::start();
    let tf = s
        .ok(
            &incoming("/TollFree.json"),
            &[("PhoneNumber", "+18885550100")],
            201,
        )
        .await;
    assert_eq!(tf["type"], "toll-free");
    let local = s
        .ok(
            &incoming("/Local.json"),
            &[
                ("PhoneNumber", "+16465550100"),
                ("FriendlyName", "Fax line"),
            ],
            201,
        )
        .await;
    assert_eq!(
        (
            &local["type"],
            &local["capabilities"]["sms"],
            &local["friendly_name"]
        ),
        (
            &Value::from("local"),
            &Value::from(false),
            &Value::from("Fax line")
        )
    );
    let mobile = s
        .ok(
            &incoming("/Mobile.json"),
            &[("PhoneNumber", "+447700900001")],
            201,
        )
        .await;
    assert_eq!(mobile["type"], "mobile");
    // Outside the inventory the number still says what it is: +1 844 is toll-free.
    let generic = s
        .ok(&incoming(".json"), &[("PhoneNumber", "+18449990000")], 201)
        .await;
    assert_eq!(generic["type"], "toll-free");

    for (path, form, status, code, says) in [
        (
            "/Local.json",
            vec![("PhoneNumber", "+18005550100")],
            400,
            21458,
            "is a toll-free number",
        ),
        (
            "/TollFree.json",
            vec![("PhoneNumber", "+14155550100")],
            400,
            21458,
            "is a local number",
        ),
        (
            "/Mobile.json",
            vec![("PhoneNumber", "+442079460001")],
            400,
            21458,
            "is a local number",
        ),
        (
            "/Local.json",
            vec![("AreaCode", "415")],
            400,
            21457,
            "AreaCode is not supported",
        ),
        ("/TollFree.json", vec![], 400, 20001, "PhoneNumber"),
        (
            "/TollFree.json",
            vec![("PhoneNumber", "+18885550100")],
            400,
            21422,
            "this account has it already",
        ),
    ] {
        let (st, b) = s.post(&incoming(path), &form).await;
        assert_refused((st, &b), status, code, says);
    }
}

#[tokio::test]
async fn area_code_purchases_take_the_next_free_number_until_none_is_left() {
    let s = Server::start();
    let one = s.ok(&incoming(".json"), &[("AreaCode", "510")], 201).await;
    assert_eq!(
        (&one["phone_number"], &one["type"]),
        (&Value::from("+15105550100"), &Value::from("local"))
    );
    let tf = s.ok(&incoming(".json"), &[("AreaCode", "888")], 201).await;
    assert_eq!(
        (&tf["phone_number"], &tf["type"]),
        (&Value::from("+18885550100"), &Value::from("toll-free"))
    );
    // Concurrent purchases in one area code each get a different number.
    let generic = incoming(".json");
    let buys = (0..6).map(|_| s.post(&generic, &[("AreaCode", "510")]));
    let mut got: Vec<String> = futures_util::future::join_all(buys)
        .await
        .into_iter()
        .map(|(st, b)| {
            assert_eq!(st, 201, "{b}");
            b["phone_number"].as_str().unwrap().to_string()
        })
        .collect();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 6);
    for _ in 7..100 {
        s.ok(&incoming(".json"), &[("AreaCode", "510")], 201).await;
    }
    let (st, b) = s.post(&incoming(".json"), &[("AreaCode", "510")]).await;
    assert_refused(
        (st, &b),
        400,
        21452,
        "No phone numbers found in area code 510",
    );
    assert!(found(&s, "/US/Local.json?AreaCode=510").await.is_empty());
    for (form, code, says) in [
        (vec![("AreaCode", "999")], 21452, "No phone numbers found"),
        (
            vec![("AreaCode", "abc")],
            21451,
            "not a valid North American area code",
        ),
        (vec![("AreaCode", "")], 20001, "PhoneNumber or an AreaCode"),
        (vec![], 20001, "PhoneNumber or an AreaCode"),
    ] {
        let (st, b) = s.post(&incoming(".json"), &form).await;
        assert_refused((st, &b), 400, code, says);
    }
}

#[tokio::test]
async fn typed_lists_hold_only_their_type_and_page() {
    let s = Server::start();
    for n in [
        "+14155550100",
        "+18885550100",
        "+14155550101",
        "+18005550100",
        "+14155550102",
    ] {
        s.number(n).await;
    }
    let (_, tf) = s.get(&incoming("/TollFree.json")).await;
    assert_eq!(
        numbers_of(&tf, "incoming_phone_numbers"),
        ["+18885550100", "+18005550100"]
    );
    assert_eq!(
        tf["uri"],
        format!("{}?PageSize=50&Page=0", incoming("/TollFree.json"))
    );
    // Locals page by one, forwards then back, with Twilio's envelope.
    let mut seen = Vec::new();
    let mut next = Some(incoming("/Local.json?PageSize=1"));
    let mut last = Value::Null;
    while let Some(uri) = next {
        let (st, page) = s.get(&uri).await;
        assert_eq!(st, 200, "{page}");
        seen.extend(numbers_of(&page, "incoming_phone_numbers"));
        next = page["next_page_uri"].as_str().map(str::to_string);
        last = page;
    }
    assert_eq!(seen, ["+14155550100", "+14155550101", "+14155550102"]);
    let (_, back) = s.get(last["previous_page_uri"].as_str().unwrap()).await;
    assert_eq!(
        numbers_of(&back, "incoming_phone_numbers"),
        ["+14155550101"]
    );
    let (_, mobile) = s.get(&incoming("/Mobile.json")).await;
    assert!(numbers_of(&mobile, "incoming_phone_numbers").is_empty());
    // Filters combine with the type; Origin other than twilio matches nothing here.
    let (_, one) = s
        .get(&incoming("/Local.json?PhoneNumber=%2B14155550101"))
        .await;
    assert_eq!(numbers_of(&one, "incoming_phone_numbers"), ["+14155550101"]);
    let (_, hosted) = s.get(&incoming(".json?Origin=hosted")).await;
    assert!(numbers_of(&hosted, "incoming_phone_numbers").is_empty());
    let (_, all) = s.get(&incoming(".json?Beta=false")).await;
    assert_eq!(numbers_of(&all, "incoming_phone_numbers").len(), 5);
    let (st, b) = s.get(&incoming("/Local.json?Beta=perhaps")).await;
    assert_refused((st, &b), 400, 20001, "Beta must be true or false");
}

/// Store statements per GET of `path`, averaged over a few requests.
async fn per_get(s: &Server, path: &str) -> f64 {
    const RUNS: u32 = 10;
    let before = s.store_statements().await;
    for _ in 0..RUNS {
        let (st, b) = s.get(path).await;
        assert_eq!(st, 200, "{b}");
    }
    (s.store_statements().await - before) / f64::from(RUNS)
}

/// A list page costs the same store round trips whatever its length (issue 14 item 6):
/// the typed lists filter and page in SQL (the type is stored), and each number's bundle
/// comes from one query for the page, not one per number.
#[tokio::test]
async fn a_number_list_page_costs_the_same_for_one_number_or_twenty() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let assign = |pn: String| {
        let (s, bu) = (&s, &bu);
        async move {
            let path = format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments");
            let pair = [
                ("ChannelEndpointType", "phone-number"),
                ("ChannelEndpointSid", pn.as_str()),
            ];
            s.ok(&path, &pair, 201).await;
        }
    };
    assign(s.number("+14155550100").await).await;
    let local = incoming("/Local.json?PageSize=50");
    let generic = incoming(".json?PageSize=50");
    let one = (per_get(&s, &local).await, per_get(&s, &generic).await);
    for i in 1..20 {
        let n = s.number(&format!("+141555501{i:02}")).await;
        if i % 2 == 0 {
            assign(n).await;
        }
    }
    // Toll-free numbers the Local list must not read.
    for i in 0..20 {
        s.number(&format!("+188855501{i:02}")).await;
    }
    let (_, page) = s.get(&local).await;
    let held: Vec<bool> = page["incoming_phone_numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["bundle_sid"] == bu.as_str())
        .collect();
    let every_other: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
    assert_eq!(held, every_other, "each number shows its own bundle");
    let twenty = (per_get(&s, &local).await, per_get(&s, &generic).await);
    let store = postgres::enabled().map_or("sqlite", |_| "postgres");
    println!("store statements per list GET ({store}), one number vs twenty: {one:?} {twenty:?}");
    // Headroom for the background: account re-reads (2 s cache), job polls, scrapes.
    // (One query per number would add ten or twenty.)
    assert!(twenty.0 <= one.0 + 1.0, "Local list: {one:?} -> {twenty:?}");
    assert!(
        twenty.1 <= one.1 + 1.0,
        "generic list: {one:?} -> {twenty:?}"
    );
}

/// A number's listed type follows the inventory it is served with: bought as `mobile`
/// (+447…), then served under a `--catalog` whose inventory calls it local, it answers
/// `"type": "local"` and is in the Local list, not the Mobile one (its stored type used to
/// stay `mobile`: only numbers without a type were classified at start).
#[tokio::test]
async fn a_changed_inventory_reclassifies_stored_numbers_at_start() {
    let s = Server::start();
    let n = s
        .ok(&incoming(".json"), &[("PhoneNumber", "+447700900123")], 201)
        .await;
    assert_eq!(n["type"], "mobile", "{n}");
    let sid = n["sid"].as_str().unwrap().to_string();
    let dir = s.stop().unwrap();

    let catalog = tempfile::tempdir().unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    for f in [
        "policies.json",
        "end_user_types.json",
        "supporting_document_types.json",
    ] {
        std::fs::copy(format!("{src}/{f}"), catalog.path().join(f)).unwrap();
    }
    let mut numbers: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{src}/phone_numbers.json")).unwrap(),
    )
    .unwrap();
    for c in numbers["countries"].as_array_mut().unwrap() {
        if c["country_code"] == "GB" {
            c["type_prefixes"] = Value::Array(vec![]);
            for b in c["blocks"].as_array_mut().unwrap() {
                b["type"] = "local".into();
            }
        }
    }
    std::fs::write(
        catalog.path().join("phone_numbers.json"),
        numbers.to_string(),
    )
    .unwrap();
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        catalog: Some(catalog.path()),
        ..Options::default()
    });
    let (st, n) = s.get(&incoming(&format!("/{sid}.json"))).await;
    assert_eq!((st, n["type"].as_str()), (200, Some("local")), "{n}");
    let listed = |b: &Value| -> Vec<String> {
        b["incoming_phone_numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["sid"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, mobile) = s.get(&incoming("/Mobile.json")).await;
    assert!(!listed(&mobile).contains(&sid), "{mobile}");
    let (_, local) = s.get(&incoming("/Local.json")).await;
    assert!(listed(&local).contains(&sid), "{local}");
}

/// `VoiceCallerIdLookup` is a boolean read as every other (`True`/`False` too, as `Beta`
/// and the Messaging settings take them); it used to refuse `True` with 21422.
#[tokio::test]
async fn voice_caller_id_lookup_reads_booleans_as_every_parameter_does() {
    let s = Server::start();
    let n = s
        .ok(
            &incoming(".json"),
            &[
                ("PhoneNumber", "+15555550142"),
                ("VoiceCallerIdLookup", "True"),
            ],
            201,
        )
        .await;
    assert_eq!(n["voice_caller_id_lookup"], true, "{n}");
    let one = incoming(&format!("/{}.json", n["sid"].as_str().unwrap()));
    let n = s.ok(&one, &[("VoiceCallerIdLookup", "false")], 200).await;
    assert_eq!(n["voice_caller_id_lookup"], false, "{n}");
    for bad in ["yes", ""] {
        let (st, err) = s.post(&one, &[("VoiceCallerIdLookup", bad)]).await;
        assert_refused(
            (st, &err),
            400,
            21422,
            "VoiceCallerIdLookup must be one of true, false",
        );
    }
}
