//! EndUsers and SupportingDocuments: typed attributes, one implementation over `EntityKind`.

use serde_json::Value;

use crate::domain::bundle::Status;
use crate::domain::validate::{json_depth, MAX_JSON_DEPTH};
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Entity, EntityKind, Page, PageQuery, StoreError};

use super::App;

pub fn collection(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::EndUser => "EndUsers",
        EntityKind::SupportingDocument => "SupportingDocuments",
    }
}

fn label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::EndUser => "EndUser",
        EntityKind::SupportingDocument => "SupportingDocument",
    }
}

pub fn not_found(kind: EntityKind, sid: &str) -> Error {
    Error::NotFound(format!("/{}/{sid}", collection(kind)))
}

/// `Attributes` is a JSON object sent as a string (Twilio code 22207 when it is not), nested
/// at most [`MAX_JSON_DEPTH`] levels (400 / 22207 naming the limit).
pub fn parse_attributes(raw: Option<&str>) -> Result<Value> {
    let Some(raw) = raw else {
        return Ok(Value::Object(Default::default()));
    };
    if raw.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(v @ Value::Object(_)) => match json_depth(&v) {
            d if d > MAX_JSON_DEPTH => Err(Error::invalid(
                22207,
                format!("Attributes nests {d} levels deep; the limit is {MAX_JSON_DEPTH} levels"),
            )),
            _ => Ok(v),
        },
        Ok(_) => Err(Error::invalid(
            22207,
            "Attributes must be a JSON object, e.g. {\"business_name\": \"Acme\"}",
        )),
        // serde_json stops at 128 levels ("recursion limit exceeded"): name our limit too.
        Err(e) => Err(Error::invalid(
            22207,
            format!("Attributes is not valid JSON (nested at most {MAX_JSON_DEPTH} levels): {e}"),
        )),
    }
}

// `create` and `build` take the same parameters (`duplicates` pairs their signatures):
// `build` is `create` without the write, for the profile form's own transaction.
pub async fn create(
    app: &App,
    account_sid: &str,
    kind: EntityKind,
    friendly_name: String,
    type_name: &str,
    attributes: Value,
) -> Result<Entity> {
    let entity = build(app, account_sid, kind, friendly_name, type_name, attributes)?;
    Ok(app.store.insert_entity(entity).await?)
}

/// Checks a new EndUser or SupportingDocument and builds its row, without writing it:
/// what `create` stores, and what the console's profile form writes in its own
/// transaction. Errors: a FriendlyName outside 1–255 characters (20002), an unknown type
/// (22200).
pub fn build(
    app: &App,
    account_sid: &str,
    kind: EntityKind,
    friendly_name: String,
    type_name: &str,
    attributes: Value,
) -> Result<Entity> {
    super::check_friendly_name(&friendly_name)?;
    let known = match kind {
        EntityKind::EndUser => app.catalog.end_user_type(type_name),
        EntityKind::SupportingDocument => app.catalog.document_type(type_name),
    };
    let Some(t) = known else {
        let path = match kind {
            EntityKind::EndUser => "EndUserTypes",
            EntityKind::SupportingDocument => "SupportingDocumentTypes",
        };
        return Err(Error::invalid(
            22200,
            format!(
                "Type \"{type_name}\" is not a known {} type; GET /v1/{path} lists them",
                label(kind)
            ),
        ));
    };
    let now = app.clock.now();
    let entity = Entity {
        seq: 0,
        sid: sid::generate(kind.sid_prefix()),
        account_sid: account_sid.to_string(),
        kind,
        type_name: t.machine_name.clone(),
        friendly_name,
        attributes,
        date_created: now,
        date_updated: now,
    };
    Ok(entity)
}

pub async fn get(app: &App, account_sid: &str, kind: EntityKind, sid: &str) -> Result<Entity> {
    app.store
        .entity(account_sid, kind, sid)
        .await?
        .ok_or_else(|| not_found(kind, sid))
}

/// The account's end users or documents, oldest first; only those named exactly
/// `friendly_name` when given (the console's search).
pub async fn list(
    app: &App,
    account_sid: &str,
    kind: EntityKind,
    friendly_name: Option<&str>,
    page: PageQuery,
) -> Result<Page<Entity>> {
    Ok(app
        .store
        .list_entities(account_sid, kind, friendly_name, page)
        .await?)
}

