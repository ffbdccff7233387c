//! The rules, with no I/O: everything here is a plain function over values.

pub mod bundle;
pub mod campaign;
pub mod descriptions;
pub mod evaluate;
pub mod numbers;
pub mod policy;
pub mod registration;
pub mod reviewer;
pub mod validate;
