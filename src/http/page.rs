//! v1 paging: PageSize/Page/PageToken in, Twilio's `meta` envelope out.
//! PageToken is an opaque keyset cursor: `PA` (next) or `PB` (previous) + base64 of the
//! row position sealed with AES-256-GCM under the store's paging key, bound to the
//! account and list it came from. It reveals nothing (positions are shared by all
//! accounts) and cannot be forged or moved to another list; anything else is 21481.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use super::form::Params;
use crate::error::Error;
use crate::store::{self, Cursor, Page, PageQuery};

pub const DEFAULT_SIZE: usize = 50;
pub const MAX_SIZE: usize = 1000;

/// What the request asked for, kept to build the `meta` URLs.
pub struct Paging {
    pub query: PageQuery,
    pub page: u64,
    pub token: Option<String>,
    /// The account and list path tokens are bound to.
    pub scope: String,
}

static KEY: OnceLock<([u8; 32], Aes256Gcm)> = OnceLock::new();

/// Sets the paging key (32 bytes, kept in the store so every server shares it).
pub fn set_key(raw: &[u8; 32]) {
    let _ = KEY.set((*raw, Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(raw))));
}

fn key() -> &'static ([u8; 32], Aes256Gcm) {
    KEY.get_or_init(|| {
        let mut raw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        (raw, Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&raw)))
    })
}

pub fn parse(params: &Params) -> Result<Paging, Error> {
    let size = match params.get("PageSize") {
        None | Some("") => DEFAULT_SIZE,
        // The helper libraries send a user's `limit` as PageSize: clamp, don't refuse.
        Some(s) if s.len() > 9 && s.bytes().all(|b| b.is_ascii_digit()) => MAX_SIZE,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => (n as u64).min(MAX_SIZE as u64) as usize,
            _ => {
                return Err(Error::invalid(
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
                Error::invalid(
                    20007,
                    format!("Page must be a whole number from 0 to 1000000000; got \"{s}\""),
                )
            })?,
    };
    let token = params.owned("PageToken").filter(|t| !t.is_empty());
    let scope = params.1.clone();
    let cursor = token
        .as_deref()
        .map(|t| decode_token(t, &scope))
        .transpose()?;
    Ok(Paging {
        query: PageQuery { size, cursor },
        page,
        token,
        scope,
    })
}

fn decode_token(t: &str, scope: &str) -> Result<Cursor, Error> {
    let bad = || {
        Error::invalid(
            21481,
            "Invalid PageToken: use the next_page_url or previous_page_url the API returned",
        )
    };
    let (dir, rest) = (t.get(..2).ok_or_else(bad)?, t.get(2..).ok_or_else(bad)?);
    if dir != "PA" && dir != "PB" {
        return Err(bad());
    }
    let blob = URL_SAFE_NO_PAD.decode(rest).map_err(|_| bad())?;
    if blob.len() != 12 + 8 + 16 {
        return Err(bad());
    }
    let aad = format!("{dir} {scope}");
    let plain = key()
        .1
        .decrypt(
            Nonce::from_slice(&blob[..12]),
            Payload {
                msg: &blob[12..],
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| bad())?;
    let seq = i64::from_be_bytes(plain.try_into().map_err(|_| bad())?);
    match dir {
        "PA" => Ok(Cursor::After(seq)),
        _ => Ok(Cursor::Before(seq)),
    }
}

fn encode_token(cursor: Cursor, scope: &str) -> String {
    let (dir, seq) = match cursor {
        Cursor::After(s) => ("PA", s),
        Cursor::Before(s) => ("PB", s),
    };
    let aad = format!("{dir} {scope}");
    let (raw, cipher) = key();
    // The nonce is derived from the key and the message (as in SIV): one position gives
    // one token (seeded runs replay byte for byte), and distinct ones never share a nonce.
    let mut h = Sha256::new();
    h.update(raw);
    h.update(aad.as_bytes());
    h.update(seq.to_be_bytes());
    let nonce: [u8; 12] = h.finalize()[..12].try_into().unwrap_or_default();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &seq.to_be_bytes(),
                aad: aad.as_bytes(),
            },
        )
        // AES-GCM sealing of 8 bytes does not fail.
        .unwrap_or_default();
    let mut blob = nonce.to_vec();
    blob.extend(sealed);
    format!("{dir}{}", URL_SAFE_NO_PAD.encode(blob))
}

