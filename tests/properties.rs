//! Hostile input (issue 8): property tests over HTTP against the real server. Each test
//! starts one server, makes a few real objects (so updates and nested paths reach real
//! handlers), and sends generated requests: random form bodies to every create and update
//! endpoint, random `Attributes`, random SID-like path segments in every fetch, update and
//! delete path, random paging parameters on every list, random 2010 paths and suffixes.
//!
//! The property, for every answer: no 5xx, the connection is not dropped, and every
//! non-2xx answer is Twilio's error body: a JSON object with an integer `code`, a string
//! `message`, `more_info` = `https://www.twilio.com/docs/errors/<code>`, an integer
//! `status` equal to the HTTP status, and no `type`/`title`.
//!
//! A server refusing everything would satisfy that, so each property also checks both
//! sides where the input says what the answer must be: generated valid input is accepted
//! (2xx), and input breaking one known rule is refused with that rule's status and code
//! ([`Expect`]). Every property counts both kinds and fails unless each count is non-zero.
//!
//! Runs are reproducible: a fixed seed (not read from `PROPTEST_RNG_SEED`) and a fixed
//! number of cases; `PROPERTIES_CASES` raises the count for a longer local run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on failure.

#[path = "common/mod.rs"]
mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestCaseError, TestError, TestRunner};
use serde_json::{json, Value};
use std::fmt::Write as _;

const SEED: u64 = 0x7472_7573_7468_7562; // "trusthub"

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPERTIES_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(SEED),
        max_shrink_iters: 300,
        max_shrink_time: 30_000,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------- the server and its objects

struct World {
    s: Server,
    http: reqwest::Client,
    /// A draft customer profile with `eu` and `rd` assigned, a number and an evaluation.
    bu: String,
    tp: String,
    eu: String,
    rd: String,
    ad: String,
    pn: String,
    sk: String,
    sub: String,
    bv: String,
    ra: String,
    el: String,
    /// How many answers of each status the property saw.
    seen: std::cell::RefCell<std::collections::BTreeMap<u16, usize>>,
    /// Answers checked against [`Expect::Accepted`] and [`Expect::Refused`].
    accepted: std::cell::Cell<usize>,
    refused: std::cell::Cell<usize>,
}

impl World {
    fn sids(&self) -> Vec<String> {
        [
            &self.bu, &self.tp, &self.eu, &self.rd, &self.ad, &self.pn, &self.sk, &self.sub,
            &self.bv, &self.ra, &self.el,
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([SID, SECONDARY, PRIMARY, VOICE_INTEGRITY].map(String::from))
        .collect()
    }

    /// Every create and update endpoint (POST).
    fn post_paths(&self) -> Vec<String> {
        let (bu, tp) = (&self.bu, &self.tp);
        let mut v: Vec<String> = vec![
            "/v1/CustomerProfiles".into(),
            format!("/v1/CustomerProfiles/{bu}"),
            "/v1/TrustProducts".into(),
            format!("/v1/TrustProducts/{tp}"),
            "/v1/EndUsers".into(),
            format!("/v1/EndUsers/{}", self.eu),
            "/v1/SupportingDocuments".into(),
            format!("/v1/SupportingDocuments/{}", self.rd),
        ];
        for b in [
            format!("CustomerProfiles/{bu}"),
            format!("TrustProducts/{tp}"),
        ] {
            for sub in [
                "EntityAssignments",
                "ChannelEndpointAssignments",
                "Evaluations",
            ] {
                v.push(format!("/v1/{b}/{sub}"));
            }
        }
        let a = format!("/2010-04-01/Accounts/{SID}");
        v.extend([
            "/2010-04-01/Accounts.json".to_string(),
            format!("{a}.json"),
            format!("/2010-04-01/Accounts/{}.json", self.sub),
            format!("{a}/Keys.json"),
            format!("{a}/Keys/{}.json", self.sk),
            format!("{a}/Addresses.json"),
            format!("{a}/Addresses/{}.json", self.ad),
            format!("{a}/IncomingPhoneNumbers.json"),
            format!("{a}/IncomingPhoneNumbers/{}.json", self.pn),
        ]);
        v
    }

    /// Every list endpoint (GET).
    fn list_paths(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            "CustomerProfiles",
            "TrustProducts",
            "EndUsers",
            "SupportingDocuments",
            "Policies",
            "EndUserTypes",
            "SupportingDocumentTypes",
        ]
        .iter()
        .map(|c| format!("/v1/{c}"))
        .collect();
        for b in [
            format!("CustomerProfiles/{}", self.bu),
            format!("TrustProducts/{}", self.tp),
        ] {
            for sub in [
                "EntityAssignments",
                "ChannelEndpointAssignments",
                "Evaluations",
            ] {
                v.push(format!("/v1/{b}/{sub}"));
            }
        }
        v.push("/2010-04-01/Accounts.json".into());
        for acct in [SID, self.sub.as_str()] {
            for r in ["Keys", "Addresses", "IncomingPhoneNumbers"] {
                v.push(format!("/2010-04-01/Accounts/{acct}/{r}.json"));
            }
        }
        v
    }

    /// Paths with one `{}` where a SID goes: (methods, template). A 2010 SID gets a suffix.
    fn sid_paths(&self) -> Vec<(&'static [&'static str], String)> {
        const GDP: &[&str] = &["GET", "DELETE", "POST"];
        const GD: &[&str] = &["GET", "DELETE"];
        const G: &[&str] = &["GET"];
        const GP: &[&str] = &["GET", "POST"];
        let (bu, tp) = (&self.bu, &self.tp);
        let a = format!("/2010-04-01/Accounts/{SID}");
        vec![
            (GDP, "/v1/CustomerProfiles/{}".into()),
            (GDP, "/v1/TrustProducts/{}".into()),
            (GDP, "/v1/EndUsers/{}".into()),
            (GDP, "/v1/SupportingDocuments/{}".into()),
            (G, "/v1/Policies/{}".into()),
            (G, "/v1/EndUserTypes/{}".into()),
            (G, "/v1/SupportingDocumentTypes/{}".into()),
            (
                GD,
                format!("/v1/CustomerProfiles/{bu}/EntityAssignments/{{}}"),
            ),
            (
                GD,
                format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments/{{}}"),
            ),
            (G, format!("/v1/CustomerProfiles/{bu}/Evaluations/{{}}")),
            (GD, format!("/v1/TrustProducts/{tp}/EntityAssignments/{{}}")),
            (
                GD,
                format!("/v1/TrustProducts/{tp}/ChannelEndpointAssignments/{{}}"),
            ),
            (G, format!("/v1/TrustProducts/{tp}/Evaluations/{{}}")),
            // The SID as the parent.
            (GP, "/v1/CustomerProfiles/{}/EntityAssignments".into()),
            (
                GP,
                "/v1/CustomerProfiles/{}/ChannelEndpointAssignments".into(),
            ),
            (GP, "/v1/TrustProducts/{}/Evaluations".into()),
            (
                GD,
                format!("/v1/CustomerProfiles/{{}}/EntityAssignments/{}", self.bv),
            ),
            (
                G,
                format!("/v1/CustomerProfiles/{{}}/Evaluations/{}", self.el),
            ),
            (
                GD,
                format!(
                    "/v1/CustomerProfiles/{{}}/ChannelEndpointAssignments/{}",
                    self.ra
                ),
            ),
            // 2010.
            (GP, "/2010-04-01/Accounts/{}".into()),
            (GDP, format!("{a}/Keys/{{}}")),
            (GDP, format!("{a}/Addresses/{{}}")),
            (GDP, format!("{a}/IncomingPhoneNumbers/{{}}")),
            (GP, "/2010-04-01/Accounts/{}/Keys.json".into()),
            (GP, "/2010-04-01/Accounts/{}/Addresses.json".into()),
            (
                GP,
                "/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json".into(),
            ),
        ]
    }
}

