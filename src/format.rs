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
            if path.starts_with("/v1/") {
                return format!("https://trusthub.twilio.com{path}");
            }
            if path.starts_with("/2010-04-01/") {
                return format!("https://api.twilio.com{path}");
            }
        }
        format!("{}{}", self.base, path)
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
        let (v1, v2010, other) = TWILIO_HOSTS
            .scope(true, async {
                (
                    u.abs("/v1/Policies"),
                    u.abs("/2010-04-01/Accounts.json"),
                    u.abs("/console"),
                )
            })
            .await;
        assert_eq!(v1, "https://trusthub.twilio.com/v1/Policies");
        assert_eq!(v2010, "https://api.twilio.com/2010-04-01/Accounts.json");
        assert_eq!(other, "http://127.0.0.1:8080/console");
    }
}
