//! A self-hostable, wire-compatible implementation of Twilio's TrustHub v1 API.

pub mod admin_cli;
pub mod catalog;
pub mod clock;
pub mod config;
/// The rules, pure: the `trusthub-domain` crate (domain/), so `crate::domain::…` paths
/// read as one crate.
pub use trusthub_domain as domain;
pub mod error;
pub mod format;
pub mod http;
pub mod jobs;
pub mod proxy;
pub mod sandbox;
pub mod server;
pub mod service;
pub mod sid;
pub mod store;
pub mod telemetry;
pub mod transfer;

/// Start-up output: a closed stdout (`serve | head -1`) must not panic the server the way
/// `println!` would; the lines are then simply not seen.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

use anyhow::{bail, Context};
use sha2::Digest;
use std::sync::Arc;

use config::ServeArgs;
use service::{App, Settings};
use store::dialect::PgOptions;
use store::{sql::SqlStore, Account, Store};

/// Opens the store named by the URL.
pub async fn open_store(url: &str) -> anyhow::Result<Box<dyn Store>> {
    open_store_with(url, &PgOptions::default()).await
}

/// Opens the store named by the URL; `pg` applies to a PostgreSQL store.
pub async fn open_store_with(url: &str, pg: &PgOptions) -> anyhow::Result<Box<dyn Store>> {
    Ok(Box::new(SqlStore::open(url, pg).await?))
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
    let others = store.account_count().await?;
    if others > 0 {
        // A restart with a different TRUSTHUB_ACCOUNT_SID: documented in the README.
        tracing::warn!(
            "the store already has {others} account(s) and none is {}: adding it as another top-level account",
            args.account_sid.as_deref().unwrap_or_default()
        );
    }
    let new =
        service::accounts::NewAccount::bootstrap(args.account_sid.clone(), args.auth_token.clone());
    match service::accounts::insert(store, new, now).await {
        Ok(account) => Ok(Some((account, true))),
        // Another server sharing the store (PostgreSQL) created it at the same moment.
        Err(store::StoreError::Duplicate(store::Unique::Identity { .. })) => {
            let sid = args.account_sid.as_deref().unwrap_or_default();
            match store.account(sid).await? {
                Some(a) => Ok(Some((a, false))),
                None => bail!("the bootstrap account {sid} vanished"),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The operator token's hash, and the token itself when it was generated now.
pub struct OperatorToken {
    pub hash: String,
    pub generated: Option<String>,
}

/// The operator token: the configured one; else the one generated at the store's first
/// start (only its SHA-256 is kept, in the store's settings); else a new one, stored.
pub async fn operator_token(
    store: &dyn Store,
    configured: Option<&str>,
) -> anyhow::Result<OperatorToken> {
    if let Some(token) = configured {
        return Ok(OperatorToken {
            hash: service::accounts::hash_secret(token),
            generated: None,
        });
    }
    let token = crate::sid::token();
    let hash = service::accounts::hash_secret(&token);
    let stored = store.secret("admin_token_sha256", &hash).await?;
    Ok(OperatorToken {
        generated: (stored == hash).then_some(token),
        hash: stored,
    })
}

/// The operator token set by flag or environment; an empty one counts as unset (a token
/// generated and kept), never as "no token needed".
fn configured_admin_token(args: &ServeArgs) -> Option<&str> {
    args.admin_token.as_deref().filter(|t| !t.is_empty())
}

/// Operator tokens shorter than this, or with fewer distinct characters than
/// [`MIN_DISTINCT`], are refused beyond loopback.
pub const MIN_ADMIN_TOKEN: usize = 16;
pub const MIN_DISTINCT: usize = 6;

/// Conveniences that are safe on loopback only: a weak operator token, and `--seed`
/// (every SID and token then follows from a 64-bit number).
fn check_exposure(args: &ServeArgs, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let weak = configured_admin_token(args).is_some_and(|t| {
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
    telemetry::install()?;
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
    // A seeded run gets a key of its seed, so it replays byte for byte.
    let fresh = match args.seed {
        Some(seed) => hex::encode(sha2::Sha256::digest(format!("page tokens {seed}"))),
        None => hex::encode(rand::random::<[u8; 32]>()),
    };
    let page_key = store.secret("page_token_key", &fresh).await?;
    let page_key: [u8; 32] = hex::decode(page_key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .context("the store's page_token_key is not 32 bytes of hex")?;
    http::page::set_key(&page_key);
    let fresh = match args.seed {
        Some(seed) => hex::encode(sha2::Sha256::digest(format!("sign-in forms {seed}"))),
        None => hex::encode(rand::random::<[u8; 32]>()),
    };
    let sign_in_key = store.secret("sign_in_form_key", &fresh).await?;
    let sign_in_key: [u8; 32] = hex::decode(sign_in_key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .context("the store's sign_in_form_key is not 32 bytes of hex")?;
    let clock = match args.seed {
        Some(_) => clock::Clock::fixed(clock::SEEDED_START),
        None => clock::Clock::default(),
    };
    // Every listener is bound (and the proxy's CA read) before anything is persisted or
    // printed: a busy port must not cost a one-time secret printed to a failing start.
    let limits = server::ConnLimits {
        idle: std::time::Duration::from_secs(args.header_timeout.max(1)),
        max_connections: args.max_connections.max(1),
    };
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    check_exposure(&args, addr)?;
    let metrics_listener = match &args.metrics_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (--metrics-listen)"))?,
        ),
        None => None,
    };
    let transparent = match &args.proxy_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (--proxy-listen)"))?;
            let dir = args
                .proxy_ca_dir
                .clone()
                .unwrap_or_else(|| store_dir(url, args.ephemeral));
            let ca = proxy::Ca::load_or_create(&dir)?;
            let tls = ca.server_config()?;
            Some((l, ca, tls))
        }
        None => None,
    };
    let boot = bootstrap_account(store.as_ref(), &args, clock.now()).await?;
    service::numbers::classify_stored(store.as_ref(), &catalog).await?;
    let public = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let admin = operator_token(store.as_ref(), configured_admin_token(&args)).await?;
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
        admin_token_hash: admin.hash.clone(),
        bootstrap: boot
            .as_ref()
            .map(|(a, _)| (a.sid.clone(), a.auth_token.clone())),
        callback_refuse_private: args.callback_refuse_private,
        max_concurrency: args.max_concurrency.max(1),
        body_timeout: std::time::Duration::from_secs(args.body_timeout.max(1)),
        console_session_ttl: args.console_session_ttl.max(1) as i64,
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
        rate: http::limits::AccountRate::new(
            args.rate_limit,
            args.rate_burst.unwrap_or(args.rate_limit),
        ),
        accounts: Default::default(),
        sign_in_key,
    });
    say!("TrustHub listening on http://{addr} (public URL {public})");
    match boot {
        Some((a, true)) => say!(
            "Bootstrap account created: Account SID {}  Auth token {}",
            a.sid,
            if args.auth_token.is_some() {
                "(from TRUSTHUB_AUTH_TOKEN)".to_string()
            } else {
                a.auth_token.clone()
            }
        ),
        Some((a, false)) => say!("Bootstrap account: Account SID {}", a.sid),
        None => say!("Using the accounts already in the store"),
    }
    match admin.generated {
        Some(token) => say!(
            "Operator API token: {token}  (generated; printed only now, kept hashed in the store)"
        ),
        None if configured_admin_token(&args).is_none() => say!(
            "Operator API token: the one printed at this store's first start \
             (set TRUSTHUB_ADMIN_TOKEN to use another)"
        ),
        None => {}
    }
    // One shutdown signal for every listener: each stops accepting, and its requests in
    // flight get `--shutdown-timeout` (the process exits once all have drained).
    let drain = std::time::Duration::from_secs(args.shutdown_timeout);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let on_stop = move || {
        let mut rx = stopped.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let mut others = Vec::new();
    if let Some(l) = metrics_listener {
        say!("Metrics: http://{}/metrics", l.local_addr()?);
        let router = http::metrics_router(app.clone());
        others.push(tokio::spawn(server::run(
            l,
            router,
            limits,
            drain,
            on_stop(),
        )));
    }
    let router = http::router(app.clone());
    if let Some((l, ca, tls)) = transparent {
        let proxy_addr = l.local_addr()?;
        say!(
            "Transparent proxy on {proxy_addr} for {}; CA {}. In the client's shell:",
            proxy::HOSTS.join(", "),
            ca.cert_path.display()
        );
        for line in proxy::env_lines(&proxy_addr.to_string(), &ca.cert_path) {
            say!("  {line}");
        }
        let proxy = proxy::run(l, router.clone(), tls, limits, drain, on_stop());
        others.push(tokio::spawn(proxy));
    }
    say!("Review: {:?}", app.settings.review);
    jobs::spawn(app.clone());
    let api = server::run(listener, router, limits, drain, on_stop());
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    api.await;
    for task in others {
        let _ = task.await;
    }
    Ok(())
}

/// The directory of a SQLite store's file (where transparent mode keeps its CA), else the
/// working directory.
fn store_dir(url: &str, ephemeral: bool) -> std::path::PathBuf {
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .filter(|f| !ephemeral && !f.starts_with(":memory:"))
        .map(|f| f.split('?').next().unwrap_or(f));
    match file.map(std::path::Path::new).and_then(|f| f.parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
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
