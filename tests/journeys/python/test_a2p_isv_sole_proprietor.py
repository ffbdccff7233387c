"""A2P 10DLC Sole Proprietor brands for ISVs: the TrustHub part (Starter Customer Profile
and Sole Proprietor A2P Trust Bundle).

Guide: https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api-sole-prop-new

Steps 1.1-1.8 and 2.1-2.6 in the guide's order with its sample values; step 1.9 is the
guide's remediation after a rejection (fix, resubmit). The guide advises not to wait for
the Starter Profile's approval before the Trust Bundle, so the bundle is submitted while the
profile is still under review. Steps 3-6 follow: the Sole Proprietor brand and its OTP
(the mobile owner's "YES" reply: the operator API stands in for the SMS), the Messaging
Service, the SOLE_PROPRIETOR campaign (failed once on a review trigger, edited and
resubmitted), and a number in the service, to a VERIFIED campaign. The
ISV's Primary Customer Profile is created in the Console: the operator API stands in for it
(``approved_primary_profile``).
"""

from __future__ import annotations

from typing import Dict

import pytest

from a2p_guide import (
    FAILING_DESCRIPTION,
    SOLE_PROPRIETOR_POLICY,
    STARTER_POLICY,
    assert_verified,
    brand_steps,
    campaign_steps,
    messaging_service_steps,
    phone_number_steps,
    resubmit_campaign,
    settle,
)
from journey import SERVER_ARGS  # noqa: F401 (read by the server fixture)
from journey import approved_primary_profile, assert_sid

STARTER_INFORMATION = {
    "email": "starter-profile-enduser@example.com",
    "first_name": "John",
    "last_name": "Doe",
    "phone_number": "+11234567890",
}
SOLE_PROPRIETOR_INFORMATION = {"brand_name": "John Doe", "vertical": "COMMUNICATION", "mobile_phone_number": "+11234567890"}


@pytest.fixture(scope="module")
def isv_primary(client, operator, server):
    # Prerequisite: the ISV's Primary Customer Profile, APPROVED, Business Identity
    # "ISV Reseller or Partner" (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "isv_reseller_or_partner")


