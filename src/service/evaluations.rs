//! Evaluations: judge a bundle's assigned objects against a policy, and keep the verdict.

use crate::domain::bundle::BundleKind;
use crate::domain::evaluate::{self, Assigned, Entity as EvalEntity, Outcome, SupportingBundle};
use crate::domain::policy::Policy;
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Bundle, Entity, EntityKind, Evaluation, Event, Page, PageQuery};

use super::App;

/// Our code for "submitted while noncompliant" (Twilio's is not public).
pub const NONCOMPLIANT: u32 = 22220;

/// An assigned end user or document as the rules see it.
pub fn entity_view(e: &crate::store::Entity) -> EvalEntity<'_> {
    EvalEntity {
        sid: &e.sid,
        type_name: &e.type_name,
        friendly_name: &e.friendly_name,
        attributes: &e.attributes,
    }
}

/// An assigned bundle as the rules see it.
pub fn bundle_view(b: &Bundle) -> SupportingBundle<'_> {
    SupportingBundle {
        sid: &b.sid,
        policy_sid: &b.policy_sid,
        status: b.status,
        errors: b.errors.as_deref(),
    }
}

/// The catalog policy `policy_sid` names: 22200 when malformed or unknown.
pub fn policy<'a>(app: &'a App, policy_sid: &str) -> Result<&'a Policy> {
    super::check_sid("PolicySid", policy_sid, sid::POLICY, 22200)?;
    app.catalog.policy(policy_sid).ok_or_else(|| {
        Error::invalid(
            22200,
            format!("PolicySid {policy_sid} is not a known policy; GET /v1/Policies lists them"),
        )
    })
}

/// Evaluates without storing: returns the row to store and the outcome.
pub async fn run(app: &App, bundle: &Bundle, policy_sid: &str) -> Result<(Evaluation, Outcome)> {
    let policy = policy(app, policy_sid)?;
    let (entities, bundles) = app.store.assigned_objects(&bundle.sid).await?;
    let named = named_addresses(&entities);
    let addresses = app
        .store
        .existing_addresses(&bundle.account_sid, &named)
        .await?;
    judge(app, bundle, policy, &entities, &bundles, addresses)
}

/// The Address SIDs the assigned documents name (`address_sids`): the evaluation needs to
/// know which of them are Addresses of the bundle's account.
pub fn named_addresses(entities: &[Entity]) -> Vec<String> {
    entities
        .iter()
        .filter(|e| e.kind == EntityKind::SupportingDocument)
        .filter_map(|e| e.attributes.get("address_sids"))
        .flat_map(crate::domain::validate::address_sids)
        .collect()
}

/// Judges `bundle`'s assigned objects (`entities`, supporting `bundles`; `addresses`: those
/// of `named_addresses` that are the account's) against `policy`, without I/O: the row to
/// store and the outcome. `run` loads the objects from the store; the console's profile
/// form from its own transaction.
pub fn judge(
    app: &App,
    bundle: &Bundle,
    policy: &Policy,
    entities: &[Entity],
    bundles: &[Bundle],
    addresses: Vec<String>,
) -> Result<(Evaluation, Outcome)> {
    // Documents may only name the bundle account's own Addresses, and those must exist.
    let view = |kind: EntityKind| {
        entities
            .iter()
            .filter(move |e| e.kind == kind)
            .map(entity_view)
            .collect()
    };
    let assigned = Assigned {
        end_users: view(EntityKind::EndUser),
        documents: view(EntityKind::SupportingDocument),
        bundles: bundles.iter().map(bundle_view).collect(),
        addresses: Some(addresses.into_iter().collect()),
    };
    let outcome = evaluate::evaluate(policy, &app.catalog, &assigned);
    let row = Evaluation {
        seq: 0,
        sid: sid::generate(sid::EVALUATION),
        bundle_sid: bundle.sid.clone(),
        account_sid: bundle.account_sid.clone(),
        policy_sid: policy.sid.clone(),
        status: if outcome.compliant {
            "compliant"
        } else {
            "noncompliant"
        }
        .to_string(),
        results: serde_json::to_value(&outcome.results).map_err(anyhow::Error::from)?,
        date_created: app.clock.now(),
    };
    Ok((row, outcome))
}

/// The timeline event of a kept evaluation.
pub fn evaluated(bundle: &Bundle, row: &Evaluation) -> Event {
    let detail = serde_json::json!({"evaluation_sid": row.sid, "status": row.status});
    super::lifecycle::event(bundle, "evaluated", detail, row.date_created)
}

pub async fn create(app: &App, bundle: &Bundle, policy_sid: &str) -> Result<Evaluation> {
    let (row, _) = run(app, bundle, policy_sid).await?;
    let e = evaluated(bundle, &row);
    match app.store.insert_evaluation(row, e).await {
        // Deleted meanwhile.
        Err(crate::store::StoreError::Stale) => Err(Error::NotFound(format!(
            "/{}/{}",
            bundle.kind.collection(),
            bundle.sid
        ))),
        other => Ok(other?),
    }
}

pub async fn get(app: &App, bundle: &Bundle, sid: &str) -> Result<Evaluation> {
    app.store
        .evaluation(&bundle.sid, sid)
        .await?
        .ok_or_else(|| not_found(bundle.kind, &bundle.sid, sid))
}

pub async fn list(app: &App, bundle: &Bundle, page: PageQuery) -> Result<Page<Evaluation>> {
    Ok(app.store.list_evaluations(&bundle.sid, page).await?)
}

fn not_found(kind: BundleKind, bundle_sid: &str, sid: &str) -> Error {
    Error::NotFound(format!(
        "/{}/{bundle_sid}/Evaluations/{sid}",
        kind.collection()
    ))
}
