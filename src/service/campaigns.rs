//! A2P 10DLC campaigns (`/v1/Services/{MessagingServiceSid}/Compliance/Usa2p`, `QE…`):
//! registrations of kind `us_app_to_person` (`service::registrations`) hanging off their
//! Messaging Service (`parent_sid`), one per service.
//!
//! Rules (Twilio's codes where its error dictionary has one; README "A2P campaigns"):
//! - the Messaging Service is the account's: 404 / 20404 otherwise (as every service route);
//! - the brand (`BrandRegistrationSid`) is the account's and APPROVED: 400 / 21717
//!   ("Brand Registration SID … is Not Registered or Not Valid": "wait for it to be in an
//!   APPROVED status before moving forward with … campaign use case creation");
//! - the use case is one of the catalog's (400 / 21720 "A2P Use Case is Invalid") that the
//!   brand's type may register (400 / 21717: only SOLE_PROPRIETOR brands register the
//!   SOLE_PROPRIETOR use case, and they register only that one), compatible with the
//!   service's own `usecase` (400 / 21719; likewise a service update to a `Usecase` its
//!   campaign does not go with);
//! - one campaign per Messaging Service (409 / 20409, the store's unique index), one per
//!   SOLE_PROPRIETOR brand (409 / 20409, the spec: "there can only be one SOLE_PROPRIETOR
//!   campaign created per SOLE_PROPRIETOR Brand");
//! - texts as the spec bounds them (`domain::campaign`): 400 / 20001 naming the parameter;
//! - update edits and resubmits a FAILED campaign (Twilio's campaign troubleshooting guide:
//!   "It is now possible to edit a FAILED Campaign via both the Console and the API"); its use
//!   case cannot change (delete and recreate, as that guide says); any other status is
//!   409 / 20409;
//! - delete removes it in any status; deleting its Messaging Service deletes it too (in the
//!   store's transaction).
//!
//! Review: IN_PROGRESS until the pipeline decides (VERIFIED / FAILED), waiting while its
//! brand is not APPROVED or a sole proprietor's identity is not yet verified (the OTP), and
//! failing when its brand failed or is gone. Trigger values: `Description`, `MessageFlow`,
//! `MessageSamples` (`FAIL`, `FAIL-<code>`, README "Scripting an outcome").

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::domain::campaign::{self, Usecase};
use crate::domain::registration::{Dependency, Kind, Stage};
use crate::error::{Error, Result};
use crate::store::{
    MessagingService, Page, PageQuery, Registration, RegistrationFilter, StoreError, Unique,
};

use super::{messaging, registrations, App};

const KIND: Kind = Kind::UsAppToPerson;

/// A campaign's values as a create or update carries them: `(parameter, field, value)`,
/// the field by its snake_case property name, lists as JSON arrays of strings, booleans as
/// JSON booleans.
pub type Given = Vec<(&'static str, &'static str, Value)>;

fn bad(message: String) -> Error {
    Error::invalid(20001, message)
}

fn text<'a>(given: &'a Given, field: &str) -> Option<(&'static str, &'a str)> {
    given
        .iter()
        .find(|(_, f, _)| *f == field)
        .and_then(|(p, _, v)| v.as_str().map(|s| (*p, s)))
}

fn list_of(given: &Given, field: &str) -> Option<(&'static str, Vec<String>)> {
    given.iter().find(|(_, f, _)| *f == field).map(|(p, _, v)| {
        let items = v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        (*p, items)
    })
}

/// Checks the texts, lists and URLs a create or update carries (bounds in
/// `domain::campaign`); 400 / 20001 naming the first parameter that breaks one.
fn check(given: &Given) -> Result<()> {
    for b in [campaign::DESCRIPTION, campaign::MESSAGE_FLOW] {
        let field = if b.param == "Description" {
            "description"
        } else {
            "message_flow"
        };
        if let Some((p, v)) = text(given, field) {
            campaign::check_text(p, v, b.min, b.max).map_err(bad)?;
        }
    }
    if let Some((_, samples)) = list_of(given, "message_samples") {
        campaign::check_samples(&samples).map_err(bad)?;
    }
    for field in ["opt_in_message", "opt_out_message", "help_message"] {
        if let Some((p, v)) = text(given, field) {
            campaign::check_text(p, v, campaign::REPLY_MIN, campaign::REPLY_MAX).map_err(bad)?;
        }
    }
    for field in ["opt_in_keywords", "opt_out_keywords", "help_keywords"] {
        if let Some((p, v)) = list_of(given, field) {
            campaign::check_keywords(p, &v).map_err(bad)?;
        }
    }
    for field in ["privacy_policy_url", "terms_and_conditions_url"] {
        if let Some((p, v)) = text(given, field) {
            super::check_http_url(p, v, 20001)?;
        }
    }
    Ok(())
}

