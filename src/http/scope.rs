//! Extractors for what a handler acts within, so each handler starts from its resource instead
//! of repeating the same four extractors and lookup:
//!
//! - [`Scope`]: the app, the kind the route was mounted for (`BundleKind`, `EntityKind`) and the
//!   authenticated caller (TrustHub v1).
//! - [`InBundle`]: the bundle named by `{bundle}`, already looked up for the caller (404 20404
//!   when it is not the caller's, as for an unknown SID).
//! - [`InAccount`]: the account named by `{account}` (2010-04-01), itself or a subaccount.
//! - [`Member`] / [`JsonMember`]: the `{sid}` segment; on 2010 paths without its `.json`.
//!
//! Rejections are Twilio's JSON bodies (through [`crate::http::path::Path`]).

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::sync::Arc;

use super::auth::Caller;
use super::path::Path;
use crate::domain::bundle::BundleKind;
use crate::error::Error;
use crate::service::{bundles, App};
use crate::store::{Account, Bundle};

/// What every TrustHub v1 handler starts from.
pub struct Scope<K> {
    pub app: Arc<App>,
    pub kind: K,
    pub caller: Caller,
}

/// A sub-resource route's parent bundle, visible to the caller.
pub struct InBundle {
    pub app: Arc<App>,
    pub kind: BundleKind,
    pub bundle: Bundle,
}

/// A 2010-04-01 route's `{account}`: the caller's own account or one of its subaccounts.
pub struct InAccount {
    pub app: Arc<App>,
    pub caller: Caller,
    pub account: Account,
}

/// The `{sid}` path segment.
pub struct Member(pub String);

/// The `{sid}` segment of a 2010-04-01 path, which must end in `.json` (404 otherwise).
pub struct JsonMember(pub String);

/// A value the router's layers put in the request: missing means the routes are wired wrong.
fn wired<T: Clone + Send + Sync + 'static>(parts: &Parts) -> Result<T, Error> {
    parts.extensions.get::<T>().cloned().ok_or_else(|| {
        Error::Internal(anyhow::anyhow!(
            "route wiring: no {} extension",
            std::any::type_name::<T>()
        ))
    })
}

async fn param(parts: &mut Parts, app: &Arc<App>, name: &str) -> Result<String, Error> {
    let Path(mut all) = Path::<HashMap<String, String>>::from_request_parts(parts, app).await?;
    all.remove(name).ok_or_else(|| {
        Error::Internal(anyhow::anyhow!(
            "route wiring: no {{{name}}} path parameter"
        ))
    })
}

impl<K: Clone + Send + Sync + 'static> FromRequestParts<Arc<App>> for Scope<K> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Error> {
        Ok(Scope {
            app: app.clone(),
            kind: wired::<K>(parts)?,
            caller: wired::<Caller>(parts)?,
        })
    }
}

impl FromRequestParts<Arc<App>> for InBundle {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Error> {
        let Scope { app, kind, caller } =
            Scope::<BundleKind>::from_request_parts(parts, app).await?;
        let sid = param(parts, &app, "bundle").await?;
        let bundle = bundles::get(&app, &caller.account_sid, kind, &sid).await?;
        Ok(InBundle { app, kind, bundle })
    }
}

impl FromRequestParts<Arc<App>> for InAccount {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Error> {
        let caller = wired::<Caller>(parts)?;
        let sid = param(parts, app, "account").await?;
        let account = super::api2010::path_account(app, &caller, &sid).await?;
        Ok(InAccount {
            app: app.clone(),
            caller,
            account,
        })
    }
}

impl FromRequestParts<Arc<App>> for Member {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Error> {
        param(parts, app, "sid").await.map(Member)
    }
}

impl FromRequestParts<Arc<App>> for JsonMember {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Error> {
        let segment = param(parts, app, "sid").await?;
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        super::api2010::strip_json(&segment, uri.path()).map(|s| JsonMember(s.to_string()))
    }
}