fn world(rt: &tokio::runtime::Runtime) -> World {
    let s = Server::start();
    rt.block_on(async move {
        let bu = s.profile(SECONDARY).await;
        let tp = s.trust_product(VOICE_INTEGRITY).await;
        let eu = s
            .end_user(
                "customer_profile_business_information",
                business_information(),
            )
            .await;
        let ad = s.address().await;
        let rd = s
            .document("customer_profile_address", json!({ "address_sids": ad }))
            .await;
        let bv = s.assign("CustomerProfiles", &bu, &eu).await["sid"]
            .as_str()
            .unwrap()
            .to_string();
        s.assign("CustomerProfiles", &bu, &rd).await;
        let pn = s.number("+15005550006").await;
        let ra = s
            .ok(
                &format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"),
                &[
                    ("ChannelEndpointType", "phone-number"),
                    ("ChannelEndpointSid", &pn),
                ],
                201,
            )
            .await["sid"]
            .as_str()
            .unwrap()
            .to_string();
        let el = s
            .ok(
                &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
                &[("PolicySid", SECONDARY)],
                201,
            )
            .await["sid"]
            .as_str()
            .unwrap()
            .to_string();
        let sk = s
            .ok(
                &format!("/2010-04-01/Accounts/{SID}/Keys.json"),
                &[("FriendlyName", "key")],
                201,
            )
            .await["sid"]
            .as_str()
            .unwrap()
            .to_string();
        let sub = s
            .ok("/2010-04-01/Accounts.json", &[("FriendlyName", "sub")], 201)
            .await["sid"]
            .as_str()
            .unwrap()
            .to_string();
        World {
            s,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
            bu,
            tp,
            eu,
            rd,
            ad,
            pn,
            sk,
            sub,
            bv,
            ra,
            el,
            seen: Default::default(),
            accepted: Default::default(),
            refused: Default::default(),
        }
    })
}

// ---------------------------------------------------------------- the property

/// A non-2xx answer must be Twilio's error body.
fn twilio_error(status: u16, body: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "the body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(body)
        )
    })?;
    let o = v.as_object().ok_or("the body is not a JSON object")?;
    let code = o
        .get("code")
        .and_then(Value::as_u64)
        .ok_or("no integer `code`")?;
    o.get("message")
        .and_then(Value::as_str)
        .ok_or("no string `message`")?;
    if o.get("more_info") != Some(&json!(format!("https://www.twilio.com/docs/errors/{code}"))) {
        return Err("`more_info` is not https://www.twilio.com/docs/errors/<code>".into());
    }
    if o.get("status").and_then(Value::as_u64) != Some(status.into()) {
        return Err("`status` is not the HTTP status".into());
    }
    if o.contains_key("type") || o.contains_key("title") {
        return Err("a `type` or `title` key".into());
    }
    Ok(())
}

/// What the answer to a request must be, beyond the property every answer meets.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Nothing more is known.
    Any,
    /// Valid input: a 2xx answer.
    Accepted,
    /// Input breaking one rule: refused with this HTTP status and Twilio code.
    Refused(u16, u64),
}

struct Request {
    method: &'static str,
    /// Path and query, already percent-encoded as they go on the wire.
    target: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    expect: Expect,
}

impl Request {
    fn get(target: String) -> Self {
        Request {
            method: "GET",
            target,
            content_type: None,
            body: vec![],
            expect: Expect::Any,
        }
    }

    /// A form POST.
    fn post(target: String, form: &[(&str, &str)], expect: Expect) -> Self {
        Request {
            method: "POST",
            target,
            content_type: Some("application/x-www-form-urlencoded"),
            body: serde_urlencoded::to_string(form).unwrap().into_bytes(),
            expect,
        }
    }

    fn expect(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }
}

impl World {
    async fn send(&self, r: &Request) -> Result<(), TestCaseError> {
        let url = format!("{}{}", self.s.base, r.target);
        let what = || {
            format!(
                "{} {} (body {:?})",
                r.method,
                r.target,
                String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
            )
        };
        let mut req = self
            .http
            .request(r.method.parse().unwrap(), &url)
            .basic_auth(SID, Some(TOKEN));
        if let Some(ct) = r.content_type {
            req = req.header("content-type", ct);
        }
        if r.method != "GET" || !r.body.is_empty() {
            req = req.body(r.body.clone());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| TestCaseError::fail(format!("{}: no answer: {e:?}", what())))?;
        let status = resp.status().as_u16();
        *self.seen.borrow_mut().entry(status).or_default() += 1;
        let body = resp.bytes().await.map_err(|e| {
            TestCaseError::fail(format!(
                "{}: {status}, then the body broke off: {e:?}",
                what()
            ))
        })?;
        if status >= 500 {
            return Err(TestCaseError::fail(format!(
                "{}: {status} {}",
                what(),
                String::from_utf8_lossy(&body)
            )));
        }
        match r.expect {
            Expect::Any => {}
            Expect::Accepted if (200..300).contains(&status) => {
                self.accepted.set(self.accepted.get() + 1)
            }
            Expect::Refused(want, code)
                if status == want
                    && serde_json::from_slice::<Value>(&body)
                        .is_ok_and(|v| v["code"].as_u64() == Some(code)) =>
            {
                self.refused.set(self.refused.get() + 1)
            }
            want => {
                return Err(TestCaseError::fail(format!(
                    "{}: wanted {want:?}, got {status} {}",
                    what(),
                    String::from_utf8_lossy(&body)
                )))
            }
        }
        // A HEAD answer has no body to check.
        if !(200..300).contains(&status) && r.method != "HEAD" {
            twilio_error(status, &body).map_err(|why| {
                TestCaseError::fail(format!(
                    "{}: {status} is not Twilio's error body: {why}: {}",
                    what(),
                    String::from_utf8_lossy(&body)
                ))
            })?;
        }
        Ok(())
    }
}

