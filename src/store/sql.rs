//! The store: every query and row mapping, once, for SQLite and PostgreSQL alike (through
//! sqlx's `Any` driver; see `mod.rs` for why). What the two dialects spell differently
//! comes from `dialect.rs`.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyPool, Arguments, Encode, Executor, Row, Type};

use super::dialect::{Dialect, PgOptions};
use super::*;

#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    d: Dialect,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Duplicate(Unique::named(&Dialect::unique_constraint(d.as_ref())))
            }
            // The row a write refers to is gone (deleted meanwhile).
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::Stale,
            // Lost a lock race (PostgreSQL deadlock or serialization failure; SQLite still
            // busy after its timeout): the request may be retried, like a stale save.
            sqlx::Error::Database(d)
                if matches!(d.code().as_deref(), Some("40P01" | "40001" | "5" | "517")) =>
            {
                StoreError::Stale
            }
            _ => StoreError::Other(e.into()),
        }
    }
}

/// A value a query binds. Text PostgreSQL cannot store (NUL) is never sent to either
/// store: it can match no stored row, so such a read finds nothing on both.
pub(super) trait Arg<'q>: 'q + Encode<'q, Any> + Type<Any> + Send {
    fn storable(&self) -> bool {
        true
    }
}
impl Arg<'_> for i64 {}
impl Arg<'_> for Option<i64> {}
impl Arg<'_> for bool {}
impl<'q> Arg<'q> for &'q str {
    fn storable(&self) -> bool {
        Dialect::storable(self)
    }
}
impl Arg<'_> for String {
    fn storable(&self) -> bool {
        Dialect::storable(self)
    }
}
impl Arg<'_> for Option<String> {
    fn storable(&self) -> bool {
        self.as_deref().is_none_or(Dialect::storable)
    }
}

/// A statement being built: SQL written with `?` placeholders (numbered for PostgreSQL as
/// they are pushed) and its arguments.
pub(super) struct Q<'q> {
    d: Dialect,
    sql: String,
    n: usize,
    args: AnyArguments<'q>,
    unstorable: bool,
    /// A value that could not be bound (`bind_encoded`): the statement fails unsent.
    failed: Option<anyhow::Error>,
}

impl<'q> Q<'q> {
    fn new(d: Dialect, sql: &str) -> Self {
        Q {
            d,
            sql: String::with_capacity(sql.len() + 32),
            n: 0,
            args: AnyArguments::default(),
            unstorable: false,
            failed: None,
        }
        .push(sql)
    }

    fn push(mut self, sql: &str) -> Self {
        let mut parts = sql.split('?');
        self.sql.push_str(parts.next().unwrap_or(""));
        for part in parts {
            self.n += 1;
            self.d.placeholder(&mut self.sql, self.n);
            self.sql.push_str(part);
        }
        self
    }

    fn bind<T: Arg<'q>>(mut self, v: T) -> Self {
        self.unstorable |= !v.storable();
        // Encoding into Any's buffer does not fail for these types.
        let _ = self.args.add(v);
        self
    }

    /// Binds `value` as stored JSON that may quote attributes: `codec::encode`d (encrypted
    /// with a key), through [`Q::bind_sealed`].
    fn bind_encoded(self, value: &Value) -> Self {
        self.bind_sealed(codec::encode(value))
    }

    /// Binds the result of sealing a value (`codec::encode`). An `Err` fails the statement
    /// before anything is sent: nothing is stored in the value's place, neither the
    /// plaintext nor a stand-in such as `{}`.
    fn bind_sealed(mut self, sealed: anyhow::Result<String>) -> Self {
        match sealed {
            Ok(text) => self.bind(text),
            Err(e) => {
                self.failed.get_or_insert(e);
                self
            }
        }
    }

    /// As `bind_encoded`, NULL for `None`.
    fn bind_encoded_opt(self, value: Option<&Value>) -> Self {
        match value {
            Some(v) => self.bind_encoded(v),
            None => self.bind(None::<String>),
        }
    }

    /// The binding failure, if any (the statement must not run).
    fn check(&mut self) -> StoreResult<()> {
        match self.failed.take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// ` AND column = ?` when the filter is set.
    fn and_eq(self, column: &str, value: Option<&'q str>) -> Self {
        match value {
            Some(v) => self.push(&format!(" AND {column} = ?")).bind(v),
            None => self,
        }
    }

    /// `IN (?, ?, …)` over `values` (never empty: callers check).
    fn bind_list(mut self, values: &'q [String]) -> Self {
        self = self.push(" IN (");
        for (i, v) in values.iter().enumerate() {
            self = self.push(if i == 0 { "?" } else { ", ?" }).bind(v.as_str());
        }
        self.push(")")
    }

    async fn all<'c, E: Executor<'c, Database = Any>>(mut self, ex: E) -> StoreResult<Vec<AnyRow>> {
        self.check()?;
        if self.unstorable {
            return Ok(vec![]);
        }
        crate::telemetry::store_statement();
        Ok(sqlx::query_with(&self.sql, self.args).fetch_all(ex).await?)
    }

    async fn opt<'c, E: Executor<'c, Database = Any>>(
        mut self,
        ex: E,
    ) -> StoreResult<Option<AnyRow>> {
        self.check()?;
        if self.unstorable {
            return Ok(None);
        }
        crate::telemetry::store_statement();
        Ok(sqlx::query_with(&self.sql, self.args)
            .fetch_optional(ex)
            .await?)
    }

    async fn one<'c, E: Executor<'c, Database = Any>>(mut self, ex: E) -> StoreResult<AnyRow> {
        self.check()?;
        if self.unstorable {
            return Err(anyhow::anyhow!("text with a NUL character cannot be stored").into());
        }
        crate::telemetry::store_statement();
        Ok(sqlx::query_with(&self.sql, self.args).fetch_one(ex).await?)
    }

    /// Rows affected. A write naming unstorable text matches nothing; an insert of it fails.
    async fn run<'c, E: Executor<'c, Database = Any>>(mut self, ex: E) -> StoreResult<u64> {
        self.check()?;
        if self.unstorable {
            if self.sql.trim_start().starts_with("INSERT") {
                return Err(anyhow::anyhow!("text with a NUL character cannot be stored").into());
            }
            return Ok(0);
        }
        crate::telemetry::store_statement();
        Ok(sqlx::query_with(&self.sql, self.args)
            .execute(ex)
            .await?
            .rows_affected())
    }
}

/// Commits, counted like every statement (`trusthub_store_statements_total`).
async fn commit(tx: sqlx::Transaction<'static, Any>) -> StoreResult<()> {
    crate::telemetry::store_statement();
    Ok(tx.commit().await?)
}

impl SqlStore {
    /// Opens (a SQLite file is created if missing) and migrates the store at `url`.
    pub async fn open(url: &str, o: &PgOptions) -> anyhow::Result<Self> {
        let d = Dialect::of(url).context(
            "unsupported --database-url: use sqlite://PATH or postgres://USER@HOST/DATABASE",
        )?;
        let pool = d.open(url, o).await?;
        Ok(SqlStore { pool, d })
    }

    fn q<'q>(&self, sql: &str) -> Q<'q> {
        Q::new(self.d, sql)
    }

    /// The row `sql` finds by `keys` (text binds), mapped.
    async fn find<T>(
        &self,
        sql: &str,
        keys: &[&str],
        map: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let q = keys.iter().fold(self.q(sql), |q, k| q.bind(*k));
        q.opt(&self.pool).await?.as_ref().map(map).transpose()
    }

    /// Runs `sql` with `keys` (text binds); rows affected.
    async fn exec(&self, sql: &str, keys: &[&str]) -> StoreResult<u64> {
        let q = keys.iter().fold(self.q(sql), |q, k| q.bind(*k));
        q.run(&self.pool).await
    }

    /// The rows of `sql` — ending in the column to match, after its `binds` — whose column
    /// is one of `values`, then `tail` (an ORDER BY); mapped. One query for a list page.
    /// Text no store can hold matches nothing; no values, no query.
    async fn in_list<T>(
        &self,
        (sql, tail): (&str, &str),
        binds: &[&str],
        values: &[String],
        map: impl Fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let values: Vec<String> = values
            .iter()
            .filter(|v| Dialect::storable(v))
            .cloned()
            .collect();
        if values.is_empty() {
            return Ok(vec![]);
        }
        let q = binds.iter().fold(self.q(sql), |q, b| q.bind(*b));
        let rows = q.bind_list(&values).push(tail).all(&self.pool).await?;
        rows.iter().map(map).collect()
    }

    /// A write transaction. The begin runs as a task of its own, so a request dropped while
    /// it runs (the client hung up) cannot leave it half done: sqlx's SQLite driver begins
    /// a custom statement (`BEGIN IMMEDIATE`) on its worker, then checks the connection in
    /// a second step, and a future dropped between the two left the transaction open on a
    /// pooled connection with no `Transaction` to roll it back — holding SQLite's write lock
    /// for good, so every later write failed. Run whole, the begin always yields its
    /// `Transaction`; if nobody awaits it any more, dropping it rolls back.
    async fn tx(&self) -> StoreResult<sqlx::Transaction<'static, Any>> {
        crate::telemetry::store_statement();
        let (pool, begin) = (self.pool.clone(), self.d.begin());
        tokio::spawn(async move { pool.begin_with(begin).await })
            .await
            .context("the transaction's begin task failed")?
            .map_err(StoreError::from)
    }

    /// Runs one write from `Dialect::with_event` (binding `data` with `bind`) as a task of
    /// its own: sqlx's SQLite worker stops a script whose caller went away (a client hung
    /// up) at its next row, which could be before its `COMMIT`; as its own task the write
    /// always runs to the end. A failed write's connection is closed where that may leave
    /// a transaction open (`Dialect::failed_write_leaves_transaction`). Answers the `seq`
    /// the write returned, and `data` back.
    async fn write_whole<T: Send + Sync + 'static>(
        &self,
        sql: String,
        data: T,
        bind: for<'a> fn(Q<'a>, &'a T) -> Q<'a>,
    ) -> StoreResult<(i64, T)> {
        let (pool, d) = (self.pool.clone(), self.d);
        tokio::spawn(async move {
            let mut conn = pool.acquire().await?;
            let q = bind(Q::new(d, &sql), &data);
            if q.unstorable {
                return Err(anyhow::anyhow!("text with a NUL character cannot be stored").into());
            }
            let rows = match q.all(&mut *conn).await {
                Ok(rows) => rows,
                Err(e) => {
                    if d.failed_write_leaves_transaction() {
                        conn.close_on_drop();
                    }
                    return Err(e);
                }
            };
            let row = rows
                .into_iter()
                .next()
                .context("the write returned no row")?;
            Ok((seq_of(row)?, data))
        })
        .await
        .context("the write task failed")?
    }

    async fn fetch_page<T>(
        &self,
        q: Q<'_>,
        page: PageQuery,
        desc: bool,
        map: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Page<T>> {
        let rows = keyset(q, page, desc).all(&self.pool).await?;
        let items = rows.iter().map(map).collect::<StoreResult<Vec<T>>>()?;
        Ok(finish_page(items, page))
    }
}