/// The bundles holding each entity of a list page, in page order, in one store query.
pub async fn holders_of(app: &App, page: &[Entity]) -> Result<Vec<Vec<crate::store::Bundle>>> {
    let sids: Vec<String> = page.iter().map(|e| e.sid.clone()).collect();
    let mut by_sid: std::collections::HashMap<String, Vec<crate::store::Bundle>> =
        std::collections::HashMap::new();
    for (sid, b) in app.store.bundles_holding_each(&sids).await? {
        by_sid.entry(sid).or_default().push(b);
    }
    Ok(page
        .iter()
        .map(|e| by_sid.remove(&e.sid).unwrap_or_default())
        .collect())
}

/// A bundle holding the object `sid` that freezes it (under review or approved), described
/// for a refusal: "CustomerProfile BU…, which is in-review".
pub(crate) async fn locking_holder(app: &App, sid: &str) -> Result<Option<String>> {
    let holders = app.store.bundles_holding(sid).await?;
    Ok(holders
        .iter()
        .find(|b| crate::domain::bundle::entities_locked(b.status))
        .map(|b| {
            format!(
                "{} {}, which is {}",
                b.kind.label(),
                b.sid,
                b.status.as_str()
            )
        }))
}

/// Objects under review are what the reviewer is looking at, and an approved bundle's
/// objects are what was vetted: neither may change.
async fn ensure_not_under_review(app: &App, e: &Entity, action: &str) -> Result<()> {
    if let Some(holder) = locking_holder(app, &e.sid).await? {
        let what = format!("The {} {}", label(e.kind), e.sid);
        return Err(Error::conflict(
            20409,
            format!("{what} is assigned to {holder}; it cannot be {action} while that bundle is under review or approved"),
        ));
    }
    Ok(())
}

pub async fn update(
    app: &App,
    account_sid: &str,
    kind: EntityKind,
    sid: &str,
    friendly_name: Option<String>,
    attributes: Option<Value>,
) -> Result<Entity> {
    let mut e = get(app, account_sid, kind, sid).await?;
    if let Some(name) = friendly_name {
        super::check_friendly_name(&name)?;
        e.friendly_name = name;
    }
    let changes_attributes = attributes.is_some();
    if let Some(attrs) = attributes {
        ensure_not_under_review(app, &e, "changed").await?;
        e.attributes = attrs;
    }
    e.date_updated = app.clock.now();
    // Checked again under lock: a holder may have been submitted since.
    let locked = super::statuses_where(crate::domain::bundle::entities_locked);
    let guard = changes_attributes.then_some(locked.as_slice());
    match app.store.update_entity(&e, guard).await {
        Err(StoreError::Stale) => {
            ensure_not_under_review(app, &e, "changed").await?;
            Err(StoreError::Stale.into())
        }
        other => other.map(|_| e).map_err(Into::into),
    }
}

pub async fn delete(app: &App, account_sid: &str, kind: EntityKind, sid: &str) -> Result<()> {
    let e = get(app, account_sid, kind, sid).await?;
    let holders = app.store.bundles_holding(&e.sid).await?;
    if let Some(b) = holders.first() {
        let code = match kind {
            EntityKind::EndUser => 21644,
            EntityKind::SupportingDocument => 21645,
        };
        return Err(Error::invalid(
            code,
            format!(
                "The {} {} is still assigned to {} {}{}; delete that EntityAssignment first",
                label(kind),
                e.sid,
                b.kind.label(),
                b.sid,
                if b.status == Status::Draft {
                    String::new()
                } else {
                    format!(" ({})", b.status.as_str())
                }
            ),
        ));
    }
    // Checked again under the entity's lock: an assignment may have landed since.
    match app.store.delete_entity(account_sid, kind, sid).await {
        Err(StoreError::Stale) => Err(Error::conflict(
            20409,
            format!(
                "The {} {} was assigned while it was being deleted; delete that EntityAssignment first",
                label(kind),
                e.sid
            ),
        )),
        other => other.map(|_| ()).map_err(Into::into),
    }
}
