//! Attributes encrypted at rest (AES-256-GCM), and key rotation.
use crate::common::*;

const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes
const KEY_B: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

/// The raw store: the SQLite files, or a `pg_dump` of the PostgreSQL database.
fn db_bytes(dir: &std::path::Path) -> Vec<u8> {
    if postgres::enabled().is_some() {
        return postgres::dump(dir);
    }
    let mut all = Vec::new();
    for f in ["th.db", "th.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join(f)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn attributes_are_unreadable_on_disk_and_survive_a_key_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let opts = |args| Options {
        dir: Some(dir.path()),
        args,
        ..Options::default()
    };
    let s = Server::start_with(opts(vec!["--encryption-key", KEY_A]));
    let mut rep = representative();
    rep["last_name"] = "Zyxwvutsrqponmlk".into();
    let eu = s.end_user("authorized_representative_1", rep.clone()).await;
    let (_, got) = s.get(&format!("/v1/EndUsers/{eu}")).await;
    assert_eq!(got["attributes"], rep);
    let doc = s.address_document().await;
    // An invalid value is quoted back by evaluation: in its results and the timeline.
    let mut bad = representative();
    bad["email"] = "not-an-email-Plmoknijbuhv".into();
    let bad_eu = s.end_user("authorized_representative_1", bad).await;
    let draft = s.profile(SECONDARY).await;
    s.assign("CustomerProfiles", &draft, &bad_eu).await;
    let ev = s
        .ok(
            &format!("/v1/CustomerProfiles/{draft}/Evaluations"),
            &[("PolicySid", SECONDARY)],
            201,
        )
        .await;
    assert!(
        ev["results"]
            .to_string()
            .contains("not-an-email-Plmoknijbuhv"),
        "the failure reason quotes the value: {ev}"
    );
    let (_, events) = s
        .admin("GET", &format!("/admin/v1/Bundles/{draft}/Events"), &[])
        .await;
    // A hosted inquiry's prefill is attribute data too (kept in the store until completed).
    let (st, inquiry) = s
        .post(
            "/v1/ComplianceInquiries/Registration/RegulatoryCompliance/GB/Initialize",
            &[
                ("EndUserType", "Business"),
                ("PhoneNumberType", "local"),
                ("BusinessLegalName", "Mnbvcxzlkjhgfdsa Ltd"),
            ],
        )
        .await;
    assert_eq!(st, 201, "{inquiry}");
    drop(s);
    let bytes = db_bytes(dir.path());

    assert!(
        !contains(&bytes, "Mnbvcxzlkjhgfdsa"),
        "an inquiry's prefill is not stored in clear"
    );
    assert!(
        !contains(&bytes, "Zyxwvutsrqponmlk"),
        "the attribute is not stored in clear"
    );
    assert!(
        !contains(&bytes, "Plmoknijbuhv"),
        "no attribute value quoted in clear (evaluations, events): timeline {events}"
    );
    assert!(contains(&bytes, "enc:v1:"));

    // Rotate: new key for writes, the old one still decrypts.
    let s = Server::start_with(opts(vec![
        "--encryption-key",
        KEY_B,
        "--decryption-keys",
        KEY_A,
    ]));
    let (_, got) = s.get(&format!("/v1/EndUsers/{eu}")).await;
    assert_eq!(got["attributes"], rep);
    let mut newer = representative();
    newer["last_name"] = "Qwertyuiopasdfgh".into();
    s.ok(
        &format!("/v1/EndUsers/{eu}"),
        &[("Attributes", &newer.to_string())],
        200,
    )
    .await;
    // Searching documents by address still works with encrypted attributes.
    let (_, d) = s.get(&format!("/v1/SupportingDocuments/{doc}")).await;
    let ad = d["attributes"]["address_sids"]
        .as_str()
        .unwrap()
        .to_string();
    let bu = s.profile(SECONDARY).await;
    s.assign("CustomerProfiles", &bu, &doc).await;
    let primary = s.approved_primary().await;
    s.assign("CustomerProfiles", &bu, &primary).await;
    let eu2 = s
        .end_user(
            "customer_profile_business_information",
            business_information(),
        )
        .await;
    s.assign("CustomerProfiles", &bu, &eu2).await;
    s.assign("CustomerProfiles", &bu, &eu).await;
    s.ok(
        &format!("/v1/CustomerProfiles/{bu}"),
        &[("Status", "pending-review")],
        200,
    )
    .await;
    let (st, _) = s
        .delete(&format!("/2010-04-01/Accounts/{SID}/Addresses/{ad}.json"))
        .await;
    assert_eq!(
        st, 400,
        "the address is found inside the encrypted document"
    );
    // A completed profile form names what it creates without quoting attribute values.
    {
        use crate::common::console::{bundle_of, client, complete_inquiry, open_inquiry};
        let (id, url) = console::start_inquiry(&s).await;
        let http = client();
        let (cookie, csrf) = open_inquiry(&http, &url).await;
        let name = "Lkjhgfdsapoiuyt Corp";
        let (st, page) = complete_inquiry(&http, &s.base, &id, &cookie, &csrf, name).await;
        assert_eq!(st, 200, "{page}");
        bundle_of(&page);
    }
    drop(s);
    let bytes = db_bytes(dir.path());
    assert!(!contains(&bytes, "Qwertyuiopasdfgh"));
    assert!(
        !contains(&bytes, "Lkjhgfdsapoiuyt"),
        "no name the profile form gives quotes an attribute value"
    );
    postgres::drop_database(dir.path());

    // A bad key is refused at start.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trusthub"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--encryption-key",
            "short",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("encryption key"));
}
