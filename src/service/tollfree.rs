//! Toll-free verifications (`HH…`, `/v1/Tollfree/Verifications`): registrations of kind
//! `tollfree_verification`, reviewed by the shared lifecycle (`service::registrations`).
//!
//! Rules (README "Toll-free verifications"; the request's own checks are
//! `domain::tollfree`):
//! - `TollfreePhoneNumberSid` names a US/Canada toll-free IncomingPhoneNumber (`+1` 800,
//!   833, 844, 855, 866, 877, 888) **of the account**: a malformed, unknown or another
//!   account's SID, or a local number, is 400 / 30436 (Twilio's "Invalid Phone Number SID");
//! - **one verification per number**: a second one while the first exists is 409 / 20409
//!   naming it (delete the first to start over); the store keeps it so under concurrency;
//! - `CustomerProfileSid`, when given, is a customer profile of the account (any status):
//!   400 / 20001 otherwise, one message for unknown and another account's;
//! - an **edit** (update) is taken only after a rejection whose codes allow it
//!   (`edit_allowed`) and before `edit_expiration` (seven days after the rejection): it
//!   applies the changed fields and resubmits (PENDING_REVIEW). Otherwise 409 / 20409
//!   saying why;
//! - a verification under review (PENDING_REVIEW, IN_REVIEW) is not deleted (409 / 20409).
//! - a verification whose number was released before its decision is not approved: the
//!   automatic reviewer rejects it with 30440 and the operator's approval is refused
//!   (409 / 20409) — buy a toll-free number and verify it anew (`review_input`).

use crate::domain::bundle::BundleKind;
use crate::domain::policy::is_us_toll_free;
use crate::domain::registration::{Actor, Dependency, Failure, Kind, Stage};
use crate::domain::tollfree::{self, EditWindow, Fields, Operation, Problem};
use crate::error::{Error, Result};
use crate::store::{
    finish_page, Cursor, Page, PageQuery, Registration, RegistrationFilter, StoreError, Unique,
};

use serde_json::{json, Value};

use super::{lifecycle, registrations, App};

const KIND: Kind = Kind::TollfreeVerification;

fn refused(p: Problem) -> Error {
    match p {
        Problem::Missing(name) => Error::MissingParameter(name),
        Problem::Invalid { code, message } => Error::invalid(code, message),
    }
}

pub fn not_found(sid: &str) -> Error {
    Error::NotFound(format!("/v1/Tollfree/Verifications/{sid}"))
}

