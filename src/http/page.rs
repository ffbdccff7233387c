//! v1 paging: PageSize/Page/PageToken in, Twilio's `meta` envelope out.
//! PageToken is an opaque keyset cursor (`PA`/`PB` + base64 of the row position).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::form::Params;
use crate::error::ApiError;
use crate::store::{Cursor, Page, PageQuery};

pub const DEFAULT_SIZE: usize = 50;
pub const MAX_SIZE: usize = 1000;

/// What the request asked for, kept to build the `meta` URLs.
pub struct Paging {
    pub query: PageQuery,
    pub page: u64,
    pub token: Option<String>,
}

pub fn parse(params: &Params) -> Result<Paging, ApiError> {
    let size = match params.get("PageSize") {
        None | Some("") => DEFAULT_SIZE,
        // The helper libraries send a user's `limit` as PageSize: clamp, don't refuse.
        Some(s) if s.len() > 9 && s.bytes().all(|b| b.is_ascii_digit()) => MAX_SIZE,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => (n as u64).min(MAX_SIZE as u64) as usize,
            _ => {
                return Err(ApiError::invalid(
                    20007,
                    format!("PageSize must be a whole number from 1 to {MAX_SIZE}; got \"{s}\""),
                ))
            }
        },
    };
    let page = match params.get("Page") {
        None | Some("") => 0,
        Some(s) => s
            .parse::<u64>()
            .ok()
            .filter(|p| *p <= 1_000_000_000)
            .ok_or_else(|| {
                ApiError::invalid(
                    20007,
                    format!("Page must be a whole number from 0 to 1000000000; got \"{s}\""),
                )
            })?,
    };
    let token = params.owned("PageToken").filter(|t| !t.is_empty());
    let cursor = token.as_deref().map(decode_token).transpose()?;
    Ok(Paging {
        query: PageQuery { size, cursor },
        page,
        token,
    })
}

fn decode_token(t: &str) -> Result<Cursor, ApiError> {
    let bad = || {
        ApiError::invalid(
            21481,
            "Invalid PageToken: use the next_page_url or previous_page_url the API returned",
        )
    };
    let (dir, rest) = (t.get(..2).ok_or_else(bad)?, t.get(2..).ok_or_else(bad)?);
    let bytes = URL_SAFE_NO_PAD.decode(rest).map_err(|_| bad())?;
    let seq: i64 = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n: &i64| n >= 0)
        .ok_or_else(bad)?;
    match dir {
        "PA" => Ok(Cursor::After(seq)),
        "PB" => Ok(Cursor::Before(seq)),
        _ => Err(bad()),
    }
}

fn encode_token(cursor: Cursor) -> String {
    let (dir, seq) = match cursor {
        Cursor::After(s) => ("PA", s),
        Cursor::Before(s) => ("PB", s),
    };
    format!("{dir}{}", URL_SAFE_NO_PAD.encode(seq.to_string()))
}

/// The paging URLs of a page. `list_url` is absolute for v1 and relative for 2010.
pub struct Links {
    pub first: String,
    pub current: String,
    pub next: Option<String>,
    pub previous: Option<String>,
}

pub fn links<T>(
    page: &Page<T>,
    paging: &Paging,
    list_url: &str,
    filters: &[(&str, String)],
    seq: impl Fn(&T) -> i64,
) -> Links {
    let url_with = |page_no: u64, token: Option<String>| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in filters {
            q.append_pair(k, v);
        }
        q.append_pair("PageSize", &paging.query.size.to_string());
        q.append_pair("Page", &page_no.to_string());
        if let Some(t) = token {
            q.append_pair("PageToken", &t);
        }
        format!("{list_url}?{}", q.finish())
    };
    Links {
        first: url_with(0, None),
        current: url_with(paging.page, paging.token.clone()),
        next: match (page.has_next, page.items.last()) {
            (true, Some(last)) => Some(url_with(
                paging.page + 1,
                Some(encode_token(Cursor::After(seq(last)))),
            )),
            _ => None,
        },
        previous: match (page.has_prev, page.items.first()) {
            (true, Some(first)) => Some(url_with(
                paging.page.saturating_sub(1),
                Some(encode_token(Cursor::Before(seq(first)))),
            )),
            _ => None,
        },
    }
}

/// Renders v1's `{key: [...], meta: {...}}`. `filters` are the request's filters, echoed
/// into every paging URL so the libraries (which follow `next_page_url` verbatim) keep them.
pub fn envelope<T>(
    page: &Page<T>,
    paging: &Paging,
    list_url: &str,
    filters: &[(&str, String)],
    key: &str,
    seq: impl Fn(&T) -> i64,
    render: impl Fn(&T) -> Value,
) -> Value {
    let l = links(page, paging, list_url, filters, seq);
    json!({
        key: page.items.iter().map(render).collect::<Vec<_>>(),
        "meta": {
            "page": paging.page,
            "page_size": paging.query.size,
            "first_page_url": l.first,
            "previous_page_url": l.previous,
            "url": l.current,
            "next_page_url": l.next,
            "key": key,
        }
    })
}

/// Renders 2010's envelope: relative `*_page_uri`s, `start`/`end` record indexes and
/// exactly one list key (the libraries find the records as the one non-meta key).
pub fn envelope_2010<T>(
    page: &Page<T>,
    paging: &Paging,
    list_path: &str,
    filters: &[(&str, String)],
    key: &str,
    seq: impl Fn(&T) -> i64,
    render: impl Fn(&T) -> Value,
) -> Value {
    let l = links(page, paging, list_path, filters, seq);
    let start = paging.page * paging.query.size as u64;
    let end = (start + page.items.len() as u64)
        .saturating_sub(1)
        .max(start);
    json!({
        key: page.items.iter().map(render).collect::<Vec<_>>(),
        "end": end,
        "first_page_uri": l.first,
        "next_page_uri": l.next,
        "page": paging.page,
        "page_size": paging.query.size,
        "previous_page_uri": l.previous,
        "start": start,
        "uri": l.current,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        for c in [Cursor::After(42), Cursor::Before(7)] {
            assert_eq!(decode_token(&encode_token(c)).unwrap(), c);
        }
        for bad in ["", "P", "PAzz!", "PX", "PA", "XXMTI"] {
            assert!(decode_token(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn page_size_is_clamped() {
        let p = Params(vec![("PageSize".into(), "2500".into())]);
        assert_eq!(parse(&p).unwrap().query.size, MAX_SIZE);
        let p = Params(vec![("PageSize".into(), "0".into())]);
        assert!(parse(&p).is_err());
    }
}
