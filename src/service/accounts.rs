//! Accounts, subaccounts and API keys: who is calling, and whom they may act for.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use crate::domain::account::AccountStatus;
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Account, AccountFilter, ApiKey, Page, PageQuery, Store, StoreResult};

use super::App;

/// The name of the account the server makes at start-up and re-creates after a reset.
pub const BOOTSTRAP_NAME: &str = "Bootstrap account";

/// A `Status` parameter (an update or a list filter, 2010 and operator API alike):
/// `active`, `suspended` or `closed`, else 400 / 20001 naming the value.
pub fn parse_status(status: &str) -> Result<AccountStatus> {
    AccountStatus::parse(status).ok_or_else(|| {
        Error::invalid(
            20001,
            format!("Status must be active, suspended or closed; got \"{status}\""),
        )
    })
}

/// What a new account is made of; a `None` SID or token is generated.
pub struct NewAccount {
    pub sid: Option<String>,
    pub friendly_name: String,
    pub auth_token: Option<String>,
    pub owner_sid: Option<String>,
}

impl NewAccount {
    /// The configured bootstrap account (start-up, and a reset that deletes it).
    pub fn bootstrap(sid: Option<String>, auth_token: Option<String>) -> Self {
        NewAccount {
            sid,
            friendly_name: BOOTSTRAP_NAME.into(),
            auth_token,
            owner_sid: None,
        }
    }
}

/// The one place an account is made (main or sub): its SID, auth token and `active`
/// status. Takes the store and the time rather than the `App` because start-up makes the
/// bootstrap account before the `App` exists; callers with an `App` use [`create`].
/// Errors: the store's (a duplicate SID is `Unique::Identity`).
pub async fn insert(store: &dyn Store, new: NewAccount, now: i64) -> StoreResult<Account> {
    let account = Account {
        seq: 0,
        sid: new.sid.unwrap_or_else(|| sid::generate(sid::ACCOUNT)),
        friendly_name: new.friendly_name,
        auth_token: new.auth_token.unwrap_or_else(sid::token),
        owner_sid: new.owner_sid,
        status: AccountStatus::Active,
        date_created: now,
        date_updated: now,
    };
    store.insert_account(&account).await?;
    Ok(store.account(&account.sid).await?.unwrap_or(account))
}

/// [`insert`] at the server's clock; the account cache forgets the SID (a request may
/// have cached it as unknown).
pub async fn create(app: &App, new: NewAccount) -> Result<Account> {
    let account = insert(app.store.as_ref(), new, app.clock.now()).await?;
    app.accounts.forget(Some(&account.sid));
    Ok(account)
}

/// API-key secrets are 128 random bits, so a plain SHA-256 is enough to keep them
/// unreadable at rest (nothing to brute-force).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Account lookups for authentication, kept briefly — found or not: every request
/// authenticates, and the profile showed the account lookup as half of a fetch's store
/// round trips. Unknown SIDs are kept too, so that a wrong token for an existing account
/// and any token for an unknown SID cost the same (issue 15: only existing accounts were
/// cached, which told them apart by timing). A status or name change is seen by other
/// servers within `CACHE_TTL`; by this one at once.
pub struct AccountCache {
    entries: std::sync::Mutex<Entries>,
}

type Entries = std::collections::HashMap<String, (Option<Account>, std::time::Instant)>;

const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);
/// Entries kept before the cache starts over (unknown SIDs cost a store query each).
const CACHE_MAX: usize = 10_000;

impl Default for AccountCache {
    fn default() -> Self {
        AccountCache {
            entries: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl AccountCache {
    /// `Some(None)`: known to be unknown.
    fn get(&self, sid: &str) -> Option<Option<Account>> {
        let m = self.entries.lock().ok()?;
        m.get(sid)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(a, _)| a.clone())
    }

    fn put(&self, sid: &str, a: &Option<Account>) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= CACHE_MAX {
                m.clear();
            }
            m.insert(sid.to_string(), (a.clone(), std::time::Instant::now()));
        }
    }

    pub fn forget(&self, sid: Option<&str>) {
        if let Ok(mut m) = self.entries.lock() {
            match sid {
                Some(s) => {
                    m.remove(s);
                }
                None => m.clear(),
            }
        }
    }
}

async fn account_cached(app: &App, sid: &str) -> Result<Option<Account>> {
    if let Some(a) = app.accounts.get(sid) {
        crate::telemetry::credential_lookup("cache");
        return Ok(a);
    }
    crate::telemetry::credential_lookup("store");
    let a = app.store.account(sid).await?;
    app.accounts.put(sid, &a);
    Ok(a)
}

/// Compared against when the SID is unknown, so both outcomes do the same work.
const NO_TOKEN: &str = "00000000000000000000000000000000";

