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
    let result = match app.store.account(account_sid).await {
        Ok(Some(account)) => {
            let sig = signature(&account.auth_token, &url, &params);
            post(app, &url, &params, &sig, job).await
        }
        Ok(None) => Err("the account no longer exists".to_string()),
        Err(e) => Err(format!("store error: {e}")),
    };
    let now = app.clock.now();
    let (delivered, http_status, error) = match &result {
        Ok(code) if (200..300).contains(code) => (true, Some(*code), None),
        Ok(code) => (false, Some(*code), Some(format!("HTTP {code}"))),
        Err(e) => (false, None, Some(e.clone())),
    };
    let last = job.attempts >= app.settings.callback_attempts;
    let outcome = if delivered || last {
        JobOutcome::Done
    } else {
        // 1 s, 2 s, 4 s, … with the defaults.
        let shift = (job.attempts - 1).clamp(0, 30) as u32;
        JobOutcome::RetryAt(now + app.settings.callback_retry_delay * (1i64 << shift))
    };
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

async fn post(
    app: &App,
    url: &str,
    params: &[(String, String)],
    signature: &str,
    job: &Job,
) -> Result<u16, String> {
    // Redirects are not followed: a callback goes where the customer said, nowhere else.
    let client = reqwest::Client::builder()
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
