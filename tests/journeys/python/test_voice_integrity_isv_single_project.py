"""Voice Integrity onboarding through the Trust Hub REST API, ISV/reseller with a single, top-level project.

Guide: https://www.twilio.com/docs/voice/spam-monitoring-with-voiceintegrity/voice-integrity-onboarding/voice-integrity-trust-hub-api-isvs-single-project

The guide's calls in its order, with its sample values, all in the ISV's one account:
the Primary Business Profile (in the Console: the operator API stands in), the
customer's Secondary Business Profile (steps 1-10) and the Voice Integrity trust product
(steps 1-6).
"""

from __future__ import annotations

import pytest

from journey import (
    GUIDE_BUSINESS_INFORMATION,
    SERVER_ARGS,  # noqa: F401 (read by the server fixture)
    approved_primary_profile,
    buy_number,
    secondary_business_profile_steps,
    voice_integrity_trust_product_steps,
    wait_decided,
)


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # Create a Primary Business Profile in your Parent Account in the Console's Trust Hub and
    # submit for vetting (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "isv_reseller_or_partner")


def test_guide_reaches_twilio_approved(client, server, operator, primary):
    number = buy_number(client)
    sids = secondary_business_profile_steps(client, primary, number.sid)
    secondary = client.trusthub.v1.customer_profiles(sids["profile"])
    assert wait_decided(secondary, "twilio-approved", operator).errors is None
    tp = voice_integrity_trust_product_steps(client, sids["profile"], number.sid)
    approved = wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert approved.account_sid == server.account_sid and approved.errors is None


def test_rejected_then_fixed_and_resubmitted(client, operator, primary):
    number = buy_number(client)
    rejected_info = {**GUIDE_BUSINESS_INFORMATION, "business_name": "YOUR_SECONDARY_BUSINESS_NAME REJECT"}
    sids = secondary_business_profile_steps(client, primary, number.sid, rejected_info)
    secondary = client.trusthub.v1.customer_profiles(sids["profile"])
    assert wait_decided(secondary, "twilio-rejected", operator).errors == [{"code": 18601}]
    client.trusthub.v1.end_users(sids["business_information"]).update(attributes=GUIDE_BUSINESS_INFORMATION)
    assert secondary.update(status="pending-review").status == "pending-review"
    assert wait_decided(secondary, "twilio-approved", operator).errors is None
    tp = voice_integrity_trust_product_steps(client, sids["profile"], number.sid)
    assert wait_decided(client.trusthub.v1.trust_products(tp), "twilio-approved", operator).errors is None
