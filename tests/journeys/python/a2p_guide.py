"""The A2P 10DLC ISV guides' TrustHub calls (twilio-python), step for step, with the guides'
own sample values. Used by test_a2p_*.py.

Standard and Low-Volume Standard brands (and the government / nonprofit variants):
https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api
Sole Proprietor brands:
https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api-sole-prop-new

The guides' ``status_callback`` (``https://www.example.com/status-callback-endpoint``) is
replaced by the local receiver (``callbacks.url``): a test never makes the server POST to a
real internet host.
"""

from __future__ import annotations

from typing import Dict, Optional

from journey import SECONDARY_PROFILE_POLICY, assert_sid, decide_by_clock, wait_for_status, wait_until

A2P_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b"
STARTER_POLICY = "RN806dd6cd175f314e1f96a9727ee271f4"
SOLE_PROPRIETOR_POLICY = "RN670d5d2e282a6130ae063b234b6019c8"

# ISV guide, step 1.2.
ACME_BUSINESS_INFORMATION = {
    "business_name": "Acme, Inc.",
    "social_media_profile_urls": "https://example.com/acme-social-media-profile",
    "website_url": "https://www.example.com",
    "business_regions_of_operation": "USA_AND_CANADA",
    "business_type": "Partnership",
    "business_registration_identifier": "EIN",
    "business_identity": "direct_customer",
    "business_industry": "EDUCATION",
    "business_registration_number": "123456789",
}
# ISV guide, step 1.4.
ACME_AUTHORIZED_REPRESENTATIVE = {
    "job_position": "CEO",
    "last_name": "Doe",
    "phone_number": "+12225557890",
    "first_name": "Jane",
    "email": "jdoe@example.com",
    "business_title": "CEO",
}
# ISV guide, step 1.6.
ACME_ADDRESS = {
    "customer_name": "Acme, Inc.",
    "street": "1234 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "12345",
    "iso_country": "US",
}
# ISV guide, step 2.2 (its sample is a public company).
ACME_PUBLIC_MESSAGING_PROFILE = {"company_type": "public", "stock_exchange": "NYSE", "stock_ticker": "ACME"}
# The government / nonprofit page's ISV values.
GOVERNMENT = {"business_type": "Non-profit Corporation", "business_industry": "GOVERNMENT", "company_type": "government"}
NONPROFIT = {"business_type": "Non-profit Corporation", "business_industry": "NOT_FOR_PROFIT", "company_type": "non_profit"}