def starter_profile_steps(client, primary_sid: str, email: str = "johndoe@example.com") -> Dict[str, str]:
    """Steps 1.1-1.8; the Starter Customer Profile ends ``pending-review``."""
    # 1.1 Fetch the Starter Customer Profile Policy
    policy = client.trusthub.v1.policies(STARTER_POLICY).fetch()
    assert policy.friendly_name == "Starter Customer Profile of type Business"
    assert [e["type"] for e in policy.requirements["end_user"]] == ["starter_customer_profile_information"]
    # 1.2 Create an Empty Starter Customer Profile Bundle
    profile = client.trusthub.v1.customer_profiles.create(
        friendly_name="John Doe Starter Customer Profile Bundle", email=email, policy_sid=STARTER_POLICY
    )
    bu = assert_sid("BU", profile.sid)
    cp = client.trusthub.v1.customer_profiles(bu)
    # 1.3 Create an end-user object with the type starter_customer_profile_information
    end_user = client.trusthub.v1.end_users.create(
        attributes=STARTER_INFORMATION, friendly_name="Starter Profile End User", type="starter_customer_profile_information"
    )
    assert end_user.attributes == STARTER_INFORMATION
    # 1.4 Create a supporting document: customer_profile_address (first the Address)
    address = client.addresses.create(
        customer_name="John Doe", street="123 Example Street", street_secondary="Apt B", city="Example City",
        region="CA", iso_country="US", postal_code="12345",
    )
    # 1.5 Create a Supporting Document with the Address from Step 1.4
    document = client.trusthub.v1.supporting_documents.create(
        attributes={"address_sids": address.sid}, friendly_name="SP Document Address", type="customer_profile_address"
    )
    # 1.6.1-1.6.3 Attach the end-user, the supporting document and the Primary Customer Profile
    for object_sid in (end_user.sid, document.sid, primary_sid):
        assert cp.customer_profiles_entity_assignments.create(object_sid=object_sid).object_sid == object_sid
    # 1.7 Evaluate the Starter Customer Profile
    evaluation = cp.customer_profiles_evaluations.create(policy_sid=STARTER_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    # 1.8 Submit the Starter Customer Profile for review
    assert cp.update(status="pending-review").status == "pending-review"
    return {"profile": bu, "end_user": end_user.sid}


def sole_proprietor_bundle_steps(client, starter_sid: str) -> str:
    """Steps 2.1-2.6; returns the submitted Sole Proprietor A2P Trust Bundle's SID."""
    # 2.1 Fetch the Sole Proprietor A2P Trust Bundle policy
    policy = client.trusthub.v1.policies(SOLE_PROPRIETOR_POLICY).fetch()
    assert policy.friendly_name == "Sole Proprietor TrustProduct"
    # 2.2 Create an empty Sole Proprietor A2P Trust Bundle
    bundle = client.trusthub.v1.trust_products.create(
        friendly_name="John Doe Sole Proprietor A2P Trust Bundle", email="johndoe@example.com",
        policy_sid=SOLE_PROPRIETOR_POLICY,
    )
    tp = assert_sid("BU", bundle.sid)
    tps = client.trusthub.v1.trust_products(tp)
    # 2.3 Create end-user object with the type sole_proprietor_information
    end_user = client.trusthub.v1.end_users.create(
        attributes=SOLE_PROPRIETOR_INFORMATION,
        friendly_name="Sole Proprietor A2P Trust Bundle End User",
        type="sole_proprietor_information",
    )
    # 2.4.1 / 2.4.2 Attach the end-user and the Starter Customer Profile
    for object_sid in (end_user.sid, starter_sid):
        assert tps.trust_products_entity_assignments.create(object_sid=object_sid).object_sid == object_sid
    # 2.5 Evaluate the Sole Proprietor A2P Trust Bundle (the Starter Profile is under review: that counts)
    evaluation = tps.trust_products_evaluations.create(policy_sid=SOLE_PROPRIETOR_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    # 2.6 Submit the Sole Proprietor A2P Trust Bundle for review
    assert tps.update(status="pending-review").status == "pending-review"
    return tp


def test_guide_reaches_twilio_approved(client, operator, isv_primary):
    starter = starter_profile_steps(client, isv_primary)["profile"]
    tp = sole_proprietor_bundle_steps(client, starter)
    assert settle(client.trusthub.v1.customer_profiles(starter), "twilio-approved", operator).errors is None
    product = settle(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert product.errors is None and product.valid_until is not None
    # 3. The Sole Proprietor brand; approved, its identity waits for the OTP.
    bn = brand_steps(client, operator, starter, tp, brand_type="SOLE_PROPRIETOR")
    brand = client.messaging.v1.brand_registrations(bn)
    assert brand.fetch().identity_status == "UNVERIFIED"
    # 3.x The mobile number's owner replies YES to the OTP (the operator API stands in).
    operator.call("POST", f"/admin/v1/BrandRegistrations/{bn}/OtpReply", 200, Body="YES")
    assert brand.fetch().identity_status == "VERIFIED"
    # 4. The Messaging Service, 5. the SOLE_PROPRIETOR campaign: rejected once, resubmitted.
    mg = messaging_service_steps(client)
    failed = campaign_steps(client, operator, mg, bn, "SOLE_PROPRIETOR", description=FAILING_DESCRIPTION)
    assert [e["error_code"] for e in failed.errors] == [30893]
    campaign = resubmit_campaign(client, operator, mg, failed.sid)
    # 6. Its one number.
    number = phone_number_steps(client, mg)
    assert_verified(client, mg, campaign, number)
    assert campaign.us_app_to_person_usecase == "SOLE_PROPRIETOR"


def test_mobile_number_must_be_us_or_canadian(client, operator, isv_primary):
    end_user = client.trusthub.v1.end_users.create(
        attributes={**SOLE_PROPRIETOR_INFORMATION, "mobile_phone_number": "+447700900123"},
        friendly_name="Sole Proprietor A2P Trust Bundle End User",
        type="sole_proprietor_information",
    )
    bundle = client.trusthub.v1.trust_products.create(
        friendly_name="John Doe Sole Proprietor A2P Trust Bundle", email="johndoe@example.com",
        policy_sid=SOLE_PROPRIETOR_POLICY,
    )
    client.trusthub.v1.trust_products(bundle.sid).trust_products_entity_assignments.create(object_sid=end_user.sid)
    evaluation = client.trusthub.v1.trust_products(bundle.sid).trust_products_evaluations.create(
        policy_sid=SOLE_PROPRIETOR_POLICY
    )
    assert evaluation.status == "noncompliant"
    invalid = {f["object_field"] for r in evaluation.results for f in (r.get("invalid") or [])}
    assert "mobile_phone_number" in invalid


def test_rejected_then_remediated_and_resubmitted(client, operator, isv_primary):
    # An email the reviewer rejects (README, "The vetting pipeline": 18606) on the profile.
    made = starter_profile_steps(client, isv_primary, email="reject-johndoe@example.com")
    starter = made["profile"]
    tp = sole_proprietor_bundle_steps(client, starter)
    assert settle(client.trusthub.v1.customer_profiles(starter), "twilio-rejected", operator).errors == [{"code": 18606}]
    assert settle(client.trusthub.v1.trust_products(tp), "twilio-rejected", operator).errors == [{"code": 18606}]
    # 1.9 Remediation: fix the email, resubmit the profile, then the trust bundle.
    cp = client.trusthub.v1.customer_profiles(starter)
    assert cp.update(email="johndoe@example.com").email == "johndoe@example.com"
    assert cp.update(status="pending-review").errors is None
    assert client.trusthub.v1.trust_products(tp).update(status="pending-review").status == "pending-review"
    assert settle(cp, "twilio-approved", operator).errors is None
    assert settle(client.trusthub.v1.trust_products(tp), "twilio-approved", operator).errors is None
