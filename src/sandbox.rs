//! Sandbox powers: injected faults and the request inspector. Both live in memory: they
//! are about one running server, not about the data.

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::format::iso;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer with this HTTP status and Twilio error code.
    Error { status: u16, code: u32 },
    /// Wait, then serve the request normally.
    Delay { ms: u64 },
    /// Break the connection without a usable answer.
    Drop,
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub sid: String,
    /// A path prefix, or a glob where `*` matches anything (slashes included).
    pub path: String,
    /// Upper-case methods; empty means any.
    pub methods: Vec<String>,
    /// Requests still to affect; `None` means until removed.
    pub remaining: Option<u64>,
    /// Chance of affecting a matching request (1.0 when not given).
    pub probability: f64,
    pub effect: Effect,
    pub date_created: i64,
}

impl Fault {
    pub fn to_json(&self) -> Value {
        let (status, code, delay, drop) = match &self.effect {
            Effect::Error { status, code } => (Some(*status), Some(*code), None, false),
            Effect::Delay { ms } => (None, None, Some(*ms), false),
            Effect::Drop => (None, None, None, true),
        };
        json!({
            "sid": self.sid,
            "path": self.path,
            "methods": self.methods,
            "count": self.remaining,
            "probability": self.probability,
            "status": status,
            "error_code": code,
            "delay_ms": delay,
            "drop": drop,
            "date_created": iso(self.date_created),
        })
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        (self.methods.is_empty() || self.methods.iter().any(|m| m == method))
            && glob_match(&self.path, path)
    }
}

/// `*` matches any run of characters; a pattern without `*` is a prefix.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    if !pattern.contains('*') {
        return path.starts_with(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = path;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return part.is_empty() || rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

#[derive(Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    pub fn add(&self, fault: Fault) {
        if let Ok(mut f) = self.0.lock() {
            f.push(fault);
        }
    }

    pub fn list(&self) -> Vec<Fault> {
        self.0.lock().map(|f| f.clone()).unwrap_or_default()
    }

    pub fn remove(&self, sid: &str) -> bool {
        let Ok(mut f) = self.0.lock() else {
            return false;
        };
        let before = f.len();
        f.retain(|x| x.sid != sid);
        f.len() != before
    }

    pub fn clear(&self) {
        if let Ok(mut f) = self.0.lock() {
            f.clear();
        }
    }

    /// The effect for this request, if a fault fires; a counted fault is used up.
    /// `roll` is a number in [0, 1) for probabilistic faults.
    pub fn take(&self, method: &str, path: &str, roll: f64) -> Option<Effect> {
        let mut faults = self.0.lock().ok()?;
        let i = faults.iter().position(|f| f.matches(method, path))?;
        if roll >= faults[i].probability {
            return None;
        }
        let effect = faults[i].effect.clone();
        if let Some(n) = faults[i].remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                faults.remove(i);
            }
        }
        Some(effect)
    }
}

/// Request bytes (query plus form body) one inspector entry keeps; the rest is cut at a
/// parameter boundary and the entry says how much was sent.
pub const REQUEST_KEEP: usize = 16 * 1024;
/// The largest response body an entry keeps; a larger one is noted by its size only
/// (a cut JSON document could not be redacted).
pub const RESPONSE_KEEP: usize = 64 * 1024;
/// Bytes the inspector holds across all accounts and subaccounts; the oldest entries go
/// first when a new one would exceed it.
pub const TOTAL_BUDGET: usize = 32 * 1024 * 1024;
/// Bookkeeping counted per entry on top of its bytes (strings, map nodes).
const ENTRY_OVERHEAD: usize = 256;

/// One request as the customer's code sent it, kept raw and bounded: the request path
/// pays for a bounded copy, and parsing and redaction happen only when someone looks.
#[derive(Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    /// The query string and form body, each cut to [`REQUEST_KEEP`] in all.
    query: String,
    body: Vec<u8>,
    /// Bytes the client sent (query plus body), before any cut.
    request_bytes: usize,
    pub status: u16,
    /// The response body as sent when at most [`RESPONSE_KEEP`] bytes, else `None`.
    response: Option<axum::body::Bytes>,
    response_bytes: usize,
    pub date_created: i64,
}

