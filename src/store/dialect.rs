//! Everything that differs between SQLite and PostgreSQL, and nothing else: opening and
//! migrating, placeholders, row locks and write transactions, the job-claim lock, the
//! accounts' paging column, substring search, bulk reload, and how a unique violation
//! names its constraint. `sql.rs` holds every query
//! and row mapping once and asks this module for these few fragments.

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Connection settings beyond the URL (PostgreSQL only).
#[derive(Debug, Clone, Default)]
pub struct PgOptions {
    /// Most connections in the pool (default 10).
    pub pool_size: Option<u32>,
    /// Server-side limit for one statement, in milliseconds (unset or 0: none).
    pub statement_timeout_ms: Option<u64>,
    /// `disable`, `allow`, `prefer`, `require`, `verify-ca` or `verify-full`; overrides
    /// the URL's `sslmode` (whose default is `prefer`).
    pub tls: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Serialises migrations of PostgreSQL servers starting at once (`"trusthub"` in ASCII).
const MIGRATION_LOCK: i64 = 0x7472_7573_7468_7562;

impl Dialect {
    pub fn of(url: &str) -> Option<Dialect> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    /// Opens and migrates the store at `url`.
    pub async fn open(self, url: &str, o: &PgOptions) -> anyhow::Result<AnyPool> {
        sqlx::any::install_default_drivers();
        match self {
            Dialect::Sqlite => open_sqlite(url).await,
            Dialect::Postgres => open_postgres(url, o).await,
        }
    }

    /// Appends the `n`th (1-based) bind placeholder.
    pub fn placeholder(self, sql: &mut String, n: usize) {
        match self {
            Dialect::Sqlite => sql.push('?'),
            Dialect::Postgres => {
                use std::fmt::Write;
                let _ = write!(sql, "${n}");
            }
        }
    }