def secondary_customer_profile_steps(
    client,
    primary_sid: str,
    status_callback: str,
    business_information: Dict[str, str] = ACME_BUSINESS_INFORMATION,
    authorized_representative: Dict[str, str] = ACME_AUTHORIZED_REPRESENTATIVE,
) -> Dict[str, str]:
    """ISV guide steps 1.1-1.11 run by the customer's account; returns the SIDs made.

    The profile ends ``pending-review``.
    """
    cp = client.trusthub.v1.customer_profiles
    # 1.1. Create a Secondary Customer Profile
    profile = cp.create(
        policy_sid=SECONDARY_PROFILE_POLICY,
        friendly_name="Acme, Inc. Secondary Customer Profile",
        email="acme-inc@example.com",
        status_callback=status_callback,
    )
    bu = assert_sid("BU", profile.sid)
    assert (profile.status, profile.policy_sid, profile.errors) == ("draft", SECONDARY_PROFILE_POLICY, None)
    # 1.2. Create an EndUser resource of type customer_profile_business_information
    info = client.trusthub.v1.end_users.create(
        attributes=business_information,
        friendly_name="Acme, Inc. - Business Information EndUser resource",
        type="customer_profile_business_information",
    )
    assert_sid("IT", info.sid)
    assert info.attributes == business_information
    # 1.3. Attach the EndUser to the Secondary Customer Profile
    assert cp(bu).customer_profiles_entity_assignments.create(object_sid=info.sid).object_sid == info.sid
    # 1.4. Create an EndUser resource of type: authorized_representative_1
    rep = client.trusthub.v1.end_users.create(
        attributes=authorized_representative,
        friendly_name="Acme, Inc Authorized Rep 1",
        type="authorized_representative_1",
    )
    # 1.5. Attach the EndUser resource to the Secondary Customer Profile
    cp(bu).customer_profiles_entity_assignments.create(object_sid=rep.sid)
    # 1.6. Create an Address resource
    address = client.addresses.create(**ACME_ADDRESS)
    assert_sid("AD", address.sid)
    # 1.7. Create a SupportingDocument resource
    document = client.trusthub.v1.supporting_documents.create(
        friendly_name="acme", type="customer_profile_address", attributes={"address_sids": address.sid}
    )
    assert_sid("RD", document.sid)
    # 1.8. Attach the SupportingDocument resource to the Secondary Customer Profile
    cp(bu).customer_profiles_entity_assignments.create(object_sid=document.sid)
    # 1.9. Attach the Secondary Customer Profile to your Primary Business Profile
    assert cp(bu).customer_profiles_entity_assignments.create(object_sid=primary_sid).object_sid == primary_sid
    # 1.10. Evaluate the Secondary Customer Profile
    evaluation = cp(bu).customer_profiles_evaluations.create(policy_sid=SECONDARY_PROFILE_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    # 1.11. Submit the Secondary Customer Profile for review
    assert cp(bu).update(status="pending-review").status == "pending-review"
    return {"profile": bu, "business_information": info.sid, "representative": rep.sid, "document": document.sid}


def a2p_trust_product_steps(
    client,
    secondary_sid: str,
    messaging_profile: Dict[str, str],
    email: str = "ceo@example.com",
    expect: str = "compliant",
) -> Dict[str, object]:
    """ISV guide steps 2.1-2.5; returns the trust product's and end user's SIDs and the evaluation."""
    tps = client.trusthub.v1.trust_products
    # 2.1. Create an A2P TrustProduct
    trust_product = tps.create(friendly_name="Acme, Inc. A2P Trust Product", email=email, policy_sid=A2P_POLICY)
    tp = assert_sid("BU", trust_product.sid)
    assert (trust_product.status, trust_product.policy_sid) == ("draft", A2P_POLICY)
    # 2.2. Create an EndUser resource of type us_a2p_messaging_profile_information
    end_user = client.trusthub.v1.end_users.create(
        attributes=messaging_profile,
        friendly_name="Acme, Inc. Messaging Profile EndUser",
        type="us_a2p_messaging_profile_information",
    )
    assert end_user.attributes == messaging_profile
    # 2.3. Attach the EndUser to the TrustProduct
    assert tps(tp).trust_products_entity_assignments.create(object_sid=end_user.sid).object_sid == end_user.sid
    # 2.4. Attach the Secondary Customer Profile to the TrustProduct
    assert tps(tp).trust_products_entity_assignments.create(object_sid=secondary_sid).object_sid == secondary_sid
    # 2.5. Evaluate the TrustProduct
    evaluation = tps(tp).trust_products_evaluations.create(policy_sid=A2P_POLICY)
    assert evaluation.status == expect, evaluation.results
    return {"trust_product": tp, "end_user": end_user.sid, "evaluation": evaluation}


def submit_trust_product(client, tp: str) -> None:
    """ISV guide step 2.6 (Sole Proprietor guide step 2.6 alike)."""
    assert client.trusthub.v1.trust_products(tp).update(status="pending-review").status == "pending-review"


def failed_fields(evaluation) -> Dict[str, Optional[str]]:
    """``{object_field: failure_reason}`` of the evaluation's invalid entries."""
    return {
        f["object_field"]: f.get("failure_reason")
        for r in evaluation.results
        for f in (r.get("invalid") or [])
    }


def settle(resource, status: str, operator):
    """Let the review of a submitted bundle finish and assert it ends ``status``.

    The pipeline moves a submitted bundle to ``in-review`` in the background, and the review
    delay counts from there: wait for that first, then move the server clock. A trust
    product whose customer profile was just decided by the same clock move may already be
    decided, so an already decided bundle is accepted as it is.
    """
    current = wait_until(resource.fetch, lambda b: b.status != "pending-review", "the bundle to leave pending-review")
    if current.status == "in-review":
        decide_by_clock(operator)
    return wait_for_status(resource, status)