fn not_found(service_sid: &str, sid: &str) -> Error {
    Error::NotFound(format!("/Services/{service_sid}/Compliance/Usa2p/{sid}"))
}

/// The account's brand if it may register campaigns now: 400 / 21717 otherwise.
async fn approved_brand(app: &App, account_sid: &str, brand_sid: &str) -> Result<Registration> {
    let brand = app
        .store
        .registration(account_sid, Kind::Brand, brand_sid)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                21717,
                format!(
                    "BrandRegistrationSid {brand_sid} is not a brand registration of this account"
                ),
            )
        })?;
    if Kind::Brand.stage(&brand.status) != Stage::Approved {
        return Err(Error::invalid(
            21717,
            format!(
                "Brand {brand_sid} is {}: a campaign can be registered once its brand is APPROVED",
                brand.status
            ),
        ));
    }
    Ok(brand)
}

fn brand_type(brand: &Registration) -> &str {
    brand
        .fields
        .get("brand_type")
        .and_then(Value::as_str)
        .unwrap_or("STANDARD")
}

/// The use case by its code: 400 / 21720 for one the catalog does not know, 400 / 21717
/// for one the brand's type may not register.
fn usecase<'a>(app: &'a App, code: &str, brand: &Registration) -> Result<&'a Usecase> {
    let u = app.catalog.usecases.find(code).ok_or_else(|| {
        Error::invalid(
            21720,
            format!("UsAppToPersonUsecase \"{code}\" is not an A2P use case; GET /v1/Services/{{MessagingServiceSid}}/Compliance/Usa2p/Usecases lists them"),
        )
    })?;
    let t = brand_type(brand);
    if !u.brand_types.iter().any(|b| b == t) {
        let allowed: Vec<&str> = app
            .catalog
            .usecases
            .for_brand(Some(t))
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        return Err(Error::invalid(
            21717,
            format!(
                "Brand {} is a {t} brand, which cannot register the {code} use case; it may register: {}",
                brand.sid,
                allowed.join(", ")
            ),
        ));
    }
    Ok(u)
}

/// All of the account's campaigns (for the one-per-sole-proprietor-brand rule: the brand is
/// inside `fields`, which no query reads).
async fn all_campaigns(app: &App, account_sid: &str) -> Result<Vec<Registration>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .store
            .list_registrations(
                account_sid,
                KIND,
                &RegistrationFilter::default(),
                PageQuery { size: 1000, cursor },
            )
            .await?;
        let last = page.items.last().map(|r| r.seq);
        out.extend(page.items);
        match (page.has_next, last) {
            (true, Some(seq)) => cursor = Some(crate::store::Cursor::After(seq)),
            _ => return Ok(out),
        }
    }
}

