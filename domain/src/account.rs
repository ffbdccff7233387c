//! An account's status: Twilio's three values (2010-04-01 `Account.status`: `active`,
//! `suspended`, `closed`), parsed and printed here only.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Suspended,
    Closed,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 3] = [
        AccountStatus::Active,
        AccountStatus::Suspended,
        AccountStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Closed is permanent: Twilio's "closed accounts cannot be reopened" (21479).
    pub fn may_become(self, to: AccountStatus) -> bool {
        self != AccountStatus::Closed || to == AccountStatus::Closed
    }
}

impl std::fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_closed_is_final() {
        for s in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(AccountStatus::parse("Active"), None);
        assert!(AccountStatus::Suspended.may_become(AccountStatus::Active));
        assert!(!AccountStatus::Closed.may_become(AccountStatus::Active));
        assert!(AccountStatus::Closed.may_become(AccountStatus::Closed));
    }

    #[test]
    fn a_status_displays_as_twilio_spells_it() {
        assert_eq!(AccountStatus::Suspended.to_string(), "suspended");
        assert_eq!(format!("{}", AccountStatus::Closed), "closed");
    }
}
