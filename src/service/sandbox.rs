//! The sandbox's data powers: reset, and named snapshots of the whole store. (Faults and
//! the request inspector are about one running server, not data: `crate::sandbox`.)

use crate::error::{Error, Result};
use crate::store::{AccountFilter, PageQuery};

use super::accounts::{self, NewAccount};
use super::App;

/// Empties the store, or one account's data (`account`); with `accounts` the accounts
/// themselves go too (the named one with its subaccounts and keys). Deleting every
/// account, or the bootstrap account itself, re-creates the configured bootstrap account
/// empty (same SID and token), so the server stays usable. The request inspector forgets
/// the deleted accounts' requests.
/// Errors: 404 when `account` is unknown.
pub async fn reset(app: &App, account: Option<&str>, accounts: bool) -> Result<()> {
    if let Some(a) = account {
        if app.store.account(a).await?.is_none() {
            return Err(Error::NotFound(format!("/Accounts/{a}")));
        }
    }
    // Deleted subaccounts leave the request inspector too (Twilio allows 1,000 per account).
    let mut subaccounts = vec![];
    if let (Some(a), true) = (account, accounts) {
        let page = PageQuery {
            size: 1000,
            cursor: None,
        };
        let family = app
            .store
            .list_accounts(a, &AccountFilter::default(), page)
            .await?;
        subaccounts.extend(family.items.into_iter().map(|s| s.sid).filter(|s| s != a));
    }
    app.store.reset(account, accounts).await?;
    app.accounts.forget(None);
    app.requests.clear(account);
    for sub in &subaccounts {
        app.requests.clear(Some(sub));
    }
    if accounts {
        let bootstrap = app
            .settings
            .bootstrap
            .as_ref()
            .filter(|(sid, _)| account.is_none_or(|a| a == sid.as_str()));
        if let Some((sid, token)) = bootstrap {
            let new = NewAccount::bootstrap(Some(sid.clone()), Some(token.clone()));
            accounts::create(app, new).await?;
        }
    }
    Ok(())
}

/// A snapshot name: 1 to 64 letters, digits, `-`, `_` or `.` (400 / 20001 otherwise).
fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(Error::invalid(
            20001,
            "Name must be 1 to 64 letters, digits, '-', '_' or '.'",
        ));
    }
    Ok(())
}

/// Saves every row of the store under `name` (replacing a snapshot of that name), in
/// `trusthub export`'s line format. Returns the row count and the time taken.
pub async fn take_snapshot(app: &App, name: &str) -> Result<(usize, i64)> {
    check_name(name)?;
    let rows = app.store.dump().await?;
    let now = app.clock.now();
    app.store
        .save_snapshot(name, &crate::transfer::to_lines(&rows), now)
        .await?;
    Ok((rows.len(), now))
}

/// The snapshots' names and times, by name.
pub async fn list_snapshots(app: &App) -> Result<Vec<(String, i64)>> {
    Ok(app.store.list_snapshots().await?)
}

/// Replaces the store's rows with the snapshot's; returns the row count.
/// Errors: 404 when there is no snapshot of that name.
pub async fn restore(app: &App, name: &str) -> Result<usize> {
    let data = app
        .store
        .snapshot(name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("/Snapshots/{name}")))?;
    let rows = crate::transfer::parse_lines(data.as_bytes())?;
    app.store.load(&rows).await?;
    super::numbers::classify_stored(app.store.as_ref(), &app.catalog).await?;
    app.accounts.forget(None);
    app.jobs_wake.notify_one();
    Ok(rows.len())
}
