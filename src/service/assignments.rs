//! EntityAssignments and ChannelEndpointAssignments of both bundle kinds.

use crate::domain::bundle::{self, BundleKind, Role, Whose};
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{
    Bundle, ChannelAssignment, Entity, EntityAssignment, EntityKind, Event, Page, PageQuery,
    StoreError, Unique,
};

use super::{lifecycle, App};
use serde_json::json;

fn event(app: &App, b: &Bundle, kind: &str, detail: serde_json::Value) -> crate::store::Event {
    lifecycle::event(b, kind, detail, app.clock.now())
}

/// Statuses in which a bundle's entity / channel assignments may change, checked again by
/// the store under the bundle's lock (a submission may land between read and write).
pub fn entities_open() -> Vec<crate::domain::bundle::Status> {
    super::statuses_where(|s| !bundle::entities_locked(s))
}

/// Numbers may be assigned or removed in every status (the guides: "before or after
/// submitting"); the store still checks the bundle exists, under its lock.
fn channels_open() -> Vec<crate::domain::bundle::Status> {
    super::statuses_where(|_| true)
}

/// A conditional write refused: the bundle or the object changed meanwhile.
fn changed(b: &Bundle, object_sid: &str) -> Error {
    Error::conflict(
        20409,
        format!(
            "The {} {} or {object_sid} changed while this request was processed (submitted, deleted or assigned elsewhere); fetch them and try again",
            b.kind.label(),
            b.sid
        ),
    )
}

/// Twilio's code for an ObjectSid that is malformed or not this account's.
pub const INVALID_OBJECT: u32 = 22205;
pub const PHONE_NUMBER: &str = "phone-number";

fn locked(b: &Bundle, what: &str) -> Error {
    Error::conflict(
        20409,
        format!(
            "The {} {} is {}; its {what} cannot change {}",
            b.kind.label(),
            b.sid,
            b.status.as_str(),
            if b.status.under_review() {
                "until the review ends"
            } else {
                "once approved"
            }
        ),
    )
}

pub async fn create_entity(app: &App, b: &Bundle, object_sid: &str) -> Result<EntityAssignment> {
    let (row, assigned) = build_entity(app, b, object_sid, &[]).await?;
    app.store
        .insert_entity_assignment(row, &entities_open(), assigned)
        .await
        .map_err(|e| entity_write_refused(b, object_sid, e))
}

/// Checks that `object_sid` may be assigned to `b` and builds the assignment and its
/// "assigned" event, without writing them (the store checks the bundle's status and the
/// object again under lock, with `entities_open`). `made`: entities created in the same
/// unit of work, not yet in the store (the console's profile form). Errors: `b` under
/// review or approved (409 / 20409); an object that is not one of the account's entities
/// or a bundle it may reference (`referable`), or `b` itself (400 / 22205).
pub async fn build_entity(
    app: &App,
    b: &Bundle,
    object_sid: &str,
    made: &[Entity],
) -> Result<(EntityAssignment, Event)> {
    if bundle::entities_locked(b.status) {
        return Err(locked(b, "entity assignments"));
    }
    let unknown = || {
        Error::invalid(
            INVALID_OBJECT,
            format!(
                "ObjectSid {object_sid} is not an EndUser (IT…), SupportingDocument (RD…), CustomerProfile or TrustProduct (BU…) of this account (a subaccount's CustomerProfile may also take its parent's twilio-approved Primary Customer Profile)"
            ),
        )
    };
    let object_type = match sid::prefix_of(object_sid) {
        Some(p @ (sid::END_USER | sid::SUPPORTING_DOCUMENT)) => {
            let kind = if p == sid::END_USER {
                EntityKind::EndUser
            } else {
                EntityKind::SupportingDocument
            };
            let made = made
                .iter()
                .find(|e| e.sid == object_sid && e.kind == kind && e.account_sid == b.account_sid);
            let e = match made {
                Some(e) => e.clone(),
                None => app
                    .store
                    .entity(&b.account_sid, kind, object_sid)
                    .await?
                    .ok_or_else(unknown)?,
            };
            e.type_name
        }
        Some(sid::BUNDLE) => {
            if object_sid == b.sid {
                return Err(Error::invalid(
                    INVALID_OBJECT,
                    "A bundle cannot be assigned to itself",
                ));
            }
            let other = referable(app, &b.account_sid, Role::EntityOf(b.kind), object_sid)
                .await?
                .ok_or_else(unknown)?;
            other.kind.as_str().to_string()
        }
        _ => return Err(unknown()),
    };
    let row = EntityAssignment {
        seq: 0,
        sid: sid::generate(sid::ENTITY_ASSIGNMENT),
        bundle_sid: b.sid.clone(),
        account_sid: b.account_sid.clone(),
        object_sid: object_sid.to_string(),
        object_type,
        date_created: app.clock.now(),
    };
    let detail = json!({"assignment_sid": row.sid, "object_sid": row.object_sid});
    let assigned = event(app, b, "assigned", detail);
    Ok((row, assigned))
}

