//! Limits and shutdown: rate, concurrency, sizes, slow clients, callback targets, SIGTERM,
//! and logs that never hold a secret.
use crate::common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn per_account_rate_limit_answers_429_with_retry_after() {
    let mut s = Server::start_with(Options {
        args: vec!["--rate-limit", "2", "--rate-burst", "2"],
        ..Options::default()
    });
    let mut limited = None;
    for _ in 0..6 {
        let (st, body) = s.get("/v1/Policies?PageSize=1").await;
        if st == 429 {
            limited = Some(body);
            break;
        }
    }
    let body = limited.expect("a burst beyond the rate is refused");
    assert_eq!(body["code"], 20429);
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/Policies", s.base))
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap();
    if resp.status() == 429 {
        let retry: u64 = resp.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&retry));
    }
    // Another account has its own allowance.
    let (_, other) = s
        .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", "Other")])
        .await;
    s.as_account(
        other["sid"].as_str().unwrap(),
        other["auth_token"].as_str().unwrap(),
    );
    assert_eq!(s.get("/v1/Policies?PageSize=1").await.0, 200);
    // And the allowance comes back (the bucket refills in real time: poll, within 5 s).
    s.as_account(SID, TOKEN);
    let until = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (st, body) = s.get("/v1/Policies?PageSize=1").await;
        if st == 200 {
            break;
        }
        assert_eq!(body["code"], 20429, "{body}");
        assert!(
            std::time::Instant::now() < until,
            "the allowance did not come back within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn beyond_the_concurrency_limit_requests_are_shed_with_503() {
    let s = Server::start_with(Options {
        args: vec!["--max-concurrency", "1"],
        ..Options::default()
    });
    // An authenticated request whose body has not arrived yet holds the one slot. If it
    // arrives while one of our GETs holds the slot, it is the one shed: then try again
    // with a new connection (seen when the machine is busy).
    let auth = base64_basic();
    let head = format!("POST /v1/EndUsers HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\nFriendlyNam");
    let mut shed = None;
    let mut held = None;
    for _ in 0..5 {
        let mut c = TcpStream::connect(addr(&s)).unwrap();
        c.write_all(head.as_bytes()).unwrap();
        let until = Instant::now() + Duration::from_secs(5);
        while shed.is_none() && Instant::now() < until {
            let (st, body) = s.get("/v1/EndUsers").await;
            if st == 503 {
                shed = Some(body);
            }
        }
        if shed.is_some() {
            held = Some(c);
            break;
        }
    }
    let body = shed.expect("a second request is shed while the slot is held");
    let mut c = held.expect("the connection holding the slot");
    assert_eq!(body["code"], 20503, "{body}");
    c.write_all(b"e=").unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 4096];
    let n = c.read(&mut buf).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(
        text.starts_with("HTTP/1.1 400"),
        "the request in flight completes: {text}"
    );
    assert_eq!(s.get("/v1/EndUsers").await.0, 200);
}

#[tokio::test]
async fn oversized_urls_headers_and_bodies_are_refused_in_twilios_body() {
    let s = Server::start();
    let long = "x".repeat(9000);
    let (st, body) = s.get(&format!("/v1/EndUsers?FriendlyName={long}")).await;
    assert_eq!((st, body["code"].as_u64()), (414, Some(20414)));
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/EndUsers", s.base))
        .basic_auth(SID, Some(TOKEN))
        .header("x-padding", "y".repeat(40_000))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 431);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_error_body(431, &body);
    let big = "a".repeat(2 << 20);
    let (st, body) = s.post("/v1/EndUsers", &[("FriendlyName", &big)]).await;
    assert_eq!((st, body["code"].as_u64()), (413, Some(20413)));
}

#[tokio::test]
async fn slow_clients_are_cut_off() {
    let s = Server::start_with(Options {
        args: vec!["--header-timeout", "1", "--body-timeout", "1"],
        ..Options::default()
    });
    // Headers that never finish: the server closes the connection.
    let mut c = TcpStream::connect(addr(&s)).unwrap();
    c.write_all(b"GET /v1/Policies HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "closed after the header timeout"
    );
    // A body that never arrives: 408 in Twilio's body.
    let mut c = TcpStream::connect(addr(&s)).unwrap();
    let auth = base64_basic();
    let head = format!("POST /v1/EndUsers HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nFriendlyName=");
    c.write_all(head.as_bytes()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 4096];
    let n = c.read(&mut buf).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("20408"));
}

