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
