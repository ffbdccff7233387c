//! The audit trail: who (account, API key, operator) changed what.
use crate::common::*;

#[tokio::test]
async fn every_write_is_attributed_to_its_actor() {
    let mut s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let key = s
        .ok(
            &format!("/2010-04-01/Accounts/{SID}/Keys.json"),
            &[("FriendlyName", "ci")],
            201,
        )
        .await;
    let key_sid = key["sid"].as_str().unwrap().to_string();
    s.as_account(&key_sid, key["secret"].as_str().unwrap());
    s.end_user("authorized_representative_1", representative())
        .await;
    let (st, _) = s
        .post("/v1/CustomerProfiles", &[("FriendlyName", "x")])
        .await;
    assert_eq!(st, 400, "refused writes are audited too");
    s.get("/v1/EndUsers").await;
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "1")])
        .await;
    let (_, other) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Other")])
        .await;
    s.as_account(
        other["sid"].as_str().unwrap(),
        other["auth_token"].as_str().unwrap(),
    );
    s.profile(SECONDARY).await;

    let mut entries = serde_json::Value::Null;
    for _ in 0..50 {
        entries = s
            .admin("GET", &format!("/admin/v1/Audit?AccountSid={SID}"), &[])
            .await
            .1;
        if entries["audit"].as_array().unwrap().len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let got: Vec<(String, String, String, u64)> = entries["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"]["kind"].as_str().unwrap().to_string(),
                e["actor"]["sid"].as_str().unwrap_or("").to_string(),
                format!(
                    "{} {}",
                    e["method"].as_str().unwrap(),
                    e["path"].as_str().unwrap()
                ),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "api_key".to_string(),
                key_sid.clone(),
                "POST /v1/CustomerProfiles".to_string(),
                400
            ),
            (
                "api_key".into(),
                key_sid.clone(),
                "POST /v1/EndUsers".into(),
                201
            ),
            (
                "account".into(),
                SID.into(),
                format!("POST /2010-04-01/Accounts/{SID}/Keys.json"),
                201
            ),
            (
                "account".into(),
                SID.into(),
                "POST /v1/CustomerProfiles".into(),
                201
            ),
        ],
        "newest first, reads not recorded, the other account not included"
    );
    let (_, all) = s.admin("GET", "/admin/v1/Audit?Limit=100", &[]).await;
    let operator: Vec<&serde_json::Value> = all["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"]["kind"] == "operator")
        .collect();
    assert!(operator.iter().any(|e| e["path"] == "/admin/v1/Clock"));
    assert!(operator.iter().any(|e| e["path"] == "/admin/v1/Accounts"));
    let _ = bu;
}

/// Issue 14 item 4: console writes are on the trail with the actor their session was
/// signed in as — an account's auth token, one of its API keys, the operator — exactly
/// as the same writes through the API would be (one audit layer, one `Actor`).
#[tokio::test]
async fn console_writes_are_attributed_to_the_signed_in_actor() {
    use crate::common::console::{self, csrf_of};
    let s = Server::start();
    let bu = s.complete_primary().await;
    let key = s
        .ok(
            &format!("/2010-04-01/Accounts/{SID}/Keys.json"),
            &[("FriendlyName", "console")],
            201,
        )
        .await;
    let key_sid = key["sid"].as_str().unwrap();
    let (_, other) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Other")])
        .await;
    let other = other["sid"].as_str().unwrap();
    let http = console::client();
    let bundle_page = format!("{}/console/accounts/{SID}/bundles/{bu}", s.base);
    let signed_in = |cookie: String| {
        let http = http.clone();
        let url = bundle_page.clone();
        async move {
            let (st, html) = console::page(&http, &url, &cookie).await;
            assert_eq!(st, 200, "{html}");
            (cookie, csrf_of(&html))
        }
    };

    // A customer signed in with the auth token evaluates and submits.
    let (cookie, csrf) = signed_in(console::sign_in(&http, &s.base, SID, TOKEN).await).await;
    for action in ["evaluate", "submit"] {
        let url = format!("{bundle_page}/{action}");
        let (st, to) = console::post(&http, &url, &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(st, 303, "{action}: {to:?}");
        assert!(!to.unwrap_or_default().contains("refused"), "{action}");
    }
    // The same customer signed in with an API key evaluates.
    let secret = key["secret"].as_str().unwrap();
    let (cookie, csrf) = signed_in(console::sign_in(&http, &s.base, key_sid, secret).await).await;
    let url = format!("{bundle_page}/evaluate");
    let (st, _) = console::post(&http, &url, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(st, 303);
    // The operator decides the review and suspends another account.
    let cookie = console::operator_sign_in(&http, &s.base, ADMIN_TOKEN).await;
    let (_, html) = console::page(&http, &format!("{}/console/reviews", s.base), &cookie).await;
    let csrf = csrf_of(&html);
    let url = format!("{}/console/reviews/{bu}/decision", s.base);
    let form = [("csrf", csrf.as_str()), ("decision", "approve")];
    let (st, to) = console::post(&http, &url, &cookie, &form).await;
    assert_eq!(
        (st, to.as_deref()),
        (303, Some("/console/reviews?notice=approved"))
    );
    let url = format!("{}/console/operator/accounts/{other}", s.base);
    let form = [("csrf", csrf.as_str()), ("status", "suspended")];
    let (st, _) = console::post(&http, &url, &cookie, &form).await;
    assert_eq!(st, 303);
    assert_eq!(
        s.get(&format!("/v1/CustomerProfiles/{bu}")).await.1["status"],
        "twilio-approved"
    );

    let (_, all) = s.admin("GET", "/admin/v1/Audit?Limit=100", &[]).await;
    let console_writes: Vec<String> = all["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"].as_str().unwrap().starts_with("/console/"))
        .map(|e| {
            format!(
                "{} {} {} {} {} {}",
                e["actor"]["kind"].as_str().unwrap(),
                e["actor"]["sid"].as_str().unwrap_or("-"),
                e["account_sid"].as_str().unwrap_or("-"),
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap(),
                e["status"]
            )
        })
        .collect();
    let bundle_path = format!("/console/accounts/{SID}/bundles/{bu}");
    assert_eq!(
        console_writes,
        [
            format!("operator - {other} POST /console/operator/accounts/{other} 303"),
            format!("operator - - POST /console/reviews/{bu}/decision 303"),
            format!("api_key {key_sid} {SID} POST {bundle_path}/evaluate 303"),
            format!("account {SID} {SID} POST {bundle_path}/submit 303"),
            format!("account {SID} {SID} POST {bundle_path}/evaluate 303"),
        ],
        "newest first; the sign-in forms are nobody's writes"
    );
}
