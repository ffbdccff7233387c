//! The JSON shape of each resource, property for property as in Twilio's spec.

use serde_json::{json, Value};

use crate::domain::bundle::BundleKind;
use crate::format::{iso, Urls};
use crate::service::entities::collection;
use crate::store::{Bundle, ChannelAssignment, Entity, EntityAssignment, EntityKind, Evaluation};

pub fn bundle_url(urls: &Urls, kind: BundleKind, sid: &str) -> String {
    urls.abs(&format!("/v1/{}/{sid}", kind.collection()))
}

fn parent_key(kind: BundleKind) -> &'static str {
    match kind {
        BundleKind::CustomerProfile => "customer_profile_sid",
        BundleKind::TrustProduct => "trust_product_sid",
    }
}

pub fn bundle(urls: &Urls, b: &Bundle) -> Value {
    let url = bundle_url(urls, b.kind, &b.sid);
    let p = match b.kind {
        BundleKind::CustomerProfile => "customer_profiles",
        BundleKind::TrustProduct => "trust_products",
    };
    json!({
        "sid": b.sid,
        "account_sid": b.account_sid,
        "policy_sid": b.policy_sid,
        "friendly_name": b.friendly_name,
        "status": b.status.as_str(),
        "email": b.email,
        "status_callback": b.status_callback,
        "valid_until": b.valid_until.map(iso),
        "date_created": iso(b.date_created),
        "date_updated": iso(b.date_updated),
        "url": url,
        "links": {
            format!("{p}_entity_assignments"): format!("{url}/EntityAssignments"),
            format!("{p}_evaluations"): format!("{url}/Evaluations"),
            format!("{p}_channel_endpoint_assignment"): format!("{url}/ChannelEndpointAssignments"),
        },
        "errors": b.errors.as_ref().map(|codes| {
            codes.iter().map(|c| json!({"code": c})).collect::<Vec<_>>()
        }),
    })
}

pub fn entity_assignment(urls: &Urls, kind: BundleKind, a: &EntityAssignment) -> Value {
    json!({
        "sid": a.sid,
        parent_key(kind): a.bundle_sid,
        "account_sid": a.account_sid,
        "object_sid": a.object_sid,
        "date_created": iso(a.date_created),
        "url": format!("{}/EntityAssignments/{}", bundle_url(urls, kind, &a.bundle_sid), a.sid),
    })
}

pub fn channel_assignment(urls: &Urls, kind: BundleKind, a: &ChannelAssignment) -> Value {
    json!({
        "sid": a.sid,
        parent_key(kind): a.bundle_sid,
        "account_sid": a.account_sid,
        "channel_endpoint_type": a.channel_endpoint_type,
        "channel_endpoint_sid": a.channel_endpoint_sid,
        "date_created": iso(a.date_created),
        "url": format!(
            "{}/ChannelEndpointAssignments/{}",
            bundle_url(urls, kind, &a.bundle_sid),
            a.sid
        ),
    })
}

pub fn evaluation(urls: &Urls, kind: BundleKind, e: &Evaluation) -> Value {
    json!({
        "sid": e.sid,
        "account_sid": e.account_sid,
        "policy_sid": e.policy_sid,
        parent_key(kind): e.bundle_sid,
        "status": e.status,
        "date_created": iso(e.date_created),
        "url": format!("{}/Evaluations/{}", bundle_url(urls, kind, &e.bundle_sid), e.sid),
        "results": e.results,
    })
}

pub fn entity(urls: &Urls, e: &Entity) -> Value {
    let url = urls.abs(&format!("/v1/{}/{}", collection(e.kind), e.sid));
    match e.kind {
        EntityKind::EndUser => json!({
            "sid": e.sid,
            "account_sid": e.account_sid,
            "friendly_name": e.friendly_name,
            "type": e.type_name,
            "attributes": e.attributes,
            "date_created": iso(e.date_created),
            "date_updated": iso(e.date_updated),
            "url": url,
        }),
        EntityKind::SupportingDocument => json!({
            "sid": e.sid,
            "account_sid": e.account_sid,
            "friendly_name": e.friendly_name,
            "mime_type": null,
            "status": "DRAFT",
            "type": e.type_name,
            "attributes": e.attributes,
            "date_created": iso(e.date_created),
            "date_updated": iso(e.date_updated),
            "url": url,
        }),
    }
}
