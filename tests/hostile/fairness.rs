//! One tenant whose status callbacks hang must not stall another tenant's review steps
//! or callbacks (twenty-four hanging callbacks once delayed another account's review by
//! 40 s).
use crate::common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Accepts connections and never answers; counts them.
pub async fn hanging_receiver() -> (Arc<AtomicUsize>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((s, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            held.push(s);
        }
    });
    (count, url)
}

/// Answers 200 and counts.
pub async fn prompt_receiver() -> (Arc<AtomicUsize>, String) {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            c.fetch_add(1, Ordering::SeqCst);
            async { "ok" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (count, url)
}

async fn until(what: &str, within: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

/// A complete Primary profile of `account` (made by the operator, as only it can).
pub async fn primary_with_callback(s: &Server, account: &str, name: &str, url: &str) -> String {
    let (st, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{account}/CustomerProfiles"),
            &[
                ("FriendlyName", name),
                ("Email", "ops@example.com"),
                ("PolicySid", PRIMARY),
                ("StatusCallback", url),
            ],
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let bu = b["sid"].as_str().unwrap().to_string();
    s.complete_business_profile(&bu).await;
    bu
}

#[tokio::test]
async fn hanging_callbacks_of_one_account_do_not_stall_another() {
    let (hung, hang_url) = hanging_receiver().await;
    let (delivered, ok_url) = prompt_receiver().await;
    let mut s = Server::start_with(Options {
        args: vec!["--callback-timeout", "30"],
        ..Options::default()
    });
    let (_, noisy) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Noisy")])
        .await;
    s.as_account(
        noisy["sid"].as_str().unwrap(),
        noisy["auth_token"].as_str().unwrap(),
    );
    let noisy_sid = noisy["sid"].as_str().unwrap().to_string();
    for i in 0..24 {
        let bu = primary_with_callback(&s, &noisy_sid, &format!("Noisy {i}"), &hang_url).await;
        s.ok(
            &format!("/v1/CustomerProfiles/{bu}"),
            &[("Status", "pending-review")],
            200,
        )
        .await;
    }
    until(
        "the noisy account's callbacks hang",
        Duration::from_secs(10),
        async || hung.load(Ordering::SeqCst) >= 4,
    )
    .await;
    // The other account: a submitted profile goes in review, and its callback arrives.
    s.as_account(SID, TOKEN);
    let primary = primary_with_callback(&s, SID, "Quiet Inc", &ok_url).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{primary}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let review = until(
        "the quiet account's review step",
        Duration::from_secs(8),
        async || s.get(&format!("/v1/CustomerProfiles/{primary}")).await.1["status"] == "in-review",
    )
    .await;
    let callback = until(
        "the quiet account's callbacks",
        Duration::from_secs(8),
        async || delivered.load(Ordering::SeqCst) >= 2,
    )
    .await;
    eprintln!(
        "measured: review step after {review:?}, both callbacks after {callback:?}, {} hanging",
        hung.load(Ordering::SeqCst)
    );
    assert!(
        review < Duration::from_secs(2),
        "review step took {review:?}"
    );
    assert!(
        callback < Duration::from_secs(2),
        "callbacks took {callback:?}"
    );
    // The noisy account holds no more than its share of the callback lane.
    assert!(
        hung.load(Ordering::SeqCst) <= 4,
        "{} in flight",
        hung.load(Ordering::SeqCst)
    );
}
