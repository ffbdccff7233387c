//! Console sessions and hosted compliance inquiries are kept in the store (issue 13 item 7):
//! both survive a restart, and both expire. (Two servers sharing one PostgreSQL database
//! are in `tests/scaleout.rs`.)
use crate::common::console::*;
use crate::common::*;
use std::time::{Duration, Instant};

/// An inquiry opened before a restart is completed after it, with the same session, and
/// a sign-in made before the restart still holds after it.
#[tokio::test]
async fn an_inquiry_and_a_sign_in_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options {
        dir: Some(dir.path()),
        ..Options::default()
    };
    let http = client();
    let s = Server::start_with(opts());
    let (id, url) = start_inquiry(&s).await;
    let (cookie, csrf) = open_inquiry(&http, &url).await;
    let signed_in = sign_in(&http, &s.base, SID, TOKEN).await;
    s.stop();

    let s = Server::start_with(opts());
    let profiles = format!("{}/console/accounts/{SID}/customer-profiles", s.base);
    let (st, _) = page(&http, &profiles, &signed_in).await;
    assert_eq!(st, 200, "still signed in after the restart");
    let (st, html) = complete_inquiry(&http, &s.base, &id, &cookie, &csrf, "Restart Co").await;
    assert_eq!(st, 200, "{html}");
    let bundle = bundle_of(&html);
    let (st, b) = s.get(&format!("/v1/CustomerProfiles/{bundle}")).await;
    assert_eq!(st, 200);
    assert_eq!(b["friendly_name"], "Restart Co", "{b}");
    // The page now shows the finished profile, from the store.
    let (st, html) = page(
        &http,
        &format!("{}/console/inquiries/{id}", s.base),
        &cookie,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(bundle_of(&html), bundle);
    drop(s);
    postgres::drop_database(dir.path());
}

/// A sign-in ends after `--console-session-ttl` seconds of real time.
#[tokio::test]
async fn a_console_session_expires() {
    let s = Server::start_with(Options {
        args: vec!["--console-session-ttl", "2"],
        ..Options::default()
    });
    let http = client();
    let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
    let profiles = format!("{}/console/accounts/{SID}/customer-profiles", s.base);
    let (st, _) = page(&http, &profiles, &cookie).await;
    assert_eq!(st, 200, "signed in");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (st, _) = page(&http, &profiles, &cookie).await;
        if st == 303 {
            break;
        }
        assert_eq!(st, 200);
        assert!(Instant::now() < deadline, "the session never expired");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A new sign-in works (and sweeps the expired row).
    let again = sign_in(&http, &s.base, SID, TOKEN).await;
    assert_ne!(again, cookie);
    assert_eq!(page(&http, &profiles, &again).await.0, 200);
}

/// An inquiry is forgotten 24 hours after it started, on the server clock: its page
/// stops opening and resuming it is a 404.
#[tokio::test]
async fn an_inquiry_expires_after_a_day() {
    let s = Server::start();
    let http = client();
    let (_, url) = start_inquiry(&s).await;
    let (_, b) = s
        .post(
            "/v1/ComplianceInquiries/Customers/Initialize",
            &[("NotificationEmail", "isv@acme.example.com")],
        )
        .await;
    let customer_id = b["customer_id"].as_str().unwrap().to_string();
    open_inquiry(&http, &url).await;
    let (st, _) = s
        .admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "86300")])
        .await;
    assert_eq!(st, 200);
    open_inquiry(&http, &url).await;
    let (st, _) = s
        .admin("POST", "/admin/v1/Clock", &[("AdvanceSeconds", "101")])
        .await;
    assert_eq!(st, 200);
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(
        resp.status(),
        303,
        "an expired inquiry's page sends to sign-in"
    );
    let primary = s.approved_primary().await;
    let (st, body) = s
        .post(
            &format!("/v1/ComplianceInquiries/Customers/{customer_id}/Initialize"),
            &[("PrimaryProfileSid", primary.as_str())],
        )
        .await;
    assert_eq!(st, 404, "{body}");
}

