//! Start-up behaviour (issue 17): boolean variables in every usual spelling, the generated
//! operator token kept (hashed) across restarts, and `serve --help` saying what happens.
//! Runs the real binary on stores of its own: SQLite, or PostgreSQL with
//! `TRUSTHUB_TEST_POSTGRES` set (the boolean-variable test always uses SQLite files: it
//! looks at whether one is written).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on failure.

#[path = "common/mod.rs"]
mod common;

use common::{closed_within, postgres};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_trusthub");

/// A started server and the stdout lines it printed up to its review-mode line.
struct Started {
    child: Child,
    base: String,
    lines: Vec<String>,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server on the test store of `dir` (PostgreSQL when configured).
fn start(dir: &Path, env: &[(&str, &str)]) -> Started {
    let url = postgres::database_url(dir).unwrap_or_else(|| sqlite(dir));
    start_on(&url, env)
}

fn sqlite(dir: &Path) -> String {
    format!("sqlite://{}/th.db", dir.display())
}

fn start_on(database_url: &str, env: &[(&str, &str)]) -> Started {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg(database_url)
        .env_remove("TRUSTHUB_ADMIN_TOKEN")
        .env_remove("TRUSTHUB_EPHEMERAL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start trusthub");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).expect("stdout") == 0 {
            panic!("server exited during start-up after {lines:?}");
        }
        let done = line.starts_with("Review:");
        lines.push(line.trim_end().to_string());
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in out.lines() {});
    let base = lines[0]
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("listen URL")
        .to_string();
    Started { child, base, lines }
}

async fn admin_status(base: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/admin/v1/Clock"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[test]
fn boolean_variables_accept_the_usual_spellings() {
    for (value, ephemeral) in [
        ("1", true),
        ("true", true),
        ("yes", true),
        ("on", true),
        ("0", false),
        ("false", false),
        ("no", false),
        ("off", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let s = start_on(&sqlite(dir.path()), &[("TRUSTHUB_EPHEMERAL", value)]);
        drop(s);
        assert_eq!(
            !dir.path().join("th.db").exists(),
            ephemeral,
            "TRUSTHUB_EPHEMERAL={value}"
        );
    }
    // Not a boolean at all: refused at start, naming the variable's value.
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TRUSTHUB_CALLBACK_REFUSE_PRIVATE", "maybe")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("maybe"));
}

#[tokio::test]
async fn a_generated_operator_token_survives_restarts_and_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path(), &[]);
    let line = first
        .lines
        .iter()
        .find(|l| l.starts_with("Operator API token: "))
        .expect("token line");
    let token = line.split_whitespace().nth(3).unwrap().to_string();
    assert_eq!(token.len(), 32, "{line}");
    assert_eq!(admin_status(&first.base, &token).await, 200);
    drop(first);

    let second = start(dir.path(), &[]);
    let text = second.lines.join("\n");
    assert!(!text.contains(&token), "printed again: {text}");
    assert!(
        text.contains("printed at this store's first start"),
        "{text}"
    );
    assert_eq!(admin_status(&second.base, &token).await, 200);
    assert_eq!(admin_status(&second.base, "not-the-token").await, 401);
    // The store keeps its hash, never the token.
    let stored = if postgres::enabled().is_some() {
        postgres::dump(dir.path())
    } else {
        let mut b = std::fs::read(dir.path().join("th.db")).unwrap();
        b.extend(std::fs::read(dir.path().join("th.db-wal")).unwrap_or_default());
        b
    };
    assert!(stored.len() > 1000, "the store was read");
    let needle = token.as_bytes();
    assert!(!stored.windows(needle.len()).any(|w| w == needle));
    drop(second);

    // A configured token wins, and the stored one stays for starts without it.
    let third = start(dir.path(), &[("TRUSTHUB_ADMIN_TOKEN", "chosen")]);
    assert!(!third.lines.join("\n").contains("Operator API token"));
    assert_eq!(admin_status(&third.base, "chosen").await, 200);
    assert_eq!(admin_status(&third.base, &token).await, 401);
    drop(third);
    postgres::drop_database(dir.path());
}

#[test]
fn serve_help_says_what_the_defaults_are() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let section = |flag: &str| {
        let start = help
            .find(flag)
            .unwrap_or_else(|| panic!("{flag} in {help}"));
        let rest = &help[start + flag.len()..];
        let end = rest.find("\n  -").unwrap_or(rest.len());
        rest[..end].to_string()
    };
    assert!(section("--listen").contains(":0"));
    assert!(section("--account-sid").contains("generated"));
    assert!(section("--auth-token").contains("generated"));
    let burst = section("--rate-burst");
    assert!(!burst.contains("[default: 0]"), "{burst}");
    assert!(burst.contains("the rate"), "{burst}");
}

#[tokio::test]
async fn metrics_listen_serves_metrics_without_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), &[("TRUSTHUB_METRICS_LISTEN", "127.0.0.1:0")]);
    let url = s
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("Metrics: "))
        .expect("metrics line")
        .to_string();
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("trusthub_store_pool_max_connections"),
        "{text}"
    );
    // Only /metrics there: not the API.
    let api = url.replace("/metrics", "/v1/Policies");
    assert_eq!(reqwest::get(&api).await.unwrap().status(), 404);
    drop(s);
    postgres::drop_database(dir.path());
}

