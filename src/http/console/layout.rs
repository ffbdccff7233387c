//! The page frame and small shared pieces: navigation, status badges, paging, notices.

use maud::{html, Markup, DOCTYPE};

use crate::domain::bundle::Status;
use crate::format::iso;
use crate::store::{Account, Cursor, Page, PageQuery};

/// Who the page is for: decides the navigation.
pub enum Nav<'a> {
    Customer {
        me: &'a Account,
        viewing: &'a Account,
        csrf: &'a str,
    },
    Operator {
        csrf: &'a str,
    },
}

fn frame(title: &str, header: Markup, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · TrustHub console" }
                link rel="stylesheet" href="/console/static/console.css";
                script src="/console/static/console.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                (header)
                main #main tabindex="-1" { (content) }
            }
        }
    }
}

/// A page without navigation (sign-in, errors, inquiries).
pub fn bare(title: &str, content: Markup) -> Markup {
    frame(title, brand(html! {}), content)
}

fn brand(rest: Markup) -> Markup {
    html! {
        header.top {
            a.brand href="/console" { span.logo aria-hidden="true" { "◆" } " TrustHub" }
            (rest)
        }
    }
}

fn sign_out(csrf: &str) -> Markup {
    html! {
        form.inline method="post" action="/console/sign-out" {
            input type="hidden" name="csrf" value=(csrf);
            button.link type="submit" { "Sign out" }
        }
    }
}

pub fn page(title: &str, nav: Nav, content: Markup) -> Markup {
    let header = match nav {
        Nav::Customer { me, viewing, csrf } => {
            let base = format!("/console/accounts/{}", viewing.sid);
            let links = [
                ("customer-profiles", "Customer profiles"),
                ("trust-products", "Trust products"),
                ("end-users", "End users"),
                ("supporting-documents", "Documents"),
                ("addresses", "Addresses"),
                ("phone-numbers", "Phone numbers"),
            ];
            brand(html! {
                span.who {
                    (viewing.friendly_name) " "
                    code { (viewing.sid) }
                    @if viewing.sid != me.sid { " (subaccount of " (me.friendly_name) ")" }
                }
                nav aria-label="Main" {
                    ul {
                        @for (path, label) in links {
                            li { a href={ (base) "/" (path) } { (label) } }
                        }
                        li { a href={ (base) "/primary-profile/new" } { "Create Primary Business Profile" } }
                        @if me.owner_sid.is_none() {
                            li { a href="/console/accounts" { "Accounts" } }
                        }
                        li { a href="/console/requests" { "Requests" } }
                        li { (sign_out(csrf)) }
                    }
                }
            })
        }
        Nav::Operator { csrf } => brand(html! {
            span.who { "Operator" }
            nav aria-label="Main" {
                ul {
                    li { a href="/console/reviews" { "Review queue" } }
                    li { a href="/console/operator/accounts" { "Accounts" } }
                    li { a href="/console/operator/requests" { "Requests" } }
                    li { a href="/console/operator/audit" { "Audit" } }
                    li { (sign_out(csrf)) }
                }
            }
        }),
    };
    frame(title, header, content)
}

/// A coloured badge with the status in words (colour is never the only signal).
pub fn status_badge(s: Status) -> Markup {
    let class = match s {
        Status::Draft => "draft",
        Status::PendingReview | Status::InReview => "review",
        Status::TwilioApproved => "approved",
        Status::TwilioRejected => "rejected",
    };
    html! { span class={ "badge " (class) } { (s.as_str()) } }
}

pub fn date(ts: i64) -> Markup {
    let s = iso(ts);
    html! { time datetime=(s) { (s.replace('T', " ").trim_end_matches('Z')) " UTC" } }
}

/// Fixed messages chosen by a `notice` query value: nothing a link can inject.
pub fn notice(key: Option<&str>) -> Markup {
    let text = match key {
        Some("created") => "The profile was created.",
        Some("submitted") => "Submitted for review.",
        Some("evaluated") => "Evaluated: see the checklist below.",
        Some("saved") => "Saved.",
        Some("approved") => "The bundle was approved.",
        Some("rejected") => "The bundle was rejected.",
        Some("registration-approved") => "The registration was approved.",
        Some("registration-rejected") => "The registration was rejected.",
        Some("sent-already") => "This form was sent already: this is the profile it made. Nothing more was created.",
        Some("refused") => "The bundle is not compliant yet and was not submitted: fix the failing requirements below.",
        _ => return html! {},
    };
    html! { div.notice role="status" { (text) } }
}

pub const PAGE_SIZE: usize = 20;

/// `after`/`before` query values → the store's keyset query.
pub fn page_query(after: Option<i64>, before: Option<i64>) -> PageQuery {
    PageQuery {
        size: PAGE_SIZE,
        cursor: match (after, before) {
            (Some(a), _) => Some(Cursor::After(a)),
            (None, Some(b)) => Some(Cursor::Before(b)),
            _ => None,
        },
    }
}

/// Previous / next links keeping the search.
pub fn pager<T>(page: &Page<T>, base: &str, q: Option<&str>, seq: impl Fn(&T) -> i64) -> Markup {
    let link = |key: &str, at: i64| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if let Some(q) = q.filter(|q| !q.is_empty()) {
            s.append_pair("q", q);
        }
        s.append_pair(key, &at.to_string());
        format!("{base}?{}", s.finish())
    };
    html! {
        nav.pager aria-label="Pages" {
            @if let (true, Some(first)) = (page.has_prev, page.items.first()) {
                a rel="prev" href=(link("before", seq(first))) { "← Previous" }
            }
            @if let (true, Some(last)) = (page.has_next, page.items.last()) {
                a rel="next" href=(link("after", seq(last))) { "Next →" }
            }
        }
    }
}

/// The search-by-friendly-name form of a list.
pub fn search(base: &str, q: Option<&str>, label: &str) -> Markup {
    html! {
        form.search method="get" action=(base) role="search" {
            label for="q" { (label) }
            input #q type="search" name="q" value=[q];
            button type="submit" { "Search" }
            @if q.is_some_and(|q| !q.is_empty()) { a href=(base) { "Clear" } }
        }
    }
}

pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}
