//! Transparent mode (`serve --proxy-listen`, issue 17): only Twilio's hosts are served
//! through the proxy, over TLS from the local CA, with Twilio's hosts in response URLs;
//! every other host is refused; the CA key is readable by its owner only.
//! (The official clients and twilio-cli through the proxy: tests/proxy/run.sh.)

use crate::common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

/// Starts a server in transparent mode with its CA in `ca_dir`; returns it and the proxy
/// address printed at start.
fn start(ca_dir: &Path) -> (Server, String) {
    start_with(ca_dir, &[])
}

fn start_with(ca_dir: &Path, extra: &[&str]) -> (Server, String) {
    start_logging(ca_dir, extra, None)
}

/// As [`start_with`]; with `log`, the server's stderr goes to its directory's server.log
/// at that level (for tests whose deliberate overload would print warnings).
fn start_logging(ca_dir: &Path, extra: &[&str], log: Option<&str>) -> (Server, String) {
    let mut args = vec![
        "--proxy-listen",
        "127.0.0.1:0",
        "--proxy-ca-dir",
        ca_dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let s = Server::start_with(Options {
        args,
        log,
        ..Options::default()
    });
    let line = s
        .startup
        .iter()
        .find(|l| l.contains("export HTTPS_PROXY=http://"))
        .unwrap_or_else(|| panic!("no proxy lines in {:?}", s.startup));
    let proxy = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("HTTPS_PROXY=http://"))
        .unwrap()
        .to_string();
    (s, proxy)
}