/// An empty `TRUSTHUB_ADMIN_TOKEN` counts as unset: a token is generated, and the operator
/// API is not open to requests with no token or an empty one.
#[tokio::test]
async fn an_empty_operator_token_is_not_an_open_door() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), &[("TRUSTHUB_ADMIN_TOKEN", "")]);
    let line = s
        .lines
        .iter()
        .find(|l| l.starts_with("Operator API token: "))
        .expect("a generated token line");
    let token = line.split_whitespace().nth(3).unwrap().to_string();
    let bare = reqwest::Client::new()
        .get(format!("{}/admin/v1/Clock", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(admin_status(&s.base, "").await, 401);
    assert_eq!(admin_status(&s.base, &token).await, 200);
    drop(s);
    postgres::drop_database(dir.path());
}

/// Starts the binary expecting it to fail at start; returns its stdout and stderr.
fn failing_start(dir: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}/th.db", dir.display()))
        .args(extra)
        .env_remove("TRUSTHUB_ADMIN_TOKEN")
        .env_remove("TRUSTHUB_EPHEMERAL")
        .output()
        .unwrap();
    assert!(!out.status.success(), "started with {extra:?}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A start that fails on a busy `--proxy-listen` or `--metrics-listen` port prints and keeps
/// no one-time secret: the next start is still the store's first, and prints both the
/// generated auth token and the generated operator token.
#[test]
fn a_busy_port_costs_no_one_time_secret() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = busy.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--proxy-listen", "--metrics-listen"] {
        let ca = dir.path().join("ca");
        let (stdout, stderr) = failing_start(
            dir.path(),
            &[flag, &busy, "--proxy-ca-dir", ca.to_str().unwrap()],
        );
        assert!(stderr.contains(flag), "{stderr}");
        assert!(!stdout.contains("token"), "a secret printed: {stdout}");
    }
    let s = start(dir.path(), &[]);
    let text = s.lines.join("\n");
    let auth = s
        .lines
        .iter()
        .find(|l| l.starts_with("Bootstrap account created: "))
        .unwrap_or_else(|| panic!("no generated account in {text}"));
    assert!(auth.contains("Auth token "), "{auth}");
    assert!(
        s.lines
            .iter()
            .any(|l| l.starts_with("Operator API token: ") && l.contains("(generated")),
        "{text}"
    );
}

/// An empty boolean variable counts as unset: `TRUSTHUB_EPHEMERAL=` starts a server with its
/// store on disk, as if the variable were absent.
#[test]
fn an_empty_boolean_variable_counts_as_unset() {
    let dir = tempfile::tempdir().unwrap();
    // SQLite whatever the pass: the test looks at whether the file is written.
    let s = start_on(
        &sqlite(dir.path()),
        &[
            ("TRUSTHUB_EPHEMERAL", ""),
            ("TRUSTHUB_CALLBACK_REFUSE_PRIVATE", ""),
        ],
    );
    drop(s);
    assert!(dir.path().join("th.db").exists());
}

/// `trusthub admin requests | head`: a reader that stops early ends the command quietly.
#[test]
fn admin_output_to_a_closed_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let token = "dx-operator-token-0123456789";
    let s = start(dir.path(), &[("TRUSTHUB_ADMIN_TOKEN", token)]);
    let mut child = Command::new(BIN)
        .args(["admin", "--url", &s.base, "requests"])
        .env("TRUSTHUB_ADMIN_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reading end closes before the command has its answer to print.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
}

/// `--metrics-listen` is served like the API listener: its idle deadline, its connection
/// limit, and Twilio's error bodies for other methods and paths.
#[tokio::test]
async fn the_metrics_listener_is_hardened_like_the_api() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let s = start(
        dir.path(),
        &[
            ("TRUSTHUB_METRICS_LISTEN", "127.0.0.1:0"),
            ("TRUSTHUB_HEADER_TIMEOUT", "3"),
            ("TRUSTHUB_MAX_CONNECTIONS", "2"),
        ],
    );
    let url = s
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("Metrics: "))
        .expect("metrics line")
        .to_string();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_string();
    // Two idle connections take both places; a third is closed at once.
    let mut a = std::net::TcpStream::connect(&addr).unwrap();
    let _b = std::net::TcpStream::connect(&addr).unwrap();
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    assert!(
        closed_within(&mut c, Duration::from_millis(1500)),
        "a third connection was kept"
    );
    // An idle connection is closed after the header timeout (3 s).
    assert!(
        closed_within(&mut a, Duration::from_secs(10)),
        "an idle connection stayed open"
    );
    // Once the idle ones are gone, scrapes are served; other methods and paths get JSON.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let http = reqwest::Client::new();
    loop {
        match http.get(&url).send().await {
            Ok(r) if r.status() == 200 => break,
            other => assert!(
                std::time::Instant::now() < deadline,
                "no scrape served: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let post = http.post(&url).send().await.unwrap();
    assert_eq!(post.status(), 405);
    let body: serde_json::Value = post.json().await.unwrap();
    assert_eq!(body["code"], 20004, "{body}");
    let other = http
        .get(url.replace("/metrics", "/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    let body: serde_json::Value = other.json().await.unwrap();
    assert_eq!(body["code"], 20404, "{body}");
}

/// `serve | head -1`: a stdout closed from the start (or after the first line) must not
/// panic the server; it serves on, its start-up lines unseen.
#[test]
fn serve_with_a_closed_stdout_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--ephemeral",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("TRUSTHUB_ADMIN_TOKEN")
        .stdout(writer)
        .stderr(Stdio::null())
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let healthy = loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server exited with {status}");
        }
        let ok = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok_and(|mut c| {
            use std::io::{Read, Write};
            let _ = c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut out = String::new();
            let _ = c.read_to_string(&mut out);
            out.starts_with("HTTP/1.1 200")
        });
        if ok || std::time::Instant::now() > until {
            break ok;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy, "the server never answered /healthz");
}