/// Runs `check` on `cases` generated values against one server; a failure is shrunk and
/// reported with the smallest input found.
fn run<S, F>(cases: u32, strategy: impl Fn(&World) -> S, check: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(&World, &S::Value) -> Vec<Request>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let w = world(&rt);
    // Every case also sends one generated valid request and one breaking a known rule.
    let strategy = (strategy(&w), known());
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&strategy, |(v, k)| {
        rt.block_on(async {
            for r in check(&w, &v).into_iter().chain(k.requests(&w)) {
                w.send(&r).await?;
            }
            Ok(())
        })
    });
    let (accepted, refused) = (w.accepted.get(), w.refused.get());
    eprintln!(
        "answers by status: {:?}; checked: {accepted} valid inputs accepted, {refused} invalid ones refused with their code",
        w.seen.borrow()
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, v)) => panic!("{why}\n\nminimal failing input: {v:#?}"),
        Err(e) => panic!("{e}"),
    }
    // Both sides were checked: a server refusing (or accepting) everything fails.
    assert!(
        accepted > 0 && refused > 0,
        "the property checked {accepted} valid and {refused} invalid inputs; both must be non-zero"
    );
}

// ---------------------------------------------------------------- both sides

/// A valid request with generated values: it must be accepted.
#[derive(Clone, Debug)]
enum Valid {
    /// A new FriendlyName for the world's end user.
    Rename(String),
    /// A customer profile with this FriendlyName and email local part.
    Profile(String, String),
    /// An Address with this CustomerName.
    Address(String),
    /// A business-information end user with this business_name.
    Business(String),
}

/// A request breaking exactly one documented rule (README "Error codes"), with generated
/// values: it must be refused with that rule's code.
#[derive(Clone, Debug)]
enum Invalid {
    /// A FriendlyName of this many characters (over 255): 20002.
    LongName(usize),
    /// StatusCallback `ftp://…`: 21609.
    Callback(String),
    /// A Status that is no status: 22203.
    Status(String),
    /// An unknown PolicySid: 22200.
    Policy(String),
    /// An unknown end-user Type: 22200.
    Type(String),
    /// Attributes that are JSON but not an object: 22207.
    Attributes(String),
    /// An unknown ObjectSid: 22205.
    ObjectSid(String),
    /// A PhoneNumber that is not E.164: 21421.
    PhoneNumber(String),
    /// An IsoCountry that is not ISO-3166 alpha-2: 21628.
    IsoCountry(String),
    /// A PageSize that is not a number: 20007.
    PageSize(String),
}

#[derive(Clone, Debug)]
struct Known(Valid, Invalid);

/// Text a FriendlyName or a name attribute may hold.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 .,&'()-]{0,63}"
}

fn known() -> impl Strategy<Value = Known> {
    let valid = prop_oneof![
        name().prop_map(Valid::Rename),
        (name(), "[a-z0-9]{1,16}").prop_map(|(n, e)| Valid::Profile(n, e)),
        name().prop_map(Valid::Address),
        name().prop_map(Valid::Business),
    ];
    let json_not_object = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::collection::vec(any::<i32>(), 0..5).prop_map(|v| json!(v).to_string()),
        "[a-z ]{0,10}".prop_map(|t| json!(t).to_string()),
        prop::sample::select(vec!["null", "true", "false", "[]", "[{}]"]).prop_map(String::from),
    ];
    let invalid = prop_oneof![
        (256usize..2000).prop_map(Invalid::LongName),
        "[a-z0-9.]{1,30}".prop_map(Invalid::Callback),
        "[a-z-]{1,20}".prop_map(|s| Invalid::Status(format!("x{s}"))),
        "[0-9a-f]{32}".prop_map(|h| Invalid::Policy(format!("RN{h}"))),
        "[a-z_]{1,20}".prop_map(|t| Invalid::Type(format!("zz_{t}"))),
        json_not_object.prop_map(Invalid::Attributes),
        "[0-9a-f]{32}".prop_map(|h| Invalid::ObjectSid(format!("IT{h}"))),
        "[A-Za-z ()-]{1,15}".prop_map(Invalid::PhoneNumber),
        "[0-9]{2}|[A-Z]{3}".prop_map(Invalid::IsoCountry),
        "[A-Za-z]{1,8}".prop_map(Invalid::PageSize),
    ];
    (valid, invalid).prop_map(|(v, i)| Known(v, i))
}

