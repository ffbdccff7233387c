//! Integration tests over HTTP against the real server binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on failure.

#[path = "../common/mod.rs"]
mod common;

mod assignments;
mod audit;
mod auth;
mod brands;
mod bundles;
mod callbacks;
mod campaigns;
mod catalog;
mod console;
mod console_state;
mod encryption;
mod entities;
mod evaluations;
mod guides;
mod isv;
mod lifecycle;
mod limits;
mod messaging;
mod metrics;
mod nul;
mod numbers;
mod paging;
mod proxy;
mod sandbox;
mod store_values;
mod transfer;
mod upgrade;
