//! The console edge of the one error enum: a service's refusal is a page under the
//! refusal's own status (issue 14 item 5: 409, 429 and 403 were all shown as 400).
use crate::common::console::{self, csrf_of};
use crate::common::*;

/// A page's status, `Retry-After` and text.
async fn answer(resp: reqwest::Response) -> (u16, Option<String>, String) {
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status().as_u16(), retry, resp.text().await.unwrap())
}

#[tokio::test]
async fn a_second_submission_is_a_409_page() {
    let s = Server::start();
    let bu = s.complete_primary().await;
    let http = console::client();
    let cookie = console::sign_in(&http, &s.base, SID, TOKEN).await;
    let page = format!("{}/console/accounts/{SID}/bundles/{bu}", s.base);
    let (_, html) = console::page(&http, &page, &cookie).await;
    let csrf = csrf_of(&html);
    let (st, to) = console::post(
        &http,
        &format!("{page}/submit"),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(st, 303, "{to:?}");
    // Another tab still shows the submit button; once the pipeline took the bundle in
    // review, the service refuses the change of state.
    s.wait_status("CustomerProfiles", &bu, "in-review").await;
    let resp = http
        .post(format!("{page}/submit"))
        .header("cookie", &cookie)
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    let (st, _, html) = answer(resp).await;
    assert_eq!(st, 409, "{html}");
    assert!(html.contains("<h1>That did not work</h1>"), "{html}");
    assert!(
        html.contains("pending-review") || html.contains("in-review"),
        "{html}"
    );
}

#[tokio::test]
async fn a_throttled_sign_in_is_a_429_page_with_retry_after() {
    let s = Server::start();
    let http = console::client();
    let page = http
        .get(format!("{}/console/sign-in", s.base))
        .send()
        .await
        .unwrap();
    let cookie = console::sign_in_cookie_of(&page).unwrap();
    let csrf = csrf_of(&page.text().await.unwrap());
    let mut statuses = vec![];
    let throttled = loop {
        let resp = http
            .post(format!("{}/console/sign-in", s.base))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("user", SID), ("secret", "wrong")])
            .send()
            .await
            .unwrap();
        let (st, retry, html) = answer(resp).await;
        if st != 401 || statuses.len() > 40 {
            break (st, retry, html);
        }
        statuses.push(st);
    };
    let (st, retry, html) = throttled;
    assert_eq!(st, 429, "after {} refusals: {html}", statuses.len());
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    assert!(
        html.contains("Too many failed authentication attempts"),
        "{html}"
    );
}

#[tokio::test]
async fn an_inquiry_of_a_suspended_account_is_a_403_page() {
    let s = Server::start();
    let (id, url) = console::start_inquiry(&s).await;
    let http = console::client();
    let (cookie, csrf) = console::open_inquiry(&http, &url).await;
    let (st, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{SID}"),
            &[("Status", "suspended")],
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let (st, html) = console::complete_inquiry(&http, &s.base, &id, &cookie, &csrf, "Acme").await;
    assert_eq!(st, 403, "{html}");
    assert!(html.contains("suspended"), "{html}");
}

#[tokio::test]
async fn a_decision_on_a_decided_bundle_is_a_409_page() {
    let s = Server::start();
    let bu = s.complete_primary().await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let http = console::client();
    let cookie = console::operator_sign_in(&http, &s.base, ADMIN_TOKEN).await;
    let (_, html) = console::page(&http, &format!("{}/console/reviews", s.base), &cookie).await;
    let csrf = csrf_of(&html);
    let url = format!("{}/console/reviews/{bu}/decision", s.base);
    let form = [("csrf", csrf.as_str()), ("decision", "approve")];
    let (st, _) = console::post(&http, &url, &cookie, &form).await;
    assert_eq!(st, 303);
    // A second tab still shows the decision forms.
    let resp = http
        .post(&url)
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    let (st, _, html) = answer(resp).await;
    assert_eq!(st, 409, "{html}");
    assert!(
        html.contains("only pending-review and in-review bundles can be decided"),
        "{html}"
    );
}

/// The console's end-user list: a name search is the store's filter (the console used to
/// walk every page itself), and each row's holders come from one query for the page, so a
/// page of twenty costs what a page of one does (issue 14 item 6).
#[tokio::test]
async fn an_entity_list_searches_in_the_store_and_reads_holders_once_per_page() {
    let s = Server::start();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = console::sign_in(&http, &s.base, SID, TOKEN).await;
    let bu = s.profile(SECONDARY).await;
    let user = |name: &'static str| {
        let s = &s;
        async move {
            let attrs = representative().to_string();
            let form = [
                ("FriendlyName", name),
                ("Type", "authorized_representative_1"),
                ("Attributes", attrs.as_str()),
            ];
            s.ok("/v1/EndUsers", &form, 201).await["sid"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let held = user("Rep").await;
    s.assign("CustomerProfiles", &bu, &held).await;
    let list = format!("{}/console/accounts/{SID}/end-users", s.base);
    let per_page = |url: String| {
        let (s, http, cookie) = (&s, &http, &cookie);
        async move {
            const RUNS: u32 = 10;
            let before = s.store_statements().await;
            for _ in 0..RUNS {
                assert_eq!(console::page(http, &url, cookie).await.0, 200);
            }
            (s.store_statements().await - before) / f64::from(RUNS)
        }
    };
    let one = per_page(list.clone()).await;
    let other = user("Someone else").await;
    let mut reps = vec![held.clone()];
    for _ in 1..20 {
        let e = user("Rep").await;
        s.assign("CustomerProfiles", &bu, &e).await;
        reps.push(e);
    }
    let (st, html) = console::page(&http, &format!("{list}?q=Rep"), &cookie).await;
    assert_eq!(st, 200, "{html}");
    for e in &reps {
        assert!(html.contains(e.as_str()), "{e} found by name");
    }
    assert!(!html.contains(other.as_str()), "only the name searched for");
    assert_eq!(
        html.matches(&format!("/bundles/{bu}")).count(),
        20,
        "each row names the profile holding it"
    );
    let twenty = per_page(list).await;
    println!("store statements per console end-user list, one row vs twenty-one: {one} {twenty}");
    assert!(twenty <= one + 1.0, "{one} -> {twenty}");
}
