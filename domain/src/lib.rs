//! The rules, with no I/O: everything here is a plain function over values. A crate of its
//! own (the server re-exports it as `trusthub::domain`), so its dependencies (serde,
//! serde_json, regex, url) are all it can reach: no store, clock, network or randomness.

pub mod account;
pub mod bundle;
pub mod campaign;
pub mod catalog;
pub mod descriptions;
pub mod evaluate;
pub mod numbers;
pub mod policy;
pub mod registration;
pub mod reviewer;
pub mod sid;
pub mod tollfree;
pub mod validate;
