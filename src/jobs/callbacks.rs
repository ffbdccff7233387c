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
    #[allow(clippy::expect_used)] // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The URL as the receiver sees it, which is what its validator (e.g. twilio-python's
/// `RequestValidator`) signs: no `#fragment` (never sent), no `user:password@` (sent as an
/// `Authorization` header), the path and query percent-encoded as on the request line.
pub fn as_received(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_fragment(None);
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
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
    let target = check_target(&url, app.settings.callback_refuse_private);
    let (refused, result) = match (target, app.store.account(account_sid).await) {
        (Err(why), _) => (true, Err(why)),
        (Ok(()), Ok(Some(account))) => {
            let sig = signature(&account.auth_token, &as_received(&url), &params);
            match post(app, &url, &params, &sig, job).await {
                Err(Refusal::Policy(why)) => (true, Err(why)),
                Err(Refusal::Unreachable(why)) => (false, Err(why)),
                Ok(code) => (false, Ok(code)),
            }
        }
        (_, Ok(None)) => (false, Err("the account no longer exists".to_string())),
        (_, Err(e)) => (false, Err(format!("store error: {e}"))),
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
            JobOutcome::RetryAt(t) | JobOutcome::WaitUntil(t) => Some(crate::format::iso(t)),
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
    /// The request failed (worth retrying).
    Unreachable(String),
}

/// What can be checked before connecting: the URL's scheme and host, and a host given as
/// an IP address (which no resolver sees). Hostnames are checked by [`PolicyResolver`].
fn check_target(url: &str, refuse_private: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
    let ip = match parsed.host() {
        None => return Err("the URL has no host".into()),
        Some(url::Host::Domain(_)) => return Ok(()),
        Some(url::Host::Ipv4(v4)) => std::net::IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => std::net::IpAddr::V6(v6),
    };
    address_allowed(ip, refuse_private)
        .map_err(|why| format!("refused by the callback address policy: {ip} ({why})"))
}

/// The resolver of the callback client: every address a name resolves to is checked
/// against the policy, and the connection goes only to checked addresses, so a DNS answer
/// cannot point a callback at a refused address between a check and the connect.
struct PolicyResolver {
    refuse_private: bool,
}

/// A name resolved to an address the policy refuses.
#[derive(Debug)]
struct PolicyRefusal(String);

impl std::fmt::Display for PolicyRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyRefusal {}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let refuse_private = self.refuse_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for a in &addrs {
                if let Err(why) = address_allowed(a.ip(), refuse_private) {
                    let msg = format!(
                        "refused by the callback address policy: {host} is {} ({why})",
                        a.ip()
                    );
                    return Err(
                        Box::new(PolicyRefusal(msg)) as Box<dyn std::error::Error + Send + Sync>
                    );
                }
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The one HTTP client for every callback: no proxy (the environment's `HTTP(S)_PROXY`
/// would resolve hosts beyond the policy's reach), redirects not followed, the policy in
/// its resolver. Built on first use from the server's settings.
fn client(app: &App) -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let built = reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(std::sync::Arc::new(PolicyResolver {
            refuse_private: app.settings.callback_refuse_private,
        }))
        // A callback goes where the customer said, nowhere else.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(app.settings.callback_timeout)
        .user_agent("TwilioProxy/1.1")
        .build()
        .map_err(|e| e.to_string())?;
    Ok(CLIENT.get_or_init(|| built))
}

/// The policy refusal somewhere in an error's chain of causes, if any.
fn refusal_in(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<PolicyRefusal>() {
            return Some(r.0.clone());
        }
        cur = err.source();
    }
    None
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
            // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) forms carry an IPv4
            // address that the network may well reach: judge that address.
            let [.., a, b, c, d] = v6.octets();
            let compatible = seg[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified();
            let nat64 = seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            if compatible || nat64 {
                return address_allowed(
                    IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)),
                    refuse_private,
                );
            }
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
    params: &[(String, String)],
    signature: &str,
    job: &Job,
) -> Result<u16, Refusal> {
    let client = client(app).map_err(Refusal::Unreachable)?;
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
        .map_err(|e| match refusal_in(&e) {
            Some(why) => Refusal::Policy(why),
            None => Refusal::Unreachable(format!("{e}")),
        })?;
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
        // IPv4-compatible and NAT64 forms are judged by the IPv4 address they carry.
        assert!(!ok("::169.254.169.254", false));
        assert!(!ok("64:ff9b::169.254.169.254", false));
        assert!(!ok("::10.0.0.1", true));
        assert!(!ok("64:ff9b::7f00:1", true));
        assert!(ok("64:ff9b::93.184.216.34", true));
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_refused_addresses() {
        use reqwest::dns::Resolve;
        let strict = PolicyResolver {
            refuse_private: true,
        };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let err = match strict.resolve(name).await {
            Err(e) => e,
            Ok(_) => panic!("localhost must be refused under --callback-refuse-private"),
        };
        assert!(refusal_in(err.as_ref()).is_some(), "{err}");
        let lenient = PolicyResolver {
            refuse_private: false,
        };
        assert!(lenient.resolve("localhost".parse().unwrap()).await.is_ok());
    }

    #[test]
    fn the_signed_url_is_the_one_the_receiver_sees() {
        assert_eq!(
            as_received("https://user:pw@example.com/caf\u{e9}/hook?x=1&y=\u{e9}#frag"),
            "https://example.com/caf%C3%A9/hook?x=1&y=%C3%A9"
        );
        let plain = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(as_received(plain), plain);
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
