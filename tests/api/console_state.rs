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

/// The console's Primary-profile form as a signed-in customer: (status, body).
async fn send_profile_form(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
) -> reqwest::Result<reqwest::Response> {
    let url = format!("{base}/console/accounts/{SID}/primary-profile/new");
    let (st, html) = page(&client(), &url, cookie).await;
    assert_eq!(st, 200);
    let mut form = business_form("Half Way Co");
    form.push(("csrf".into(), csrf_of(&html)));
    http.post(&url)
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
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

/// A store failure between the profile form's steps leaves nothing behind: no address,
/// bundle, end user or document.
#[tokio::test]
async fn a_profile_form_failing_half_way_leaves_nothing() {
    for step in ["address", "bundle", "end user", "document"] {
        let s = Server::start_with(Options {
            env: vec![("TRUSTHUB_TEST_PROFILE_FAIL", step)],
            ..Options::default()
        });
        let http = client();
        let cookie = sign_in(&http, &s.base, SID, TOKEN).await;
        let resp = send_profile_form(&http, &s.base, &cookie).await.unwrap();
        assert_eq!(resp.status(), 500, "the planted failure after {step}");
        assert_eq!(
            counts(&s).await,
            [0; 4],
            "nothing left after a failure after {step}"
        );
    }
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
