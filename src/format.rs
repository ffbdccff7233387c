//! The one place that formats dates and URLs for the wire.

use time::format_description::well_known::Rfc2822;
use time::macros::format_description;
use time::OffsetDateTime;

/// v1 dates: exactly `2019-07-30T22:29:24Z` (twilio-python parses nothing else).
pub fn iso(ts: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    datetime(ts).format(&fmt).unwrap_or_default()
}

/// 2010-04-01 dates: RFC 2822, `Tue, 18 Aug 2015 17:07:30 +0000`.
pub fn rfc2822(ts: i64) -> String {
    datetime(ts).format(&Rfc2822).unwrap_or_default()
}

fn datetime(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

tokio::task_local! {
    /// Set while serving a request that came through the transparent proxy
    /// (`crate::proxy`): its URLs then name Twilio's own hosts, as Twilio's would, so a
    /// client following them comes back through the proxy.
    pub static TWILIO_HOSTS: bool;
}

/// Builds absolute URLs on the configured public base, so helper libraries that follow
/// `url`, `links` and `next_page_url` come back to us and never to twilio.com — except
/// in transparent mode (`TWILIO_HOSTS`), where twilio.com is where the client reaches us.
#[derive(Clone, Debug)]
pub struct Urls {
    base: String,
}

impl Urls {
    pub fn new(base: &str) -> Self {
        Urls {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `path` starts with `/`, e.g. `/v1/CustomerProfiles/BU…`.
    pub fn abs(&self, path: &str) -> String {
        if TWILIO_HOSTS.try_with(|on| *on).unwrap_or(false) {
            if let Some(host) = twilio_host(path) {
                return format!("https://{host}{path}");
            }
        }
        format!("{}{}", self.base, path)
    }
}

/// The top-level `/v1` collections of Twilio's Messaging API (`messaging.twilio.com`);
/// every other `/v1` path served here is TrustHub's.
const MESSAGING_V1: [&str; 5] = [
    "/v1/Services",
    "/v1/a2p",
    "/v1/Tollfree",
    "/v1/LinkShortening",
    "/v1/Deactivations",
];

/// The Twilio host that serves `path` (a query string is ignored): `messaging.twilio.com` for the Messaging `/v1`
/// collections, `trusthub.twilio.com` for the rest of `/v1`, `api.twilio.com` for
/// `/2010-04-01`; `None` for what is this server's own (operator API, console, health).
pub fn twilio_host(path: &str) -> Option<&'static str> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if MESSAGING_V1.iter().any(|p| under(p)) {
        Some("messaging.twilio.com")
    } else if path.starts_with("/v1/") {
        Some("trusthub.twilio.com")
    } else if path.starts_with("/2010-04-01/") {
        Some("api.twilio.com")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_have_twilio_shapes() {
        assert_eq!(iso(1564525764), "2019-07-30T22:29:24Z");
        assert_eq!(rfc2822(1439917650), "Tue, 18 Aug 2015 17:07:30 +0000");
    }

    #[test]
    fn urls_join_on_the_public_base() {
        let u = Urls::new("http://127.0.0.1:8080/");
        assert_eq!(u.abs("/v1/Policies"), "http://127.0.0.1:8080/v1/Policies");
    }

    #[tokio::test]
    async fn urls_name_twilio_hosts_in_transparent_mode() {
        let u = Urls::new("http://127.0.0.1:8080");
        let (v1, v2010, other, messaging) = TWILIO_HOSTS
            .scope(true, async {
                (
                    u.abs("/v1/Policies"),
                    u.abs("/2010-04-01/Accounts.json"),
                    u.abs("/console"),
                    u.abs("/v1/Services/MG1/PhoneNumbers"),
                )
            })
            .await;
        assert_eq!(v1, "https://trusthub.twilio.com/v1/Policies");
        assert_eq!(
            messaging,
            "https://messaging.twilio.com/v1/Services/MG1/PhoneNumbers"
        );
        // A prefix is a whole segment: `/v1/ServicesX` is not Messaging's.
        assert_eq!(twilio_host("/v1/ServicesX"), Some("trusthub.twilio.com"));
        assert_eq!(
            twilio_host("/v1/Services?PageSize=1"),
            Some("messaging.twilio.com")
        );
        assert_eq!(v2010, "https://api.twilio.com/2010-04-01/Accounts.json");
        assert_eq!(other, "http://127.0.0.1:8080/console");
    }
}
