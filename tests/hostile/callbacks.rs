//! Status callbacks ignore the proxy environment (a proxy would resolve the host beyond
//! the address policy's reach) and go straight to the checked address.
use crate::common::*;
use crate::fairness::{hanging_receiver, primary_with_callback, prompt_receiver};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[tokio::test]
async fn callbacks_never_go_through_a_proxy_from_the_environment() {
    let (proxied, proxy_url) = hanging_receiver().await;
    let proxy = proxy_url.trim_end_matches("/hook").to_string();
    let (delivered, ok_url) = prompt_receiver().await;
    // A hostname, so the callback client's resolver (and its policy) is used.
    let ok_url = ok_url.replace("127.0.0.1", "localhost");
    let s = Server::start_with(Options {
        args: vec!["--callback-timeout", "3"],
        env: vec![
            ("HTTP_PROXY", &proxy),
            ("http_proxy", &proxy),
            ("HTTPS_PROXY", &proxy),
            ("ALL_PROXY", &proxy),
        ],
        ..Options::default()
    });
    let bu = primary_with_callback(&s, SID, "Direct Inc", &ok_url).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let until = Instant::now() + Duration::from_secs(10);
    while delivered.load(Ordering::SeqCst) < 1 {
        assert!(
            Instant::now() < until,
            "no callback arrived; {} went to the proxy",
            proxied.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(proxied.load(Ordering::SeqCst), 0);
}

/// With `--callback-refuse-private`, a hostname that resolves to loopback is refused by
/// the client's resolver, at once and without retries.
#[tokio::test]
async fn a_hostname_resolving_to_a_refused_address_is_refused_at_connect() {
    let (delivered, ok_url) = prompt_receiver().await;
    let ok_url = ok_url.replace("127.0.0.1", "localhost");
    let s = Server::start_with(Options {
        args: vec!["--callback-refuse-private"],
        ..Options::default()
    });
    let bu = primary_with_callback(&s, SID, "Private Inc", &ok_url).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let until = Instant::now() + Duration::from_secs(10);
    let attempt = loop {
        let (_, events) = s
            .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
            .await;
        let found = events["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "callback_attempt")
            .cloned();
        if let Some(e) = found {
            break e;
        }
        assert!(Instant::now() < until, "no callback attempt recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let error = attempt["detail"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("address policy"), "{attempt}");
    assert_eq!(attempt["detail"]["gave_up"], true, "{attempt}");
    assert_eq!(delivered.load(Ordering::SeqCst), 0);
}
