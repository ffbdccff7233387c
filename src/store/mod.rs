//! Persistence behind one trait. Every query is scoped by account (or by a bundle that
//! was itself found by account), so another account's SID is simply not found.
//!
//! **One implementation for SQLite and PostgreSQL.** `sql.rs` writes every query and row
//! mapping once against sqlx's `Any` driver: one concrete pool, row and connection type,
//! so the code reads like plain sqlx and the compiler checks one copy. The alternatives
//! cost more than they give here: code generic over `sqlx::Database` needs the same long
//! list of `Encode`/`Decode`/`Executor` bounds on every function (Rust does not imply a
//! trait's where-clauses), and a query builder (sea-query) adds a second language for
//! SQL that is plain and portable already. What `Any` costs: each row is copied once
//! into `Any`'s value type (on the request's thread while SQLite's worker makes the next
//! row: SQLite is built without memory statistics, whose global allocation mutex made the
//! two queue on each other; `.cargo/config.toml`), placeholders are not translated (our
//! builder numbers them for PostgreSQL), and booleans come back as 0/1 from SQLite (`flag`
//! reads both). The few real differences — opening and migrating (advisory lock),
//! `BEGIN IMMEDIATE` vs row locks, a row and its event in one round trip (CTEs vs a
//! script), `SKIP LOCKED` job claims, the accounts' paging column, substring search, bulk
//! reload — live in `dialect.rs` and nowhere else. Text PostgreSQL cannot hold (NUL)
//! never reaches either store (`sql::Arg`).
//!
//! An operation that writes several resources at once (the console's profile form) opens
//! a transaction-scoped handle, `Tx` (`Store::begin`): its methods run the very
//! statements and checks of the `Store` methods of the same names (`sql.rs` writes each
//! once, over a connection or any executor), inside one transaction.

pub mod codec;
pub mod dialect;
pub mod sql;

use async_trait::async_trait;
use serde_json::Value;

use crate::domain::account::AccountStatus;
use crate::domain::bundle::{BundleKind, Status};
use crate::domain::numbers::NumberType;
pub use crate::domain::registration::Kind as RegistrationKind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; which one says what is taken.
    #[error("the unique constraint {0:?} refused the write")]
    Duplicate(Unique),
    /// The row changed since it was read (another request or worker got there first).
    #[error("the row changed since it was read")]
    Stale,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The unique constraint a write broke, by meaning. [`Unique::named`] is the one map from
/// the database's name for it (PostgreSQL's constraint names; SQLite's are derived from its
/// column list the same way, see `Dialect::unique_constraint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unique {
    /// A row's own identity (its SID, id or name) is taken. Generated SIDs repeat only when
    /// a server started with `--seed` writes to a store it wrote to before.
    Identity { table: String },
    /// `phone_numbers.phone_number`: the number is provisioned already (to any account).
    PhoneNumber,
    /// `entity_assignments (bundle_sid, object_sid)`: the object is assigned already.
    EntityAssignment,
    /// `channel_assignments (bundle_sid, channel_endpoint_sid)`: likewise for an endpoint.
    ChannelAssignment,
    /// `messaging_service_numbers.number_sid`: the number is in a Messaging Service's pool
    /// already (one at a time).
    ServiceNumber,
    /// `registrations.parent_sid` of campaigns (a partial unique index): the Messaging
    /// Service has a campaign already (one per service).
    ServiceCampaign,
    /// `registrations.parent_sid` of toll-free verifications (a partial unique index): the
    /// number has a verification already (one at a time).
    TollfreeNumber,
    /// A constraint this map does not know, by its name.
    Other(String),
}

impl Unique {
    /// The meaning of the constraint `name` (PostgreSQL's spelling: `table_column_key`,
    /// `table_pkey`).
    pub fn named(name: &str) -> Unique {
        match name {
            "phone_numbers_phone_number_key" => Unique::PhoneNumber,
            "entity_assignments_bundle_sid_object_sid_key" => Unique::EntityAssignment,
            "channel_assignments_bundle_sid_channel_endpoint_sid_key" => Unique::ChannelAssignment,
            "messaging_service_numbers_number_sid_key" => Unique::ServiceNumber,
            "registrations_parent_sid_key" => Unique::ServiceCampaign,
            "registrations_tollfree_number_key" => Unique::TollfreeNumber,
            _ => {
                let identity = ["_pkey", "_sid_key", "_id_key", "_name_key", "_id_hash_key"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix));
                match identity {
                    Some(table) => Unique::Identity {
                        table: table.to_string(),
                    },
                    None => Unique::Other(name.to_string()),
                }
            }
        }
    }
}