    /// How a write transaction starts. SQLite: take the write lock at once, so a
    /// transaction's reads and writes see one state (a deferred transaction could read,
    /// then lose the upgrade race). PostgreSQL: rows are locked as they are read.
    pub fn begin(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// One statement for a row and its event, where the dialect has one: PostgreSQL chains
    /// `insert` (an INSERT … RETURNING seq) and the event (`values` placeholders, bound
    /// after the insert's) in data-modifying CTEs, one round trip instead of BEGIN, two
    /// INSERTs and COMMIT, and atomic as any statement. SQLite has no such CTE: `None`,
    /// and the caller uses a transaction.
    pub fn with_event(self, insert: &str, values: &str) -> Option<String> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(format!(
                "WITH w AS ({insert}), ev AS (INSERT INTO events (bundle_sid, account_sid, type,
                 detail, date_created) SELECT {} FROM w) SELECT seq FROM w",
                values.trim_start_matches('(').trim_end_matches(')')
            )),
        }
    }

    /// Suffix of a SELECT whose rows the transaction then checks and changes. SQLite's
    /// single writer (see `begin`) already serialises it.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// Suffix of the job-claim subquery: servers sharing PostgreSQL skip each other's
    /// claims; SQLite runs one writer at a time.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Accounts as a table with `seq` first: SQLite pages them by rowid, PostgreSQL has a
    /// column (migrations 0001).
    pub fn accounts(self) -> &'static str {
        match self {
            Dialect::Sqlite => "(SELECT rowid AS seq, * FROM accounts)",
            Dialect::Postgres => "accounts",
        }
    }

    /// `column` contains the next bound text.
    pub fn contains(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("instr({column}, ?) > 0"),
            Dialect::Postgres => format!("strpos({column}, ?) > 0"),
        }
    }

    /// The column a dumped `table.column` loads into.
    pub fn load_column(self, table: &str, column: &str) -> String {
        match (self, table, column) {
            (Dialect::Sqlite, "accounts", "seq") => "rowid".into(),
            _ => column.into(),
        }
    }

    /// An INSERT of one dumped row bound as its JSON text (`?`), or `None` when the row's
    /// values are bound one by one. PostgreSQL converts JSON to each column's type (0/1 to
    /// booleans); SQLite's dynamic types take the values as they are.
    pub fn load_from_json(self, table: &str, cols: &str) -> Option<String> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(format!(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM json_populate_record(NULL::{table}, CAST(? AS json))"
            )),
        }
    }

    /// After rows came with their own identities: number new rows after them.
    pub async fn after_load(self, conn: &mut sqlx::AnyConnection) -> sqlx::Result<()> {
        if self == Dialect::Postgres {
            for table in super::TABLES {
                let id = super::id_column(table);
                conn.execute(
                    format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', '{id}'),
                           COALESCE(MAX({id}), 0) + 1, false) FROM {table}"
                    )
                    .as_str(),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The name of the unique constraint `e` reports, in PostgreSQL's spelling on both
    /// stores (`Unique::named` maps it): PostgreSQL names it; SQLite names only the columns
    /// (`UNIQUE constraint failed: t.a, t.b`), from which PostgreSQL's default name for such
    /// a constraint is formed (`t_a_b_key`). Empty when neither says.
    pub fn unique_constraint(e: &dyn sqlx::error::DatabaseError) -> String {
        if let Some(name) = e.constraint() {
            return name.to_string();
        }
        let Some(columns) = e.message().strip_prefix("UNIQUE constraint failed: ") else {
            return String::new();
        };
        let mut table = "";
        let mut name = String::new();
        for c in columns.split(',').map(str::trim) {
            let (t, column) = c.split_once('.').unwrap_or(("", c));
            table = t;
            name.push('_');
            name.push_str(column);
        }
        format!("{table}{name}_key")
    }

    /// Text PostgreSQL cannot store (NUL) can match no stored row on either store.
    pub fn storable(s: &str) -> bool {
        !s.contains('\0')
    }
}

async fn open_sqlite(url: &str) -> anyhow::Result<AnyPool> {
    // An in-memory database lives and dies with its one connection: keep it forever.
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let mut u = url.to_string();
    if !memory && !url.contains("mode=") {
        u.push(if url.contains('?') { '&' } else { '?' });
        u.push_str("mode=rwc");
    }
    let opts = AnyConnectOptions::from_str(&u)
        .with_context(|| format!("invalid SQLite URL {url}"))?
        .disable_statement_logging();
    let pool = if memory {
        AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        // A local file connection does not go stale: no ping before every query.
        AnyPoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
    };
    let pool = pool
        .after_connect(|conn, _| {
            Box::pin(async move {
                // WAL; NORMAL sync in WAL mode survives a process crash (only an OS crash
                // can lose the last commits).
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(opts)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    sqlx::migrate!("migrations/sqlite")
        .run(&pool)
        .await
        .context("running SQLite migrations")?;
    Ok(pool)
}

async fn open_postgres(url: &str, o: &PgOptions) -> anyhow::Result<AnyPool> {
    let mut u = url::Url::parse(url).with_context(|| format!("invalid PostgreSQL URL {url}"))?;
    if let Some(mode) = &o.tls {
        sqlx::postgres::PgSslMode::from_str(mode)
            .with_context(|| format!("unknown PostgreSQL TLS mode {mode}"))?;
        let rest: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| k != "sslmode")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        u.query_pairs_mut()
            .clear()
            .extend_pairs(rest)
            .append_pair("sslmode", mode);
    }
    // Migrations get their own connection, under an advisory lock, without the statement
    // timeout: waiting for another server's migration may take longer than one statement.
    let mut conn = sqlx::postgres::PgConnectOptions::from_str(u.as_str())
        .with_context(|| format!("invalid PostgreSQL URL {}", redact(url)))?
        // Not the "already exists, skipping" notices of the migrations table.
        .options([("client_min_messages", "warning")])
        .connect()
        .await
        .with_context(|| format!("cannot connect to {}", redact(url)))?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut conn)
        .await
        .context("taking the migration lock")?;
    sqlx::migrate!("migrations/postgres")
        .run(&mut conn)
        .await
        .context("running PostgreSQL migrations")?;
    // Closing the session releases the lock in any case.
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut conn)
        .await
        .context("releasing the migration lock")?;
    conn.close().await?;

    let timeout = o.statement_timeout_ms.filter(|ms| *ms > 0);
    let opts = AnyConnectOptions::from_str(u.as_str())
        .with_context(|| format!("invalid PostgreSQL URL {}", redact(url)))?
        .disable_statement_logging();
    AnyPoolOptions::new()
        .max_connections(o.pool_size.unwrap_or(10).max(1))
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if let Some(ms) = timeout {
                    conn.execute(format!("SET statement_timeout = {ms}").as_str())
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(opts)
        .await
        .with_context(|| format!("cannot connect to {}", redact(url)))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
