//! A customer's lists: customer profiles, trust products, end users, supporting documents,
//! addresses and phone numbers, each with a friendly-name search and keyset paging.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

use super::error::ConsoleResult;
use super::layout::{self, date, notice, page_query, pager, search, status_badge, Nav};
use super::session::Customer;
use crate::domain::bundle::BundleKind;
use crate::http::path::Path;
use crate::service::{addresses, bundles, entities, numbers, App};
use crate::store::{
    Account, AddressFilter, BundleFilter, Cursor, Entity, EntityKind, NumberFilter, Page, PageQuery,
};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/console/accounts/{account}/customer-profiles",
            get(customer_profiles),
        )
        .route(
            "/console/accounts/{account}/trust-products",
            get(trust_products),
        )
        .route("/console/accounts/{account}/end-users", get(end_users))
        .route(
            "/console/accounts/{account}/supporting-documents",
            get(documents),
        )
        .route("/console/accounts/{account}/addresses", get(address_list))
        .route(
            "/console/accounts/{account}/phone-numbers",
            get(number_list),
        )
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
    fn page(&self) -> PageQuery {
        page_query(self.after, self.before)
    }
}

fn frame(c: &Customer, viewing: &Account, title: &str, body: Markup) -> Markup {
    layout::page(
        title,
        Nav::Customer {
            me: &c.account,
            viewing,
            csrf: &c.session.csrf,
        },
        body,
    )
}

async fn bundle_list(
    app: &App,
    c: &Customer,
    account: &str,
    kind: BundleKind,
    q: &ListQuery,
) -> ConsoleResult<Markup> {
    let viewing = c.scope(app, account).await?;
    let filter = BundleFilter {
        friendly_name: q.search(),
        ..Default::default()
    };
    let page = bundles::list(app, &viewing.sid, kind, &filter, q.page()).await?;
    let (title, slug) = match kind {
        BundleKind::CustomerProfile => ("Customer profiles", "customer-profiles"),
        BundleKind::TrustProduct => ("Trust products", "trust-products"),
    };
    let base = format!("/console/accounts/{}/{slug}", viewing.sid);
    let body = html! {
        h1 { (title) }
        (notice(q.notice.as_deref()))
        @if kind == BundleKind::CustomerProfile {
            p { a.button href={ "/console/accounts/" (viewing.sid) "/primary-profile/new" } { "Create a Primary Business Profile" } }
        }
        (search(&base, q.search().as_deref(), "Friendly name (exact)"))
        @if page.items.is_empty() {
            p.empty { "Nothing here yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Status" } th scope="col" { "Policy" }
                    th scope="col" { "SID" } th scope="col" { "Updated" }
                } }
                tbody {
                    @for b in &page.items {
                        tr {
                            td { a href={ "/console/accounts/" (viewing.sid) "/bundles/" (b.sid) } { (b.friendly_name) } }
                            td { (status_badge(b.status)) }
                            td { (app.catalog.policy(&b.policy_sid).map(|p| p.friendly_name.as_str()).unwrap_or(&b.policy_sid)) }
                            td { code { (b.sid) } }
                            td { (date(b.date_updated)) }
                        }
                    }
                }
            }
        }
        (pager(&page, &base, q.search().as_deref(), |b| b.seq))
    };
    Ok(frame(c, &viewing, title, body))
}

async fn customer_profiles(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    bundle_list(&app, &c, &account, BundleKind::CustomerProfile, &q).await
}

async fn trust_products(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    bundle_list(&app, &c, &account, BundleKind::TrustProduct, &q).await
}

/// The store has no name filter for entities: walk its keyset pages and keep the matches,
/// so a search still pages with the same cursors.
async fn search_entities(
    app: &App,
    account: &str,
    kind: EntityKind,
    name: &str,
    q: PageQuery,
) -> ConsoleResult<Page<Entity>> {
    const CHUNK: usize = 200;
    let hit = |e: &Entity| e.friendly_name == name;
    let mut found: Vec<Entity> = Vec::new();
    let mut cursor = q.cursor;
    let backwards = matches!(q.cursor, Some(Cursor::Before(_)));
    loop {
        let chunk = PageQuery {
            size: CHUNK,
            cursor,
        };
        let p = entities::list(app, account, kind, chunk).await?;
        let (first, last) = (
            p.items.first().map(|e| e.seq),
            p.items.last().map(|e| e.seq),
        );
        let matches: Vec<Entity> = p.items.into_iter().filter(|e| hit(e)).collect();
        if backwards {
            found.splice(0..0, matches);
            match (p.has_prev, first) {
                (true, Some(f)) if found.len() <= q.size => cursor = Some(Cursor::Before(f)),
                _ => break,
            }
        } else {
            found.extend(matches);
            match (p.has_next, last) {
                (true, Some(l)) if found.len() <= q.size => cursor = Some(Cursor::After(l)),
                _ => break,
            }
        }
    }
    let more = found.len() > q.size;
    if backwards {
        let skip = found.len().saturating_sub(q.size);
        found.drain(..skip);
        Ok(Page {
            items: found,
            has_next: true,
            has_prev: more,
        })
    } else {
        found.truncate(q.size);
        Ok(Page {
            items: found,
            has_next: more,
            has_prev: q.cursor.is_some(),
        })
    }
}

