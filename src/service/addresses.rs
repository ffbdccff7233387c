//! Addresses (2010-04-01), which supporting documents name in `address_sids`.

use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Account, Address, AddressFilter, Page, PageQuery};

use super::App;

/// The fields a create or update may carry (`None`: not sent).
#[derive(Default, Clone)]
pub struct AddressInput {
    pub customer_name: Option<String>,
    pub friendly_name: Option<String>,
    pub street: Option<String>,
    pub street_secondary: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub iso_country: Option<String>,
    pub emergency_enabled: Option<bool>,
}

fn not_found(account: &str, sid: &str) -> Error {
    Error::NotFound(format!(
        "/2010-04-01/Accounts/{account}/Addresses/{sid}.json"
    ))
}

fn check_country(c: &str) -> Result<String> {
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(c.to_ascii_uppercase())
    } else {
        Err(Error::invalid(
            21628,
            format!("IsoCountry must be an ISO-3166 alpha-2 country code such as US; got \"{c}\""),
        ))
    }
}

/// Checks a new Address of `account` and builds its row, without writing it: what
/// `create` stores, and what the console's profile form writes in its own transaction.
/// Errors: a missing field (`MissingParameter`), a FriendlyName over 64 characters
/// (20002), a country that is not ISO-3166 alpha-2 (21628).
pub fn build(app: &App, account: &Account, input: AddressInput) -> Result<Address> {
    let required = |v: Option<String>, name: &'static str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or(Error::MissingParameter(name))
    };
    let now = app.clock.now();
    if let Some(n) = &input.friendly_name {
        super::check_short_name(n, false)?;
    }
    let address = Address {
        seq: 0,
        sid: sid::generate(sid::ADDRESS),
        account_sid: account.sid.clone(),
        customer_name: required(input.customer_name, "CustomerName")?,
        street: required(input.street, "Street")?,
        city: required(input.city, "City")?,
        region: required(input.region, "Region")?,
        postal_code: required(input.postal_code, "PostalCode")?,
        iso_country: check_country(&required(input.iso_country, "IsoCountry")?)?,
        friendly_name: input.friendly_name.filter(|s| !s.is_empty()),
        street_secondary: input.street_secondary.filter(|s| !s.is_empty()),
        emergency_enabled: input.emergency_enabled.unwrap_or(false),
        date_created: now,
        date_updated: now,
    };
    Ok(address)
}

pub async fn create(app: &App, account: &Account, input: AddressInput) -> Result<Address> {
    let address = build(app, account, input)?;
    Ok(app.store.insert_address(address).await?)
}

pub async fn get(app: &App, account: &Account, sid: &str) -> Result<Address> {
    app.store
        .address(&account.sid, sid)
        .await?
        .ok_or_else(|| not_found(&account.sid, sid))
}

pub async fn list(
    app: &App,
    account: &Account,
    filter: &AddressFilter,
    page: PageQuery,
) -> Result<Page<Address>> {
    Ok(app.store.list_addresses(&account.sid, filter, page).await?)
}

/// An address named by a document of a bundle under review or approved is what was
/// vetted: it may not change or go away (Twilio's 21630).
async fn ensure_unlocked(app: &App, a: &Address, action: &str) -> Result<()> {
    for doc in app
        .store
        .documents_mentioning(&a.account_sid, &a.sid)
        .await?
    {
        if let Some(holder) = super::entities::locking_holder(app, &doc.sid).await? {
            let (address, document) = (&a.sid, &doc.sid);
            return Err(Error::invalid(
                21630,
                format!("Address {address} is used by SupportingDocument {document} of {holder}; it cannot be {action}"),
            ));
        }
    }
    Ok(())
}

pub async fn update(
    app: &App,
    account: &Account,
    sid: &str,
    input: AddressInput,
) -> Result<Address> {
    let mut a = get(app, account, sid).await?;
    if input.iso_country.is_some() {
        return Err(Error::invalid(
            20001,
            "IsoCountry cannot be updated; create a new Address",
        ));
    }
    ensure_unlocked(app, &a, "changed").await?;
    let set = |field: &mut String, v: Option<String>, name: &'static str| -> Result<()> {
        if let Some(v) = v {
            if v.trim().is_empty() {
                return Err(Error::invalid(20001, format!("{name} cannot be empty")));
            }
            *field = v;
        }
        Ok(())
    };
    set(&mut a.customer_name, input.customer_name, "CustomerName")?;
    set(&mut a.street, input.street, "Street")?;
    set(&mut a.city, input.city, "City")?;
    set(&mut a.region, input.region, "Region")?;
    set(&mut a.postal_code, input.postal_code, "PostalCode")?;
    if let Some(n) = input.friendly_name {
        super::check_short_name(&n, false)?;
        a.friendly_name = Some(n).filter(|s| !s.is_empty());
    }
    if let Some(s2) = input.street_secondary {
        a.street_secondary = Some(s2).filter(|s| !s.is_empty());
    }
    if let Some(e) = input.emergency_enabled {
        a.emergency_enabled = e;
    }
    a.date_updated = app.clock.now();
    app.store.update_address(&a).await?;
    Ok(a)
}

pub async fn delete(app: &App, account: &Account, sid: &str) -> Result<()> {
    let a = get(app, account, sid).await?;
    ensure_unlocked(app, &a, "deleted").await?;
    app.store.delete_address(&account.sid, sid).await?;
    Ok(())
}