impl Known {
    fn requests(&self, w: &World) -> Vec<Request> {
        use Expect::{Accepted, Refused};
        let a = format!("/2010-04-01/Accounts/{SID}");
        let info = business_information().to_string();
        let address = |country: &str, customer: &str| -> Vec<(String, String)> {
            [
                ("CustomerName", customer),
                ("Street", "1 Main St"),
                ("City", "San Francisco"),
                ("Region", "CA"),
                ("PostalCode", "94105"),
                ("IsoCountry", country),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
            v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
        }
        let profile = |extra: (&str, &str), expect| {
            Request::post(
                "/v1/CustomerProfiles".into(),
                &[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", SECONDARY),
                    extra,
                ],
                expect,
            )
        };
        let end_user = |ty: &str, attrs: &str, expect| {
            Request::post(
                "/v1/EndUsers".into(),
                &[("FriendlyName", "eu"), ("Type", ty), ("Attributes", attrs)],
                expect,
            )
        };
        let valid = match &self.0 {
            Valid::Rename(n) => Request::post(
                format!("/v1/EndUsers/{}", w.eu),
                &[("FriendlyName", n)],
                Accepted,
            ),
            Valid::Profile(n, e) => Request::post(
                "/v1/CustomerProfiles".into(),
                &[
                    ("FriendlyName", n),
                    ("Email", &format!("{e}@example.com")),
                    ("PolicySid", SECONDARY),
                ],
                Accepted,
            ),
            Valid::Address(n) => Request::post(
                format!("{a}/Addresses.json"),
                &pairs(&address("US", n)),
                Accepted,
            ),
            Valid::Business(n) => {
                let mut b = business_information();
                b["business_name"] = n.as_str().into();
                end_user(
                    "customer_profile_business_information",
                    &b.to_string(),
                    Accepted,
                )
            }
        };
        let invalid = match &self.1 {
            Invalid::LongName(n) => Request::post(
                format!("/v1/EndUsers/{}", w.eu),
                &[("FriendlyName", &"n".repeat(*n))],
                Refused(400, 20002),
            ),
            Invalid::Callback(host) => profile(
                ("StatusCallback", &format!("ftp://{host}/hook")),
                Refused(400, 21609),
            ),
            Invalid::Status(st) => Request::post(
                format!("/v1/CustomerProfiles/{}", w.bu),
                &[("Status", st)],
                Refused(400, 22203),
            ),
            Invalid::Policy(sid) => Request::post(
                "/v1/CustomerProfiles".into(),
                &[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", sid),
                ],
                Refused(400, 22200),
            ),
            Invalid::Type(ty) => end_user(ty, &info, Refused(400, 22200)),
            Invalid::Attributes(attrs) => end_user(
                "customer_profile_business_information",
                attrs,
                Refused(400, 22207),
            ),
            Invalid::ObjectSid(sid) => Request::post(
                format!("/v1/CustomerProfiles/{}/EntityAssignments", w.bu),
                &[("ObjectSid", sid)],
                Refused(400, 22205),
            ),
            Invalid::PhoneNumber(n) => Request::post(
                format!("{a}/IncomingPhoneNumbers.json"),
                &[("PhoneNumber", n)],
                Refused(400, 21421),
            ),
            Invalid::IsoCountry(c) => Request::post(
                format!("{a}/Addresses.json"),
                &pairs(&address(c, "Acme")),
                Refused(400, 21628),
            ),
            Invalid::PageSize(size) => {
                Request::get(format!("/v1/EndUsers?PageSize={size}")).expect(Refused(400, 20007))
            }
        };
        vec![valid, invalid]
    }
}

// ---------------------------------------------------------------- generators

/// Every parameter name the API reads, some near misses, and anything.
fn key() -> impl Strategy<Value = String> {
    let known = [
        "FriendlyName",
        "Email",
        "PolicySid",
        "StatusCallback",
        "Status",
        "Type",
        "Attributes",
        "ObjectSid",
        "ChannelEndpointType",
        "ChannelEndpointSid",
        "ChannelEndpointSids",
        "CustomerProfileSid",
        "PhoneNumber",
        "AccountSid",
        "CustomerName",
        "Street",
        "StreetSecondary",
        "City",
        "Region",
        "PostalCode",
        "IsoCountry",
        "EmergencyEnabled",
        "AutoCorrectAddress",
        "AreaCode",
        "VoiceUrl",
        "VoiceMethod",
        "SmsUrl",
        "SmsMethod",
        "VoiceCallerIdLookup",
        "VoiceReceiveMode",
        "EmergencyStatus",
        "EmergencyAddressSid",
        "BundleSid",
        "AddressSid",
        "TrunkSid",
        "ApiVersion",
        "StatusCallbackMethod",
        "PageSize",
        "Page",
        "PageToken",
        "friendlyname",
        "FRIENDLYNAME",
        " FriendlyName",
        "FriendlyName ",
        "FriendlyName[]",
        "Attributes[business_name]",
        "",
    ];
    prop_oneof![
        4 => prop::sample::select(known.to_vec()).prop_map(String::from),
        1 => "\\PC{0,12}",
        1 => "[A-Za-z]{1,20}",
    ]
}

fn value(sids: Vec<String>) -> impl Strategy<Value = String> {
    let interesting = [
        "",
        " ",
        "x",
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1e309",
        "NaN",
        "99999999999999999999999999",
        "-9223372036854775808",
        "draft",
        "pending-review",
        "in-review",
        "twilio-approved",
        "twilio-rejected",
        "suspended",
        "closed",
        "active",
        "phone-number",
        "customer_profile_business_information",
        "authorized_representative_1",
        "customer_profile_address",
        "voice_integrity_information",
        "+15005550006",
        "+1",
        "15005550006",
        "US",
        "ZZ",
        "a@b.co",
        "not an email",
        "http://127.0.0.1:9/hook",
        "https://example.com/x?y=1#z",
        "javascript:alert(1)",
        "ftp://x",
        "{}",
        "[]",
        "{\"a\":1}",
        "\u{0}",
        "Acme\u{0}Inc",
        "\u{feff}",
        "💥",
        "%",
        "%00",
        "AC",
        "BU",
        "RN",
        "PN",
        "BUffffffffffffffffffffffffffffffff",
        "ACffffffffffffffffffffffffffffffff",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\"; DROP TABLE bundles; --",
    ];
    prop_oneof![
        3 => prop::sample::select(interesting.to_vec()).prop_map(String::from),
        2 => prop::sample::select(sids),
        2 => "\\PC{0,40}",
        // Control characters (NUL included) among others.
        2 => "(\\PC|[\\x00-\\x1f\\x7f]){0,12}",
        1 => "[a-z]{0,3}\\x00[a-z]{0,3}",
        1 => any::<String>(),
        1 => (1usize..2000).prop_map(|n| "x".repeat(n)),
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ]
}

/// Bytes that break percent-decoding or UTF-8, or the form's structure.
const GARBAGE: &[&str] = &[
    "%",
    "%%",
    "%G1",
    "%1",
    "%FF%FE",
    "%C0%AF",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%80",
    "=",
    "&",
    "==",
    "&&",
    "+",
    "%00",
    "%2",
    "a=%",
    "=%FF",
    "%%3D",
    "%3D%26",
    "\u{0}",
    "\r\n",
    ";",
];

fn form_bytes(sids: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        // k=v, properly encoded
        4 => (key(), value(sids.clone())).prop_map(|(k, v)| {
            serde_urlencoded::to_string([(k, v)]).unwrap().into_bytes()
        }),
        // k=v, not encoded at all
        1 => (key(), value(sids)).prop_map(|(k, v)| format!("{k}={v}").into_bytes()),
        1 => prop::sample::select(GARBAGE.to_vec()).prop_map(|g| g.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..16),
    ];
    prop_oneof![
        6 => (prop::collection::vec(piece, 0..12), any::<bool>()).prop_map(|(pieces, amp)| {
            pieces.join(if amp { &b"&"[..] } else { &b""[..] })
        }),
        1 => prop::collection::vec(any::<u8>(), 0..2048),
        1 => Just(vec![]),
        // Many parameters, or one key repeated many times.
        1 => (1usize..5000, any::<bool>()).prop_map(|(n, same)| {
            (0..n)
                .map(|i| if same { "FriendlyName=x".to_string() } else { format!("K{i}={i}") })
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        }),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        6 => Just(Some("application/x-www-form-urlencoded")),
        1 => Just(Some("application/x-www-form-urlencoded; charset=utf-8")),
        1 => Just(Some("application/json")),
        1 => Just(Some("multipart/form-data; boundary=x")),
        1 => Just(Some("text/plain; charset=x-unknown")),
        1 => Just(None),
    ]
}

