//! Optional PostgreSQL backing for the test servers. With `TRUSTHUB_TEST_POSTGRES` set to a
//! server URL (e.g. `postgres://postgres@127.0.0.1:5432`), every server directory gets a
//! fresh database of its own, named in the directory's `pg-database` file, so a server
//! restarted on the same directory finds its data again. Databases are named
//! `th_<test process id>_…`: a server that owns its directory drops its database when
//! dropped, and the first use in a test process drops those left by test processes that
//! are gone (a restarted server's directory belongs to the test, which may end anywhere).
//! Uses the `psql` and `pg_dump` commands.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

const ENV: &str = "TRUSTHUB_TEST_POSTGRES";
const NAME_FILE: &str = "pg-database";

/// The server URL when the tests run against PostgreSQL.
pub fn enabled() -> Option<url::Url> {
    let raw = std::env::var(ENV).ok().filter(|v| !v.trim().is_empty())?;
    let url = url::Url::parse(raw.trim()).unwrap_or_else(|e| panic!("{ENV}={raw}: {e}"));
    assert!(
        matches!(url.scheme(), "postgres" | "postgresql"),
        "{ENV} must be a postgres:// URL"
    );
    Some(url)
}

/// The URL of database `name` on the server of `base`.
fn url_of(base: &url::Url, name: &str) -> String {
    let mut u = base.clone();
    u.set_path(&format!("/{name}"));
    u.to_string()
}

/// The database to administer from: the one in the URL, else `postgres`.
fn admin_url(base: &url::Url) -> String {
    match base.path().trim_matches('/') {
        "" => url_of(base, "postgres"),
        _ => base.to_string(),
    }
}

fn psql(base: &url::Url, sql: &str) -> String {
    let out = Command::new("psql")
        .arg(admin_url(base))
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("run psql (install the PostgreSQL client)");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Drops the databases of test processes that no longer run.
fn sweep(base: &url::Url) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let names = psql(
        base,
        "SELECT datname FROM pg_database WHERE datname LIKE 'th\\_%'",
    );
    for name in names.lines().map(str::trim) {
        let pid = name.split('_').nth(1).unwrap_or("");
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !Path::new(&format!("/proc/{pid}")).exists() {
            psql(
                base,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// The `--database-url` for a server in `dir`: its database, created on first use.
pub fn database_url(dir: &Path) -> Option<String> {
    let base = enabled()?;
    let file = dir.join(NAME_FILE);
    if let Ok(name) = std::fs::read_to_string(&file) {
        return Some(url_of(&base, name.trim()));
    }
    static SWEEP: Once = Once::new();
    SWEEP.call_once(|| sweep(&base));
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "th_{}_{}_{nanos:08x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    psql(&base, &format!("CREATE DATABASE {name}"));
    // Test data need not survive a crash of the machine: commit without waiting for
    // the disk (the store's SQL and its semantics are unchanged).
    psql(
        &base,
        &format!("ALTER DATABASE {name} SET synchronous_commit = off"),
    );
    std::fs::write(&file, &name).expect("write the database name");
    Some(url_of(&base, &name))
}

/// Drops the database of `dir`, if it has one.
pub fn drop_database(dir: &Path) {
    let (Some(base), Ok(name)) = (enabled(), std::fs::read_to_string(dir.join(NAME_FILE))) else {
        return;
    };
    psql(
        &base,
        &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", name.trim()),
    );
}

/// Everything the database of `dir` holds, as `pg_dump` writes it (schema and data).
pub fn dump(dir: &Path) -> Vec<u8> {
    let url = database_url(dir).expect("a PostgreSQL test database");
    let out = Command::new("pg_dump")
        .args(["--no-owner", &url])
        .output()
        .expect("run pg_dump (install the PostgreSQL client)");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
