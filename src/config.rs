//! Command line and `TRUSTHUB_*` environment variables, in one place.

//!
//! Boolean flags also read their variable as `1`/`0`, `true`/`false`, `yes`/`no` or
//! `on`/`off` (clap's `BoolishValueParser`), e.g. `TRUSTHUB_EPHEMERAL=1`; an empty one
//! (`TRUSTHUB_EPHEMERAL=`) counts as unset ([`Boolish`]).

use clap::builder::{BoolishValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::service::ReviewMode;

/// A boolean flag's value: clap's usual spellings, and the empty value as unset (false),
/// since `export TRUSTHUB_EPHEMERAL=` is how a shell script clears a setting (the same
/// rule as for an empty `TRUSTHUB_ADMIN_TOKEN`).
#[derive(Clone, Copy, Debug)]
pub struct Boolish;

impl TypedValueParser for Boolish {
    type Value = bool;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<bool, clap::Error> {
        if value.is_empty() {
            return Ok(false);
        }
        BoolishValueParser::new().parse_ref(cmd, arg, value)
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "trusthub",
    version,
    about = "A self-hostable TrustHub v1 server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Operate a running server through its operator API.
    Admin(AdminArgs),
    /// Create or upgrade a store's schema, then exit.
    Migrate(StoreArgs),
    /// Write a whole store as JSON lines (`{"table", "row"}`), e.g. to move SQLite to PostgreSQL.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// File to write (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Replace a store's whole content with an export.
    Import {
        #[command(flatten)]
        store: StoreArgs,
        /// File to read (default: standard input).
        #[arg(long)]
        input: Option<PathBuf>,
    },
    /// Work with catalog directories.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// The store: sqlite://PATH or postgres://USER@HOST/DATABASE.
    #[arg(
        long,
        env = "TRUSTHUB_DATABASE_URL",
        default_value = "sqlite://trusthub.db"
    )]
    pub database_url: String,
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Validate a catalog directory (policies.json, end_user_types.json,
    /// supporting_document_types.json); without a directory, the built-in one.
    Check { dir: Option<PathBuf> },
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on, HOST:PORT; port 0 (e.g. `127.0.0.1:0`) picks a free port,
    /// and the first line of output names it.
    #[arg(long, env = "TRUSTHUB_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Store location: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "TRUSTHUB_DATABASE_URL",
        default_value = "sqlite://trusthub.db"
    )]
    pub database_url: String,
    /// PostgreSQL: most connections in the pool.
    #[arg(long, env = "TRUSTHUB_DATABASE_POOL_SIZE", default_value_t = 10)]
    pub database_pool_size: u32,
    /// PostgreSQL: seconds one statement may run (0: no limit).
    #[arg(
        long,
        env = "TRUSTHUB_DATABASE_STATEMENT_TIMEOUT",
        default_value_t = 30
    )]
    pub database_statement_timeout: u32,
    /// PostgreSQL TLS: disable, allow, prefer, require, verify-ca or verify-full
    /// (default: the URL's sslmode, else prefer).
    #[arg(long, env = "TRUSTHUB_DATABASE_TLS")]
    pub database_tls: Option<String>,
    /// Base of every URL in responses (default: http://<listen>).
    #[arg(long, env = "TRUSTHUB_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Directory of catalog JSON (default: the catalog built into the binary).
    #[arg(long, env = "TRUSTHUB_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// Account SID of the bootstrap account (AC + 32 hex); generated and printed when unset
    /// and the store has no account yet.
    #[arg(long, env = "TRUSTHUB_ACCOUNT_SID")]
    pub account_sid: Option<String>,
    /// Auth token of the bootstrap account (alphanumeric); generated and printed when unset.
    #[arg(long, env = "TRUSTHUB_AUTH_TOKEN", hide_env_values = true)]
    pub auth_token: Option<String>,
    /// Bearer token of the operator API. When unset, one is generated at the store's first
    /// start, printed once, and kept (hashed) in the store for later starts.
    #[arg(long, env = "TRUSTHUB_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Who decides submitted bundles: an operator (manual) or the sandbox rules (auto).
    #[arg(long, env = "TRUSTHUB_REVIEW", value_enum, default_value = "manual")]
    pub review: ReviewMode,
    /// Seconds from in-review to the automatic decision.
    #[arg(long, env = "TRUSTHUB_REVIEW_DELAY", default_value_t = 2)]
    pub review_delay: u32,
    /// Delivery attempts per status callback, in all.
    #[arg(long, env = "TRUSTHUB_CALLBACK_ATTEMPTS", default_value_t = 8)]
    pub callback_attempts: u32,
    /// Seconds before a callback's first retry; each later retry waits twice as long.
    #[arg(long, env = "TRUSTHUB_CALLBACK_RETRY_DELAY", default_value_t = 1)]
    pub callback_retry_delay: u32,
    /// Keep the whole store in memory (for test runs): fast, and gone at exit.
    #[arg(long, env = "TRUSTHUB_EPHEMERAL", value_parser = Boolish)]
    pub ephemeral: bool,
    /// Derive SIDs, tokens and timestamps from this seed: the same requests in the same
    /// order give the same responses, byte for byte. The clock starts at
    /// 2024-01-01T00:00:00Z and moves one second per write request (and by operator
    /// advances).
    #[arg(long, env = "TRUSTHUB_SEED")]
    pub seed: Option<u64>,
    /// Requests kept per account for the request inspector (0 turns it off).
    #[arg(long, env = "TRUSTHUB_REQUEST_LOG", default_value_t = 100)]
    pub request_log: usize,
    /// Requests per second each account may make (0: unlimited). Over it: 429, code 20429.
    #[arg(long, env = "TRUSTHUB_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit: u32,
    /// Requests an account may make at once before its rate applies [default: the rate].
    #[arg(long, env = "TRUSTHUB_RATE_BURST")]
    pub rate_burst: Option<u32>,
    /// Requests served at once; more are refused with 503, code 20503.
    #[arg(long, env = "TRUSTHUB_MAX_CONCURRENCY", default_value_t = 1024)]
    pub max_concurrency: usize,
    /// Connections open at once on each listener (API, `--proxy-listen`,
    /// `--metrics-listen`); one more is closed as soon as it is accepted.
    #[arg(long, env = "TRUSTHUB_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers (stops slow-loris clients; also
    /// the idle time allowed between keep-alive requests).
    #[arg(long, env = "TRUSTHUB_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body.
    #[arg(long, env = "TRUSTHUB_BODY_TIMEOUT", default_value_t = 30)]
    pub body_timeout: u64,
    /// Seconds a console sign-in lasts (real time, kept in the store so every server
    /// sharing it honours it). Sign-in-page sessions last at most an hour.
    #[arg(long, env = "TRUSTHUB_CONSOLE_SESSION_TTL", default_value_t = 8 * 3600)]
    pub console_session_ttl: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "TRUSTHUB_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout: u64,
    /// Also refuse status callbacks to private, loopback and unique-local addresses
    /// (link-local and cloud-metadata addresses are always refused).
    #[arg(long, env = "TRUSTHUB_CALLBACK_REFUSE_PRIVATE", value_parser = Boolish)]
    pub callback_refuse_private: bool,
    /// Encrypt EndUser and SupportingDocument attributes at rest with AES-256-GCM under
    /// this key (base64 of 32 random bytes, e.g. `openssl rand -base64 32`).
    #[arg(long, env = "TRUSTHUB_ENCRYPTION_KEY", hide_env_values = true)]
    pub encryption_key: Option<String>,
    /// Former encryption keys (comma-separated), still used to decrypt after a rotation.
    #[arg(
        long,
        env = "TRUSTHUB_DECRYPTION_KEYS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub decryption_keys: Vec<String>,
    /// Seconds a background job (a callback attempt, a review step) is leased to the server
    /// running it; if that server dies, another takes the job over after this long.
    #[arg(long, env = "TRUSTHUB_JOB_LEASE", default_value_t = 60)]
    pub job_lease: u32,
    /// Transparent mode: an HTTP proxy on this address that serves this API to programs
    /// that believe they talk to Twilio (CONNECT to trusthub.twilio.com:443 and
    /// api.twilio.com:443 only, TLS from a local CA; every other host is refused). Off by
    /// default. The start-up output gives the environment lines to use it.
    #[arg(long, env = "TRUSTHUB_PROXY_LISTEN")]
    pub proxy_listen: Option<String>,
    /// Where transparent mode keeps its CA (certificate, and key with mode 0600)
    /// [default: the SQLite store's directory; the working directory otherwise].
    #[arg(long, env = "TRUSTHUB_PROXY_CA_DIR")]
    pub proxy_ca_dir: Option<PathBuf>,
    /// Also serve `/metrics` (Prometheus text format) without authentication on this
    /// address, e.g. `127.0.0.1:9100` or a private interface. On the API listener
    /// `/metrics` always needs the operator token (`Authorization: Bearer …`).
    #[arg(long, env = "TRUSTHUB_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Seconds a callback receiver has to answer (kept below the job lease).
    #[arg(long, env = "TRUSTHUB_CALLBACK_TIMEOUT", default_value_t = 10)]
    pub callback_timeout: u32,
}