/// The console's Primary-profile form as a signed-in customer renders it, filled in: the
/// fields with its CSRF token and one-time `form_id`.
async fn profile_form(base: &str, cookie: &str) -> Vec<(String, String)> {
    let url = format!("{base}/console/accounts/{SID}/primary-profile/new");
    let (st, html) = page(&client(), &url, cookie).await;
    assert_eq!(st, 200);
    let mut form = business_form("Half Way Co");
    form.push(("csrf".into(), csrf_of(&html)));
    form.push(("form_id".into(), form_id_of(&html)));
    form
}

/// Sends a rendered Primary-profile form.
async fn post_profile_form(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    form: &[(String, String)],
) -> reqwest::Result<reqwest::Response> {
    http.post(format!("{base}/console/accounts/{SID}/primary-profile/new"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
}

/// Renders and sends the Primary-profile form.
async fn send_profile_form(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
) -> reqwest::Result<reqwest::Response> {
    let form = profile_form(base, cookie).await;
    post_profile_form(http, base, cookie, &form).await
}

/// How many of each resource the account holds.
async fn counts(s: &Server) -> [usize; 4] {
    let mut out = [0; 4];
    for (i, path) in [
        "/v1/CustomerProfiles",
        "/v1/EndUsers",
        "/v1/SupportingDocuments",
        &format!("/2010-04-01/Accounts/{SID}/Addresses.json"),
    ]
    .iter()
    .enumerate()
    {
        let (st, b) = s.get(path).await;
        assert_eq!(st, 200, "{path}: {b}");
        let key = ["results", "results", "results", "addresses"][i];
        out[i] = b[key].as_array().map_or(0, Vec::len);
    }
    out
}

/// The tables a profile writes to, as the database holds them (read directly): every one
/// must be empty when nothing of a profile may be left.
const PROFILE_TABLES: [&str; 8] = [
    "addresses",
    "bundles",
    "entities",
    "entity_assignments",
    "evaluations",
    "events",
    "jobs",
    "profile_forms",
];

async fn assert_nothing_stored(s: &Server, after: &str) {
    for table in PROFILE_TABLES {
        let n = s.raw_number(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(n, 0, "{table} holds {n} rows after {after}");
    }
    assert_eq!(
        counts(s).await,
        [0; 4],
        "the API shows something after {after}"
    );
}

/// A store failure between the profile form's steps (all inside its one transaction)
/// leaves nothing behind: no address, bundle, end user, document, assignment,
/// evaluation, event or job.
#[tokio::test]
async fn a_profile_form_failing_half_way_leaves_nothing() {
    for step in ["address", "bundle", "end user", "document", "evaluation"] {
        let s = Server::start_with(Options {
            env: vec![("TRUSTHUB_TEST_PROFILE_FAIL", step)],
            ..Options::default()
        });
        let http = client();
        let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
        let resp = send_profile_form(&http, &s.base, &cookie).await.unwrap();
        assert_eq!(resp.status(), 500, "the planted failure after {step}");
        assert_nothing_stored(&s, &format!("a failure after {step}")).await;
    }
}

/// A server killed (SIGKILL) while the profile form is being written — every row written,
/// the transaction not yet committed — leaves nothing: after a restart neither the API
/// nor the database shows any address, bundle, entity, assignment, evaluation, event or
/// job of it.
#[tokio::test]
async fn a_server_killed_mid_form_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        log: Some("trusthub=info"),
        env: vec![
            // Waits before COMMIT, after the last write.
            ("TRUSTHUB_TEST_PROFILE_PAUSE_AT", "evaluation"),
            ("TRUSTHUB_TEST_PROFILE_PAUSE_MS", "600000"),
        ],
        ..Options::default()
    });
    let http = client();
    let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
    let form = profile_form(&s.base, &cookie).await;
    let (base, c) = (s.base.clone(), cookie.clone());
    let sending = tokio::spawn(async move { post_profile_form(&client(), &base, &c, &form).await });
    let log = dir.path().join("server.log");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("profile form paused") && text.contains("evaluation") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the form never reached its last step: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.stop();
    assert!(
        sending.await.unwrap().is_err(),
        "the request ends with the server"
    );
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        ..Options::default()
    });
    assert_nothing_stored(&s, "a SIGKILL before COMMIT").await;
    drop(s);
    postgres::drop_database(dir.path());
}

