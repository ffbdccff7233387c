//! Hosted compliance inquiries are bounded: prefill size, open inquiries per account
//! (400 with large prefill fields once kept 437 MB).
use crate::common::*;
use crate::{client, rss_mib};
use serde_json::Value;

const PATH: &str = "/v1/ComplianceInquiries/Registration/RegulatoryCompliance/GB/Initialize";

#[tokio::test]
async fn inquiries_are_bounded_in_size_and_count() {
    let s = Server::start();
    let http = client();
    let big = "b".repeat(100 * 1024);
    let resp = http
        .post(format!("{}{PATH}", s.base))
        .basic_auth(SID, Some(TOKEN))
        .form(&[
            ("EndUserType", "Business"),
            ("PhoneNumberType", "local"),
            ("BusinessLegalName", big.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 20001, "{body}");
    // 400 inquiries with the largest prefill accepted: the account keeps its newest 100.
    let long = "c".repeat(1024);
    let mut urls = vec![];
    for _ in 0..400 {
        let b: Value = http
            .post(format!("{}{PATH}", s.base))
            .basic_auth(SID, Some(TOKEN))
            .form(&[
                ("EndUserType", "Business"),
                ("PhoneNumberType", "local"),
                ("BusinessLegalName", long.as_str()),
                ("FriendlyName", long.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        urls.push(b["url"].as_str().unwrap().to_string());
    }
    let page = |url: String| {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        async move { http.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        page(urls[399].clone()).await,
        200,
        "the newest inquiry opens"
    );
    assert_ne!(page(urls[0].clone()).await, 200, "the oldest was forgotten");
    let rss = rss_mib(s.pid()).expect("this test needs /proc/<pid>/status (Linux)");
    assert!(rss < 200, "RSS {rss} MiB");
}

/// An inquiry opened before its account was suspended creates nothing afterwards.
#[tokio::test]
async fn a_suspended_accounts_inquiry_cannot_submit() {
    let s = Server::start();
    let (st, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "sub")])
        .await;
    assert_eq!(st, 201);
    let (sub_sid, sub_token) = (
        sub["sid"].as_str().unwrap().to_string(),
        sub["auth_token"].as_str().unwrap().to_string(),
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let b: Value = http
        .post(format!("{}{PATH}", s.base))
        .basic_auth(&sub_sid, Some(&sub_token))
        .form(&[("EndUserType", "Business"), ("PhoneNumberType", "local")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = b["url"].as_str().unwrap().to_string();
    let id = b["inquiry_id"].as_str().unwrap().to_string();
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
    let (st, _) = s
        .post(
            &format!("/2010-04-01/Accounts/{sub_sid}.json"),
            &[("Status", "suspended")],
        )
        .await;
    assert_eq!(st, 200);
    let resp = http
        .post(format!("{}/console/inquiries/{id}", s.base))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("profile.friendly_name", "Acme")])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert!(
        (400..500).contains(&status) && status != 422 && text.contains("is suspended"),
        "{status}: {text}"
    );
}
