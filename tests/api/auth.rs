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

/// A session cookie and the page's CSRF token from a console response.
fn cookie_of(resp: &reqwest::Response) -> String {
    resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Issue 15 item 14: the operator suspends, reactivates, closes and rotates the token of
/// a top-level account through the operator API, the CLI and the console; each is audited;
/// a suspended parent suspends its subaccounts; closed is final.
#[tokio::test]
async fn the_operator_suspends_closes_and_rotates_top_level_accounts() {
    let mut s = Server::start();
    let (_, acct) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Tenant")])
        .await;
    let sid = acct["sid"].as_str().unwrap().to_string();
    let token = acct["auth_token"].as_str().unwrap().to_string();
    s.as_account(&sid, &token);
    let (st, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Child")])
        .await;
    assert_eq!(st, 201, "{sub}");
    let (sub_sid, sub_token) = (
        sub["sid"].as_str().unwrap().to_string(),
        sub["auth_token"].as_str().unwrap().to_string(),
    );

    // Operator API: suspend. The account and its subaccount get Twilio's 20005.
    let (st, a) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{sid}"),
            &[("Status", "suspended")],
        )
        .await;
    assert_eq!((st, a["status"].as_str()), (200, Some("suspended")), "{a}");
    for (u, p) in [(&sid, &token), (&sub_sid, &sub_token)] {
        s.as_account(u, p);
        let (st, err) = s.get("/v1/CustomerProfiles").await;
        assert_eq!((st, err["code"].as_u64()), (403, Some(20005)), "{u}: {err}");
    }
    // The CLI reactivates: both work again (the subaccount kept its own status).
    let (ok, a) = s.admin_cli(&["accounts", "activate", &sid]);
    assert!(ok, "{a}");
    assert_eq!(a["status"], "active");
    for (u, p) in [(&sid, &token), (&sub_sid, &sub_token)] {
        s.as_account(u, p);
        assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200, "{u}");
    }
    // Rotation: the old token stops at once, the new one works.
    let (ok, a) = s.admin_cli(&["accounts", "rotate-token", &sid]);
    assert!(ok, "{a}");
    let new_token = a["auth_token"].as_str().unwrap().to_string();
    assert_ne!(new_token, token);
    s.as_account(&sid, &token);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 401);
    s.as_account(&sid, &new_token);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200);
    let (ok, listed) = s.admin_cli(&["accounts", "list", "--status", "active"]);
    assert!(ok, "{listed}");
    assert!(listed["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["sid"] == sid.as_str()));
    // One status rule for both lists: an unknown Status is refused by the operator's list
    // as by the 2010 Accounts list (it used to match nothing there).
    let (st, err) = s
        .admin("GET", "/admin/v1/Accounts?Status=Suspended", &[])
        .await;
    assert_refused((st, &err), 400, 20001, "got \"Suspended\"");
    let (st, err) = s.get("/2010-04-01/Accounts.json?Status=Suspended").await;
    assert_refused((st, &err), 400, 20001, "got \"Suspended\"");

    // The console: sign in as the operator, suspend, then close.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // (A customer — even this account's own — is sent to sign in, and changes nothing.)
    let page = http
        .get(format!("{}/console/sign-in", s.base))
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&page);
    let csrf = csrf_of(&page.text().await.unwrap());
    let resp = http
        .post(format!("{}/console/sign-in", s.base))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("user", sid.as_str()),
            ("secret", new_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let customer = cookie_of(&resp);
    let resp = http
        .post(format!("{}/console/operator/accounts/{sid}", s.base))
        .header("cookie", &customer)
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "closed"),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/console/sign-in");
    s.as_account(&sid, &new_token);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 200, "still active");
    let cookie = crate::common::console::operator_sign_in(&http, &s.base, ADMIN_TOKEN).await;
    let page = http
        .get(format!("{}/console/operator/accounts", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&sid), "the account is listed");
    let csrf = csrf_of(&html);
    let url = format!("{}/console/operator/accounts/{sid}", s.base);
    let change = |form: Vec<(&'static str, String)>| {
        http.post(&url).header("cookie", &cookie).form(&form).send()
    };
    let resp = change(vec![("csrf", csrf.clone()), ("status", "suspended".into())])
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    s.as_account(&sid, &new_token);
    assert_eq!(s.get("/v1/CustomerProfiles").await.0, 403);
    // Closing needs the confirmation box, then is final everywhere.
    let resp = change(vec![("csrf", csrf.clone()), ("status", "closed".into())])
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "closing without confirming");
    let resp = change(vec![
        ("csrf", csrf.clone()),
        ("status", "closed".into()),
        ("confirm", "yes".into()),
    ])
    .await
    .unwrap();
    assert_eq!(resp.status(), 303);
    let (st, err) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{sid}"),
            &[("Status", "active")],
        )
        .await;
    assert_eq!((st, err["code"].as_u64()), (400, Some(21479)), "{err}");
    let (st, err) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{sid}/RotateAuthToken"),
            &[],
        )
        .await;
    assert_eq!((st, err["code"].as_u64()), (400, Some(21479)), "{err}");
    let (ok, _) = s.admin_cli(&["accounts", "activate", &sid]);
    assert!(!ok, "the CLI cannot reopen it either");
    let (st, err) = s.get("/v1/CustomerProfiles").await;
    assert_eq!((st, err["code"].as_u64()), (403, Some(20005)), "{err}");

    // Every change is on the audit trail: operator API, CLI and console alike.
    let (_, audit) = s
        .admin(
            "GET",
            &format!("/admin/v1/Audit?AccountSid={sid}&Limit=50"),
            &[],
        )
        .await;
    let paths: Vec<String> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"]["kind"] == "operator")
        .map(|e| format!("{} {}", e["path"].as_str().unwrap(), e["status"]))
        .collect();
    for want in [
        format!("/admin/v1/Accounts/{sid} 200"),
        format!("/admin/v1/Accounts/{sid}/RotateAuthToken 200"),
        format!("/console/operator/accounts/{sid} 303"),
    ] {
        assert!(paths.contains(&want), "{want} not in {paths:?}");
    }
}