// The row types below each repeat their table's common columns (seq, sid, account_sid,
// dates), and the `Store` trait's methods come in same-shaped groups per table:
// `duplicates` pairs this file with itself for them. One struct per table keeps each
// row's fields flat where every caller uses them.
#[derive(Debug, Clone)]
pub struct Account {
    pub seq: i64,
    pub sid: String,
    pub friendly_name: String,
    pub auth_token: String,
    pub owner_sid: Option<String>,
    pub status: AccountStatus,
    pub date_created: i64,
    pub date_updated: i64,
}

/// One change request: who made it, to what, and how it ended.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub seq: i64,
    /// `account` (auth token), `api_key`, `operator` or `inquiry` (`service::audit::Actor`).
    pub actor_kind: String,
    /// The account or key SID; `None` for the operator.
    pub actor_sid: Option<String>,
    pub account_sid: Option<String>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub date_created: i64,
}

#[derive(Debug, Default)]
pub struct AccountFilter {
    pub friendly_name: Option<String>,
    pub status: Option<AccountStatus>,
}

/// An API key: `SK…:secret` authenticates as its account. Only a hash of the secret is kept.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub friendly_name: String,
    pub secret_hash: String,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Clone)]
pub struct Address {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub customer_name: String,
    pub friendly_name: Option<String>,
    pub street: String,
    pub street_secondary: Option<String>,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub iso_country: String,
    pub emergency_enabled: bool,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Default)]
pub struct AddressFilter {
    pub customer_name: Option<String>,
    pub friendly_name: Option<String>,
    pub iso_country: Option<String>,
}

/// A provisioned phone number; optional settings live in `config` by snake_case name.
#[derive(Debug, Clone)]
pub struct PhoneNumber {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub phone_number: String,
    pub friendly_name: String,
    pub config: serde_json::Map<String, Value>,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Default)]
pub struct NumberFilter {
    pub phone_number: Option<String>,
    pub friendly_name: Option<String>,
    /// The type stored at purchase (the typed list resources).
    pub kind: Option<NumberType>,
}

/// A Messaging Service (`MG…`); its settings live in `config` by snake_case property name.
#[derive(Debug, Clone)]
pub struct MessagingService {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub friendly_name: String,
    pub config: serde_json::Map<String, Value>,
    pub date_created: i64,
    pub date_updated: i64,
}

/// A phone number in a Messaging Service's sender pool (one pool at a time).
#[derive(Debug, Clone)]
pub struct ServiceNumber {
    pub seq: i64,
    pub service_sid: String,
    pub account_sid: String,
    /// The IncomingPhoneNumber (`PN…`), which is also this resource's SID.
    pub number_sid: String,
    /// The number in E.164, read from the IncomingPhoneNumber.
    pub phone_number: String,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Clone)]
pub struct Bundle {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub kind: BundleKind,
    pub policy_sid: String,
    pub friendly_name: String,
    pub email: String,
    pub status: Status,
    pub status_callback: Option<String>,
    pub valid_until: Option<i64>,
    /// Rejection codes (186xx); `None` unless rejected.
    pub errors: Option<Vec<u32>>,
    pub date_created: i64,
    pub date_updated: i64,
    /// Bumped by every save; a save must name the version it read.
    pub version: i64,
}

/// A brand, brand vetting, A2P campaign or toll-free verification (`domain::registration`):
/// one row shape for the four kinds. `fields` holds the resource's own properties by
/// snake_case name (as Twilio's Messaging spec names them); `status` is the kind's own
/// Twilio status string.
#[derive(Debug, Clone)]
pub struct Registration {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub kind: RegistrationKind,
    /// What the resource hangs off, for lists and lookups by it: a vetting's brand, a
    /// campaign's Messaging Service, a toll-free verification's toll-free number (`PN…`);
    /// `None` for a brand.
    pub parent_sid: Option<String>,
    pub status: String,
    /// Stored like attributes (`codec`: encrypted with `--encryption-key`), so no query
    /// looks inside; what a list filters by is a column (`parent_sid`, `status`).
    pub fields: serde_json::Map<String, Value>,
    /// `Failure::to_json` while failed or rejected; `None` otherwise.
    pub failure: Option<Value>,
    pub date_created: i64,
    pub date_updated: i64,
    /// Bumped by every save; a save must name the version it read.
    pub version: i64,
}

/// A registration's new state with everything that must commit with it: its timeline
/// events and the jobs (callbacks, review steps) it queues.
#[derive(Debug)]
pub struct RegistrationChange {
    /// Saved only while the stored row still has `registration.version`.
    pub registration: Registration,
    pub events: Vec<Event>,
    pub jobs: Vec<Job>,
}

