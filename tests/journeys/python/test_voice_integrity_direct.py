"""Voice Integrity onboarding through the Trust Hub REST API, direct customer without subaccounts.

Guide: https://www.twilio.com/docs/voice/spam-monitoring-with-voiceintegrity/voice-integrity-onboarding/voice-integrity-trust-hub-api-direct-customer

The guide's calls in its order, with its sample values: 1. the Primary Business Profile
in the Console (the operator API stands in), 2. the account's phone numbers added to it,
then the Voice Integrity trust product on the Primary (create, end user, assignments,
numbers, submit: ``journey.voice_integrity_trust_product_steps``).
"""

from __future__ import annotations

import pytest

from journey import (
    REJECTED_EMAIL,
    SERVER_ARGS,  # noqa: F401 (read by the server fixture)
    TRUST_PRODUCT_EMAIL,
    approved_primary_profile,
    buy_number,
    voice_integrity_trust_product_steps,
    wait_decided,
)


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # 1. Create a Primary Business Profile in your Parent Account in the Console's Trust Hub
    #    and submit for vetting (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "direct_customer")


def add_number_to_primary(client, primary):
    # 2. Add Phone Number(s) to your Primary Business Profile
    number = buy_number(client)
    ra = client.trusthub.v1.customer_profiles(primary).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_sid=number.sid, channel_endpoint_type="phone-number"
    )
    assert ra.channel_endpoint_sid == number.sid
    return number.sid


def test_guide_reaches_twilio_approved(client, operator, primary):
    number_sid = add_number_to_primary(client, primary)
    tp = voice_integrity_trust_product_steps(client, primary, number_sid)
    approved = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.errors is None and approved.valid_until is not None
    evaluation = client.trusthub.v1.trust_products(tp).trust_products_evaluations.list()[0]
    assert evaluation.status == "compliant"


def test_rejected_then_fixed_and_resubmitted(client, operator, primary):
    number_sid = add_number_to_primary(client, primary)
    tp = voice_integrity_trust_product_steps(client, primary, number_sid, email=REJECTED_EMAIL)
    products = client.trusthub.v1.trust_products(tp)
    assert wait_decided(products, "twilio-rejected", operator).errors == [{"code": 18606}]
    products.update(email=TRUST_PRODUCT_EMAIL)
    assert products.update(status="pending-review").status == "pending-review"
    assert wait_decided(products, "twilio-approved", operator).errors is None
