"""SHAKEN/STIR onboarding through the Trust Hub REST API, direct customer without subaccounts.

Guide: https://www.twilio.com/docs/voice/trusted-calling-with-shakenstir/shakenstir-onboarding/shaken-stir-trust-hub-api-direct-customer

The guide's calls in its order, with its sample values. Step 1 (the Primary Business
Profile) happens in the Console: the operator API stands in for it
(``approved_primary_profile``). The submit's ``status_callback`` is the local receiver
standing in for the guide's ``https://www.yourcallbackuri.com/webhook``.
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
    wait_decided,
    wait_for_status,
)


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # 1. Create a Primary Business Profile in your Parent Account in the Console's Trust Hub
    #    and submit for vetting (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "direct_customer")


def shaken_stir_trust_product(client, primary, phone_number_sid, callback_url, email=TRUST_PRODUCT_EMAIL):
    """Steps 2-6 of the guide; returns the trust product's SID (submitted)."""
    # 2. Add Phone Number(s) to your Primary Business Profile
    ra = client.trusthub.v1.customer_profiles(primary).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert_sid("RA", ra.sid)
    assert ra.customer_profile_sid == primary
    # 3. Create a SHAKEN/STIR Trust Product
    trust_product = client.trusthub.v1.trust_products.create(
        friendly_name=TRUST_PRODUCT_FRIENDLY_NAME, email=email, policy_sid=SHAKEN_STIR_POLICY
    )
    tp = assert_sid("BU", trust_product.sid)
    assert (trust_product.status, trust_product.policy_sid) == ("draft", SHAKEN_STIR_POLICY)
    # 4. Connect your SHAKEN/STIR Trust Product to your Business Profile
    assignment = client.trusthub.v1.trust_products(tp).trust_products_entity_assignments.create(object_sid=primary)
    assert (assignment.trust_product_sid, assignment.object_sid) == (tp, primary)
    # 5. Assign phone numbers to your SHAKEN/STIR Trust Product
    endpoint = client.trusthub.v1.trust_products(tp).trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert (endpoint.trust_product_sid, endpoint.channel_endpoint_sid) == (tp, phone_number_sid)
    # 6. Submit your SHAKEN/STIR Trust Product for vetting (with a status callback, in one request)
    submitted = client.trusthub.v1.trust_products(tp).update(status="pending-review", status_callback=callback_url)
    assert (submitted.status, submitted.status_callback) == ("pending-review", callback_url)
    return tp


def test_guide_reaches_twilio_approved(client, operator, primary, callbacks):
    number = buy_number(client)
    tp = shaken_stir_trust_product(client, primary, number.sid, callbacks.url)
    approved = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.errors is None and approved.valid_until is not None
    callbacks.wait_for(tp, "twilio-approved")
    # Additional API Calls: the profile, the number and the trust product are listed.
    assert primary in [p.sid for p in client.trusthub.v1.customer_profiles.list(limit=20)]
    assert number.sid in [n.sid for n in client.incoming_phone_numbers.list(limit=20)]
    assert tp in [t.sid for t in client.trusthub.v1.trust_products.list(limit=20)]
    assert [e.channel_endpoint_sid for e in
            client.trusthub.v1.trust_products(tp).trust_products_channel_endpoint_assignment.list()] == [number.sid]


def test_rejected_then_fixed_and_resubmitted(client, operator, primary, callbacks):
    number = buy_number(client)
    tp = shaken_stir_trust_product(client, primary, number.sid, callbacks.url, email=REJECTED_EMAIL)
    rejected = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-rejected", operator)
    assert rejected.errors == [{"code": 18606}]
    callbacks.wait_for(tp, "twilio-rejected")
    # Fix the email and submit again, as the guide submits.
    assert client.trusthub.v1.trust_products(tp).update(email=TRUST_PRODUCT_EMAIL).email == TRUST_PRODUCT_EMAIL
    resubmitted = client.trusthub.v1.trust_products(tp).update(status="pending-review", status_callback=callbacks.url)
    assert resubmitted.status == "pending-review" and resubmitted.errors is None
    wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert wait_for_status(client.trusthub.v1.trust_products(tp), "twilio-approved").errors is None


def test_numbers_assigned_after_submitting(client, operator, primary):
    """Step 5 after step 6: "You can complete this step before or after submitting your
    SHAKEN/STIR Trust Product for vetting"."""
    number = buy_number(client)
    # 2. Add Phone Number(s) to your Primary Business Profile
    client.trusthub.v1.customer_profiles(primary).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_sid=number.sid, channel_endpoint_type="phone-number"
    )
    # 3. Create a SHAKEN/STIR Trust Product; 4. connect it to the Business Profile
    tp = client.trusthub.v1.trust_products.create(
        friendly_name=TRUST_PRODUCT_FRIENDLY_NAME, email=TRUST_PRODUCT_EMAIL, policy_sid=SHAKEN_STIR_POLICY
    ).sid
    products = client.trusthub.v1.trust_products(tp)
    products.trust_products_entity_assignments.create(object_sid=primary)
    # 6. Submit your SHAKEN/STIR Trust Product for vetting
    assert products.update(status="pending-review").status == "pending-review"
    wait_for_status(products, "in-review")
    # 5. Assign phone numbers to your SHAKEN/STIR Trust Product, while it is in review
    endpoint = products.trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=number.sid, channel_endpoint_type="phone-number"
    )
    assert endpoint.channel_endpoint_sid == number.sid
    assert wait_decided(products, "twilio-approved", operator).errors is None
    assert [e.channel_endpoint_sid for e in products.trust_products_channel_endpoint_assignment.list()] == [number.sid]
