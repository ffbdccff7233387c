"""The Starter Customer Profile for a direct customer (Toll-Free verification uses it too).

Guide: https://www.twilio.com/docs/trust-hub/trusthub-rest-api/api-create-a-starter-profile

The page's prerequisite — "a Primary Customer Profile in the same account … in
TWILIO_APPROVED state" — and its steps (create the Starter profile with policy
RN806dd6cd175f314e1f96a9727ee271f4, its end user, the Address and supporting document,
assign them and the Primary, evaluate, submit). The page's own sample values could not be
read in full; the values are those of the Sole Proprietor guide's Starter steps (same policy,
same calls). The Primary is created in the Console: the operator API stands in for it.

Toll-Free: the verification itself is the Messaging API (outside TrustHub) and takes the
Starter profile's SID; the Toll Free trust product (RNa282dd7f3dbef8586501ca2e045e764c) is
our catalog's choice (catalog/README.md) and is checked here to accept the Starter profile.
The last test covers our choice for the direct Sole Proprietor path (Console-only at Twilio):
the individual Primary profile and the Starter A2P trust product for direct customers.
"""

from __future__ import annotations

import pytest

from a2p_guide import STARTER_POLICY, settle
from journey import SERVER_ARGS  # noqa: F401 (read by the server fixture)
from journey import (
    GUIDE_AUTHORIZED_REPRESENTATIVE,
    GUIDE_BUSINESS_INFORMATION,
    assert_sid,
    create_address,
    primary_profile_standin,
)

TOLL_FREE_POLICY = "RNa282dd7f3dbef8586501ca2e045e764c"
INDIVIDUAL_PRIMARY_POLICY = "RNffcb02a20420c81caf596ffc44f69712"
STARTER_A2P_DIRECT_POLICY = "RN63da8244384cf0401c39f5f91e674db5"
STARTER_INFORMATION = {
    "email": "starter-profile-enduser@example.com",
    "first_name": "John",
    "last_name": "Doe",
    "phone_number": "+11234567890",
}


@pytest.fixture(scope="module")
def primary(client, operator, server):
    # Prerequisite: the direct customer's Primary Customer Profile, submitted in the Console
    # (operator API stand-in). It is NOT approved yet: the first test sees the difference.
    address = create_address(client, customer_name="Primary business")
    return primary_profile_standin(
        operator, client, server.account_sid,
        business_information={**GUIDE_BUSINESS_INFORMATION, "business_name": "Primary business"},
        authorized_representative=GUIDE_AUTHORIZED_REPRESENTATIVE,
        address_sid=address.sid,
    )


def starter_profile(client, primary_sid: str, email: str = "johndoe@example.com") -> str:
    """The page's steps up to the evaluation; returns the draft Starter profile's SID."""
    profile = client.trusthub.v1.customer_profiles.create(
        friendly_name="John Doe Starter Customer Profile Bundle", email=email, policy_sid=STARTER_POLICY
    )
    bu = assert_sid("BU", profile.sid)
    end_user = client.trusthub.v1.end_users.create(
        attributes=STARTER_INFORMATION, friendly_name="Starter Profile End User", type="starter_customer_profile_information"
    )
    address = client.addresses.create(
        customer_name="John Doe", street="123 Example Street", street_secondary="Apt B", city="Example City",
        region="CA", iso_country="US", postal_code="12345",
    )
    document = client.trusthub.v1.supporting_documents.create(
        attributes={"address_sids": address.sid}, friendly_name="SP Document Address", type="customer_profile_address"
    )
    for object_sid in (end_user.sid, document.sid, primary_sid):
        client.trusthub.v1.customer_profiles(bu).customer_profiles_entity_assignments.create(object_sid=object_sid)
    return bu


def evaluate(client, bu: str):
    return client.trusthub.v1.customer_profiles(bu).customer_profiles_evaluations.create(policy_sid=STARTER_POLICY)


