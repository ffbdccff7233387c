use crate::common::*;

#[tokio::test]
async fn policies_and_types_are_served_from_the_catalog() {
    let s = Server::start();
    let (st, list) = s.get("/v1/Policies?PageSize=1000").await;
    assert_eq!(st, 200);
    let sids: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sid"].as_str().unwrap())
        .collect();
    for want in [
        SECONDARY,
        PRIMARY,
        VOICE_INTEGRITY,
        "RN806dd6cd175f314e1f96a9727ee271f4",
        "RN7a97559effdf62d00f4298208492a5ea",
        "RNf3db3cd1fe25fcfd3c3ded065c8fea53",
        "RNb0d4771c2c98518d916a3d4cd70a8f8b",
        "RN670d5d2e282a6130ae063b234b6019c8",
    ] {
        assert!(sids.contains(&want), "{want} missing");
    }
    let (_, p) = s.get(&format!("/v1/Policies/{SECONDARY}")).await;
    // Seed 000's policy, requirement for requirement.
    assert_eq!(
        p["friendly_name"],
        "Secondary Customer Profile of type Business"
    );
    let eu = &p["requirements"]["end_user"][0];
    assert_eq!(
        eu["url"],
        "/EndUserTypes/customer_profile_business_information"
    );
    assert_eq!(eu["fields"][0], "business_type");
    assert_eq!(eu["fields"].as_array().unwrap().len(), 9);
    let doc = &p["requirements"]["supporting_document"][0][0];
    assert_eq!(
        doc["accepted_documents"][0]["fields"],
        serde_json::json!(["address_sids"])
    );
    assert_eq!(
        p["requirements"]["supporting_customer_profiles"][0]["requirement_name"],
        "primary_customer_profile"
    );
    assert_eq!(p["url"], format!("{}/v1/Policies/{SECONDARY}", s.base));

    let (_, types) = s.get("/v1/EndUserTypes").await;
    assert_eq!(types["meta"]["key"], "end_user_types");
    let t = types["end_user_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["machine_name"] == "authorized_representative_1")
        .unwrap()
        .clone();
    let (_, by_sid) = s
        .get(&format!("/v1/EndUserTypes/{}", t["sid"].as_str().unwrap()))
        .await;
    assert_eq!(by_sid, t);
    let job = t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["machine_name"] == "job_position")
        .unwrap();
    assert_eq!(job["constraint"], "String");
    assert!(
        job["values"].as_array().unwrap().iter().any(|v| v == "CEO"),
        "rules are served as extra keys"
    );

    let (_, docs) = s.get("/v1/SupportingDocumentTypes").await;
    assert_eq!(docs["meta"]["key"], "supporting_document_types");
    assert!(docs["supporting_document_types"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["machine_name"] == "customer_profile_address"));
    assert_eq!(
        s.get("/v1/Policies/RN00000000000000000000000000000000")
            .await
            .0,
        404
    );
    assert_eq!(s.get("/v1/SupportingDocumentTypes/nope").await.0, 404);
}

#[test]
fn catalog_check_command() {
    let bin = env!("CARGO_BIN_EXE_trusthub");
    let good = std::process::Command::new(bin)
        .args([
            "catalog",
            "check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/catalog"),
        ])
        .output()
        .unwrap();
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stdout).contains("catalog OK"));
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    std::fs::copy(
        format!("{src}/policies.json"),
        dir.path().join("policies.json"),
    )
    .unwrap();
    std::fs::copy(
        format!("{src}/supporting_document_types.json"),
        dir.path().join("supporting_document_types.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("end_user_types.json"), "[]").unwrap();
    let bad = std::process::Command::new(bin)
        .args(["catalog", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("unknown end-user type customer_profile_business_information"),
        "{err}"
    );
}

/// QA F5: rewording a promise does not get it past `catalog check`.
#[test]
fn catalog_check_reads_reworded_promises() {
    let bin = env!("CARGO_BIN_EXE_trusthub");
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    for (field, description, needle) in [
        (
            "cnam_display_name",
            "Up to ten characters.",
            "max_length is 15",
        ),
        (
            "stock_ticker",
            "Omit unless listed; needed when company_type is public.",
            "",
        ),
        (
            "business_employee_count",
            "Between 1 and 10 chars.",
            "min_length is not set",
        ),
        ("website_url", "The business website url.", "format url"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        for f in ["policies.json", "supporting_document_types.json"] {
            std::fs::copy(format!("{src}/{f}"), dir.path().join(f)).unwrap();
        }
        let mut types: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{src}/end_user_types.json")).unwrap(),
        )
        .unwrap();
        let mut changed = false;
        for t in types.as_array_mut().unwrap() {
            for f in t["fields"].as_array_mut().unwrap() {
                if f["machine_name"] == field {
                    f["description"] = description.into();
                    if field == "stock_ticker" {
                        // The rule the words promise is gone.
                        f.as_object_mut().unwrap().remove("allowed_when");
                    }
                    if field == "website_url" {
                        f.as_object_mut().unwrap().remove("format");
                    }
                    changed = true;
                }
            }
        }
        assert!(changed, "{field}");
        std::fs::write(dir.path().join("end_user_types.json"), types.to_string()).unwrap();
        let out = std::process::Command::new(bin)
            .args(["catalog", "check"])
            .arg(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{field}: {description}");
        assert!(err.contains(field) && err.contains(needle), "{err}");
    }
}

/// The A2P use cases are catalog data: `catalog check` counts them and refuses a file whose
/// use case names an unknown brand type or Messaging Service use case.
#[test]
fn catalog_check_reads_the_a2p_use_cases() {
    let bin = env!("CARGO_BIN_EXE_trusthub");
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    let good = std::process::Command::new(bin)
        .args(["catalog", "check", src])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&good.stdout).contains("21 A2P use cases"));
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "policies.json",
        "end_user_types.json",
        "supporting_document_types.json",
    ] {
        std::fs::copy(format!("{src}/{f}"), dir.path().join(f)).unwrap();
    }
    let text = std::fs::read_to_string(format!("{src}/a2p_usecases.json")).unwrap();
    let mut usecases: serde_json::Value = serde_json::from_str(&text).unwrap();
    usecases["us_app_to_person"][0]["brand_types"] = serde_json::json!(["STARTER"]);
    usecases["us_app_to_person"][1]["service_usecases"] = serde_json::json!(["chat"]);
    std::fs::write(dir.path().join("a2p_usecases.json"), usecases.to_string()).unwrap();
    let bad = std::process::Command::new(bin)
        .args(["catalog", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("use case 2FA: unknown brand type STARTER"),
        "{err}"
    );
    assert!(
        err.contains("unknown Messaging Service use case chat"),
        "{err}"
    );
}
