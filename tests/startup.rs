//! Start-up behaviour (issue 17): boolean variables in every usual spelling, the generated
//! operator token kept (hashed) across restarts, and `serve --help` saying what happens.
//! Runs the real binary on stores of its own: SQLite, or PostgreSQL with
//! `TRUSTHUB_TEST_POSTGRES` set (the boolean-variable test always uses SQLite files: it
//! looks at whether one is written).

#[path = "common/mod.rs"]
mod common;

use common::postgres;
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
