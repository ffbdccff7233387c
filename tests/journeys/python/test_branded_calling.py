"""Branded Calling through v1 Trust Products (US Enhanced, US Basic, UK).

Sources: Twilio's published Branded Calling regulations and registration samples
(github.com/twilio-samples/api-snippets, compliance/v4/regulations/branded-calling and
compliance/v4/registrations/branded-calling) and
https://www.twilio.com/docs/voice/branded-calling/us-enhanced (display name at most 35
characters, call reason at most 64, logo). Twilio's API walkthrough for Branded Calling uses
the newer Compliance Registrations API; onboarding through v1 Trust Products is done in the
Console and has no API walkthrough. These journeys make the v1 calls a user makes for the
same data: Twilio's sample registration values ("Brand Display Name", Bob Smith, John Doe,
"Business Name", EIN 123456789, HIGHER_EDUCATION, 100 calls a day, …) as v1 end users and
documents of the policy, in the regulation's order, then the number, evaluation and submit.
The Primary Business Profile is created in the Console: the operator API stands in for it.
"""

from __future__ import annotations

from typing import Dict

import pytest

from a2p_guide import settle
from journey import SERVER_ARGS  # noqa: F401 (read by the server fixture)
from journey import approved_primary_profile, assert_sid, buy_number, create_address, expect_rest_error

ENHANCED_US = "RNa0b74679be7511921f4d2e3094fa6d23"
BASIC_US = "RNca63d1066fbd5e44eac02d0b3cf6d019"
UK = "RN304faa2408f673b68867fe5cb65b7f50"
STATUS_NOTIFICATION_EMAIL = "notifcation@email.com"  # sic, Twilio's sample

# create-us-ctia-registration (Enhanced US): the regulation's sections as v1 end users.
BRANDED_CALLER = {
    "branded_calls_display_name": "Brand Display Name",
    "branded_calls_call_reason": "Call Reason",
    "branded_calls_logo_url": "https://www.logo.example.com",
}
AUTHORIZED_REPRESENTATIVE_1 = {
    "first_name": "Bob", "last_name": "Smith", "email": "bsmith@email.com",
    "phone_number": "+19832979578", "job_position": "CEO",
}
BUSINESS = {
    "business_name": "Business Name",
    "business_type": "Partnership",
    "business_identity": "direct_customer",
    "is_subassigned": "NO",
    "business_registration_number": "123456789",
    "business_registration_identifier": "EIN",
    "business_industry": "RAW_MATERIALS",
    "business_website": "https://www.wesbite.example.com",  # sic, Twilio's sample
    "business_employee_count": 1000,
}
USE_CASE = {
    "category": "HIGHER_EDUCATION",
    "use_case_description": "UseCase description",
    "consent_description": "Consent description",
    "call_volume_daily": 100,
    "category_apple": "Optional category",
}
AUTHORIZED_CONTACT = {
    "first_name": "John", "last_name": "Doe", "mobile_phone_number": "+19318339216",
    "verification_email": "johndoe@email.com",
}


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # Before you begin: an approved Primary Business Profile (Console-only: operator stand-in).
    return approved_primary_profile(operator, client, server.account_sid, "direct_customer")


def end_users(client, sections: Dict[str, Dict[str, str]]) -> Dict[str, str]:
    return {
        t: client.trusthub.v1.end_users.create(type=t, friendly_name=f"Registration friendlyName {t}", attributes=a).sid
        for t, a in sections.items()
    }


def branded_trust_product(client, policy_sid: str, primary_sid: str, sections, documents=True, callback=None):
    """Create the trust product, its end users and documents, assign them, the Primary and a
    number; returns ``(trust product SID, {type: end user SID}, number SID)``."""
    tp = client.trusthub.v1.trust_products.create(
        friendly_name="Registration friendlyName", email=STATUS_NOTIFICATION_EMAIL, policy_sid=policy_sid,
        status_callback=callback,
    )
    assert_sid("BU", tp.sid)
    tps = client.trusthub.v1.trust_products(tp.sid)
    made = end_users(client, sections)
    objects = list(made.values())
    if documents:
        address = create_address(client, customer_name="Business Name")
        objects.append(client.trusthub.v1.supporting_documents.create(
            type="business_address", friendly_name="Business address", attributes={"address_sids": address.sid}).sid)
        objects.append(client.trusthub.v1.supporting_documents.create(
            type="letter_of_authorization", friendly_name="letter of auth doc").sid)
    for object_sid in objects + [primary_sid]:
        tps.trust_products_entity_assignments.create(object_sid=object_sid)
    number = buy_number(client)
    client.trusthub.v1.customer_profiles(primary_sid).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_type="phone-number", channel_endpoint_sid=number.sid)
    tps.trust_products_channel_endpoint_assignment.create(channel_endpoint_type="phone-number",
                                                          channel_endpoint_sid=number.sid)
    return tp.sid, made, number.sid


def evaluate(client, tp: str, policy_sid: str):
    return client.trusthub.v1.trust_products(tp).trust_products_evaluations.create(policy_sid=policy_sid)


