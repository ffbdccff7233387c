//! `trusthub export` / `import` / `migrate`: a whole store moves, and reads stay the same.
use crate::common::*;
use std::process::Command;

fn trusthub(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trusthub"))
        .args(args)
        .output()
        .unwrap()
}

/// Target store URL: PostgreSQL when the suite runs against it, else a SQLite file.
fn target_url(dir: &std::path::Path) -> String {
    postgres::database_url(dir).unwrap_or_else(|| format!("sqlite://{}/th.db", dir.display()))
}

#[tokio::test]
async fn an_exported_store_imports_into_another_with_the_same_reads() {
    let opts = |dir| Options {
        dir: Some(dir),
        args: vec!["--public-url", "http://th.test"],
        ..Options::default()
    };
    let a_dir = tempfile::tempdir().unwrap();
    let s = Server::start_with(opts(a_dir.path()));
    let primary = s.approved_primary().await;
    let bu = s.profile(SECONDARY).await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    let pn = s.number("+15555550100").await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments"),
        &[
            ("ChannelEndpointType", "phone-number"),
            ("ChannelEndpointSid", &pn),
        ],
        201,
    )
    .await;
    let reads = [
        "/v1/CustomerProfiles".to_string(),
        format!("/v1/CustomerProfiles/{primary}"),
        format!("/v1/CustomerProfiles/{bu}/EntityAssignments"),
        format!("/v1/CustomerProfiles/{primary}/Evaluations"),
        "/v1/EndUsers".to_string(),
        "/v1/SupportingDocuments".to_string(),
        format!("/2010-04-01/Accounts/{SID}/Addresses.json"),
        format!("/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"),
    ];
    let mut before = Vec::new();
    for r in &reads {
        before.push(s.get(r).await.1);
    }
    let (_, events_before) = s
        .admin("GET", &format!("/admin/v1/Bundles/{primary}/Events"), &[])
        .await;
    // A hosted inquiry handed out before the move (the link names the path only here).
    let (_, inquiry_url) = crate::common::console::start_inquiry(&s).await;
    let inquiry_path = inquiry_url
        .strip_prefix("http://th.test")
        .unwrap()
        .to_string();
    drop(s);

    let export = a_dir.path().join("export.jsonl");
    let src = target_url(a_dir.path());
    let out = trusthub(&[
        "export",
        "--database-url",
        &src,
        "--output",
        export.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(&export).unwrap();
    assert!(lines.lines().count() > 20);
    assert!(lines
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));

    let b_dir = tempfile::tempdir().unwrap();
    let dst = target_url(b_dir.path());
    let out = trusthub(&["migrate", "--database-url", &dst]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = trusthub(&[
        "import",
        "--database-url",
        &dst,
        "--input",
        export.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let s = Server::start_with(opts(b_dir.path()));
    for (r, want) in reads.iter().zip(&before) {
        assert_eq!(&s.get(r).await.1, want, "{r}");
    }
    let (_, events_after) = s
        .admin("GET", &format!("/admin/v1/Bundles/{primary}/Events"), &[])
        .await;
    assert_eq!(events_before, events_after);
    // The inquiry link handed out before the move still opens its form, and new inquiries
    // number after the imported one.
    let http = crate::common::console::client();
    crate::common::console::open_inquiry(&http, &format!("{}{inquiry_path}", s.base)).await;
    crate::common::console::start_inquiry(&s).await;
    // The imported store keeps working: new rows page after the imported ones.
    let more = s.profile(SECONDARY).await;
    let (_, list) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(
        list["results"].as_array().unwrap().last().unwrap()["sid"],
        more.as_str()
    );

    let bad = b_dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"table\": \"nope\", \"row\": {}}\n").unwrap();
    let out = trusthub(&[
        "import",
        "--database-url",
        &dst,
        "--input",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "an unknown table is refused");
    let (_, still) = s.get("/v1/CustomerProfiles").await;
    assert_eq!(
        still["results"].as_array().unwrap().len(),
        list["results"].as_array().unwrap().len(),
        "a refused import changes nothing"
    );
}