/// Percent-encodes everything but unreserved characters.
fn encode_segment(raw: &[u8]) -> String {
    let mut out = String::new();
    for &b in raw {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A SID-like path segment, as it goes on the wire: any prefix and length and case,
/// percent-encoded bytes, near misses of real SIDs.
fn sid_segment(sids: Vec<String>) -> impl Strategy<Value = String> {
    let prefix = prop_oneof![
        3 => prop::sample::select(vec![
            "BU", "IT", "RD", "RN", "OY", "BV", "RA", "EL", "AC", "SK", "AD", "PN", "bu", "Bu",
            "ac", "", "B", "BUBU",
        ])
        .prop_map(String::from),
        1 => "[A-Za-z]{0,4}",
    ];
    let rest = prop_oneof![
        3 => "[0-9a-f]{32}",
        2 => "[0-9a-fA-F]{0,40}",
        1 => "[0-9A-Za-z]{0,70}",
        1 => "[0-9a-f]{32}\\.json",
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| encode_segment(&b)),
        1 => "\\PC{0,20}".prop_map(|s| encode_segment(s.as_bytes())),
        1 => "(\\PC|[\\x00-\\x1f]){0,12}".prop_map(|s| encode_segment(s.as_bytes())),
        1 => "[0-9a-f]{0,16}%00[0-9a-f]{0,16}",
        1 => prop::sample::select(GARBAGE.to_vec()).prop_map(String::from),
    ];
    let near_miss =
        (prop::sample::select(sids), 0usize..6, any::<u8>()).prop_map(|(s, how, b)| match how {
            0 => s.to_uppercase(),
            1 => s.to_lowercase(),
            2 => s[..s.len() - 1].to_string(),
            3 => format!("{s}0"),
            4 => format!("{s}%{b:02X}"),
            _ => format!("{}%{:02X}{}", &s[..2], s.as_bytes()[2], &s[3..]),
        });
    prop_oneof![
        5 => (prefix, rest).prop_map(|(p, r)| format!("{p}{r}")),
        1 => near_miss,
        1 => (1usize..3000).prop_map(|n| "A".repeat(n)),
    ]
}

/// Whether a path segment, percent-decoded, may name one of the world's objects.
fn names_real(w: &World, segment: &str) -> bool {
    let mut bytes = Vec::new();
    let raw = segment.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (raw[i], hex) {
            (b'%', Some(b)) => {
                bytes.push(b);
                i += 3;
            }
            (b, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8_lossy(&bytes).to_lowercase();
    w.sids()
        .iter()
        .any(|s| decoded.starts_with(&s.to_lowercase()))
}

/// A segment that stays one path segment naming one thing: not empty, no encoded slash,
/// dot or control character (those may route elsewhere or be refused as such).
fn plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() < 1000
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// What follows a 2010 SID or resource name.
fn suffix() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(".json".to_string()),
        4 => prop::sample::select(vec![
            "", ".JSON", ".Json", ".xml", ".csv", ".json.json", ".json/", "/", ".js", ".",
            "%2Ejson", ".json%00", ";.json", "..json", ".json.", "%2F.json", ".jsonx", "json",
            ".json/extra", ".json/Keys.json",
        ])
        .prop_map(String::from),
        1 => "\\.[a-zA-Z]{0,6}",
    ]
}

// ---------------------------------------------------------------- the properties

/// Random form bodies POSTed to every create and update endpoint.
#[test]
fn random_forms_to_every_create_and_update() {
    run(
        64,
        |w| (form_bytes(w.sids()), content_type()),
        |w, (body, ct)| {
            w.post_paths()
                .into_iter()
                .map(|target| Request {
                    method: "POST",
                    target,
                    content_type: *ct,
                    body: body.clone(),
                    expect: Expect::Any,
                })
                .collect()
        },
    );
}

impl World {
    /// Every create and update endpoint with a form it accepts.
    fn valid_forms(&self) -> Vec<(String, Vec<(String, String)>)> {
        let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let info = business_information().to_string();
        let addr = json!({ "address_sids": self.ad }).to_string();
        let hook = "https://example.com/hook";
        let (bu, tp) = (&self.bu, &self.tp);
        let a = format!("/2010-04-01/Accounts/{SID}");
        let address = [
            ("CustomerName", "Acme"),
            ("Street", "1 Main St"),
            ("City", "San Francisco"),
            ("Region", "CA"),
            ("PostalCode", "94105"),
            ("IsoCountry", "US"),
        ];
        vec![
            (
                "/v1/CustomerProfiles".into(),
                f(&[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", SECONDARY),
                    ("StatusCallback", hook),
                ]),
            ),
            (
                format!("/v1/CustomerProfiles/{bu}"),
                f(&[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("StatusCallback", hook),
                ]),
            ),
            (
                "/v1/TrustProducts".into(),
                f(&[
                    ("FriendlyName", "Acme"),
                    ("Email", "ops@acme.com"),
                    ("PolicySid", VOICE_INTEGRITY),
                ]),
            ),
            (
                format!("/v1/TrustProducts/{tp}"),
                f(&[("FriendlyName", "Acme")]),
            ),
            (
                "/v1/EndUsers".into(),
                f(&[
                    ("FriendlyName", "eu"),
                    ("Type", "customer_profile_business_information"),
                    ("Attributes", &info),
                ]),
            ),
            (
                format!("/v1/EndUsers/{}", self.eu),
                f(&[("FriendlyName", "eu"), ("Attributes", &info)]),
            ),
            (
                "/v1/SupportingDocuments".into(),
                f(&[
                    ("FriendlyName", "doc"),
                    ("Type", "customer_profile_address"),
                    ("Attributes", &addr),
                ]),
            ),
            (
                format!("/v1/SupportingDocuments/{}", self.rd),
                f(&[("FriendlyName", "doc"), ("Attributes", &addr)]),
            ),
            (
                format!("/v1/TrustProducts/{tp}/EntityAssignments"),
                f(&[("ObjectSid", bu)]),
            ),
            (
                format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"),
                f(&[
                    ("ChannelEndpointType", "phone-number"),
                    ("ChannelEndpointSid", &self.pn),
                ]),
            ),
            (
                format!("/v1/CustomerProfiles/{bu}/Evaluations"),
                f(&[("PolicySid", SECONDARY)]),
            ),
            (
                format!("/v1/TrustProducts/{tp}/Evaluations"),
                f(&[("PolicySid", VOICE_INTEGRITY)]),
            ),
            (
                "/2010-04-01/Accounts.json".into(),
                f(&[("FriendlyName", "sub")]),
            ),
            (
                format!("/2010-04-01/Accounts/{}.json", self.sub),
                f(&[("FriendlyName", "sub")]),
            ),
            (format!("{a}/Keys.json"), f(&[("FriendlyName", "key")])),
            (
                format!("{a}/Keys/{}.json", self.sk),
                f(&[("FriendlyName", "key")]),
            ),
            (format!("{a}/Addresses.json"), f(&address)),
            (
                format!("{a}/Addresses/{}.json", self.ad),
                f(&[("FriendlyName", "home"), ("Street", "2 Main St")]),
            ),
            (
                format!("{a}/IncomingPhoneNumbers.json"),
                f(&[("PhoneNumber", "+15005550100"), ("FriendlyName", "n")]),
            ),
            (
                format!("{a}/IncomingPhoneNumbers/{}.json", self.pn),
                f(&[
                    ("FriendlyName", "n"),
                    ("VoiceUrl", "https://example.com/v"),
                    ("VoiceMethod", "POST"),
                ]),
            ),
        ]
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of the i-th (modulo) parameter.
    Set(usize, String),
    /// Drop the i-th parameter.
    Drop(usize),
    /// Send the i-th parameter again with another value.
    Repeat(usize, String),
    /// Add a parameter.
    Add(String, String),
}

fn mutations(sids: Vec<String>) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(
        prop_oneof![
            4 => (any::<usize>(), value(sids.clone())).prop_map(|(i, v)| Mutation::Set(i, v)),
            1 => any::<usize>().prop_map(Mutation::Drop),
            1 => (any::<usize>(), value(sids.clone())).prop_map(|(i, v)| Mutation::Repeat(i, v)),
            1 => (key(), value(sids)).prop_map(|(k, v)| Mutation::Add(k, v)),
        ],
        1..4,
    )
}

fn mutate(mut form: Vec<(String, String)>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let n = form.len().max(1);
        match m {
            Mutation::Set(i, v) if !form.is_empty() => form[i % n].1 = v.clone(),
            Mutation::Drop(i) if !form.is_empty() => {
                form.remove(i % n);
            }
            Mutation::Repeat(i, v) if !form.is_empty() => {
                let k = form[i % n].0.clone();
                form.push((k, v.clone()));
            }
            Mutation::Add(k, v) => form.push((k.clone(), v.clone())),
            _ => {}
        }
    }
    serde_urlencoded::to_string(&form).unwrap().into_bytes()
}

