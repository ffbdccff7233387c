//! The audit trail: who changed what. Every write request is recorded from its [`Actor`],
//! whichever way the actor authenticated (the API's Basic credentials, the operator token, a
//! console session), by one layer (`http/audit.rs`); nothing else writes the trail.

use crate::store::AuditEntry;

use super::App;

/// Who made a request, as the authentication that ran established it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// An account's own credentials: its auth token on the API, or a console sign-in with it.
    Account { account_sid: String },
    /// One of the account's API keys: on the API, or a console sign-in with it.
    ApiKey {
        account_sid: String,
        key_sid: String,
    },
    /// The operator token: the operator API, or the operator's console sign-in.
    Operator,
    /// An end customer holding a hosted compliance inquiry's link (console pages only), on
    /// behalf of the ISV account the inquiry belongs to.
    Inquiry {
        inquiry_id: String,
        account_sid: String,
    },
}

impl Actor {
    /// The actor's kind as the trail stores it: `account`, `api_key`, `operator`, `inquiry`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Account { .. } => "account",
            Actor::ApiKey { .. } => "api_key",
            Actor::Operator => "operator",
            Actor::Inquiry { .. } => "inquiry",
        }
    }

    /// The SID (or inquiry id) that acted; `None` for the operator.
    pub fn sid(&self) -> Option<&str> {
        match self {
            Actor::Account { account_sid } => Some(account_sid),
            Actor::ApiKey { key_sid, .. } => Some(key_sid),
            Actor::Operator => None,
            Actor::Inquiry { inquiry_id, .. } => Some(inquiry_id),
        }
    }

    /// The account the actor acts as; `None` for the operator, who acts on any.
    pub fn account_sid(&self) -> Option<&str> {
        match self {
            Actor::Account { account_sid }
            | Actor::ApiKey { account_sid, .. }
            | Actor::Inquiry { account_sid, .. } => Some(account_sid),
            Actor::Operator => None,
        }
    }
}

/// One write request and how it ended (`status`, HTTP), filed under the actor's account, or
/// for the operator under `named_account` (the account the request's path names, if any).
/// A failure to record is logged, not returned: the write itself has happened.
pub async fn record(
    app: &App,
    actor: &Actor,
    named_account: Option<String>,
    method: &str,
    path: &str,
    status: u16,
) {
    let entry = AuditEntry {
        seq: 0,
        actor_kind: actor.kind().into(),
        actor_sid: actor.sid().map(str::to_string),
        account_sid: actor.account_sid().map(str::to_string).or(named_account),
        method: method.into(),
        path: path.into(),
        status,
        date_created: app.clock.now(),
    };
    if let Err(e) = app.store.add_audit(entry).await {
        tracing::warn!(error = %e, "could not record an audit entry");
    }
}