ENHANCED_SECTIONS = {
    "branded_calls_information": BRANDED_CALLER,
    "authorized_representative_1": AUTHORIZED_REPRESENTATIVE_1,
    "business": BUSINESS,
    "use_case": USE_CASE,
    "authorized_contact": AUTHORIZED_CONTACT,
}


def test_policies_carry_twilios_names(client):
    names = {s: client.trusthub.v1.policies(s).fetch().friendly_name for s in (ENHANCED_US, BASIC_US, UK)}
    assert names == {ENHANCED_US: "Enhanced Branded Calling - US", BASIC_US: "Basic Branded Calling - US",
                     UK: "Branded Calling - UK"}


def test_enhanced_us_reaches_twilio_approved(client, operator, primary, callbacks):
    tp, _, number = branded_trust_product(client, ENHANCED_US, primary, ENHANCED_SECTIONS, callback=callbacks.url)
    evaluation = evaluate(client, tp, ENHANCED_US)
    assert evaluation.status == "compliant", evaluation.results
    assert client.trusthub.v1.trust_products(tp).update(status="pending-review").status == "pending-review"
    approved = settle(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.errors is None and approved.valid_until is not None
    callbacks.wait_for(tp, "twilio-approved")
    # A number is branded by one Branded Calling trust product at a time.
    other, _, _ = branded_trust_product(client, ENHANCED_US, primary, {"branded_calls_information": BRANDED_CALLER},
                                        documents=False)
    e = expect_rest_error(409, 20409, client.trusthub.v1.trust_products(other).trust_products_channel_endpoint_assignment.create,
                          channel_endpoint_type="phone-number", channel_endpoint_sid=number)
    assert tp in e.msg


def test_enhanced_us_requires_its_required_items(client, primary):
    tp, _, _ = branded_trust_product(client, ENHANCED_US, primary, {"branded_calls_information": BRANDED_CALLER},
                                     documents=False)
    evaluation = evaluate(client, tp, ENHANCED_US)
    assert evaluation.status == "noncompliant"
    failed = {r["requirement_name"] for r in evaluation.results if not r["passed"]}
    assert failed == {"authorized_representative_1", "business", "use_case", "business_address",
                      "letter_of_authorization"}


def test_display_name_lengths_follow_the_policy(client, primary):
    long_name = {"branded_calls_display_name": "Brand Display Name"}  # 18 characters
    basic, _, _ = branded_trust_product(client, BASIC_US, primary, {"branded_calls_information": long_name})
    assert evaluate(client, basic, BASIC_US).status == "noncompliant"  # Basic US: at most 15
    for bad in ("1BLUEFIN", "BLUE-FIN!", "BLUEFIN & CO"):
        tp, _, _ = branded_trust_product(client, BASIC_US, primary,
                                         {"branded_calls_information": {"branded_calls_display_name": bad}})
        assert evaluate(client, tp, BASIC_US).status == "noncompliant", bad
    # create-us-oob-registration's values pass Basic US.
    ok, _, _ = branded_trust_product(client, BASIC_US, primary, {"branded_calls_information": {
        "branded_calls_display_name": "Brand Name", "branded_calls_long_display_name": "Brand long name"}})
    assert evaluate(client, ok, BASIC_US).status == "compliant"
    # UK: at most 32 (create-uk-oob-registration's "Brand Display Name" passes; 33 characters do not).
    uk_sections = {**ENHANCED_SECTIONS, "branded_calls_information": long_name,
                   "business": {**BUSINESS, "business_registration_identifier": "CRN"}}
    uk, made, _ = branded_trust_product(client, UK, primary, uk_sections)
    assert evaluate(client, uk, UK).status == "compliant"
    client.trusthub.v1.end_users(made["branded_calls_information"]).update(
        attributes={"branded_calls_display_name": "B" * 33})
    assert evaluate(client, uk, UK).status == "noncompliant"
    # Enhanced US accepts only EIN and DUNS registrations; UK's CRN is refused there.
    enhanced, _, _ = branded_trust_product(client, ENHANCED_US, primary, {**ENHANCED_SECTIONS, "business": uk_sections["business"]})
    assert evaluate(client, enhanced, ENHANCED_US).status == "noncompliant"


def test_rejected_then_fixed_and_resubmitted(client, operator, primary):
    # An authorized representative the reviewer rejects (README, "The vetting pipeline": 18604).
    sections = {**ENHANCED_SECTIONS, "authorized_representative_1": {**AUTHORIZED_REPRESENTATIVE_1, "last_name": "Smith REJECT"}}
    tp, made, _ = branded_trust_product(client, ENHANCED_US, primary, sections)
    tps = client.trusthub.v1.trust_products(tp)
    tps.update(status="pending-review")
    assert settle(tps, "twilio-rejected", operator).errors == [{"code": 18604}]
    client.trusthub.v1.end_users(made["authorized_representative_1"]).update(attributes=AUTHORIZED_REPRESENTATIVE_1)
    assert evaluate(client, tp, ENHANCED_US).status == "compliant"
    assert tps.update(status="pending-review").errors is None
    assert settle(tps, "twilio-approved", operator).errors is None