/// Appends the keyset condition, order and limit; `desc` lists newest first.
fn keyset(q: Q<'_>, page: PageQuery, desc: bool) -> Q<'_> {
    // Walking backwards from a Before cursor flips the scan direction.
    let forward = !matches!(page.cursor, Some(Cursor::Before(_)));
    let ascending = forward != desc;
    let q = match page.cursor {
        Some(Cursor::After(s)) | Some(Cursor::Before(s)) => q
            .push(if ascending {
                " AND seq > ?"
            } else {
                " AND seq < ?"
            })
            .bind(s),
        None => q,
    };
    q.push(if ascending {
        " ORDER BY seq ASC LIMIT ?"
    } else {
        " ORDER BY seq DESC LIMIT ?"
    })
    .bind(page.size as i64 + 1)
}

fn parse_status(s: &str) -> anyhow::Result<Status> {
    Status::parse(s).with_context(|| format!("unknown status {s} in store"))
}

/// A boolean column: PostgreSQL's BOOLEAN, or SQLite's 0/1.
fn flag(r: &AnyRow, col: &str) -> StoreResult<bool> {
    match r.try_get::<bool, _>(col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(r.try_get::<i64, _>(col)? != 0),
    }
}

/// A row as `{column: value}` with numbers, strings and nulls only (booleans as 0/1).
fn row_json(row: &AnyRow) -> Value {
    use sqlx::{Column, ValueRef};
    let mut obj = serde_json::Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let is_null = row.try_get_raw(i).map(|v| v.is_null()).unwrap_or(true);
        let v = if is_null {
            Value::Null
        } else if let Ok(n) = row.try_get::<i64, _>(i) {
            Value::from(n)
        } else if let Ok(b) = row.try_get::<bool, _>(i) {
            Value::from(b as i64)
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

// Row mappings (one `try_get` per column) and, below, the bind lists of the INSERTs and
// UPDATEs repeat one shape per table: `duplicates` pairs this file with itself for them.
// They stay written out: each lists its table's columns beside the SQL that must match
// them, and a derive over sqlx's `Any` row would cover only the plain columns (not SQLite's
// 0/1 booleans, the enums, the encrypted JSON), so half would be written out anyway.
fn account_row(r: &AnyRow) -> StoreResult<Account> {
    Ok(Account {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        friendly_name: r.try_get("friendly_name")?,
        auth_token: r.try_get("auth_token")?,
        owner_sid: r.try_get("owner_sid")?,
        status: {
            let s: String = r.try_get("status")?;
            AccountStatus::parse(&s)
                .with_context(|| format!("unknown account status {s} in store"))?
        },
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn key_row(r: &AnyRow) -> StoreResult<ApiKey> {
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

fn address_row(r: &AnyRow) -> StoreResult<Address> {
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
        emergency_enabled: flag(r, "emergency_enabled")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn number_row(r: &AnyRow) -> StoreResult<PhoneNumber> {
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

fn service_row(r: &AnyRow) -> StoreResult<MessagingService> {
    let config: String = r.try_get("config")?;
    Ok(MessagingService {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        friendly_name: r.try_get("friendly_name")?,
        config: serde_json::from_str(&config).context("bad service config in store")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

/// A pool's members with their numbers' E.164 form, selected as one table so paging can
/// append its ` AND seq …` (first bind: the service SID).
const SERVICE_NUMBERS: &str = "SELECT * FROM (SELECT m.seq AS seq, m.service_sid AS service_sid,
    m.account_sid AS account_sid, m.number_sid AS number_sid, p.phone_number AS phone_number,
    m.date_created AS date_created, m.date_updated AS date_updated
    FROM messaging_service_numbers m JOIN phone_numbers p ON p.sid = m.number_sid) t
    WHERE service_sid = ?";

fn service_number_row(r: &AnyRow) -> StoreResult<ServiceNumber> {
    Ok(ServiceNumber {
        seq: r.try_get("seq")?,
        service_sid: r.try_get("service_sid")?,
        account_sid: r.try_get("account_sid")?,
        number_sid: r.try_get("number_sid")?,
        phone_number: r.try_get("phone_number")?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

/// A bundle's columns, in `bundle_named`'s order: as stored, and as `assigned_objects`
/// selects them beside an entity's (prefixed, so the names do not collide).
const BUNDLE_COLUMNS: [&str; 14] = [
    "seq",
    "sid",
    "account_sid",
    "kind",
    "policy_sid",
    "friendly_name",
    "email",
    "status",
    "status_callback",
    "valid_until",
    "errors",
    "date_created",
    "date_updated",
    "version",
];
const ASSIGNED_BUNDLE_COLUMNS: [&str; 14] = [
    "b_seq",
    "b_sid",
    "b_account_sid",
    "b_kind",
    "b_policy_sid",
    "b_friendly_name",
    "b_email",
    "b_status",
    "b_status_callback",
    "b_valid_until",
    "b_errors",
    "b_date_created",
    "b_date_updated",
    "b_version",
];

fn bundle_row(r: &AnyRow) -> StoreResult<Bundle> {
    bundle_named(r, &BUNDLE_COLUMNS)
}

fn bundle_named(r: &AnyRow, c: &[&str; 14]) -> StoreResult<Bundle> {
    let kind: String = r.try_get(c[3])?;
    let status: String = r.try_get(c[7])?;
    let errors: Option<String> = r.try_get(c[10])?;
    Ok(Bundle {
        seq: r.try_get(c[0])?,
        sid: r.try_get(c[1])?,
        account_sid: r.try_get(c[2])?,
        kind: BundleKind::parse(&kind).context("unknown bundle kind in store")?,
        policy_sid: r.try_get(c[4])?,
        friendly_name: r.try_get(c[5])?,
        email: r.try_get(c[6])?,
        status: parse_status(&status)?,
        status_callback: r.try_get(c[8])?,
        valid_until: r.try_get(c[9])?,
        errors: errors
            .map(|e| serde_json::from_str(&e))
            .transpose()
            .context("bad errors JSON in store")?,
        date_created: r.try_get(c[11])?,
        date_updated: r.try_get(c[12])?,
        version: r.try_get(c[13])?,
    })
}

fn entity_row(r: &AnyRow) -> StoreResult<Entity> {
    let sid: String = r.try_get("sid")?;
    let kind: String = r.try_get("kind")?;
    let attributes: String = r.try_get("attributes")?;
    Ok(Entity {
        seq: r.try_get("seq")?,
        account_sid: r.try_get("account_sid")?,
        kind: EntityKind::parse(&kind)
            .with_context(|| format!("unknown entity kind {kind:?} in store (row {sid})"))?,
        sid,
        type_name: r.try_get("type_name")?,
        friendly_name: r.try_get("friendly_name")?,
        attributes: codec::decode(&attributes)?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
    })
}

fn entity_assignment_row(r: &AnyRow) -> StoreResult<EntityAssignment> {
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

fn channel_assignment_row(r: &AnyRow) -> StoreResult<ChannelAssignment> {
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

fn evaluation_row(r: &AnyRow) -> StoreResult<Evaluation> {
    let results: String = r.try_get("results")?;
    Ok(Evaluation {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        bundle_sid: r.try_get("bundle_sid")?,
        account_sid: r.try_get("account_sid")?,
        policy_sid: r.try_get("policy_sid")?,
        status: r.try_get("status")?,
        // Failure reasons quote attribute values: encrypted like the attributes.
        results: codec::decode(&results)?,
        date_created: r.try_get("date_created")?,
    })
}

fn event_row(r: &AnyRow) -> StoreResult<Event> {
    let detail: String = r.try_get("detail")?;
    Ok(Event {
        seq: r.try_get("seq")?,
        bundle_sid: r.try_get("bundle_sid")?,
        account_sid: r.try_get("account_sid")?,
        kind: r.try_get("type")?,
        detail: codec::decode(&detail)?,
        date_created: r.try_get("date_created")?,
    })
}

fn registration_row(r: &AnyRow) -> StoreResult<Registration> {
    let kind: String = r.try_get("kind")?;
    let fields: String = r.try_get("fields")?;
    let failure: Option<String> = r.try_get("failure")?;
    Ok(Registration {
        seq: r.try_get("seq")?,
        sid: r.try_get("sid")?,
        account_sid: r.try_get("account_sid")?,
        kind: RegistrationKind::parse(&kind).context("unknown registration kind in store")?,
        parent_sid: r.try_get("parent_sid")?,
        status: r.try_get("status")?,
        fields: match codec::decode(&fields)? {
            Value::Object(m) => m,
            _ => return Err(anyhow::anyhow!("registration fields are not an object").into()),
        },
        failure: failure.as_deref().map(codec::decode).transpose()?,
        date_created: r.try_get("date_created")?,
        date_updated: r.try_get("date_updated")?,
        version: r.try_get("version")?,
    })
}

fn session_row(r: &AnyRow) -> StoreResult<SessionRow> {
    Ok(SessionRow {
        id_hash: r.try_get("id_hash")?,
        data: r.try_get("data")?,
        class: {
            let v: i64 = r.try_get("class")?;
            SessionClass::from_i64(v)
                .ok_or_else(|| anyhow::anyhow!("unknown console session class {v}"))?
        },
        expires_at: r.try_get("expires_at")?,
    })
}

fn inquiry_row(r: &AnyRow) -> StoreResult<Inquiry> {
    let prefill: String = r.try_get("prefill")?;
    Ok(Inquiry {
        id: r.try_get("id")?,
        token_hash: r.try_get("token_hash")?,
        kind: r.try_get("kind")?,
        account_sid: r.try_get("account_sid")?,
        external_id: r.try_get("external_id")?,
        primary_sid: r.try_get("primary_sid")?,
        prefill: codec::decode(&prefill)?,
        bundle_sid: r.try_get("bundle_sid")?,
        date_created: r.try_get("date_created")?,
        expires_at: r.try_get("expires_at")?,
    })
}

fn job_row(r: &AnyRow) -> StoreResult<Job> {
    let id: i64 = r.try_get("id")?;
    let kind: String = r.try_get("kind")?;
    let payload: String = r.try_get("payload")?;
    Ok(Job {
        id,
        kind: JobKind::parse(&kind)
            .with_context(|| format!("unknown job kind {kind:?} in store (job {id})"))?,
        bundle_sid: r.try_get("bundle_sid")?,
        payload: codec::decode(&payload)
            .map_err(|e| anyhow::anyhow!("unreadable payload of job {id}: {e:#}"))?,
        due_at: r.try_get("due_at")?,
        attempts: r.try_get("attempts")?,
        lease_until: r.try_get::<Option<i64>, _>("lease_until")?.unwrap_or(0),
    })
}

fn audit_row(r: &AnyRow) -> StoreResult<AuditEntry> {
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
}

fn seq_of(r: AnyRow) -> StoreResult<i64> {
    Ok(r.try_get::<i64, _>(0)?)
}

fn errors_json(b: &Bundle) -> Option<String> {
    b.errors
        .as_ref()
        .map(|e| serde_json::to_string(e).unwrap_or_default())
}

fn names(statuses: &[Status]) -> Vec<String> {
    statuses.iter().map(|s| s.as_str().to_string()).collect()
}

impl SqlStore {
    /// Locks the bundle for the rest of the transaction if it is in one of `open`
    /// statuses (`Stale` otherwise). With `bump`, also bumps its version, so a save based
    /// on an older read of the bundle (a submission evaluated before) fails.
    async fn hold_open(
        &self,
        conn: &mut sqlx::AnyConnection,
        bundle_sid: &str,
        open: &[Status],
        bump: bool,
    ) -> StoreResult<()> {
        let open = names(open);
        if open.is_empty() {
            return Err(StoreError::Stale);
        }
        let found = if bump {
            self.q("UPDATE bundles SET version = version + 1 WHERE sid = ? AND status")
                .bind(bundle_sid)
                .bind_list(&open)
                .run(conn)
                .await?
                > 0
        } else {
            self.q("SELECT sid FROM bundles WHERE sid = ? AND status")
                .bind(bundle_sid)
                .bind_list(&open)
                .push(self.d.for_update())
                .opt(conn)
                .await?
                .is_some()
        };
        if found {
            Ok(())
        } else {
            Err(StoreError::Stale)
        }
    }

    /// Locks the row of `table` with `sid` for the rest of the transaction; `Stale` if
    /// there is none.
    async fn lock(
        &self,
        conn: &mut sqlx::AnyConnection,
        table: &str,
        sid: &str,
    ) -> StoreResult<()> {
        let sql = format!(
            "SELECT sid FROM {table} WHERE sid = ?{}",
            self.d.for_update()
        );
        match self.q(&sql).bind(sid).opt(conn).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Stale),
        }
    }

    /// Deletes the row of `table` matching `filter` (`keys`, the row's SID first), locked
    /// first, unless `allowed` says no or `held` (bound to the SID) finds a row referring
    /// to it (`Stale`); `false` when there is no such row.
    async fn delete_unless_held(
        &self,
        table: &str,
        filter: &str,
        keys: &[&str],
        held: &str,
        allowed: impl Fn(&AnyRow) -> StoreResult<bool> + Send,
    ) -> StoreResult<bool> {
        let mut tx = self.tx().await?;
        let sql = format!(
            "SELECT * FROM {table} WHERE {filter}{}",
            self.d.for_update()
        );
        let q = keys.iter().fold(self.q(&sql), |q, k| q.bind(*k));
        let Some(row) = q.opt(&mut *tx).await? else {
            return Ok(false);
        };
        let sid = keys[0];
        if !allowed(&row)? || self.exists(&mut tx, held, sid).await? {
            return Err(StoreError::Stale);
        }
        self.q(&format!("DELETE FROM {table} WHERE sid = ?"))
            .bind(sid)
            .run(&mut *tx)
            .await?;
        commit(tx).await?;
        Ok(true)
    }

    /// Whether a row of `sql` (one bound SID) exists.
    async fn exists(
        &self,
        conn: &mut sqlx::AnyConnection,
        sql: &str,
        sid: &str,
    ) -> StoreResult<bool> {
        Ok(self.q(sql).bind(sid).opt(conn).await?.is_some())
    }

    /// Deletes an assignment of `table` with its event, while the bundle is open.
    async fn unassign(
        &self,
        table: &str,
        bundle_sid: &str,
        sid: &str,
        open: &[Status],
        event: Event,
    ) -> StoreResult<bool> {
        let mut tx = self.tx().await?;
        self.hold_open(&mut tx, bundle_sid, open, table == "entity_assignments")
            .await?;
        let n = self
            .q(&format!(
                "DELETE FROM {table} WHERE sid = ? AND bundle_sid = ?"
            ))
            .bind(sid)
            .bind(bundle_sid)
            .run(&mut *tx)
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.insert_event(&mut tx, &event).await?;
        commit(tx).await?;
        Ok(true)
    }

    async fn insert_event(&self, conn: &mut sqlx::AnyConnection, e: &Event) -> StoreResult<()> {
        self.q("INSERT INTO events (bundle_sid, account_sid, type, detail, date_created) VALUES ")
            .push(EVENT_VALUES)
            .bind_event(e)
            .run(conn)
            .await?;
        Ok(())
    }

    async fn insert_job(
        &self,
        conn: &mut sqlx::AnyConnection,
        j: &Job,
        now: i64,
    ) -> StoreResult<()> {
        self.q(
            "INSERT INTO jobs (kind, bundle_sid, payload, due_at, attempts, date_created)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(j.kind.as_str())
        .bind(j.bundle_sid.as_str())
        .bind_encoded(&j.payload)
        .bind(j.due_at)
        .bind(j.attempts)
        .bind(now)
        .run(conn)
        .await?;
        Ok(())
    }

    async fn insert_evaluation_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        e: &Evaluation,
    ) -> StoreResult<i64> {
        let row = self
            .q(INSERT_EVALUATION)
            .bind_evaluation(e)
            .one(conn)
            .await?;
        seq_of(row)
    }
}

const INSERT_EVALUATION: &str = "INSERT INTO evaluations (sid, bundle_sid, account_sid,
    policy_sid, status, results, date_created) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq";
/// An event's values, bound by `Q::bind_event`.
const EVENT_VALUES: &str = "(?, ?, ?, ?, ?)";

impl<'q> Q<'q> {
    fn bind_evaluation(self, e: &'q Evaluation) -> Self {
        self.bind(e.sid.as_str())
            .bind(e.bundle_sid.as_str())
            .bind(e.account_sid.as_str())
            .bind(e.policy_sid.as_str())
            .bind(e.status.as_str())
            .bind_encoded(&e.results)
            .bind(e.date_created)
    }

    fn bind_event(self, e: &'q Event) -> Self {
        self.bind(e.bundle_sid.as_str())
            .bind(e.account_sid.as_str())
            .bind(e.kind.as_str())
            .bind_encoded(&e.detail)
            .bind(e.date_created)
    }
}

/// The statements a `Tx` shares with the `Store` methods of the same names: each is
/// written once, over a connection (inside a transaction) or any executor.
impl SqlStore {
    async fn insert_address_on<'c, E: Executor<'c, Database = Any>>(
        &self,
        ex: E,
        mut a: Address,
    ) -> StoreResult<Address> {
        let row = self
            .q(
                "INSERT INTO addresses (sid, account_sid, customer_name, friendly_name, street,
                  street_secondary, city, region, postal_code, iso_country, emergency_enabled,
                  date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING seq",
            )
            .bind(a.sid.as_str())
            .bind(a.account_sid.as_str())
            .bind(a.customer_name.as_str())
            .bind(a.friendly_name.clone())
            .bind(a.street.as_str())
            .bind(a.street_secondary.clone())
            .bind(a.city.as_str())
            .bind(a.region.as_str())
            .bind(a.postal_code.as_str())
            .bind(a.iso_country.as_str())
            .bind(a.emergency_enabled)
            .bind(a.date_created)
            .bind(a.date_updated)
            .one(ex)
            .await?;
        a.seq = seq_of(row)?;
        Ok(a)
    }

    async fn existing_addresses_on<'c, E: Executor<'c, Database = Any>>(
        &self,
        ex: E,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<String>> {
        // A SID PostgreSQL cannot store names no Address: leave it out of the query.
        let sids: Vec<String> = sids
            .iter()
            .filter(|s| Dialect::storable(s))
            .cloned()
            .collect();
        if sids.is_empty() {
            return Ok(vec![]);
        }
        let rows = self
            .q("SELECT sid FROM addresses WHERE account_sid = ? AND sid")
            .bind(account_sid)
            .bind_list(&sids)
            .all(ex)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("sid").map_err(StoreError::from))
            .collect()
    }

    async fn insert_bundle_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        mut b: Bundle,
        created: Event,
    ) -> StoreResult<Bundle> {
        let row = self
            .q(
                "INSERT INTO bundles (sid, account_sid, kind, policy_sid, friendly_name, email,
                  status, status_callback, valid_until, errors, date_created, date_updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(b.sid.as_str())
            .bind(b.account_sid.as_str())
            .bind(b.kind.as_str())
            .bind(b.policy_sid.as_str())
            .bind(b.friendly_name.as_str())
            .bind(b.email.as_str())
            .bind(b.status.as_str())
            .bind(b.status_callback.clone())
            .bind(b.valid_until)
            .bind(errors_json(&b))
            .bind(b.date_created)
            .bind(b.date_updated)
            .one(&mut *conn)
            .await?;
        b.seq = seq_of(row)?;
        self.insert_event(conn, &created).await?;
        Ok(b)
    }

    async fn bundle_on<'c, E: Executor<'c, Database = Any>>(
        &self,
        ex: E,
        account_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<Bundle>> {
        let row = self
            .q("SELECT * FROM bundles WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .opt(ex)
            .await?;
        row.as_ref().map(bundle_row).transpose()
    }

    async fn save_bundle_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        change: BundleChange,
    ) -> StoreResult<()> {
        let b = &change.bundle;
        let n = self
            .q(
                "UPDATE bundles SET friendly_name = ?, email = ?, status = ?, status_callback = ?,
                  valid_until = ?, errors = ?, date_updated = ?, version = version + 1
                WHERE sid = ? AND status = ? AND version = ?",
            )
            .bind(b.friendly_name.as_str())
            .bind(b.email.as_str())
            .bind(b.status.as_str())
            .bind(b.status_callback.clone())
            .bind(b.valid_until)
            .bind(errors_json(b))
            .bind(b.date_updated)
            .bind(b.sid.as_str())
            .bind(change.expected_status.as_str())
            .bind(b.version)
            .run(&mut *conn)
            .await?;
        if n == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(e) = &change.evaluation {
            self.insert_evaluation_in(conn, e).await?;
        }
        for e in &change.events {
            self.insert_event(conn, e).await?;
        }
        for j in &change.jobs {
            self.insert_job(conn, j, b.date_updated).await?;
        }
        Ok(())
    }

    /// The entity's INSERT, given its sealed attributes (`codec::encode`'s result).
    fn entity_insert<'q>(&self, e: &'q Entity, attributes: anyhow::Result<String>) -> Q<'q> {
        self.q(
            "INSERT INTO entities (sid, account_sid, kind, type_name, friendly_name, attributes,
                  date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(e.sid.as_str())
        .bind(e.account_sid.as_str())
        .bind(e.kind.as_str())
        .bind(e.type_name.as_str())
        .bind(e.friendly_name.as_str())
        .bind_sealed(attributes)
        .bind(e.date_created)
        .bind(e.date_updated)
    }

    async fn insert_entity_on<'c, E: Executor<'c, Database = Any>>(
        &self,
        ex: E,
        mut e: Entity,
    ) -> StoreResult<Entity> {
        let row = self
            .entity_insert(&e, codec::encode(&e.attributes))
            .one(ex)
            .await?;
        e.seq = seq_of(row)?;
        Ok(e)
    }

    async fn insert_entity_assignment_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        mut a: EntityAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<EntityAssignment> {
        self.hold_open(conn, &a.bundle_sid, open, true).await?;
        let table = match crate::sid::prefix_of(&a.object_sid) {
            Some(crate::sid::BUNDLE) => "bundles",
            _ => "entities",
        };
        self.lock(conn, table, &a.object_sid).await?;
        let row = self
            .q(
                "INSERT INTO entity_assignments (sid, bundle_sid, account_sid, object_sid,
                  object_type, date_created) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(a.sid.as_str())
            .bind(a.bundle_sid.as_str())
            .bind(a.account_sid.as_str())
            .bind(a.object_sid.as_str())
            .bind(a.object_type.as_str())
            .bind(a.date_created)
            .one(&mut *conn)
            .await?;
        a.seq = seq_of(row)?;
        self.insert_event(conn, &event).await?;
        Ok(a)
    }

    async fn assigned_objects_on<'c, E: Executor<'c, Database = Any>>(
        &self,
        ex: E,
        bundle_sid: &str,
    ) -> StoreResult<(Vec<Entity>, Vec<Bundle>)> {
        // One round trip for both kinds of object: an assignment joins the entity or the
        // bundle it names (the bundle's columns renamed beside the entity's).
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let bundle_columns: Vec<String> = BUNDLE_COLUMNS
                .iter()
                .zip(ASSIGNED_BUNDLE_COLUMNS)
                .map(|(c, alias)| format!("b.{c} AS {alias}"))
                .collect();
            format!(
                "SELECT e.*, {} FROM entity_assignments a
                 LEFT JOIN entities e ON e.sid = a.object_sid
                 LEFT JOIN bundles b ON b.sid = a.object_sid
                 WHERE a.bundle_sid = ? ORDER BY a.seq",
                bundle_columns.join(", ")
            )
        });
        let rows = self.q(&SQL).bind(bundle_sid).all(ex).await?;
        let (mut entities, mut bundles) = (Vec::new(), Vec::new());
        for r in &rows {
            if r.try_get::<Option<String>, _>("sid")?.is_some() {
                entities.push(entity_row(r)?);
            } else if r.try_get::<Option<String>, _>("b_sid")?.is_some() {
                bundles.push(bundle_named(r, &ASSIGNED_BUNDLE_COLUMNS)?);
            }
        }
        Ok((entities, bundles))
    }

    /// The evaluation and its event: one statement where the dialect has one, else two
    /// (the caller's transaction makes them one unit).
    async fn insert_evaluation_with_event(
        &self,
        conn: &mut sqlx::AnyConnection,
        e: Evaluation,
        event: Event,
    ) -> StoreResult<Evaluation> {
        if let Some(sql) = self.d.with_event_in_tx(INSERT_EVALUATION, EVENT_VALUES) {
            let q = self.q(&sql).bind_evaluation(&e).bind_event(&event);
            let seq = seq_of(q.one(&mut *conn).await?)?;
            return Ok(Evaluation { seq, ..e });
        }
        let seq = self.insert_evaluation_in(conn, &e).await?;
        self.insert_event(conn, &event).await?;
        Ok(Evaluation { seq, ..e })
    }

    async fn finish_inquiry_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        token_hash: &str,
        bundle_sid: &str,
    ) -> StoreResult<bool> {
        let n = self
            .q(
                "UPDATE inquiries SET bundle_sid = ? WHERE id = ? AND bundle_sid IS NULL
                AND token_hash = ?",
            )
            .bind(bundle_sid)
            .bind(id)
            .bind(token_hash)
            .run(&mut *conn)
            .await?;
        Ok(n == 1)
    }

    async fn use_form_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        account_sid: &str,
        form_hash: &str,
        bundle_sid: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<Option<String>> {
        self.q("DELETE FROM profile_forms WHERE expires_at <= ?")
            .bind(now)
            .run(&mut *conn)
            .await?;
        // A concurrent transaction inserting the same key makes this one wait for its
        // outcome (PostgreSQL's unique index; SQLite's single writer).
        let inserted = self
            .q(
                "INSERT INTO profile_forms (account_sid, form_hash, bundle_sid, expires_at)
                VALUES (?, ?, ?, ?) ON CONFLICT (account_sid, form_hash) DO NOTHING",
            )
            .bind(account_sid)
            .bind(form_hash)
            .bind(bundle_sid)
            .bind(expires_at)
            .run(&mut *conn)
            .await?;
        if inserted == 1 {
            return Ok(None);
        }
        let row = self
            .q("SELECT bundle_sid FROM profile_forms WHERE account_sid = ? AND form_hash = ?")
            .bind(account_sid)
            .bind(form_hash)
            .one(&mut *conn)
            .await?;
        Ok(Some(row.try_get::<String, _>(0)?))
    }
}

/// A unit of work on one connection: `Store::begin`'s transaction.
pub struct SqlTx {
    store: SqlStore,
    tx: sqlx::Transaction<'static, Any>,
}

// The `Tx` trait's signatures again, as Rust requires of an implementation (`duplicates`
// pairs this with `mod.rs`, which declares them); each body calls the shared statement.
#[async_trait]
impl Tx for SqlTx {
    async fn insert_address(&mut self, a: Address) -> StoreResult<Address> {
        self.store.insert_address_on(&mut *self.tx, a).await
    }

    async fn insert_bundle(&mut self, b: Bundle, created: Event) -> StoreResult<Bundle> {
        self.store.insert_bundle_in(&mut self.tx, b, created).await
    }

    async fn insert_entity(&mut self, e: Entity) -> StoreResult<Entity> {
        self.store.insert_entity_on(&mut *self.tx, e).await
    }

    async fn insert_entity_assignment(
        &mut self,
        a: EntityAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<EntityAssignment> {
        self.store
            .insert_entity_assignment_in(&mut self.tx, a, open, event)
            .await
    }

    async fn insert_evaluation(&mut self, e: Evaluation, event: Event) -> StoreResult<Evaluation> {
        self.store
            .insert_evaluation_with_event(&mut self.tx, e, event)
            .await
    }

    async fn save_bundle(&mut self, change: BundleChange) -> StoreResult<()> {
        self.store.save_bundle_in(&mut self.tx, change).await
    }

    async fn bundle(&mut self, account_sid: &str, sid: &str) -> StoreResult<Option<Bundle>> {
        self.store.bundle_on(&mut *self.tx, account_sid, sid).await
    }

    async fn assigned_objects(
        &mut self,
        bundle_sid: &str,
    ) -> StoreResult<(Vec<Entity>, Vec<Bundle>)> {
        self.store
            .assigned_objects_on(&mut *self.tx, bundle_sid)
            .await
    }

    async fn existing_addresses(
        &mut self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<String>> {
        self.store
            .existing_addresses_on(&mut *self.tx, account_sid, sids)
            .await
    }

    async fn finish_inquiry(
        &mut self,
        id: &str,
        token_hash: &str,
        bundle_sid: &str,
    ) -> StoreResult<bool> {
        self.store
            .finish_inquiry_in(&mut self.tx, id, token_hash, bundle_sid)
            .await
    }

    async fn use_form(
        &mut self,
        account_sid: &str,
        form_hash: &str,
        bundle_sid: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<Option<String>> {
        self.store
            .use_form_in(
                &mut self.tx,
                account_sid,
                form_hash,
                bundle_sid,
                now,
                expires_at,
            )
            .await
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        commit(self.tx).await
    }
}

// The trait's signatures again, as Rust requires of an implementation (`duplicates` pairs
// this with `mod.rs`, which declares them).
#[async_trait]
impl Store for SqlStore {
    async fn account_count(&self) -> StoreResult<i64> {
        seq_of(
            self.q("SELECT COUNT(*) FROM accounts")
                .one(&self.pool)
                .await?,
        )
    }

    async fn insert_account(&self, a: &Account) -> StoreResult<()> {
        self.q(
            "INSERT INTO accounts (sid, friendly_name, auth_token, owner_sid, status, date_created, date_updated)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.sid.as_str())
        .bind(a.friendly_name.as_str())
        .bind(a.auth_token.as_str())
        .bind(a.owner_sid.clone())
        .bind(a.status.as_str())
        .bind(a.date_created)
        .bind(a.date_updated)
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn account(&self, sid: &str) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT * FROM {} a WHERE sid = ?", self.d.accounts());
        let row = self.q(&sql).bind(sid).opt(&self.pool).await?;
        row.as_ref().map(account_row).transpose()
    }

    async fn list_accounts(
        &self,
        caller_sid: &str,
        filter: &AccountFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Account>> {
        let sql = format!(
            "SELECT * FROM {} a WHERE (sid = ? OR owner_sid = ?)",
            self.d.accounts()
        );
        let mut q = self.q(&sql).bind(caller_sid).bind(caller_sid);
        q = q.and_eq("friendly_name", filter.friendly_name.as_deref());
        q = q.and_eq("status", filter.status.map(AccountStatus::as_str));
        self.fetch_page(q, page, false, account_row).await
    }

    async fn list_top_accounts(
        &self,
        filter: &AccountFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Account>> {
        let sql = format!(
            "SELECT * FROM {} a WHERE owner_sid IS NULL",
            self.d.accounts()
        );
        let mut q = self.q(&sql);
        q = q.and_eq("friendly_name", filter.friendly_name.as_deref());
        q = q.and_eq("status", filter.status.map(AccountStatus::as_str));
        self.fetch_page(q, page, false, account_row).await
    }

    async fn update_account(&self, a: &Account) -> StoreResult<()> {
        self.q("UPDATE accounts SET friendly_name = ?, status = ?, auth_token = ?, date_updated = ? WHERE sid = ?")
            .bind(a.friendly_name.as_str())
            .bind(a.status.as_str())
            .bind(a.auth_token.as_str())
            .bind(a.date_updated)
            .bind(a.sid.as_str())
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_key(&self, mut k: ApiKey) -> StoreResult<ApiKey> {
        let row = self
            .q(
                "INSERT INTO api_keys (sid, account_sid, friendly_name, secret_hash, date_created,
                  date_updated) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(k.sid.as_str())
            .bind(k.account_sid.as_str())
            .bind(k.friendly_name.as_str())
            .bind(k.secret_hash.as_str())
            .bind(k.date_created)
            .bind(k.date_updated)
            .one(&self.pool)
            .await?;
        k.seq = seq_of(row)?;
        Ok(k)
    }

    async fn key(&self, sid: &str) -> StoreResult<Option<ApiKey>> {
        self.find("SELECT * FROM api_keys WHERE sid = ?", &[sid], key_row)
            .await
    }

    async fn list_keys(&self, account_sid: &str, page: PageQuery) -> StoreResult<Page<ApiKey>> {
        let q = self
            .q("SELECT * FROM api_keys WHERE account_sid = ?")
            .bind(account_sid);
        self.fetch_page(q, page, false, key_row).await
    }

    async fn update_key(&self, k: &ApiKey) -> StoreResult<()> {
        self.q("UPDATE api_keys SET friendly_name = ?, date_updated = ? WHERE sid = ?")
            .bind(k.friendly_name.as_str())
            .bind(k.date_updated)
            .bind(k.sid.as_str())
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_key(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        Ok(self
            .exec(
                "DELETE FROM api_keys WHERE sid = ? AND account_sid = ?",
                &[sid, account_sid],
            )
            .await?
            > 0)
    }

    async fn insert_address(&self, a: Address) -> StoreResult<Address> {
        self.insert_address_on(&self.pool, a).await
    }

    async fn address(&self, account_sid: &str, sid: &str) -> StoreResult<Option<Address>> {
        self.find(
            "SELECT * FROM addresses WHERE sid = ? AND account_sid = ?",
            &[sid, account_sid],
            address_row,
        )
        .await
    }

    async fn addresses_named(
        &self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<Address>> {
        let sql = "SELECT * FROM addresses WHERE account_sid = ? AND sid";
        self.in_list((sql, ""), &[account_sid], sids, address_row)
            .await
    }

    async fn list_addresses(
        &self,
        account_sid: &str,
        filter: &AddressFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Address>> {
        let mut q = self
            .q("SELECT * FROM addresses WHERE account_sid = ?")
            .bind(account_sid);
        q = q.and_eq("customer_name", filter.customer_name.as_deref());
        q = q.and_eq("friendly_name", filter.friendly_name.as_deref());
        q = q.and_eq("iso_country", filter.iso_country.as_deref());
        self.fetch_page(q, page, false, address_row).await
    }

    async fn update_address(&self, a: &Address) -> StoreResult<()> {
        self.q(
            "UPDATE addresses SET customer_name = ?, friendly_name = ?, street = ?,
               street_secondary = ?, city = ?, region = ?, postal_code = ?,
               emergency_enabled = ?, date_updated = ? WHERE sid = ?",
        )
        .bind(a.customer_name.as_str())
        .bind(a.friendly_name.clone())
        .bind(a.street.as_str())
        .bind(a.street_secondary.clone())
        .bind(a.city.as_str())
        .bind(a.region.as_str())
        .bind(a.postal_code.as_str())
        .bind(a.emergency_enabled)
        .bind(a.date_updated)
        .bind(a.sid.as_str())
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_address(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        Ok(self
            .exec(
                "DELETE FROM addresses WHERE sid = ? AND account_sid = ?",
                &[sid, account_sid],
            )
            .await?
            > 0)
    }

    async fn existing_addresses(
        &self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<String>> {
        self.existing_addresses_on(&self.pool, account_sid, sids)
            .await
    }

    async fn documents_mentioning(
        &self,
        account_sid: &str,
        text: &str,
    ) -> StoreResult<Vec<Entity>> {
        // Encrypted attributes cannot be searched in SQL: decrypt the account's documents.
        let mut q = self
            .q("SELECT * FROM entities WHERE account_sid = ? AND kind = 'supporting_document'")
            .bind(account_sid);
        if !codec::encrypting() {
            q = q
                .push(" AND ")
                .push(&self.d.contains("attributes"))
                .bind(text);
        }
        let docs = q
            .all(&self.pool)
            .await?
            .iter()
            .map(entity_row)
            .collect::<StoreResult<Vec<Entity>>>()?;
        Ok(docs
            .into_iter()
            .filter(|d| d.attributes.to_string().contains(text))
            .collect())
    }

    async fn insert_number(
        &self,
        mut n: PhoneNumber,
        kind: NumberType,
    ) -> StoreResult<PhoneNumber> {
        let row = self
            .q(
                "INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, config,
                  date_created, date_updated, number_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                  RETURNING seq",
            )
            .bind(n.sid.as_str())
            .bind(n.account_sid.as_str())
            .bind(n.phone_number.as_str())
            .bind(n.friendly_name.as_str())
            .bind(Value::Object(n.config.clone()).to_string())
            .bind(n.date_created)
            .bind(n.date_updated)
            .bind(kind.as_str())
            .one(&self.pool)
            .await?;
        n.seq = seq_of(row)?;
        Ok(n)
    }

    async fn classify_numbers(
        &self,
        type_of: &(dyn for<'n> Fn(&'n str) -> NumberType + Sync),
    ) -> StoreResult<u64> {
        let rows = self
            .q("SELECT sid, phone_number, number_type FROM phone_numbers")
            .all(&self.pool)
            .await?;
        let mut n = 0;
        for r in &rows {
            let number: String = r.try_get("phone_number")?;
            let stored: Option<String> = r.try_get("number_type")?;
            let kind = type_of(&number);
            if stored.as_deref() == Some(kind.as_str()) {
                continue;
            }
            let sid: String = r.try_get("sid")?;
            n += self
                .q("UPDATE phone_numbers SET number_type = ?
                    WHERE sid = ? AND (number_type IS NULL OR number_type <> ?)")
                .bind(kind.as_str())
                .bind(sid)
                .bind(kind.as_str())
                .run(&self.pool)
                .await?;
        }
        Ok(n)
    }

    async fn number(&self, account_sid: &str, sid: &str) -> StoreResult<Option<PhoneNumber>> {
        self.find(
            "SELECT * FROM phone_numbers WHERE sid = ? AND account_sid = ?",
            &[sid, account_sid],
            number_row,
        )
        .await
    }

    async fn number_any(&self, sid: &str) -> StoreResult<Option<PhoneNumber>> {
        self.find(
            "SELECT * FROM phone_numbers WHERE sid = ?",
            &[sid],
            number_row,
        )
        .await
    }

    async fn list_numbers(
        &self,
        account_sid: &str,
        filter: &NumberFilter,
        page: PageQuery,
    ) -> StoreResult<Page<PhoneNumber>> {
        let mut q = self
            .q("SELECT * FROM phone_numbers WHERE account_sid = ?")
            .bind(account_sid);
        q = q.and_eq("phone_number", filter.phone_number.as_deref());
        q = q.and_eq("friendly_name", filter.friendly_name.as_deref());
        q = q.and_eq("number_type", filter.kind.map(NumberType::as_str));
        self.fetch_page(q, page, false, number_row).await
    }

    async fn update_number(&self, n: &PhoneNumber) -> StoreResult<()> {
        let mut tx = self.tx().await?;
        // A move to another account waits for (and then sees) a pool insertion holding the
        // number's lock, and is refused while the number is in a Messaging Service.
        let sql = format!(
            "SELECT sid FROM phone_numbers WHERE sid = ? AND account_sid <> ?{}",
            self.d.for_update()
        );
        let moving = self
            .q(&sql)
            .bind(n.sid.as_str())
            .bind(n.account_sid.as_str())
            .opt(&mut *tx)
            .await?
            .is_some();
        if moving
            && self
                .exists(
                    &mut tx,
                    "SELECT 1 FROM messaging_service_numbers WHERE number_sid = ?",
                    &n.sid,
                )
                .await?
        {
            return Err(StoreError::Stale);
        }
        self.q(
            "UPDATE phone_numbers SET account_sid = ?, friendly_name = ?, config = ?,
               date_updated = ? WHERE sid = ?",
        )
        .bind(n.account_sid.as_str())
        .bind(n.friendly_name.as_str())
        .bind(Value::Object(n.config.clone()).to_string())
        .bind(n.date_updated)
        .bind(n.sid.as_str())
        .run(&mut *tx)
        .await?;
        commit(tx).await
    }

    async fn delete_number(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        self.delete_unless_held(
            "phone_numbers",
            "sid = ? AND account_sid = ?",
            &[sid, account_sid],
            "SELECT 1 FROM channel_assignments WHERE channel_endpoint_sid = ?",
            |_| Ok(true),
        )
        .await
    }

    async fn bundles_with_numbers(
        &self,
        number_sids: &[String],
    ) -> StoreResult<Vec<(String, Bundle)>> {
        let sql = "SELECT c.channel_endpoint_sid AS held_sid, b.* FROM bundles b
                   JOIN channel_assignments c ON c.bundle_sid = b.sid
                   WHERE c.channel_endpoint_sid";
        self.in_list((sql, " ORDER BY c.seq"), &[], number_sids, |r| {
            Ok((r.try_get("held_sid")?, bundle_row(r)?))
        })
        .await
    }

    async fn numbers_named(&self, sids: &[String]) -> StoreResult<Vec<PhoneNumber>> {
        let sql = "SELECT * FROM phone_numbers WHERE sid";
        self.in_list((sql, " ORDER BY seq"), &[], sids, number_row)
            .await
    }

    async fn owned_numbers(&self, numbers: &[String]) -> StoreResult<Vec<String>> {
        let sql = "SELECT phone_number FROM phone_numbers WHERE phone_number";
        self.in_list((sql, ""), &[], numbers, |r| Ok(r.try_get("phone_number")?))
            .await
    }

    async fn insert_service(&self, mut m: MessagingService) -> StoreResult<MessagingService> {
        let row = self
            .q(
                "INSERT INTO messaging_services (sid, account_sid, friendly_name, config,
                  date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(m.sid.as_str())
            .bind(m.account_sid.as_str())
            .bind(m.friendly_name.as_str())
            .bind(Value::Object(m.config.clone()).to_string())
            .bind(m.date_created)
            .bind(m.date_updated)
            .one(&self.pool)
            .await?;
        m.seq = seq_of(row)?;
        Ok(m)
    }

    async fn service(&self, account_sid: &str, sid: &str) -> StoreResult<Option<MessagingService>> {
        self.find(
            "SELECT * FROM messaging_services WHERE sid = ? AND account_sid = ?",
            &[sid, account_sid],
            service_row,
        )
        .await
    }

    async fn list_services(
        &self,
        account_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<MessagingService>> {
        let q = self
            .q("SELECT * FROM messaging_services WHERE account_sid = ?")
            .bind(account_sid);
        self.fetch_page(q, page, false, service_row).await
    }

    async fn update_service(&self, m: &MessagingService) -> StoreResult<()> {
        self.q(
            "UPDATE messaging_services SET friendly_name = ?, config = ?, date_updated = ?
             WHERE sid = ?",
        )
        .bind(m.friendly_name.as_str())
        .bind(Value::Object(m.config.clone()).to_string())
        .bind(m.date_updated)
        .bind(m.sid.as_str())
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_service(&self, account_sid: &str, sid: &str) -> StoreResult<bool> {
        // The pool goes with it (ON DELETE CASCADE, migration 0012), and its campaign in
        // the same transaction (README "Campaigns").
        let mut tx = self.tx().await?;
        let n = self
            .q("DELETE FROM messaging_services WHERE sid = ? AND account_sid = ?")
            .bind(sid)
            .bind(account_sid)
            .run(&mut *tx)
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.q("DELETE FROM registrations WHERE parent_sid = ? AND account_sid = ? AND kind = ?")
            .bind(sid)
            .bind(account_sid)
            .bind(RegistrationKind::UsAppToPerson.as_str())
            .run(&mut *tx)
            .await?;
        commit(tx).await?;
        Ok(true)
    }

    async fn insert_service_number(&self, mut n: ServiceNumber) -> StoreResult<ServiceNumber> {
        let mut tx = self.tx().await?;
        self.lock(&mut tx, "messaging_services", &n.service_sid)
            .await?;
        // The number must still be the account's: a move to another account takes this
        // lock too (`update_number`).
        let sql = format!(
            "SELECT phone_number FROM phone_numbers WHERE sid = ? AND account_sid = ?{}",
            self.d.for_update()
        );
        let Some(row) = self
            .q(&sql)
            .bind(n.number_sid.as_str())
            .bind(n.account_sid.as_str())
            .opt(&mut *tx)
            .await?
        else {
            return Err(StoreError::Stale);
        };
        n.phone_number = row.try_get("phone_number")?;
        let row = self
            .q(
                "INSERT INTO messaging_service_numbers (service_sid, account_sid, number_sid,
                  date_created, date_updated) VALUES (?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(n.service_sid.as_str())
            .bind(n.account_sid.as_str())
            .bind(n.number_sid.as_str())
            .bind(n.date_created)
            .bind(n.date_updated)
            .one(&mut *tx)
            .await?;
        n.seq = seq_of(row)?;
        commit(tx).await?;
        Ok(n)
    }

    async fn service_number(
        &self,
        service_sid: &str,
        number_sid: &str,
    ) -> StoreResult<Option<ServiceNumber>> {
        let sql = format!("{SERVICE_NUMBERS} AND number_sid = ?");
        self.find(&sql, &[service_sid, number_sid], service_number_row)
            .await
    }

    async fn list_service_numbers(
        &self,
        service_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<ServiceNumber>> {
        let q = self.q(SERVICE_NUMBERS).bind(service_sid);
        self.fetch_page(q, page, false, service_number_row).await
    }

    async fn delete_service_number(
        &self,
        service_sid: &str,
        number_sid: &str,
    ) -> StoreResult<bool> {
        Ok(self
            .exec(
                "DELETE FROM messaging_service_numbers WHERE service_sid = ? AND number_sid = ?",
                &[service_sid, number_sid],
            )
            .await?
            > 0)
    }

    async fn service_of_number(&self, number_sid: &str) -> StoreResult<Option<String>> {
        let row = self
            .q("SELECT service_sid FROM messaging_service_numbers WHERE number_sid = ?")
            .bind(number_sid)
            .opt(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    async fn insert_bundle(&self, b: Bundle, created: Event) -> StoreResult<Bundle> {
        let mut tx = self.tx().await?;
        let b = self.insert_bundle_in(&mut tx, b, created).await?;
        commit(tx).await?;
        Ok(b)
    }

    async fn bundle(&self, account_sid: &str, sid: &str) -> StoreResult<Option<Bundle>> {
        self.bundle_on(&self.pool, account_sid, sid).await
    }

    async fn list_bundles(
        &self,
        account_sid: &str,
        kind: BundleKind,
        filter: &BundleFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Bundle>> {
        let mut q = self
            .q("SELECT * FROM bundles WHERE account_sid = ? AND kind = ?")
            .bind(account_sid)
            .bind(kind.as_str());
        if let Some(s) = filter.status {
            q = q.push(" AND status = ?").bind(s.as_str());
        }
        q = q.and_eq("friendly_name", filter.friendly_name.as_deref());
        q = q.and_eq("policy_sid", filter.policy_sid.as_deref());
        self.fetch_page(q, page, false, bundle_row).await
    }

    async fn save_bundle(&self, change: BundleChange) -> StoreResult<()> {
        let mut tx = self.tx().await?;
        self.save_bundle_in(&mut tx, change).await?;
        commit(tx).await
    }

    async fn bundle_any(&self, sid: &str) -> StoreResult<Option<Bundle>> {
        self.find("SELECT * FROM bundles WHERE sid = ?", &[sid], bundle_row)
            .await
    }

    async fn bundles_in_status(
        &self,
        statuses: &[Status],
        policy_sid: Option<&str>,
    ) -> StoreResult<Vec<Bundle>> {
        let statuses: Vec<String> = statuses.iter().map(|s| s.as_str().to_string()).collect();
        if statuses.is_empty() {
            return Ok(vec![]);
        }
        let mut q = self
            .q("SELECT * FROM bundles WHERE status")
            .bind_list(&statuses);
        if let Some(p) = policy_sid {
            q = q.push(" AND policy_sid = ?").bind(p);
        }
        let rows = q
            .push(" ORDER BY date_updated, seq")
            .all(&self.pool)
            .await?;
        rows.iter().map(bundle_row).collect()
    }

    async fn delete_bundle(
        &self,
        account_sid: &str,
        sid: &str,
        deletable: &[Status],
    ) -> StoreResult<bool> {
        self.delete_unless_held(
            "bundles",
            "sid = ? AND account_sid = ?",
            &[sid, account_sid],
            "SELECT 1 FROM entity_assignments WHERE object_sid = ?",
            |row| {
                let status: String = row.try_get("status")?;
                Ok(deletable.iter().any(|d| d.as_str() == status))
            },
        )
        .await
    }

    async fn insert_registration(&self, change: RegistrationChange) -> StoreResult<Registration> {
        let mut r = change.registration;
        let mut tx = self.tx().await?;
        let row = self
            .q(
                "INSERT INTO registrations (sid, account_sid, kind, parent_sid, status, fields,
                  failure, version, date_created, date_updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(r.sid.as_str())
            .bind(r.account_sid.as_str())
            .bind(r.kind.as_str())
            .bind(r.parent_sid.clone())
            .bind(r.status.as_str())
            .bind_encoded(&Value::Object(r.fields.clone()))
            .bind_encoded_opt(r.failure.as_ref())
            .bind(r.version)
            .bind(r.date_created)
            .bind(r.date_updated)
            .one(&mut *tx)
            .await?;
        r.seq = seq_of(row)?;
        for e in &change.events {
            self.insert_event(&mut tx, e).await?;
        }
        for j in &change.jobs {
            self.insert_job(&mut tx, j, r.date_created).await?;
        }
        commit(tx).await?;
        Ok(r)
    }

    async fn registration(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        sid: &str,
    ) -> StoreResult<Option<Registration>> {
        self.find(
            "SELECT * FROM registrations WHERE sid = ? AND account_sid = ? AND kind = ?",
            &[sid, account_sid, kind.as_str()],
            registration_row,
        )
        .await
    }

    async fn registration_any(&self, sid: &str) -> StoreResult<Option<Registration>> {
        self.find(
            "SELECT * FROM registrations WHERE sid = ?",
            &[sid],
            registration_row,
        )
        .await
    }

    async fn list_registrations(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        filter: &RegistrationFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Registration>> {
        let q = self
            .q("SELECT * FROM registrations WHERE account_sid = ? AND kind = ?")
            .bind(account_sid)
            .bind(kind.as_str())
            .and_eq("parent_sid", filter.parent_sid.as_deref())
            .and_eq("status", filter.status.as_deref());
        self.fetch_page(q, page, false, registration_row).await
    }

    async fn registrations_of_parents(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        parent_sids: &[String],
    ) -> StoreResult<Vec<Registration>> {
        let sql = "SELECT * FROM registrations WHERE account_sid = ? AND kind = ? AND parent_sid";
        self.in_list(
            (sql, " ORDER BY seq"),
            &[account_sid, kind.as_str()],
            parent_sids,
            registration_row,
        )
        .await
    }

    async fn save_registration(&self, change: RegistrationChange) -> StoreResult<()> {
        let r = &change.registration;
        let mut tx = self.tx().await?;
        let n = self
            .q(
                "UPDATE registrations SET status = ?, fields = ?, failure = ?, date_updated = ?,
                  version = version + 1 WHERE sid = ? AND version = ?",
            )
            .bind(r.status.as_str())
            .bind_encoded(&Value::Object(r.fields.clone()))
            .bind_encoded_opt(r.failure.as_ref())
            .bind(r.date_updated)
            .bind(r.sid.as_str())
            .bind(r.version)
            .run(&mut *tx)
            .await?;
        if n == 0 {
            return Err(StoreError::Stale);
        }
        for e in &change.events {
            self.insert_event(&mut tx, e).await?;
        }
        for j in &change.jobs {
            self.insert_job(&mut tx, j, r.date_updated).await?;
        }
        commit(tx).await
    }

    async fn registrations_in_status(
        &self,
        statuses: &[(RegistrationKind, &str)],
    ) -> StoreResult<Vec<Registration>> {
        if statuses.is_empty() {
            return Ok(vec![]);
        }
        let mut q = self.q("SELECT * FROM registrations WHERE (");
        for (i, (kind, status)) in statuses.iter().enumerate() {
            q = q
                .push(if i == 0 { "" } else { " OR " })
                .push("(kind = ? AND status = ?)")
                .bind(kind.as_str())
                .bind(*status);
        }
        let rows = q
            .push(") ORDER BY date_updated, seq")
            .all(&self.pool)
            .await?;
        rows.iter().map(registration_row).collect()
    }

    async fn delete_registration(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        sid: &str,
        deletable: &[&str],
    ) -> StoreResult<bool> {
        let mut tx = self.tx().await?;
        let sql = format!(
            "SELECT status FROM registrations WHERE sid = ? AND account_sid = ? AND kind = ?{}",
            self.d.for_update()
        );
        let Some(row) = self
            .q(&sql)
            .bind(sid)
            .bind(account_sid)
            .bind(kind.as_str())
            .opt(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let status: String = row.try_get("status")?;
        if !deletable.contains(&status.as_str()) {
            return Err(StoreError::Stale);
        }
        // Its timeline stays (as a deleted bundle's does); a review step still queued finds
        // nothing and is done.
        self.q("DELETE FROM registrations WHERE sid = ?")
            .bind(sid)
            .run(&mut *tx)
            .await?;
        commit(tx).await?;
        Ok(true)
    }

    async fn insert_entity(&self, e: Entity) -> StoreResult<Entity> {
        self.insert_entity_on(&self.pool, e).await
    }

    async fn entity(
        &self,
        account_sid: &str,
        kind: EntityKind,
        sid: &str,
    ) -> StoreResult<Option<Entity>> {
        self.find(
            "SELECT * FROM entities WHERE sid = ? AND account_sid = ? AND kind = ?",
            &[sid, account_sid, kind.as_str()],
            entity_row,
        )
        .await
    }

    async fn list_entities(
        &self,
        account_sid: &str,
        kind: EntityKind,
        friendly_name: Option<&str>,
        page: PageQuery,
    ) -> StoreResult<Page<Entity>> {
        let q = self
            .q("SELECT * FROM entities WHERE account_sid = ? AND kind = ?")
            .bind(account_sid)
            .bind(kind.as_str())
            .and_eq("friendly_name", friendly_name);
        self.fetch_page(q, page, false, entity_row).await
    }

    async fn update_entity(&self, e: &Entity, locked: Option<&[Status]>) -> StoreResult<()> {
        let mut tx = self.tx().await?;
        if let Some(locked) = locked {
            // Entity first, then its holders: the order assignments lock in reverse is
            // bundle then object, and they never bump a bundle already holding it.
            self.lock(&mut tx, "entities", &e.sid).await?;
            self.q("UPDATE bundles SET version = version + 1
                 WHERE sid IN (SELECT bundle_sid FROM entity_assignments WHERE object_sid = ?)")
                .bind(e.sid.as_str())
                .run(&mut *tx)
                .await?;
            let locked = names(locked);
            if !locked.is_empty()
                && self
                    .q(
                        "SELECT 1 FROM bundles b JOIN entity_assignments a ON a.bundle_sid = b.sid
                        WHERE a.object_sid = ? AND b.status",
                    )
                    .bind(e.sid.as_str())
                    .bind_list(&locked)
                    .opt(&mut *tx)
                    .await?
                    .is_some()
            {
                return Err(StoreError::Stale);
            }
        }
        self.q(
            "UPDATE entities SET friendly_name = ?, attributes = ?, date_updated = ? WHERE sid = ?",
        )
        .bind(e.friendly_name.as_str())
        .bind_encoded(&e.attributes)
        .bind(e.date_updated)
        .bind(e.sid.as_str())
        .run(&mut *tx)
        .await?;
        commit(tx).await?;
        Ok(())
    }

    async fn delete_entity(
        &self,
        account_sid: &str,
        kind: EntityKind,
        sid: &str,
    ) -> StoreResult<bool> {
        self.delete_unless_held(
            "entities",
            "sid = ? AND account_sid = ? AND kind = ?",
            &[sid, account_sid, kind.as_str()],
            "SELECT 1 FROM entity_assignments WHERE object_sid = ?",
            |_| Ok(true),
        )
        .await
    }

    async fn bundles_holding_each(
        &self,
        object_sids: &[String],
    ) -> StoreResult<Vec<(String, Bundle)>> {
        let sql = "SELECT a.object_sid AS held_sid, b.* FROM bundles b
                   JOIN entity_assignments a ON a.bundle_sid = b.sid WHERE a.object_sid";
        self.in_list((sql, " ORDER BY b.seq"), &[], object_sids, |r| {
            Ok((r.try_get("held_sid")?, bundle_row(r)?))
        })
        .await
    }

    async fn bundles_named(&self, account_sid: &str, sids: &[String]) -> StoreResult<Vec<Bundle>> {
        let sql = "SELECT * FROM bundles WHERE account_sid = ? AND sid";
        self.in_list((sql, ""), &[account_sid], sids, bundle_row)
            .await
    }

    async fn insert_entity_assignment(
        &self,
        a: EntityAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<EntityAssignment> {
        let mut tx = self.tx().await?;
        let a = self
            .insert_entity_assignment_in(&mut tx, a, open, event)
            .await?;
        commit(tx).await?;
        Ok(a)
    }

    async fn entity_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<EntityAssignment>> {
        self.find(
            "SELECT * FROM entity_assignments WHERE sid = ? AND bundle_sid = ?",
            &[sid, bundle_sid],
            entity_assignment_row,
        )
        .await
    }

    async fn list_entity_assignments(
        &self,
        bundle_sid: &str,
        object_type: Option<&str>,
        page: PageQuery,
    ) -> StoreResult<Page<EntityAssignment>> {
        let mut q = self
            .q("SELECT * FROM entity_assignments WHERE bundle_sid = ?")
            .bind(bundle_sid);
        if let Some(t) = object_type {
            q = q.push(" AND object_type = ?").bind(t);
        }
        self.fetch_page(q, page, false, entity_assignment_row).await
    }

    async fn delete_entity_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
        open: &[Status],
        event: Event,
    ) -> StoreResult<bool> {
        self.unassign("entity_assignments", bundle_sid, sid, open, event)
            .await
    }

    async fn assigned_objects(&self, bundle_sid: &str) -> StoreResult<(Vec<Entity>, Vec<Bundle>)> {
        self.assigned_objects_on(&self.pool, bundle_sid).await
    }

    async fn insert_channel_assignment(
        &self,
        mut a: ChannelAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<ChannelAssignment> {
        let mut tx = self.tx().await?;
        // Numbers are not evaluated: no version bump, a submission may go on.
        self.hold_open(&mut tx, &a.bundle_sid, open, false).await?;
        self.lock(&mut tx, "phone_numbers", &a.channel_endpoint_sid)
            .await?;
        let row = self
            .q(
                "INSERT INTO channel_assignments (sid, bundle_sid, account_sid,
                  channel_endpoint_type, channel_endpoint_sid, date_created)
                VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            )
            .bind(a.sid.as_str())
            .bind(a.bundle_sid.as_str())
            .bind(a.account_sid.as_str())
            .bind(a.channel_endpoint_type.as_str())
            .bind(a.channel_endpoint_sid.as_str())
            .bind(a.date_created)
            .one(&mut *tx)
            .await?;
        a.seq = seq_of(row)?;
        self.insert_event(&mut tx, &event).await?;
        commit(tx).await?;
        Ok(a)
    }

    async fn channel_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<ChannelAssignment>> {
        self.find(
            "SELECT * FROM channel_assignments WHERE sid = ? AND bundle_sid = ?",
            &[sid, bundle_sid],
            channel_assignment_row,
        )
        .await
    }

    async fn list_channel_assignments(
        &self,
        bundle_sid: &str,
        endpoint_sids: Option<&[String]>,
        page: PageQuery,
    ) -> StoreResult<Page<ChannelAssignment>> {
        let mut q = self
            .q("SELECT * FROM channel_assignments WHERE bundle_sid = ?")
            .bind(bundle_sid);
        if let Some(sids) = endpoint_sids {
            if sids.is_empty() {
                return Ok(finish_page(vec![], page));
            }
            q = q.push(" AND channel_endpoint_sid").bind_list(sids);
        }
        self.fetch_page(q, page, false, channel_assignment_row)
            .await
    }

    async fn delete_channel_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
        open: &[Status],
        event: Event,
    ) -> StoreResult<bool> {
        self.unassign("channel_assignments", bundle_sid, sid, open, event)
            .await
    }

    async fn insert_evaluation(&self, e: Evaluation, event: Event) -> StoreResult<Evaluation> {
        // No lock: the foreign key holds the bundle (PostgreSQL's key-share lock; SQLite's
        // single writer), and a bundle deleted first fails it (`Stale`).
        let sql = self.d.with_event(INSERT_EVALUATION, EVENT_VALUES);
        let (seq, (e, _)) = self
            .write_whole(sql, (e, event), |q, (e, event)| {
                q.bind_evaluation(e).bind_event(event)
            })
            .await?;
        Ok(Evaluation { seq, ..e })
    }

    async fn evaluation(&self, bundle_sid: &str, sid: &str) -> StoreResult<Option<Evaluation>> {
        self.find(
            "SELECT * FROM evaluations WHERE sid = ? AND bundle_sid = ?",
            &[sid, bundle_sid],
            evaluation_row,
        )
        .await
    }

    async fn list_evaluations(
        &self,
        bundle_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<Evaluation>> {
        let q = self
            .q("SELECT * FROM evaluations WHERE bundle_sid = ?")
            .bind(bundle_sid);
        self.fetch_page(q, page, true, evaluation_row).await
    }

    async fn insert_session(&self, s: &SessionRow, now: i64, cap: i64) -> StoreResult<bool> {
        // Sweeping here keeps the table bounded without a timer of its own: every new
        // session pays for the expired ones (the index on expires_at makes that cheap).
        self.q("DELETE FROM console_sessions WHERE expires_at <= ?")
            .bind(now)
            .run(&self.pool)
            .await?;
        let class = s.class as i64;
        let count: i64 = self
            .q("SELECT COUNT(*) FROM console_sessions WHERE class = ?")
            .bind(class)
            .one(&self.pool)
            .await?
            .try_get(0)?;
        if count >= cap {
            // The oldest of this class only: a flood of one class evicts none of another.
            self.q(
                "DELETE FROM console_sessions WHERE id_hash IN (SELECT id_hash
                 FROM console_sessions WHERE class = ? ORDER BY expires_at LIMIT ?)",
            )
            .bind(class)
            .bind(count - cap + 1)
            .run(&self.pool)
            .await?;
        }
        let inserted = self
            .q(
                "INSERT INTO console_sessions (id_hash, data, class, expires_at)
                VALUES (?, ?, ?, ?) ON CONFLICT (id_hash) DO NOTHING",
            )
            .bind(s.id_hash.as_str())
            .bind(s.data.as_str())
            .bind(class)
            .bind(s.expires_at)
            .run(&self.pool)
            .await?;
        Ok(inserted == 1)
    }

    async fn save_session(&self, s: &SessionRow) -> StoreResult<()> {
        self.q(
            "INSERT INTO console_sessions (id_hash, data, class, expires_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (id_hash) DO UPDATE SET data = excluded.data,
                 class = excluded.class, expires_at = excluded.expires_at",
        )
        .bind(s.id_hash.as_str())
        .bind(s.data.as_str())
        .bind(s.class as i64)
        .bind(s.expires_at)
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<SessionRow>> {
        let row = self
            .q("SELECT * FROM console_sessions WHERE id_hash = ? AND expires_at > ?")
            .bind(id_hash)
            .bind(now)
            .opt(&self.pool)
            .await?;
        row.as_ref().map(session_row).transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        self.exec("DELETE FROM console_sessions WHERE id_hash = ?", &[id_hash])
            .await?;
        Ok(())
    }

    async fn insert_inquiry(&self, i: &Inquiry, now: i64, caps: InquiryCaps) -> StoreResult<()> {
        let mut tx = self.tx().await?;
        self.q("DELETE FROM inquiries WHERE expires_at <= ?")
            .bind(now)
            .run(&mut *tx)
            .await?;
        let open: i64 = self
            .q("SELECT COUNT(*) FROM inquiries WHERE account_sid = ? AND bundle_sid IS NULL")
            .bind(i.account_sid.as_str())
            .one(&mut *tx)
            .await?
            .try_get(0)?;
        if open >= caps.per_account {
            self.q(
                "DELETE FROM inquiries WHERE seq IN (SELECT seq FROM inquiries
                 WHERE account_sid = ? AND bundle_sid IS NULL ORDER BY seq LIMIT ?)",
            )
            .bind(i.account_sid.as_str())
            .bind(open - caps.per_account + 1)
            .run(&mut *tx)
            .await?;
        }
        let all: i64 = self
            .q("SELECT COUNT(*) FROM inquiries")
            .one(&mut *tx)
            .await?
            .try_get(0)?;
        if all >= caps.total {
            // Finished inquiries first (their bundles are in the store anyway), then the
            // oldest open ones.
            self.q(
                "DELETE FROM inquiries WHERE seq IN (SELECT seq FROM inquiries
                 ORDER BY (CASE WHEN bundle_sid IS NULL THEN 1 ELSE 0 END), seq LIMIT ?)",
            )
            .bind(all - caps.total + 1)
            .run(&mut *tx)
            .await?;
        }
        self.q(
            "INSERT INTO inquiries (id, token_hash, kind, account_sid, external_id, primary_sid,
                 prefill, bundle_sid, date_created, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i.id.as_str())
        .bind(i.token_hash.as_str())
        .bind(i.kind.as_str())
        .bind(i.account_sid.as_str())
        .bind(i.external_id.as_str())
        .bind(i.primary_sid.clone())
        .bind_encoded(&i.prefill)
        .bind(i.bundle_sid.clone())
        .bind(i.date_created)
        .bind(i.expires_at)
        .run(&mut *tx)
        .await?;
        commit(tx).await?;
        Ok(())
    }

    async fn inquiry(&self, id: &str, now: i64) -> StoreResult<Option<Inquiry>> {
        let row = self
            .q("SELECT * FROM inquiries WHERE id = ? AND expires_at > ?")
            .bind(id)
            .bind(now)
            .opt(&self.pool)
            .await?;
        row.as_ref().map(inquiry_row).transpose()
    }

    async fn inquiry_by_external_id(
        &self,
        account_sid: &str,
        external_id: &str,
        now: i64,
    ) -> StoreResult<Option<Inquiry>> {
        let row = self
            .q("SELECT * FROM inquiries WHERE account_sid = ? AND external_id = ? AND expires_at > ?")
            .bind(account_sid)
            .bind(external_id)
            .bind(now)
            .opt(&self.pool)
            .await?;
        row.as_ref().map(inquiry_row).transpose()
    }

    async fn update_inquiry(&self, i: &Inquiry) -> StoreResult<()> {
        self.q("UPDATE inquiries SET token_hash = ?, primary_sid = ? WHERE id = ?")
            .bind(i.token_hash.as_str())
            .bind(i.primary_sid.clone())
            .bind(i.id.as_str())
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(Box::new(SqlTx {
            tx: self.tx().await?,
            store: self.clone(),
        }))
    }

    async fn dump(&self) -> StoreResult<Vec<(String, Value)>> {
        let mut out = Vec::new();
        for table in TABLES {
            let from = if table == "accounts" {
                self.d.accounts()
            } else {
                table
            };
            let sql = format!("SELECT * FROM {from} t ORDER BY {}", order_columns(table));
            for row in self.q(&sql).all(&self.pool).await? {
                out.push((table.to_string(), row_json(&row)));
            }
        }
        Ok(out)
    }

    async fn load(&self, rows: &[(String, Value)]) -> StoreResult<()> {
        let mut tx = self.tx().await?;
        for table in TABLES.iter().rev() {
            self.q(&format!("DELETE FROM {table}"))
                .run(&mut *tx)
                .await?;
        }
        for (table, row) in rows {
            if !TABLES.contains(&table.as_str()) {
                return Err(anyhow::anyhow!("unknown table {table} in dump").into());
            }
            let Some(obj) = row.as_object().filter(|o| !o.is_empty()) else {
                return Err(anyhow::anyhow!("a {table} row is not an object with columns").into());
            };
            if let Some(bad) = obj
                .keys()
                .find(|c| c.is_empty() || !c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            {
                return Err(anyhow::anyhow!("bad column name {bad} in dump").into());
            }
            let cols: Vec<String> = obj.keys().map(|k| self.d.load_column(table, k)).collect();
            let cols = cols.join(", ");
            let q = match self.d.load_from_json(table, &cols) {
                Some(sql) => self.q(&sql).bind(row.to_string()),
                None => {
                    let marks = vec!["?"; obj.len()].join(", ");
                    let mut q = self.q(&format!("INSERT INTO {table} ({cols}) VALUES ({marks})"));
                    for v in obj.values() {
                        q = match v {
                            Value::Null => q.bind(None::<String>),
                            Value::Bool(b) => q.bind(*b as i64),
                            Value::Number(n) if n.is_i64() => q.bind(n.as_i64()),
                            Value::String(s) => q.bind(s.clone()),
                            other => q.bind(other.to_string()),
                        };
                    }
                    q
                }
            };
            q.run(&mut *tx).await?;
        }
        self.d.after_load(&mut tx).await?;
        commit(tx).await?;
        Ok(())
    }

    async fn reset(&self, account_sid: Option<&str>, accounts: bool) -> StoreResult<()> {
        let mut tx = self.tx().await?;
        match account_sid {
            None => {
                let keep = if accounts { 0 } else { 2 };
                // The audit trail outlives sandbox resets.
                for table in TABLES[keep..].iter().rev().filter(|t| **t != "audit") {
                    self.q(&format!("DELETE FROM {table}"))
                        .run(&mut *tx)
                        .await?;
                }
            }
            Some(sid) => {
                // Deleting the account deletes its subaccounts too (nothing may point at a
                // missing parent); otherwise only the account's own data goes.
                let mut family = vec![sid.to_string()];
                if accounts {
                    let subs = self
                        .q("SELECT sid FROM accounts WHERE owner_sid = ?")
                        .bind(sid)
                        .all(&mut *tx)
                        .await?;
                    for r in subs {
                        family.push(r.try_get("sid")?);
                    }
                }
                let scoped = [
                    "DELETE FROM jobs WHERE bundle_sid IN (SELECT sid FROM bundles WHERE account_sid = ?)",
                    "DELETE FROM jobs WHERE bundle_sid IN (SELECT sid FROM registrations WHERE account_sid = ?)",
                    "DELETE FROM events WHERE account_sid = ?",
                    "DELETE FROM evaluations WHERE account_sid = ?",
                    "DELETE FROM registrations WHERE account_sid = ?",
                    "DELETE FROM channel_assignments WHERE account_sid = ?",
                    "DELETE FROM entity_assignments WHERE account_sid = ?",
                    "DELETE FROM entities WHERE account_sid = ?",
                    "DELETE FROM bundles WHERE account_sid = ?",
                    "DELETE FROM messaging_service_numbers WHERE account_sid = ?",
                    "DELETE FROM messaging_services WHERE account_sid = ?",
                    "DELETE FROM phone_numbers WHERE account_sid = ?",
                    "DELETE FROM addresses WHERE account_sid = ?",
                    "DELETE FROM profile_forms WHERE account_sid = ?",
                    "DELETE FROM inquiries WHERE account_sid = ?",
                ];
                let keys = "DELETE FROM api_keys WHERE account_sid = ?";
                // Subaccounts before their parent.
                let account = "DELETE FROM accounts WHERE sid = ?";
                let own = if accounts { &[keys, account][..] } else { &[] };
                for member in family.iter().rev() {
                    for sql in scoped.iter().chain(own) {
                        self.q(sql).bind(member.as_str()).run(&mut *tx).await?;
                    }
                }
            }
        }
        commit(tx).await?;
        Ok(())
    }

    async fn save_snapshot(&self, name: &str, data: &str, now: i64) -> StoreResult<()> {
        self.q(
            "INSERT INTO snapshots (name, data, date_created) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET data = excluded.data, date_created = excluded.date_created",
        )
        .bind(name)
        .bind(data)
        .bind(now)
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn snapshot(&self, name: &str) -> StoreResult<Option<String>> {
        let row = self
            .q("SELECT data FROM snapshots WHERE name = ?")
            .bind(name)
            .opt(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    async fn list_snapshots(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows = self
            .q("SELECT name, date_created FROM snapshots ORDER BY date_created, name")
            .all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("date_created")?)))
            .collect()
    }

    async fn add_audit(&self, e: AuditEntry) -> StoreResult<()> {
        self.q(
            "INSERT INTO audit (actor_kind, actor_sid, account_sid, method, path, status,
               date_created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.actor_kind.as_str())
        .bind(e.actor_sid.clone())
        .bind(e.account_sid.clone())
        .bind(e.method.as_str())
        .bind(e.path.as_str())
        .bind(e.status as i64)
        .bind(e.date_created)
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit(&self, account_sid: Option<&str>, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let mut q = self.q("SELECT * FROM audit");
        if let Some(a) = account_sid {
            q = q.push(" WHERE account_sid = ?").bind(a);
        }
        let rows = q
            .push(" ORDER BY seq DESC LIMIT ?")
            .bind(limit)
            .all(&self.pool)
            .await?;
        rows.iter().map(audit_row).collect()
    }

    async fn stats(&self, now: i64) -> StoreResult<StoreStats> {
        let row = self
            .q("SELECT COUNT(*) AS pending,
                   COALESCE(SUM(CASE WHEN due_at <= ? THEN 1 ELSE 0 END), 0) AS due,
                   MIN(CASE WHEN due_at <= ? THEN due_at END) AS oldest
                 FROM jobs WHERE done = 0")
            .bind(now)
            .bind(now)
            .one(&self.pool)
            .await?;
        Ok(StoreStats {
            pool_size: self.pool.size(),
            pool_idle: self.pool.num_idle() as u32,
            pool_max: self.pool.options().get_max_connections(),
            jobs_pending: row.try_get("pending")?,
            jobs_due: row.try_get("due")?,
            oldest_due: row.try_get("oldest")?,
        })
    }

    async fn secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        self.q("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh)
            .run(&self.pool)
            .await?;
        let row = self
            .q("SELECT value FROM secrets WHERE name = ?")
            .bind(name)
            .one(&self.pool)
            .await?;
        Ok(row.try_get::<String, _>(0)?)
    }

    async fn add_event(&self, event: Event) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        self.insert_event(&mut conn, &event).await
    }

    async fn events(&self, bundle_sid: &str) -> StoreResult<Vec<Event>> {
        let rows = self
            .q("SELECT * FROM events WHERE bundle_sid = ? ORDER BY seq")
            .bind(bundle_sid)
            .all(&self.pool)
            .await?;
        rows.iter().map(event_row).collect()
    }

    async fn add_job(&self, job: Job) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        self.insert_job(&mut conn, &job, job.due_at).await
    }

    async fn claim_job(
        &self,
        due_before: i64,
        lease_now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<Claimed>> {
        // A read first: an idle poller must not take the write lock ten times a second.
        let due = self
            .q("SELECT id FROM jobs WHERE done = 0 AND due_at <= ?
                  AND (lease_until IS NULL OR lease_until < ?) LIMIT 1")
            .bind(due_before)
            .bind(lease_now)
            .opt(&self.pool)
            .await?;
        if due.is_none() {
            return Ok(None);
        }
        // One statement; two claimers never get one row (see `Dialect::skip_locked`).
        let sql = format!(
            "UPDATE jobs SET lease_until = ?, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs WHERE done = 0 AND due_at <= ?
                           AND (lease_until IS NULL OR lease_until < ?)
                         ORDER BY due_at, id LIMIT 1{})
             RETURNING *",
            self.d.skip_locked()
        );
        let row = self
            .q(&sql)
            .bind(lease_until)
            .bind(due_before)
            .bind(lease_now)
            .opt(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(match job_row(&row) {
            Ok(job) => Claimed::Job(job),
            Err(e) => Claimed::Unreadable {
                id: row.try_get("id")?,
                bundle_sid: row.try_get("bundle_sid")?,
                lease_until,
                error: e.to_string(),
            },
        }))
    }

    async fn complete_job(
        &self,
        id: i64,
        lease_until: i64,
        outcome: JobOutcome,
        event: Option<Event>,
    ) -> StoreResult<bool> {
        let mut tx = self.tx().await?;
        let q = match outcome {
            JobOutcome::Done => self.q(
                "UPDATE jobs SET done = 1, lease_until = NULL WHERE id = ? AND lease_until = ?",
            ),
            JobOutcome::RetryAt(due) => self
                .q("UPDATE jobs SET due_at = ?, lease_until = NULL WHERE id = ? AND lease_until = ?")
                .bind(due),
            JobOutcome::WaitUntil(due) => self
                .q("UPDATE jobs SET due_at = ?, attempts = 0, lease_until = NULL WHERE id = ? AND lease_until = ?")
                .bind(due),
        };
        let n = q.bind(id).bind(lease_until).run(&mut *tx).await?;
        if n == 0 {
            return Ok(false);
        }
        if let Some(e) = &event {
            self.insert_event(&mut tx, e).await?;
        }
        commit(tx).await?;
        Ok(true)
    }

    async fn next_job_due(&self) -> StoreResult<Option<i64>> {
        let row = self
            .q("SELECT MIN(due_at) FROM jobs WHERE done = 0")
            .one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14 item 5: a failed encryption must not store `{}` (or anything). The write
    /// path takes the sealing step's result; given an `Err`, it fails and leaves no row,
    /// where given the sealed text it stores it.
    #[tokio::test]
    async fn a_failed_sealing_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = SqlStore::open(&url, &PgOptions::default()).await.unwrap();
        let account = Account {
            seq: 0,
            sid: "AC00000000000000000000000000000001".into(),
            friendly_name: "Sealing".into(),
            auth_token: "t".into(),
            owner_sid: None,
            status: AccountStatus::Active,
            date_created: 0,
            date_updated: 0,
        };
        store.insert_account(&account).await.unwrap();
        let e = Entity {
            seq: 0,
            sid: "IT00000000000000000000000000000001".into(),
            account_sid: "AC00000000000000000000000000000001".into(),
            kind: EntityKind::EndUser,
            type_name: "individual".into(),
            friendly_name: "Sealed".into(),
            attributes: serde_json::json!({"first_name": "Ada"}),
            date_created: 0,
            date_updated: 0,
        };
        let failed = store
            .entity_insert(
                &e,
                Err(anyhow::anyhow!("encrypting a value with key k failed")),
            )
            .one(&store.pool)
            .await;
        let err = failed.err().expect("the write fails").to_string();
        assert!(
            err.contains("encrypting a value with key k failed"),
            "{err}"
        );
        let kept = store.entity(&e.account_sid, e.kind, &e.sid).await.unwrap();
        assert!(kept.is_none(), "nothing stored in its place: {kept:?}");

        store
            .entity_insert(&e, Ok(r#"{"first_name":"Ada"}"#.into()))
            .one(&store.pool)
            .await
            .unwrap();
        let kept = store.entity(&e.account_sid, e.kind, &e.sid).await.unwrap();
        assert_eq!(kept.unwrap().attributes, e.attributes);
    }
}
