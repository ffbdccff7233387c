//! The JSON shape of each resource, property for property as in Twilio's spec: one
//! `#[derive(Serialize)]` struct per resource, its fields in the order they go on the wire
//! (serde writes them in declaration order; the bytes are those of the spec's examples).
//! Borrowed from the stored row, so rendering a list page allocates little beyond the
//! output (a `json!` tree allocated a map and a string per property, about 40% of a list
//! page's cost).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use crate::domain::bundle::BundleKind;
use crate::format::{iso, Urls};
use crate::service::entities::collection;
use crate::store::{Bundle, ChannelAssignment, Entity, EntityAssignment, EntityKind, Evaluation};

pub fn bundle_url(urls: &Urls, kind: BundleKind, sid: &str) -> String {
    urls.abs(&format!("/v1/{}/{sid}", kind.collection()))
}

/// The parent's SID under its kind's name (`customer_profile_sid` or `trust_product_sid`):
/// one of the two is set, so the other is left out.
#[derive(Serialize)]
pub struct Parent<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_profile_sid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trust_product_sid: Option<&'a str>,
}

fn parent(kind: BundleKind, sid: &str) -> Parent<'_> {
    match kind {
        BundleKind::CustomerProfile => Parent {
            customer_profile_sid: Some(sid),
            trust_product_sid: None,
        },
        BundleKind::TrustProduct => Parent {
            customer_profile_sid: None,
            trust_product_sid: Some(sid),
        },
    }
}

/// A CustomerProfile or TrustProduct.
#[derive(Serialize)]
pub struct BundleBody<'a> {
    sid: &'a str,
    account_sid: &'a str,
    policy_sid: &'a str,
    friendly_name: &'a str,
    status: &'static str,
    email: &'a str,
    status_callback: Option<&'a str>,
    valid_until: Option<String>,
    date_created: String,
    date_updated: String,
    url: String,
    links: BundleLinks,
    errors: Option<Vec<ErrorCode>>,
}

/// `links`: the three sub-resources, named after the bundle's kind.
pub struct BundleLinks {
    kind: BundleKind,
    url: String,
}

impl Serialize for BundleLinks {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names = match self.kind {
            BundleKind::CustomerProfile => [
                "customer_profiles_entity_assignments",
                "customer_profiles_evaluations",
                "customer_profiles_channel_endpoint_assignment",
            ],
            BundleKind::TrustProduct => [
                "trust_products_entity_assignments",
                "trust_products_evaluations",
                "trust_products_channel_endpoint_assignment",
            ],
        };
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry(names[0], &format!("{}/EntityAssignments", self.url))?;
        m.serialize_entry(names[1], &format!("{}/Evaluations", self.url))?;
        m.serialize_entry(
            names[2],
            &format!("{}/ChannelEndpointAssignments", self.url),
        )?;
        m.end()
    }
}

#[derive(Serialize)]
pub struct ErrorCode {
    code: u32,
}

pub fn bundle<'a>(urls: &Urls, b: &'a Bundle) -> BundleBody<'a> {
    let url = bundle_url(urls, b.kind, &b.sid);
    BundleBody {
        sid: &b.sid,
        account_sid: &b.account_sid,
        policy_sid: &b.policy_sid,
        friendly_name: &b.friendly_name,
        status: b.status.as_str(),
        email: &b.email,
        status_callback: b.status_callback.as_deref(),
        valid_until: b.valid_until.map(iso),
        date_created: iso(b.date_created),
        date_updated: iso(b.date_updated),
        links: BundleLinks {
            kind: b.kind,
            url: url.clone(),
        },
        url,
        errors: b
            .errors
            .as_ref()
            .map(|codes| codes.iter().map(|&code| ErrorCode { code }).collect()),
    }
}

/// An EntityAssignment or a ChannelEndpointAssignment: the same resource but for what
/// it assigns (`O`: [`AssignedObject`] or [`AssignedEndpoint`]).
#[derive(Serialize)]
pub struct AssignmentBody<'a, O> {
    sid: &'a str,
    #[serde(flatten)]
    parent: Parent<'a>,
    account_sid: &'a str,
    #[serde(flatten)]
    assigned: O,
    date_created: String,
    url: String,
}

#[derive(Serialize)]
pub struct AssignedObject<'a> {
    object_sid: &'a str,
}

#[derive(Serialize)]
pub struct AssignedEndpoint<'a> {
    channel_endpoint_type: &'a str,
    channel_endpoint_sid: &'a str,
}

