//! Text PostgreSQL cannot store (NUL) gets the same answer on both stores, never a 500.
use crate::common::*;

#[tokio::test]
async fn a_nul_in_credentials_or_attributes_is_refused_or_reported_not_a_500() {
    let mut s = Server::start();
    // A NUL in the Basic-auth username: no such account.
    s.as_account(&format!("{SID}\0"), TOKEN);
    let (st, body) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(st, 401, "{body}");
    s.as_account(SID, TOKEN);

    // A NUL inside a path SID: not found.
    let (st, body) = s.get("/v1/EndUsers/EU%00").await;
    assert_eq!(st, 404, "{body}");

    // A NUL inside address_sids (escaped in the JSON): evaluation reports it.
    let (st, body) = s
        .post(
            "/v1/SupportingDocuments",
            &[
                ("FriendlyName", "doc"),
                ("Type", "customer_profile_address"),
                ("Attributes", r#"{"address_sids": "AD\u0000x"}"#),
            ],
        )
        .await;
    assert_eq!(st, 201, "{body}");
    {
        let doc = body["sid"].as_str().unwrap().to_string();
        let bu = s.profile(SECONDARY).await;
        s.assign("CustomerProfiles", &bu, &doc).await;
        let ev = s
            .ok(
                &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
                &[("PolicySid", SECONDARY)],
                201,
            )
            .await;
        assert_eq!(ev["status"], "noncompliant", "{ev}");
        assert!(ev["results"].to_string().contains("22219"), "{ev}");
    }
}