impl Logged {
    pub fn new(
        method: String,
        path: String,
        query: &str,
        body: &[u8],
        status: u16,
        response: &axum::body::Bytes,
        date_created: i64,
    ) -> Self {
        let sent = query.len() + body.len();
        let query = &query[..floor_boundary(query, REQUEST_KEEP)];
        let body = &body[..body.len().min(REQUEST_KEEP - query.len())];
        Logged {
            method,
            path,
            query: query.to_string(),
            body: body.to_vec(),
            request_bytes: sent,
            status,
            // Shares the outgoing response's buffer: no copy.
            response: (response.len() <= RESPONSE_KEEP).then(|| response.clone()),
            response_bytes: response.len(),
            date_created,
        }
    }

    /// Bytes this entry holds, as counted against [`TOTAL_BUDGET`].
    fn cost(&self) -> usize {
        ENTRY_OVERHEAD
            + self.method.len()
            + self.path.len()
            + self.query.len()
            + self.body.len()
            + self.response.as_ref().map_or(0, |r| r.len())
    }

    fn request_truncated(&self) -> bool {
        self.request_bytes > self.query.len() + self.body.len()
    }

    fn params(&self) -> Vec<(String, String)> {
        let mut body: &[u8] = &self.body;
        if self.request_truncated() {
            // The last pair may be cut mid-way: keep whole pairs only.
            let whole = body.iter().rposition(|&b| b == b'&').unwrap_or(0);
            body = &body[..whole];
        }
        let mut params: Vec<(String, String)> =
            serde_urlencoded::from_str(&self.query).unwrap_or_default();
        params.extend(
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default(),
        );
        for (k, v) in params.iter_mut() {
            if is_secret(k) {
                *v = "[redacted]".into();
            }
        }
        params
    }

    fn response_json(&self) -> Value {
        let Some(bytes) = &self.response else {
            return Value::Null;
        };
        if bytes.is_empty() {
            return Value::Null;
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(mut v) => {
                redact(&mut v);
                v
            }
            // Not shown raw: unparsed text could not be redacted. Say why instead.
            Err(e) => {
                json!({ "inspector_note": format!("a {} byte body the inspector cannot show: {e}", bytes.len()) })
            }
        }
    }

    /// The entry as the operator API shows it; parses and redacts (call outside the lock).
    pub fn to_json(&self, account_sid: &str) -> Value {
        let truncated = self.request_truncated() || self.response.is_none();
        json!({
            "account_sid": account_sid,
            "method": self.method,
            "path": self.path,
            "parameters": self.params().iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "status": self.status,
            "response": self.response_json(),
            "date_created": iso(self.date_created),
            "truncated": truncated,
            "request_bytes": self.request_bytes,
            "response_bytes": self.response_bytes,
        })
    }
}

/// The largest index at most `max` that is a char boundary of `s`.
fn floor_boundary(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Default)]
struct LogInner {
    next: u64,
    bytes: usize,
    /// Every entry by arrival order, across accounts: the oldest goes first.
    entries: std::collections::BTreeMap<u64, (Arc<str>, Arc<Logged>)>,
    /// Each account's entries, oldest first.
    by_account: HashMap<Arc<str>, VecDeque<u64>>,
}

impl LogInner {
    fn remove(&mut self, seq: u64) {
        if let Some((_, e)) = self.entries.remove(&seq) {
            self.bytes -= e.cost();
        }
    }

    /// Drops the oldest entry of all (which is also the oldest of its account).
    fn evict_oldest(&mut self) {
        let Some((seq, (account, e))) = self.entries.pop_first() else {
            return;
        };
        self.bytes -= e.cost();
        if let Some(q) = self.by_account.get_mut(&account) {
            if q.front() == Some(&seq) {
                q.pop_front();
            }
            if q.is_empty() {
                self.by_account.remove(&account);
            }
        }
    }
}

/// The last N requests of each account, within [`TOTAL_BUDGET`] bytes in all. Recording
/// and reading hold the lock only to move reference-counted entries in and out.
pub struct RequestLog {
    cap: usize,
    budget: usize,
    inner: Mutex<LogInner>,
}

