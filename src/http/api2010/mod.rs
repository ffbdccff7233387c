//! The 2010-04-01 companion API an ISV flow needs: Accounts (subaccounts), Keys,
//! Addresses, AvailablePhoneNumbers and IncomingPhoneNumbers. Paths end in `.json`.

pub mod accounts;
pub mod addresses;
pub mod available;
pub mod numbers;
pub mod render;

use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::service::{accounts as account_rules, App};
use crate::store::Account;

use super::auth::Caller;

pub fn routes() -> Router<Arc<App>> {
    let a = "/2010-04-01/Accounts/{account}";
    Router::new()
        .route(
            "/2010-04-01/Accounts.json",
            get(accounts::list).post(accounts::create),
        )
        .route(a, get(accounts::fetch).post(accounts::update))
        .route(
            &format!("{a}/Keys.json"),
            get(accounts::list_keys).post(accounts::create_key),
        )
        .route(
            &format!("{a}/Keys/{{sid}}"),
            get(accounts::fetch_key)
                .post(accounts::update_key)
                .delete(accounts::delete_key),
        )
        .route(
            &format!("{a}/Addresses.json"),
            get(addresses::list).post(addresses::create),
        )
        .route(
            &format!("{a}/Addresses/{{sid}}"),
            get(addresses::fetch)
                .post(addresses::update)
                .delete(addresses::remove),
        )
        .route(
            &format!("{a}/AvailablePhoneNumbers.json"),
            get(available::countries),
        )
        .route(
            &format!("{a}/AvailablePhoneNumbers/{{country}}"),
            get(available::country),
        )
        .route(
            &format!("{a}/AvailablePhoneNumbers/{{country}}/{{kind}}"),
            get(available::search),
        )
        .route(
            &format!("{a}/IncomingPhoneNumbers.json"),
            get(numbers::list).post(numbers::create),
        )
        .route(
            &format!("{a}/IncomingPhoneNumbers/Local.json"),
            get(numbers::list).post(numbers::create),
        )
        .route(
            &format!("{a}/IncomingPhoneNumbers/TollFree.json"),
            get(numbers::list).post(numbers::create),
        )
        .route(
            &format!("{a}/IncomingPhoneNumbers/Mobile.json"),
            get(numbers::list).post(numbers::create),
        )
        .route(
            &format!("{a}/IncomingPhoneNumbers/{{sid}}"),
            get(numbers::fetch)
                .post(numbers::update)
                .delete(numbers::remove),
        )
}

/// `AD….json` → `AD…`; anything without the suffix is not a 2010 resource path.
pub fn strip_json<'a>(segment: &'a str, path: &str) -> Result<&'a str> {
    segment
        .strip_suffix(".json")
        .ok_or_else(|| Error::NotFound(path.to_string()))
}

/// The account in the URL, as the caller may act for it (itself or its subaccount).
pub async fn path_account(app: &App, caller: &Caller, sid: &str) -> Result<Account> {
    account_rules::reach(app, &caller.account, sid, false).await
}

/// A list filter: its value if sent (and not empty), also recorded in `filters` so the
/// paging URIs carry it.
pub fn take_filter(
    params: &crate::http::form::Params,
    name: &'static str,
    filters: &mut Vec<(&'static str, String)>,
) -> Option<String> {
    let v = params.owned(name).filter(|s| !s.is_empty());
    if let Some(v) = &v {
        filters.push((name, v.clone()));
    }
    v
}

pub fn bool_param(v: Option<&str>, name: &str) -> Result<Option<bool>> {
    crate::service::parse_bool(v, name)
}
