//! Optional PostgreSQL backing for the test servers. With `TRUSTHUB_TEST_POSTGRES` set to a
//! server URL (e.g. `postgres://postgres@127.0.0.1:5432`), every server directory gets a
//! fresh database of its own, named in the directory's `pg-database` file, so a server
//! restarted on the same directory finds its data again. Databases are named
//! `th_<test process id>_…`: a server that owns its directory drops its database when
//! dropped, and the first use in a test process drops those left by test processes that
//! are gone (a restarted server's directory belongs to the test, which may end anywhere;
//! the template below lives as long as the process).
//! Uses the `psql` and `pg_dump` commands.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

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

/// Runs the statements, each in a transaction of its own, on the admin database.
fn psql(base: &url::Url, statements: &[&str]) -> String {
    let mut cmd = Command::new("psql");
    cmd.arg(admin_url(base))
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]);
    for sql in statements {
        cmd.args(["-c", sql]);
    }
    let out = cmd
        .output()
        .expect("run psql (install the PostgreSQL client)");
    assert!(
        out.status.success(),
        "psql {statements:?}: {}",
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
        &["SELECT datname FROM pg_database WHERE datname LIKE 'th\\_%'"],
    );
    for name in names.lines().map(str::trim) {
        let pid = name.split('_').nth(1).unwrap_or("");
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !Path::new(&format!("/proc/{pid}")).exists() {
            psql(
                base,
                &[&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
            );
        }
    }
}

/// A database migrated by `trusthub migrate` once per test process, that each server's
/// database is copied from: copying is much cheaper than migrating every one (each
/// server still checks the migrations, under the advisory lock, as it starts).
fn template(base: &url::Url) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        sweep(base);
        let name = format!("th_{}_template", std::process::id());
        psql(
            base,
            &[
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                &format!("CREATE DATABASE {name}"),
            ],
        );
        let out = Command::new(env!("CARGO_BIN_EXE_trusthub"))
            .args(["migrate", "--database-url", &url_of(base, &name)])
            .output()
            .expect("run trusthub migrate");
        assert!(
            out.status.success(),
            "trusthub migrate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        name
    })
}

/// The `--database-url` for a server in `dir`: its database, created on first use.
pub fn database_url(dir: &Path) -> Option<String> {
    let base = enabled()?;
    let file = dir.join(NAME_FILE);
    if let Ok(name) = std::fs::read_to_string(&file) {
        return Some(url_of(&base, name.trim()));
    }
    let template = template(&base);
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
    psql(
        &base,
        &[
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
            // Test data need not survive a crash of the machine: commit without waiting
            // for the disk (the store's SQL and its semantics are unchanged).
            &format!("ALTER DATABASE {name} SET synchronous_commit = off"),
        ],
    );
    std::fs::write(&file, &name).expect("write the database name");
    Some(url_of(&base, &name))
}

/// Drops the database of `dir`, if it has one, in the background: a drop waits for a
/// checkpoint, and the next test need not wait for it. (A `psql` already started finishes
/// even if the test process ends first; one never started is swept later.)
pub fn drop_database(dir: &Path) {
    let (Some(base), Ok(name)) = (enabled(), std::fs::read_to_string(dir.join(NAME_FILE))) else {
        return;
    };
    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", name.trim());
    std::thread::spawn(move || psql(&base, &[&sql]));
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

/// Gives `dir` a fresh database holding the SQL dump at `sql` (e.g. a store written by
/// an older release), for a server started on `dir` to open and migrate.
pub fn restore(dir: &Path, sql: &Path) {
    let base = enabled().expect("a PostgreSQL server");
    sweep_once(&base);
    let name = format!(
        "th_{}_restore_{:08x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    psql(&base, &[&format!("CREATE DATABASE {name}")]);
    let out = Command::new("psql")
        .arg(url_of(&base, &name))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(sql)
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql -f {}: {}",
        sql.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(dir.join(NAME_FILE), &name).expect("write the database name");
}

/// Sweeps once per test process (as `template` does), for tests that need no template.
fn sweep_once(base: &url::Url) {
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(|| sweep(base));
}
