//! The account switcher: a parent account sees its subaccounts' TrustHub data too.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use std::sync::Arc;

use super::error::ConsoleResult;
use super::layout::{self, date, pager};
use super::lists::ListQuery;
use super::session::Customer;
use crate::service::{accounts, App};
use crate::store::AccountFilter;

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/console/accounts", get(list))
}

/// Pages like the other lists (`after`/`before`); there is no search.
async fn list(
    State(app): State<Arc<App>>,
    c: Customer,
    Query(q): Query<ListQuery>,
) -> ConsoleResult<Markup> {
    let filter = AccountFilter::default();
    let page = accounts::list(&app, &c.account, &filter, q.page()).await?;
    let body = html! {
        h1 { "Accounts" }
        p { "Your account and its subaccounts. Open one to see its profiles, documents and numbers." }
        table {
            thead { tr { th scope="col" { "Name" } th scope="col" { "Account SID" } th scope="col" { "Status" } th scope="col" { "Created" } } }
            tbody {
                @for a in &page.items {
                    tr {
                        td { a href={ "/console/accounts/" (a.sid) "/customer-profiles" } { (a.friendly_name) } }
                        td { code { (a.sid) } }
                        td { (a.status) }
                        td { (date(a.date_created)) }
                    }
                }
            }
        }
        (pager(&page, "/console/accounts", None, |a| a.seq))
    };
    Ok(layout::page("Accounts", c.nav(&c.account), body))
}