/// Filters of a registration list; every one optional.
#[derive(Debug, Default)]
pub struct RegistrationFilter {
    pub parent_sid: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    EndUser,
    SupportingDocument,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::EndUser => "end_user",
            EntityKind::SupportingDocument => "supporting_document",
        }
    }

    pub fn sid_prefix(self) -> &'static str {
        match self {
            EntityKind::EndUser => crate::sid::END_USER,
            EntityKind::SupportingDocument => crate::sid::SUPPORTING_DOCUMENT,
        }
    }

    /// The kind a stored row names ([`EntityKind::as_str`]); `None` for any other text.
    pub fn parse(s: &str) -> Option<EntityKind> {
        [EntityKind::EndUser, EntityKind::SupportingDocument]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// An EndUser or a SupportingDocument: typed attributes owned by an account.
#[derive(Debug, Clone)]
pub struct Entity {
    pub seq: i64,
    pub sid: String,
    pub account_sid: String,
    pub kind: EntityKind,
    pub type_name: String,
    pub friendly_name: String,
    pub attributes: Value,
    pub date_created: i64,
    pub date_updated: i64,
}

#[derive(Debug, Clone)]
pub struct EntityAssignment {
    pub seq: i64,
    pub sid: String,
    pub bundle_sid: String,
    pub account_sid: String,
    pub object_sid: String,
    /// The object's type machine name (or bundle kind), for the ObjectType filter.
    pub object_type: String,
    pub date_created: i64,
}

#[derive(Debug, Clone)]
pub struct ChannelAssignment {
    pub seq: i64,
    pub sid: String,
    pub bundle_sid: String,
    pub account_sid: String,
    pub channel_endpoint_type: String,
    pub channel_endpoint_sid: String,
    pub date_created: i64,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub seq: i64,
    pub sid: String,
    pub bundle_sid: String,
    pub account_sid: String,
    pub policy_sid: String,
    pub status: String,
    pub results: Value,
    pub date_created: i64,
}

/// Keyset paging: a page costs the same at any depth.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    pub size: usize,
    pub cursor: Option<Cursor>,
}

/// Positions are the row's `seq` (creation order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    After(i64),
    Before(i64),
}

#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub has_prev: bool,
}

/// One entry of a bundle's or a registration's timeline.
#[derive(Debug, Clone)]
pub struct Event {
    pub seq: i64,
    /// The subject's SID: a bundle's, or a registration's (the column kept its name).
    pub bundle_sid: String,
    pub account_sid: String,
    /// created, assigned, unassigned, evaluated, status_changed, callback_attempt, …
    pub kind: String,
    pub detail: Value,
    pub date_created: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// POST a signed status callback.
    Callback,
    /// Move a submitted bundle or registration through review.
    Review,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Callback => "callback",
            JobKind::Review => "review",
        }
    }

    /// The kind a stored row names ([`JobKind::as_str`]); `None` for any other text.
    pub fn parse(s: &str) -> Option<JobKind> {
        [JobKind::Callback, JobKind::Review]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A row of the durable outbox.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    /// The subject's SID: a bundle's, or a registration's (the column kept its name).
    pub bundle_sid: String,
    pub payload: Value,
    pub due_at: i64,
    pub attempts: i64,
    /// The lease this claim holds (real Unix seconds): completing checks it still does.
    pub lease_until: i64,
}

/// What `claim_job` leased: a job, or a row this version cannot read (a kind it does not
/// know, a payload it cannot decode — written by a newer version or by hand). The caller
/// ends an unreadable row with `complete_job` (it has a lease like any job) instead of
/// letting every lease expiry claim it again.
#[derive(Debug, Clone)]
pub enum Claimed {
    Job(Job),
    Unreadable {
        id: i64,
        bundle_sid: String,
        lease_until: i64,
        /// What could not be read, naming the row.
        error: String,
    },
}

/// What became of a claimed job.
#[derive(Debug, Clone, Copy)]
pub enum JobOutcome {
    Done,
    /// Failed: try again at this time; `attempts` keeps counting failures in a row.
    RetryAt(i64),
    /// Not failed, only not yet possible (a trust product waiting for its customer
    /// profile's decision): look again at this time, with the failure count reset, so a
    /// long wait never counts towards giving up.
    WaitUntil(i64),
}

/// A bundle's new state with everything that must commit with it.
#[derive(Debug)]
pub struct BundleChange {
    pub bundle: Bundle,
    /// The status the bundle had when read: the save applies only if it still has it.
    pub expected_status: Status,
    pub evaluation: Option<Evaluation>,
    pub events: Vec<Event>,
    pub jobs: Vec<Job>,
}

/// What `/metrics` reads from the store.
#[derive(Debug, Default, Clone, Copy)]
pub struct StoreStats {
    /// Open connections, idle ones, and the most the pool opens.
    pub pool_size: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    /// Unfinished jobs, and those of them due by `now`.
    pub jobs_pending: i64,
    pub jobs_due: i64,
    /// The earliest due time among the due jobs (server clock, Unix seconds).
    pub oldest_due: Option<i64>,
}