/// Forms every endpoint accepts, with one to three parameters set to hostile values,
/// dropped, repeated or added; then every list, so whatever was stored is rendered.
#[test]
fn hostile_values_in_valid_forms() {
    run(
        64,
        |w| mutations(w.sids()),
        |w, ms| {
            let mut out: Vec<Request> = w
                .valid_forms()
                .into_iter()
                .map(|(target, form)| Request {
                    method: "POST",
                    target,
                    content_type: Some("application/x-www-form-urlencoded"),
                    body: mutate(form, ms),
                    expect: Expect::Any,
                })
                .collect();
            out.extend(w.list_paths().into_iter().map(Request::get));
            for fetch in [
                format!("/v1/CustomerProfiles/{}", w.bu),
                format!("/v1/TrustProducts/{}", w.tp),
                format!("/v1/EndUsers/{}", w.eu),
                format!("/v1/SupportingDocuments/{}", w.rd),
                format!("/2010-04-01/Accounts/{}.json", w.sub),
                format!("/2010-04-01/Accounts/{SID}/Addresses/{}.json", w.ad),
                format!(
                    "/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{}.json",
                    w.pn
                ),
            ] {
                out.push(Request::get(fetch));
            }
            out
        },
    );
}

/// A JSON value of any shape, with the field names the catalog knows.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,30}".prop_map(Value::from),
        prop::sample::select(vec![
            "Acme Inc",
            "direct_customer",
            "Corporation",
            "123456789",
            "000000000",
            "USA_AND_CANADA",
            "https://acme.example.com",
            "ada@acme.example.com",
            "+15555550100",
            "ADffffffffffffffffffffffffffffffff",
            "",
        ])
        .prop_map(Value::from),
    ];
    let field = prop_oneof![
        3 => prop::sample::select(vec![
            "business_name", "business_identity", "business_type", "business_industry",
            "business_registration_identifier", "business_registration_number",
            "business_regions_of_operation", "website_url", "social_media_profile_urls",
            "first_name", "last_name", "email", "phone_number", "business_title",
            "job_position", "address_sids", "use_case", "business_employee_count",
        ])
        .prop_map(String::from),
        1 => "\\PC{0,16}",
    ];
    leaf.prop_recursive(6, 64, 10, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..10).prop_map(Value::from),
            prop::collection::vec((field.clone(), inner), 0..12)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An `Attributes` string: JSON of any shape, deep nesting, huge numbers, bad escapes,
