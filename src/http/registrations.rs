//! What the operator API shows of a registration (a brand, vetting, campaign or toll-free
//! verification) in the review queue and after a decision: its kind, status, parent,
//! properties and failure. The Messaging API's own shapes are each kind's module
//! (`http/brands.rs`, …).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::format::iso;
use crate::store::Registration;

/// A registration as `/admin/v1/Reviews` lists it: `registration_kind` is
/// `brand`, `brand_vetting`, `us_app_to_person` or `tollfree_verification`; `fields` are
/// its properties by snake_case name; `failure` is `{reason, errors: [{code,
/// description}]}` once rejected.
#[derive(Serialize)]
pub struct Reviewed<'a> {
    pub sid: &'a str,
    pub account_sid: &'a str,
    pub registration_kind: &'static str,
    pub label: &'static str,
    pub parent_sid: Option<&'a str>,
    pub status: &'a str,
    pub fields: &'a Map<String, Value>,
    pub failure: Option<&'a Value>,
    pub date_created: String,
    pub date_updated: String,
}

impl<'a> Reviewed<'a> {
    pub fn of(r: &'a Registration) -> Self {
        Reviewed {
            sid: &r.sid,
            account_sid: &r.account_sid,
            registration_kind: r.kind.as_str(),
            label: r.kind.label(),
            parent_sid: r.parent_sid.as_deref(),
            status: &r.status,
            fields: &r.fields,
            failure: r.failure.as_ref(),
            date_created: iso(r.date_created),
            date_updated: iso(r.date_updated),
        }
    }

    pub fn json(r: &'a Registration) -> Value {
        serde_json::to_value(Reviewed::of(r)).unwrap_or(Value::Null)
    }
}
