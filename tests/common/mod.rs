//! Test support: start the real `trusthub` binary on a free port with its own database,
//! and talk HTTP to it. Every JSON body received is validated against Twilio's spec.
#![allow(dead_code)]

pub mod console;
pub mod openapi;
pub mod postgres;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const OTHER_SID: &str = "ACfedcba9876543210fedcba9876543210";
pub const OTHER_TOKEN: &str = "fedcba9876543210fedcba9876543210";

pub const SECONDARY: &str = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
pub const PRIMARY: &str = "RN6433641899984f951173ef1738c3bdd0";
pub const VOICE_INTEGRITY: &str = "RN5b3660f9598883b1df4e77f77acefba0";

/// A form as a list of (name, value) pairs.
pub type Form<'a> = Vec<(&'a str, &'a str)>;

pub struct Server {
    child: Child,
    pub base: String,
    pub dir: PathBuf,
    /// The start-up lines printed on stdout, up to the `Review:` line.
    pub startup: Vec<String>,
    http: reqwest::Client,
    user: String,
    pass: String,
    _tmp: Option<tempfile::TempDir>,
}

pub const ADMIN_TOKEN: &str = "adm1n0123456789abcdef0123456789ab";

pub struct Options<'a> {
    pub account: (&'a str, &'a str),
    pub dir: Option<&'a Path>,
    pub catalog: Option<&'a Path>,
    /// Extra `serve` flags, e.g. `["--review", "auto"]`.
    pub args: Vec<&'a str>,
    /// A `TRUSTHUB_LOG` filter; the server's stderr then goes to `<dir>/server.log`.
    pub log: Option<&'a str>,
    /// Extra environment variables for the server process.
    pub env: Vec<(&'a str, &'a str)>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            account: (SID, TOKEN),
            dir: None,
            catalog: None,
            args: vec![],
            log: None,
            env: vec![],
        }
    }
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(Options::default())
    }

    /// Starts the binary with `--listen 127.0.0.1:0` and reads the bound address from
    /// its first line of output, so there is no race for a port.
    pub fn start_with(opts: Options) -> Server {
        let tmp = match opts.dir {
            Some(_) => None,
            None => Some(tempfile::tempdir().expect("tempdir")),
        };
        let dir = opts
            .dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| tmp.as_ref().unwrap().path().to_path_buf());
        // With TRUSTHUB_TEST_POSTGRES set: a PostgreSQL database of this directory's own.
        let database_url = postgres::database_url(&dir)
            .unwrap_or_else(|| format!("sqlite://{}/th.db", dir.display()));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trusthub"));
        cmd.arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--database-url")
            .arg(database_url)
            .env("TRUSTHUB_ACCOUNT_SID", opts.account.0)
            .env("TRUSTHUB_AUTH_TOKEN", opts.account.1)
            .env("TRUSTHUB_ADMIN_TOKEN", ADMIN_TOKEN)
            .args(&opts.args)
            .envs(opts.env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(filter) = opts.log {
            let file = std::fs::File::create(dir.join("server.log")).expect("log file");
            cmd.env("TRUSTHUB_LOG", filter).stderr(Stdio::from(file));
        }
        if let Some(c) = opts.catalog {
            cmd.arg("--catalog").arg(c);
        }
        let mut child = cmd.spawn().expect("start trusthub");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).expect("read start-up line");
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in start-up line {line:?}"))
            .to_string();
        let mut startup = vec![line.trim_end().to_string()];
        while !startup.last().is_some_and(|l| l.starts_with("Review:")) {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            startup.push(line.trim_end().to_string());
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in out.lines() {});
        Server {
            child,
            base,
            dir,
            startup,
            http: reqwest::Client::new(),
            user: opts.account.0.into(),
            pass: opts.account.1.into(),
            _tmp: tmp,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to exit (after a signal); true if it exited by itself in time.
    pub fn wait_exit(&mut self, within: std::time::Duration) -> bool {
        let until = std::time::Instant::now() + within;
        while std::time::Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }

    pub fn stop(mut self) -> Option<tempfile::TempDir> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self._tmp.take()
    }

    /// Everything the store keeps on disk (the SQLite files, or a dump of the PostgreSQL
    /// database), to check what is and is not stored.
    pub fn stored_bytes(&self) -> Vec<u8> {
        if postgres::enabled().is_some() {
            return postgres::dump(&self.dir);
        }
        let mut bytes = Vec::new();
        for f in ["th.db", "th.db-wal"] {
            if let Ok(b) = std::fs::read(self.dir.join(f)) {
                bytes.extend(b);
            }
        }
        bytes
    }

    /// One number `sql` computes on this server's database, read directly (not through
    /// the server), e.g. `SELECT COUNT(*) FROM events`.
    pub async fn raw_number(&self, sql: &str) -> i64 {
        raw_number(&self.dir, sql).await
    }

    pub fn as_account(&mut self, sid: &str, token: &str) {
        self.user = sid.into();
        self.pass = token.into();
    }

    /// Sends a request as the current account and validates the JSON it gets back.
    pub async fn call(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let req = self.http.request(
            method.parse().expect("method"),
            format!("{}{}", self.base, path),
        );
        let req = req.basic_auth(&self.user, Some(&self.pass));
        let req = if method == "POST" {
            req.header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(form).unwrap())
        } else {
            req
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{method} {path}: non-JSON body {text:?}: {e}"))
        };
        if status >= 400 {
            assert_error_body(status, &body);
        } else if path.starts_with("/v1/") || path.starts_with("/2010-04-01/") {
            openapi::assert_valid(method, path, status, &body);
        }
        (status, body)
    }

    /// Calls the operator API with the admin token.
    pub async fn admin(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let req = self
            .http
            .request(
                method.parse().expect("method"),
                format!("{}{}", self.base, path),
            )
            .bearer_auth(ADMIN_TOKEN);
        let req = if method == "POST" {
            req.header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(form).unwrap())
        } else {
            req
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        if status >= 400 {
            assert_error_body(status, &body);
        }
        (status, body)
    }

    /// Polls a bundle until its status is `want` (the pipeline runs in the background).
    pub async fn wait_status(&self, collection: &str, sid: &str, want: &str) -> Value {
        for _ in 0..200 {
            let (_, b) = self.get(&format!("/v1/{collection}/{sid}")).await;
            if b["status"] == want {
                return b;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let (_, b) = self.get(&format!("/v1/{collection}/{sid}")).await;
        panic!("{sid} never reached {want}: {b}");
    }

    /// Waits until the job worker has twice found nothing due with nothing running
    /// (`/healthz` `worker.idle_polls`), so every job due before the call has run: the way
    /// to say "nothing more happens now" without sleeping. Fails after 10 s.
    pub async fn worker_caught_up(&self) {
        let polls = || async {
            let resp = self
                .http
                .get(format!("{}/healthz", self.base))
                .send()
                .await
                .expect("healthz");
            let body: Value = resp.json().await.expect("healthz JSON");
            body["worker"]["idle_polls"]
                .as_u64()
                .or_else(|| body["checks"]["worker"]["idle_polls"].as_u64())
                .unwrap_or_else(|| panic!("no worker.idle_polls in {body}"))
        };
        // Two more: a poll counted while this call began may have read the store before.
        let want = polls().await + 2;
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let n = polls().await;
            if n >= want {
                return;
            }
            assert!(
                std::time::Instant::now() < until,
                "the job worker did not become idle within 10 s ({n} idle polls, wanted {want})"
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// A complete draft Primary Customer Profile of this account (console-only: made
    /// through the operator API), ready to submit.
    pub async fn complete_primary(&self) -> String {
        let (st, b) = self
            .admin(
                "POST",
                &format!("/admin/v1/Accounts/{}/CustomerProfiles", self.user),
                &[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", PRIMARY),
                ],
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let bu = b["sid"].as_str().unwrap().to_string();
        self.complete_business_profile(&bu).await;
        bu
    }

    /// A complete, approved Primary Customer Profile (console-only: made through the
    /// operator API), as an ISV's parent account has one.
    pub async fn approved_primary(&self) -> String {
        let (st, b) = self
            .admin(
                "POST",
                &format!("/admin/v1/Accounts/{}/CustomerProfiles", self.user),
                &[
                    ("FriendlyName", "Parent Inc"),
                    ("Email", "ops@parent.example.com"),
                    ("PolicySid", PRIMARY),
                ],
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let bu = b["sid"].as_str().unwrap().to_string();
        // An ISV's Primary: Secondary profiles are created through the API (issue 12).
        let mut isv = business_information();
        isv["business_identity"] = "isv_reseller_or_partner".into();
        self.complete_profile_with(&bu, isv).await;
        self.ok(
            &format!("/v1/CustomerProfiles/{bu}"),
            &[("Status", "pending-review")],
            200,
        )
        .await;
        self.approve(&bu).await;
        bu
    }

    /// Waits for the pipeline to take a submitted bundle in review, then approves it as
    /// the operator (under `--review auto` the pipeline may have approved it already).
    /// Waiting first keeps seeded runs deterministic.
    pub async fn approve(&self, bu: &str) {
        let collection = self.collection_of(bu).await;
        for _ in 0..400 {
            let (_, b) = self.get(&format!("/v1/{collection}/{bu}")).await;
            if b["status"] == "in-review" || b["status"] == "twilio-approved" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let (st, b) = self
            .admin(
                "POST",
                &format!("/admin/v1/Reviews/{bu}"),
                &[("Decision", "approve")],
            )
            .await;
        // 409 only when the pipeline decided first (an approval: waited for below).
        assert!(
            st == 200
                || (st == 409
                    && b["code"] == 20409
                    && b["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("twilio-approved"))),
            "the operator's approval of {bu} was refused: {b}"
        );
        self.wait_status(collection, bu, "twilio-approved").await;
    }

    async fn collection_of(&self, bu: &str) -> &'static str {
        if self.get(&format!("/v1/CustomerProfiles/{bu}")).await.0 == 200 {
            "CustomerProfiles"
        } else {
            "TrustProducts"
        }
    }

    /// An Address of the current account (2010 API).
    pub async fn address(&self) -> String {
        let b = self
            .ok(
                &format!("/2010-04-01/Accounts/{}/Addresses.json", self.user),
                &[
                    ("CustomerName", "Acme Inc"),
                    ("Street", "1 Main St"),
                    ("City", "San Francisco"),
                    ("Region", "CA"),
                    ("PostalCode", "94105"),
                    ("IsoCountry", "US"),
                ],
                201,
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    }

    /// A supporting document naming a fresh Address of the current account.
    pub async fn address_document(&self) -> String {
        let ad = self.address().await;
        self.document(
            "customer_profile_address",
            serde_json::json!({"address_sids": ad}),
        )
        .await
    }

    /// Another top-level account, made through the operator API: (SID, auth token).
    pub async fn other_account(&self, name: &str) -> (String, String) {
        let (st, a) = self
            .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", name)])
            .await;
        assert_eq!(st, 201, "{a}");
        (
            a["sid"].as_str().unwrap().to_string(),
            a["auth_token"].as_str().unwrap().to_string(),
        )
    }

    /// The store statements (BEGIN and COMMIT included) the server has sent so far
    /// (`trusthub_store_statements_total`).
    pub async fn store_statements(&self) -> f64 {
        let text = reqwest::Client::new()
            .get(format!("{}/metrics", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("trusthub_store_statements_total "))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }

    /// Provisions a phone number to the current account; returns its PN SID.
    pub async fn number(&self, e164: &str) -> String {
        let b = self
            .ok(
                &format!(
                    "/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json",
                    self.user
                ),
                &[("PhoneNumber", e164)],
                201,
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    }

    /// Runs `trusthub admin --url <this server> ARGS…`: (exited successfully, printed JSON).
    pub fn admin_cli(&self, args: &[&str]) -> (bool, Value) {
        let out = Command::new(env!("CARGO_BIN_EXE_trusthub"))
            .arg("admin")
            .args(["--url", &self.base])
            .args(args)
            .env("TRUSTHUB_ADMIN_TOKEN", ADMIN_TOKEN)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.success(), json)
    }

    pub fn account_sid(&self) -> &str {
        &self.user
    }

    /// Assigns business information, representative #1 and an address document.
    pub async fn complete_business_profile(&self, bu: &str) {
        self.complete_profile_with(bu, business_information()).await
    }

    /// As `complete_business_profile`, with these business-information attributes.
    pub async fn complete_profile_with(&self, bu: &str, business: Value) {
        let eu = self
            .end_user("customer_profile_business_information", business)
            .await;
        let rep = self
            .end_user("authorized_representative_1", representative())
            .await;
        let rd = self.address_document().await;
        for o in [&eu, &rep, &rd] {
            self.assign("CustomerProfiles", bu, o).await;
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, &[]).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        self.call("POST", path, form).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call("DELETE", path, &[]).await
    }

    /// POSTs and asserts the status; returns the body.
    pub async fn ok(&self, path: &str, form: &[(&str, &str)], want: u16) -> Value {
        let (status, body) = self.post(path, form).await;
        assert_eq!(status, want, "POST {path} {form:?} -> {body}");
        body
    }

    pub async fn profile(&self, policy: &str) -> String {
        let b = self
            .ok(
                "/v1/CustomerProfiles",
                &[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", policy),
                ],
                201,
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    }

    pub async fn trust_product(&self, policy: &str) -> String {
        let b = self
            .ok(
                "/v1/TrustProducts",
                &[
                    ("FriendlyName", "Acme VI"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", policy),
                ],
                201,
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    }

    pub async fn end_user(&self, type_name: &str, attributes: Value) -> String {
        let attrs = attributes.to_string();
        let b = self
            .ok(
                "/v1/EndUsers",
                &[
                    ("FriendlyName", "eu"),
                    ("Type", type_name),
                    ("Attributes", &attrs),
                ],
                201,
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    }

    pub async fn document(&self, type_name: &str, attributes: Value) -> String {
        let attrs = attributes.to_string();
        let b = self
            .ok(
                "/v1/SupportingDocuments",
                &[
                    ("FriendlyName", "doc"),
                    ("Type", type_name),
                    ("Attributes", &attrs),
                ],
                201,
            )
            .await;
        b["sid"].as_str().unwrap().to_string()
    }

    pub async fn assign(&self, collection: &str, bundle: &str, object: &str) -> Value {
        self.ok(
            &format!("/v1/{collection}/{bundle}/EntityAssignments"),
            &[("ObjectSid", object)],
            201,
        )
        .await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self._tmp.is_some() {
            postgres::drop_database(&self.dir);
        }
    }
}

/// One number `sql` computes on the database of a server directory (its SQLite file, or
/// its PostgreSQL database), read directly, whether a server runs on it or not.
pub async fn raw_number(dir: &Path, sql: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = postgres::database_url(dir)
        .unwrap_or_else(|| format!("sqlite://{}/th.db?mode=ro", dir.display()));
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let _ = conn.close().await;
    n
}

pub fn business_information() -> Value {
    serde_json::json!({
        "business_name": "Acme Inc",
        "business_identity": "direct_customer",
        "business_type": "Corporation",
        "business_industry": "TECHNOLOGY",
        "business_registration_identifier": "USA: Employer Identification Number (EIN)",
        "business_registration_number": "123456789",
        "business_regions_of_operation": "USA_AND_CANADA",
        "website_url": "https://acme.example.com",
        "social_media_profile_urls": ""
    })
}

pub fn representative() -> Value {
    serde_json::json!({
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@acme.example.com",
        "phone_number": "+15555550100",
        "business_title": "CEO",
        "job_position": "CEO"
    })
}

pub fn address_document() -> Value {
    serde_json::json!({"address_sids": "AD0123456789abcdef0123456789abcdef"})
}

pub fn random_sid(prefix: &str) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}{:032x}", n)
}

/// A refusal identified by its rule: the HTTP status, Twilio's code and the meaningful
/// part of the message (several rules share one code, e.g. 22205).
#[track_caller]
pub fn assert_refused(got: (u16, &Value), status: u16, code: u64, says: &str) {
    let (st, body) = got;
    assert_eq!(
        (st, body["code"].as_u64()),
        (status, Some(code)),
        "wanted {status}/{code} saying {says:?}: {body}"
    );
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(says),
        "wanted a message saying {says:?}: {body}"
    );
}

/// Twilio's legacy error body: the helper libraries pick their exception class from it.
pub fn assert_error_body(status: u16, body: &Value) {
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("error body {body} is not an object"));
    assert!(obj["code"].is_u64(), "code in {body}");
    assert!(
        !obj["message"].as_str().unwrap_or("").is_empty(),
        "message in {body}"
    );
    assert_eq!(
        obj["more_info"],
        format!("https://www.twilio.com/docs/errors/{}", obj["code"])
    );
    assert_eq!(obj["status"], status, "status in {body}");
    assert!(
        !obj.contains_key("type") && !obj.contains_key("title"),
        "{body}"
    );
}

/// True when the peer closed `c` within `within` (whatever it sent first).
pub fn closed_within(c: &mut std::net::TcpStream, within: std::time::Duration) -> bool {
    use std::io::Read;
    let until = std::time::Instant::now() + within;
    c.set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 1024];
    while std::time::Instant::now() < until {
        match c.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

/// A process's CPU time (user + system) in clock ticks, from `/proc/<pid>/stat`.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}
