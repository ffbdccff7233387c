//! Accounts, subaccounts and API keys: who is calling, and whom they may act for.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult};
use crate::sid;
use crate::store::{Account, AccountFilter, ApiKey, Page, PageQuery};

use super::App;

pub const ACTIVE: &str = "active";
pub const STATUSES: [&str; 3] = ["active", "suspended", "closed"];

/// API-key secrets are 128 random bits, so a plain SHA-256 is enough to keep them
/// unreadable at rest (nothing to brute-force).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Accounts read for authentication, kept briefly: every request authenticates, and the
/// profile showed the account lookup as half of a fetch's store round trips. A status or
/// name change is seen by other servers within `CACHE_TTL`; by this one at once.
pub struct AccountCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Account, std::time::Instant)>>,
}

const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

impl Default for AccountCache {
    fn default() -> Self {
        AccountCache {
            entries: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl AccountCache {
    fn get(&self, sid: &str) -> Option<Account> {
        let m = self.entries.lock().ok()?;
        m.get(sid)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(a, _)| a.clone())
    }

    fn put(&self, a: &Account) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() > 10_000 {
                m.clear();
            }
            m.insert(a.sid.clone(), (a.clone(), std::time::Instant::now()));
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

async fn account_cached(app: &App, sid: &str) -> ApiResult<Option<Account>> {
    if let Some(a) = app.accounts.get(sid) {
        return Ok(Some(a));
    }
    let a = app.store.account(sid).await?;
    if let Some(a) = &a {
        app.accounts.put(a);
    }
    Ok(a)
}

/// Resolves HTTP Basic credentials (`AC…:token` or `SK…:secret`) to an active account.
pub async fn authenticate(app: &App, user: &str, pass: &str) -> ApiResult<Account> {
    let account = if user.starts_with(sid::API_KEY) {
        let key = app.store.key(user).await?.ok_or(ApiError::Unauthorized)?;
        if !equal(&key.secret_hash, &hash_secret(pass)) {
            return Err(ApiError::Unauthorized);
        }
        account_cached(app, &key.account_sid).await?
    } else {
        account_cached(app, user)
            .await?
            .filter(|a| equal(&a.auth_token, pass))
    };
    let account = account.ok_or(ApiError::Unauthorized)?;
    if account.status != ACTIVE {
        return Err(inactive(&account));
    }
    Ok(account)
}

fn inactive(a: &Account) -> ApiError {
    ApiError::Forbidden {
        code: 20005,
        message: format!("Account {} is {} and cannot make requests", a.sid, a.status),
    }
}

/// The account named in a 2010 URL, if the caller may act for it: itself, or (for a
/// parent) one of its subaccounts. Anything else is Twilio's 20003, as for a sibling.
pub async fn reach(
    app: &App,
    caller: &Account,
    path_sid: &str,
    allow_inactive: bool,
) -> ApiResult<Account> {
    if path_sid == caller.sid {
        return Ok(caller.clone());
    }
    let target = app
        .store
        .account(path_sid)
        .await?
        .filter(|a| a.owner_sid.as_deref() == Some(caller.sid.as_str()))
        .ok_or(ApiError::Unauthorized)?;
    if target.status != ACTIVE && !allow_inactive {
        return Err(inactive(&target));
    }
    Ok(target)
}

pub async fn create_subaccount(
    app: &App,
    caller: &Account,
    friendly_name: Option<String>,
) -> ApiResult<Account> {
    if caller.owner_sid.is_some() {
        return Err(ApiError::invalid(
            21101,
            "Subaccounts cannot create subaccounts; use the parent account's credentials",
        ));
    }
    let now = app.clock.now();
    let name = friendly_name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("SubAccount Created at {}", crate::format::rfc2822(now)));
    if name.chars().count() > 64 {
        return Err(ApiError::invalid(
            20002,
            "FriendlyName must be at most 64 characters",
        ));
    }
    let account = Account {
        seq: 0,
        sid: sid::generate(sid::ACCOUNT),
        friendly_name: name,
        auth_token: sid::token(),
        owner_sid: Some(caller.sid.clone()),
        status: ACTIVE.into(),
        date_created: now,
        date_updated: now,
    };
    app.store.insert_account(&account).await?;
    Ok(app.store.account(&account.sid).await?.unwrap_or(account))
}

pub async fn list(
    app: &App,
    caller: &Account,
    filter: &AccountFilter,
    page: PageQuery,
) -> ApiResult<Page<Account>> {
    Ok(app.store.list_accounts(&caller.sid, filter, page).await?)
}

pub async fn update(
    app: &App,
    caller: &Account,
    target_sid: &str,
    friendly_name: Option<String>,
    status: Option<String>,
) -> ApiResult<Account> {
    let mut a = reach(app, caller, target_sid, true).await?;
    if let Some(name) = friendly_name {
        if name.is_empty() || name.chars().count() > 64 {
            return Err(ApiError::invalid(
                20002,
                "FriendlyName must be 1 to 64 characters",
            ));
        }
        a.friendly_name = name;
    }
    if let Some(st) = status {
        if !STATUSES.contains(&st.as_str()) {
            return Err(ApiError::invalid(
                20001,
                format!("Status must be active, suspended or closed; got \"{st}\""),
            ));
        }
        if a.sid == caller.sid {
            return Err(ApiError::invalid(
                20001,
                "An account cannot change its own Status; its parent account can",
            ));
        }
        if a.status == "closed" && st != "closed" {
            return Err(ApiError::invalid(
                21479,
                format!("Subaccount {} is closed and cannot be reopened", a.sid),
            ));
        }
        a.status = st;
    }
    a.date_updated = app.clock.now();
    app.store.update_account(&a).await?;
    app.accounts.forget(Some(&a.sid));
    Ok(a)
}

/// A new key; the secret is returned this once and only its hash is stored.
pub async fn create_key(
    app: &App,
    account: &Account,
    friendly_name: Option<String>,
) -> ApiResult<(ApiKey, String)> {
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

pub async fn get_key(app: &App, account: &Account, sid: &str) -> ApiResult<ApiKey> {
    app.store
        .key(sid)
        .await?
        .filter(|k| k.account_sid == account.sid)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "/2010-04-01/Accounts/{}/Keys/{sid}.json",
                account.sid
            ))
        })
}