impl RequestLog {
    pub fn new(cap: usize) -> Self {
        RequestLog {
            cap,
            budget: TOTAL_BUDGET,
            inner: Mutex::new(LogInner::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.cap > 0
    }

    /// (bytes held, the budget).
    pub fn usage(&self) -> (usize, usize) {
        let held = self.inner.lock().map(|i| i.bytes).unwrap_or(0);
        (held, self.budget)
    }

    pub fn record(&self, account_sid: &str, entry: Logged) {
        if self.cap == 0 {
            return;
        }
        let cost = entry.cost();
        let entry = Arc::new(entry);
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let inner = &mut *inner;
        let seq = inner.next;
        inner.next += 1;
        let account: Arc<str> = match inner.by_account.get_key_value(account_sid) {
            Some((k, _)) => k.clone(),
            None => Arc::from(account_sid),
        };
        let q = inner.by_account.entry(account.clone()).or_default();
        q.push_back(seq);
        let over = (q.len() > self.cap).then(|| q.pop_front()).flatten();
        if let Some(old) = over {
            inner.remove(old);
        }
        inner.entries.insert(seq, (account, entry));
        inner.bytes += cost;
        while inner.bytes > self.budget && inner.entries.len() > 1 {
            inner.evict_oldest();
        }
    }

    /// Newest first; all accounts when `account_sid` is `None`.
    pub fn recent(&self, account_sid: Option<&str>, limit: usize) -> Vec<Value> {
        let picked: Vec<(Arc<str>, Arc<Logged>)> = {
            let Ok(inner) = self.inner.lock() else {
                return vec![];
            };
            match account_sid {
                None => inner.entries.values().rev().take(limit).cloned().collect(),
                Some(a) => inner
                    .by_account
                    .get(a)
                    .map(|q| {
                        q.iter()
                            .rev()
                            .take(limit)
                            .filter_map(|s| inner.entries.get(s).cloned())
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        };
        // Parsing and redaction happen here, with the lock released.
        picked.iter().map(|(a, l)| l.to_json(a)).collect()
    }

    pub fn clear(&self, account_sid: Option<&str>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        match account_sid {
            None => {
                *inner = LogInner {
                    next: inner.next,
                    ..LogInner::default()
                }
            }
            Some(a) => {
                if let Some(q) = inner.by_account.remove(a) {
                    for seq in q {
                        inner.remove(seq);
                    }
                }
            }
        }
    }
}

/// Parameter and JSON keys whose values never leave the server.
pub fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "authorization"]
        .iter()
        .any(|s| k.contains(s))
}

pub fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if is_secret(k) && !val.is_null() {
                    *val = json!("[redacted]");
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_prefixes() {
        assert!(glob_match(
            "/v1/CustomerProfiles",
            "/v1/CustomerProfiles/BU1"
        ));
        assert!(glob_match(
            "/v1/*/Evaluations",
            "/v1/CustomerProfiles/BU1/Evaluations"
        ));
        assert!(!glob_match(
            "/v1/*/Evaluations",
            "/v1/CustomerProfiles/BU1/EntityAssignments"
        ));
        assert!(glob_match("*", "/anything"));
        assert!(!glob_match("/v1/EndUsers", "/2010-04-01/Accounts.json"));
    }

    #[test]
    fn counted_faults_are_used_up() {
        let f = Faults::default();
        f.add(Fault {
            sid: "FA1".into(),
            path: "/v1/EndUsers".into(),
            methods: vec!["POST".into()],
            remaining: Some(2),
            probability: 1.0,
            effect: Effect::Drop,
            date_created: 0,
        });
        assert_eq!(f.take("GET", "/v1/EndUsers", 0.0), None);
        assert_eq!(f.take("POST", "/v1/EndUsers", 0.0), Some(Effect::Drop));
        assert_eq!(f.take("POST", "/v1/EndUsers", 0.0), Some(Effect::Drop));
        assert_eq!(f.take("POST", "/v1/EndUsers", 0.0), None);
        assert!(f.list().is_empty());
    }

    #[test]
    fn secrets_are_redacted() {
        let mut v = json!({"sid": "AC1", "auth_token": "abc", "nested": [{"secret": "s"}]});
        redact(&mut v);
        assert_eq!(
            v,
            json!({"sid": "AC1", "auth_token": "[redacted]", "nested": [{"secret": "[redacted]"}]})
        );
    }
}
