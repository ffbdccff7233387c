use crate::common::*;

#[tokio::test]
async fn entity_assignments_lifecycle() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let eu = s
        .end_user(
            "customer_profile_business_information",
            business_information(),
        )
        .await;
    let rep = s
        .end_user("authorized_representative_1", representative())
        .await;
    let rd = s
        .document("customer_profile_address", address_document())
        .await;
    let base = format!("/v1/CustomerProfiles/{bu}/EntityAssignments");
    let a = s.assign("CustomerProfiles", &bu, &eu).await;
    assert_eq!(a["customer_profile_sid"], bu.as_str());
    assert_eq!(a["object_sid"], eu.as_str());
    assert_eq!(a["account_sid"], SID);
    let a_sid = a["sid"].as_str().unwrap().to_string();
    assert!(a_sid.starts_with("BV"));
    assert_eq!(a["url"], format!("{}{base}/{a_sid}", s.base));
    s.assign("CustomerProfiles", &bu, &rep).await;
    s.assign("CustomerProfiles", &bu, &rd).await;

    let (st, body) = s.post(&base, &[("ObjectSid", &eu)]).await;
    assert_eq!((st, body["code"].as_u64()), (409, Some(20409)), "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("already assigned"));

    let (_, all) = s.get(&base).await;
    assert_eq!(all["results"].as_array().unwrap().len(), 3);
    let (_, reps) = s
        .get(&format!("{base}?ObjectType=authorized_representative_1"))
        .await;
    let reps = reps["results"].as_array().unwrap();
    assert_eq!(reps.len(), 1);
    assert_eq!(reps[0]["object_sid"], rep.as_str());

    let (st, got) = s.get(&format!("{base}/{a_sid}")).await;
    assert_eq!((st, &got), (200, &a));
    assert_eq!(s.delete(&format!("{base}/{a_sid}")).await.0, 204);
    assert_eq!(s.delete(&format!("{base}/{a_sid}")).await.0, 404);
    // After removal it can be assigned again.
    s.assign("CustomerProfiles", &bu, &eu).await;
}

#[tokio::test]
async fn bad_object_sids_are_refused() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let base = format!("/v1/CustomerProfiles/{bu}/EntityAssignments");
    let unknown = "is not an EndUser (IT…), SupportingDocument (RD…), CustomerProfile or TrustProduct (BU…) of this account";
    for bad in [
        "IT123",
        "XX0123456789abcdef0123456789abcdef",
        "IT0123456789abcdef0123456789abcdef",
        "RD0123456789abcdef0123456789abcdef",
        "BU0123456789abcdef0123456789abcdef",
    ] {
        let (st, body) = s.post(&base, &[("ObjectSid", bad)]).await;
        assert_refused(
            (st, &body),
            400,
            22205,
            &format!("ObjectSid {bad} {unknown}"),
        );
    }
    let (st, body) = s.post(&base, &[("ObjectSid", &bu)]).await;
    assert_refused(
        (st, &body),
        400,
        22205,
        "A bundle cannot be assigned to itself",
    );
    let (st, body) = s.post(&base, &[]).await;
    assert_refused((st, &body), 400, 20001, "ObjectSid");
    let (st, _) = s
        .post(
            "/v1/CustomerProfiles/BU0123456789abcdef0123456789abcdef/EntityAssignments",
            &[("ObjectSid", &bu)],
        )
        .await;
    assert_eq!(st, 404, "unknown bundle");
}

#[tokio::test]
async fn channel_endpoint_assignments_and_filters() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let base = format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments");
    let (pn1, pn2, pn3) = (
        s.number("+15555550101").await,
        s.number("+15555550102").await,
        s.number("+15555550103").await,
    );
    let (pn1, pn2, pn3) = (pn1.as_str(), pn2.as_str(), pn3.as_str());
    let mut sids = vec![];
    for pn in [pn1, pn2, pn3] {
        let a = s
            .ok(
                &base,
                &[
                    ("ChannelEndpointType", "phone-number"),
                    ("ChannelEndpointSid", pn),
                ],
                201,
            )
            .await;
        assert_eq!(a["channel_endpoint_sid"], pn);
        assert_eq!(a["channel_endpoint_type"], "phone-number");
        assert_eq!(a["customer_profile_sid"], bu.as_str());
        assert!(a["sid"].as_str().unwrap().starts_with("RA"));
        sids.push(a["sid"].as_str().unwrap().to_string());
    }
    let (st, body) = s
        .post(
            &base,
            &[
                ("ChannelEndpointType", "phone-number"),
                ("ChannelEndpointSid", pn1),
            ],
        )
        .await;
    assert_eq!((st, body["code"].as_u64()), (409, Some(20409)));
    let (st, body) = s
        .post(
            &base,
            &[
                ("ChannelEndpointType", "email"),
                ("ChannelEndpointSid", pn1),
            ],
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22205,
        "ChannelEndpointType \"email\" is not supported; use phone-number",
    );
    let (st, body) = s
        .post(
            &base,
            &[
                ("ChannelEndpointType", "phone-number"),
                ("ChannelEndpointSid", "PN1"),
            ],
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22205,
        "ChannelEndpointSid must be a SID starting with PN followed by 32 hexadecimal digits; got \"PN1\"",
    );

    let n = |v: &serde_json::Value| v["results"].as_array().unwrap().len();
    let (_, one) = s.get(&format!("{base}?ChannelEndpointSid={pn2}")).await;
    assert_eq!(n(&one), 1);
    assert_eq!(one["results"][0]["channel_endpoint_sid"], pn2);
    let (_, two) = s
        .get(&format!("{base}?ChannelEndpointSids={pn1}%2C{pn3}"))
        .await;
    assert_eq!(n(&two), 2);
    assert!(two["meta"]["url"]
        .as_str()
        .unwrap()
        .contains("ChannelEndpointSids="));
    let (st, _) = s.get(&format!("{base}?ChannelEndpointSids=nope")).await;
    assert_eq!(st, 400);

    let (st, got) = s.get(&format!("{base}/{}", sids[0])).await;
    assert_eq!((st, got["channel_endpoint_sid"].as_str()), (200, Some(pn1)));
    assert_eq!(s.delete(&format!("{base}/{}", sids[0])).await.0, 204);
    assert_eq!(s.get(&format!("{base}/{}", sids[0])).await.0, 404);
}

