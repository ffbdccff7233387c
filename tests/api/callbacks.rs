use crate::common::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One received callback: its headers and form parameters.
type Received = (HeaderMap, Vec<(String, String)>);

#[derive(Default)]
struct Receiver {
    /// Answer 500 to this many requests before answering 200.
    fail_first: AtomicUsize,
    seen: Mutex<Vec<Received>>,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: String) -> StatusCode {
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
    let n = {
        let mut seen = r.seen.lock().unwrap();
        seen.push((headers, form));
        seen.len()
    };
    if n <= r.fail_first.load(Ordering::SeqCst) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn start_receiver(fail_first: usize) -> (Arc<Receiver>, String) {
    let r = Arc::new(Receiver::default());
    r.fail_first.store(fail_first, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook?bundle=1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, url)
}

async fn wait_for(r: &Receiver, n: usize) {
    for _ in 0..400 {
        if r.seen.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!(
        "only {} callbacks arrived, wanted {n}",
        r.seen.lock().unwrap().len()
    );
}

fn param<'a>(form: &'a [(String, String)], k: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{k} missing"))
}

/// Each status change posts a signed callback; a rejection carries its reason and codes.
#[tokio::test]
async fn status_changes_post_signed_callbacks() {
    let (r, url) = start_receiver(0).await;
    let s = Server::start_with(Options {
        args: vec!["--review", "auto", "--review-delay", "0"],
        ..Options::default()
    });
    let primary = s.approved_primary().await;
    let b = s
        .ok(
            "/v1/CustomerProfiles",
            &[
                ("FriendlyName", "Acme"),
                ("Email", "ops@acme.com"),
                ("PolicySid", SECONDARY),
                ("StatusCallback", &url),
            ],
            201,
        )
        .await;
    let bu = b["sid"].as_str().unwrap().to_string();
    s.complete_business_profile(&bu).await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    // Make the pipeline reject: the email trigger.
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Email", "reject@acme.com")],
        200,
    )
    .await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("CustomerProfiles", &bu, "twilio-rejected")
        .await;
    wait_for(&r, 3).await;
    let seen = r.seen.lock().unwrap();
    let mut statuses: Vec<&str> = seen.iter().map(|(_, f)| param(f, "Status")).collect();
    statuses.sort();
    assert_eq!(statuses, ["in-review", "pending-review", "twilio-rejected"]);
    for (headers, form) in seen.iter() {
        assert_eq!(param(form, "AccountSid"), SID);
        assert_eq!(param(form, "BundleSid"), bu);
        let sig = headers["x-twilio-signature"].to_str().unwrap();
        assert_eq!(sig, trusthub::jobs::callbacks::signature(TOKEN, &url, form));
        assert!(headers.contains_key("i-twilio-idempotency-token"));
        assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    }
    let (_, rejected) = seen
        .iter()
        .find(|(_, f)| param(f, "Status") == "twilio-rejected")
        .unwrap();
    assert_eq!(param(rejected, "ErrorCodes"), "18606");
    assert!(param(rejected, "FailureReason").contains("reject@acme.com"));
    let (_, pending) = seen
        .iter()
        .find(|(_, f)| param(f, "Status") == "pending-review")
        .unwrap();
    assert_eq!(
        (
            param(pending, "ErrorCodes"),
            param(pending, "FailureReason")
        ),
        ("", "")
    );
}

