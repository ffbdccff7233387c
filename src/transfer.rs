//! `trusthub migrate`, `export` and `import`: a store as JSON lines, so a sandbox on
//! SQLite can graduate to PostgreSQL (or be archived and replayed).

use anyhow::Context;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::Path;

use crate::store::Store;

pub async fn migrate(url: &str) -> anyhow::Result<()> {
    crate::open_store(url).await?;
    println!("store at {url} is up to date");
    Ok(())
}

pub async fn export(url: &str, output: Option<&Path>) -> anyhow::Result<()> {
    let store = crate::open_store(url).await?;
    let rows = store.dump().await?;
    let mut out: Box<dyn Write> = match output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    for (table, row) in &rows {
        writeln!(out, "{}", line(table, row))?;
    }
    out.flush()?;
    eprintln!("exported {} rows", rows.len());
    Ok(())
}

/// One exported row: `{"table": …, "row": {…}}` (the format of `export`, `import` and the
/// sandbox's snapshots).
fn line(table: &str, row: &Value) -> Value {
    json!({"table": table, "row": row})
}

/// Rows as export lines, one per row, joined by newlines.
pub fn to_lines(rows: &[(String, Value)]) -> String {
    rows.iter()
        .map(|(t, r)| line(t, r).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses export lines; a line that is not `{"table": …, "row": {…}}` is an error.
pub fn parse_lines(reader: impl BufRead) -> anyhow::Result<Vec<(String, Value)>> {
    let mut rows = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(&line).with_context(|| format!("line {}: not JSON", i + 1))?;
        let (Some(table), Some(row)) =
            (v["table"].as_str(), v.get("row").filter(|r| r.is_object()))
        else {
            anyhow::bail!("line {}: expected {{\"table\": …, \"row\": {{…}}}}", i + 1);
        };
        rows.push((table.to_string(), row.clone()));
    }
    Ok(rows)
}

pub async fn import(url: &str, input: Option<&Path>) -> anyhow::Result<()> {
    let rows = match input {
        Some(p) => parse_lines(std::io::BufReader::new(
            std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?,
        ))?,
        None => parse_lines(std::io::stdin().lock())?,
    };
    let store: Box<dyn Store> = crate::open_store(url).await?;
    store.load(&rows).await?;
    eprintln!("imported {} rows", rows.len());
    Ok(())
}