/// How the API answers the store's refusal of an entity assignment: the bundle or object
/// changed meanwhile (409 / 20409), or the object is assigned already (409 / 20409).
pub fn entity_write_refused(b: &Bundle, object_sid: &str, e: StoreError) -> Error {
    match e {
        StoreError::Stale => changed(b, object_sid),
        StoreError::Duplicate(Unique::EntityAssignment) => Error::conflict(
            20409,
            format!(
                "{object_sid} is already assigned to {} {}",
                b.kind.label(),
                b.sid
            ),
        ),
        other => other.into(),
    }
}

/// The bundle `sid` if account `account_sid` may name it in `role`
/// ([`bundle::may_reference`]: its own, or for a subaccount's customer profile the
/// parent's approved Primary). `None` otherwise, and callers answer exactly as for an
/// unknown SID: a subaccount learns nothing of its parent's other bundles.
pub async fn referable(
    app: &App,
    account_sid: &str,
    role: Role,
    sid: &str,
) -> Result<Option<Bundle>> {
    let mut found = app
        .store
        .bundle(account_sid, sid)
        .await?
        .map(|b| (b, Whose::Own));
    if found.is_none() {
        let parent = app
            .store
            .account(account_sid)
            .await?
            .and_then(|a| a.owner_sid);
        if let Some(parent) = parent {
            found = app
                .store
                .bundle(&parent, sid)
                .await?
                .map(|b| (b, Whose::Parents));
        }
    }
    Ok(found.and_then(|(b, whose)| {
        let primary = app
            .catalog
            .policy(&b.policy_sid)
            .is_some_and(|p| p.console_only && p.bundle_kind == BundleKind::CustomerProfile);
        bundle::may_reference(role, whose, b.kind, primary, b.status).then_some(b)
    }))
}

pub async fn get_entity(app: &App, b: &Bundle, sid: &str) -> Result<EntityAssignment> {
    app.store
        .entity_assignment(&b.sid, sid)
        .await?
        .ok_or_else(|| not_found(b.kind, &b.sid, "EntityAssignments", sid))
}

pub async fn list_entities(
    app: &App,
    b: &Bundle,
    object_type: Option<&str>,
    page: PageQuery,
) -> Result<Page<EntityAssignment>> {
    Ok(app
        .store
        .list_entity_assignments(&b.sid, object_type, page)
        .await?)
}