/// duplicate keys, non-JSON; as bytes, since a form value may also carry invalid UTF-8.
fn attributes() -> impl Strategy<Value = Vec<u8>> {
    let enc = |s: String| serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string();
    prop_oneof![
        4 => json_value().prop_map(move |v| enc(v.to_string())),
        // Valid fields, values of every type.
        2 => prop::collection::vec(
            (
                prop::sample::select(vec![
                    "business_name", "business_registration_number", "website_url", "email",
                    "phone_number", "address_sids", "business_type", "last_name",
                ]),
                json_value(),
            ),
            0..8,
        )
        .prop_map(move |kv| {
            let mut o = business_information();
            for (k, v) in kv {
                o[k] = v;
            }
            enc(o.to_string())
        }),
        // Deep nesting, closed or not.
        1 => (1usize..20_000, 0usize..4).prop_map(move |(n, how)| enc(match how {
            0 => format!("{}{}", "[".repeat(n), "]".repeat(n)),
            1 => format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)),
            2 => "[".repeat(n),
            _ => format!("{{\"business_name\":{}{}}}", "[".repeat(n), "]".repeat(n)),
        })),
        // Huge numbers.
        1 => (1usize..5000, prop::sample::select(vec!["", "-", "0.", "1e", "1e-", "-0."]))
            .prop_map(move |(n, p)| enc(format!(
                "{{\"business_registration_number\":{p}{},\"business_name\":1e999999}}",
                "9".repeat(n)
            ))),
        // Escapes that are not UTF-8 or not escapes.
        1 => prop::sample::select(vec![
            r#"{"business_name":"\ud800"}"#, r#"{"business_name":"\udc00\ud800"}"#,
            r#"{"business_name":"\uZZZZ"}"#, r#"{"business_name":"\x41"}"#,
            r#"{"business_name":"\u0000"}"#, r#"{"\ud800":1}"#, r#"{"a":1,"a":2}"#,
            r#"{"business_name":"a","business_name":{"b":[]}}"#, r#"{"a":"#, r#"{,}"#,
            r#"{"a":1}garbage"#, r#"{"a":NaN}"#, r#"{"a":Infinity}"#, r#"{'a':1}"#, "",
            "null", "[]", "\"{}\"", "1", "true", " {} ", "\u{feff}{}",
        ])
        .prop_map(move |s| enc(s.to_string())),
        // Invalid UTF-8 and percent garbage inside the value.
        1 => (prop::collection::vec(any::<u8>(), 0..64), prop::sample::select(GARBAGE.to_vec()))
            .prop_map(|(b, g)| format!("{{\"business_name\":\"{}{g}\"}}", encode_segment(&b))),
        1 => (1usize..200_000).prop_map(move |n| enc(json!({ "business_name": "x".repeat(n) }).to_string())),
    ]
    .prop_map(String::into_bytes)
}

/// Random `Attributes` on end user and document creates and updates; then the bundle
/// they are assigned to is evaluated and the objects fetched, so whatever was accepted
/// also goes through the evaluation engine and the renderer.
#[test]
fn random_attributes() {
    let types = prop::sample::select(vec![
        "customer_profile_business_information",
        "authorized_representative_1",
        "voice_integrity_information",
        "customer_profile_address",
        "business_address",
        "nonexistent_type",
    ]);
    run(
        96,
        |_| (attributes(), types.clone()),
        |w, (attrs, ty)| {
            let form = |t: Option<&str>| {
                let mut b = b"FriendlyName=hostile&".to_vec();
                if let Some(t) = t {
                    b.extend(format!("Type={t}&").bytes());
                }
                b.extend(b"Attributes=");
                b.extend(attrs);
                b
            };
            let post = |target: String, body: Vec<u8>| Request {
                method: "POST",
                target,
                content_type: Some("application/x-www-form-urlencoded"),
                body,
                expect: Expect::Any,
            };
            let bu = &w.bu;
            // JSON that is not an object, for an end-user type: 400 / 22207.
            let end_user_type = [
                "customer_profile_business_information",
                "authorized_representative_1",
                "voice_integrity_information",
            ]
            .contains(ty);
            let not_object = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&form(None))
                .ok()
                .and_then(|f| f.into_iter().find(|(k, _)| k == "Attributes"))
                .filter(|(_, v)| !v.contains('\0'))
                .and_then(|(_, v)| serde_json::from_str::<Value>(&v).ok())
                .is_some_and(|v| !v.is_object());
            let create = if end_user_type && not_object {
                Expect::Refused(400, 22207)
            } else {
                Expect::Any
            };
            vec![
                post("/v1/EndUsers".into(), form(Some(ty))).expect(create),
                post("/v1/SupportingDocuments".into(), form(Some(ty))),
                post(format!("/v1/EndUsers/{}", w.eu), form(None)),
                post(format!("/v1/SupportingDocuments/{}", w.rd), form(None)),
                post(
                    format!("/v1/CustomerProfiles/{bu}/Evaluations"),
                    format!("PolicySid={SECONDARY}").into_bytes(),
                ),
                post(
                    format!("/v1/CustomerProfiles/{bu}"),
                    b"Status=pending-review".to_vec(),
                ),
                Request::get(format!("/v1/EndUsers/{}", w.eu)),
                Request::get(format!("/v1/SupportingDocuments/{}", w.rd)),
                Request::get(format!("/v1/CustomerProfiles/{bu}/Evaluations")),
                Request::get("/v1/EndUsers?PageSize=5".into()),
                Request::get("/v1/SupportingDocuments?PageSize=5".into()),
            ]
        },
    );
}

/// Random SID-like segments in every fetch, update and delete path.
#[test]
fn random_sids_in_every_path() {
    run(
        96,
        |w| (sid_segment(w.sids()), suffix()),
        |w, (seg, sfx)| {
            let mut out = Vec::new();
            for (methods, template) in w.sid_paths() {
                let is_2010 = template.starts_with("/2010-04-01/");
                // A 2010 SID at the end of the path takes a suffix.
                let seg = if is_2010 && template.ends_with("{}") {
                    format!("{seg}{sfx}")
                } else {
                    seg.clone()
                };
                let target = template.replacen("{}", &seg, 1);
                // A v1 fetch of something that is not there: 404 / 20404.
                let expect = if !is_2010 && !names_real(w, &seg) && plain_segment(&seg) {
                    Expect::Refused(404, 20404)
                } else {
                    Expect::Any
                };
                for &method in methods {
                    // Never delete the objects the other requests use.
                    if method == "DELETE" && names_real(w, &seg) {
                        continue;
                    }
                    out.push(Request {
                        method,
                        target: target.clone(),
                        content_type: Some("application/x-www-form-urlencoded"),
                        body: if method == "POST" {
                            b"FriendlyName=probe".to_vec()
                        } else {
                            vec![]
                        },
                        expect: if method == "GET" { expect } else { Expect::Any },
                    });
                }
            }
            out
        },
    );
}

fn paging_value(kind: u8) -> impl Strategy<Value = String> {
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    };
    let numbers = prop_oneof![
        3 => prop::sample::select(vec![
            "", "0", "-0", "-1", "1", "2", "50", "1000", "1001", "4294967296",
            "9223372036854775807", "9223372036854775808", "18446744073709551616",
            "99999999999999999999", "1e3", " 5", "5 ", "+5", "0x10", "NaN", "١٢", "5.0",
            "1000000000", "1000000001", "%", "\u{0}",
        ])
        .prop_map(String::from),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "[0-9]{10,40}",
        1 => "\\PC{0,12}",
    ];
    if kind == 0 {
        return numbers.boxed();
    }
    prop_oneof![
        2 => (prop::sample::select(vec!["PA", "PB", "PC", "pa", "", "P"]), any::<i64>())
            .prop_map(move |(p, n)| format!("{p}{}", b64(n.to_string().as_bytes()))),
        1 => (prop::sample::select(vec!["PA", "PB"]), prop::sample::select(vec![
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "0",
            "00", "1e3", " 1", "", "99999999999999999999999",
        ]))
        .prop_map(move |(p, n)| format!("{p}{}", b64(n.as_bytes()))),
        1 => (prop::sample::select(vec!["PA", "PB"]), prop::collection::vec(any::<u8>(), 0..24))
            .prop_map(move |(p, b)| format!("{p}{}", b64(&b))),
        1 => prop::sample::select(vec!["PA", "PB", "PA=", "PA==", "PA%3D", "PAMA", "PA!!", "PA\u{0}"])
            .prop_map(String::from),
        1 => "PA[A-Za-z0-9_=+/-]{0,40}",
        1 => "\\PC{0,30}",
    ]
    .boxed()
}