/// One FriendlyName rule (at most 64 characters, 400 / 20002) wherever an account or a key
/// is named: the operator's new account and the 2010 keys used to store any length, which
/// the same account's rename then refused.
#[tokio::test]
async fn account_and_key_names_follow_one_64_character_rule() {
    let s = Server::start();
    let long = "n".repeat(65);
    let fits = "n".repeat(64);
    let (st, err) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", &long)])
        .await;
    assert_refused((st, &err), 400, 20002, "at most 64 characters");
    let (st, a) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", &fits)])
        .await;
    assert_eq!(
        (st, a["friendly_name"].as_str()),
        (201, Some(fits.as_str()))
    );
    let (st, err) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", &long)])
        .await;
    assert_refused((st, &err), 400, 20002, "at most 64 characters");
    let keys = format!("/2010-04-01/Accounts/{SID}/Keys.json");
    let (st, err) = s.post(&keys, &[("FriendlyName", &long)]).await;
    assert_refused((st, &err), 400, 20002, "at most 64 characters");
    let key = s.ok(&keys, &[("FriendlyName", &fits)], 201).await;
    let key_url = format!(
        "/2010-04-01/Accounts/{SID}/Keys/{}.json",
        key["sid"].as_str().unwrap()
    );
    let (st, err) = s.post(&key_url, &[("FriendlyName", &long)]).await;
    assert_refused((st, &err), 400, 20002, "at most 64 characters");
    // A rename to a blank name is refused as before.
    let (st, err) = s
        .post(
            &format!("/2010-04-01/Accounts/{SID}.json"),
            &[("FriendlyName", "")],
        )
        .await;
    assert_refused((st, &err), 400, 20002, "1 to 64 characters");
}
