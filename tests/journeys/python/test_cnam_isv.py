"""CNAM onboarding through the Trust Hub REST API, ISV.

Guide: https://www.twilio.com/docs/voice/brand-your-calls-using-cnam ("CNAM Onboarding with the Trust Hub REST API":
"If you are an ISV, then you would need to create a Secondary Business Profile for your customer(s).")

The page's calls in its order, with its sample values, in the ISV's account: the ISV's
Primary is made in the Console (the operator API stands in); the customer's Secondary
Business Profile is built with the calls of the ISV guides (steps 1-10,
``journey.secondary_business_profile_steps``), and is the Business Profile of the CNAM
steps (``journey.cnam_trust_product_steps``).
"""

from __future__ import annotations

import pytest

from journey import (
    GUIDE_BUSINESS_INFORMATION,
    SERVER_ARGS,  # noqa: F401 (read by the server fixture)
    approved_primary_profile,
    buy_number,
    cnam_trust_product_steps,
    secondary_business_profile_steps,
    wait_decided,
)


@pytest.fixture(scope="module")
def primary(client, operator, server):
    return approved_primary_profile(operator, client, server.account_sid, "isv_reseller_or_partner")


def test_guide_reaches_twilio_approved(client, operator, primary):
    number = buy_number(client)
    sids = secondary_business_profile_steps(client, primary, number.sid)
    secondary = client.trusthub.v1.customer_profiles(sids["profile"])
    assert wait_decided(secondary, "twilio-approved", operator).errors is None
    # The ISV guides' step 9 put one number on the Secondary; the CNAM page's first call
    # ("Assign Phone Numbers to Your Business Profile") adds the number CNAM is for.
    tp = cnam_trust_product_steps(client, sids["profile"], buy_number(client).sid)
    assert wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator).errors is None


def test_rejected_then_fixed_and_resubmitted(client, operator, primary):
    number = buy_number(client)
    rejected_info = {**GUIDE_BUSINESS_INFORMATION, "business_name": "YOUR_SECONDARY_BUSINESS_NAME REJECT"}
    sids = secondary_business_profile_steps(client, primary, number.sid, rejected_info)
    secondary = client.trusthub.v1.customer_profiles(sids["profile"])
    assert wait_decided(secondary, "twilio-rejected", operator).errors == [{"code": 18601}]
    client.trusthub.v1.end_users(sids["business_information"]).update(attributes=GUIDE_BUSINESS_INFORMATION)
    assert secondary.update(status="pending-review").status == "pending-review"
    assert wait_decided(secondary, "twilio-approved", operator).errors is None
    tp = cnam_trust_product_steps(client, sids["profile"], buy_number(client).sid)
    assert wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator).errors is None
