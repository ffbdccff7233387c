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


# ISV guides, steps 3-6 (past TrustHub): the brand, the Messaging Service, the campaign and
# its number. The campaign's sample values are those of Twilio's UsAppToPerson API reference
# (the spec's create example), which the guides' step "Create an A2P Campaign" points to.
CAMPAIGN_DESCRIPTION = "Send marketing messages about sales to opted in customers."
CAMPAIGN_MESSAGE_FLOW = (
    "End users opt-in by visiting www.example.com and adding their phone number. They then check a box "
    "agreeing to receive text messages from Example Brand. Additionally, end users can also opt-in by "
    "texting START to (111) 222-3333 to opt in."
)
CAMPAIGN_MESSAGE_SAMPLES = ["EXPRESS: Denim Days Event is ON", "LAST CHANCE: Book your next flight for just 1 (ONE) EUR"]
CAMPAIGN_REPLIES = {
    "opt_in_message": "Acme Corporation: You are now opted-in. For help, reply HELP. To opt-out, reply STOP",
    "opt_out_message": "You have successfully been unsubscribed from Acme Corporation. You will not receive any more messages from this number.",
    "help_message": "Acme Corporation: Please visit www.example.com to get support. To opt-out, reply STOP.",
    "opt_in_keywords": ["START"],
    "opt_out_keywords": ["STOP"],
    "help_keywords": ["HELP"],
}
# The campaign review's trigger (README "Scripting an outcome"): 30893, "Inconsistency
# between Sample Message and Use-case".
FAILING_DESCRIPTION = CAMPAIGN_DESCRIPTION + " FAIL-30893"


def brand_steps(client, operator, profile_sid: str, trust_product_sid: str, **options) -> str:
    """Step 3: register the brand with the two approved bundles, then check its status until
    APPROVED (the review runs on the server clock). Returns the brand's SID."""
    # 3. Create an A2P Brand
    brand = client.messaging.v1.brand_registrations.create(
        customer_profile_bundle_sid=profile_sid, a2p_profile_bundle_sid=trust_product_sid, **options
    )
    bn = assert_sid("BN", brand.sid)
    assert brand.status == "PENDING"
    # 3.x Check the brand's registration status
    registration = client.messaging.v1.brand_registrations(bn)
    wait_until(registration.fetch, lambda b: b.status == "IN_REVIEW", "the brand to be IN_REVIEW")
    decide_by_clock(operator)
    approved = wait_until(registration.fetch, lambda b: b.status != "IN_REVIEW", "the brand to be decided")
    assert approved.status == "APPROVED", (approved.status, approved.errors)
    return bn


def messaging_service_steps(client) -> str:
    """Step 4: the Messaging Service the campaign is registered on. Returns its SID."""
    service = client.messaging.v1.services.create(
        friendly_name="Acme, Inc.'s A2P 10DLC Messaging Service",
        inbound_request_url="https://www.example.com/inbound-messages-webhook",
        fallback_url="https://www.example.com/fallback",
    )
    assert service.us_app_to_person_registered is False
    return assert_sid("MG", service.sid)


def campaign_steps(
    client, operator, service_sid: str, brand_sid: str, usecase: str, description: str = CAMPAIGN_DESCRIPTION
):
    """Steps 5.1-5.2: the use cases the brand may register, then the campaign; its review
    decided by the server clock. Returns the decided campaign (VERIFIED or FAILED)."""
    service = client.messaging.v1.services(service_sid)
    # 5.1 Fetch possible A2P Campaign use cases
    usecases = service.us_app_to_person_usecases.fetch(brand_registration_sid=brand_sid)
    assert usecase in [u["code"] for u in usecases.us_app_to_person_usecases]
    # 5.2 Create an A2P Campaign
    campaign = service.us_app_to_person.create(
        brand_registration_sid=brand_sid,
        description=description,
        message_flow=CAMPAIGN_MESSAGE_FLOW,
        message_samples=CAMPAIGN_MESSAGE_SAMPLES,
        us_app_to_person_usecase=usecase,
        has_embedded_links=True,
        has_embedded_phone=False,
        **CAMPAIGN_REPLIES,
    )
    qe = assert_sid("QE", campaign.sid)
    assert (campaign.campaign_status, campaign.brand_registration_sid) == ("IN_PROGRESS", brand_sid)
    return settle_campaign(client, operator, service_sid, qe)


def settle_campaign(client, operator, service_sid: str, qe: str):
    """Let the campaign's review pass on the server clock; returns it decided."""
    operator.worker_caught_up()
    decide_by_clock(operator)
    context = client.messaging.v1.services(service_sid).us_app_to_person(qe)
    return wait_until(context.fetch, lambda c: c.campaign_status != "IN_PROGRESS", "the campaign to be decided")


def resubmit_campaign(client, operator, service_sid: str, qe: str):
    """A FAILED campaign edited and resubmitted (the update), decided again."""
    context = client.messaging.v1.services(service_sid).us_app_to_person(qe)
    updated = context.update(
        has_embedded_links=True,
        has_embedded_phone=False,
        message_samples=CAMPAIGN_MESSAGE_SAMPLES,
        message_flow=CAMPAIGN_MESSAGE_FLOW,
        description=CAMPAIGN_DESCRIPTION,
        age_gated=False,
        direct_lending=False,
    )
    assert (updated.campaign_status, updated.errors) == ("IN_PROGRESS", [])
    return settle_campaign(client, operator, service_sid, qe)


def phone_number_steps(client, service_sid: str) -> str:
    """Step 6: buy an SMS-capable local number and add it to the Messaging Service."""
    local = client.available_phone_numbers("US").local.list(sms_enabled=True, limit=1)[0]
    number = client.incoming_phone_numbers.local.create(phone_number=local.phone_number)
    # 6. Add a phone number to the Messaging Service
    member = client.messaging.v1.services(service_sid).phone_numbers.create(phone_number_sid=number.sid)
    assert member.sid == number.sid
    return number.sid


def assert_verified(client, service_sid: str, campaign, number_sid: str) -> None:
    """The end of every guide: a VERIFIED campaign, the service registered, the number in it."""
    assert campaign.campaign_status == "VERIFIED", (campaign.campaign_status, campaign.errors)
    assert campaign.campaign_id and campaign.errors == []
    service = client.messaging.v1.services(service_sid).fetch()
    assert service.us_app_to_person_registered is True
    assert [n.sid for n in client.messaging.v1.services(service_sid).phone_numbers.list()] == [number_sid]