fn base64_basic() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
}

#[tokio::test]
async fn callbacks_to_forbidden_addresses_are_refused_without_retries() {
    for (args, url) in [
        (vec![], "http://169.254.169.254/latest/meta-data"),
        (vec!["--callback-refuse-private"], "http://127.0.0.1:9/hook"),
    ] {
        let s = Server::start_with(Options {
            args,
            ..Options::default()
        });
        let b = s
            .ok(
                "/v1/CustomerProfiles",
                &[
                    ("FriendlyName", "x"),
                    ("Email", "a@b.co"),
                    ("PolicySid", SECONDARY),
                    ("StatusCallback", url),
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
        let mut attempts = vec![];
        for _ in 0..100 {
            let (_, events) = s
                .admin("GET", &format!("/admin/v1/Bundles/{bu}/Events"), &[])
                .await;
            attempts = events["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["type"] == "callback_attempt")
                .cloned()
                .collect();
            if attempts.len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        assert_eq!(
            attempts.len(),
            2,
            "one attempt per status change, no retries: {attempts:?}"
        );
        for a in &attempts {
            assert_eq!(a["detail"]["gave_up"], true);
            assert!(
                a["detail"]["error"]
                    .as_str()
                    .unwrap()
                    .contains("refused by the callback address policy"),
                "{a}"
            );
        }
    }
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let mut s = Server::start_with(Options {
        args: vec!["--shutdown-timeout", "5"],
        ..Options::default()
    });
    s.admin(
        "POST",
        "/admin/v1/Faults",
        &[("Path", "/v1/Policies"), ("DelayMs", "700"), ("Count", "1")],
    )
    .await;
    let base = s.base.clone();
    let slow = tokio::spawn(async move {
        reqwest::Client::new()
            .get(format!("{base}/v1/Policies"))
            .basic_auth(SID, Some(TOKEN))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    // The fault is used up (and listed no more) once the request is being held by it.
    let until = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, faults) = s.admin("GET", "/admin/v1/Faults", &[]).await;
        if faults["faults"].as_array().is_some_and(|f| f.is_empty()) {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "the slow request never arrived: {faults}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::process::Command::new("kill")
        .args(["-TERM", &s.pid().to_string()])
        .status()
        .unwrap();
    assert_eq!(
        slow.await.unwrap().unwrap(),
        200,
        "the request in flight is answered"
    );
    assert!(
        s.wait_exit(Duration::from_secs(5)),
        "the server exits after draining"
    );
    assert!(
        TcpStream::connect(addr(&s)).is_err(),
        "no new connections are accepted"
    );
}

#[tokio::test]
async fn logs_never_contain_secrets() {
    // A token that is not a substring of the account SID, so a match means a leak.
    const SECRET_TOKEN: &str = "feedfacecafebeeffeedfacecafebeef";
    let s = Server::start_with(Options {
        account: (SID, SECRET_TOKEN),
        log: Some("trace"),
        ..Options::default()
    });
    let key = s
        .ok(
            &format!("/2010-04-01/Accounts/{SID}/Keys.json"),
            &[("FriendlyName", "k")],
            201,
        )
        .await;
    let secret = key["secret"].as_str().unwrap().to_string();
    let (_, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "sub")])
        .await;
    let sub_token = sub["auth_token"].as_str().unwrap().to_string();
    // A wrong password must not be logged either.
    let wrong = "0000000000000000000000000000dead";
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/EndUsers", s.base))
        .basic_auth(SID, Some(wrong))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    s.admin("GET", "/admin/v1/Reviews", &[]).await;
    // The log is written as requests finish: wait for the last one's line.
    let until = std::time::Instant::now() + Duration::from_secs(5);
    let log = loop {
        let log = std::fs::read_to_string(s.dir.join("server.log")).unwrap();
        if log.contains("/admin/v1/Reviews") {
            break log;
        }
        assert!(
            std::time::Instant::now() < until,
            "no log line for the last request: {log}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for secret in [
        SECRET_TOKEN,
        secret.as_str(),
        sub_token.as_str(),
        ADMIN_TOKEN,
        wrong,
    ] {
        if let Some(at) = log.find(secret) {
            let from = log[..at].rfind('\n').unwrap_or(0);
            panic!(
                "the log holds a secret: {}",
                &log[from..(at + 80).min(log.len())]
            );
        }
    }
}
