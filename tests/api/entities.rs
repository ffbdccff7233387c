use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn end_users_and_documents_round_trip() {
    let s = Server::start();
    for (collection, type_name, attrs) in [
        (
            "EndUsers",
            "customer_profile_business_information",
            business_information(),
        ),
        (
            "SupportingDocuments",
            "customer_profile_address",
            address_document(),
        ),
    ] {
        let path = format!("/v1/{collection}");
        let a = attrs.to_string();
        let e = s
            .ok(
                &path,
                &[
                    ("FriendlyName", "thing"),
                    ("Type", type_name),
                    ("Attributes", &a),
                ],
                201,
            )
            .await;
        let sid = e["sid"].as_str().unwrap().to_string();
        assert!(sid.starts_with(if collection == "EndUsers" { "IT" } else { "RD" }));
        assert_eq!(e["type"], type_name);
        assert_eq!(e["attributes"], attrs, "attributes come back as an object");
        assert_eq!(e["url"], format!("{}{path}/{sid}", s.base));
        if collection == "SupportingDocuments" {
            assert_eq!(e["status"], "DRAFT");
            assert_eq!(e["mime_type"], serde_json::Value::Null);
        }
        let (st, got) = s.get(&format!("{path}/{sid}")).await;
        assert_eq!((st, &got), (200, &e));

        let up = s
            .ok(
                &format!("{path}/{sid}"),
                &[
                    ("FriendlyName", "renamed"),
                    ("Attributes", r#"{"k": [1, 2]}"#),
                ],
                200,
            )
            .await;
        assert_eq!(up["friendly_name"], "renamed");
        assert_eq!(up["attributes"], json!({"k": [1, 2]}));
        assert_eq!(up["type"], type_name, "type is not updatable");

        let (_, list) = s.get(&path).await;
        assert_eq!(list["results"].as_array().unwrap().len(), 1);
        assert_eq!(s.delete(&format!("{path}/{sid}")).await.0, 204);
        assert_eq!(s.get(&format!("{path}/{sid}")).await.0, 404);
        assert_eq!(s.delete(&format!("{path}/{sid}")).await.0, 404);
    }
}

#[tokio::test]
async fn attributes_default_to_an_empty_object_and_types_resolve_by_sid() {
    let s = Server::start();
    let e = s
        .ok(
            "/v1/EndUsers",
            &[
                ("FriendlyName", "x"),
                ("Type", "authorized_representative_1"),
            ],
            201,
        )
        .await;
    assert_eq!(e["attributes"], json!({}));
    let (_, t) = s.get("/v1/EndUserTypes/authorized_representative_1").await;
    let by_sid = t["sid"].as_str().unwrap();
    let e = s
        .ok(
            "/v1/EndUsers",
            &[("FriendlyName", "x"), ("Type", by_sid)],
            201,
        )
        .await;
    assert_eq!(
        e["type"], "authorized_representative_1",
        "stored by machine name"
    );
}

#[tokio::test]
async fn bad_entities_are_refused() {
    let s = Server::start();
    let cases: Vec<(&str, Form, u64, &str)> = vec![
        (
            "/v1/EndUsers",
            vec![("Type", "authorized_representative_1")],
            20001,
            "FriendlyName",
        ),
        ("/v1/EndUsers", vec![("FriendlyName", "x")], 20001, "Type"),
        (
            "/v1/EndUsers",
            vec![("FriendlyName", "x"), ("Type", "martian")],
            22200,
            "martian",
        ),
        (
            "/v1/SupportingDocuments",
            vec![
                ("FriendlyName", "x"),
                ("Type", "authorized_representative_1"),
            ],
            22200,
            "SupportingDocument",
        ),
        (
            "/v1/EndUsers",
            vec![
                ("FriendlyName", "x"),
                ("Type", "authorized_representative_1"),
                ("Attributes", "{not json"),
            ],
            22207,
            "not valid JSON",
        ),
        (
            "/v1/EndUsers",
            vec![
                ("FriendlyName", "x"),
                ("Type", "authorized_representative_1"),
                ("Attributes", "[1,2]"),
            ],
            22207,
            "JSON object",
        ),
    ];
    for (path, form, code, needle) in cases {
        let (st, body) = s.post(path, &form).await;
        assert_eq!(
            (st, body["code"].as_u64()),
            (400, Some(code)),
            "{form:?} -> {body}"
        );
        assert!(body["message"].as_str().unwrap().contains(needle), "{body}");
    }
    let eu = s
        .end_user("authorized_representative_1", representative())
        .await;
    let (st, body) = s
        .post(&format!("/v1/EndUsers/{eu}"), &[("Attributes", "nope")])
        .await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(22207)));
    let (_, still) = s.get(&format!("/v1/EndUsers/{eu}")).await;
    assert_eq!(
        still["attributes"],
        representative(),
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn assigned_objects_cannot_be_deleted() {
    let s = Server::start();
    let bu = s.profile(SECONDARY).await;
    let eu = s
        .end_user("authorized_representative_1", representative())
        .await;
    let rd = s
        .document("customer_profile_address", address_document())
        .await;
    let a1 = s.assign("CustomerProfiles", &bu, &eu).await;
    s.assign("CustomerProfiles", &bu, &rd).await;
    let (st, body) = s.delete(&format!("/v1/EndUsers/{eu}")).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21644)), "{body}");
    assert!(body["message"].as_str().unwrap().contains(&bu));
    let (st, body) = s.delete(&format!("/v1/SupportingDocuments/{rd}")).await;
    assert_eq!((st, body["code"].as_u64()), (400, Some(21645)), "{body}");
    let a1 = a1["sid"].as_str().unwrap();
    assert_eq!(
        s.delete(&format!("/v1/CustomerProfiles/{bu}/EntityAssignments/{a1}"))
            .await
            .0,
        204
    );
    assert_eq!(s.delete(&format!("/v1/EndUsers/{eu}")).await.0, 204);
}
