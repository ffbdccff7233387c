"""A2P 10DLC, Standard and Low-Volume Standard brands for ISVs: the TrustHub part.

Guide: https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api

Steps 1.1-1.11 (Secondary Customer Profile) and 2.1-2.6 (A2P Trust Product) in the
guide's order with its sample values, run with the customer's (sub)account credentials as
the guide says ("use the Account SID … your customer will use"). Standard and Low-Volume
Standard brands make the same TrustHub calls; they differ at step 3 (a Low-Volume Standard
brand skips secondary vetting: ``skip_automatic_sec_vet=True``) and in the campaign's use
case. Steps 3-6 follow: the brand, the Messaging Service, the campaign (its use cases
first), a number in the service, to a VERIFIED campaign. Private and public companies differ
at step 2.2. The ISV's Primary Business Profile is created in the Console: the operator API
stands in for it (``approved_primary_profile``).
"""

from __future__ import annotations

import pytest

from a2p_guide import (
    A2P_POLICY,
    FAILING_DESCRIPTION,
    assert_verified,
    brand_steps,
    campaign_steps,
    messaging_service_steps,
    phone_number_steps,
    resubmit_campaign,
    ACME_AUTHORIZED_REPRESENTATIVE,
    ACME_BUSINESS_INFORMATION,
    ACME_PUBLIC_MESSAGING_PROFILE,
    a2p_trust_product_steps,
    failed_fields,
    secondary_customer_profile_steps,
    settle,
    submit_trust_product,
)
from journey import SERVER_ARGS  # noqa: F401 (read by the server fixture)
from journey import approved_primary_profile, create_subaccount


@pytest.fixture(scope="module")
def isv_primary(client, operator, server):
    # Before you begin: a Primary Business Profile, Business Type "ISV Reseller or Partner",
    # Twilio Approved (Console-only: the operator API stands in).
    return approved_primary_profile(operator, client, server.account_sid, "isv_reseller_or_partner")


def customer(client, make_client):
    """The customer's account: a subaccount of the ISV (its own credentials)."""
    _, sub_client = create_subaccount(client, make_client, "Acme, Inc.")
    return sub_client


def approve(sub, operator, secondary, tp):
    profile = settle(sub.trusthub.v1.customer_profiles(secondary), "twilio-approved", operator)
    assert profile.errors is None and profile.valid_until is not None
    product = settle(sub.trusthub.v1.trust_products(tp), "twilio-approved", operator)
    assert product.errors is None and product.valid_until is not None


def test_private_company(client, make_client, operator, isv_primary, callbacks):
    sub = customer(client, make_client)
    secondary = secondary_customer_profile_steps(sub, isv_primary, callbacks.url)["profile"]
    # 2.2 for a company that is not public: "omit the stock_ticker and stock_exchange properties".
    made = a2p_trust_product_steps(sub, secondary, {"company_type": "private"})
    submit_trust_product(sub, made["trust_product"])
    approve(sub, operator, secondary, made["trust_product"])
    callbacks.wait_for(secondary, "twilio-approved")
    # 3. The Standard brand, 4. its Messaging Service, 5. its campaign, 6. a number.
    bn = brand_steps(sub, operator, secondary, made["trust_product"])
    brand = sub.messaging.v1.brand_registrations(bn).fetch()
    assert (brand.brand_type, brand.identity_status) == ("STANDARD", "VETTED_VERIFIED")
    mg = messaging_service_steps(sub)
    campaign = campaign_steps(sub, operator, mg, bn, "MARKETING")
    number = phone_number_steps(sub, mg)
    assert_verified(sub, mg, campaign, number)
    assert campaign.rate_limits["tmobile"]["brand_tier"] == "TOP"


