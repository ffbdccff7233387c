//! The embedded default store: SQLite in WAL mode through sqlx.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

use super::*;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate,
            _ => StoreError::Other(e.into()),
        }
    }
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url` (`sqlite://path`).
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("invalid SQLite URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode survives a process crash; only an OS crash can lose
            // the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // An in-memory database lives and dies with its one connection: keep it forever.
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            // A local file connection does not go stale: no ping before every query (the
            // profile showed the ping doubling each query's cross-thread round trips).
            SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
        };
        let pool = pool
            .connect_with(opts)
            .await
            .with_context(|| format!("cannot open {url}"))?;
        sqlx::migrate!("migrations/sqlite")
            .run(&pool)
            .await
            .context("running SQLite migrations")?;
        Ok(SqliteStore { pool })
    }
}

fn parse_status(s: &str) -> anyhow::Result<Status> {
    Status::parse(s).with_context(|| format!("unknown status {s} in store"))
}

/// A row as `{column: value}`; SQLite's dynamic types map to numbers, strings and nulls.
fn row_json(row: &SqliteRow) -> Value {
    use sqlx::{Column, ValueRef};
    let mut obj = serde_json::Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let is_null = row.try_get_raw(i).map(|v| v.is_null()).unwrap_or(true);
        let v = if is_null {
            Value::Null
        } else if let Ok(n) = row.try_get::<i64, _>(i) {
            Value::from(n)
        } else if let Ok(s) = row.try_get::<String, _>(i) {
            Value::from(s)
        } else if let Ok(f) = row.try_get::<f64, _>(i) {
            Value::from(f)
        } else {
            Value::Null
        };
        obj.insert(col.name().to_string(), v);
    }
    Value::Object(obj)
}