/// A client that hangs up while the profile form is being carried out does not stop it:
/// the whole profile is made and submitted.
#[tokio::test]
async fn a_client_hanging_up_mid_form_leaves_the_whole_profile() {
    let s = Server::start_with(Options {
        env: vec![("TRUSTHUB_TEST_PROFILE_PAUSE_MS", "300")],
        ..Options::default()
    });
    let http = client();
    let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
    let impatient = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let sent = send_profile_form(&impatient, &s.base, &cookie).await;
    assert!(
        sent.is_err_and(|e| e.is_timeout()),
        "the client hung up first"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, list) = s.get("/v1/CustomerProfiles").await;
        let done = list["results"]
            .as_array()
            .and_then(|r| r.first())
            // Submitted: the review pipeline may have taken it in review already.
            .filter(|b| b["status"] == "pending-review" || b["status"] == "in-review")
            .map(|b| b["sid"].as_str().unwrap().to_string());
        if let Some(bundle) = done {
            let (_, a) = s
                .get(&format!("/v1/CustomerProfiles/{bundle}/EntityAssignments"))
                .await;
            assert_eq!(a["results"].as_array().unwrap().len(), 3, "{a}");
            assert_eq!(counts(&s).await, [1, 2, 1, 1]);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the profile was never finished: {list}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The bundle SID a console redirect names, and its notice.
fn redirect_of(resp: &reqwest::Response) -> (String, String) {
    assert_eq!(resp.status(), 303, "a redirect to the profile");
    let to = resp.headers()["location"].to_str().unwrap();
    let after = to.split("/bundles/").nth(1).expect("a bundle page");
    let (sid, query) = after.split_once('?').unwrap_or((after, ""));
    (sid.to_string(), query.to_string())
}

/// One rendered Primary-profile form makes one profile: the same form sent twice at once
/// (a double click) makes one, and both answers lead to it; sent again later, it still
/// makes nothing. A new rendering of the form is a new form.
#[tokio::test]
async fn a_console_form_sent_twice_makes_one_profile() {
    let s = Server::start_with(Options {
        env: vec![("TRUSTHUB_TEST_PROFILE_PAUSE_MS", "200")],
        ..Options::default()
    });
    let http = client();
    let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
    let form = profile_form(&s.base, &cookie).await;
    let send = || post_profile_form(&http, &s.base, &cookie, &form);
    let (one, two) = tokio::join!(send(), send());
    let mut answers = [redirect_of(&one.unwrap()), redirect_of(&two.unwrap())];
    answers.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(answers[0].0, answers[1].0, "both lead to the one profile");
    assert_eq!(
        [answers[0].1.as_str(), answers[1].1.as_str()],
        ["notice=sent-already", "notice=submitted"]
    );
    assert_eq!(counts(&s).await, [1, 2, 1, 1], "one profile");
    let bundle_page = format!(
        "{}/console/accounts/{SID}/bundles/{}?{}",
        s.base, answers[0].0, answers[0].1
    );
    let (st, html) = page(&http, &bundle_page, &cookie).await;
    assert_eq!(st, 200);
    assert!(html.contains("This form was sent already"), "{html}");
    // Later, the same form again: still nothing more.
    let again = redirect_of(&send().await.unwrap());
    assert_eq!(again, answers[0].clone());
    assert_eq!(counts(&s).await, [1, 2, 1, 1], "still one profile");
    // A form without its one-time id is refused, and makes nothing.
    let stale: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k != "form_id")
        .cloned()
        .collect();
    let refused = post_profile_form(&http, &s.base, &cookie, &stale)
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("reload the page"));
    // The form rendered anew is another form.
    let (_, notice) = redirect_of(&send_profile_form(&http, &s.base, &cookie).await.unwrap());
    assert_eq!(notice, "notice=submitted");
    assert_eq!(counts(&s).await, [2, 4, 2, 2], "a second profile");
}