def test_low_volume_standard_campaign_fails_and_is_resubmitted(client, make_client, operator, isv_primary, callbacks):
    sub = customer(client, make_client)
    secondary = secondary_customer_profile_steps(sub, isv_primary, callbacks.url)["profile"]
    made = a2p_trust_product_steps(sub, secondary, {"company_type": "private"})
    submit_trust_product(sub, made["trust_product"])
    approve(sub, operator, secondary, made["trust_product"])
    # 3. A Low-Volume Standard brand: secondary vetting skipped.
    bn = brand_steps(sub, operator, secondary, made["trust_product"], skip_automatic_sec_vet=True)
    assert sub.messaging.v1.brand_registrations(bn).fetch().skip_automatic_sec_vet is True
    mg = messaging_service_steps(sub)
    # 5. A Low Volume Mixed campaign whose description the review rejects (30893) ...
    failed = campaign_steps(sub, operator, mg, bn, "LOW_VOLUME", description=FAILING_DESCRIPTION)
    assert failed.campaign_status == "FAILED"
    assert [(e["error_code"], e["fields"]) for e in failed.errors] == [(30893, ["DESCRIPTION"])]
    assert sub.messaging.v1.services(mg).fetch().us_app_to_person_registered is False
    # ... edited and resubmitted (the campaign troubleshooting guide: edit a FAILED campaign).
    campaign = resubmit_campaign(sub, operator, mg, failed.sid)
    number = phone_number_steps(sub, mg)
    assert_verified(sub, mg, campaign, number)
    assert campaign.rate_limits["tmobile"]["brand_tier"] == "LOW"


def test_public_company(client, make_client, operator, isv_primary, callbacks):
    sub = customer(client, make_client)
    secondary = secondary_customer_profile_steps(sub, isv_primary, callbacks.url)["profile"]
    # 2.2 with the guide's sample (a public company). The guide: "The brand_contact_email needs
    # to be provided … for public, for profit brands", which its sample omits: 2.5 says so.
    made = a2p_trust_product_steps(sub, secondary, ACME_PUBLIC_MESSAGING_PROFILE, expect="noncompliant")
    assert "brand_contact_email" in failed_fields(made["evaluation"])
    # The customer's brand contact (the guide's authorized representative) is added.
    with_email = {**ACME_PUBLIC_MESSAGING_PROFILE, "brand_contact_email": ACME_AUTHORIZED_REPRESENTATIVE["email"]}
    sub.trusthub.v1.end_users(made["end_user"]).update(attributes=with_email)
    tp = made["trust_product"]
    evaluation = sub.trusthub.v1.trust_products(tp).trust_products_evaluations.create(policy_sid=A2P_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    submit_trust_product(sub, tp)
    approve(sub, operator, secondary, tp)


def test_public_company_without_stock_fields_is_noncompliant(client, make_client, operator, isv_primary, callbacks):
    sub = customer(client, make_client)
    secondary = secondary_customer_profile_steps(sub, isv_primary, callbacks.url)["profile"]
    made = a2p_trust_product_steps(sub, secondary, {"company_type": "public"}, expect="noncompliant")
    assert {"stock_exchange", "stock_ticker", "brand_contact_email"} <= set(failed_fields(made["evaluation"]))


def test_rejected_profile_fixed_and_resubmitted(client, make_client, operator, isv_primary, callbacks):
    sub = customer(client, make_client)
    # A business name the reviewer rejects (README, "The vetting pipeline": 18601).
    rejected_info = {**ACME_BUSINESS_INFORMATION, "business_name": "Acme, Inc. REJECT"}
    made = secondary_customer_profile_steps(sub, isv_primary, callbacks.url, business_information=rejected_info)
    secondary = made["profile"]
    tp = a2p_trust_product_steps(sub, secondary, {"company_type": "private"})["trust_product"]
    submit_trust_product(sub, tp)
    profile = settle(sub.trusthub.v1.customer_profiles(secondary), "twilio-rejected", operator)
    assert profile.errors == [{"code": 18601}]
    callbacks.wait_for(secondary, "twilio-rejected")
    # The trust product follows its customer profile.
    product = settle(sub.trusthub.v1.trust_products(tp), "twilio-rejected", operator)
    assert product.errors == [{"code": 18601}]
    # Fix the business information, resubmit the profile, then the trust product.
    sub.trusthub.v1.end_users(made["business_information"]).update(attributes=ACME_BUSINESS_INFORMATION)
    again = sub.trusthub.v1.customer_profiles(secondary).update(status="pending-review")
    assert (again.status, again.errors) == ("pending-review", None)
    submit_trust_product(sub, tp)
    approve(sub, operator, secondary, tp)