#[derive(Debug, Default)]
pub struct BundleFilter {
    pub status: Option<Status>,
    pub friendly_name: Option<String>,
    pub policy_sid: Option<String>,
}

/// Whom a console session is for. Each class has its own cap (SECURITY.md): when it is
/// full, a new session of that class evicts the oldest of the same class only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionClass {
    /// A customer or the operator, signed in with credentials.
    SignedIn = 1,
    /// An end customer holding a hosted inquiry's link.
    Inquiry = 2,
}

impl SessionClass {
    pub fn from_i64(v: i64) -> Option<SessionClass> {
        match v {
            1 => Some(SessionClass::SignedIn),
            2 => Some(SessionClass::Inquiry),
            _ => None,
        }
    }
}

/// A console session: a tower-sessions record as JSON, keyed by the SHA-256 of its id.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id_hash: String,
    pub data: String,
    pub class: SessionClass,
    /// Unix seconds (real time).
    pub expires_at: i64,
}

/// A hosted compliance inquiry (`service::inquiries` gives the meaning).
#[derive(Debug, Clone)]
pub struct Inquiry {
    pub id: String,
    /// SHA-256 (hex) of the session token the API handed out last.
    pub token_hash: String,
    /// `customer`, `registration` or `tollfree`.
    pub kind: String,
    pub account_sid: String,
    pub external_id: String,
    pub primary_sid: Option<String>,
    /// Form inputs by name (a JSON object); encrypted at rest like attributes.
    pub prefill: Value,
    /// The bundle the finished form created; `None` while open.
    pub bundle_sid: Option<String>,
    /// Unix seconds on the server clock.
    pub date_created: i64,
    pub expires_at: i64,
}

