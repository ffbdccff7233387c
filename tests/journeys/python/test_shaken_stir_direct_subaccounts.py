"""SHAKEN/STIR onboarding through the Trust Hub REST API, direct customer using subaccounts.

Guide: https://www.twilio.com/docs/voice/trusted-calling-with-shakenstir/shakenstir-onboarding/shaken-stir-trust-hub-api-direct-customer-subaccounts

The guide's calls in its order, with its sample values: the Primary Business Profile
lives in the parent account (step 1, in the Console: the operator API stands in), the
phone numbers belong to the subaccounts, and the parent adds them to its Primary
(step 2) and to its own SHAKEN/STIR trust product (steps 3-6). The submit's
``status_callback`` is the local receiver standing in for the guide's
``https://www.yourcallbackuri.com/webhook``.
"""

from __future__ import annotations

import pytest

from journey import (
    REJECTED_EMAIL,
    SERVER_ARGS,  # noqa: F401 (read by the server fixture)
    SHAKEN_STIR_POLICY,
    TRUST_PRODUCT_EMAIL,
    TRUST_PRODUCT_FRIENDLY_NAME,
    approved_primary_profile,
    assert_sid,
    buy_number,
    create_subaccount,
    wait_decided,
)


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # 1. Create a Primary Business Profile in your Parent Account in the Console's Trust Hub
    #    and submit for vetting (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "direct_customer")


@pytest.fixture(scope="module")
def subaccount(client, make_client):
    """A subaccount of the direct customer, and its own client (it owns the numbers)."""
    return create_subaccount(client, make_client, "Direct customer's subaccount")


def subaccount_number(client, subaccount):
    """A number of the subaccount, found as the guide says: the subaccount's IncomingPhoneNumbers."""
    sub, sub_client = subaccount
    number = buy_number(sub_client)
    listed = client.api.v2010.accounts(sub.sid).incoming_phone_numbers.list(limit=20)
    assert number.sid in [n.sid for n in listed] and number.account_sid == sub.sid
    return number.sid


def shaken_stir_trust_product(client, primary, phone_number_sid, callback_url, email=TRUST_PRODUCT_EMAIL):
    """Steps 2-6 of the guide, by the parent; returns the trust product's SID (submitted)."""
    # 2. Add Phone Number(s) from your Subaccount(s) to your Primary Business Profile
    ra = client.trusthub.v1.customer_profiles(primary).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert (ra.customer_profile_sid, ra.channel_endpoint_sid) == (primary, phone_number_sid)
    # 3. Create a SHAKEN/STIR Trust Product
    trust_product = client.trusthub.v1.trust_products.create(
        friendly_name=TRUST_PRODUCT_FRIENDLY_NAME, email=email, policy_sid=SHAKEN_STIR_POLICY
    )
    tp = assert_sid("BU", trust_product.sid)
    # 4. Connect your SHAKEN/STIR Trust Product to your Primary Business Profile
    client.trusthub.v1.trust_products(tp).trust_products_entity_assignments.create(object_sid=primary)
    # 5. Assign phone numbers (the subaccounts' numbers on the Primary) to your SHAKEN/STIR Trust Product
    endpoint = client.trusthub.v1.trust_products(tp).trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert endpoint.channel_endpoint_sid == phone_number_sid
    # 6. Submit your SHAKEN/STIR Trust Product for vetting
    submitted = client.trusthub.v1.trust_products(tp).update(status="pending-review", status_callback=callback_url)
    assert (submitted.status, submitted.status_callback) == ("pending-review", callback_url)
    return tp


def test_guide_reaches_twilio_approved(client, operator, primary, subaccount, callbacks):
    number_sid = subaccount_number(client, subaccount)
    tp = shaken_stir_trust_product(client, primary, number_sid, callbacks.url)
    approved = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.errors is None
    callbacks.wait_for(tp, "twilio-approved")
    # The subaccount's number is registered on the parent's trust product.
    endpoints = client.trusthub.v1.trust_products(tp).trust_products_channel_endpoint_assignment.list()
    assert [e.channel_endpoint_sid for e in endpoints] == [number_sid]


def test_rejected_then_fixed_and_resubmitted(client, operator, primary, subaccount, callbacks):
    number_sid = subaccount_number(client, subaccount)
    tp = shaken_stir_trust_product(client, primary, number_sid, callbacks.url, email=REJECTED_EMAIL)
    rejected = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-rejected", operator)
    assert rejected.errors == [{"code": 18606}]
    client.trusthub.v1.trust_products(tp).update(email=TRUST_PRODUCT_EMAIL)
    assert client.trusthub.v1.trust_products(tp).update(status="pending-review").status == "pending-review"
    assert wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator).errors is None