/// Resolves HTTP Basic credentials (`AC…:token` or `SK…:secret`) to an active account.
/// A wrong secret and an unknown SID take the same path (a lookup, then one hash or one
/// constant-time comparison), so their answer times do not tell them apart.
pub async fn authenticate(app: &App, user: &str, pass: &str) -> Result<Account> {
    let account = if user.starts_with(sid::API_KEY) {
        let key = app.store.key(user).await?;
        let expected = key.as_ref().map_or(NO_TOKEN, |k| k.secret_hash.as_str());
        let matches = equal(expected, &hash_secret(pass));
        match key.filter(|_| matches) {
            Some(key) => account_cached(app, &key.account_sid).await?,
            None => None,
        }
    } else {
        let account = account_cached(app, user).await?;
        let expected = account.as_ref().map_or(NO_TOKEN, |a| a.auth_token.as_str());
        let matches = equal(expected, pass);
        account.filter(|_| matches)
    };
    let account = account.ok_or(Error::Unauthorized)?;
    ensure_active(app, &account).await?;
    Ok(account)
}

/// May `a` make requests? Only when it is active and, for a subaccount, its parent is too:
/// at Twilio a suspended parent suspends its subaccounts (error 10001's causes). Derived
/// rather than written, so reactivating the parent restores each subaccount's own status.
/// Errors: 403 / 20005 naming the account that is not active.
pub async fn ensure_active(app: &App, a: &Account) -> Result<()> {
    if a.status != AccountStatus::Active {
        return Err(inactive(a));
    }
    if let Some(parent) = &a.owner_sid {
        if let Some(p) = account_cached(app, parent).await? {
            if p.status != AccountStatus::Active {
                return Err(Error::Forbidden {
                    code: 20005,
                    message: format!(
                        "Account {} cannot make requests: its parent account {} is {}",
                        a.sid, p.sid, p.status
                    ),
                });
            }
        }
    }
    Ok(())
}

fn inactive(a: &Account) -> Error {
    Error::Forbidden {
        code: 20005,
        message: format!("Account {} is {} and cannot make requests", a.sid, a.status),
    }
}

/// The one status rule for parents and the operator alike: a status is active, suspended
/// or closed (400 / 20001 otherwise), and closed is permanent (400 / 21479).
fn change_status(a: &mut Account, status: &str) -> Result<()> {
    let status = parse_status(status)?;
    if !a.status.may_become(status) {
        return Err(Error::invalid(
            21479,
            format!("Account {} is closed and cannot be reopened", a.sid),
        ));
    }
    a.status = status;
    Ok(())
}

fn rename(a: &mut Account, name: String) -> Result<()> {
    super::check_short_name(&name, true)?;
    a.friendly_name = name;
    Ok(())
}

async fn save(app: &App, mut a: Account) -> Result<Account> {
    a.date_updated = app.clock.now();
    app.store.update_account(&a).await?;
    app.accounts.forget(Some(&a.sid));
    Ok(a)
}

/// A new top-level account (the operator's), with a fresh auth token.
pub async fn create_top_level(app: &App, friendly_name: Option<String>) -> Result<Account> {
    let friendly_name = friendly_name
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Account".into());
    super::check_short_name(&friendly_name, false)?;
    create(
        app,
        NewAccount {
            sid: None,
            friendly_name,
            auth_token: None,
            owner_sid: None,
        },
    )
    .await
}

/// Top-level accounts, for the operator.
pub async fn list_top_level(
    app: &App,
    filter: &AccountFilter,
    page: PageQuery,
) -> Result<Page<Account>> {
    Ok(app.store.list_top_accounts(filter, page).await?)
}

/// Any account, for the operator (404 when unknown).
pub async fn get_any(app: &App, sid: &str) -> Result<Account> {
    app.store
        .account(sid)
        .await?
        .ok_or_else(|| Error::NotFound(format!("/admin/v1/Accounts/{sid}")))
}

/// The operator suspends, reactivates, closes or renames an account (top-level or not):
/// the same status rule as a parent's, and the change is seen at once by this server.
pub async fn operator_update(
    app: &App,
    sid: &str,
    friendly_name: Option<String>,
    status: Option<String>,
) -> Result<Account> {
    let mut a = get_any(app, sid).await?;
    if let Some(name) = friendly_name {
        rename(&mut a, name)?;
    }
    if let Some(st) = status {
        change_status(&mut a, &st)?;
    }
    save(app, a).await
}

/// A new auth token for the account; the old one stops working at once on this server
/// (within the 2 s account cache on others). A closed account keeps its dead token
/// (400 / 21479).
pub async fn rotate_token(app: &App, sid: &str) -> Result<Account> {
    let mut a = get_any(app, sid).await?;
    if a.status == AccountStatus::Closed {
        return Err(Error::invalid(
            21479,
            format!("Account {} is closed; its auth token is not rotated", a.sid),
        ));
    }
    a.auth_token = sid::token();
    save(app, a).await
}

