//! `/metrics` (issue 17): Prometheus text behind the operator token on the API listener;
//! the counters move with a flow (requests by route template, a review decision, jobs,
//! callback deliveries) and the store's gauges are there.

use crate::common::*;
use std::collections::BTreeMap;

/// `name{labels} value` lines, keyed by name and the sorted labels.
type Samples = BTreeMap<(String, BTreeMap<String, String>), f64>;

fn parse(text: &str) -> Samples {
    let mut out = Samples::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').expect("sample line");
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split("\",")
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').expect("label");
                (k.to_string(), v.trim_matches('"').to_string())
            })
            .collect();
        out.insert((name.to_string(), labels), value.parse().expect("value"));
    }
    out
}

fn get(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    samples
        .get(&(name.to_string(), want))
        .copied()
        .unwrap_or(0.0)
}

async fn scrape(s: &Server) -> Samples {
    let resp = reqwest::Client::new()
        .get(format!("{}/metrics", s.base))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    parse(&resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_need_the_operator_token() {
    let s = Server::start();
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", s.base);
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    let as_account = http.get(&url).basic_auth(SID, Some(TOKEN)).send();
    assert_eq!(as_account.await.unwrap().status(), 401);
    let wrong = http.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn counts_move_with_a_flow() {
    let s = Server::start();
    let before = scrape(&s).await;
    let created = [
        ("method", "POST"),
        ("route", "/v1/EndUsers"),
        ("status", "201"),
    ];
    assert_eq!(get(&before, "trusthub_http_requests_total", &created), 0.0);

    // Requests: two creates, a fetch by template, an unknown path.
    let eu = s
        .end_user("authorized_representative_1", serde_json::json!({}))
        .await;
    s.end_user("authorized_representative_1", serde_json::json!({}))
        .await;
    assert_eq!(s.get(&format!("/v1/EndUsers/{eu}")).await.0, 200);
    assert_eq!(s.get("/v1/NoSuchThing").await.0, 404);

    let mid = scrape(&s).await;
    let requests = |labels: &[(&str, &str)]| get(&mid, "trusthub_http_requests_total", labels);
    assert_eq!(requests(&created), 2.0);
    let fetch = [
        ("method", "GET"),
        ("route", "/v1/EndUsers/{sid}"),
        ("status", "200"),
    ];
    assert_eq!(requests(&fetch), 1.0, "{mid:#?}");
    let unknown = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
    assert_eq!(requests(&unknown), 1.0);
    // The latency histogram of the same series: every request is in the +Inf bucket.
    let mut bucket = fetch.to_vec();
    bucket.push(("le", "+Inf"));
    assert_eq!(
        get(
            &mid,
            "trusthub_http_request_duration_seconds_bucket",
            &bucket
        ),
        1.0
    );
    assert_eq!(
        get(&mid, "trusthub_http_request_duration_seconds_count", &fetch),
        1.0
    );

    // A bundle with a status callback nobody answers, submitted and approved by the operator.
    let (st, b) = s
        .admin(
            "POST",
            &format!("/admin/v1/Accounts/{SID}/CustomerProfiles"),
            &[
                ("FriendlyName", "Parent Inc"),
                ("Email", "ops@parent.example.com"),
                ("PolicySid", PRIMARY),
                ("StatusCallback", "http://127.0.0.1:9/refused"),
            ],
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let bu = b["sid"].as_str().unwrap().to_string();
    s.complete_business_profile(&bu).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    s.approve(&bu).await;

    // Background work finishes on its own: poll the metrics until both callbacks failed and
    // both retries were counted (the job's outcome is counted after its delivery's).
    let mut after = scrape(&s).await;
    for _ in 0..400 {
        let failed = [("outcome", "failed")];
        let retried = [("kind", "callback"), ("outcome", "retry")];
        if get(&after, "trusthub_callback_deliveries_total", &failed) >= 2.0
            && get(&after, "trusthub_jobs_total", &retried) >= 2.0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        after = scrape(&s).await;
    }

    let decisions = [("by", "operator"), ("outcome", "approved")];
    assert_eq!(
        get(&before, "trusthub_review_decisions_total", &decisions),
        0.0
    );
    assert_eq!(
        get(&after, "trusthub_review_decisions_total", &decisions),
        1.0
    );
    // The pipeline's step to in-review ran as a job.
    let review_jobs = [("kind", "review"), ("outcome", "done")];
    assert!(get(&after, "trusthub_jobs_total", &review_jobs) >= 1.0);
    // in-review and approved callbacks: each failed once, retries are pending.
    let failed = [("outcome", "failed")];
    assert!(get(&after, "trusthub_callback_deliveries_total", &failed) >= 2.0);
    let retried = [("kind", "callback"), ("outcome", "retry")];
    assert!(get(&after, "trusthub_jobs_total", &retried) >= 2.0);
    assert!(get(&after, "trusthub_jobs_pending", &[]) >= 2.0);

    assert!(get(&after, "trusthub_store_pool_max_connections", &[]) >= 1.0);
    assert!(after
        .keys()
        .any(|(n, l)| n == "trusthub_store_pool_connections" && l["state"] == "in_use"));
    assert!(after
        .keys()
        .any(|(n, _)| n == "trusthub_jobs_oldest_due_age_seconds"));
}

/// A client picks the method: only standard methods become label values, every other one is
/// counted as `other`, so requests cannot add series at will (one per invented method).
#[tokio::test]
async fn invented_methods_add_no_series() {
    let s = Server::start();
    let http = reqwest::Client::new();
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let resp = http
            .request(method, format!("{}/v1/Policies", s.base))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{}", resp.status());
    }
    let samples = scrape(&s).await;
    let methods: std::collections::BTreeSet<&str> = samples
        .keys()
        .filter(|(name, _)| name == "trusthub_http_requests_total")
        .filter_map(|(_, labels)| labels.get("method").map(String::as_str))
        .collect();
    assert!(
        !methods.iter().any(|m| m.starts_with("INVENTED")),
        "{methods:?}"
    );
    let other: f64 = samples
        .iter()
        .filter(|((name, labels), _)| {
            name == "trusthub_http_requests_total"
                && labels.get("method").map(String::as_str) == Some("other")
        })
        .map(|(_, v)| v)
        .sum();
    assert_eq!(other, 20.0, "{methods:?}");
}

/// Other methods on `/healthz` and `/metrics` get Twilio's 405 body, like every API path.
#[tokio::test]
async fn other_methods_on_health_and_metrics_get_twilio_json() {
    let s = Server::start();
    let http = reqwest::Client::new();
    for (method, path) in [
        ("POST", "/healthz"),
        ("DELETE", "/healthz"),
        ("POST", "/metrics"),
    ] {
        let resp = http
            .request(method.parse().unwrap(), format!("{}{path}", s.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        let text = resp.text().await.unwrap();
        let body: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: {text:?}: {e}"));
        assert_eq!(body["code"], 20004, "{method} {path}: {body}");
        assert_eq!(body["status"], 405);
    }
    // The operator check still comes first: without the token, no method is revealed.
    let resp = http
        .post(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}