/// Resuming a hosted inquiry (a new session token) ends the console sessions opened with
/// the old link: its page sends them to sign-in and their completion makes nothing, while
/// the new link works.
#[tokio::test]
async fn resuming_an_inquiry_ends_the_sessions_of_its_old_link() {
    let s = Server::start();
    let http = client();
    let (_, b) = s
        .post(
            "/v1/ComplianceInquiries/Customers/Initialize",
            &[("NotificationEmail", "isv@acme.example.com")],
        )
        .await;
    let id = b["inquiry_id"].as_str().unwrap().to_string();
    let customer_id = b["customer_id"].as_str().unwrap().to_string();
    let (old, csrf) = open_inquiry(&http, b["url"].as_str().unwrap()).await;
    let page_url = format!("{}/console/inquiries/{id}", s.base);
    assert_eq!(
        page(&http, &page_url, &old).await.0,
        200,
        "the session holds"
    );
    let primary = s.approved_primary().await;
    let (st, resumed) = s
        .post(
            &format!("/v1/ComplianceInquiries/Customers/{customer_id}/Initialize"),
            &[("PrimaryProfileSid", primary.as_str())],
        )
        .await;
    assert_eq!(st, 200, "{resumed}");
    assert_eq!(resumed["inquiry_id"], id.as_str());
    let (st, _) = page(&http, &page_url, &old).await;
    assert_eq!(st, 303, "the old link's session ended");
    let (st, _) = complete_inquiry(&http, &s.base, &id, &old, &csrf, "Old Link Co").await;
    assert_eq!(st, 303, "the old link's session completes nothing");
    let (_, list) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(
        list["results"].as_array().unwrap().len(),
        1,
        "only the primary: {list}"
    );
    // The new link opens the page.
    let resp = http
        .get(resumed["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// Restarting with a lower `--console-session-ttl` shortens the sessions already open: a
/// sign-in made under the default 8 hours ends within the new 2 seconds of its start.
#[tokio::test]
async fn a_lower_session_ttl_shortens_open_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        ..Options::default()
    });
    let http = client();
    let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
    s.stop();
    let s = Server::start_with(Options {
        dir: Some(dir.path()),
        args: vec!["--console-session-ttl", "2"],
        ..Options::default()
    });
    let profiles = format!("{}/console/accounts/{SID}/customer-profiles", s.base);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (st, _) = page(&http, &profiles, &cookie).await;
        if st == 303 {
            break;
        }
        assert_eq!(st, 200);
        assert!(
            Instant::now() < deadline,
            "the session outlived the lower TTL"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(s);
    postgres::drop_database(dir.path());
}

/// Two requests completing one inquiry at once (a double click, two servers) make one
/// profile: the second is refused while the first runs.
#[tokio::test]
async fn an_inquiry_is_completed_once() {
    let s = Server::start_with(Options {
        env: vec![("TRUSTHUB_TEST_PROFILE_PAUSE_MS", "200")],
        ..Options::default()
    });
    let http = client();
    let (id, url) = start_inquiry(&s).await;
    let (cookie, csrf) = open_inquiry(&http, &url).await;
    let send = || complete_inquiry(&http, &s.base, &id, &cookie, &csrf, "Once Co");
    let (one, two) = tokio::join!(send(), send());
    let mut statuses = [one.0, two.0];
    statuses.sort();
    // Refused as a conflict (the console shows conflicts as 400 pages today).
    assert!(
        statuses[0] == 200 && [400, 409].contains(&statuses[1]),
        "one completes, one is refused: {statuses:?}"
    );
    let (_, list) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(list["results"].as_array().unwrap().len(), 1, "{list}");
    // Afterwards the page shows the finished profile to both.
    let (st, html) = complete_inquiry(&http, &s.base, &id, &cookie, &csrf, "Once Co").await;
    assert_eq!(st, 200);
    bundle_of(&html);
}