/// What `PageSize` and `Page` alone must get (README "Error codes": 20007 unless a whole
/// number: PageSize at least 1, larger ones clamped; Page from 0 to 10^9). Unknown with a
/// PageToken, a repeated parameter, a sign, or a control character.
fn paging_expect(paging: &[(&str, String)]) -> Expect {
    let once = |k| paging.iter().filter(|(n, _)| *n == k).count() <= 1;
    if !once("PageSize") || !once("Page") || paging.iter().any(|(n, _)| *n == "PageToken") {
        return Expect::Any;
    }
    let mut refused = false;
    for (name, v) in paging {
        if v.starts_with('+') || v.chars().any(char::is_control) {
            return Expect::Any;
        }
        let digits = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
        let zero = digits && v.bytes().all(|b| b == b'0');
        let ok = match *name {
            "PageSize" => v.is_empty() || (digits && !zero),
            _ => v.is_empty() || (digits && v.parse::<u64>().is_ok_and(|p| p <= 1_000_000_000)),
        };
        if *name == "PageSize" && zero && v.len() > 9 {
            return Expect::Any; // a long run of digits is clamped before it is read
        }
        refused |= !ok;
    }
    if refused {
        Expect::Refused(400, 20007)
    } else {
        Expect::Accepted
    }
}

/// Random `PageSize`, `Page`, `PageToken` (and a few filters) on every list.
#[test]
fn random_paging_on_every_list() {
    let paging = prop::collection::vec(
        prop_oneof![
            3 => paging_value(0).prop_map(|v| ("PageSize", v)),
            3 => paging_value(0).prop_map(|v| ("Page", v)),
            3 => paging_value(1).prop_map(|v| ("PageToken", v)),
        ],
        0..4,
    );
    // Every list filter, with text that includes control characters and NUL.
    let filters = prop::collection::vec(
        (
            prop::sample::select(vec![
                "FriendlyName",
                "Status",
                "PolicySid",
                "CustomerName",
                "IsoCountry",
                "PhoneNumber",
            ]),
            prop_oneof![
                2 => "(\\PC|[\\x00-\\x1f]){0,20}",
                1 => "[a-z]{0,3}\\x00[a-z]{0,3}",
                1 => prop::sample::select(vec![
                    "draft", "active", "suspended", "x", "", "US", "+15005550006", SECONDARY,
                ])
                .prop_map(String::from),
            ],
        ),
        0..3,
    );
    let garbage = prop::option::weighted(0.15, prop::sample::select(GARBAGE.to_vec()));
    run(
        96,
        move |_| (paging.clone(), filters.clone(), garbage.clone()),
        |w, (paging, filters, garbage)| {
            let enc = |pairs: &[(&str, String)]| serde_urlencoded::to_string(pairs).unwrap();
            let mut all = paging.clone();
            all.extend(filters.iter().cloned());
            let mut full = enc(&all);
            if let Some(g) = garbage {
                // Only what may stand in a URL's query as is.
                full.push_str(&g.replace(['\u{0}', '\r', '\n'], ""));
            }
            // Together, and each part alone (so a bad PageSize does not hide a filter).
            let alone = paging_expect(paging);
            let queries = [
                (full, Expect::Any),
                (enc(paging), alone),
                (enc(filters), Expect::Any),
            ];
            w.list_paths()
                .into_iter()
                .flat_map(|p| {
                    let v1 = p.starts_with("/v1/");
                    queries.iter().map(move |(q, e)| {
                        Request::get(format!("{p}?{q}")).expect(if v1 { *e } else { Expect::Any })
                    })
                })
                .collect()
        },
    );
}

/// Random 2010 paths: resources, SIDs and suffixes in any combination, any method.
#[test]
fn random_2010_paths() {
    run(
        128,
        |w| {
            let account = prop_oneof![
                2 => prop::sample::select(vec![SID.to_string(), w.sub.clone()]),
                1 => sid_segment(w.sids()),
            ];
            let resource = prop_oneof![
                4 => prop::sample::select(vec![
                    "Keys", "Addresses", "IncomingPhoneNumbers", "Calls", "Messages", "keys",
                    "addresses", "", "Accounts", "IncomingPhoneNumbers/Local",
                ])
                .prop_map(String::from),
                1 => "[A-Za-z]{1,12}",
            ];
            let shape = 0usize..6;
            let method = prop::sample::select(vec!["PUT", "PATCH", "HEAD", "OPTIONS"]);
            let extra = prop::option::weighted(0.2, sid_segment(vec!["x".repeat(3)]));
            (
                (account, resource, sid_segment(w.sids()), suffix(), suffix()),
                (shape, method, extra, form_bytes(w.sids())),
            )
        },
        |w, ((account, resource, sid, sfx1, sfx2), (shape, method, extra, body))| {
            let mut path = match shape {
                0 => format!("/2010-04-01/Accounts{sfx1}"),
                1 => format!("/2010-04-01/Accounts/{account}{sfx1}"),
                2 => format!("/2010-04-01/Accounts/{account}/{resource}{sfx1}"),
                3 => format!("/2010-04-01/Accounts/{account}/{resource}/{sid}{sfx1}"),
                4 => format!("/2010-04-01/Accounts/{SID}/{resource}/{sid}{sfx1}{sfx2}"),
                _ => format!("/2010-04-01/{resource}{sfx1}"),
            };
            if let Some(e) = extra {
                path.push('/');
                path.push_str(e);
            }
            // Every method; never delete the objects the other properties use.
            ["GET", "POST", "DELETE", method]
                .into_iter()
                .filter(|m| *m != "DELETE" || !names_real(w, sid))
                .map(|m| Request {
                    method: m,
                    target: path.clone(),
                    content_type: Some("application/x-www-form-urlencoded"),
                    body: if m == "POST" || m == "PUT" || m == "PATCH" {
                        body.clone()
                    } else {
                        vec![]
                    },
                    expect: Expect::Any,
                })
                .collect()
        },
    );
}