#[derive(Args, Debug)]
pub struct AdminArgs {
    /// Base URL of the running server.
    #[arg(long, env = "TRUSTHUB_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The server's operator token.
    #[arg(long, env = "TRUSTHUB_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: String,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Top-level accounts.
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// Create a bundle for an account with any policy (including console-only ones).
    CreateBundle {
        #[arg(long)]
        account: String,
        #[arg(long)]
        policy: String,
        #[arg(long)]
        friendly_name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        status_callback: Option<String>,
        /// Create a TrustProduct instead of a CustomerProfile.
        #[arg(long)]
        trust_product: bool,
    },
    /// The review queue and decisions.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// A bundle's timeline.
    Events { bundle: String },
    /// The server's clock (sandbox use).
    Clock {
        #[command(subcommand)]
        command: ClockCommand,
    },
    /// Delete resources (sandbox use): all accounts' or one's; `--accounts` also accounts.
    Reset {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        accounts: bool,
    },
    /// Save, list and restore whole-store snapshots.
    Snapshots {
        #[command(subcommand)]
        command: SnapshotCommand,
    },
    /// Inject, list and remove faults.
    Faults {
        #[command(subcommand)]
        command: FaultCommand,
    },
    /// The request inspector: the last requests, newest first.
    Requests {
        #[arg(long)]
        account: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// The audit trail: who changed what, newest first.
    Audit {
        #[arg(long)]
        account: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum SnapshotCommand {
    Save { name: String },
    List,
    Restore { name: String },
}

#[derive(Subcommand, Debug)]
pub enum FaultCommand {
    /// e.g. `faults add /v1/EndUsers --methods POST --count 2 --status 429 --error-code 20429`
    Add {
        /// A path prefix, or a glob with `*`.
        path: String,
        #[arg(long)]
        methods: Option<String>,
        #[arg(long)]
        count: Option<u64>,
        #[arg(long)]
        probability: Option<f64>,
        #[arg(long)]
        status: Option<u16>,
        #[arg(long)]
        error_code: Option<u32>,
        #[arg(long)]
        delay_ms: Option<u64>,
        #[arg(long)]
        drop: bool,
    },
    List,
    Remove {
        sid: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AccountsCommand {
    Create {
        #[arg(long, default_value = "Account")]
        friendly_name: String,
    },
    /// Top-level accounts, oldest first.
    List {
        /// Only accounts in this status (active, suspended, closed).
        #[arg(long)]
        status: Option<String>,
    },
    /// One account, with its auth token.
    Get { sid: String },
    /// Refuse the account's (and its subaccounts') requests until reactivated (403, 20005).
    Suspend { sid: String },
    /// Reactivate a suspended account.
    Activate { sid: String },
    /// Close the account for good: it cannot be reopened.
    Close { sid: String },
    /// Issue a new auth token; the old one stops working at once.
    RotateToken { sid: String },
}

#[derive(Subcommand, Debug)]
pub enum ReviewCommand {
    /// Bundles and registrations (brands, vettings, campaigns, toll-free verifications)
    /// awaiting a decision, oldest first.
    List {
        /// Only bundles of this policy.
        #[arg(long)]
        policy: Option<String>,
        /// Only registrations of this kind: brand, brand_vetting, us_app_to_person,
        /// tollfree_verification.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Approves a bundle (BU…) or registration (BN…, VT…, QE…, HH…).
    Approve { bundle: String },
    Reject {
        bundle: String,
        #[arg(long)]
        reason: String,
        /// Comma-separated codes: 186xx for bundles, the kind's 30xxx for registrations.
        #[arg(long)]
        codes: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClockCommand {
    Show,
    Advance { seconds: i64 },
}