/// How many inquiries the store keeps: `per_account` open ones (the account's oldest open
/// one goes), `total` in all (finished ones go first, then the oldest).
#[derive(Debug, Clone, Copy)]
pub struct InquiryCaps {
    pub per_account: i64,
    pub total: i64,
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn account_count(&self) -> StoreResult<i64>;
    async fn insert_account(&self, account: &Account) -> StoreResult<()>;
    async fn account(&self, sid: &str) -> StoreResult<Option<Account>>;
    /// The account itself and the subaccounts it owns.
    async fn list_accounts(
        &self,
        caller_sid: &str,
        filter: &AccountFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Account>>;
    /// Top-level accounts (no owner), for the operator.
    async fn list_top_accounts(
        &self,
        filter: &AccountFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Account>>;
    /// Writes the name, status and auth token.
    async fn update_account(&self, account: &Account) -> StoreResult<()>;

    async fn insert_key(&self, key: ApiKey) -> StoreResult<ApiKey>;
    /// Any account's key, for authentication.
    async fn key(&self, sid: &str) -> StoreResult<Option<ApiKey>>;
    async fn list_keys(&self, account_sid: &str, page: PageQuery) -> StoreResult<Page<ApiKey>>;
    async fn update_key(&self, key: &ApiKey) -> StoreResult<()>;
    async fn delete_key(&self, account_sid: &str, sid: &str) -> StoreResult<bool>;

    async fn insert_address(&self, address: Address) -> StoreResult<Address>;
    async fn address(&self, account_sid: &str, sid: &str) -> StoreResult<Option<Address>>;
    /// The account's addresses among `sids` (one query; unknown SIDs are left out).
    async fn addresses_named(
        &self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<Address>>;
    async fn list_addresses(
        &self,
        account_sid: &str,
        filter: &AddressFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Address>>;
    async fn update_address(&self, address: &Address) -> StoreResult<()>;
    async fn delete_address(&self, account_sid: &str, sid: &str) -> StoreResult<bool>;
    /// Which of `sids` are Addresses of the account.
    async fn existing_addresses(
        &self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<String>>;
    /// Supporting documents of the account whose attributes mention the address.
    async fn documents_mentioning(&self, account_sid: &str, text: &str)
        -> StoreResult<Vec<Entity>>;

    /// Fails with `Duplicate(Unique::PhoneNumber)` when the number is provisioned already.
    /// Stores a bought number with its type (what the typed lists filter on).
    async fn insert_number(
        &self,
        number: PhoneNumber,
        kind: NumberType,
    ) -> StoreResult<PhoneNumber>;
    /// Gives each number the type `type_of` reads from it where the stored one differs:
    /// stored without a type (by a version before the column, or an import of its export),
    /// or under another inventory (`--catalog` changed between starts), so the typed lists
    /// agree with the `type` responses show. Returns how many rows changed.
    async fn classify_numbers(
        &self,
        type_of: &(dyn for<'n> Fn(&'n str) -> NumberType + Sync),
    ) -> StoreResult<u64>;
    async fn number(&self, account_sid: &str, sid: &str) -> StoreResult<Option<PhoneNumber>>;
    /// Any account's number (for the parent-and-subaccount rules).
    async fn number_any(&self, sid: &str) -> StoreResult<Option<PhoneNumber>>;
    /// Any account's numbers among `sids` (one query; unknown SIDs are left out).
    async fn numbers_named(&self, sids: &[String]) -> StoreResult<Vec<PhoneNumber>>;
    async fn list_numbers(
        &self,
        account_sid: &str,
        filter: &NumberFilter,
        page: PageQuery,
    ) -> StoreResult<Page<PhoneNumber>>;
    /// Saves the number; moving it to another account is refused (`Stale`) while it is in
    /// a Messaging Service's pool, checked under the number's lock.
    async fn update_number(&self, number: &PhoneNumber) -> StoreResult<()>;
    /// Deletes the number unless a bundle holds it (`Stale`), checked under its lock.
    async fn delete_number(&self, account_sid: &str, sid: &str) -> StoreResult<bool>;
    /// The bundles a phone number is assigned to, in assignment order.
    async fn bundles_with_number(&self, number_sid: &str) -> StoreResult<Vec<Bundle>> {
        let held = self.bundles_with_numbers(&[number_sid.to_string()]).await?;
        Ok(held.into_iter().map(|(_, b)| b).collect())
    }
    /// For a list page: `(number SID, bundle)` for each assignment of one of
    /// `number_sids`, in assignment order, in one query.
    async fn bundles_with_numbers(
        &self,
        number_sids: &[String],
    ) -> StoreResult<Vec<(String, Bundle)>>;
    /// Which of `numbers` (E.164) some account owns (any account: what a search must not
    /// offer; the owners are not told).
    async fn owned_numbers(&self, numbers: &[String]) -> StoreResult<Vec<String>>;

    async fn insert_service(&self, service: MessagingService) -> StoreResult<MessagingService>;
    async fn service(&self, account_sid: &str, sid: &str) -> StoreResult<Option<MessagingService>>;
    async fn list_services(
        &self,
        account_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<MessagingService>>;
    async fn update_service(&self, service: &MessagingService) -> StoreResult<()>;
    /// Deletes the service; its pool goes with it (the numbers stay with the account), and
    /// its A2P campaign, in one transaction.
    async fn delete_service(&self, account_sid: &str, sid: &str) -> StoreResult<bool>;
    /// Adds a number to a service's pool, in one transaction under the locks of both: only
    /// while the service exists and the number belongs to `number.account_sid` (`Stale`
    /// otherwise); `Duplicate(Unique::ServiceNumber)` when the number is in a pool already
    /// (this one or another).
    async fn insert_service_number(&self, number: ServiceNumber) -> StoreResult<ServiceNumber>;
    async fn service_number(
        &self,
        service_sid: &str,
        number_sid: &str,
    ) -> StoreResult<Option<ServiceNumber>>;
    async fn list_service_numbers(
        &self,
        service_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<ServiceNumber>>;
    async fn delete_service_number(&self, service_sid: &str, number_sid: &str)
        -> StoreResult<bool>;
    /// The Messaging Service whose pool holds the number, if any.
    async fn service_of_number(&self, number_sid: &str) -> StoreResult<Option<String>>;

    /// Inserts the bundle with its "created" event, in one transaction.
    async fn insert_bundle(&self, bundle: Bundle, created: Event) -> StoreResult<Bundle>;
    async fn bundle(&self, account_sid: &str, sid: &str) -> StoreResult<Option<Bundle>>;
    async fn list_bundles(
        &self,
        account_sid: &str,
        kind: BundleKind,
        filter: &BundleFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Bundle>>;
    /// Saves the bundle's mutable fields with its evaluation, events and jobs, in one
    /// transaction, so a crash never loses a callback or half-applies a change.
    async fn save_bundle(&self, change: BundleChange) -> StoreResult<()>;
    /// Any account's bundle, for the operator and the background jobs.
    async fn bundle_any(&self, sid: &str) -> StoreResult<Option<Bundle>>;
    /// Bundles in these statuses across all accounts, oldest submission first.
    async fn bundles_in_status(
        &self,
        statuses: &[Status],
        policy_sid: Option<&str>,
    ) -> StoreResult<Vec<Bundle>>;
    /// Deletes the bundle with its assignments and evaluations, in one transaction, if it
    /// is in one of the `deletable` statuses and no bundle holds it (`Stale` otherwise),
    /// checked under the bundle's lock.
    async fn delete_bundle(
        &self,
        account_sid: &str,
        sid: &str,
        deletable: &[Status],
    ) -> StoreResult<bool>;

    /// Inserts the registration with its events ("created") and jobs (the first review
    /// step), in one transaction. `Duplicate(Unique::ServiceCampaign)` when it is a
    /// campaign and its Messaging Service has one already.
    async fn insert_registration(&self, change: RegistrationChange) -> StoreResult<Registration>;
    /// The account's registration of `kind` with this SID.
    async fn registration(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        sid: &str,
    ) -> StoreResult<Option<Registration>>;
    /// Any account's registration, for the operator and the background jobs.
    async fn registration_any(&self, sid: &str) -> StoreResult<Option<Registration>>;
    /// The account's registrations of `kind`, oldest first (keyset paging).
    async fn list_registrations(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        filter: &RegistrationFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Registration>>;
    /// The account's registrations of `kind` hanging off one of `parent_sids` (one query,
    /// for a list page: e.g. the campaigns of a page of Messaging Services), oldest first.
    async fn registrations_of_parents(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        parent_sids: &[String],
    ) -> StoreResult<Vec<Registration>>;
    /// Saves status, fields and failure with the events and jobs, in one transaction, only
    /// while the stored version is the one read (`Stale` otherwise).
    async fn save_registration(&self, change: RegistrationChange) -> StoreResult<()>;
    /// Registrations in one of these `(kind, status)` pairs across all accounts, oldest
    /// update first (the review queue).
    async fn registrations_in_status(
        &self,
        statuses: &[(RegistrationKind, &str)],
    ) -> StoreResult<Vec<Registration>>;
    /// Deletes the account's registration if its status is one of `deletable` (`Stale`
    /// otherwise), checked under its lock. Its timeline stays, as a deleted bundle's does.
    async fn delete_registration(
        &self,
        account_sid: &str,
        kind: RegistrationKind,
        sid: &str,
        deletable: &[&str],
    ) -> StoreResult<bool>;

    async fn insert_entity(&self, entity: Entity) -> StoreResult<Entity>;
    async fn entity(
        &self,
        account_sid: &str,
        kind: EntityKind,
        sid: &str,
    ) -> StoreResult<Option<Entity>>;
    /// The account's entities of `kind`, those named exactly `friendly_name` when given.
    async fn list_entities(
        &self,
        account_sid: &str,
        kind: EntityKind,
        friendly_name: Option<&str>,
        page: PageQuery,
    ) -> StoreResult<Page<Entity>>;
    /// Saves the entity. With `locked`, its attributes change: refused (`Stale`) if a
    /// bundle holding it is in one of those statuses; every holder's version is bumped,
    /// so a submission evaluated on the old attributes cannot be saved.
    async fn update_entity(&self, entity: &Entity, locked: Option<&[Status]>) -> StoreResult<()>;
    /// Deletes the entity unless it is assigned (`Stale`), checked under its lock.
    async fn delete_entity(
        &self,
        account_sid: &str,
        kind: EntityKind,
        sid: &str,
    ) -> StoreResult<bool>;

    /// The bundles an object (end user, document or bundle) is assigned to.
    async fn bundles_holding(&self, object_sid: &str) -> StoreResult<Vec<Bundle>> {
        let held = self.bundles_holding_each(&[object_sid.to_string()]).await?;
        Ok(held.into_iter().map(|(_, b)| b).collect())
    }
    /// For a list page: `(object SID, bundle)` for each assignment of one of
    /// `object_sids`, oldest bundle first, in one query.
    async fn bundles_holding_each(
        &self,
        object_sids: &[String],
    ) -> StoreResult<Vec<(String, Bundle)>>;
    /// The account's bundles among `sids` (one query; unknown SIDs are left out).
    async fn bundles_named(&self, account_sid: &str, sids: &[String]) -> StoreResult<Vec<Bundle>>;

    /// Inserts the assignment with its event, in one transaction, only while the bundle
    /// is in one of the `open` statuses and the object exists (`Stale` otherwise); bumps
    /// the bundle's version, so a submission evaluated before it cannot be saved.
    async fn insert_entity_assignment(
        &self,
        assignment: EntityAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<EntityAssignment>;
    async fn entity_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<EntityAssignment>>;
    async fn list_entity_assignments(
        &self,
        bundle_sid: &str,
        object_type: Option<&str>,
        page: PageQuery,
    ) -> StoreResult<Page<EntityAssignment>>;
    /// Deletes the assignment with its event, on the terms of `insert_entity_assignment`.
    async fn delete_entity_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
        open: &[Status],
        event: Event,
    ) -> StoreResult<bool>;
    /// Everything assigned to a bundle, for evaluation: entities and supporting bundles.
    async fn assigned_objects(&self, bundle_sid: &str) -> StoreResult<(Vec<Entity>, Vec<Bundle>)>;

    /// As `insert_entity_assignment`, the endpoint being a phone number that must exist,
    /// but without the version bump (numbers are not evaluated).
    async fn insert_channel_assignment(
        &self,
        assignment: ChannelAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<ChannelAssignment>;
    async fn channel_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
    ) -> StoreResult<Option<ChannelAssignment>>;
    async fn list_channel_assignments(
        &self,
        bundle_sid: &str,
        endpoint_sids: Option<&[String]>,
        page: PageQuery,
    ) -> StoreResult<Page<ChannelAssignment>>;
    async fn delete_channel_assignment(
        &self,
        bundle_sid: &str,
        sid: &str,
        open: &[Status],
        event: Event,
    ) -> StoreResult<bool>;

    /// Inserts the evaluation with its event, in one transaction, while the bundle exists
    /// (`Stale` once deleted).
    async fn insert_evaluation(
        &self,
        evaluation: Evaluation,
        event: Event,
    ) -> StoreResult<Evaluation>;

    /// Stores a new session unless its id is taken (false). Expired sessions are deleted
    /// first; when `cap` sessions of its class are stored, the oldest of them go.
    async fn insert_session(&self, s: &SessionRow, now: i64, cap: i64) -> StoreResult<bool>;
    /// Writes a session (inserted if it is gone).
    async fn save_session(&self, s: &SessionRow) -> StoreResult<()>;
    /// The session unless it expired by `now` (unix seconds, real time).
    async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<SessionRow>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    /// Inserts an inquiry in one transaction with the caps: expired ones are deleted and,
    /// when a cap is met, the oldest go (see `InquiryCaps`).
    async fn insert_inquiry(&self, i: &Inquiry, now: i64, caps: InquiryCaps) -> StoreResult<()>;
    /// The inquiry unless it expired by `now` (server clock).
    async fn inquiry(&self, id: &str, now: i64) -> StoreResult<Option<Inquiry>>;
    async fn inquiry_by_external_id(
        &self,
        account_sid: &str,
        external_id: &str,
        now: i64,
    ) -> StoreResult<Option<Inquiry>>;
    /// Writes a new token hash and primary profile of an inquiry.
    async fn update_inquiry(&self, i: &Inquiry) -> StoreResult<()>;

    /// Opens a unit of work: the writes made through it commit together at `Tx::commit`,
    /// or not at all (a `Tx` dropped before, by an error, a hung-up request or a crash,
    /// is rolled back).
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;

    /// Every row of every table (snapshots excepted), in an order `load` can replay:
    /// `(table, {column: value})` with numbers, strings and nulls only. Accounts carry
    /// their paging position as `seq`.
    async fn dump(&self) -> StoreResult<Vec<(String, Value)>>;
    /// Replaces the whole state (snapshots excepted) by `rows`, in one transaction.
    async fn load(&self, rows: &[(String, Value)]) -> StoreResult<()>;
    /// Deletes bundles, end users, documents, addresses, numbers, Messaging Services,
    /// registrations, evaluations, events and jobs — of one account, or of all; with `accounts`, also every account and key.
    async fn reset(&self, account_sid: Option<&str>, accounts: bool) -> StoreResult<()>;
    /// Connection-pool usage and the job queue at server-clock time `now`, for `/metrics`.
    async fn stats(&self, now: i64) -> StoreResult<StoreStats>;
    async fn save_snapshot(&self, name: &str, data: &str, now: i64) -> StoreResult<()>;
    async fn snapshot(&self, name: &str) -> StoreResult<Option<String>>;
    /// Names and creation times, oldest first.
    async fn list_snapshots(&self) -> StoreResult<Vec<(String, i64)>>;

    async fn add_audit(&self, entry: AuditEntry) -> StoreResult<()>;
    /// Newest first; one account's entries, or everyone's.
    async fn audit(&self, account_sid: Option<&str>, limit: i64) -> StoreResult<Vec<AuditEntry>>;

    /// The store-wide secret `name`, set to `fresh` by the first server that asks.
    async fn secret(&self, name: &str, fresh: &str) -> StoreResult<String>;

    async fn add_event(&self, event: Event) -> StoreResult<()>;
    /// A bundle's timeline, oldest first.
    async fn events(&self, bundle_sid: &str) -> StoreResult<Vec<Event>>;

    async fn add_job(&self, job: Job) -> StoreResult<()>;
    /// Leases the next job due by `due_before` (server clock) until `lease_until`; a lease
    /// expired by `lease_now` is claimable again, so a job whose worker died mid-attempt is
    /// not lost. Leases are in real time, which no operator clock advance moves.
    async fn claim_job(
        &self,
        due_before: i64,
        leasenow: i64,
        lease_until: i64,
    ) -> StoreResult<Option<Claimed>>;
    /// Records the outcome of a claimed job with the event that describes it — only if the
    /// claim's lease is still held; `false` when another worker has taken the job over.
    async fn complete_job(
        &self,
        id: i64,
        lease_until: i64,
        outcome: JobOutcome,
        event: Option<Event>,
    ) -> StoreResult<bool>;
    /// The earliest due time of an unfinished job, to know how long to sleep.
    async fn next_job_due(&self) -> StoreResult<Option<i64>>;
    async fn evaluation(&self, bundle_sid: &str, sid: &str) -> StoreResult<Option<Evaluation>>;
    /// Newest first.
    async fn list_evaluations(
        &self,
        bundle_sid: &str,
        page: PageQuery,
    ) -> StoreResult<Page<Evaluation>>;
}

/// One store transaction (`Store::begin`): the writes of an operation that makes several
/// resources at once (the console's profile form, `service::profiles`). Each method is
/// the `Store` method of the same name, with the same checks under lock, run inside the
/// transaction; reads see its own uncommitted writes. On SQLite the transaction holds the
/// write lock from the start; on PostgreSQL, the rows it wrote or locked.
#[async_trait]
pub trait Tx: Send {
    async fn insert_address(&mut self, address: Address) -> StoreResult<Address>;
    async fn insert_bundle(&mut self, bundle: Bundle, created: Event) -> StoreResult<Bundle>;
    async fn insert_entity(&mut self, entity: Entity) -> StoreResult<Entity>;
    async fn insert_entity_assignment(
        &mut self,
        assignment: EntityAssignment,
        open: &[Status],
        event: Event,
    ) -> StoreResult<EntityAssignment>;
    async fn insert_evaluation(
        &mut self,
        evaluation: Evaluation,
        event: Event,
    ) -> StoreResult<Evaluation>;
    async fn save_bundle(&mut self, change: BundleChange) -> StoreResult<()>;
    async fn bundle(&mut self, account_sid: &str, sid: &str) -> StoreResult<Option<Bundle>>;
    async fn assigned_objects(
        &mut self,
        bundle_sid: &str,
    ) -> StoreResult<(Vec<Entity>, Vec<Bundle>)>;
    async fn existing_addresses(
        &mut self,
        account_sid: &str,
        sids: &[String],
    ) -> StoreResult<Vec<String>>;
    /// Records the bundle an open inquiry created, if `token_hash` is still its session
    /// token's; `false` if it was finished already or its link was replaced (resumed).
    /// A concurrent completion waits for this transaction and then finds it finished.
    async fn finish_inquiry(
        &mut self,
        id: &str,
        token_hash: &str,
        bundle_sid: &str,
    ) -> StoreResult<bool>;
    /// Records that the rendered form `form_hash` (SHA-256 of its one-time id) of
    /// `account_sid` made `bundle_sid`, kept until `expires_at` (unix seconds, real time;
    /// expired records are deleted first). `Some(bundle)` when that form was used already
    /// (committed by another transaction, which a concurrent one waits for): the bundle
    /// it made.
    async fn use_form(
        &mut self,
        account_sid: &str,
        form_hash: &str,
        bundle_sid: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<Option<String>>;
    /// Commits every write made through this transaction.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// Tables in dependency order: `load` inserts in this order, deletes in reverse. What a
/// snapshot, `trusthub export` and a full reset cover: every table of the API's data,
/// including the console's form records and hosted inquiries (which name bundles), but not
/// console sessions (after a move users sign in again), secrets or snapshots themselves.
pub const TABLES: [&str; 17] = [
    "accounts",
    "api_keys",
    "addresses",
    "phone_numbers",
    "messaging_services",
    "messaging_service_numbers",
    "bundles",
    "entities",
    "entity_assignments",
    "channel_assignments",
    "evaluations",
    "registrations",
    "events",
    "jobs",
    "profile_forms",
    "inquiries",
    "audit",
];

/// The columns a table's rows are dumped in order of.
pub fn order_columns(table: &str) -> &'static str {
    match table {
        "profile_forms" => "account_sid, form_hash",
        _ => serial_column(table).unwrap_or("1"),
    }
}

/// The table's generated identity column (paging and reload order), if it has one.
pub fn serial_column(table: &str) -> Option<&'static str> {
    match table {
        "jobs" => Some("id"),
        "profile_forms" => None,
        _ => Some("seq"),
    }
}

/// Turns rows fetched with `size + 1` (in the query's direction) into a page in display order.
pub fn finish_page<T>(mut rows: Vec<T>, page: PageQuery) -> Page<T> {
    let more = rows.len() > page.size;
    rows.truncate(page.size);
    match page.cursor {
        Some(Cursor::Before(_)) => {
            rows.reverse();
            Page {
                items: rows,
                has_next: true,
                has_prev: more,
            }
        }
        Some(Cursor::After(_)) => Page {
            items: rows,
            has_next: more,
            has_prev: true,
        },
        None => Page {
            items: rows,
            has_next: more,
            has_prev: false,
        },
    }
}
