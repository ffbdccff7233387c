//! Signed status callbacks: a form POST of the new status, with `X-Twilio-Signature`
//! computed as Twilio does, retried with doubling delays until delivered or given up.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::Sha1;

use crate::service::App;
use crate::store::{Event, Job, JobOutcome};

/// Twilio's webhook signature: HMAC-SHA1, keyed by the auth token, over the full URL
/// followed by each POST parameter's name and value, sorted by name; base64.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn params_of(payload: &Value) -> Vec<(String, String)> {
    payload["params"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn deliver(app: &App, job: &Job) -> (JobOutcome, Option<Event>) {
    let url = job.payload["url"].as_str().unwrap_or_default().to_string();
    let account_sid = job.payload["account_sid"].as_str().unwrap_or_default();
    let params = params_of(&job.payload);
    let status = params
        .iter()
        .find(|(k, _)| k == "Status")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let target = resolve(&url, app.settings.callback_refuse_private).await;
    let refused = matches!(target, Err(Refusal::Policy(_)));
    let result = match (target, app.store.account(account_sid).await) {
        (Err(Refusal::Policy(why) | Refusal::Unreachable(why)), _) => Err(why),
        (Ok(addr), Ok(Some(account))) => {
            let sig = signature(&account.auth_token, &url, &params);
            post(app, &url, addr, &params, &sig, job).await
        }
        (_, Ok(None)) => Err("the account no longer exists".to_string()),
        (_, Err(e)) => Err(format!("store error: {e}")),
    };
    let now = app.clock.now();
    let (delivered, http_status, error) = match &result {
        Ok(code) if (200..300).contains(code) => (true, Some(*code), None),
        Ok(code) => (false, Some(*code), Some(format!("HTTP {code}"))),
        Err(e) => (false, None, Some(e.clone())),
    };
    // A refused address will not become acceptable by waiting: give up at once.
    let last = refused || job.attempts >= app.settings.callback_attempts;
    let outcome = if delivered || last {
        JobOutcome::Done
    } else {
        // 1 s, 2 s, 4 s, … with the defaults.
        let shift = (job.attempts - 1).clamp(0, 30) as u32;
        JobOutcome::RetryAt(now + app.settings.callback_retry_delay * (1i64 << shift))
    };
    crate::telemetry::callback(match (delivered, last) {
        (true, _) => "delivered",
        (false, _) if refused => "refused",
        (false, true) => "gave_up",
        (false, false) => "failed",
    });
    let detail = json!({
        "url": url,
        "status": status,
        "attempt": job.attempts,
        "delivered": delivered,
        "http_status": http_status,
        "error": error,
        "gave_up": !delivered && last,
        "next_attempt_at": match outcome {
            JobOutcome::RetryAt(t) => Some(crate::format::iso(t)),
            JobOutcome::Done => None,
        },
    });
    let event = Event {
        seq: 0,
        bundle_sid: job.bundle_sid.clone(),
        account_sid: account_sid.to_string(),
        kind: "callback_attempt".into(),
        detail,
        date_created: now,
    };
    (outcome, Some(event))
}

enum Refusal {
    /// The address policy forbids the target.
    Policy(String),
    /// The host could not be resolved (worth retrying).
    Unreachable(String),
}

/// Resolves the callback host and checks every address against the policy; returns the
/// address to connect to, so a later DNS answer cannot swap in a forbidden one.
async fn resolve(url: &str, refuse_private: bool) -> Result<std::net::SocketAddr, Refusal> {
    let parsed = url::Url::parse(url).map_err(|e| Refusal::Policy(format!("bad URL: {e}")))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| Refusal::Policy("the URL has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| Refusal::Unreachable(format!("cannot resolve {host}: {e}")))?
        .collect();
    for a in &addrs {
        if let Err(why) = address_allowed(a.ip(), refuse_private) {
            return Err(Refusal::Policy(format!(
                "refused by the callback address policy: {host} is {} ({why})",
                a.ip()
            )));
        }
    }
    addrs
        .first()
        .copied()
        .ok_or_else(|| Refusal::Unreachable(format!("{host} has no address")))
}

/// The callback address policy. Link-local (which holds cloud metadata services),
/// unspecified, multicast and broadcast addresses are never called; with
/// `--callback-refuse-private`, neither are loopback, private, shared and unique-local ones.
pub fn address_allowed(ip: std::net::IpAddr, refuse_private: bool) -> Result<(), &'static str> {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_link_local() {
                return Err("link-local, where metadata services live");
            }
            if v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast() {
                return Err("not a unicast address");
            }
            let shared = v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]);
            if refuse_private && (v4.is_loopback() || v4.is_private() || shared) {
                return Err("private or loopback");
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return address_allowed(IpAddr::V4(v4), refuse_private);
            }
            let seg = v6.segments();
            const AWS_METADATA: std::net::Ipv6Addr =
                std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
            if (seg[0] & 0xffc0) == 0xfe80 || v6 == AWS_METADATA {
                return Err("link-local or metadata");
            }
            if v6.is_unspecified() || v6.is_multicast() {
                return Err("not a unicast address");
            }
            if refuse_private && (v6.is_loopback() || (seg[0] & 0xfe00) == 0xfc00) {
                return Err("private or loopback");
            }
        }
    }
    Ok(())
}

async fn post(
    app: &App,
    url: &str,
    addr: std::net::SocketAddr,
    params: &[(String, String)],
    signature: &str,
    job: &Job,
) -> Result<u16, String> {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    // Redirects are not followed: a callback goes where the customer said, nowhere else.
    let client = reqwest::Client::builder()
        .resolve(&host, addr)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(app.settings.callback_timeout)
        .user_agent("TwilioProxy/1.1")
        .build()
        .map_err(|e| e.to_string())?;
    let resp = client
        .post(url)
        .header("X-Twilio-Signature", signature)
        .header(
            "I-Twilio-Idempotency-Token",
            format!("{}-{}", job.bundle_sid, job.id),
        )
        .form(params)
        .send()
        .await
        .map_err(|e| format!("{e}"))?;
    Ok(resp.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_policy() {
        let ok = |s: &str, private: bool| address_allowed(s.parse().unwrap(), private).is_ok();
        assert!(!ok("169.254.169.254", false), "metadata");
        assert!(!ok("fe80::1", false));
        assert!(!ok("fd00:ec2::254", false));
        assert!(!ok("0.0.0.0", false));
        assert!(!ok("::ffff:169.254.169.254", false));
        assert!(ok("127.0.0.1", false));
        assert!(ok("10.1.2.3", false));
        assert!(!ok("127.0.0.1", true));
        assert!(!ok("10.1.2.3", true));
        assert!(!ok("192.168.1.1", true));
        assert!(!ok("100.64.0.1", true));
        assert!(!ok("::1", true));
        assert!(!ok("fd12::1", true));
        assert!(ok("93.184.216.34", true));
        assert!(ok("2606:2800:220:1::1", true));
    }

    #[test]
    fn signature_matches_twilios_documented_example() {
        // The example from Twilio's webhook security docs.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }
}
