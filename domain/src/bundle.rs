//! A bundle is a CustomerProfile or a TrustProduct: the same thing with a kind.
//! This module holds the kind, the statuses and the rules of the status machine.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    CustomerProfile,
    TrustProduct,
}

impl BundleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleKind::CustomerProfile => "customer_profile",
            BundleKind::TrustProduct => "trust_product",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer_profile" => Some(BundleKind::CustomerProfile),
            "trust_product" => Some(BundleKind::TrustProduct),
            _ => None,
        }
    }

    /// The path segment: `CustomerProfiles` or `TrustProducts`.
    pub fn collection(self) -> &'static str {
        match self {
            BundleKind::CustomerProfile => "CustomerProfiles",
            BundleKind::TrustProduct => "TrustProducts",
        }
    }

    /// A human label for messages.
    pub fn label(self) -> &'static str {
        match self {
            BundleKind::CustomerProfile => "CustomerProfile",
            BundleKind::TrustProduct => "TrustProduct",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    PendingReview,
    InReview,
    TwilioRejected,
    TwilioApproved,
}

pub const ALL_STATUSES: [Status; 5] = [
    Status::Draft,
    Status::PendingReview,
    Status::InReview,
    Status::TwilioRejected,
    Status::TwilioApproved,
];

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::PendingReview => "pending-review",
            Status::InReview => "in-review",
            Status::TwilioRejected => "twilio-rejected",
            Status::TwilioApproved => "twilio-approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_STATUSES.into_iter().find(|st| st.as_str() == s)
    }

    /// Submitted and not yet decided: the content is frozen for the reviewer.
    pub fn under_review(self) -> bool {
        matches!(self, Status::PendingReview | Status::InReview)
    }
}

/// Why a requested status change is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// Customers may only ask for `pending-review`.
    NotCustomerSettable(Status),
    /// The bundle is not in a status that can be submitted.
    WrongState { from: Status },
}

/// A customer's `Status=` update: only a draft or rejected bundle may be submitted.
pub fn customer_transition(from: Status, to: Status) -> Result<(), TransitionError> {
    if to != Status::PendingReview {
        return Err(TransitionError::NotCustomerSettable(to));
    }
    match from {
        Status::Draft | Status::TwilioRejected => Ok(()),
        _ => Err(TransitionError::WrongState { from }),
    }
}

/// Entity assignments are frozen while a bundle is under review and once it is approved
/// (an approved bundle's content is what was vetted).
pub fn entities_locked(status: Status) -> bool {
    status.under_review() || status == Status::TwilioApproved
}

// Phone numbers are never locked: every guide says numbers can be assigned "before or after
// submitting" (seed 001 step 5, the SHAKEN/STIR and Voice Integrity guides), and a number is
// vetted with the approved bundle, not with the submission.

/// A bundle under review cannot be deleted (Twilio error 21647).
/// In which role a bundle is named by another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Assigned (EntityAssignments) to a bundle of this kind.
    EntityOf(BundleKind),
    /// A hosted inquiry's `PrimaryProfileSid` / `CustomerProfileSid`: the customer profile
    /// the inquiry's new customer profile is assigned to.
    InquiryProfile,
}

/// Whose bundle it is, seen from the account that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    Own,
    /// The account's parent's (the account is a subaccount).
    Parents,
}

/// May an account name a bundle in `role`? Its own bundles: any as an entity, a customer
/// profile as an inquiry's profile. Its parent's: only the parent's twilio-approved Primary
/// Customer Profile (`primary`: made under a console-only customer-profile policy), and
/// only for a customer profile (Seed 001) — never for a trust product. When this says no,
/// callers answer exactly as for an unknown SID, so nothing about the bundle leaks.
pub fn may_reference(
    role: Role,
    whose: Whose,
    kind: BundleKind,
    primary: bool,
    status: Status,
) -> bool {
    let from = match role {
        Role::EntityOf(k) => k,
        Role::InquiryProfile if kind != BundleKind::CustomerProfile => return false,
        Role::InquiryProfile => BundleKind::CustomerProfile,
    };
    match whose {
        Whose::Own => true,
        Whose::Parents => {
            from == BundleKind::CustomerProfile
                && kind == BundleKind::CustomerProfile
                && primary
                && status == Status::TwilioApproved
        }
    }
}