/// Seed 001: only numbers already on the supporting customer profile may go on the trust product.
#[tokio::test]
async fn trust_product_numbers_must_be_on_its_customer_profile() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let tp = s.trust_product(VOICE_INTEGRITY).await;
    let pn = &s.number("+15555550100").await;
    let tp_base = format!("/v1/TrustProducts/{tp}/ChannelEndpointAssignments");
    let form = [
        ("ChannelEndpointType", "phone-number"),
        ("ChannelEndpointSid", pn),
    ];
    let not_on_profile = format!(
        "{pn} is not assigned to a CustomerProfile of this TrustProduct; assign it to the supporting CustomerProfile first"
    );
    let (st, body) = s.post(&tp_base, &form).await;
    assert_refused((st, &body), 400, 22205, &not_on_profile);
    s.assign("TrustProducts", &tp, &bu).await;
    // The profile does not carry the number yet.
    let (st, body) = s.post(&tp_base, &form).await;
    assert_refused((st, &body), 400, 22205, &not_on_profile);
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"),
        &form,
        201,
    )
    .await;
    let a = s.ok(&tp_base, &form, 201).await;
    assert_eq!(a["trust_product_sid"], tp.as_str());
    // A profile assigned to a trust product cannot be deleted out from under it.
    let (st, body) = s.delete(&format!("/v1/CustomerProfiles/{bu}")).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21647)), "{body}");
}

/// Every sub-resource operation on the TrustProducts side too (one implementation serves both).
#[tokio::test]
async fn trust_product_sub_resources() {
    let s = Server::start();
    let tp = s.trust_product(VOICE_INTEGRITY).await;
    let vi = s
        .end_user("voice_integrity_information", serde_json::json!({"use_case": "Survey/Research", "business_employee_count": "10", "average_business_day_call_volume": "10"}))
        .await;
    let a = s.assign("TrustProducts", &tp, &vi).await;
    assert_eq!(a["trust_product_sid"], tp.as_str());
    let a_sid = a["sid"].as_str().unwrap();
    let base = format!("/v1/TrustProducts/{tp}");
    let (st, got) = s.get(&format!("{base}/EntityAssignments/{a_sid}")).await;
    assert_eq!((st, &got), (200, &a));
    let (_, list) = s
        .get(&format!(
            "{base}/EntityAssignments?ObjectType=voice_integrity_information"
        ))
        .await;
    assert_eq!(list["results"].as_array().unwrap().len(), 1);
    let e = s
        .ok(
            &format!("{base}/Evaluations"),
            &[("PolicySid", VOICE_INTEGRITY)],
            201,
        )
        .await;
    assert_eq!(e["trust_product_sid"], tp.as_str());
    assert_eq!(e["status"], "noncompliant", "no business profile yet");
    let (_, evs) = s.get(&format!("{base}/Evaluations")).await;
    assert_eq!(evs["results"][0]["sid"], e["sid"]);
    let (st, got) = s
        .get(&format!(
            "{base}/Evaluations/{}",
            e["sid"].as_str().unwrap()
        ))
        .await;
    assert_eq!((st, &got), (200, &e));
    let (_, chans) = s.get(&format!("{base}/ChannelEndpointAssignments")).await;
    assert_eq!(chans["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        s.delete(&format!("{base}/EntityAssignments/{a_sid}"))
            .await
            .0,
        204
    );
    assert_eq!(s.delete(&base).await.0, 204);
    assert_eq!(s.get(&format!("{base}/Evaluations")).await.0, 404);
}