/// `list`: the assignments' path segment under the bundle.
fn assignment<'a, O>(
    urls: &Urls,
    kind: BundleKind,
    list: &str,
    (sid, bundle_sid, account_sid): (&'a str, &'a str, &'a str),
    date_created: i64,
    assigned: O,
) -> AssignmentBody<'a, O> {
    AssignmentBody {
        sid,
        parent: parent(kind, bundle_sid),
        account_sid,
        assigned,
        date_created: iso(date_created),
        url: format!("{}/{list}/{sid}", bundle_url(urls, kind, bundle_sid)),
    }
}

// `entity_assignment` and `channel_assignment` have one signature's shape (`duplicates`
// pairs them): each names what its row assigns; what they share is `assignment`.
pub fn entity_assignment<'a>(
    urls: &Urls,
    kind: BundleKind,
    a: &'a EntityAssignment,
) -> AssignmentBody<'a, AssignedObject<'a>> {
    let object = AssignedObject {
        object_sid: &a.object_sid,
    };
    let ids = (
        a.sid.as_str(),
        a.bundle_sid.as_str(),
        a.account_sid.as_str(),
    );
    assignment(urls, kind, "EntityAssignments", ids, a.date_created, object)
}

pub fn channel_assignment<'a>(
    urls: &Urls,
    kind: BundleKind,
    a: &'a ChannelAssignment,
) -> AssignmentBody<'a, AssignedEndpoint<'a>> {
    let endpoint = AssignedEndpoint {
        channel_endpoint_type: &a.channel_endpoint_type,
        channel_endpoint_sid: &a.channel_endpoint_sid,
    };
    let ids = (
        a.sid.as_str(),
        a.bundle_sid.as_str(),
        a.account_sid.as_str(),
    );
    let list = "ChannelEndpointAssignments";
    assignment(urls, kind, list, ids, a.date_created, endpoint)
}

#[derive(Serialize)]
pub struct EvaluationBody<'a> {
    sid: &'a str,
    account_sid: &'a str,
    policy_sid: &'a str,
    #[serde(flatten)]
    parent: Parent<'a>,
    status: &'a str,
    date_created: String,
    url: String,
    results: &'a Value,
}

pub fn evaluation<'a>(urls: &Urls, kind: BundleKind, e: &'a Evaluation) -> EvaluationBody<'a> {
    EvaluationBody {
        sid: &e.sid,
        account_sid: &e.account_sid,
        policy_sid: &e.policy_sid,
        parent: parent(kind, &e.bundle_sid),
        status: &e.status,
        date_created: iso(e.date_created),
        url: format!(
            "{}/Evaluations/{}",
            bundle_url(urls, kind, &e.bundle_sid),
            e.sid
        ),
        results: &e.results,
    }
}

/// An EndUser, or a SupportingDocument (the same with `mime_type` and `status`).
#[derive(Serialize)]
#[serde(untagged)]
pub enum EntityBody<'a> {
    EndUser {
        sid: &'a str,
        account_sid: &'a str,
        friendly_name: &'a str,
        #[serde(rename = "type")]
        type_name: &'a str,
        attributes: &'a Value,
        date_created: String,
        date_updated: String,
        url: String,
    },
    SupportingDocument {
        sid: &'a str,
        account_sid: &'a str,
        friendly_name: &'a str,
        mime_type: Option<&'a str>,
        status: &'static str,
        #[serde(rename = "type")]
        type_name: &'a str,
        attributes: &'a Value,
        date_created: String,
        date_updated: String,
        url: String,
    },
}

pub fn entity<'a>(urls: &Urls, e: &'a Entity) -> EntityBody<'a> {
    let url = urls.abs(&format!("/v1/{}/{}", collection(e.kind), e.sid));
    match e.kind {
        EntityKind::EndUser => EntityBody::EndUser {
            sid: &e.sid,
            account_sid: &e.account_sid,
            friendly_name: &e.friendly_name,
            type_name: &e.type_name,
            attributes: &e.attributes,
            date_created: iso(e.date_created),
            date_updated: iso(e.date_updated),
            url,
        },
        EntityKind::SupportingDocument => EntityBody::SupportingDocument {
            sid: &e.sid,
            account_sid: &e.account_sid,
            friendly_name: &e.friendly_name,
            mime_type: None,
            status: "DRAFT",
            type_name: &e.type_name,
            attributes: &e.attributes,
            date_created: iso(e.date_created),
            date_updated: iso(e.date_updated),
            url,
        },
    }
}

/// A typed body as a 200 response, serialized at once (the body borrows the rows it
/// renders, which the handler drops on return).
pub fn body<T: Serialize>(v: T) -> axum::response::Response {
    axum::response::IntoResponse::into_response(axum::Json(v))
}
