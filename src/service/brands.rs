//! A2P brands (`BN…`) and their vettings (`VT…`): registrations
//! (`service::registrations`) whose review depends on TrustHub bundles.
//!
//! Review (both `--review` modes): a brand is approved only once its customer profile and
//! its A2P trust product are both `twilio-approved` (a bundle still in draft or review
//! makes it wait; a rejected or deleted one fails it), and, for a sole proprietor, once its
//! OTP is confirmed. A vetting waits for its brand to be APPROVED (a FAILED brand fails it).

use crate::domain::bundle::Status;
use crate::domain::registration::{Dependency, Kind};
use crate::error::Result;
use crate::store::Registration;

use super::App;

/// A bundle a brand names, as a dependency of its review.
async fn bundle_dependency(
    app: &App,
    r: &Registration,
    field: &str,
) -> Result<(Dependency, String)> {
    let sid = r.fields.get(field).and_then(|v| v.as_str()).unwrap_or("");
    let Some(b) = app.store.bundle(&r.account_sid, sid).await? else {
        return Ok((
            Dependency::Failed(format!("The bundle {sid} no longer exists")),
            String::new(),
        ));
    };
    let d = match b.status {
        Status::TwilioApproved => Dependency::Ready,
        Status::TwilioRejected => {
            Dependency::Failed(format!("The bundle {sid} was rejected by Twilio"))
        }
        _ => Dependency::Pending,
    };
    Ok((d, b.friendly_name))
}

/// A brand's trigger values (its customer profile's and A2P trust product's friendly
/// names) and dependencies (both bundles; a sole proprietor's OTP).
pub async fn review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let (profile, profile_name) = bundle_dependency(app, r, "customer_profile_bundle_sid").await?;
    let (a2p, a2p_name) = bundle_dependency(app, r, "a2p_profile_bundle_sid").await?;
    let mut dependencies = vec![profile, a2p];
    if r.fields.get("brand_type").and_then(|v| v.as_str()) == Some("SOLE_PROPRIETOR")
        && r.fields.get("otp_confirmed").and_then(|v| v.as_bool()) != Some(true)
    {
        dependencies.push(Dependency::Pending);
    }
    let triggers = vec![
        ("CustomerProfile FriendlyName".to_string(), profile_name),
        ("A2P TrustProduct FriendlyName".to_string(), a2p_name),
    ];
    Ok((triggers, dependencies))
}

/// A vetting's trigger values (its `vetting_id`) and dependency (its brand).
pub async fn vetting_review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let brand_sid = r.parent_sid.as_deref().unwrap_or("");
    let brand = app
        .store
        .registration(&r.account_sid, Kind::Brand, brand_sid)
        .await?;
    let d = match brand {
        None => Dependency::Failed(format!("The brand {brand_sid} no longer exists")),
        Some(b) => match Kind::Brand.stage(&b.status) {
            crate::domain::registration::Stage::Approved => Dependency::Ready,
            crate::domain::registration::Stage::Rejected => {
                Dependency::Failed(format!("The brand {brand_sid} is FAILED"))
            }
            _ => Dependency::Pending,
        },
    };
    Ok((super::registrations::trigger_values(r), vec![d]))
}