/// Sends raw bytes to the proxy and returns its answer's status line.
fn raw(proxy: &str, request: &str) -> String {
    let mut conn = TcpStream::connect(proxy).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 512];
    let n = conn.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn client_through(proxy: &str, ca_dir: &Path) -> reqwest::Client {
    let pem = std::fs::read(ca_dir.join("trusthub-proxy-ca.pem")).unwrap();
    reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(format!("http://{proxy}")).unwrap())
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn twilio_hosts_are_served_through_the_proxy_with_twilio_urls() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (s, proxy) = start(ca_dir.path());
    let http = client_through(&proxy, ca_dir.path());

    // HTTPS through CONNECT, TLS from the local CA; URLs name Twilio's host.
    let created: serde_json::Value = http
        .post("https://trusthub.twilio.com/v1/EndUsers")
        .basic_auth(SID, Some(TOKEN))
        .form(&[
            ("FriendlyName", "Ada"),
            ("Type", "authorized_representative_1"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = created["sid"].as_str().unwrap();
    assert_eq!(
        created["url"],
        format!("https://trusthub.twilio.com/v1/EndUsers/{sid}")
    );
    let page: serde_json::Value = http
        .get("https://trusthub.twilio.com/v1/EndUsers?PageSize=1")
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = page["meta"]["first_page_url"].as_str().unwrap();
    assert!(
        first.starts_with("https://trusthub.twilio.com/v1/EndUsers?"),
        "{first}"
    );
    // The same object through the normal listener: URLs on the public URL, as before.
    let (st, direct) = s.get(&format!("/v1/EndUsers/{sid}")).await;
    assert_eq!(st, 200);
    assert_eq!(direct["url"], format!("{}/v1/EndUsers/{sid}", s.base));

    // The 2010 API on api.twilio.com, HTTPS and plain HTTP.
    for scheme in ["https", "http"] {
        let resp = http
            .get(format!(
                "{scheme}://api.twilio.com/2010-04-01/Accounts/{SID}.json"
            ))
            .basic_auth(SID, Some(TOKEN))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{scheme}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["sid"], SID);
    }
    // Credentials are checked as on the normal listener.
    let resp = http
        .get("https://trusthub.twilio.com/v1/EndUsers")
        .basic_auth(SID, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn every_other_host_is_refused() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (_s, proxy) = start(ca_dir.path());
    for target in [
        "example.com:443",
        "twilio.com:443",
        "verify.twilio.com:443",
        "trusthub.twilio.com.evil.example:443",
        "127.0.0.1:22",
        // A Twilio host on another port is not a TLS API endpoint here either.
        "trusthub.twilio.com:22",
    ] {
        let status = raw(
            &proxy,
            &format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"),
        );
        assert!(status.contains(" 403 "), "CONNECT {target}: {status}");
    }
    let status = raw(
        &proxy,
        "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n",
    );
    assert!(status.contains(" 403 "), "{status}");
    let status = raw(
        &proxy,
        "GET https://api.twilio.com/ HTTP/1.1\r\nHost: api.twilio.com\r\n\r\n",
    );
    assert!(status.contains(" 403 "), "absolute https URL: {status}");
    // Not a proxy request at all.
    let status = raw(&proxy, "GET /v1/Policies HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(status.contains(" 400 "), "{status}");
    // And the allowed host really is allowed (the refusals are not a broken proxy).
    let status = raw(
        &proxy,
        "CONNECT trusthub.twilio.com:443 HTTP/1.1\r\nHost: trusthub.twilio.com:443\r\n\r\n",
    );
    assert!(status.contains(" 200 "), "{status}");
}

#[cfg(unix)]
#[tokio::test]
async fn the_ca_key_is_readable_by_its_owner_only_and_kept_across_restarts() {
    use std::os::unix::fs::PermissionsExt;
    let ca_dir = tempfile::tempdir().unwrap();
    let key = ca_dir.path().join("trusthub-proxy-ca-key.pem");
    let cert = ca_dir.path().join("trusthub-proxy-ca.pem");
    let (s, _) = start(ca_dir.path());
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let pem = std::fs::read(&cert).unwrap();
    drop(s);

    // A restart keeps the CA clients already trust, and serves with it.
    let (s, proxy) = start(ca_dir.path());
    assert_eq!(std::fs::read(&cert).unwrap(), pem);
    let resp = client_through(&proxy, ca_dir.path())
        .get("https://trusthub.twilio.com/v1/Policies")
        .basic_auth(SID, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    drop(s);

    // A key others may read is refused at start, with the reason.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trusthub"))
        .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
        .args(["--proxy-listen", "127.0.0.1:0", "--proxy-ca-dir"])
        .arg(ca_dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("chmod 600"), "{err}");
}

/// A client that opens a tunnel and never starts TLS does not keep the connection: the
/// handshake has `--header-timeout` to complete.
#[tokio::test]
async fn a_tunnel_without_a_handshake_is_closed() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (_s, proxy) = start_with(ca_dir.path(), &["--header-timeout", "1"]);
    let mut conn = TcpStream::connect(&proxy).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    conn.write_all(
        b"CONNECT trusthub.twilio.com:443 HTTP/1.1\r\nHost: trusthub.twilio.com:443\r\n\r\n",
    )
    .unwrap();
    let mut buf = [0u8; 512];
    let n = conn.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    let started = std::time::Instant::now();
    // Nothing sent: the server closes (end of stream or reset) well before the read timeout.
    let closed = matches!(conn.read(&mut buf), Ok(0) | Err(_));
    let waited = started.elapsed();
    assert!(closed, "the tunnel sent data instead of closing");
    assert!(
        waited < std::time::Duration::from_secs(10),
        "the tunnel stayed open {waited:?}"
    );
}

/// Issue 15 item 4, for the proxy listener too (it shares the API listener's accept loop):
/// idle connections — silent ones and a keep-alive one after a request — are closed, and
/// out of file descriptors the loop backs off instead of spinning, then recovers.
#[tokio::test]
async fn the_proxy_closes_idle_connections_and_backs_off_on_accept_errors() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (s, proxy) = start_with(ca_dir.path(), &["--header-timeout", "2"]);
    let mut idle: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(&proxy).unwrap())
        .collect();
    let mut kept = TcpStream::connect(&proxy).unwrap();
    kept.write_all(b"GET http://api.twilio.com/healthz HTTP/1.1\r\nHost: api.twilio.com\r\n\r\n")
        .unwrap();
    kept.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 512];
    let n = kept.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 "),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    idle.push(kept);
    for (i, c) in idle.iter_mut().enumerate() {
        assert!(
            closed_within(c, std::time::Duration::from_secs(8)),
            "proxy connection {i} still open"
        );
    }

    let limited = std::process::Command::new("prlimit")
        .arg(format!("--pid={}", s.pid()))
        .arg("--nofile=64:64")
        .status();
    if !matches!(limited, Ok(st) if st.success()) {
        eprintln!("SKIPPED (back-off half): prlimit is not available");
        return;
    }
    let Some(_) = cpu_ticks(s.pid()) else {
        eprintln!("SKIPPED (back-off half): no /proc/<pid>/stat on this system");
        return;
    };
    let held: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(&proxy).ok())
        .collect();
    // Let the accept loop meet EMFILE, then measure its CPU for two seconds.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = cpu_ticks(s.pid()).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let used = cpu_ticks(s.pid()).unwrap() - before;
    // 200 ticks would be a core spinning the whole time (100 ticks per second).
    assert!(
        used < 60,
        "the server used {used} ticks in 2 s while out of descriptors"
    );
    drop(held);
    // The proxy answers again once descriptors are free (idle ones are closed).
    let until = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let answered = TcpStream::connect(&proxy).ok().and_then(|mut c| {
            c.set_read_timeout(Some(std::time::Duration::from_secs(2)))
                .ok()?;
            c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").ok()?;
            let n = c.read(&mut buf).ok()?;
            Some(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 400"))
        });
        if answered == Some(true) {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "the proxy never recovered"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Sends raw bytes to `addr` and returns the whole answer (status line, headers, body).
fn raw_answer(addr: &str, request: &str) -> String {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
        // A CONNECT answer has no body: stop at the end of its head.
        if request.starts_with("CONNECT") && out.windows(4).any(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&out);
            if text.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        if let Some(len) = content_length(&out) {
            let head = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            if out.len() >= head + len {
                break;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_length(out: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(out);
    let head = text.split("\r\n\r\n").next()?;
    if !text.contains("\r\n\r\n") {
        return None;
    }
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().ok())
        })
        .flatten()
}

fn json_body(answer: &str) -> serde_json::Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON: {answer:?}: {e}"))
}

/// Odd `CONNECT` targets get a refusal that says what is wrong, in Twilio's JSON.
#[tokio::test]
async fn odd_connect_targets_are_refused_with_the_reason() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (_s, proxy) = start(ca_dir.path());
    for (target, why) in [
        ("trusthub.twilio.com", "has no port"),
        ("trusthub.twilio.com:8443", "port 8443"),
        ("api.twilio.com:80", "port 80"),
        ("127.0.0.1:443", "IP address"),
        ("[::1]:443", "IP address"),
        ("user@trusthub.twilio.com:443", "user information"),
        ("example.com:443", "not served here"),
    ] {
        let answer = raw_answer(
            &proxy,
            &format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"),
        );
        assert!(
            answer.starts_with("HTTP/1.1 403"),
            "CONNECT {target}: {answer}"
        );
        let body = json_body(&answer);
        assert_eq!(body["code"], 20403, "{target}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(why), "CONNECT {target}: {message}");
        assert!(message.contains("not an open proxy"), "{message}");
    }
}

/// Each Twilio host serves only its own API: TrustHub's `/v1` on trusthub.twilio.com,
/// Messaging's `/v1` on messaging.twilio.com, the 2010 API on api.twilio.com; the operator
/// API, console and health are on none.
#[tokio::test]
async fn each_twilio_host_serves_only_its_own_api() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (_s, proxy) = start(ca_dir.path());
    let http = client_through(&proxy, ca_dir.path());
    let account = format!("/2010-04-01/Accounts/{SID}.json");
    let cases = [
        ("https://trusthub.twilio.com/v1/Policies", 200),
        ("http://trusthub.twilio.com/v1/Policies", 200),
        ("https://api.twilio.com{account}", 200),
        ("https://trusthub.twilio.com{account}", 404),
        ("http://trusthub.twilio.com{account}", 404),
        ("https://api.twilio.com/v1/Policies", 404),
        ("http://api.twilio.com/v1/Policies", 404),
        ("https://trusthub.twilio.com/admin/v1/Clock", 404),
        ("https://api.twilio.com/admin/v1/Clock", 404),
        ("http://trusthub.twilio.com/admin/v1/Clock", 404),
        ("https://trusthub.twilio.com/console", 404),
        ("https://trusthub.twilio.com/console/login", 404),
        ("https://api.twilio.com/healthz", 404),
        ("https://trusthub.twilio.com/metrics", 404),
        ("https://messaging.twilio.com/v1/Services", 200),
        ("http://messaging.twilio.com/v1/Services", 200),
        ("https://trusthub.twilio.com/v1/Services", 404),
        ("https://messaging.twilio.com/v1/Policies", 404),
        ("https://messaging.twilio.com{account}", 404),
        ("https://api.twilio.com/v1/Services", 404),
        ("https://messaging.twilio.com/admin/v1/Clock", 404),
    ];
    for (url, want) in cases {
        let url = url.replace("{account}", &account);
        let resp = http
            .get(&url)
            .basic_auth(SID, Some(TOKEN))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(status, want, "{url}: {body}");
        if want == 404 {
            assert_eq!(body["code"], 20404, "{url}: {body}");
        }
    }
    // A Messaging Service made through messaging.twilio.com names that host in its URLs.
    let resp = http
        .post("https://messaging.twilio.com/v1/Services")
        .basic_auth(SID, Some(TOKEN))
        .form(&[("FriendlyName", "Through the proxy")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: serde_json::Value = resp.json().await.unwrap();
    let sid = created["sid"].as_str().unwrap();
    assert_eq!(
        created["url"],
        format!("https://messaging.twilio.com/v1/Services/{sid}")
    );
    assert_eq!(
        created["links"]["phone_numbers"],
        format!("https://messaging.twilio.com/v1/Services/{sid}/PhoneNumbers")
    );
    // The operator API with its token: still not on Twilio's hosts.
    let resp = http
        .post("https://trusthub.twilio.com/admin/v1/Clock/Advance")
        .bearer_auth(ADMIN_TOKEN)
        .form(&[("AdvanceSeconds", "60")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

/// TLS through a tunnel with any server name (SNI), then one raw HTTP/1.1 request.
fn tunnel_request(proxy: &str, ca_dir: &Path, target: &str, sni: &str, request: &str) -> String {
    use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
    let mut conn = TcpStream::connect(proxy).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    conn.write_all(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").as_bytes())
        .unwrap();
    // The CONNECT answer: read up to the end of its head, byte by byte.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        conn.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(ca_dir.join("trusthub-proxy-ca.pem")).unwrap();
    roots.add(ca).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from(sni.to_string()).unwrap();
    let tls = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let mut stream = rustls::StreamOwned::new(tls, conn);
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
        if let Some(len) = content_length(&out) {
            let at = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            if out.len() >= at + len {
                break;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The TLS server name and the `Host` header must name the host the tunnel (or the plain
/// proxy request) was opened for; a mismatch is refused with 421 and the reason.
#[tokio::test]
async fn server_name_and_host_must_match_the_target() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (_s, proxy) = start(ca_dir.path());
    let auth = base64_auth();
    let get = |host: &str, path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\nConnection: close\r\n\r\n")
    };
    let th = "trusthub.twilio.com";
    let api = "api.twilio.com";
    // All three agree: served.
    let ok = tunnel_request(
        &proxy,
        ca_dir.path(),
        &format!("{th}:443"),
        th,
        &get(th, "/v1/Policies"),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let ok = tunnel_request(
        &proxy,
        ca_dir.path(),
        &format!("{th}:443"),
        th,
        &get(&format!("{th}:443"), "/v1/Policies"),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    for (target, sni, host, path, why) in [
        (th, api, th, "/v1/Policies", "server name"),
        (api, th, th, "/v1/Policies", "server name"),
        (th, th, api, "/v1/Policies", "names api.twilio.com"),
        (th, th, "example.com", "/v1/Policies", "names example.com"),
        (
            api,
            api,
            th,
            &format!("/2010-04-01/Accounts/{SID}.json") as &str,
            "names trusthub.twilio.com",
        ),
    ] {
        let answer = tunnel_request(
            &proxy,
            ca_dir.path(),
            &format!("{target}:443"),
            sni,
            &get(host, path),
        );
        assert!(
            answer.starts_with("HTTP/1.1 421"),
            "{target}/{sni}/{host}: {answer}"
        );
        let body = json_body(&answer);
        assert_eq!(body["status"], 421);
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
    // Plain HTTP: the URL's host and the Host header must agree.
    let answer = raw_answer(
        &proxy,
        &format!("GET http://{th}/v1/Policies HTTP/1.1\r\nHost: {api}\r\nAuthorization: Basic {auth}\r\n\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    let answer = raw_answer(
        &proxy,
        &format!("GET http://{th}/v1/Policies HTTP/1.1\r\nHost: {th}\r\nAuthorization: Basic {auth}\r\n\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn base64_auth() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
}

/// The first line of the answer to `request`, or "" if the connection is closed first.
fn first_line(addr: &str, request: &str) -> String {
    let Ok(mut conn) = TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    if conn.write_all(request.as_bytes()).is_err() {
        return String::new();
    }
    let mut buf = [0u8; 512];
    match conn.read(&mut buf) {
        Ok(n) => String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
        Err(_) => String::new(),
    }
}

/// `--max-connections` holds on the proxy (tunnels included) as on the API listener: one
/// connection beyond it is closed at once, and a place that frees up is used again.
#[tokio::test]
async fn the_connection_limit_holds_on_both_listeners() {
    use std::time::{Duration, Instant};
    let ca_dir = tempfile::tempdir().unwrap();
    // The limit's warning is expected here: keep it in server.log, out of the test output.
    let (s, proxy) = start_logging(
        ca_dir.path(),
        &["--max-connections", "2", "--header-timeout", "30"],
        Some("error"),
    );
    let api = s.base.trim_start_matches("http://").to_string();
    for addr in [proxy.as_str(), api.as_str()] {
        let mut held = vec![TcpStream::connect(addr).unwrap()];
        if addr == proxy {
            // An open tunnel counts as its connection.
            let mut t = TcpStream::connect(addr).unwrap();
            t.write_all(b"CONNECT trusthub.twilio.com:443 HTTP/1.1\r\nHost: trusthub.twilio.com:443\r\n\r\n")
                .unwrap();
            let mut buf = [0u8; 64];
            let n = t.read(&mut buf).unwrap();
            assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
            held.push(t);
        } else {
            held.push(TcpStream::connect(addr).unwrap());
        }
        let mut extra = TcpStream::connect(addr).unwrap();
        assert!(
            closed_within(&mut extra, Duration::from_secs(3)),
            "{addr}: a third connection was kept"
        );
        drop(held.pop());
        // The freed place is taken again (the server notices the close soon).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let request = if addr == proxy {
                "CONNECT api.twilio.com:443 HTTP/1.1\r\nHost: api.twilio.com:443\r\n\r\n"
            } else {
                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            };
            let answer = first_line(addr, request);
            if answer.contains(" 200 ") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{addr}: the freed place is not used: {answer}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// SIGTERM: a request in flight through the proxy is answered, as on the API listener
/// (`--shutdown-timeout`), before the server exits.
#[tokio::test]
async fn sigterm_lets_proxy_requests_in_flight_finish() {
    use std::time::{Duration, Instant};
    let ca_dir = tempfile::tempdir().unwrap();
    let (mut s, proxy) = start_with(ca_dir.path(), &["--shutdown-timeout", "5"]);
    s.admin(
        "POST",
        "/admin/v1/Faults",
        &[("Path", "/v1/Policies"), ("DelayMs", "700"), ("Count", "1")],
    )
    .await;
    let http = client_through(&proxy, ca_dir.path());
    let slow = tokio::spawn(async move {
        http.get("https://trusthub.twilio.com/v1/Policies")
            .basic_auth(SID, Some(TOKEN))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    // The fault is used up (and listed no more) once the request is being held by it.
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, faults) = s.admin("GET", "/admin/v1/Faults", &[]).await;
        if faults["faults"].as_array().is_some_and(|f| f.is_empty()) {
            break;
        }
        assert!(
            Instant::now() < until,
            "the request never arrived: {faults}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::process::Command::new("kill")
        .args(["-TERM", &s.pid().to_string()])
        .status()
        .unwrap();
    let status = slow.await.unwrap();
    assert_eq!(
        status.ok(),
        Some(200),
        "the proxied request in flight is answered"
    );
    assert!(
        s.wait_exit(Duration::from_secs(10)),
        "the server exits after draining"
    );
}

/// A CA directory whose certificate is not its key's, or whose key is gone, stops the start
/// with the reason (it would otherwise fail every handshake, or silently replace the CA the
/// clients trust).
#[tokio::test]
async fn a_ca_certificate_without_its_key_stops_the_start() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    drop(start(a.path()));
    drop(start(b.path()));
    let fails = |dir: &Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trusthub"))
            .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
            .args(["--proxy-listen", "127.0.0.1:0", "--proxy-ca-dir"])
            .arg(dir)
            .env_remove("TRUSTHUB_ADMIN_TOKEN")
            .output()
            .unwrap();
        assert!(!out.status.success(), "started with {}", dir.display());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let cert = "trusthub-proxy-ca.pem";
    std::fs::copy(b.path().join(cert), a.path().join(cert)).unwrap();
    let err = fails(a.path());
    assert!(err.contains("is not the certificate of the key"), "{err}");
    std::fs::remove_file(b.path().join("trusthub-proxy-ca-key.pem")).unwrap();
    let err = fails(b.path());
    assert!(err.contains("exists but its key"), "{err}");
}

/// A CA made by a release that served two hosts is name-constrained to them, so clients
/// would refuse a certificate naming messaging.twilio.com: the start re-issues it with the
/// same key (the key file is kept) and messaging.twilio.com is served through it.
#[cfg(unix)]
#[tokio::test]
async fn an_earlier_two_host_ca_is_reissued_for_the_messaging_host() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (
        dir.path().join("trusthub-proxy-ca.pem"),
        dir.path().join("trusthub-proxy-ca-key.pem"),
    );
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        .args(["-nodes", "-days", "3650", "-subj", "/CN=TrustHub sandbox local CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE,pathlen:0"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"])
        .args([
            "-addext",
            "nameConstraints=critical,permitted;DNS:trusthub.twilio.com,permitted;DNS:api.twilio.com",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("this test needs the openssl command to make an earlier release's CA");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (old_cert, old_key) = (std::fs::read(&cert).unwrap(), std::fs::read(&key).unwrap());
    let (_s, proxy) = start(dir.path());
    assert_ne!(std::fs::read(&cert).unwrap(), old_cert, "re-issued");
    assert_eq!(std::fs::read(&key).unwrap(), old_key, "same key");
    let http = client_through(&proxy, dir.path());
    for url in [
        "https://messaging.twilio.com/v1/Services",
        "https://trusthub.twilio.com/v1/Policies",
    ] {
        let resp = http.get(url).basic_auth(SID, Some(TOKEN)).send().await;
        assert_eq!(resp.unwrap().status(), 200, "{url}");
    }
}
