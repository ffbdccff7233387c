//! A response larger than the inspector keeps is still sent whole (it once went out as
//! an empty 200 above 16 MiB).
use crate::client;
use crate::common::*;
use serde_json::Value;

#[tokio::test]
async fn a_page_over_16_mib_is_sent_whole() {
    let s = Server::start();
    let attrs = serde_json::json!({"first_name": "z".repeat(900 * 1024)}).to_string();
    let http = client();
    for _ in 0..20 {
        let st = http
            .post(format!("{}/v1/EndUsers", s.base))
            .basic_auth(SID, Some(TOKEN))
            .form(&[
                ("FriendlyName", "huge"),
                ("Type", "authorized_representative_1"),
                ("Attributes", attrs.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(st, 201);
    }
    let resp = http
        .get(format!("{}/v1/EndUsers?PageSize=20", s.base))
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(text.len() > 16 << 20, "{} bytes", text.len());
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["results"].as_array().unwrap().len(), 20);
}
