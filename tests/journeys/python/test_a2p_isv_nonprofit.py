"""A2P 10DLC for ISVs registering a nonprofit organization: the TrustHub part.

Guides: https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-for-government-and-non-profit-agencies
(section "ISV - Registering a nonprofit organization") applied to
https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api (steps 1.1-2.6).

The ISV guide's calls in its order with its sample values, except the values the
government/nonprofit page prescribes: business_type, business_industry (step 1.2) and
company_type (step 2.2). The ISV's Primary Business Profile is created in the Console: the
operator API stands in for it (``approved_primary_profile``).
"""

from __future__ import annotations

import pytest

from a2p_guide import (
    A2P_POLICY,
    ACME_BUSINESS_INFORMATION,
    NONPROFIT,
    a2p_trust_product_steps,
    secondary_customer_profile_steps,
    settle,
    submit_trust_product,
)
from journey import SERVER_ARGS  # noqa: F401 (read by the server fixture)
from journey import approved_primary_profile, create_subaccount

BUSINESS_INFORMATION = {
    **ACME_BUSINESS_INFORMATION,
    "business_type": NONPROFIT["business_type"],
    "business_industry": NONPROFIT["business_industry"],
}
MESSAGING_PROFILE = {"company_type": NONPROFIT["company_type"]}


@pytest.fixture(scope="module")
def isv_primary(client, operator, server):
    # Before you begin: the ISV's Primary Business Profile (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "isv_reseller_or_partner")


def test_guide_reaches_twilio_approved(client, make_client, operator, isv_primary, callbacks):
    _, sub = create_subaccount(client, make_client, "Acme, Inc.")
    secondary = secondary_customer_profile_steps(sub, isv_primary, callbacks.url, business_information=BUSINESS_INFORMATION)
    made = a2p_trust_product_steps(sub, secondary["profile"], MESSAGING_PROFILE)
    # The evaluation passes on the company_type value the page prescribes.
    assert all(r["passed"] for r in made["evaluation"].results)
    submit_trust_product(sub, made["trust_product"])
    profile = settle(sub.trusthub.v1.customer_profiles(secondary["profile"]), "twilio-approved", operator)
    assert profile.errors is None
    product = settle(sub.trusthub.v1.trust_products(made["trust_product"]), "twilio-approved", operator)
    assert product.errors is None and product.valid_until is not None
    assert sub.trusthub.v1.end_users(made["end_user"]).fetch().attributes == MESSAGING_PROFILE


def test_other_spellings_of_company_type_are_refused(client, make_client, operator, isv_primary, callbacks):
    _, sub = create_subaccount(client, make_client, "Acme, Inc.")
    secondary = secondary_customer_profile_steps(sub, isv_primary, callbacks.url, business_information=BUSINESS_INFORMATION)
    made = a2p_trust_product_steps(sub, secondary["profile"], {"company_type": "Non-Profit"}, expect="noncompliant")
    reasons = [f["failure_reason"] for r in made["evaluation"].results for f in (r.get("invalid") or [])]
    assert any("Non-Profit" in (reason or "") for reason in reasons), reasons


def test_rejected_then_fixed_and_resubmitted(client, make_client, operator, isv_primary, callbacks):
    _, sub = create_subaccount(client, make_client, "Acme, Inc.")
    # a registration number the reviewer rejects (README, "The vetting pipeline": 18602)
    business = {**BUSINESS_INFORMATION, "business_registration_number": "000000000"}
    made = secondary_customer_profile_steps(sub, isv_primary, callbacks.url, business_information=business)
    secondary = made["profile"]
    tp = a2p_trust_product_steps(sub, secondary, MESSAGING_PROFILE)["trust_product"]
    submit_trust_product(sub, tp)
    assert settle(sub.trusthub.v1.customer_profiles(secondary), "twilio-rejected", operator).errors == [{"code": 18602}]
    assert settle(sub.trusthub.v1.trust_products(tp), "twilio-rejected", operator).errors == [{"code": 18602}]
    callbacks.wait_for(secondary, "twilio-rejected")
    # Fix the rejected value and resubmit the profile, then the trust product.
    sub.trusthub.v1.end_users(made["business_information"]).update(attributes=BUSINESS_INFORMATION)
    assert sub.trusthub.v1.customer_profiles(secondary).update(status="pending-review").errors is None
    assert sub.trusthub.v1.trust_products(tp).trust_products_evaluations.create(policy_sid=A2P_POLICY).status == "compliant"
    submit_trust_product(sub, tp)
    assert settle(sub.trusthub.v1.customer_profiles(secondary), "twilio-approved", operator).errors is None
    assert settle(sub.trusthub.v1.trust_products(tp), "twilio-approved", operator).errors is None
