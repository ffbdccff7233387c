//! A customer's lists: customer profiles, trust products, end users, supporting documents,
//! addresses and phone numbers, each with a friendly-name search and keyset paging.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

use super::error::{ConsoleError, ConsoleResult};
use super::layout::{self, date, notice, page_query, pager, search, status_badge};
use super::session::Customer;
use crate::domain::bundle::BundleKind;
use crate::http::path::Path;
use crate::service::{addresses, bundles, entities, numbers, App};
use crate::store::{
    Account, AddressFilter, BundleFilter, EntityKind, NumberFilter, Page, PageQuery,
};

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/console/accounts/{account}/{list}", get(list))
}

/// Every list of an account, by the last segment of its URL (`customer-profiles`,
/// `trust-products`, `end-users`, `supporting-documents`, `addresses`, `phone-numbers`);
/// any other is a 404.
async fn list(
    State(app): State<Arc<App>>,
    c: Customer,
    Path((account, list)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    let viewing = c.scope(&app, &account).await?;
    let (title, body) = match list.as_str() {
        "customer-profiles" => bundle_list(&app, &viewing, BundleKind::CustomerProfile, &q).await?,
        "trust-products" => bundle_list(&app, &viewing, BundleKind::TrustProduct, &q).await?,
        "end-users" => entity_list(&app, &viewing, EntityKind::EndUser, &q).await?,
        "supporting-documents" => {
            entity_list(&app, &viewing, EntityKind::SupportingDocument, &q).await?
        }
        "addresses" => address_list(&app, &viewing, &q).await?,
        "phone-numbers" => number_list(&app, &viewing, &q).await?,
        _ => return Err(ConsoleError::NotFound),
    };
    let base = format!("/console/accounts/{}/{list}", viewing.sid);
    let body = html! {
        h1 { (title) }
        @if matches!(list.as_str(), "customer-profiles" | "trust-products") {
            (notice(q.notice.as_deref()))
        }
        @if list == "customer-profiles" {
            p { a.button href={ "/console/accounts/" (viewing.sid) "/primary-profile/new" } { "Create a Primary Business Profile" } }
        }
        (search(&base, q.search().as_deref(), "Friendly name (exact)"))
        (body.table)
        (pager(&body.page, &base, q.search().as_deref(), |seq| *seq))
    };
    Ok(layout::page(title, c.nav(&viewing), body))
}

/// A list's table (or a note that it is empty) and its rows' positions for the pager.
struct Listing {
    table: Markup,
    page: Page<i64>,
}

impl Listing {
    /// The rows of `page` under `headers`, each row's cells from `cells`; `seq` is a
    /// row's keyset position.
    fn of<T>(
        page: Page<T>,
        seq: fn(&T) -> i64,
        headers: [&str; 5],
        cells: impl Fn(usize, &T) -> Markup,
    ) -> Self {
        let table = html! {
            @if page.items.is_empty() {
                p.empty { "Nothing here yet." }
            } @else {
                table {
                    thead { tr { @for h in headers { th scope="col" { (h) } } } }
                    tbody { @for (i, item) in page.items.iter().enumerate() { tr { (cells(i, item)) } } }
                }
            }
        };
        Listing {
            table,
            page: Page {
                items: page.items.iter().map(seq).collect(),
                has_next: page.has_next,
                has_prev: page.has_prev,
            },
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    notice: Option<String>,
}

impl ListQuery {
    fn search(&self) -> Option<String> {
        self.q
            .clone()
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty())
    }
    pub(super) fn page(&self) -> PageQuery {
        page_query(self.after, self.before)
    }
}

async fn bundle_list(
    app: &App,
    viewing: &Account,
    kind: BundleKind,
    q: &ListQuery,
) -> ConsoleResult<(&'static str, Listing)> {
    let filter = BundleFilter {
        friendly_name: q.search(),
        ..Default::default()
    };
    let page = bundles::list(app, &viewing.sid, kind, &filter, q.page()).await?;
    let title = match kind {
        BundleKind::CustomerProfile => "Customer profiles",
        BundleKind::TrustProduct => "Trust products",
    };
    let headers = ["Name", "Status", "Policy", "SID", "Updated"];
    let listing = Listing::of(
        page,
        |b| b.seq,
        headers,
        |_, b| {
            html! {
                td { a href={ "/console/accounts/" (viewing.sid) "/bundles/" (b.sid) } { (b.friendly_name) } }
                td { (status_badge(b.status)) }
                td { (app.catalog.policy(&b.policy_sid).map(|p| p.friendly_name.as_str()).unwrap_or(&b.policy_sid)) }
                td { code { (b.sid) } }
                td { (date(b.date_updated)) }
            }
        },
    );
    Ok((title, listing))
}

async fn entity_list(
    app: &App,
    viewing: &Account,
    kind: EntityKind,
    q: &ListQuery,
) -> ConsoleResult<(&'static str, Listing)> {
    let name = q.search();
    let page = entities::list(app, &viewing.sid, kind, name.as_deref(), q.page()).await?;
    let used_by = entities::holders_of(app, &page.items).await?;
    let title = match kind {
        EntityKind::EndUser => "End users",
        EntityKind::SupportingDocument => "Supporting documents",
    };
    let headers = ["Name", "Type", "SID", "Used by", "Created"];
    let listing = Listing::of(
        page,
        |e| e.seq,
        headers,
        |i, e| {
            html! {
                td { (e.friendly_name) }
                td { (e.type_name) }
                td { code { (e.sid) } }
                td {
                    @for b in &used_by[i] {
                        a href={ "/console/accounts/" (b.account_sid) "/bundles/" (b.sid) } { (b.friendly_name) }
                        " " (status_badge(b.status)) br;
                    }
                }
                td { (date(e.date_created)) }
            }
        },
    );
    Ok((title, listing))
}

async fn address_list(
    app: &App,
    viewing: &Account,
    q: &ListQuery,
) -> ConsoleResult<(&'static str, Listing)> {
    let filter = AddressFilter {
        friendly_name: q.search(),
        ..Default::default()
    };
    let page = addresses::list(app, viewing, &filter, q.page()).await?;
    let headers = ["Name", "Customer", "Address", "SID", "Created"];
    let listing = Listing::of(
        page,
        |a| a.seq,
        headers,
        |_, a| {
            html! {
                td { (a.friendly_name.as_deref().unwrap_or("—")) }
                td { (a.customer_name) }
                td {
                    (a.street)
                    @if let Some(s2) = &a.street_secondary { ", " (s2) }
                    ", " (a.city) ", " (a.region) " " (a.postal_code) ", " (a.iso_country)
                }
                td { code { (a.sid) } }
                td { (date(a.date_created)) }
            }
        },
    );
    Ok(("Addresses", listing))
}

async fn number_list(
    app: &App,
    viewing: &Account,
    q: &ListQuery,
) -> ConsoleResult<(&'static str, Listing)> {
    let filter = NumberFilter {
        friendly_name: q.search(),
        ..Default::default()
    };
    let page = numbers::list(app, viewing, &filter, Default::default(), q.page()).await?;
    let held = numbers::bundles_shown(app, &viewing.sid, &page.items).await?;
    let headers = ["Number", "Name", "SID", "Bundle", "Created"];
    let listing = Listing::of(
        page,
        |n| n.seq,
        headers,
        |i, n| {
            html! {
                td { (n.phone_number) }
                td { (n.friendly_name) }
                td { code { (n.sid) } }
                td {
                    @match &held[i] {
                        (_, Some(b)) => {
                            a href={ "/console/accounts/" (viewing.sid) "/bundles/" (b.sid) } { (b.friendly_name) }
                            " " (status_badge(b.status))
                        }
                        (Some(s), None) => code { (s) },
                        (None, None) => "—",
                    }
                }
                td { (date(n.date_created)) }
            }
        },
    );
    Ok(("Phone numbers", listing))
}
