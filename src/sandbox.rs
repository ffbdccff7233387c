//! Sandbox powers: injected faults and the request inspector. Both live in memory: they
//! are about one running server, not about the data.

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

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

/// One request as the customer's code sent it, secrets redacted.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Arrival order, across accounts.
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub status: u16,
    /// The response body as sent; parsed and redacted only when someone looks, so the
    /// request path pays for a reference count, not a JSON parse.
    pub response: axum::body::Bytes,
    pub date_created: i64,
}

impl Logged {
    fn response_json(&self) -> Value {
        let mut v: Value = serde_json::from_slice(&self.response).unwrap_or(Value::Null);
        redact(&mut v);
        v
    }

    pub fn to_json(&self, account_sid: &str) -> Value {
        json!({
            "account_sid": account_sid,
            "method": self.method,
            "path": self.path,
            "parameters": self.params.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "status": self.status,
            "response": self.response_json(),
            "date_created": iso(self.date_created),
        })
    }
}

/// The last N requests of each account.
pub struct RequestLog {
    cap: usize,
    next: std::sync::atomic::AtomicU64,
    by_account: Mutex<HashMap<String, VecDeque<Logged>>>,
}

impl RequestLog {
    pub fn new(cap: usize) -> Self {
        RequestLog {
            cap,
            next: std::sync::atomic::AtomicU64::new(0),
            by_account: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.cap > 0
    }

    pub fn record(&self, account_sid: &str, mut entry: Logged) {
        if self.cap == 0 {
            return;
        }
        entry.seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut m) = self.by_account.lock() {
            let q = m.entry(account_sid.to_string()).or_default();
            if q.len() == self.cap {
                q.pop_front();
            }
            q.push_back(entry);
        }
    }

    /// Newest first; all accounts when `account_sid` is `None`.
    pub fn recent(&self, account_sid: Option<&str>, limit: usize) -> Vec<Value> {
        let Ok(m) = self.by_account.lock() else {
            return vec![];
        };
        let mut all: Vec<(&String, &Logged)> = m
            .iter()
            .filter(|(a, _)| account_sid.is_none_or(|s| s == a.as_str()))
            .flat_map(|(a, q)| q.iter().map(move |l| (a, l)))
            .collect();
        all.sort_by_key(|(_, l)| std::cmp::Reverse(l.seq));
        all.into_iter()
            .take(limit)
            .map(|(a, l)| l.to_json(a))
            .collect()
    }

    pub fn clear(&self, account_sid: Option<&str>) {
        if let Ok(mut m) = self.by_account.lock() {
            match account_sid {
                Some(a) => {
                    m.remove(a);
                }
                None => m.clear(),
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
