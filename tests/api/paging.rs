use crate::common::*;
use std::collections::HashSet;

fn path_of(url: &str, base: &str) -> String {
    url.strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not on {base}"))
        .to_string()
}

#[tokio::test]
async fn walking_next_and_previous_pages() {
    let s = Server::start();
    let mut created = vec![];
    for i in 0..120 {
        let b = s
            .ok(
                "/v1/EndUsers",
                &[
                    ("FriendlyName", &format!("user {i}")),
                    ("Type", "authorized_representative_1"),
                ],
                201,
            )
            .await;
        created.push(b["sid"].as_str().unwrap().to_string());
    }
    let (_, first) = s.get("/v1/EndUsers?PageSize=50").await;
    let meta = &first["meta"];
    assert_eq!(meta["key"], "results");
    assert_eq!(meta["page"], 0);
    assert_eq!(meta["page_size"], 50);
    assert_eq!(meta["previous_page_url"], serde_json::Value::Null);
    assert_eq!(
        meta["first_page_url"],
        format!("{}/v1/EndUsers?PageSize=50&Page=0", s.base)
    );
    let mut seen = vec![];
    let mut page = first;
    let mut pages = vec![];
    loop {
        seen.extend(
            page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["sid"].as_str().unwrap().to_string()),
        );
        pages.push(page.clone());
        match page["meta"]["next_page_url"].as_str() {
            None => break,
            Some(next) => {
                assert!(
                    next.contains("PageSize=50") && next.contains("PageToken="),
                    "{next}"
                );
                page = s.get(&path_of(next, &s.base)).await.1;
            }
        }
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[2]["meta"]["page"], 2);
    assert_eq!(seen, created, "every row once, in creation order");
    // Walk back from the last page.
    let prev = pages[2]["meta"]["previous_page_url"].as_str().unwrap();
    let (_, back) = s.get(&path_of(prev, &s.base)).await;
    assert_eq!(back["results"], pages[1]["results"]);
    assert_eq!(back["meta"]["page"], 1);
    let (_, back) = s
        .get(&path_of(
            back["meta"]["previous_page_url"].as_str().unwrap(),
            &s.base,
        ))
        .await;
    assert_eq!(back["results"], pages[0]["results"]);
    assert_eq!(back["meta"]["previous_page_url"], serde_json::Value::Null);
}

#[tokio::test]
async fn page_size_is_clamped_and_bad_paging_is_refused() {
    let s = Server::start();
    for _ in 0..3 {
        s.end_user("authorized_representative_1", representative())
            .await;
    }
    let (st, big) = s.get("/v1/EndUsers?PageSize=2500").await;
    assert_eq!(st, 200);
    assert_eq!(big["meta"]["page_size"], 1000);
    assert_eq!(big["results"].as_array().unwrap().len(), 3);
    for (q, code) in [
        ("PageSize=0", 20007),
        ("PageSize=abc", 20007),
        ("PageToken=garbage", 21481),
        ("PageToken=PAzzzz", 21481),
        ("Page=-1", 20007),
    ] {
        let (st, body) = s.get(&format!("/v1/EndUsers?{q}")).await;
        assert_eq!(
            (st, body["code"].as_u64()),
            (400, Some(code)),
            "{q}: {body}"
        );
    }
    let (_, one) = s.get("/v1/EndUsers?PageSize=1").await;
    let sids: HashSet<_> = one["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sid"].clone())
        .collect();
    assert_eq!(sids.len(), 1);
}

#[tokio::test]
async fn filters_travel_in_paging_urls() {
    let s = Server::start();
    for _ in 0..3 {
        s.profile(SECONDARY).await;
    }
    let (_, page) = s
        .get(&format!(
            "/v1/CustomerProfiles?Status=draft&PolicySid={SECONDARY}&PageSize=2"
        ))
        .await;
    let next = page["meta"]["next_page_url"].as_str().unwrap();
    assert!(
        next.contains("Status=draft") && next.contains(&format!("PolicySid={SECONDARY}")),
        "{next}"
    );
    let (_, rest) = s.get(&path_of(next, &s.base)).await;
    assert_eq!(rest["results"].as_array().unwrap().len(), 1);
    assert_eq!(rest["meta"]["next_page_url"], serde_json::Value::Null);
}

#[tokio::test]
async fn page_tokens_are_opaque_and_bound_to_their_account_and_list() {
    let mut s = Server::start();
    for _ in 0..3 {
        s.end_user("authorized_representative_1", representative())
            .await;
    }
    let (_, page) = s.get("/v1/EndUsers?PageSize=1").await;
    let next = page["meta"]["next_page_url"].as_str().unwrap().to_string();
    let token = next.split("PageToken=").nth(1).unwrap().to_string();
    // The position does not show: not the previous release's base64 of the number.
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token[2..])
        .unwrap_or_default();
    assert!(
        std::str::from_utf8(&raw).map_or(true, |t| t.parse::<i64>().is_err()),
        "{token}"
    );
    // A forged or previous-release token (base64 of a position) is 21481.
    for forged in ["PAMQ", "PAMTAw", "PBMg"] {
        let (st, body) = s.get(&format!("/v1/EndUsers?PageToken={forged}")).await;
        assert_eq!((st, body["code"].as_u64()), (400, Some(21481)), "{body}");
    }
    // The token works where it came from, not on another list or for another account.
    let (st, _) = s.get(&path_of(&next, &s.base)).await;
    assert_eq!(st, 200);
    let (st, body) = s
        .get(&format!(
            "/v1/SupportingDocuments?PageSize=1&PageToken={token}"
        ))
        .await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21481)), "{body}");
    let (_, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "other")])
        .await;
    s.as_account(
        sub["sid"].as_str().unwrap(),
        sub["auth_token"].as_str().unwrap(),
    );
    let (st, body) = s
        .get(&format!("/v1/EndUsers?PageSize=1&PageToken={token}"))
        .await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21481)), "{body}");
}
