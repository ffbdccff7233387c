//! Registrations (brands, brand vettings, A2P campaigns, toll-free verifications): the one
//! lifecycle the four kinds share with TrustHub bundles. Creating one queues its review
//! (`jobs/pipeline.rs` starts and, in `--review auto`, decides it); a status change goes
//! through [`transition`], which builds its timeline event and next review step with the
//! bundles' builder (`lifecycle::status_change`); the operator decides through
//! `service::review`. Each kind's own rules (what it references, what its review waits
//! for) live with its resource: `service::brands`, … ; this module dispatches to them.

use serde_json::{json, Map, Value};

use crate::domain::registration::{self, Actor, Decision, Dependency, Failure, Kind, Stage};
use crate::error::{Error, Result};
use crate::sid;
use crate::store::{Registration, RegistrationChange};

use super::{lifecycle, App};

/// A new registration of `kind` for `account_sid`, in its kind's submitted status, not yet
/// stored (give it to [`create`]). `fields` are its properties by snake_case name.
pub fn new(
    app: &App,
    account_sid: &str,
    kind: Kind,
    parent_sid: Option<String>,
    fields: Map<String, Value>,
) -> Registration {
    let now = app.clock.now();
    Registration {
        seq: 0,
        sid: sid::generate(kind.sid_prefix()),
        account_sid: account_sid.to_string(),
        kind,
        parent_sid,
        status: kind.submitted().to_string(),
        fields,
        failure: None,
        date_created: now,
        date_updated: now,
        version: 0,
    }
}

/// Stores a new registration with its `created` event and its first review step, in one
/// transaction. Store refusals (a campaign's service has one already) are the caller's to
/// map: they come back as they are.
pub async fn create(app: &App, r: Registration) -> crate::store::StoreResult<Registration> {
    let now = r.date_created;
    let created = lifecycle::subject_event(
        &r.sid,
        &r.account_sid,
        "created",
        json!({"kind": r.kind.as_str(), "status": r.status}),
        now,
    );
    let review = lifecycle::job(
        crate::store::JobKind::Review,
        &r.sid,
        json!({"step": "start"}),
        now,
    );
    let saved = app
        .store
        .insert_registration(RegistrationChange {
            registration: r,
            events: vec![created],
            jobs: vec![review],
        })
        .await?;
    app.jobs_wake.notify_one();
    Ok(saved)
}

/// Moves `r` to `to` on behalf of `by` and returns the change to save: the status, the
/// failure (kept only in the rejected stage), what approval fills in
/// (`registration::on_approval`), the `status_changed` event and, for a submission, the
/// first review step. 409 / 20409 when the kind's status machine does not allow it.
pub fn transition(
    app: &App,
    mut r: Registration,
    to: &str,
    by: Actor,
    failure: Option<Failure>,
) -> Result<RegistrationChange> {
    let kind = r.kind;
    registration::transition(kind, &r.status, to, by).map_err(|_| {
        Error::conflict(
            20409,
            format!(
                "{} {} is {}; it cannot become {to} now",
                kind.label(),
                r.sid,
                r.status
            ),
        )
    })?;
    let now = app.clock.now();
    let from = std::mem::replace(&mut r.status, to.to_string());
    r.date_updated = now;
    let stage = kind.stage(to);
    let failure = failure.filter(|_| stage == Stage::Rejected);
    r.failure = failure.as_ref().map(|f| f.to_json(kind));
    if stage == Stage::Approved {
        registration::on_approval(kind, &r.sid, &mut r.fields);
    }
    let (reason, codes) = failure.map(|f| (f.reason, f.codes)).unwrap_or_default();
    let subject = lifecycle::Subject {
        sid: &r.sid,
        account_sid: &r.account_sid,
        // Twilio's brand, vetting, campaign and toll-free APIs take no status callback
        // (README "Decisions"): their changes are seen by polling and on the timeline.
        callback: None,
    };
    let submitted = by == Actor::Customer;
    let (mut events, jobs) = lifecycle::status_change(
        &subject,
        &from,
        to,
        by.as_str(),
        &reason,
        &codes,
        submitted,
        now,
    );
    // A sole proprietor's approval sends its OTP (`service::brands`), in the same change.
    if stage == Stage::Approved
        && kind == Kind::Brand
        && r.fields.get("brand_type").and_then(Value::as_str) == Some("SOLE_PROPRIETOR")
    {
        r.fields.insert("otp_sent_at".into(), json!(now));
        events.push(lifecycle::subject_event(
            &r.sid,
            &r.account_sid,
            "otp_sent",
            json!({"valid_until": crate::format::iso(now + registration::OTP_VALIDITY)}),
            now,
        ));
    }
    Ok(RegistrationChange {
        registration: r,
        events,
        jobs,
    })
}