def test_primary_must_be_approved_then_starter_reaches_twilio_approved(client, operator, primary):
    starter = starter_profile(client, primary)
    # The Primary is only submitted (in review): the Starter profile does not pass yet.
    evaluation = evaluate(client, starter)
    assert evaluation.status == "noncompliant"
    failed = [r for r in evaluation.results if not r["passed"]]
    assert [r["requirement_name"] for r in failed] == ["primary_customer_profile"]
    assert "twilio-approved" in failed[0]["failure_reason"]
    # Once the Primary is approved, the same profile evaluates compliant and is submitted.
    settle(client.trusthub.v1.customer_profiles(primary), "twilio-approved", operator)
    assert evaluate(client, starter).status == "compliant"
    assert client.trusthub.v1.customer_profiles(starter).update(status="pending-review").status == "pending-review"
    approved = settle(client.trusthub.v1.customer_profiles(starter), "twilio-approved", operator)
    assert approved.errors is None and approved.valid_until is not None

    # Toll-Free: the Starter profile satisfies the Toll Free trust product.
    tf = client.trusthub.v1.trust_products.create(
        friendly_name="John Doe Toll-Free", email="johndoe@example.com", policy_sid=TOLL_FREE_POLICY
    )
    client.trusthub.v1.trust_products(tf.sid).trust_products_entity_assignments.create(object_sid=starter)
    tf_eval = client.trusthub.v1.trust_products(tf.sid).trust_products_evaluations.create(policy_sid=TOLL_FREE_POLICY)
    assert tf_eval.status == "compliant", tf_eval.results
    client.trusthub.v1.trust_products(tf.sid).update(status="pending-review")
    assert settle(client.trusthub.v1.trust_products(tf.sid), "twilio-approved", operator).errors is None


def test_rejected_then_fixed_and_resubmitted(client, operator, primary):
    settle(client.trusthub.v1.customer_profiles(primary), "twilio-approved", operator)
    # An email the reviewer rejects (README, "The vetting pipeline": 18606).
    starter = starter_profile(client, primary, email="reject-johndoe@example.com")
    cp = client.trusthub.v1.customer_profiles(starter)
    assert evaluate(client, starter).status == "compliant"
    cp.update(status="pending-review")
    assert settle(cp, "twilio-rejected", operator).errors == [{"code": 18606}]
    assert cp.update(email="johndoe@example.com").email == "johndoe@example.com"
    assert cp.update(status="pending-review").errors is None
    assert settle(cp, "twilio-approved", operator).errors is None


def test_individual_primary_and_starter_a2p_for_direct_customers(operator, make_client):
    # Our catalog's choice (catalog/README.md): a direct sole proprietor's individual Primary
    # profile (Console-only: operator stand-in) and the Starter A2P trust product for direct customers.
    account = operator.create_account("John Doe")
    client = make_client(account["sid"], account["auth_token"])
    profile = operator.create_customer_profile(
        account["sid"], friendly_name="John Doe", email="johndoe@example.com", policy_sid=INDIVIDUAL_PRIMARY_POLICY
    )
    individual = client.trusthub.v1.end_users.create(
        type="individual_customer_profile_information", friendly_name="John Doe",
        attributes={"first_name": "John", "last_name": "Doe", "email": "johndoe@example.com", "phone_number": "+11234567890"},
    )
    address = create_address(client, customer_name="John Doe")
    document = client.trusthub.v1.supporting_documents.create(
        type="customer_profile_address", friendly_name="John Doe address", attributes={"address_sids": address.sid}
    )
    cp = client.trusthub.v1.customer_profiles(profile["sid"])
    for object_sid in (individual.sid, document.sid):
        cp.customer_profiles_entity_assignments.create(object_sid=object_sid)
    assert cp.customer_profiles_evaluations.create(policy_sid=INDIVIDUAL_PRIMARY_POLICY).status == "compliant"
    cp.update(status="pending-review")
    assert settle(cp, "twilio-approved", operator).errors is None

    bundle = client.trusthub.v1.trust_products.create(
        friendly_name="John Doe Starter A2P", email="johndoe@example.com", policy_sid=STARTER_A2P_DIRECT_POLICY
    )
    sole = client.trusthub.v1.end_users.create(
        type="sole_proprietor_information", friendly_name="John Doe",
        attributes={"brand_name": "John Doe", "vertical": "COMMUNICATION", "mobile_phone_number": "+11234567890"},
    )
    tps = client.trusthub.v1.trust_products(bundle.sid)
    tps.trust_products_entity_assignments.create(object_sid=sole.sid)
    assert tps.trust_products_evaluations.create(policy_sid=STARTER_A2P_DIRECT_POLICY).status == "noncompliant"
    tps.trust_products_entity_assignments.create(object_sid=profile["sid"])
    assert tps.trust_products_evaluations.create(policy_sid=STARTER_A2P_DIRECT_POLICY).status == "compliant"
    tps.update(status="pending-review")
    assert settle(tps, "twilio-approved", operator).errors is None