/// The receiver fails, the server is killed between attempts, and the callback still
/// arrives: one request per attempt, every attempt in the timeline, nothing lost.
#[tokio::test]
async fn callbacks_are_retried_across_a_restart() {
    let (r, url) = start_receiver(2).await;
    let opts = || Options {
        args: vec!["--callback-retry-delay", "3600"],
        ..Options::default()
    };
    let s = Server::start_with(opts());
    let b = s
        .ok(
            "/v1/CustomerProfiles",
            &[
                ("FriendlyName", "Acme"),
                ("Email", "ops@acme.com"),
                ("PolicySid", SECONDARY),
                ("StatusCallback", &url),
            ],
            201,
        )
        .await;
    let bu = b["sid"].as_str().unwrap().to_string();
    let primary = s.approved_primary().await;
    s.complete_business_profile(&bu).await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.wait_status("CustomerProfiles", &bu, "in-review").await;
    wait_for(&r, 2).await; // first attempts of pending-review and in-review: both fail

    // An attempt's outcome commits just after its request is answered: stop only once
    // both are recorded, or the restarted server would rightly run an attempt again.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, events) = s
            .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
            .await;
        let recorded = events["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "callback_attempt")
            .count();
        if recorded >= 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "the first attempts were not recorded within 10 s: {events}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let dir = s.stop().unwrap();

    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        ..opts()
    });
    // The restarted worker has looked at the outbox and found nothing due.
    s.worker_caught_up().await;
    assert_eq!(
        r.seen.lock().unwrap().len(),
        2,
        "nothing is due before the retry delay"
    );
    // Ten minutes early (the attempts were made a few real seconds ago): still nothing.
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "3000")])
        .await;
    s.worker_caught_up().await;
    assert_eq!(r.seen.lock().unwrap().len(), 2, "retried before the delay");
    s.admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "600")])
        .await;
    wait_for(&r, 4).await;
    s.worker_caught_up().await;
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "one request per attempt");
    let count = |status: &str| {
        seen.iter()
            .filter(|(_, f)| param(f, "Status") == status)
            .count()
    };
    assert_eq!((count("pending-review"), count("in-review")), (2, 2));
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
        .await;
    let attempts: Vec<(String, i64, bool)> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "callback_attempt")
        .map(|e| {
            (
                e["detail"]["status"].as_str().unwrap().to_string(),
                e["detail"]["attempt"].as_i64().unwrap(),
                e["detail"]["delivered"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(attempts.len(), 4, "{attempts:?}");
    for status in ["pending-review", "in-review"] {
        let mut mine: Vec<_> = attempts
            .iter()
            .filter(|a| a.0 == status)
            .map(|a| (a.1, a.2))
            .collect();
        mine.sort();
        assert_eq!(mine, [(1, false), (2, true)], "{status}");
    }
    drop(s);
    drop(dir);
}

#[tokio::test]
async fn a_callback_is_given_up_after_the_configured_attempts() {
    let (r, url) = start_receiver(100).await;
    let s = Server::start_with(Options {
        args: vec!["--callback-retry-delay", "0", "--callback-attempts", "3"],
        ..Options::default()
    });
    let b = s
        .ok(
            "/v1/TrustProducts",
            &[
                ("FriendlyName", "x"),
                ("Email", "a@b.co"),
                ("PolicySid", VOICE_INTEGRITY),
                ("StatusCallback", &url),
            ],
            201,
        )
        .await;
    let tp = b["sid"].as_str().unwrap().to_string();
    let primary = s.approved_primary().await;
    let bu = s.profile(SECONDARY).await;
    s.complete_business_profile(&bu).await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let vi = s.end_user("voice_integrity_information", serde_json::json!({"use_case": "Survey/Research", "business_employee_count": "10", "average_business_day_call_volume": "10"})).await;
    s.assign("TrustProducts", &tp, &vi).await;
    s.assign("TrustProducts", &tp, &bu).await;
    s.ok(
        &format!("/v1/TrustProducts/{tp}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    // pending-review and in-review: three attempts each, then given up.
    wait_for(&r, 6).await;
    s.worker_caught_up().await;
    assert_eq!(r.seen.lock().unwrap().len(), 6);
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{tp}/Events"), &[])
        .await;
    let gave_up = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["detail"]["gave_up"] == true)
        .count();
    assert_eq!(gave_up, 2);
}

#[tokio::test]
async fn callback_urls_must_be_http() {
    let s = Server::start();
    for bad in [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "not a url",
        "file:///etc/passwd",
    ] {
        let (st, body) = s
            .post(
                "/v1/CustomerProfiles",
                &[
                    ("FriendlyName", "x"),
                    ("Email", "a@b.co"),
                    ("PolicySid", SECONDARY),
                    ("StatusCallback", bad),
                ],
            )
            .await;
        assert_eq!((st, body["code"].as_u64()), (400, Some(21609)), "{bad}");
    }
}