/// Creates a verification from the request's parameters (the form's pairs) and queues
/// its review. 201's resource, or the refusal of a rule above.
pub async fn create(
    app: &App,
    account_sid: &str,
    params: &[(String, String)],
) -> Result<Registration> {
    let mut fields = tollfree::parse(Operation::Create, params).map_err(refused)?;
    let number_sid = text(&fields, "tollfree_phone_number_sid");
    let number = app
        .store
        .number(account_sid, &number_sid)
        .await?
        .ok_or_else(|| refused(tollfree::invalid_number_sid(&number_sid)))?;
    if !is_us_toll_free(&number.phone_number) {
        return Err(refused(tollfree::not_toll_free(
            &number_sid,
            &number.phone_number,
        )));
    }
    let profile = text(&fields, "customer_profile_sid");
    if !profile.is_empty() {
        let own = app.store.bundle(account_sid, &profile).await?;
        if !own.is_some_and(|b| b.kind == BundleKind::CustomerProfile) {
            return Err(Error::invalid(
                20001,
                format!("CustomerProfileSid {profile} is not a customer profile of this account"),
            ));
        }
    }
    if let Some(existing) = of_number(app, account_sid, &number_sid).await? {
        return Err(one_per_number(&number_sid, &existing));
    }
    fields.insert(
        "tollfree_phone_number".into(),
        serde_json::Value::String(number.phone_number.clone()),
    );
    let r = registrations::new(app, account_sid, KIND, Some(number_sid.clone()), fields);
    match registrations::create(app, r).await {
        Ok(saved) => Ok(saved),
        // Another request created one meanwhile. SQLite names a unique index by its columns,
        // so the two partial indexes on `parent_sid` (campaigns', verifications') read alike
        // there: for a verification, either is this one.
        Err(StoreError::Duplicate(Unique::TollfreeNumber | Unique::ServiceCampaign)) => {
            let existing = of_number(app, account_sid, &number_sid).await?;
            Err(match existing {
                Some(sid) => one_per_number(&number_sid, &sid),
                None => Error::conflict(
                    20409,
                    format!("TollfreePhoneNumberSid {number_sid} has a verification already"),
                ),
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn one_per_number(number_sid: &str, existing: &str) -> Error {
    Error::conflict(
        20409,
        format!(
            "TollfreePhoneNumberSid {number_sid} has a toll-free verification already ({existing}): edit that one, or delete it to start over"
        ),
    )
}

/// The SID of the account's verification of this number, if any.
async fn of_number(app: &App, account_sid: &str, number_sid: &str) -> Result<Option<String>> {
    let filter = RegistrationFilter {
        parent_sid: Some(number_sid.to_string()),
        ..Default::default()
    };
    let page = app
        .store
        .list_registrations(
            account_sid,
            KIND,
            &filter,
            PageQuery {
                size: 1,
                cursor: None,
            },
        )
        .await?;
    Ok(page.items.into_iter().next().map(|r| r.sid))
}

fn text(fields: &Fields, key: &str) -> String {
    fields
        .get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub async fn get(app: &App, account_sid: &str, sid: &str) -> Result<Registration> {
    app.store
        .registration(account_sid, KIND, sid)
        .await?
        .ok_or_else(|| not_found(sid))
}

/// `ListTollfreeVerification`'s filters, every one optional.
#[derive(Debug, Default)]
pub struct ListFilter {
    /// `TollfreePhoneNumberSid`.
    pub number_sid: Option<String>,
    /// `Status`: one of the kind's statuses (400 / 20001 otherwise).
    pub status: Option<String>,
    /// `ExternalReferenceId`: exactly the value given at create.
    pub external_reference_id: Option<String>,
    /// `IncludeSubAccounts`: the subaccounts' verifications too.
    pub include_subaccounts: bool,
    /// `TrustProductSid` (repeated): verifications naming one of these trust products.
    /// None does here (`trust_product_sid` is never set), so the list is empty.
    pub trust_product_sids: Vec<String>,
}

/// Most verifications a list by `ExternalReferenceId`, `TrustProductSid` or
/// `IncludeSubAccounts` reads (those filter the stored fields, which no query looks into).
const SCAN_LIMIT: usize = 10_000;

/// The account's verifications (and its subaccounts' with `include_subaccounts`), oldest
/// first, keyset-paged. `TollfreePhoneNumberSid` and `Status` are the store's indexed
/// filters; the others are applied to the family's verifications read in full (at most
/// [`SCAN_LIMIT`]) and paged in memory with the same cursors.
pub async fn list(
    app: &App,
    account_sid: &str,
    f: &ListFilter,
    page: PageQuery,
) -> Result<Page<Registration>> {
    if let Some(s) = f.status.as_deref() {
        if !KIND.statuses().contains(&s) {
            return Err(Error::invalid(
                20001,
                format!(
                    "Status must be one of {}; got \"{s}\"",
                    KIND.statuses().join(", ")
                ),
            ));
        }
    }
    let filter = RegistrationFilter {
        parent_sid: f.number_sid.clone(),
        status: f.status.clone(),
    };
    let scanned = f.external_reference_id.is_some()
        || f.include_subaccounts
        || !f.trust_product_sids.is_empty();
    if !scanned {
        return Ok(app
            .store
            .list_registrations(account_sid, KIND, &filter, page)
            .await?);
    }
    let mut accounts = vec![account_sid.to_string()];
    if f.include_subaccounts {
        let mut cursor = None;
        loop {
            let q = PageQuery { size: 1000, cursor };
            let found = app
                .store
                .list_accounts(account_sid, &Default::default(), q)
                .await?;
            cursor = found.items.last().map(|a| Cursor::After(a.seq));
            accounts.extend(found.items.into_iter().map(|a| a.sid));
            if !found.has_next {
                break;
            }
        }
        accounts.sort();
        accounts.dedup();
    }
    let keep = |r: &Registration| {
        let reference = r
            .fields
            .get("external_reference_id")
            .and_then(|v| v.as_str());
        f.external_reference_id
            .as_deref()
            .is_none_or(|want| reference == Some(want))
            && f.trust_product_sids.is_empty()
    };
    let mut rows = Vec::new();
    let mut read = 0;
    'accounts: for a in &accounts {
        let mut cursor = None;
        loop {
            let q = PageQuery { size: 1000, cursor };
            let found = app.store.list_registrations(a, KIND, &filter, q).await?;
            read += found.items.len();
            cursor = found.items.last().map(|r| Cursor::After(r.seq));
            rows.extend(found.items.into_iter().filter(|r| keep(r)));
            if read >= SCAN_LIMIT {
                break 'accounts;
            }
            if !found.has_next {
                break;
            }
        }
    }
    rows.sort_by_key(|r| r.seq);
    Ok(page_in_memory(rows, page))
}

/// Pages rows sorted by `seq` as the store's keyset paging does: from the cursor on, in
/// its direction, one row more than the page to tell whether there is more.
fn page_in_memory(rows: Vec<Registration>, page: PageQuery) -> Page<Registration> {
    let take = page.size + 1;
    let window: Vec<Registration> = match page.cursor {
        None => rows.into_iter().take(take).collect(),
        Some(Cursor::After(s)) => rows.into_iter().filter(|r| r.seq > s).take(take).collect(),
        Some(Cursor::Before(s)) => rows
            .into_iter()
            .filter(|r| r.seq < s)
            .rev()
            .take(take)
            .collect(),
    };
    finish_page(window, page)
}

/// A rejected verification's edit window (`None` unless rejected): its rejection codes
/// say whether it may be edited, and the rejection time (its last update: nothing else
/// changes a rejected verification) until when.
pub fn edit_window(r: &Registration) -> Option<EditWindow> {
    if KIND.stage(&r.status) != Stage::Rejected {
        return None;
    }
    let codes = r
        .failure
        .as_ref()
        .map(|f| Failure::from_json(f).codes)
        .unwrap_or_default();
    Some(EditWindow {
        allowed: tollfree::edit_allowed(&codes),
        until: tollfree::edit_expiration(r.date_updated),
    })
}

/// Edits a rejected verification and resubmits it (README "Toll-free verifications").
pub async fn update(
    app: &App,
    account_sid: &str,
    sid: &str,
    params: &[(String, String)],
) -> Result<Registration> {
    let changes = tollfree::parse(Operation::Update, params).map_err(refused)?;
    let mut r = get(app, account_sid, sid).await?;
    tollfree::may_edit(edit_window(&r), app.clock.now()).map_err(|why| {
        Error::conflict(
            20409,
            format!("TollfreeVerification {sid} is {}: {why}", r.status),
        )
    })?;
    tollfree::apply(&mut r.fields, &changes).map_err(refused)?;
    // The edit on the timeline: which fields changed, and the EditReason given.
    let edited: Vec<&str> = changes
        .keys()
        .map(String::as_str)
        .filter(|k| tollfree::stored(k))
        .collect();
    let note = changes.get("edit_reason").cloned().unwrap_or(Value::Null);
    let event = lifecycle::subject_event(
        &r.sid,
        &r.account_sid,
        "edited",
        json!({"fields": edited, "edit_reason": note}),
        app.clock.now(),
    );
    let mut change = registrations::transition(app, r, KIND.submitted(), Actor::Customer, None)?;
    change.events.insert(0, event);
    registrations::commit(app, change).await
}

/// Deletes a verification that is not under review.
pub async fn delete(app: &App, account_sid: &str, sid: &str) -> Result<()> {
    let r = get(app, account_sid, sid).await?;
    let deletable: Vec<&str> = KIND
        .statuses()
        .iter()
        .copied()
        .filter(|s| !KIND.stage(s).under_review())
        .collect();
    match app
        .store
        .delete_registration(account_sid, KIND, sid, &deletable)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found(sid)),
        Err(StoreError::Stale) => Err(Error::conflict(
            20409,
            format!(
                "TollfreeVerification {sid} is {} and cannot be deleted while under review",
                r.status
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A verification's trigger values and its one dependency, its toll-free number: still the
/// account's is ready; released (or moved to another account) fails the verification, with
/// 30440 (`Kind::dependency_failure_code`): no edit brings a number back.
pub async fn review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let number_sid = r.parent_sid.as_deref().unwrap_or("");
    let d = match app.store.number(&r.account_sid, number_sid).await? {
        Some(_) => Dependency::Ready,
        None => Dependency::Failed(format!(
            "The toll-free number {number_sid} is no longer this account's (released): buy a toll-free number and create a new verification for it"
        )),
    };
    Ok((registrations::trigger_values(r), vec![d]))
}
