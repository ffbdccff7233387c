"""Voice Integrity onboarding through the Trust Hub REST API, direct customer using subaccounts.

Guide: https://www.twilio.com/docs/voice/spam-monitoring-with-voiceintegrity/voice-integrity-onboarding/voice-integrity-trust-hub-api-direct-customer-subaccounts

The guide's calls in its order, with its sample values: 1. the parent's Primary Business
Profile in the Console (the operator API stands in), 2. phone numbers from the
subaccounts added to that Primary, then the parent's Voice Integrity trust product on
the Primary with those numbers (``journey.voice_integrity_trust_product_steps``).
"""

from __future__ import annotations

import pytest

from journey import (
    REJECTED_EMAIL,
    SERVER_ARGS,  # noqa: F401 (read by the server fixture)
    TRUST_PRODUCT_EMAIL,
    approved_primary_profile,
    buy_number,
    create_subaccount,
    voice_integrity_trust_product_steps,
    wait_decided,
)


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # 1. Create a Primary Business Profile in your Parent Account in the Console's Trust Hub
    #    and submit for vetting (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "direct_customer")


@pytest.fixture(scope="module")
def subaccount(client, make_client):
    return create_subaccount(client, make_client, "Direct customer's subaccount")


def add_subaccount_number_to_primary(client, primary, subaccount):
    # 2. Add Phone Number(s) from your Subaccount(s) to your Primary Business Profile
    sub, sub_client = subaccount
    number = buy_number(sub_client)
    assert number.account_sid == sub.sid
    ra = client.trusthub.v1.customer_profiles(primary).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_sid=number.sid, channel_endpoint_type="phone-number"
    )
    assert ra.channel_endpoint_sid == number.sid
    return number.sid


def test_guide_reaches_twilio_approved(client, operator, primary, subaccount):
    number_sid = add_subaccount_number_to_primary(client, primary, subaccount)
    tp = voice_integrity_trust_product_steps(client, primary, number_sid)
    approved = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.errors is None
    endpoints = client.trusthub.v1.trust_products(tp).trust_products_channel_endpoint_assignment.list()
    assert [e.channel_endpoint_sid for e in endpoints] == [number_sid]


def test_rejected_then_fixed_and_resubmitted(client, operator, primary, subaccount):
    number_sid = add_subaccount_number_to_primary(client, primary, subaccount)
    tp = voice_integrity_trust_product_steps(client, primary, number_sid, email=REJECTED_EMAIL)
    products = client.trusthub.v1.trust_products(tp)
    assert wait_decided(products, "twilio-rejected", operator).errors == [{"code": 18606}]
    products.update(email=TRUST_PRODUCT_EMAIL)
    assert products.update(status="pending-review").status == "pending-review"
    assert wait_decided(products, "twilio-approved", operator).errors is None