/// The paging URLs of a page. `list_url` is absolute for v1 and relative for 2010.
pub struct Links {
    pub first: String,
    pub current: String,
    pub next: Option<String>,
    pub previous: Option<String>,
}

/// A listed row: `seq` is its position in its list, what page tokens point at.
pub trait Keyed {
    fn seq(&self) -> i64;
}

macro_rules! keyed {
    ($($t:ty),*) => { $(impl Keyed for $t { fn seq(&self) -> i64 { self.seq } })* };
}
keyed!(
    store::Account,
    store::ApiKey,
    store::Address,
    store::PhoneNumber,
    store::MessagingService,
    store::ServiceNumber,
    store::Bundle,
    store::Registration,
    store::Entity,
    store::EntityAssignment,
    store::ChannelAssignment,
    store::Evaluation,
    store::Event,
    store::AuditEntry
);

/// Catalog rows are listed from memory by their index.
impl<T> Keyed for (i64, T) {
    fn seq(&self) -> i64 {
        self.0
    }
}

pub fn links<T: Keyed>(
    page: &Page<T>,
    paging: &Paging,
    list_url: &str,
    filters: &[(&str, String)],
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
                Some(encode_token(Cursor::After(last.seq()), &paging.scope)),
            )),
            _ => None,
        },
        previous: match (page.has_prev, page.items.first()) {
            (true, Some(first)) => Some(url_with(
                paging.page.saturating_sub(1),
                Some(encode_token(Cursor::Before(first.seq()), &paging.scope)),
            )),
            _ => None,
        },
    }
}

impl Paging {
    /// Renders v1's `{key: [...], meta: {...}}`. `filters` are the request's filters, echoed
    /// into every paging URL so the libraries (which follow `next_page_url` verbatim) keep them.
    pub fn v1<T: Keyed>(
        &self,
        page: &Page<T>,
        list_url: &str,
        filters: &[(&str, String)],
        key: &str,
        render: impl Fn(&T) -> Value,
    ) -> Value {
        let l = links(page, self, list_url, filters);
        json!({
            key: page.items.iter().map(render).collect::<Vec<_>>(),
            "meta": {
                "page": self.page,
                "page_size": self.query.size,
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
    pub fn v2010<T: Keyed>(
        &self,
        page: &Page<T>,
        list_path: &str,
        filters: &[(&str, String)],
        key: &str,
        render: impl Fn(&T) -> Value,
    ) -> Value {
        let l = links(page, self, list_path, filters);
        let start = self.page * self.query.size as u64;
        let end = (start + page.items.len() as u64)
            .saturating_sub(1)
            .max(start);
        json!({
            key: page.items.iter().map(render).collect::<Vec<_>>(),
            "end": end,
            "first_page_uri": l.first,
            "next_page_uri": l.next,
            "page": self.page,
            "page_size": self.query.size,
            "previous_page_uri": l.previous,
            "start": start,
            "uri": l.current,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        for c in [Cursor::After(42), Cursor::Before(7)] {
            let t = encode_token(c, "AC1 /v1/EndUsers");
            assert_eq!(decode_token(&t, "AC1 /v1/EndUsers").unwrap(), c);
            // Another account's or another list's token is refused.
            assert!(decode_token(&t, "AC2 /v1/EndUsers").is_err());
            assert!(decode_token(&t, "AC1 /v1/SupportingDocuments").is_err());
            // Nor can the direction be switched.
            let flipped = format!(
                "{}{}",
                if t.starts_with("PA") { "PB" } else { "PA" },
                &t[2..]
            );
            assert!(decode_token(&flipped, "AC1 /v1/EndUsers").is_err());
        }
        // The previous release's tokens (base64 of the position) are refused.
        for bad in ["", "P", "PAzz!", "PX", "PA", "XXMTI", "PANDI", "PBMTAw"] {
            assert!(decode_token(bad, "AC1 /v1/EndUsers").is_err(), "{bad}");
        }
    }

    #[test]
    fn page_size_is_clamped() {
        let p = Params(vec![("PageSize".into(), "2500".into())], String::new());
        assert_eq!(parse(&p).unwrap().query.size, MAX_SIZE);
        let p = Params(vec![("PageSize".into(), "0".into())], String::new());
        assert!(parse(&p).is_err());
    }
}
