//! Hosted compliance inquiries, the state behind the five `/v1/ComplianceInquiries/...`
//! operations (`http/inquiries.rs`) and the console page an end customer completes
//! (`http/console/inquiries.rs`). An inquiry is kept in the store, so any server sharing it
//! serves every step and a restart keeps unfinished ones. Its session token is handed out
//! once (and anew on resume); only its SHA-256 is stored.
//!
//! Limits (SECURITY.md): `PREFILL_MAX` bytes per prefill value, `OPEN_PER_ACCOUNT` open
//! inquiries per account (a new one replaces the account's oldest open one), `STORED_IN_ALL`
//! in the store (finished ones go first, then the oldest), each forgotten `INQUIRY_TTL`
//! seconds after it was started (server clock).

use serde_json::Value;

use super::accounts::hash_secret;
use super::{random_token, App};
use crate::error::{Error, Result};
use crate::store::{Account, Inquiry, InquiryCaps};

/// Inquiries the store keeps in all; beyond it, finished ones go first, then the oldest.
pub const STORED_IN_ALL: i64 = 10_000;
/// Open inquiries per account; a new one beyond it replaces the account's oldest open one.
pub const OPEN_PER_ACCOUNT: i64 = 100;
/// Seconds (server clock) after which an inquiry is forgotten (its page stops working).
pub const INQUIRY_TTL: i64 = 24 * 3600;
/// The longest prefill value accepted, in bytes (Twilio's fields are short).
pub const PREFILL_MAX: usize = 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Customer,
    Registration,
    Tollfree,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Registration => "registration",
            Kind::Tollfree => "tollfree",
        }
    }

    /// The kind a stored row names; an unknown one is an error, not a guess.
    pub fn parse(s: &str) -> Result<Kind> {
        match s {
            "customer" => Ok(Kind::Customer),
            "registration" => Ok(Kind::Registration),
            "tollfree" => Ok(Kind::Tollfree),
            other => Err(Error::Internal(anyhow::anyhow!(
                "unknown inquiry kind {other:?} in the store"
            ))),
        }
    }
}

/// An inquiry as the API and the console see it; `token` is set only when one was just
/// issued (the store keeps its hash alone).
#[derive(Clone, Debug)]
pub struct Started {
    pub inquiry: Inquiry,
    pub kind: Kind,
    pub token: String,
}

/// Refuses a prefill value longer than `PREFILL_MAX` bytes; the message names `param`.
pub fn check_prefill(param: &str, value: &str) -> Result<()> {
    if value.len() > PREFILL_MAX {
        return Err(Error::invalid(
            20001,
            format!(
                "{param} is {} bytes long; the limit is {PREFILL_MAX}",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// A PrimaryProfileSid (Tollfree: CustomerProfileSid) must be a Customer Profile the
/// calling account can build on (the one rule of `assignments::referable`); anything else
/// reads as an unknown SID. `param` names the parameter in the error (22205).
pub async fn check_primary(app: &App, caller: &Account, param: &str, sid: &str) -> Result<()> {
    super::check_sid(param, sid, crate::sid::BUNDLE, 22205)?;
    let role = crate::domain::bundle::Role::InquiryProfile;
    match super::assignments::referable(app, &caller.sid, role, sid).await? {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            22205,
            format!("{param} {sid} is not a Customer Profile of this account (or, for a subaccount, its parent's twilio-approved Primary Customer Profile)"),
        )),
    }
}

/// Starts an inquiry of `caller`'s with form values `prefill` (input name, value pairs).
pub async fn start(
    app: &App,
    caller: &Account,
    kind: Kind,
    primary: Option<String>,
    prefill: Vec<(String, String)>,
) -> Result<Started> {
    let id = format!("inq_{}", &random_token()[..24]);
    let account = &caller.sid;
    let external_id = match kind {
        Kind::Customer => format!("tri1.us1.trusthub.{account}.customer.{id}"),
        Kind::Registration => format!("tri1.us1.account.{account}.registration.{id}"),
        Kind::Tollfree => format!("tri1.us1.trusthub.{account}.tollfree.{id}"),
    };
    let token = random_token();
    let now = app.clock.now();
    let inquiry = Inquiry {
        id,
        token_hash: hash_secret(&token),
        kind: kind.as_str().to_string(),
        account_sid: caller.sid.clone(),
        external_id,
        primary_sid: primary,
        prefill: serde_json::to_value(prefill).unwrap_or(Value::Null),
        bundle_sid: None,
        date_created: now,
        expires_at: now + INQUIRY_TTL,
    };
    let caps = InquiryCaps {
        per_account: OPEN_PER_ACCOUNT,
        total: STORED_IN_ALL,
    };
    app.store.insert_inquiry(&inquiry, now, caps).await?;
    Ok(Started {
        inquiry,
        kind,
        token,
    })
}

/// Resumes an inquiry of `caller`'s: a fresh session token (the old one stops working)
/// and, while it is open, `primary` as its Primary profile when given. 404 (`path`) if
/// the account has no such inquiry.
pub async fn resume(
    app: &App,
    caller: &Account,
    external_id: &str,
    primary: Option<String>,
    path: &str,
) -> Result<Started> {
    let mut inquiry = app
        .store
        .inquiry_by_external_id(&caller.sid, external_id, app.clock.now())
        .await?
        .ok_or_else(|| Error::NotFound(path.to_string()))?;
    let kind = Kind::parse(&inquiry.kind)?;
    let token = random_token();
    inquiry.token_hash = hash_secret(&token);
    if inquiry.bundle_sid.is_none() && primary.is_some() {
        inquiry.primary_sid = primary;
    }
    app.store.update_inquiry(&inquiry).await?;
    Ok(Started {
        inquiry,
        kind,
        token,
    })
}

/// The unexpired inquiry `id`.
pub async fn get(app: &App, id: &str) -> Result<Option<(Inquiry, Kind)>> {
    match app.store.inquiry(id, app.clock.now()).await? {
        Some(i) => {
            let kind = Kind::parse(&i.kind)?;
            Ok(Some((i, kind)))
        }
        None => Ok(None),
    }
}

/// Whether `token` is the inquiry's current session token (compared as hashes, in
/// constant time).
pub fn token_matches(i: &Inquiry, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    hash_secret(token)
        .as_bytes()
        .ct_eq(i.token_hash.as_bytes())
        .into()
}

/// The form values the inquiry was started with; a stored prefill of another shape is an
/// error, not an empty form.
pub fn prefill(i: &Inquiry) -> Result<Vec<(String, String)>> {
    serde_json::from_value(i.prefill.clone()).map_err(|e| {
        Error::Internal(anyhow::anyhow!(
            "inquiry {}: unreadable prefill in the store: {e}",
            i.id
        ))
    })
}