fn account_row(r: &SqliteRow) -> StoreResult<Account> {
    Ok(Account {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        friendly_name: r.try_get("friendly_name")?,
        auth_token: r.try_get("auth_token")?,
        owner_sid: r.try_get("owner_sid")?,
        status: r.try_get("status")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn key_row(r: &SqliteRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        friendly_name: r.try_get("friendly_name")?,
        secret_hash: r.try_get("secret_hash")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn address_row(r: &SqliteRow) -> StoreResult<Address> {
    Ok(Address {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        customer_name: r.try_get("customer_name")?,
        friendly_name: r.try_get("friendly_name")?,
        street: r.try_get("street")?,
        street_secondary: r.try_get("street_secondary")?,
        city: r.try_get("city")?,
        region: r.try_get("region")?,
        postal_code: r.try_get("postal_code")?,
        iso_country: r.try_get("iso_country")?,
        emergency_enabled: r.try_get("emergency_enabled")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn number_row(r: &SqliteRow) -> StoreResult<PhoneNumber> {
    let config: String = r.try_get("config")?;
    Ok(PhoneNumber {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        phone_number: r.try_get("phone_number")?,
        friendly_name: r.try_get("friendly_name")?,
        config: serde_json::from_str(&config).context("bad number config in store")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn bundle_row(r: &SqliteRow) -> StoreResult<Bundle> {
    let kind: String = r.try_get("kind")?;
    let errors: Option<String> = r.try_get("errors")?;
    Ok(Bundle {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        kind: BundleKind::parse(&kind).context("unknown bundle kind in store")?,
        policy_sid: r.try_get("policy_sid")?,
        friendly_name: r.try_get("friendly_name")?,
        email: r.try_get("email")?,
        status: parse_status(r.try_get("status")?)?,
        status_callback: r.try_get("status_callback")?,
        valid_until: r.try_get("valid_until")?,
        errors: errors
            .map(|e| serde_json::from_str(&e))
            .transpose()
            .context("bad errors JSON in store")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
        version: r.try_get("version")?,
    })
}

fn entity_row(r: &SqliteRow) -> StoreResult<Entity> {
    let kind: String = r.try_get("kind")?;
    let attributes: String = r.try_get("attributes")?;
    Ok(Entity {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        kind: match kind.as_str() {
            "end_user" => EntityKind::EndUser,
            _ => EntityKind::SupportingDocument,
        },
        type_name: r.try_get("type_name")?,
        friendly_name: r.try_get("friendly_name")?,
        attributes: codec::decode(&attributes)?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn entity_assignment_row(r: &SqliteRow) -> StoreResult<EntityAssignment> {
    Ok(EntityAssignment {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        bundle_sid: r.try_get("bundle_sid")?,
        account_sid: r.try_get("account_sid")?,
        object_sid: r.try_get("object_sid")?,
        object_type: r.try_get("object_type")?,
        date_created: r.try_get("date_created")?,
    })
}

fn channel_assignment_row(r: &SqliteRow) -> StoreResult<ChannelAssignment> {
    Ok(ChannelAssignment {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        bundle_sid: r.try_get("bundle_sid")?,
        account_sid: r.try_get("account_sid")?,
        channel_endpoint_type: r.try_get("channel_endpoint_type")?,
        channel_endpoint_sid: r.try_get("channel_endpoint_sid")?,
        date_created: r.try_get("date_created")?,
    })
}

fn evaluation_row(r: &SqliteRow) -> StoreResult<Evaluation> {
    let results: String = r.try_get("results")?;
    Ok(Evaluation {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        bundle_sid: r.try_get("bundle_sid")?,
        account_sid: r.try_get("account_sid")?,
        policy_sid: r.try_get("policy_sid")?,
        status: r.try_get("status")?,
        results: serde_json::from_str(&results).context("bad results JSON in store")?,
        date_created: r.try_get("date_created")?,
    })
}

/// Appends the keyset condition, order and limit; `desc` lists newest first.
fn push_keyset(qb: &mut QueryBuilder<'_, Sqlite>, page: PageQuery, desc: bool) {
    // Walking backwards from a Before cursor flips the scan direction.
    let forward = !matches!(page.cursor, Some(Cursor::Before(_)));
    let ascending = forward != desc;
    match page.cursor {
        Some(Cursor::After(s)) | Some(Cursor::Before(s)) => {
            qb.push(if ascending {
                " AND seq > "
            } else {
                " AND seq < "
            });
            qb.push_bind(s);
        }
        None => {}
    }
    qb.push(if ascending {
        " ORDER BY seq ASC LIMIT "
    } else {
        " ORDER BY seq DESC LIMIT "
    });
    qb.push_bind(page.size as i64 + 1);
}

impl SqliteStore {
    async fn fetch_page<T>(
        &self,
        mut qb: QueryBuilder<'_, Sqlite>,
        page: PageQuery,
        desc: bool,
        map: fn(&SqliteRow) -> StoreResult<T>,
    ) -> StoreResult<Page<T>> {
        push_keyset(&mut qb, page, desc);
        let rows = qb.build().fetch_all(&self.pool).await?;
        let items = rows.iter().map(map).collect::<StoreResult<Vec<T>>>()?;
        Ok(finish_page(items, page))
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn account_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn insert_account(&self, a: &Account) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO accounts (sid, friendly_name, auth_token, owner_sid, status, date_created, date_updated)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&a.sid)
        .bind(&a.friendly_name)
        .bind(&a.auth_token)
        .bind(&a.owner_sid)
        .bind(&a.status)
        .bind(a.date_created)
        .bind(a.date_updated)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn account(&self, sid: &str) -> StoreResult<Option<Account>> {
        let row = sqlx::query("SELECT rowid AS seq, * FROM accounts WHERE sid = ?")
            .bind(sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_row).transpose()
    }

    async fn list_accounts(
        &self,
        caller_sid: &str,
        filter: &AccountFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Account>> {
        let mut qb =
            QueryBuilder::new("SELECT * FROM (SELECT rowid AS seq, * FROM accounts) WHERE (sid = ");
        qb.push_bind(caller_sid.to_string());
        qb.push(" OR owner_sid = ")
            .push_bind(caller_sid.to_string());
        qb.push(")");
        if let Some(f) = &filter.friendly_name {
            qb.push(" AND friendly_name = ").push_bind(f.clone());
        }
        if let Some(st) = &filter.status {
            qb.push(" AND status = ").push_bind(st.clone());
        }
        self.fetch_page(qb, page, false, account_row).await
    }

    async fn update_account(&self, a: &Account) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET friendly_name = ?, status = ?, date_updated = ? WHERE sid = ?",
        )
        .bind(&a.friendly_name)
        .bind(&a.status)
        .bind(a.date_updated)
        .bind(&a.sid)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn insert_key(&self, mut k: ApiKey) -> StoreResult<ApiKey> {
        k.seq = sqlx::query_scalar(
            "INSERT INTO api_keys (sid, account_sid, friendly_name, secret_hash, date_created,
               date_updated) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&k.sid)
        .bind(&k.account_sid)
        .bind(&k.friendly_name)
        .bind(&k.secret_hash)
        .bind(k.date_created)
        .bind(k.date_updated)
        .fetch_one(&self.pool)
        .await?;
        Ok(k)
    }

    async fn key(&self, sid: &str) -> StoreResult<Option<ApiKey>> {
        let row = sqlx::query("SELECT * FROM api_keys WHERE sid = ?")
            .bind(sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(key_row).transpose()
    }

    async fn list_keys(&self, account_sid: &str, page: PageQuery) -> StoreResult<Page<ApiKey>> {
        let mut qb = QueryBuilder::new("SELECT * FROM api_keys WHERE account_sid = ");
        qb.push_bind(account_sid.to_string());
        self.fetch_page(qb, page, false, key_row).await
    }

    async fn update_key(&self, k: &ApiKey) -> StoreResult<()> {
        sqlx::query("UPDATE api_keys SET friendly_name = ?, date_updated = ? WHERE sid = ?")
            .bind(&k.friendly_name)
            .bind(k.date_updated)
            .bind(&k.sid)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_key(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM api_keys WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_address(&self, mut a: Address) -> StoreResult<Address> {
        a.seq = sqlx::query_scalar(
            "INSERT INTO addresses (sid, account_sid, customer_name, friendly_name, street,
               street_secondary, city, region, postal_code, iso_country, emergency_enabled,
               date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING seq",
        )
        .bind(&a.sid)
        .bind(&a.account_sid)
        .bind(&a.customer_name)
        .bind(&a.friendly_name)
        .bind(&a.street)
        .bind(&a.street_secondary)
        .bind(&a.city)
        .bind(&a.region)
        .bind(&a.postal_code)
        .bind(&a.iso_country)
        .bind(a.emergency_enabled)
        .bind(a.date_created)
        .bind(a.date_updated)
        .fetch_one(&self.pool)
        .await?;
        Ok(a)
    }

    async fn address(&self, account_sid: &str, sid: &str) -> StoreResult<Option<Address>> {
        let row = sqlx::query("SELECT * FROM addresses WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(address_row).transpose()
    }

    async fn list_addresses(
        &self,
        account_sid: &str,
        filter: &AddressFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Address>> {
        let mut qb = QueryBuilder::new("SELECT * FROM addresses WHERE account_sid = ");
        qb.push_bind(account_sid.to_string());
        if let Some(v) = &filter.customer_name {
            qb.push(" AND customer_name = ").push_bind(v.clone());
        }
        if let Some(v) = &filter.friendly_name {
            qb.push(" AND friendly_name = ").push_bind(v.clone());
        }
        if let Some(v) = &filter.iso_country {
            qb.push(" AND iso_country = ").push_bind(v.clone());
        }
        self.fetch_page(qb, page, false, address_row).await
    }

    async fn update_address(&self, a: &Address) -> StoreResult<()> {
        sqlx::query(
            "UPDATE addresses SET customer_name = ?, friendly_name = ?, street = ?,
               street_secondary = ?, city = ?, region = ?, postal_code = ?,
               emergency_enabled = ?, date_updated = ? WHERE sid = ?",
        )
        .bind(&a.customer_name)
        .bind(&a.friendly_name)
        .bind(&a.street)
        .bind(&a.street_secondary)
        .bind(&a.city)
        .bind(&a.region)
        .bind(&a.postal_code)
        .bind(a.emergency_enabled)
        .bind(a.date_updated)
        .bind(&a.sid)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_address(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM addresses WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn existing_addresses(
        &self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<String>> {
        if sids.is_empty() {
            return Ok(vec![]);
        }
        let mut qb = QueryBuilder::new("SELECT sid FROM addresses WHERE account_sid = ");
        qb.push_bind(account_sid.to_string());
        qb.push(" AND sid IN (");
        let mut sep = qb.separated(", ");
        for s in sids {
            sep.push_bind(s.clone());
        }
        qb.push(")");
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("sid").map_err(StoreError::from))
            .collect()
    }

    async fn documents_mentioning(
        &self,
        account_sid: &str,
        text: &str,
    ) -> StoreResult<Vec<Entity>> {
        // Encrypted attributes cannot be searched in SQL: decrypt the account's documents.
        let sql = if codec::encrypting() {
            "SELECT * FROM entities WHERE account_sid = ? AND kind = 'supporting_document'
               AND ? <> ''"
        } else {
            "SELECT * FROM entities WHERE account_sid = ? AND kind = 'supporting_document'
               AND instr(attributes, ?) > 0"
        };
        let rows = sqlx::query(sql)
            .bind(account_sid)
            .bind(text)
            .fetch_all(&self.pool)
            .await?;
        let docs = rows
            .iter()
            .map(entity_row)
            .collect::<StoreResult<Vec<Entity>>>()?;
        Ok(docs
            .into_iter()
            .filter(|d| d.attributes.to_string().contains(text))
            .collect())
    }

    async fn insert_number(&self, mut n: PhoneNumber) -> StoreResult<PhoneNumber> {
        n.seq = sqlx::query_scalar(
            "INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, config,
               date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&n.sid)
        .bind(&n.account_sid)
        .bind(&n.phone_number)
        .bind(&n.friendly_name)
        .bind(Value::Object(n.config.clone()).to_string())
        .bind(n.date_created)
        .bind(n.date_updated)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    async fn number(&self, account_sid: &str, sid: &str) -> StoreResult<Option<PhoneNumber>> {
        let row = sqlx::query("SELECT * FROM phone_numbers WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(number_row).transpose()
    }

    async fn number_any(&self, sid: &str) -> StoreResult<Option<PhoneNumber>> {
        let row = sqlx::query("SELECT * FROM phone_numbers WHERE sid = ?")
            .bind(sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(number_row).transpose()
    }

    async fn list_numbers(
        &self,
        account_sid: &str,
        filter: &NumberFilter,
        page: PageQuery,
    ) -> StoreResult<Page<PhoneNumber>> {
        let mut qb = QueryBuilder::new("SELECT * FROM phone_numbers WHERE account_sid = ");
        qb.push_bind(account_sid.to_string());
        if let Some(v) = &filter.phone_number {
            qb.push(" AND phone_number = ").push_bind(v.clone());
        }
        if let Some(v) = &filter.friendly_name {
            qb.push(" AND friendly_name = ").push_bind(v.clone());
        }
        self.fetch_page(qb, page, false, number_row).await
    }

    async fn update_number(&self, n: &PhoneNumber) -> StoreResult<()> {
        sqlx::query(
            "UPDATE phone_numbers SET account_sid = ?, friendly_name = ?, config = ?,
               date_updated = ? WHERE sid = ?",
        )
        .bind(&n.account_sid)
        .bind(&n.friendly_name)
        .bind(Value::Object(n.config.clone()).to_string())
        .bind(n.date_updated)
        .bind(&n.sid)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_number(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM phone_numbers WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn bundles_with_number(&self, number_sid: &str) -> StoreResult<Vec<Bundle>> {
        let rows = sqlx::query(
            "SELECT b.* FROM bundles b JOIN channel_assignments c ON c.bundle_sid = b.sid
             WHERE c.channel_endpoint_sid = ? ORDER BY c.seq",
        )
        .bind(number_sid)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(bundle_row).collect()
    }

    async fn insert_bundle(&self, mut b: Bundle) -> StoreResult<Bundle> {
        let errors = b
            .errors
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        b.seq = sqlx::query_scalar(
            "INSERT INTO bundles (sid, account_sid, kind, policy_sid, friendly_name, email, status,
               status_callback, valid_until, errors, date_created, date_updated)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&b.sid)
        .bind(&b.account_sid)
        .bind(b.kind.as_str())
        .bind(&b.policy_sid)
        .bind(&b.friendly_name)
        .bind(&b.email)
        .bind(b.status.as_str())
        .bind(&b.status_callback)
        .bind(b.valid_until)
        .bind(errors)
        .bind(b.date_created)
        .bind(b.date_updated)
        .fetch_one(&self.pool)
        .await?;
        Ok(b)
    }

    async fn bundle(&self, account_sid: &str, sid: &str) -> StoreResult<Option<Bundle>> {
        let row = sqlx::query("SELECT * FROM bundles WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(bundle_row).transpose()
    }

    async fn list_bundles(
        &self,
        account_sid: &str,
        kind: BundleKind,
        filter: &BundleFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Bundle>> {
        let mut qb = QueryBuilder::new("SELECT * FROM bundles WHERE account_sid = ");
        qb.push_bind(account_sid.to_string());
        qb.push(" AND kind = ").push_bind(kind.as_str());
        if let Some(s) = filter.status {
            qb.push(" AND status = ").push_bind(s.as_str());
        }
        if let Some(f) = &filter.friendly_name {
            qb.push(" AND friendly_name = ").push_bind(f.clone());
        }
        if let Some(p) = &filter.policy_sid {
            qb.push(" AND policy_sid = ").push_bind(p.clone());
        }
        self.fetch_page(qb, page, false, bundle_row).await
    }

    async fn save_bundle(&self, change: BundleChange) -> StoreResult<()> {
        let b = &change.bundle;
        let mut tx = self.pool.begin().await?;
        let errors = b
            .errors
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        let done = sqlx::query(
            "UPDATE bundles SET friendly_name = ?, email = ?, status = ?, status_callback = ?,
               valid_until = ?, errors = ?, date_updated = ?, version = version + 1
             WHERE sid = ? AND status = ? AND version = ?",
        )
        .bind(&b.friendly_name)
        .bind(&b.email)
        .bind(b.status.as_str())
        .bind(&b.status_callback)
        .bind(b.valid_until)
        .bind(errors)
        .bind(b.date_updated)
        .bind(&b.sid)
        .bind(change.expected_status.as_str())
        .bind(b.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(e) = &change.evaluation {
            insert_evaluation(&mut tx, e).await?;
        }
        for e in &change.events {
            insert_event(&mut tx, e).await?;
        }
        for j in &change.jobs {
            insert_job(&mut tx, j, b.date_updated).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn bundle_any(&self, sid: &str) -> StoreResult<Option<Bundle>> {
        let row = sqlx::query("SELECT * FROM bundles WHERE sid = ?")
            .bind(sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(bundle_row).transpose()
    }

    async fn bundles_in_status(
        &self,
        statuses: &[Status],
        policy_sid: Option<&str>,
    ) -> StoreResult<Vec<Bundle>> {
        let mut qb = QueryBuilder::new("SELECT * FROM bundles WHERE status IN (");
        let mut sep = qb.separated(", ");
        for st in statuses {
            sep.push_bind(st.as_str());
        }
        qb.push(")");
        if let Some(p) = policy_sid {
            qb.push(" AND policy_sid = ").push_bind(p.to_string());
        }
        qb.push(" ORDER BY date_updated, seq");
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter().map(bundle_row).collect()
    }

    async fn delete_bundle(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM bundles WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_entity(&self, mut e: Entity) -> StoreResult<Entity> {
        e.seq = sqlx::query_scalar(
            "INSERT INTO entities (sid, account_sid, kind, type_name, friendly_name, attributes,
               date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&e.sid)
        .bind(&e.account_sid)
        .bind(e.kind.as_str())
        .bind(&e.type_name)
        .bind(&e.friendly_name)
        .bind(codec::encode(&e.attributes))
        .bind(e.date_created)
        .bind(e.date_updated)
        .fetch_one(&self.pool)
        .await?;
        Ok(e)
    }

    async fn entity(
        &self,
        account_sid: &str,
        kind: EntityKind,
        sid: &str,
    ) -> StoreResult<Option<Entity>> {
        let row =
            sqlx::query("SELECT * FROM entities WHERE sid = ? AND account_sid = ? AND kind = ?")
                .bind(sid)
                .bind(account_sid)
                .bind(kind.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(entity_row).transpose()
    }

    async fn list_entities(
        &self,
        account_sid: &str,
        kind: EntityKind,
        page: PageQuery,
    ) -> StoreResult<Page<Entity>> {
        let mut qb = QueryBuilder::new("SELECT * FROM entities WHERE account_sid = ");
        qb.push_bind(account_sid.to_string());
        qb.push(" AND kind = ").push_bind(kind.as_str());
        self.fetch_page(qb, page, false, entity_row).await
    }

    async fn update_entity(&self, e: &Entity) -> StoreResult<()> {
        sqlx::query(
            "UPDATE entities SET friendly_name = ?, attributes = ?, date_updated = ? WHERE sid = ?",
        )
        .bind(&e.friendly_name)
        .bind(codec::encode(&e.attributes))
        .bind(e.date_updated)
        .bind(&e.sid)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_entity(
        &self,
        account_sid: &str,
        kind: EntityKind,
        sid: &str,
    ) -> StoreResult<bool> {
        let done =
            sqlx::query("DELETE FROM entities WHERE sid = ? AND account_sid = ? AND kind = ?")
                .bind(sid)
                .bind(account_sid)
                .bind(kind.as_str())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn bundles_holding(&self, object_sid: &str) -> StoreResult<Vec<Bundle>> {
        let rows = sqlx::query(
            "SELECT b.* FROM bundles b JOIN entity_assignments a ON a.bundle_sid = b.sid
             WHERE a.object_sid = ? ORDER BY b.seq",
        )
        .bind(object_sid)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(bundle_row).collect()
    }

    async fn insert_entity_assignment(
        &self,
        mut a: EntityAssignment,
    ) -> StoreResult<EntityAssignment> {
        a.seq = sqlx::query_scalar(
            "INSERT INTO entity_assignments (sid, bundle_sid, account_sid, object_sid, object_type,
               date_created) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&a.sid)
        .bind(&a.bundle_sid)
        .bind(&a.account_sid)
        .bind(&a.object_sid)
        .bind(&a.object_type)
        .bind(a.date_created)
        .fetch_one(&self.pool)
        .await?;
        Ok(a)
    }

    async fn entity_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<EntityAssignment>> {
        let row = sqlx::query("SELECT * FROM entity_assignments WHERE sid = ? AND bundle_sid = ?")
            .bind(sid)
            .bind(bundle_sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(entity_assignment_row).transpose()
    }

    async fn list_entity_assignments(
        &self,
        bundle_sid: &str,
        object_type: Option<&str>,
        page: PageQuery,
    ) -> StoreResult<Page<EntityAssignment>> {
        let mut qb = QueryBuilder::new("SELECT * FROM entity_assignments WHERE bundle_sid = ");
        qb.push_bind(bundle_sid.to_string());
        if let Some(t) = object_type {
            qb.push(" AND object_type = ").push_bind(t.to_string());
        }
        self.fetch_page(qb, page, false, entity_assignment_row)
            .await
    }

    async fn delete_entity_assignment(&self, bundle_sid: &str, sid: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM entity_assignments WHERE sid = ? AND bundle_sid = ?")
            .bind(sid)
            .bind(bundle_sid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn assigned_objects(&self, bundle_sid: &str) -> StoreResult<(Vec<Entity>, Vec<Bundle>)> {
        let entities = sqlx::query(
            "SELECT e.* FROM entities e JOIN entity_assignments a ON a.object_sid = e.sid
             WHERE a.bundle_sid = ? ORDER BY a.seq",
        )
        .bind(bundle_sid)
        .fetch_all(&self.pool)
        .await?;
        let bundles = sqlx::query(
            "SELECT b.* FROM bundles b JOIN entity_assignments a ON a.object_sid = b.sid
             WHERE a.bundle_sid = ? ORDER BY a.seq",
        )
        .bind(bundle_sid)
        .fetch_all(&self.pool)
        .await?;
        Ok((
            entities
                .iter()
                .map(entity_row)
                .collect::<StoreResult<_>>()?,
            bundles.iter().map(bundle_row).collect::<StoreResult<_>>()?,
        ))
    }

    async fn insert_channel_assignment(
        &self,
        mut a: ChannelAssignment,
    ) -> StoreResult<ChannelAssignment> {
        a.seq = sqlx::query_scalar(
            "INSERT INTO channel_assignments (sid, bundle_sid, account_sid, channel_endpoint_type,
               channel_endpoint_sid, date_created) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&a.sid)
        .bind(&a.bundle_sid)
        .bind(&a.account_sid)
        .bind(&a.channel_endpoint_type)
        .bind(&a.channel_endpoint_sid)
        .bind(a.date_created)
        .fetch_one(&self.pool)
        .await?;
        Ok(a)
    }

    async fn channel_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<ChannelAssignment>> {
        let row = sqlx::query("SELECT * FROM channel_assignments WHERE sid = ? AND bundle_sid = ?")
            .bind(sid)
            .bind(bundle_sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(channel_assignment_row).transpose()
    }

    async fn list_channel_assignments(
        &self,
        bundle_sid: &str,
        endpoint_sids: Option<&[String]>,
        page: PageQuery,
    ) -> StoreResult<Page<ChannelAssignment>> {
        let mut qb = QueryBuilder::new("SELECT * FROM channel_assignments WHERE bundle_sid = ");
        qb.push_bind(bundle_sid.to_string());
        if let Some(sids) = endpoint_sids {
            qb.push(" AND channel_endpoint_sid IN (");
            let mut sep = qb.separated(", ");
            for s in sids {
                sep.push_bind(s.clone());
            }
            qb.push(")");
        }
        self.fetch_page(qb, page, false, channel_assignment_row)
            .await
    }

    async fn delete_channel_assignment(&self, bundle_sid: &str, sid: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM channel_assignments WHERE sid = ? AND bundle_sid = ?")
            .bind(sid)
            .bind(bundle_sid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_evaluation(&self, e: Evaluation) -> StoreResult<Evaluation> {
        let mut conn = self.pool.acquire().await?;
        let seq = insert_evaluation(&mut conn, &e).await?;
        Ok(Evaluation { seq, ..e })
    }

    async fn evaluation(&self, bundle_sid: &str, sid: &str) -> StoreResult<Option<Evaluation>> {
        let row = sqlx::query("SELECT * FROM evaluations WHERE sid = ? AND bundle_sid = ?")
            .bind(sid)
            .bind(bundle_sid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(evaluation_row).transpose()
    }

    async fn list_evaluations(
        &self,
        bundle_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<Evaluation>> {
        let mut qb = QueryBuilder::new("SELECT * FROM evaluations WHERE bundle_sid = ");
        qb.push_bind(bundle_sid.to_string());
        self.fetch_page(qb, page, true, evaluation_row).await
    }

    async fn dump(&self) -> StoreResult<Vec<(String, Value)>> {
        let mut out = Vec::new();
        for table in TABLES {
            let sql = if table == "accounts" {
                "SELECT rowid AS seq, * FROM accounts ORDER BY rowid".to_string()
            } else {
                let order = if table == "jobs" { "id" } else { "seq" };
                format!("SELECT * FROM {table} ORDER BY {order}")
            };
            for row in sqlx::query(&sql).fetch_all(&self.pool).await? {
                out.push((table.to_string(), row_json(&row)));
            }
        }
        Ok(out)
    }

    async fn load(&self, rows: &[(String, Value)]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for table in TABLES.iter().rev() {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        for (table, row) in rows {
            if !TABLES.contains(&table.as_str()) {
                return Err(anyhow::anyhow!("unknown table {table} in dump").into());
            }
            let Some(obj) = row.as_object() else {
                return Err(anyhow::anyhow!("a {table} row is not an object").into());
            };
            // Accounts page by rowid in SQLite: `seq` is where it goes.
            let cols: Vec<String> = obj
                .keys()
                .map(|k| {
                    if table == "accounts" && k == "seq" {
                        "rowid".to_string()
                    } else {
                        k.clone()
                    }
                })
                .collect();
            if let Some(bad) = cols
                .iter()
                .find(|c| !c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            {
                return Err(anyhow::anyhow!("bad column name {bad} in dump").into());
            }
            let mut qb = QueryBuilder::new(format!(
                "INSERT INTO {table} ({}) VALUES (",
                cols.join(", ")
            ));
            let mut sep = qb.separated(", ");
            for v in obj.values() {
                match v {
                    Value::Null => sep.push_bind(None::<String>),
                    Value::Bool(b) => sep.push_bind(*b as i64),
                    Value::Number(n) if n.is_i64() => sep.push_bind(n.as_i64()),
                    Value::Number(n) => sep.push_bind(n.as_f64()),
                    Value::String(s) => sep.push_bind(s.clone()),
                    other => sep.push_bind(other.to_string()),
                };
            }
            qb.push(")");
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn reset(&self, account_sid: Option<&str>, accounts: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        match account_sid {
            None => {
                let keep = if accounts { 0 } else { 2 };
                // The audit trail outlives sandbox resets.
                for table in TABLES[keep..].iter().rev().filter(|t| **t != "audit") {
                    sqlx::query(&format!("DELETE FROM {table}"))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Some(sid) => {
                let scoped = [
                    "DELETE FROM jobs WHERE bundle_sid IN (SELECT sid FROM bundles WHERE account_sid = ?)",
                    "DELETE FROM events WHERE account_sid = ?",
                    "DELETE FROM evaluations WHERE account_sid = ?",
                    "DELETE FROM channel_assignments WHERE account_sid = ?",
                    "DELETE FROM entity_assignments WHERE account_sid = ?",
                    "DELETE FROM entities WHERE account_sid = ?",
                    "DELETE FROM bundles WHERE account_sid = ?",
                    "DELETE FROM phone_numbers WHERE account_sid = ?",
                    "DELETE FROM addresses WHERE account_sid = ?",
                ];
                for sql in scoped {
                    sqlx::query(sql).bind(sid).execute(&mut *tx).await?;
                }
                if accounts {
                    sqlx::query("DELETE FROM api_keys WHERE account_sid = ?")
                        .bind(sid)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn stats(&self, now: i64) -> StoreResult<super::StoreStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS pending,
               COALESCE(SUM(CASE WHEN due_at <= ? THEN 1 ELSE 0 END), 0) AS due,
               MIN(CASE WHEN due_at <= ? THEN due_at END) AS oldest
             FROM jobs WHERE done = 0",
        )
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(super::StoreStats {
            pool_size: self.pool.size(),
            pool_idle: self.pool.num_idle() as u32,
            pool_max: self.pool.options().get_max_connections(),
            jobs_pending: row.try_get("pending")?,
            jobs_due: row.try_get("due")?,
            oldest_due: row.try_get("oldest")?,
        })
    }

    async fn setting_or_insert(&self, name: &str, value: &str) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn save_snapshot(&self, name: &str, data: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO snapshots (name, data, date_created) VALUES (?, ?, ?)
             ON CONFLICT(name) DO UPDATE SET data = excluded.data, date_created = excluded.date_created",
        )
        .bind(name)
        .bind(data)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn snapshot(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT data FROM snapshots WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn list_snapshots(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT name, date_created FROM snapshots ORDER BY date_created, name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("date_created")?)))
            .collect()
    }

    async fn add_audit(&self, e: AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit (actor_kind, actor_sid, account_sid, method, path, status,
               date_created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&e.actor_kind)
        .bind(&e.actor_sid)
        .bind(&e.account_sid)
        .bind(&e.method)
        .bind(&e.path)
        .bind(e.status as i64)
        .bind(e.date_created)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit(&self, account_sid: Option<&str>, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let mut qb = QueryBuilder::new("SELECT * FROM audit");
        if let Some(a) = account_sid {
            qb.push(" WHERE account_sid = ").push_bind(a.to_string());
        }
        qb.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get("seq")?,
                    actor_kind: r.try_get("actor_kind")?,
                    actor_sid: r.try_get("actor_sid")?,
                    account_sid: r.try_get("account_sid")?,
                    method: r.try_get("method")?,
                    path: r.try_get("path")?,
                    status: r.try_get::<i64, _>("status")? as u16,
                    date_created: r.try_get("date_created")?,
                })
            })
            .collect()
    }

    async fn add_event(&self, event: Event) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_event(&mut conn, &event).await
    }

    async fn events(&self, bundle_sid: &str) -> StoreResult<Vec<Event>> {
        let rows = sqlx::query("SELECT * FROM events WHERE bundle_sid = ? ORDER BY seq")
            .bind(bundle_sid)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail")?;
                Ok(Event {
                    seq: r.try_get("seq")?,
                    bundle_sid: r.try_get("bundle_sid")?,
                    account_sid: r.try_get("account_sid")?,
                    kind: r.try_get("type")?,
                    detail: serde_json::from_str(&detail).context("bad event JSON in store")?,
                    date_created: r.try_get("date_created")?,
                })
            })
            .collect()
    }

    async fn add_job(&self, job: Job) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_job(&mut conn, &job, job.due_at).await
    }

    async fn claim_job(
        &self,
        due_before: i64,
        lease_now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<Job>> {
        // A read first: an idle poller must not take the write lock ten times a second.
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE done = 0 AND due_at <= ?
               AND (lease_until IS NULL OR lease_until < ?) LIMIT 1",
        )
        .bind(due_before)
        .bind(lease_now)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(None);
        }
        // One statement: SQLite serialises writers, so two claimers never get one row.
        let row = sqlx::query(
            "UPDATE jobs SET lease_until = ?, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs WHERE done = 0 AND due_at <= ?
                           AND (lease_until IS NULL OR lease_until < ?)
                         ORDER BY due_at, id LIMIT 1)
             RETURNING *",
        )
        .bind(lease_until)
        .bind(due_before)
        .bind(lease_now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(job_row).transpose()
    }

    async fn complete_job(
        &self,
        id: i64,
        lease_until: i64,
        outcome: JobOutcome,
        event: Option<Event>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = match outcome {
            JobOutcome::Done => {
                sqlx::query(
                    "UPDATE jobs SET done = 1, lease_until = NULL WHERE id = ? AND lease_until = ?",
                )
                .bind(id)
                .bind(lease_until)
                .execute(&mut *tx)
                .await?
            }
            JobOutcome::RetryAt(due) => sqlx::query(
                "UPDATE jobs SET due_at = ?, lease_until = NULL WHERE id = ? AND lease_until = ?",
            )
            .bind(due)
            .bind(id)
            .bind(lease_until)
            .execute(&mut *tx)
            .await?,
        };
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(e) = &event {
            insert_event(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn next_job_due(&self) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(due_at) FROM jobs WHERE done = 0")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

async fn insert_event(conn: &mut sqlx::SqliteConnection, e: &Event) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (bundle_sid, account_sid, type, detail, date_created)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&e.bundle_sid)
    .bind(&e.account_sid)
    .bind(&e.kind)
    .bind(e.detail.to_string())
    .bind(e.date_created)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_job(conn: &mut sqlx::SqliteConnection, j: &Job, now: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, bundle_sid, payload, due_at, attempts, date_created)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(j.kind.as_str())
    .bind(&j.bundle_sid)
    .bind(j.payload.to_string())
    .bind(j.due_at)
    .bind(j.attempts)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

fn job_row(r: &SqliteRow) -> StoreResult<Job> {
    let kind: String = r.try_get("kind")?;
    let payload: String = r.try_get("payload")?;
    Ok(Job {
        id: r.try_get("id")?,
        kind: match kind.as_str() {
            "callback" => JobKind::Callback,
            _ => JobKind::Review,
        },
        bundle_sid: r.try_get("bundle_sid")?,
        payload: serde_json::from_str(&payload).context("bad job payload in store")?,
        due_at: r.try_get("due_at")?,
        attempts: r.try_get("attempts")?,
        lease_until: r.try_get::<Option<i64>, _>("lease_until")?.unwrap_or(0),
    })
}

async fn insert_evaluation(conn: &mut sqlx::SqliteConnection, e: &Evaluation) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO evaluations (sid, bundle_sid, account_sid, policy_sid, status, results,
           date_created) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
    )
    .bind(&e.sid)
    .bind(&e.bundle_sid)
    .bind(&e.account_sid)
    .bind(&e.policy_sid)
    .bind(&e.status)
    .bind(e.results.to_string())
    .bind(e.date_created)
    .fetch_one(conn)
    .await?)
}
