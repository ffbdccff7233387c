use crate::common::*;

#[tokio::test]
async fn credentials_are_required_and_checked() {
    let mut s = Server::start();
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}/v1/CustomerProfiles", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(
        resp.headers()["www-authenticate"].to_str().unwrap(),
        "Basic realm=\"Twilio API\""
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 20003);
    assert_eq!(body["status"], 401);
    assert_eq!(
        body["more_info"],
        "https://www.twilio.com/docs/errors/20003"
    );

    s.as_account(SID, "ffffffffffffffffffffffffffffffff");
    let (st, body) = s.get("/v1/EndUsers").await;
    assert_eq!((st, body["code"].as_u64()), (401, Some(20003)));
    s.as_account(OTHER_SID, TOKEN);
    assert_eq!(s.get("/v1/EndUsers").await.0, 401, "unknown account");
    s.as_account(SID, TOKEN);
    assert_eq!(s.get("/v1/EndUsers").await.0, 200);
    assert_eq!(
        reqwest::get(format!("{}/healthz", s.base))
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Two accounts in one store: neither sees, nor can use, the other's resources.
#[tokio::test]
async fn accounts_are_isolated() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let eu = s
        .end_user("authorized_representative_1", representative())
        .await;
    let ea = s.assign("CustomerProfiles", &bu, &eu).await;
    let ea = ea["sid"].as_str().unwrap().to_string();
    let dir = s.stop().unwrap();
    // Starting with other credentials adds that account to the same store.
    let mut s = Server::start_with(Options {
        account: (OTHER_SID, OTHER_TOKEN),
        dir: Some(dir.path()),
        ..Options::default()
    });
    for path in [
        format!("/v1/CustomerProfiles/{bu}"),
        format!("/v1/EndUsers/{eu}"),
        format!("/v1/CustomerProfiles/{bu}/EntityAssignments"),
        format!("/v1/CustomerProfiles/{bu}/EntityAssignments/{ea}"),
    ] {
        let (st, body) = s.get(&path).await;
        assert_eq!((st, body["code"].as_u64()), (404, Some(20404)), "{path}");
    }
    assert_eq!(s.delete(&format!("/v1/EndUsers/{eu}")).await.0, 404);
    let (st, _) = s
        .post(
            &format!("/v1/CustomerProfiles/{bu}"),
            &[("FriendlyName", "pwned")],
        )
        .await;
    assert_eq!(st, 404);
    let (_, list) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(list["results"].as_array().unwrap().len(), 0);
    // Nor can the other account attach this account's objects to its own bundle.
    let mine = s.profile(SECONDARY).await;
    let (st, body) = s
        .post(
            &format!("/v1/CustomerProfiles/{mine}/EntityAssignments"),
            &[("ObjectSid", &eu)],
        )
        .await;
    assert_refused(
        (st, &body),
        400,
        22205,
        &format!("ObjectSid {eu} is not an EndUser (IT…), SupportingDocument (RD…), CustomerProfile or TrustProduct (BU…) of this account"),
    );
    // The first account still sees its own.
    s.as_account(SID, TOKEN);
    let (st, b) = s.get(&format!("/v1/CustomerProfiles/{bu}")).await;
    assert_eq!((st, b["friendly_name"].as_str()), (200, Some("Acme")));
    drop(s);
    drop(dir);
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let s = Server::start();
    let (st, body) = s.get("/v1/Nonsense").await;
    assert_eq!((st, body["code"].as_u64()), (404, Some(20404)));
    let (st, body) = s.call("PUT", "/v1/CustomerProfiles", &[]).await;
    assert_eq!((st, body["code"].as_u64()), (405, Some(20004)), "{body}");
    let (st, body) = s.delete("/v1/Policies").await;
    assert_eq!((st, body["code"].as_u64()), (405, Some(20004)), "{body}");
}