async fn entity_list(
    app: &App,
    c: &Customer,
    account: &str,
    kind: EntityKind,
    q: &ListQuery,
) -> ConsoleResult<Markup> {
    let viewing = c.scope(app, account).await?;
    let page = match q.search() {
        Some(name) => search_entities(app, &viewing.sid, kind, &name, q.page()).await?,
        None => entities::list(app, &viewing.sid, kind, q.page()).await?,
    };
    let mut used_by = Vec::new();
    for e in &page.items {
        used_by.push(app.store.bundles_holding(&e.sid).await?);
    }
    let (title, slug) = match kind {
        EntityKind::EndUser => ("End users", "end-users"),
        EntityKind::SupportingDocument => ("Supporting documents", "supporting-documents"),
    };
    let base = format!("/console/accounts/{}/{slug}", viewing.sid);
    let body = html! {
        h1 { (title) }
        (search(&base, q.search().as_deref(), "Friendly name (exact)"))
        @if page.items.is_empty() {
            p.empty { "Nothing here yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Type" } th scope="col" { "SID" }
                    th scope="col" { "Used by" } th scope="col" { "Created" }
                } }
                tbody {
                    @for (e, holders) in page.items.iter().zip(&used_by) {
                        tr {
                            td { (e.friendly_name) }
                            td { (e.type_name) }
                            td { code { (e.sid) } }
                            td {
                                @for b in holders {
                                    a href={ "/console/accounts/" (b.account_sid) "/bundles/" (b.sid) } { (b.friendly_name) }
                                    " " (status_badge(b.status)) br;
                                }
                            }
                            td { (date(e.date_created)) }
                        }
                    }
                }
            }
        }
        (pager(&page, &base, q.search().as_deref(), |e| e.seq))
    };
    Ok(frame(c, &viewing, title, body))
}

async fn end_users(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    entity_list(&app, &c, &account, EntityKind::EndUser, &q).await
}

async fn documents(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    entity_list(&app, &c, &account, EntityKind::SupportingDocument, &q).await
}

async fn address_list(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    let viewing = c.scope(&app, &account).await?;
    let filter = AddressFilter {
        friendly_name: q.search(),
        ..Default::default()
    };
    let page = addresses::list(&app, &viewing, &filter, q.page()).await?;
    let base = format!("/console/accounts/{}/addresses", viewing.sid);
    let body = html! {
        h1 { "Addresses" }
        (search(&base, q.search().as_deref(), "Friendly name (exact)"))
        @if page.items.is_empty() {
            p.empty { "Nothing here yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Customer" } th scope="col" { "Address" }
                    th scope="col" { "SID" } th scope="col" { "Created" }
                } }
                tbody {
                    @for a in &page.items {
                        tr {
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
                    }
                }
            }
        }
        (pager(&page, &base, q.search().as_deref(), |a| a.seq))
    };
    Ok(frame(&c, &viewing, "Addresses", body))
}

async fn number_list(
    State(app): State<Arc<App>>,
    c: Customer,
    Path(account): Path<String>,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    let viewing = c.scope(&app, &account).await?;
    let filter = NumberFilter {
        friendly_name: q.search(),
        ..Default::default()
    };
    let page = numbers::list(&app, &viewing, &filter, Default::default(), q.page()).await?;
    let mut held = Vec::new();
    for n in &page.items {
        let sid = numbers::bundle_of(&app, n).await?;
        let bundle = match &sid {
            Some(s) => app.store.bundle(&viewing.sid, s).await?,
            None => None,
        };
        held.push((sid, bundle));
    }
    let base = format!("/console/accounts/{}/phone-numbers", viewing.sid);
    let body = html! {
        h1 { "Phone numbers" }
        (search(&base, q.search().as_deref(), "Friendly name (exact)"))
        @if page.items.is_empty() {
            p.empty { "Nothing here yet." }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Number" } th scope="col" { "Name" } th scope="col" { "SID" }
                    th scope="col" { "Bundle" } th scope="col" { "Created" }
                } }
                tbody {
                    @for (n, (sid, bundle)) in page.items.iter().zip(&held) {
                        tr {
                            td { (n.phone_number) }
                            td { (n.friendly_name) }
                            td { code { (n.sid) } }
                            td {
                                @match (bundle, sid) {
                                    (Some(b), _) => {
                                        a href={ "/console/accounts/" (viewing.sid) "/bundles/" (b.sid) } { (b.friendly_name) }
                                        " " (status_badge(b.status))
                                    }
                                    (None, Some(s)) => code { (s) },
                                    (None, None) => "—",
                                }
                            }
                            td { (date(n.date_created)) }
                        }
                    }
                }
            }
        }
        (pager(&page, &base, q.search().as_deref(), |n| n.seq))
    };
    Ok(frame(&c, &viewing, "Phone numbers", body))
}