pub async fn delete_entity(app: &App, b: &Bundle, sid: &str) -> Result<()> {
    let a = get_entity(app, b, sid).await?;
    if bundle::entities_locked(b.status) {
        return Err(locked(b, "entity assignments"));
    }
    let detail = json!({"assignment_sid": a.sid, "object_sid": a.object_sid});
    let unassigned = event(app, b, "unassigned", detail);
    match app
        .store
        .delete_entity_assignment(&b.sid, sid, &entities_open(), unassigned)
        .await
    {
        Err(StoreError::Stale) => Err(changed(b, &a.object_sid)),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

pub async fn create_channel(
    app: &App,
    b: &Bundle,
    endpoint_type: &str,
    endpoint_sid: &str,
) -> Result<ChannelAssignment> {
    if endpoint_type != PHONE_NUMBER {
        return Err(Error::invalid(
            INVALID_OBJECT,
            format!("ChannelEndpointType \"{endpoint_type}\" is not supported; use phone-number"),
        ));
    }
    super::check_sid(
        "ChannelEndpointSid",
        endpoint_sid,
        sid::PHONE_NUMBER,
        INVALID_OBJECT,
    )?;
    ensure_number_reachable(app, b, endpoint_sid).await?;
    if b.kind == BundleKind::TrustProduct {
        ensure_not_toll_free(app, b, endpoint_sid).await?;
        if needs_profile_for(app, b, endpoint_sid).await? {
            ensure_on_supporting_profile(app, b, endpoint_sid).await?;
        }
        ensure_not_registered_elsewhere(app, b, endpoint_sid).await?;
    }
    let row = ChannelAssignment {
        seq: 0,
        sid: sid::generate(sid::CHANNEL_ENDPOINT_ASSIGNMENT),
        bundle_sid: b.sid.clone(),
        account_sid: b.account_sid.clone(),
        channel_endpoint_type: endpoint_type.to_string(),
        channel_endpoint_sid: endpoint_sid.to_string(),
        date_created: app.clock.now(),
    };
    let detail =
        json!({"assignment_sid": row.sid, "channel_endpoint_sid": row.channel_endpoint_sid});
    let assigned = event(app, b, "channel_assigned", detail);
    let a = match app
        .store
        .insert_channel_assignment(row, &channels_open(), assigned)
        .await
    {
        Err(StoreError::Stale) => return Err(changed(b, endpoint_sid)),
        Err(StoreError::Duplicate(Unique::ChannelAssignment)) => {
            return Err(Error::conflict(
                20409,
                format!(
                    "{endpoint_sid} is already assigned to {} {}",
                    b.kind.label(),
                    b.sid
                ),
            ))
        }
        other => other?,
    };
    Ok(a)
}

/// A bundle takes its own account's numbers. A parent's Primary Customer Profile also takes
/// its subaccounts' numbers (Twilio's SHAKEN/STIR guide for direct customers with
/// subaccounts), and so do the parent's trust products, once the number is on one of their
/// customer profiles (checked next: in practice, on that Primary).
async fn ensure_number_reachable(app: &App, b: &Bundle, endpoint_sid: &str) -> Result<()> {
    if app
        .store
        .number(&b.account_sid, endpoint_sid)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let primary = app
        .catalog
        .policy(&b.policy_sid)
        .is_some_and(|p| p.console_only && p.bundle_kind == BundleKind::CustomerProfile);
    if primary || b.kind == BundleKind::TrustProduct {
        if let Some(n) = app.store.number_any(endpoint_sid).await? {
            let owner = app
                .store
                .account(&n.account_sid)
                .await?
                .and_then(|a| a.owner_sid);
            if owner.as_deref() == Some(b.account_sid.as_str()) {
                return Ok(());
            }
        }
    }
    Err(Error::invalid(
        INVALID_OBJECT,
        format!(
            "ChannelEndpointSid {endpoint_sid} is not an IncomingPhoneNumber of this account; provision it with POST /2010-04-01/Accounts/{}/IncomingPhoneNumbers.json first",
            b.account_sid
        ),
    ))
}

/// Twilio's CNAM guide: CNAM for toll-free numbers is not registered through the API.
async fn ensure_not_toll_free(app: &App, tp: &Bundle, endpoint_sid: &str) -> Result<()> {
    let Some(policy) = app
        .catalog
        .policy(&tp.policy_sid)
        .filter(|p| p.refuses_toll_free)
    else {
        return Ok(());
    };
    let Some(n) = app.store.number_any(endpoint_sid).await? else {
        return Ok(());
    };
    if !crate::domain::policy::is_us_toll_free(&n.phone_number) {
        return Ok(());
    }
    Err(Error::invalid(
        INVALID_OBJECT,
        format!(
            "{endpoint_sid} ({}) is a toll-free number; {} trust products take local numbers only (toll-free CNAM is not registered through the API)",
            n.phone_number, policy.friendly_name
        ),
    ))
}

/// Must the number sit on one of the trust product's customer profiles? Yes when its
/// policy requires a customer profile, and for a number of another account (a subaccount's,
/// which only the parent's Primary brings in). A policy with an optional profile takes the
/// account's own numbers directly.
async fn needs_profile_for(app: &App, tp: &Bundle, endpoint_sid: &str) -> Result<bool> {
    let required = app
        .catalog
        .policy(&tp.policy_sid)
        .is_none_or(|p| p.requires_customer_profile());
    if required {
        return Ok(true);
    }
    let own = app.store.number(&tp.account_sid, endpoint_sid).await?;
    Ok(own.is_none())
}

/// Seed 001: "Only those phone numbers already assigned to your Secondary Business
/// Profile are eligible" for a trust product.
async fn ensure_on_supporting_profile(app: &App, b: &Bundle, endpoint_sid: &str) -> Result<()> {
    if on_a_customer_profile(app, &b.sid, endpoint_sid, None).await? {
        return Ok(());
    }
    Err(Error::invalid(
        INVALID_OBJECT,
        format!(
            "{endpoint_sid} is not assigned to a CustomerProfile of this TrustProduct; assign it to the supporting CustomerProfile first, then to the TrustProduct"
        ),
    ))
}

/// Is the number on one of the customer profiles assigned to trust product `tp_sid`
/// (other than `except`)?
async fn on_a_customer_profile(
    app: &App,
    tp_sid: &str,
    endpoint_sid: &str,
    except: Option<&str>,
) -> Result<bool> {
    let (_, supporting) = app.store.assigned_objects(tp_sid).await?;
    let one = [endpoint_sid.to_string()];
    for p in supporting
        .iter()
        .filter(|p| p.kind == BundleKind::CustomerProfile && Some(p.sid.as_str()) != except)
    {
        let page = PageQuery {
            size: 1,
            cursor: None,
        };
        let found = app
            .store
            .list_channel_assignments(&p.sid, Some(&one), page)
            .await?;
        if !found.items.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The rule above holds for as long as the trust product has the number: a customer profile
/// cannot drop a number that a trust product resting on it still holds (409 / 20409 naming
/// the trust product; remove the number there first).
async fn ensure_no_trust_product_relies_on(
    app: &App,
    b: &Bundle,
    endpoint_sid: &str,
) -> Result<()> {
    if b.kind != BundleKind::CustomerProfile {
        return Ok(());
    }
    for tp in app.store.bundles_with_number(endpoint_sid).await? {
        if tp.kind != BundleKind::TrustProduct {
            continue;
        }
        let (_, supporting) = app.store.assigned_objects(&tp.sid).await?;
        if !supporting.iter().any(|p| p.sid == b.sid)
            || !needs_profile_for(app, &tp, endpoint_sid).await?
        {
            continue;
        }
        if on_a_customer_profile(app, &tp.sid, endpoint_sid, Some(&b.sid)).await? {
            continue;
        }
        return Err(Error::conflict(
            20409,
            format!(
                "{endpoint_sid} is assigned to TrustProduct {} (policy {}), which relies on this CustomerProfile for it; remove it from the TrustProduct first",
                tp.sid, tp.policy_sid
            ),
        ));
    }
    Ok(())
}

/// Policies with the same `exclusive_channel_endpoints` group register a number once: a
/// second CNAM (SHAKEN/STIR, Voice Integrity, …) trust product cannot take it (Twilio answers
/// 409 / 20409 naming the bundle that has it).
async fn ensure_not_registered_elsewhere(app: &App, b: &Bundle, endpoint_sid: &str) -> Result<()> {
    let group_of = |policy_sid: &str| {
        app.catalog
            .policy(policy_sid)
            .and_then(|p| p.exclusive_channel_endpoints.clone())
    };
    let Some(group) = group_of(&b.policy_sid) else {
        return Ok(());
    };
    let holders = app.store.bundles_with_number(endpoint_sid).await?;
    let other = holders.iter().find(|h| {
        h.sid != b.sid
            && h.kind == BundleKind::TrustProduct
            && group_of(&h.policy_sid).as_deref() == Some(group.as_str())
    });
    let Some(other) = other else {
        return Ok(());
    };
    // Another account's bundle is not named: its SID is not the caller's to see.
    let holder = if other.account_sid == b.account_sid {
        format!("TrustProduct {} (policy {})", other.sid, other.policy_sid)
    } else {
        "another account's TrustProduct".to_string()
    };
    Err(Error::conflict(
        20409,
        format!(
            "{endpoint_sid} is already assigned to {holder}; a phone number can be registered on one {group} trust product at a time. Remove it there first."
        ),
    ))
}

pub async fn get_channel(app: &App, b: &Bundle, sid: &str) -> Result<ChannelAssignment> {
    app.store
        .channel_assignment(&b.sid, sid)
        .await?
        .ok_or_else(|| not_found(b.kind, &b.sid, "ChannelEndpointAssignments", sid))
}

pub async fn list_channels(
    app: &App,
    b: &Bundle,
    endpoint_sids: Option<&[String]>,
    page: PageQuery,
) -> Result<Page<ChannelAssignment>> {
    Ok(app
        .store
        .list_channel_assignments(&b.sid, endpoint_sids, page)
        .await?)
}

pub async fn delete_channel(app: &App, b: &Bundle, sid: &str) -> Result<()> {
    let a = get_channel(app, b, sid).await?;
    ensure_no_trust_product_relies_on(app, b, &a.channel_endpoint_sid).await?;
    let detail = json!({"assignment_sid": a.sid, "channel_endpoint_sid": a.channel_endpoint_sid});
    let unassigned = event(app, b, "channel_unassigned", detail);
    match app
        .store
        .delete_channel_assignment(&b.sid, sid, &channels_open(), unassigned)
        .await
    {
        Err(StoreError::Stale) => Err(changed(b, &a.channel_endpoint_sid)),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

fn not_found(kind: BundleKind, bundle_sid: &str, sub: &str, sid: &str) -> Error {
    Error::NotFound(format!("/{}/{bundle_sid}/{sub}/{sid}", kind.collection()))
}
