//! Rules that hold under concurrency: each pair of requests that used to break a rule when
//! raced (issue 13) runs many times (`TRUSTHUB_RACE_RUNS`, default 200) against the real
//! server — SQLite, or PostgreSQL with `TRUSTHUB_TEST_POSTGRES` — and every outcome must
//! keep the rule and answer without a 5xx.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on failure.

#[path = "common/mod.rs"]
mod common;

use common::*;
use futures_util::future::join_all;
use serde_json::{json, Value};

fn runs() -> usize {
    std::env::var("TRUSTHUB_RACE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Runs `one(i)` for every run, a few at a time (more contention than one by one).
async fn repeat<F, Fut>(one: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let n = runs();
    let mut i = 0;
    while i < n {
        join_all((i..(i + 4).min(n)).map(&one)).await;
        i += 4;
    }
}

fn no_5xx(what: &str, statuses: &[u16], bodies: &[&Value]) {
    for (st, b) in statuses.iter().zip(bodies) {
        assert!(*st < 500, "{what}: {st} {b}");
    }
}

/// What every submittable profile shares: business information, an address document and
/// the parent's approved Primary profile.
struct Shared {
    business: String,
    document: String,
    primary: String,
}

async fn shared(s: &Server) -> Shared {
    Shared {
        business: s
            .end_user(
                "customer_profile_business_information",
                business_information(),
            )
            .await,
        document: s.address_document().await,
        primary: s.approved_primary().await,
    }
}

/// A complete draft Secondary profile whose representative is its own: (bundle, rep,
/// rep's assignment).
async fn complete_profile(s: &Server, sh: &Shared) -> (String, String, String) {
    let bu = s.profile(SECONDARY).await;
    let rep = s
        .end_user("authorized_representative_1", representative())
        .await;
    let mut rep_assignment = String::new();
    for o in [&sh.business, &sh.document, &sh.primary, &rep] {
        let a = s.assign("CustomerProfiles", &bu, o).await;
        if o == &rep {
            rep_assignment = a["sid"].as_str().unwrap().to_string();
        }
    }
    (bu, rep, rep_assignment)
}

/// A bundle that left draft must still be compliant with what it holds now.
async fn submitted_is_compliant(s: &Server, bu: &str, what: &str) {
    let (_, b) = s.get(&format!("/v1/CustomerProfiles/{bu}")).await;
    if b["status"] == "draft" {
        return;
    }
    let ev = s
        .ok(
            &format!("/v1/CustomerProfiles/{bu}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await;
    assert_eq!(
        ev["status"], "compliant",
        "{what}: {bu} is {} but holds noncompliant content: {ev}",
        b["status"]
    );
}

async fn submit(s: &Server, bu: &str) -> (u16, Value) {
    s.post(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
    )
    .await
}

#[tokio::test]
async fn submit_racing_an_unassignment() {
    let s = Server::start();
    let sh = shared(&s).await;
    repeat(|_| async {
        let (bu, _, rep_assignment) = complete_profile(&s, &sh).await;
        let unassign = format!("/v1/CustomerProfiles/{bu}/EntityAssignments/{rep_assignment}");
        let ((a, ab), (b, bb)) = tokio::join!(submit(&s, &bu), s.delete(&unassign));
        no_5xx("submit vs unassign", &[a, b], &[&ab, &bb]);
        assert!(
            !(a == 200 && b == 204),
            "submitted and unassigned both succeeded: {ab}"
        );
        submitted_is_compliant(&s, &bu, "submit vs unassign").await;
    })
    .await;
}

#[tokio::test]
async fn submit_racing_an_attribute_edit() {
    let s = Server::start();
    let sh = shared(&s).await;
    let mut bad = representative();
    bad["email"] = json!("not an email");
    let bad = bad.to_string();
    repeat(|_| async {
        let (bu, rep, _) = complete_profile(&s, &sh).await;
        let edit = format!("/v1/EndUsers/{rep}");
        let form = [("Attributes", bad.as_str())];
        let ((a, ab), (b, bb)) = tokio::join!(submit(&s, &bu), s.post(&edit, &form));
        no_5xx("submit vs edit", &[a, b], &[&ab, &bb]);
        submitted_is_compliant(&s, &bu, "submit vs edit").await;
    })
    .await;
}

#[tokio::test]
async fn deleting_an_end_user_racing_its_assignment() {
    let s = Server::start();
    repeat(|_| async {
        let bu = s.profile(SECONDARY).await;
        let eu = s
            .end_user("authorized_representative_1", representative())
            .await;
        let delete = format!("/v1/EndUsers/{eu}");
        let assign = format!("/v1/CustomerProfiles/{bu}/EntityAssignments");
        let form = [("ObjectSid", eu.as_str())];
        let ((a, ab), (b, bb)) = tokio::join!(s.delete(&delete), s.post(&assign, &form));
        no_5xx("delete end user vs assign", &[a, b], &[&ab, &bb]);
        let (gone, _) = s.get(&format!("/v1/EndUsers/{eu}")).await;
        let (_, list) = s
            .get(&format!("/v1/CustomerProfiles/{bu}/EntityAssignments"))
            .await;
        let dangling = list["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["object_sid"] == eu.as_str());
        assert!(
            !(gone == 404 && dangling),
            "{eu} deleted but still assigned: {list}"
        );
    })
    .await;
}

#[tokio::test]
async fn releasing_a_number_racing_its_channel_assignment() {
    let s = Server::start();
    repeat(|i| {
        let s = &s;
        async move {
            let bu = s.profile(SECONDARY).await;
            let pn = s.number(&format!("+1415{:07}", i)).await;
            let release = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
            let assign = format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments");
            let form = [
                ("ChannelEndpointType", "phone-number"),
                ("ChannelEndpointSid", pn.as_str()),
            ];
            let ((a, ab), (b, bb)) = tokio::join!(s.delete(&release), s.post(&assign, &form));
            no_5xx("release vs channel assignment", &[a, b], &[&ab, &bb]);
            let (gone, _) = s
                .get(&format!(
                    "/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json"
                ))
                .await;
            let (_, list) = s
                .get(&format!(
                    "/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"
                ))
                .await;
            let dangling = !list["results"].as_array().unwrap().is_empty();
            assert!(
                !(gone == 404 && dangling),
                "{pn} released but still assigned: {list}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn deleting_a_bundle_racing_an_assignment_or_an_evaluation() {
    let s = Server::start();
    repeat(|_| async {
        let bu = s.profile(SECONDARY).await;
        let eu = s
            .end_user("authorized_representative_1", representative())
            .await;
        let delete = format!("/v1/CustomerProfiles/{bu}");
        let assign = format!("/v1/CustomerProfiles/{bu}/EntityAssignments");
        let form = [("ObjectSid", eu.as_str())];
        let ((a, ab), (b, bb)) = tokio::join!(s.delete(&delete), s.post(&assign, &form));
        no_5xx("delete bundle vs assign", &[a, b], &[&ab, &bb]);

        let bu = s.profile(SECONDARY).await;
        let delete = format!("/v1/CustomerProfiles/{bu}");
        let evaluate = format!("/v1/CustomerProfiles/{bu}/Evaluations");
        let form = [("PolicySid", SECONDARY)];
        let ((a, ab), (b, bb)) = tokio::join!(s.delete(&delete), s.post(&evaluate, &form));
        no_5xx("delete bundle vs evaluate", &[a, b], &[&ab, &bb]);
        // Deleted means deleted: nothing of it is still served.
        if a == 204 {
            let (st, body) = s
                .get(&format!("/v1/CustomerProfiles/{bu}/Evaluations"))
                .await;
            assert_eq!(st, 404, "{body}");
        }
    })
    .await;
}

/// Clients that hang up mid-request (the server drops the handler wherever it is) leave
/// no transaction open behind them: writes keep working afterwards. On SQLite, a handler
/// dropped between sqlx's `BEGIN IMMEDIATE` and its check of it left the transaction open
/// on a pooled connection, holding the write lock, and every later write failed.
#[tokio::test]
async fn clients_hanging_up_mid_write_leave_no_transaction_open() {
    use base64::Engine;
    use tokio::io::AsyncWriteExt;
    let s = Server::start();
    let sh = shared(&s).await;
    let (bu, ..) = complete_profile(&s, &sh).await;
    let path = format!("/v1/CustomerProfiles/{bu}/Evaluations");
    let addr = s.base.trim_start_matches("http://").to_string();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
    let body = format!("PolicySid={SECONDARY}");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // 16 clients at once, each hanging up (a reset) from at once to a few milliseconds
    // after sending, so the handlers are dropped at every point of an evaluation.
    let hangups = runs() * 8;
    join_all((0..16).map(|client| {
        let (addr, request) = (&addr, &request);
        async move {
            for i in 0..hangups / 16 {
                let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
                c.set_zero_linger().unwrap();
                c.write_all(request.as_bytes()).await.unwrap();
                let wait = (i * 16 + client) * 7919 % 4000;
                tokio::time::sleep(std::time::Duration::from_micros(wait as u64)).await;
                drop(c);
            }
        }
    }))
    .await;
    for _ in 0..10 {
        let (st, body) = s.post(&path, &[("PolicySid", SECONDARY)]).await;
        assert_eq!(st, 201, "an evaluation after {hangups} hang-ups: {body}");
    }
}

/// A number is in one Messaging Service at a time (issue 16): two services adding it at
/// once leave it in exactly one pool, the loser told 21712.
#[tokio::test]
async fn one_number_added_to_two_messaging_services_at_once() {
    let s = Server::start();
    repeat(|i| {
        let s = &s;
        async move {
            let pn = s.number(&format!("+1310{:07}", i)).await;
            let mut pools = Vec::new();
            for name in ["A", "B"] {
                let mg = s.ok("/v1/Services", &[("FriendlyName", name)], 201).await;
                pools.push(format!(
                    "/v1/Services/{}/PhoneNumbers",
                    mg["sid"].as_str().unwrap()
                ));
            }
            let form = [("PhoneNumberSid", pn.as_str())];
            let ((a, ab), (b, bb)) =
                tokio::join!(s.post(&pools[0], &form), s.post(&pools[1], &form));
            no_5xx("two services adding one number", &[a, b], &[&ab, &bb]);
            let mut statuses = [a, b];
            statuses.sort();
            assert_eq!(statuses, [201, 400], "{ab} / {bb}");
            let loser = if a == 400 { &ab } else { &bb };
            assert_eq!(loser["code"], 21712, "{loser}");
            let mut holding = 0;
            for pool in &pools {
                let (_, list) = s.get(pool).await;
                holding += list["phone_numbers"].as_array().unwrap().len();
            }
            assert_eq!(holding, 1, "{pn} is in {holding} pools");
        }
    })
    .await;
}

/// A number in a Messaging Service stays in its account, and a released number leaves its
/// pool (issue 16): moving or releasing it while it is being added never leaves a pool
/// holding another account's number or a released one.
#[tokio::test]
async fn moving_or_releasing_a_number_racing_its_addition_to_a_service() {
    let s = Server::start();
    let (_, sub) = s
        .post("/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    let sub = sub["sid"].as_str().unwrap().to_string();
    repeat(|i| {
        let (s, sub) = (&s, &sub);
        async move {
            let pn = s.number(&format!("+1311{:07}", i)).await;
            let mg = s.ok("/v1/Services", &[("FriendlyName", "Pool")], 201).await;
            let pool = format!("/v1/Services/{}/PhoneNumbers", mg["sid"].as_str().unwrap());
            let number = format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{pn}.json");
            let (add_form, move_form) = (
                [("PhoneNumberSid", pn.as_str())],
                [("AccountSid", sub.as_str())],
            );
            let add = s.post(&pool, &add_form);
            let ((a, ab), (b, bb)) = if i % 2 == 0 {
                tokio::join!(add, s.post(&number, &move_form))
            } else {
                tokio::join!(add, s.delete(&number))
            };
            no_5xx(
                "adding a number racing its move or release",
                &[a, b],
                &[&ab, &bb],
            );
            let (_, list) = s.get(&pool).await;
            let pooled = !list["phone_numbers"].as_array().unwrap().is_empty();
            let (still_ours, _) = s.get(&number).await;
            assert!(
                !pooled || still_ours == 200,
                "{pn} is in the pool but moved or released: add {a} {ab}, other {b} {bb}"
            );
        }
    })
    .await;
}
