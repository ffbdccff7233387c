//! Operations shared by the API and (later) the console: each loads what it needs,
//! applies the rules in `domain/`, and writes through the store.

pub mod assignments;
pub mod bundles;
pub mod entities;
pub mod evaluations;

use std::sync::Arc;

use crate::clock::Clock;
use crate::domain::policy::Catalog;
use crate::error::ApiError;
use crate::format::Urls;
use crate::store::{Store, StoreError};

/// Everything a request needs: the store, the catalog, URL building and the clock.
pub struct App {
    pub store: Box<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub urls: Urls,
    pub clock: Clock,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate => {
                ApiError::conflict(20409, "The resource already exists".to_string())
            }
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

/// Checks that `sid` is `prefix` + 32 hex digits; the message names the parameter.
pub fn check_sid(param: &str, sid: &str, prefix: &str, code: u32) -> Result<(), ApiError> {
    if crate::sid::is_valid(sid, prefix) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            code,
            format!("{param} must be a SID starting with {prefix} followed by 32 hexadecimal digits; got \"{sid}\""),
        ))
    }
}