/// Saves a change (only over the version it was read at: 409 / 20409 otherwise), counts a
/// review decision, and wakes the background jobs it queued. The saved registration.
pub async fn commit(app: &App, change: RegistrationChange) -> Result<Registration> {
    let mut saved = change.registration.clone();
    saved.version += 1;
    let decided = change
        .events
        .iter()
        .find(|e| e.kind == "status_changed")
        .map(|e| e.detail["by"].as_str().unwrap_or("unknown").to_string());
    let queued = !change.jobs.is_empty();
    app.store
        .save_registration(change)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Stale => Error::conflict(
                20409,
                format!(
                    "{} {} changed meanwhile; fetch it and try again",
                    saved.kind.label(),
                    saved.sid
                ),
            ),
            other => other.into(),
        })?;
    let outcome = match saved.kind.stage(&saved.status) {
        Stage::Approved => Some("approved"),
        Stage::Rejected => Some("rejected"),
        _ => None,
    };
    if let (Some(outcome), Some(by)) = (outcome, decided) {
        crate::telemetry::review_decision(outcome, by);
    }
    if queued {
        app.jobs_wake.notify_one();
    }
    Ok(saved)
}

/// What the review of `r` depends on and its trigger values (README "Scripting an
/// outcome"): the kind's own module says.
pub async fn review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    match r.kind {
        Kind::Brand => super::brands::review_input(app, r).await,
        Kind::BrandVetting => super::brands::vetting_review_input(app, r).await,
        Kind::UsAppToPerson => super::campaigns::review_input(app, r).await,
        Kind::TollfreeVerification => super::tollfree::review_input(app, r).await,
    }
}

/// The values of `r`'s kind's trigger fields (`Kind::trigger_fields`), by field name.
pub fn trigger_values(r: &Registration) -> Vec<(String, String)> {
    r.kind
        .trigger_fields()
        .iter()
        .filter_map(|f| {
            let v = r.fields.get(*f)?;
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => return None,
            };
            Some((f.to_string(), text))
        })
        .collect()
}

/// The automatic reviewer's decision on `r`.
pub async fn auto_decision(app: &App, r: &Registration) -> Result<Decision> {
    let (triggers, dependencies) = review_input(app, r).await?;
    let triggers: Vec<(&str, &str)> = triggers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(registration::review(r.kind, &triggers, &dependencies))
}

/// Refuses an approval while `r` still waits for something (a brand's bundles, the
/// sole proprietor's OTP): the rules hold for the operator too. 409 / 20409 naming it.
pub async fn check_approvable(app: &App, r: &Registration) -> Result<()> {
    let (_, dependencies) = review_input(app, r).await?;
    for d in dependencies {
        match d {
            Dependency::Ready => {}
            Dependency::Pending => {
                return Err(Error::conflict(
                    20409,
                    format!(
                        "{} {} cannot be approved yet: {}",
                        r.kind.label(),
                        r.sid,
                        waiting_for(r.kind)
                    ),
                ))
            }
            Dependency::Failed(why) => {
                return Err(Error::conflict(
                    20409,
                    format!("{} {} cannot be approved: {why}", r.kind.label(), r.sid),
                ))
            }
        }
    }
    Ok(())
}

fn waiting_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Brand => {
            "its customer profile and A2P trust product must be twilio-approved (and a sole proprietor's OTP confirmed)"
        }
        Kind::BrandVetting => "its brand must be APPROVED",
        Kind::UsAppToPerson => {
            "its brand must be APPROVED (and a sole proprietor's identity verified by its OTP)"
        }
        Kind::TollfreeVerification => "its toll-free number must be the account's",
    }
}
