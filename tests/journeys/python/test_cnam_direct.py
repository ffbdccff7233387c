"""CNAM onboarding through the Trust Hub REST API, direct customer.

Guide: https://www.twilio.com/docs/voice/brand-your-calls-using-cnam ("CNAM Onboarding with the Trust Hub REST API")

The page's calls in its order, with its sample values: the Business Profile is made in the
Console (the operator API stands in: a Primary of a direct customer), then the account's
number goes on it and on the CNAM trust product (``journey.cnam_trust_product_steps``).
"""

from __future__ import annotations

import pytest

from journey import (
    REJECTED_EMAIL,
    SERVER_ARGS,  # noqa: F401 (read by the server fixture)
    TRUST_PRODUCT_EMAIL,
    approved_primary_profile,
    buy_number,
    cnam_trust_product_steps,
    wait_decided,
)


@pytest.fixture(scope="module")
def business_profile(client, operator, server):
    # Create a Business Profile in the Console's Trust Hub and submit for vetting (the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "direct_customer")


def test_guide_reaches_twilio_approved(client, operator, business_profile):
    number = buy_number(client)
    tp = cnam_trust_product_steps(client, business_profile, number.sid)
    approved = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.errors is None and approved.valid_until is not None
    # Additional API Calls: the number is listed on the parent account.
    assert number.sid in [n.sid for n in client.incoming_phone_numbers.list(limit=20)]


def test_rejected_then_fixed_and_resubmitted(client, operator, business_profile):
    number = buy_number(client)
    tp = cnam_trust_product_steps(client, business_profile, number.sid, email=REJECTED_EMAIL)
    products = client.trusthub.v1.trust_products(tp)
    assert wait_decided(products, "twilio-rejected", operator).errors == [{"code": 18606}]
    products.update(email=TRUST_PRODUCT_EMAIL)
    assert products.update(status="pending-review").status == "pending-review"
    assert wait_decided(products, "twilio-approved", operator).errors is None