/// The account named in a 2010 URL, if the caller may act for it: itself, or (for a
/// parent) one of its subaccounts. Anything else is Twilio's 20003, as for a sibling.
pub async fn reach(
    app: &App,
    caller: &Account,
    path_sid: &str,
    allow_inactive: bool,
) -> Result<Account> {
    if path_sid == caller.sid {
        return Ok(caller.clone());
    }
    let target = app
        .store
        .account(path_sid)
        .await?
        .filter(|a| a.owner_sid.as_deref() == Some(caller.sid.as_str()))
        .ok_or(Error::Unauthorized)?;
    if target.status != AccountStatus::Active && !allow_inactive {
        return Err(inactive(&target));
    }
    Ok(target)
}

pub async fn create_subaccount(
    app: &App,
    caller: &Account,
    friendly_name: Option<String>,
) -> Result<Account> {
    if caller.owner_sid.is_some() {
        return Err(Error::invalid(
            21101,
            "Subaccounts cannot create subaccounts; use the parent account's credentials",
        ));
    }
    let now = app.clock.now();
    let name = friendly_name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("SubAccount Created at {}", crate::format::rfc2822(now)));
    super::check_short_name(&name, false)?;
    create(
        app,
        NewAccount {
            sid: None,
            friendly_name: name,
            auth_token: None,
            owner_sid: Some(caller.sid.clone()),
        },
    )
    .await
}

pub async fn list(
    app: &App,
    caller: &Account,
    filter: &AccountFilter,
    page: PageQuery,
) -> Result<Page<Account>> {
    Ok(app.store.list_accounts(&caller.sid, filter, page).await?)
}

pub async fn update(
    app: &App,
    caller: &Account,
    target_sid: &str,
    friendly_name: Option<String>,
    status: Option<String>,
) -> Result<Account> {
    let mut a = reach(app, caller, target_sid, true).await?;
    if let Some(name) = friendly_name {
        rename(&mut a, name)?;
    }
    if let Some(st) = status {
        if a.sid == caller.sid {
            return Err(Error::invalid(
                20001,
                "An account cannot change its own Status; its parent account can",
            ));
        }
        change_status(&mut a, &st)?;
    }
    save(app, a).await
}

/// A new key; the secret is returned this once and only its hash is stored.
pub async fn create_key(
    app: &App,
    account: &Account,
    friendly_name: Option<String>,
) -> Result<(ApiKey, String)> {
    if let Some(name) = &friendly_name {
        super::check_short_name(name, false)?;
    }
    let secret = sid::token();
    let now = app.clock.now();
    let key = ApiKey {
        seq: 0,
        sid: sid::generate(sid::API_KEY),
        account_sid: account.sid.clone(),
        friendly_name: friendly_name.unwrap_or_default(),
        secret_hash: hash_secret(&secret),
        date_created: now,
        date_updated: now,
    };
    Ok((app.store.insert_key(key).await?, secret))
}

pub async fn get_key(app: &App, account: &Account, sid: &str) -> Result<ApiKey> {
    app.store
        .key(sid)
        .await?
        .filter(|k| k.account_sid == account.sid)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "/2010-04-01/Accounts/{}/Keys/{sid}.json",
                account.sid
            ))
        })
}

/// The account's API keys, a page (2010 `Keys.json`).
pub async fn list_keys(app: &App, account: &Account, page: PageQuery) -> Result<Page<ApiKey>> {
    Ok(app.store.list_keys(&account.sid, page).await?)
}

/// Renames a key (`FriendlyName`); without a new name the key is returned unchanged.
pub async fn update_key(
    app: &App,
    account: &Account,
    sid: &str,
    friendly_name: Option<String>,
) -> Result<ApiKey> {
    let mut k = get_key(app, account, sid).await?;
    if let Some(name) = friendly_name {
        super::check_short_name(&name, false)?;
        k.friendly_name = name;
        k.date_updated = app.clock.now();
        app.store.update_key(&k).await?;
    }
    Ok(k)
}

/// Deletes a key: its secret stops authenticating at once.
pub async fn delete_key(app: &App, account: &Account, sid: &str) -> Result<()> {
    let k = get_key(app, account, sid).await?;
    app.store.delete_key(&account.sid, &k.sid).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_cache_keeps_unknown_sids_and_starts_over_when_full() {
        let cache = AccountCache::default();
        cache.put("ACunknown", &None);
        assert!(
            matches!(cache.get("ACunknown"), Some(None)),
            "kept as unknown"
        );
        for i in 1..CACHE_MAX {
            cache.put(&format!("AC{i}"), &None);
        }
        assert!(cache.get("ACunknown").is_some());
        cache.put("ACone-more", &None);
        assert!(cache.get("ACunknown").is_none(), "started over");
        assert!(cache.get("ACone-more").is_some());
    }
}