fn brand_of(r: &Registration) -> &str {
    r.fields
        .get("brand_registration_sid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Registers a campaign on the account's Messaging Service (rules in the module docs). It
/// starts IN_PROGRESS with its first review step queued.
pub async fn create(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    brand_sid: &str,
    usecase_code: &str,
    given: Given,
) -> Result<Registration> {
    let service = messaging::get(app, account_sid, service_sid).await?;
    check(&given)?;
    let brand = approved_brand(app, account_sid, brand_sid).await?;
    let u = usecase(app, usecase_code, &brand)?;
    let service_usecase = service
        .config
        .get("usecase")
        .and_then(Value::as_str)
        .unwrap_or("undeclared");
    if !campaign::compatible(u, service_usecase) {
        return Err(Error::invalid(
            21719,
            format!(
                "The {usecase_code} use case does not go with Messaging Service {service_sid}'s use case \"{service_usecase}\" (it goes with: {}); update the service's Usecase or choose another A2P use case",
                u.service_usecases.join(", ")
            ),
        ));
    }
    if brand_type(&brand) == "SOLE_PROPRIETOR" {
        if let Some(other) = all_campaigns(app, account_sid)
            .await?
            .into_iter()
            .find(|c| brand_of(c) == brand_sid)
        {
            return Err(Error::conflict(
                20409,
                format!(
                    "SOLE_PROPRIETOR brand {brand_sid} already has its one campaign ({}, on Messaging Service {})",
                    other.sid,
                    other.parent_sid.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    if let Some(limit) = campaign::pool_limit(brand_type(&brand)) {
        let pool = pool_numbers(app, service_sid, limit).await?;
        if pool.len() > limit {
            return Err(Error::conflict(
                20409,
                format!(
                    "Messaging Service {service_sid} holds more than {limit} phone number ({}, …); a {} campaign sends from at most {limit}: remove the others from the service first",
                    pool.join(", "),
                    brand_type(&brand)
                ),
            ));
        }
    }
    let mut fields = Map::new();
    fields.insert("brand_registration_sid".into(), json!(brand_sid));
    fields.insert("us_app_to_person_usecase".into(), json!(u.code));
    // Twilio's defaults for what the create leaves out (the spec's createWithDefaults).
    fields.insert("subscriber_opt_in".into(), json!(true));
    fields.insert("age_gated".into(), json!(false));
    fields.insert("direct_lending".into(), json!(false));
    fields.insert(
        "opt_out_message".into(),
        json!(campaign::DEFAULT_OPT_OUT_MESSAGE),
    );
    fields.insert("help_message".into(), json!(campaign::DEFAULT_HELP_MESSAGE));
    fields.insert(
        "opt_out_keywords".into(),
        json!(campaign::DEFAULT_OPT_OUT_KEYWORDS),
    );
    fields.insert(
        "help_keywords".into(),
        json!(campaign::DEFAULT_HELP_KEYWORDS),
    );
    for (_, field, value) in given {
        fields.insert(field.into(), value);
    }
    // What the carrier limits depend on, kept from the brand at registration.
    fields.insert("brand_type".into(), json!(brand_type(&brand)));
    let skipped = brand
        .fields
        .get("skip_automatic_sec_vet")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    fields.insert("brand_skipped_vetting".into(), json!(skipped));
    let r = registrations::new(
        app,
        account_sid,
        KIND,
        Some(service_sid.to_string()),
        fields,
    );
    match registrations::create(app, r).await {
        Ok(saved) => Ok(saved),
        Err(StoreError::Duplicate(Unique::ServiceCampaign)) => {
            let existing = service_campaign(app, account_sid, service_sid)
                .await?
                .map(|c| c.sid)
                .unwrap_or_default();
            Err(Error::conflict(
                20409,
                format!("Messaging Service {service_sid} already has an A2P campaign ({existing}; one per service): delete it before registering another"),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// The service's campaign, if it has one.
async fn service_campaign(
    app: &App,
    account_sid: &str,
    service_sid: &str,
) -> Result<Option<Registration>> {
    let filter = RegistrationFilter {
        parent_sid: Some(service_sid.to_string()),
        status: None,
    };
    let page = app
        .store
        .list_registrations(
            account_sid,
            KIND,
            &filter,
            PageQuery {
                size: 1,
                cursor: None,
            },
        )
        .await?;
    Ok(page.items.into_iter().next())
}

/// The account's service's campaign, or 404 / 20404.
pub async fn get(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    sid: &str,
) -> Result<Registration> {
    messaging::get(app, account_sid, service_sid).await?;
    app.store
        .registration(account_sid, KIND, sid)
        .await?
        .filter(|r| r.parent_sid.as_deref() == Some(service_sid))
        .ok_or_else(|| not_found(service_sid, sid))
}

/// The service's campaigns (none or one), keyset paging.
pub async fn list(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    page: PageQuery,
) -> Result<Page<Registration>> {
    messaging::get(app, account_sid, service_sid).await?;
    let filter = RegistrationFilter {
        parent_sid: Some(service_sid.to_string()),
        status: None,
    };
    Ok(app
        .store
        .list_registrations(account_sid, KIND, &filter, page)
        .await?)
}

/// Edits a FAILED campaign and resubmits it (IN_PROGRESS, reviewed again); 409 / 20409 in
/// any other status. `given` replaces the values it carries.
pub async fn update(
    app: &App,
    account_sid: &str,
    service_sid: &str,
    sid: &str,
    given: Given,
) -> Result<Registration> {
    let mut r = get(app, account_sid, service_sid, sid).await?;
    check(&given)?;
    if KIND.stage(&r.status) != Stage::Rejected {
        return Err(Error::conflict(
            20409,
            format!(
                "Campaign {sid} is {}: only a FAILED campaign can be updated and resubmitted",
                r.status
            ),
        ));
    }
    for (_, field, value) in given {
        r.fields.insert(field.into(), value);
    }
    let change = registrations::transition(
        app,
        r,
        KIND.submitted(),
        crate::domain::registration::Actor::Customer,
        None,
    )?;
    registrations::commit(app, change).await
}

/// Deletes the service's campaign, in any status (404 / 20404 for none).
pub async fn delete(app: &App, account_sid: &str, service_sid: &str, sid: &str) -> Result<()> {
    get(app, account_sid, service_sid, sid).await?;
    match app
        .store
        .delete_registration(account_sid, KIND, sid, KIND.statuses())
        .await?
    {
        true => Ok(()),
        false => Err(not_found(service_sid, sid)),
    }
}

/// Refuses a Messaging Service `usecase` its campaign's A2P use case does not go with:
/// 400 / 21719 (its page: "Updating a Messaging Service use case to one that is not
/// compatible with the current A2P use case for this messaging service").
pub async fn check_service_usecase(app: &App, s: &MessagingService) -> Result<()> {
    let service_usecase = s
        .config
        .get("usecase")
        .and_then(Value::as_str)
        .unwrap_or("undeclared");
    let Some(c) = service_campaign(app, &s.account_sid, &s.sid).await? else {
        return Ok(());
    };
    let code = c
        .fields
        .get("us_app_to_person_usecase")
        .and_then(Value::as_str)
        .unwrap_or("");
    match app.catalog.usecases.find(code) {
        Some(u) if !campaign::compatible(u, service_usecase) => Err(Error::invalid(
            21719,
            format!(
                "Messaging Service {}'s campaign {} has the {code} use case, which goes with: {}; Usecase \"{service_usecase}\" does not",
                s.sid,
                c.sid,
                u.service_usecases.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

/// The use cases a campaign on the account's service may register: those of the brand's
/// type when `brand_sid` is given (none when the brand is not the account's or not APPROVED:
/// Twilio's "The Use Cases API returns an empty list if there is an issue with the
/// customer's A2P brand registration"), every STANDARD one otherwise.
pub async fn usecases<'a>(
    app: &'a App,
    account_sid: &str,
    service_sid: &str,
    brand_sid: Option<&str>,
) -> Result<Vec<&'a Usecase>> {
    messaging::get(app, account_sid, service_sid).await?;
    let Some(brand_sid) = brand_sid else {
        return Ok(app.catalog.usecases.for_brand(None));
    };
    Ok(match approved_brand(app, account_sid, brand_sid).await {
        Ok(brand) => app.catalog.usecases.for_brand(Some(brand_type(&brand))),
        Err(Error::Invalid { .. }) => Vec::new(),
        Err(e) => return Err(e),
    })
}

/// Refuses a number joining the pool of `service` when its campaign's brand type limits the
/// pool and the pool is full (a SOLE_PROPRIETOR campaign's service holds one number):
/// 409 / 20409 naming the campaign and the number it has. Checked before the insert, not
/// under a lock (as the one-campaign-per-sole-proprietor rule).
pub async fn check_pool_room(app: &App, service: &MessagingService) -> Result<()> {
    let Some(c) = service_campaign(app, &service.account_sid, &service.sid).await? else {
        return Ok(());
    };
    let kind = c
        .fields
        .get("brand_type")
        .and_then(Value::as_str)
        .unwrap_or("STANDARD");
    let Some(limit) = campaign::pool_limit(kind) else {
        return Ok(());
    };
    let pool = pool_numbers(app, &service.sid, limit).await?;
    if pool.len() < limit {
        return Ok(());
    }
    Err(Error::conflict(
        20409,
        format!(
            "Messaging Service {} already holds as many phone numbers as its {kind} campaign {} may send from ({limit}: {}): remove one from the service first",
            service.sid,
            c.sid,
            pool.join(", ")
        ),
    ))
}

/// Up to `limit + 1` phone numbers (E.164) of the service's pool.
async fn pool_numbers(app: &App, service_sid: &str, limit: usize) -> Result<Vec<String>> {
    let page = app
        .store
        .list_service_numbers(
            service_sid,
            PageQuery {
                size: limit + 1,
                cursor: None,
            },
        )
        .await?;
    Ok(page.items.into_iter().map(|n| n.phone_number).collect())
}

/// What a Messaging Service shows of its campaign: `us_app_to_person_registered` (true
/// while its campaign is VERIFIED) and its `usecase` (its own, or, while it is
/// `undeclared`, the first Messaging Service use case its campaign's A2P use case goes
/// with).
pub async fn service_view(app: &App, s: &MessagingService) -> Result<(bool, Value)> {
    let c = service_campaign(app, &s.account_sid, &s.sid).await?;
    Ok(view_with(app, s, c.as_ref()))
}

/// `service_view` for each of a page of one account's Messaging Services, keyed by the
/// service's SID, with their campaigns read in one query.
pub async fn service_views(
    app: &App,
    account_sid: &str,
    services: &[MessagingService],
) -> Result<HashMap<String, (bool, Value)>> {
    let sids: Vec<String> = services.iter().map(|s| s.sid.clone()).collect();
    let campaigns = app
        .store
        .registrations_of_parents(account_sid, KIND, &sids)
        .await?;
    let mut by_service: HashMap<&str, &Registration> = HashMap::new();
    for c in &campaigns {
        if let Some(parent) = c.parent_sid.as_deref() {
            by_service.entry(parent).or_insert(c);
        }
    }
    Ok(services
        .iter()
        .map(|s| {
            let c = by_service.get(s.sid.as_str()).copied();
            (s.sid.clone(), view_with(app, s, c))
        })
        .collect())
}

fn view_with(app: &App, s: &MessagingService, c: Option<&Registration>) -> (bool, Value) {
    let own = s.config.get("usecase").cloned().unwrap_or(Value::Null);
    let Some(c) = c else {
        return (false, own);
    };
    let registered = KIND.stage(&c.status) == Stage::Approved;
    let usecase = match own.as_str() {
        Some("undeclared") | None => c
            .fields
            .get("us_app_to_person_usecase")
            .and_then(Value::as_str)
            .and_then(|code| app.catalog.usecases.find(code))
            .and_then(|u| u.service_usecases.first())
            .map(|s| json!(s))
            .unwrap_or(own),
        Some(_) => own,
    };
    (registered, usecase)
}

/// A campaign's trigger values and its one dependency, its brand: APPROVED (and, for a sole
/// proprietor, its identity verified by the OTP) is ready; FAILED or deleted fails the
/// campaign; anything else makes it wait.
pub async fn review_input(
    app: &App,
    r: &Registration,
) -> Result<(Vec<(String, String)>, Vec<Dependency>)> {
    let brand_sid = brand_of(r);
    let brand = app
        .store
        .registration(&r.account_sid, Kind::Brand, brand_sid)
        .await?;
    let d = match brand {
        None => Dependency::Failed(format!("The brand {brand_sid} no longer exists")),
        Some(b) => match Kind::Brand.stage(&b.status) {
            Stage::Approved
                if brand_type(&b) == "SOLE_PROPRIETOR"
                    && b.fields.get("identity_status").and_then(Value::as_str)
                        == Some("UNVERIFIED") =>
            {
                Dependency::Pending
            }
            Stage::Approved => Dependency::Ready,
            Stage::Rejected => Dependency::Failed(format!("The brand {brand_sid} is FAILED")),
            _ => Dependency::Pending,
        },
    };
    Ok((registrations::trigger_values(r), vec![d]))
}
