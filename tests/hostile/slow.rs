//! Slow and idle clients: a body has one total deadline, bodies are read only after
//! authentication, unauthenticated work has its own small budget, idle connections
//! (HTTP/1 and HTTP/2) are closed, and running out of file descriptors does not spin.
use crate::common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

fn basic(sid: &str, token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{sid}:{token}"))
}

/// Opens a POST whose body will trickle (or never come).
fn open_post(s: &Server, path: &str, auth: Option<&str>, length: usize) -> TcpStream {
    let mut c = TcpStream::connect(addr(s)).unwrap();
    let auth = auth
        .map(|a| format!("Authorization: Basic {a}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\nF"
    );
    c.write_all(head.as_bytes()).unwrap();
    c
}

/// The status line of the answer, or "" when none came in time.
fn answer(c: &mut TcpStream, within: Duration) -> String {
    c.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    let n = c.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).to_string()
}

/// A legitimate caller keeps getting answers while `attack` sockets are held open.
async fn legit_answers(s: &Server, n: usize) {
    for _ in 0..n {
        let (st, body) = s.get("/v1/Policies?PageSize=1").await;
        assert_eq!(st, 200, "a legitimate request during the attack: {body}");
    }
}

#[tokio::test]
async fn a_trickled_body_meets_a_total_deadline() {
    let s = Server::start_with(Options {
        args: vec!["--body-timeout", "2"],
        ..Options::default()
    });
    let started = Instant::now();
    let mut c = open_post(&s, "/v1/EndUsers", Some(&basic(SID, TOKEN)), 10_000);
    let mut writer = c.try_clone().unwrap();
    // One byte every 200 ms: each byte would restart a per-read timeout.
    let drip = std::thread::spawn(move || {
        for _ in 0..40 {
            std::thread::sleep(Duration::from_millis(200));
            if writer.write_all(b"a").is_err() {
                return;
            }
        }
    });
    let text = answer(&mut c, Duration::from_secs(8));
    let took = started.elapsed();
    assert!(text.starts_with("HTTP/1.1 408"), "{text:?}");
    assert!(text.contains("20408"), "{text}");
    assert!(
        took < Duration::from_millis(4500),
        "answered after {took:?}"
    );
    drop(c);
    drip.join().unwrap();
}

#[tokio::test]
async fn unauthenticated_trickles_never_take_the_slots_of_callers() {
    let s = Server::start_with(Options {
        args: vec!["--max-concurrency", "4", "--body-timeout", "20"],
        ..Options::default()
    });
    let wrong = basic(SID, "wrongwrongwrongwrongwrongwrong00");
    let mut held = vec![];
    // Wrong or no credentials: answered 401 at once, the body never read.
    for i in 0..30 {
        let auth = (i % 2 == 0).then_some(wrong.as_str());
        let mut c = open_post(&s, "/v1/EndUsers", auth, 100_000);
        let text = answer(&mut c, Duration::from_secs(5));
        assert!(text.starts_with("HTTP/1.1 401"), "{text:?}");
        held.push(c);
    }
    // Console forms (no API credentials) trickling fill only the public budget.
    for _ in 0..20 {
        held.push(open_post(&s, "/console/sign-in", None, 100_000));
    }
    legit_answers(&s, 20).await;
    drop(held);
}

fn h2_preface(s: &Server) -> TcpStream {
    let mut c = TcpStream::connect(addr(s)).unwrap();
    c.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
    // An empty SETTINGS frame.
    c.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).unwrap();
    c
}

#[tokio::test]
async fn idle_and_http2_connections_are_closed() {
    let s = Server::start_with(Options {
        args: vec!["--header-timeout", "2"],
        ..Options::default()
    });
    let mut idle: Vec<TcpStream> = (0..10)
        .map(|_| TcpStream::connect(addr(&s)).unwrap())
        .collect();
    idle.extend((0..3).map(|_| h2_preface(&s)));
    // A keep-alive connection that made one request and then went quiet.
    let mut kept = TcpStream::connect(addr(&s)).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(answer(&mut kept, Duration::from_secs(5)).starts_with("HTTP/1.1 200"));
    idle.push(kept);
    legit_answers(&s, 5).await;
    for (i, c) in idle.iter_mut().enumerate() {
        assert!(
            closed_within(c, Duration::from_secs(8)),
            "connection {i} still open"
        );
    }
}

#[tokio::test]
async fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    let s = Server::start_with(Options {
        args: vec!["--header-timeout", "2"],
        log: Some("warn"),
        ..Options::default()
    });
    let limited = std::process::Command::new("prlimit")
        .arg(format!("--pid={}", s.pid()))
        .arg("--nofile=64:64")
        .status();
    // Linux only, as the server's deployments are: fail loudly rather than pass unrun.
    assert!(
        matches!(limited, Ok(st) if st.success()),
        "this test needs prlimit (util-linux) to limit the server's descriptors: {limited:?}"
    );
    assert!(
        cpu_ticks(s.pid()).is_some(),
        "this test needs /proc/<pid>/stat (Linux)"
    );
    let idle: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(addr(&s)).ok())
        .collect();
    // Once the accept loop has met EMFILE (it says so in the log), measure its CPU for
    // two seconds.
    let until = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(s.dir.join("server.log"))
        .unwrap_or_default()
        .contains("accepting connections fails")
    {
        assert!(
            Instant::now() < until,
            "the server never ran out of descriptors"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = cpu_ticks(s.pid()).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(s.pid()).unwrap() - before;
    // 200 ticks would be a core spinning the whole time (100 ticks per second).
    assert!(
        used < 60,
        "the server used {used} ticks in 2 s while out of descriptors"
    );
    drop(idle);
    // Idle connections are closed and the server answers again.
    let until = Instant::now() + Duration::from_secs(15);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    loop {
        if let Ok(r) = http.get(format!("{}/healthz", s.base)).send().await {
            if r.status() == 200 {
                break;
            }
        }
        assert!(Instant::now() < until, "the server never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
