//! A self-hostable, wire-compatible implementation of Twilio's TrustHub v1 API.

pub mod admin_cli;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod format;
pub mod http;
pub mod jobs;
pub mod sandbox;
pub mod server;
pub mod service;
pub mod sid;
pub mod store;
pub mod transfer;

use anyhow::{bail, Context};
use std::sync::Arc;

use config::ServeArgs;
use service::{App, Settings};
use store::postgres::{PgOptions, PgStore};
use store::{sqlite::SqliteStore, Account, Store};

/// Opens the store named by the URL.
pub async fn open_store(url: &str) -> anyhow::Result<Box<dyn Store>> {
    open_store_with(url, &PgOptions::default()).await
}

/// Opens the store named by the URL; `pg` applies to a PostgreSQL store.
pub async fn open_store_with(url: &str, pg: &PgOptions) -> anyhow::Result<Box<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Box::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(PgStore::open(url, pg).await?))
    } else {
        bail!("unsupported --database-url: use sqlite://PATH or postgres://USER@HOST/DATABASE")
    }
}

/// Makes sure the bootstrap account exists; returns it and whether it was just created.
pub async fn bootstrap_account(
    store: &dyn Store,
    args: &ServeArgs,
    now: i64,
) -> anyhow::Result<Option<(Account, bool)>> {
    if let Some(sid) = &args.account_sid {
        if !crate::sid::is_valid(sid, crate::sid::ACCOUNT) {
            bail!("TRUSTHUB_ACCOUNT_SID must be AC followed by 32 hex digits");
        }
    }
    if let Some(token) = &args.auth_token {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            bail!("TRUSTHUB_AUTH_TOKEN must be non-empty and alphanumeric (twilio-go refuses anything else)");
        }
    }
    let existing = match &args.account_sid {
        Some(sid) => store.account(sid).await?,
        None if store.account_count().await? > 0 => return Ok(None),
        None => None,
    };
    if let Some(a) = existing {
        return Ok(Some((a, false)));
    }
    let account = Account {
        seq: 0,
        sid: args
            .account_sid
            .clone()
            .unwrap_or_else(|| crate::sid::generate(crate::sid::ACCOUNT)),
        friendly_name: "Bootstrap account".into(),
        auth_token: args.auth_token.clone().unwrap_or_else(crate::sid::token),
        owner_sid: None,
        status: "active".into(),
        date_created: now,
        date_updated: now,
    };
    match store.insert_account(&account).await {
        Ok(()) => Ok(Some((account, true))),
        // Another server sharing the store (PostgreSQL) created it at the same moment.
        Err(store::StoreError::Duplicate) => match store.account(&account.sid).await? {
            Some(a) => Ok(Some((a, false))),
            None => bail!("the bootstrap account {} vanished", account.sid),
        },
        Err(e) => Err(e.into()),
    }
}

/// Operator tokens shorter than this, or with fewer distinct characters than
/// [`MIN_DISTINCT`], are refused beyond loopback.
pub const MIN_ADMIN_TOKEN: usize = 16;
pub const MIN_DISTINCT: usize = 6;

/// Conveniences that are safe on loopback only: a weak operator token, and `--seed`
/// (every SID and token then follows from a 64-bit number).
fn check_exposure(args: &ServeArgs, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let weak = args.admin_token.as_deref().is_some_and(|t| {
        let distinct: std::collections::HashSet<char> = t.chars().collect();
        t.len() < MIN_ADMIN_TOKEN || distinct.len() < MIN_DISTINCT
    });
    if !addr.ip().is_loopback() {
        if args.seed.is_some() {
            bail!("--seed makes every SID and token derivable from a 64-bit seed: refused when listening on {addr} (beyond loopback)");
        }
        if weak {
            bail!("the operator token is weak (at least {MIN_ADMIN_TOKEN} characters, {MIN_DISTINCT} different): refused when listening on {addr} (beyond loopback); omit TRUSTHUB_ADMIN_TOKEN to have one generated");
        }
    }
    if args.seed.is_some() {
        eprintln!("WARNING: --seed is set: every SID, auth token and API-key secret is derivable from the seed. For tests and demos on loopback only.");
    }
    Ok(())
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let catalog = catalog::load(args.catalog.as_deref())?;
    let pg = PgOptions {
        pool_size: Some(args.database_pool_size),
        statement_timeout_ms: Some(u64::from(args.database_statement_timeout) * 1000),
        tls: args.database_tls.clone(),
    };
    if let Some(key) = &args.encryption_key {
        store::codec::configure(key, &args.decryption_keys)?;
    }
    if let Some(seed) = args.seed {
        crate::sid::seed(seed);
    }
    let url = if args.ephemeral {
        "sqlite::memory:"
    } else {
        args.database_url.as_str()
    };
    let store = open_store_with(url, &pg).await?;
    let clock = match args.seed {
        Some(_) => clock::Clock::fixed(clock::SEEDED_START),
        None => clock::Clock::default(),
    };
    let boot = bootstrap_account(store.as_ref(), &args, clock.now()).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    check_exposure(&args, addr)?;
    let public = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let generated_admin = args.admin_token.is_none();
    let admin_token = args.admin_token.clone().unwrap_or_else(crate::sid::token);
    let settings = Settings {
        review: args.review,
        review_delay: args.review_delay.into(),
        callback_attempts: args.callback_attempts.max(1).into(),
        callback_retry_delay: args.callback_retry_delay.into(),
        // Below the job lease, so a slow receiver never outlasts its attempt's lease.
        callback_timeout: std::time::Duration::from_secs(
            args.callback_timeout
                .clamp(1, args.job_lease.max(2) - 1)
                .into(),
        ),
        job_lease: args.job_lease.max(2).into(),
        admin_token_hash: service::accounts::hash_secret(&admin_token),
        bootstrap: boot
            .as_ref()
            .map(|(a, _)| (a.sid.clone(), a.auth_token.clone())),
        callback_refuse_private: args.callback_refuse_private,
        max_concurrency: args.max_concurrency.max(1),
        body_timeout: std::time::Duration::from_secs(args.body_timeout.max(1)),
    };
    let app = Arc::new(App {
        store,
        catalog: Arc::new(catalog),
        urls: format::Urls::new(&public),
        clock,
        settings,
        jobs_wake: tokio::sync::Notify::new(),
        faults: Default::default(),
        requests: sandbox::RequestLog::new(args.request_log),
        rate: http::limits::AccountRate::new(args.rate_limit, args.rate_burst),
        accounts: Default::default(),
    });
    println!("TrustHub listening on http://{addr} (public URL {public})");
    match boot {
        Some((a, true)) => println!(
            "Bootstrap account created: Account SID {}  Auth token {}",
            a.sid,
            if args.auth_token.is_some() {
                "(from TRUSTHUB_AUTH_TOKEN)".to_string()
            } else {
                a.auth_token.clone()
            }
        ),
        Some((a, false)) => println!("Bootstrap account: Account SID {}", a.sid),
        None => println!("Using the accounts already in the store"),
    }
    if generated_admin {
        println!("Operator API token: {admin_token}");
    }
    println!("Review: {:?}", app.settings.review);
    jobs::spawn(app.clone());
    server::run(
        listener,
        http::router(app),
        std::time::Duration::from_secs(args.header_timeout.max(1)),
        std::time::Duration::from_secs(args.shutdown_timeout),
        shutdown_signal(),
    )
    .await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