pub fn deletable(status: Status) -> bool {
    !status.under_review()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in ALL_STATUSES {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("approved"), None);
    }

    #[test]
    fn customers_can_only_submit_drafts_and_rejections() {
        use Status::*;
        assert!(customer_transition(Draft, PendingReview).is_ok());
        assert!(customer_transition(TwilioRejected, PendingReview).is_ok());
        for from in [PendingReview, InReview, TwilioApproved] {
            assert_eq!(
                customer_transition(from, PendingReview),
                Err(TransitionError::WrongState { from })
            );
        }
        for to in [Draft, InReview, TwilioApproved, TwilioRejected] {
            assert_eq!(
                customer_transition(Draft, to),
                Err(TransitionError::NotCustomerSettable(to))
            );
        }
    }

    #[test]
    fn locks_follow_the_status() {
        use Status::*;
        let locked: Vec<Status> = ALL_STATUSES
            .into_iter()
            .filter(|s| entities_locked(*s))
            .collect();
        assert_eq!(locked, [PendingReview, InReview, TwilioApproved]);
        let undeletable: Vec<Status> = ALL_STATUSES
            .into_iter()
            .filter(|s| !deletable(*s))
            .collect();
        assert_eq!(undeletable, [PendingReview, InReview]);
        let reviewing: Vec<Status> = ALL_STATUSES
            .into_iter()
            .filter(|s| s.under_review())
            .collect();
        assert_eq!(reviewing, [PendingReview, InReview]);
    }

    #[test]
    fn each_kind_has_its_wire_names_and_label() {
        use BundleKind::*;
        for (kind, name, collection, label) in [
            (
                CustomerProfile,
                "customer_profile",
                "CustomerProfiles",
                "CustomerProfile",
            ),
            (
                TrustProduct,
                "trust_product",
                "TrustProducts",
                "TrustProduct",
            ),
        ] {
            assert_eq!(
                (kind.as_str(), kind.collection(), kind.label()),
                (name, collection, label)
            );
            assert_eq!(BundleKind::parse(name), Some(kind));
        }
        assert_eq!(BundleKind::parse("bundle"), None);
    }

    #[test]
    fn a_subaccount_names_only_its_parents_approved_primary_from_a_customer_profile() {
        use BundleKind::{CustomerProfile as Cp, TrustProduct as Tp};
        let approved = Status::TwilioApproved;
        // Its own bundles: any as an entity; only a customer profile for an inquiry.
        assert!(may_reference(
            Role::EntityOf(Tp),
            Whose::Own,
            Tp,
            false,
            Status::Draft
        ));
        assert!(!may_reference(
            Role::InquiryProfile,
            Whose::Own,
            Tp,
            false,
            approved
        ));
        assert!(may_reference(
            Role::InquiryProfile,
            Whose::Own,
            Cp,
            false,
            Status::Draft
        ));
        // The parent's: the approved Primary, from a customer profile, and nothing else.
        assert!(may_reference(
            Role::EntityOf(Cp),
            Whose::Parents,
            Cp,
            true,
            approved
        ));
        assert!(may_reference(
            Role::InquiryProfile,
            Whose::Parents,
            Cp,
            true,
            approved
        ));
        assert!(!may_reference(
            Role::EntityOf(Tp),
            Whose::Parents,
            Cp,
            true,
            approved
        ));
        assert!(!may_reference(
            Role::EntityOf(Cp),
            Whose::Parents,
            Cp,
            true,
            Status::InReview
        ));
        assert!(!may_reference(
            Role::EntityOf(Cp),
            Whose::Parents,
            Cp,
            false,
            approved
        ));
        assert!(!may_reference(
            Role::InquiryProfile,
            Whose::Parents,
            Tp,
            false,
            approved
        ));
    }
}
