"""Seed 001: Voice Integrity onboarding for ISVs (Secondary Business Profile + Trust Product).

The calls follow the code samples of the guide as literally as possible, with
the placeholders replaced by real values. The server runs the automatic
reviewer with no delay (``--review auto --review-delay 0``).

* Without a Primary Business Profile the Secondary profile cannot become
  compliant: its evaluation fails exactly on ``primary_customer_profile`` and
  submitting it is refused with 400.
* The Primary Business Profile is console-only: the ``primary_profile`` fixture
  creates it through the operator API for the same account (as the Console
  would), completes and submits it through the client and has the operator
  approve it. With it assigned (step 2 of the guide), the Secondary profile and
  the Voice Integrity trust product are submitted and both end twilio-approved;
  a profile rejected for its business name is fixed and resubmitted.
* As an ISV runs it: the parent's client creates a customer subaccount
  (``client.api.v2010.accounts.create``); a client built from the subaccount's
  own SID and auth token creates the Address and phone number, the Secondary
  profile (assigned the PARENT's approved Primary profile) and the Voice
  Integrity trust product; both end twilio-approved, and the guide's "Additional
  API Calls" list exactly what the flow created. The parent's client cannot fetch
  the subaccount's profile (404) but lists its Addresses through
  ``client.api.v2010.accounts(sub_sid).addresses``.
* An API key of the subaccount (``client.new_keys.create``) authenticates
  ``Client(key_sid, secret, account_sid)`` until it is deleted.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Dict, Optional

import pytest
from twilio.base.exceptions import TwilioRestException

from trusthub_server import create_address, create_phone_number, official_client, wait_for_status

SERVER_ARGS = ("--review", "auto", "--review-delay", "0")

PRIMARY_PROFILE_POLICY = "RN6433641899984f951173ef1738c3bdd0"  # console-only
SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
VOICE_INTEGRITY_POLICY = "RN5b3660f9598883b1df4e77f77acefba0"

BUSINESS_INFORMATION = {
    "business_name": "Acme Inc",
    "business_identity": "direct_customer",
    "business_type": "Corporation",
    "business_industry": "TECHNOLOGY",
    "business_registration_identifier": "USA: Employer Identification Number (EIN)",
    "business_registration_number": "123456789",
    "business_regions_of_operation": "USA_AND_CANADA",
    "website_url": "https://acme.example.com",
    "social_media_profile_urls": "",
}
AUTHORIZED_REPRESENTATIVE = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@acme.example.com",
    "phone_number": "+15555550100",
    "business_title": "Chief Executive",
    "job_position": "CEO",
}
VOICE_INTEGRITY_INFORMATION = {
    "use_case": "Survey/Research",
    "business_employee_count": "10",
    "average_business_day_call_volume": "10",
    "notes": "Surveying people to learn about demographics",
}
REQUIRED_SECONDARY_REQUIREMENTS = (
    "customer_profile_business_information",
    "authorized_representative_1",
    "customer_profile_address",
)


def sid_of(prefix: str) -> "re.Pattern[str]":
    return re.compile(rf"^{prefix}[0-9a-f]{{32}}$")


def assert_passed(result: Dict) -> None:
    assert result["passed"] is True, result
    assert result["error_code"] is None, result
    assert result["failure_reason"] is None, result
    assert result["invalid"] == [], result


def build_secondary_profile(
    client,
    base: str,
    account_sid: str,
    primary_sid: Optional[str] = None,
    business_information_attributes: Dict[str, str] = BUSINESS_INFORMATION,
    address_sid: Optional[str] = None,
    phone_number_sid: Optional[str] = None,
) -> Dict[str, str]:
    """Steps 1-9 of the guide; step 2 (assign the Primary profile) only if ``primary_sid`` is given.

    The customer's Address (step 3) and phone number (step 9) are created through the
    client's 2010-04-01 API unless ``address_sid`` / ``phone_number_sid`` name existing ones.
    """
    # 1. Create a Secondary Business Profile
    customer_profile = client.trusthub.v1.customer_profiles.create(
        email="EMAIL@EMAIL.COM",
        friendly_name="YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE",
        policy_sid=SECONDARY_PROFILE_POLICY,
    )
    bu = customer_profile.sid
    assert sid_of("BU").match(bu)
    assert customer_profile.account_sid == account_sid
    assert customer_profile.policy_sid == SECONDARY_PROFILE_POLICY
    assert customer_profile.friendly_name == "YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE"
    assert customer_profile.email == "EMAIL@EMAIL.COM"
    assert customer_profile.status == "draft"
    assert customer_profile.errors is None
    assert customer_profile.valid_until is None
    assert customer_profile.status_callback is None
    assert isinstance(customer_profile.date_created, datetime)
    assert isinstance(customer_profile.date_updated, datetime)
    assert customer_profile.url == f"{base}/v1/CustomerProfiles/{bu}"
    assert customer_profile.links == {
        "customer_profiles_entity_assignments": f"{base}/v1/CustomerProfiles/{bu}/EntityAssignments",
        "customer_profiles_evaluations": f"{base}/v1/CustomerProfiles/{bu}/Evaluations",
        "customer_profiles_channel_endpoint_assignment": f"{base}/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments",
    }

    # 2. Connect the Secondary Business Profile to the Primary Business Profile
    primary_assignment = None
    if primary_sid is not None:
        primary_assignment = client.trusthub.v1.customer_profiles(bu).customer_profiles_entity_assignments.create(
            object_sid=primary_sid
        )
        assert sid_of("BV").match(primary_assignment.sid)
        assert primary_assignment.customer_profile_sid == bu
        assert primary_assignment.account_sid == account_sid
        assert primary_assignment.object_sid == primary_sid
        assert primary_assignment.url == f"{base}/v1/CustomerProfiles/{bu}/EntityAssignments/{primary_assignment.sid}"

    # 3. Create a Supporting Document (the customer's address)
    if address_sid is None:
        address_sid = create_address(client)  # the customer's Address (2010-04-01 API)
    supporting_document = client.trusthub.v1.supporting_documents.create(
        attributes={"address_sids": address_sid},
        friendly_name="YOUR_CUSTOMER_FRIENDLY_NAME",
        type="customer_profile_address",
    )
    assert sid_of("RD").match(supporting_document.sid)
    assert supporting_document.account_sid == account_sid
    assert supporting_document.friendly_name == "YOUR_CUSTOMER_FRIENDLY_NAME"
    assert supporting_document.type == "customer_profile_address"
    assert supporting_document.attributes == {"address_sids": address_sid}
    assert supporting_document.status == "DRAFT"  # the spec's enum is upper-case (the guide shows "draft")
    assert supporting_document.mime_type is None
    assert supporting_document.url == f"{base}/v1/SupportingDocuments/{supporting_document.sid}"

    # 4. Connect the Supporting Document to the Secondary Business Profile
    document_assignment = client.trusthub.v1.customer_profiles(bu).customer_profiles_entity_assignments.create(
        object_sid=supporting_document.sid
    )
    assert sid_of("BV").match(document_assignment.sid)
    assert document_assignment.customer_profile_sid == bu
    assert document_assignment.account_sid == account_sid
    assert document_assignment.object_sid == supporting_document.sid
    assert isinstance(document_assignment.date_created, datetime)
    assert document_assignment.url == f"{base}/v1/CustomerProfiles/{bu}/EntityAssignments/{document_assignment.sid}"

    # 5. Create Business Information
    business_information = client.trusthub.v1.end_users.create(
        attributes=business_information_attributes,
        friendly_name="YOUR_CUSTOMER_FRIENDLY_NAME",
        type="customer_profile_business_information",
    )
    assert sid_of("IT").match(business_information.sid)
    assert business_information.account_sid == account_sid
    assert business_information.type == "customer_profile_business_information"
    assert business_information.friendly_name == "YOUR_CUSTOMER_FRIENDLY_NAME"
    assert business_information.attributes == business_information_attributes
    assert business_information.url == f"{base}/v1/EndUsers/{business_information.sid}"

    # 6. Connect Business Information to the Secondary Business Profile
    business_assignment = client.trusthub.v1.customer_profiles(bu).customer_profiles_entity_assignments.create(
        object_sid=business_information.sid
    )
    assert business_assignment.object_sid == business_information.sid
    assert business_assignment.customer_profile_sid == bu

    # 7. Create an Authorized Representative
    representative = client.trusthub.v1.end_users.create(
        attributes=AUTHORIZED_REPRESENTATIVE,
        friendly_name="YOUR_SECONDARY_BUSINESS_FRIENDLY_NAME",
        type="authorized_representative_1",
    )
    assert sid_of("IT").match(representative.sid)
    assert representative.type == "authorized_representative_1"
    assert representative.attributes == AUTHORIZED_REPRESENTATIVE

    # 8. Connect the Authorized Representative
    representative_assignment = client.trusthub.v1.customer_profiles(
        bu
    ).customer_profiles_entity_assignments.create(object_sid=representative.sid)
    assert representative_assignment.object_sid == representative.sid

    # 9. Add Phone Number(s) to the Secondary Business Profile
    if phone_number_sid is None:
        phone_number_sid = create_phone_number(client)  # a number of the account (2010-04-01 API)
    channel_assignment = client.trusthub.v1.customer_profiles(
        bu
    ).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert sid_of("RA").match(channel_assignment.sid)
    assert channel_assignment.customer_profile_sid == bu
    assert channel_assignment.account_sid == account_sid
    assert channel_assignment.channel_endpoint_sid == phone_number_sid
    assert channel_assignment.channel_endpoint_type == "phone-number"
    assert isinstance(channel_assignment.date_created, datetime)
    assert (
        channel_assignment.url
        == f"{base}/v1/CustomerProfiles/{bu}/ChannelEndpointAssignments/{channel_assignment.sid}"
    )

    return {
        "customer_profile": bu,
        "supporting_document": supporting_document.sid,
        "business_information": business_information.sid,
        "representative": representative.sid,
        "document_assignment": document_assignment.sid,
        "business_assignment": business_assignment.sid,
        "representative_assignment": representative_assignment.sid,
        "phone_number": phone_number_sid,
        "channel_assignment": channel_assignment.sid,
        "primary_assignment": primary_assignment.sid if primary_assignment else None,
    }


def test_secondary_business_profile_is_noncompliant_without_primary(client, base, server):
    sids = build_secondary_profile(client, base, server.account_sid)
    bu = sids["customer_profile"]
    profile = client.trusthub.v1.customer_profiles(bu)

    # Entity assignments: the address document, the business information and the
    # representative (the Primary profile cannot be assigned: it is console-only).
    assignments = profile.customer_profiles_entity_assignments.list(limit=20)
    assert sorted(a.sid for a in assignments) == sorted(
        [sids["document_assignment"], sids["business_assignment"], sids["representative_assignment"]]
    )
    assert {a.object_sid for a in assignments} == {
        sids["supporting_document"],
        sids["business_information"],
        sids["representative"],
    }
    assert all(a.customer_profile_sid == bu for a in assignments)

    fetched = profile.customer_profiles_entity_assignments(sids["business_assignment"]).fetch()
    assert fetched.sid == sids["business_assignment"]
    assert fetched.object_sid == sids["business_information"]
    assert fetched.customer_profile_sid == bu
    assert fetched.account_sid == server.account_sid
    assert fetched.url == f"{base}/v1/CustomerProfiles/{bu}/EntityAssignments/{fetched.sid}"

    # Phone-number assignments ("Check Secondary Business Profile Phone Number Assignments")
    channel_assignments = profile.customer_profiles_channel_endpoint_assignment.list(limit=20)
    assert [(c.sid, c.channel_endpoint_sid) for c in channel_assignments] == [
        (sids["channel_assignment"], sids["phone_number"])
    ]

    # Evaluate against the bundle's policy.
    evaluation = profile.customer_profiles_evaluations.create(policy_sid=SECONDARY_PROFILE_POLICY)
    assert sid_of("EL").match(evaluation.sid)
    assert evaluation.account_sid == server.account_sid
    assert evaluation.policy_sid == SECONDARY_PROFILE_POLICY
    assert evaluation.customer_profile_sid == bu
    assert evaluation.status == "noncompliant"
    assert evaluation.url == f"{base}/v1/CustomerProfiles/{bu}/Evaluations/{evaluation.sid}"
    by_name = {r["requirement_name"]: r for r in evaluation.results}
    failing = [r["requirement_name"] for r in evaluation.results if not r["passed"]]
    assert failing == ["primary_customer_profile"], evaluation.results
    for name in REQUIRED_SECONDARY_REQUIREMENTS:
        assert name in by_name, f"no result for requirement {name}: {evaluation.results}"
        assert_passed(by_name[name])
    primary = by_name["primary_customer_profile"]
    assert primary["object_type"] == "primary_customer_profile_type_business"
    assert primary["error_code"] == 22216  # supporting profile missing (catalog.md)
    assert isinstance(primary["failure_reason"], str) and primary["failure_reason"]

    again = profile.customer_profiles_evaluations(evaluation.sid).fetch()
    assert (again.sid, again.status, again.results) == (evaluation.sid, "noncompliant", evaluation.results)
    assert [e.sid for e in profile.customer_profiles_evaluations.list()] == [evaluation.sid]

    # 10. Submit: refused because the evaluation is noncompliant; the bundle stays draft.
    with pytest.raises(TwilioRestException) as excinfo:
        profile.update(status="pending-review")
    assert (excinfo.value.status, excinfo.value.code) == (400, 22220), excinfo.value.msg
    assert f"The CustomerProfile {bu} is noncompliant and cannot be submitted" in excinfo.value.msg, excinfo.value.msg
    assert "primary_customer_profile (" in excinfo.value.msg, excinfo.value.msg
    assert profile.fetch().status == "draft"


def build_voice_integrity_product(client, base: str, account_sid: str, bu: str, phone_number_sid: str) -> Dict[str, str]:
    """Steps 1-5 of the guide's Voice Integrity part, on the Secondary profile ``bu`` and its number."""
    # 1. Create a Voice Integrity Trust Product
    trust_product = client.trusthub.v1.trust_products.create(
        email="EMAIL@EXAMPLE.COM",
        friendly_name="FRIENDLY_NAME_FOR_YOUR_TRUST_PRODUCT",
        policy_sid=VOICE_INTEGRITY_POLICY,
    )
    tp = trust_product.sid
    assert sid_of("BU").match(tp)
    assert trust_product.account_sid == account_sid
    assert trust_product.policy_sid == VOICE_INTEGRITY_POLICY
    assert trust_product.friendly_name == "FRIENDLY_NAME_FOR_YOUR_TRUST_PRODUCT"
    assert trust_product.email == "EMAIL@EXAMPLE.COM"
    assert trust_product.status == "draft"
    assert trust_product.errors is None
    assert trust_product.valid_until is None
    assert trust_product.url == f"{base}/v1/TrustProducts/{tp}"
    assert trust_product.links == {
        "trust_products_entity_assignments": f"{base}/v1/TrustProducts/{tp}/EntityAssignments",
        "trust_products_evaluations": f"{base}/v1/TrustProducts/{tp}/Evaluations",
        "trust_products_channel_endpoint_assignment": f"{base}/v1/TrustProducts/{tp}/ChannelEndpointAssignments",
    }

    # 2. Create the End User for the Voice Integrity Trust Product
    end_user = client.trusthub.v1.end_users.create(
        attributes=VOICE_INTEGRITY_INFORMATION,
        friendly_name="YOUR_END_USER_FRIENDLY_NAME",
        type="voice_integrity_information",
    )
    assert sid_of("IT").match(end_user.sid)
    assert end_user.type == "voice_integrity_information"
    assert end_user.attributes == VOICE_INTEGRITY_INFORMATION

    # 3. Connect the Trust Product to the End User
    product = client.trusthub.v1.trust_products(tp)
    end_user_assignment = product.trust_products_entity_assignments.create(object_sid=end_user.sid)
    assert sid_of("BV").match(end_user_assignment.sid)
    assert end_user_assignment.trust_product_sid == tp
    assert end_user_assignment.account_sid == account_sid
    assert end_user_assignment.object_sid == end_user.sid
    assert end_user_assignment.url == f"{base}/v1/TrustProducts/{tp}/EntityAssignments/{end_user_assignment.sid}"

    # 4. Connect the Trust Product to the Secondary Business Profile
    profile_assignment = product.trust_products_entity_assignments.create(object_sid=bu)
    assert profile_assignment.object_sid == bu
    assert profile_assignment.trust_product_sid == tp
    assert {a.object_sid for a in product.trust_products_entity_assignments.list()} == {end_user.sid, bu}

    # 5. Assign the profile's phone number to the Trust Product
    channel_assignment = product.trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert sid_of("RA").match(channel_assignment.sid)
    assert channel_assignment.trust_product_sid == tp
    assert channel_assignment.channel_endpoint_sid == phone_number_sid
    assert channel_assignment.channel_endpoint_type == "phone-number"
    assert channel_assignment.url == f"{base}/v1/TrustProducts/{tp}/ChannelEndpointAssignments/{channel_assignment.sid}"

    return {
        "trust_product": tp,
        "end_user": end_user.sid,
        "end_user_assignment": end_user_assignment.sid,
        "profile_assignment": profile_assignment.sid,
        "channel_assignment": channel_assignment.sid,
    }


def test_voice_integrity_trust_product(client, base, server):
    sids = build_secondary_profile(client, base, server.account_sid)
    bu = sids["customer_profile"]
    phone_number_sid = sids["phone_number"]
    tp_sids = build_voice_integrity_product(client, base, server.account_sid, bu, phone_number_sid)
    tp = tp_sids["trust_product"]
    product = client.trusthub.v1.trust_products(tp)

    matching = product.trust_products_channel_endpoint_assignment.list(channel_endpoint_sid=phone_number_sid, limit=20)
    assert [(c.sid, c.channel_endpoint_sid, c.trust_product_sid) for c in matching] == [
        (tp_sids["channel_assignment"], phone_number_sid, tp)
    ]
    other_number = "PN" + secrets.token_hex(16)
    assert product.trust_products_channel_endpoint_assignment.list(channel_endpoint_sid=other_number) == []

    # Evaluate: the end user is fine, but the supporting Secondary profile is only a draft.
    evaluation = product.trust_products_evaluations.create(policy_sid=VOICE_INTEGRITY_POLICY)
    assert sid_of("EL").match(evaluation.sid)
    assert evaluation.trust_product_sid == tp
    assert evaluation.policy_sid == VOICE_INTEGRITY_POLICY
    assert evaluation.account_sid == server.account_sid
    assert evaluation.url == f"{base}/v1/TrustProducts/{tp}/Evaluations/{evaluation.sid}"
    assert evaluation.status == "noncompliant"
    voice_integrity = [r for r in evaluation.results if r["object_type"] == "voice_integrity_information"]
    assert len(voice_integrity) == 1, evaluation.results
    assert_passed(voice_integrity[0])
    failing = [r for r in evaluation.results if not r["passed"]]
    assert len(failing) == 1, evaluation.results
    assert failing[0]["error_code"] == 22217  # supporting profile not approved (catalog.md)

    # Submitting a noncompliant trust product is refused; it stays draft.
    with pytest.raises(TwilioRestException) as excinfo:
        product.update(status="pending-review")
    assert (excinfo.value.status, excinfo.value.code) == (400, 22220), excinfo.value.msg
    assert f"The TrustProduct {tp} is noncompliant and cannot be submitted" in excinfo.value.msg, excinfo.value.msg
    assert "(22217)" in excinfo.value.msg, excinfo.value.msg
    assert product.fetch().status == "draft"


# --------------------------------------------------------------------------- #
# With the Primary Business Profile (operator API) and the automatic reviewer
# --------------------------------------------------------------------------- #


def status_changes(operator, bundle_sid: str):
    """The bundle's status_changed events as (from, to, by)."""
    return [(e["detail"]["from"], e["detail"]["to"], e["detail"]["by"]) for e in operator.events(bundle_sid, "status_changed")]


def approve_by_operator(operator, bundle_sid: str) -> None:
    """The operator approves a submitted bundle through POST /admin/v1/Reviews/{sid}.

    The module's server also runs the automatic reviewer with no delay, which
    approves a clean bundle on its own and may get there first. Then the
    operator's decision is refused with 409 (20409, the bundle is no longer
    under review) and the timeline shows the pipeline's approval instead. Either
    way there is exactly one decision.
    """
    status, body = operator.decide(bundle_sid, "approve")
    if status == 200:
        assert body["sid"] == bundle_sid
        assert body["status"] == "twilio-approved", body
        assert body["errors"] is None, body
        assert body["valid_until"] is not None, body
        decider = "operator"
    else:
        assert status == 409 and body["code"] == 20409, (status, body)
        assert "twilio-approved" in body["message"], body
        decider = "pipeline"
    decisions = [(to, by) for _, to, by in status_changes(operator, bundle_sid) if to in ("twilio-approved", "twilio-rejected")]
    assert decisions == [("twilio-approved", decider)], decisions


@pytest.fixture(scope="module")
def primary_profile(client, base, server, operator) -> str:
    """Step 2's prerequisite: the parent account's approved Primary Business Profile.

    The Primary policy is console-only, so the profile is created by the operator
    API for this account, as the Console would. The customer then completes and
    submits it through the client, and the operator approves it.
    """
    created = operator.create_customer_profile(
        server.account_sid,
        friendly_name="Acme Inc Primary Business Profile",
        email="compliance@acme.example.com",
        policy_sid=PRIMARY_PROFILE_POLICY,
    )
    primary = created["sid"]
    assert sid_of("BU").match(primary)
    assert (created["account_sid"], created["policy_sid"], created["status"]) == (
        server.account_sid,
        PRIMARY_PROFILE_POLICY,
        "draft",
    )
    assert created["url"] == f"{base}/v1/CustomerProfiles/{primary}"

    # The public API refuses the console-only policy...
    with pytest.raises(TwilioRestException) as excinfo:
        client.trusthub.v1.customer_profiles.create(
            email="compliance@acme.example.com", friendly_name="not allowed", policy_sid=PRIMARY_PROFILE_POLICY
        )
    assert (excinfo.value.status, excinfo.value.code) == (400, 22200), excinfo.value.msg
    assert "This operation is restricted via API" in excinfo.value.msg, excinfo.value.msg
    # ...but the customer sees and completes the profile the Console made.
    profile = client.trusthub.v1.customer_profiles(primary)
    fetched = profile.fetch()
    assert (fetched.account_sid, fetched.policy_sid, fetched.status) == (server.account_sid, PRIMARY_PROFILE_POLICY, "draft")

    # Seed 001 is the ISV guide: the ISV's own Primary says so (a direct customer's Primary
    # would make the API refuse Secondary profiles, as Twilio does).
    business_information = client.trusthub.v1.end_users.create(
        attributes={**BUSINESS_INFORMATION, "business_identity": "isv_reseller_or_partner"},
        friendly_name="Acme Inc",
        type="customer_profile_business_information",
    )
    representative = client.trusthub.v1.end_users.create(
        attributes=AUTHORIZED_REPRESENTATIVE, friendly_name="Ada Lovelace", type="authorized_representative_1"
    )
    address = client.trusthub.v1.supporting_documents.create(
        attributes={"address_sids": create_address(client)},
        friendly_name="Acme Inc headquarters",
        type="customer_profile_address",
    )
    for object_sid in (business_information.sid, representative.sid, address.sid):
        assert profile.customer_profiles_entity_assignments.create(object_sid=object_sid).object_sid == object_sid

    evaluation = profile.customer_profiles_evaluations.create(policy_sid=PRIMARY_PROFILE_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    for result in evaluation.results:
        assert_passed(result)

    submitted = profile.update(status="pending-review")
    assert submitted.status == "pending-review"
    approve_by_operator(operator, primary)
    approved = wait_for_status(profile, "twilio-approved")
    assert isinstance(approved.valid_until, datetime)
    assert approved.errors is None
    return primary


def assert_approved(instance) -> None:
    assert instance.status == "twilio-approved"
    assert isinstance(instance.valid_until, datetime), instance.valid_until
    assert instance.errors is None, instance.errors


def test_secondary_business_profile_and_voice_integrity_are_approved(client, base, server, operator, primary_profile):
    # Steps 1-9, with step 2: connect the Secondary profile to the approved Primary.
    sids = build_secondary_profile(client, base, server.account_sid, primary_sid=primary_profile)
    bu = sids["customer_profile"]
    profile = client.trusthub.v1.customer_profiles(bu)
    assert {a.object_sid for a in profile.customer_profiles_entity_assignments.list()} == {
        primary_profile,
        sids["supporting_document"],
        sids["business_information"],
        sids["representative"],
    }

    evaluation = profile.customer_profiles_evaluations.create(policy_sid=SECONDARY_PROFILE_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    by_name = {r["requirement_name"]: r for r in evaluation.results}
    for name in REQUIRED_SECONDARY_REQUIREMENTS + ("primary_customer_profile",):
        assert name in by_name, f"no result for requirement {name}: {evaluation.results}"
    for result in evaluation.results:
        assert_passed(result)

    # 10. Submit the Secondary Business Profile for vetting
    submitted = client.trusthub.v1.customer_profiles(bu).update(status="pending-review")
    assert submitted.sid == bu
    assert submitted.status == "pending-review"
    assert submitted.valid_until is None
    assert submitted.errors is None

    # Voice Integrity: steps 1-5, then evaluate and submit.
    tp_sids = build_voice_integrity_product(client, base, server.account_sid, bu, sids["phone_number"])
    tp = tp_sids["trust_product"]
    product = client.trusthub.v1.trust_products(tp)
    evaluation = product.trust_products_evaluations.create(policy_sid=VOICE_INTEGRITY_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    for result in evaluation.results:
        assert_passed(result)
    submitted = client.trusthub.v1.trust_products(tp).update(status="pending-review")
    assert submitted.sid == tp
    assert submitted.status == "pending-review"

    assert_approved(wait_for_status(profile, "twilio-approved"))
    assert_approved(wait_for_status(product, "twilio-approved"))
    # Both fetched once more, as a customer would after the callback.
    assert_approved(client.trusthub.v1.customer_profiles(bu).fetch())
    assert_approved(client.trusthub.v1.trust_products(tp).fetch())
    assert status_changes(operator, bu) == [
        ("draft", "pending-review", "customer"),
        ("pending-review", "in-review", "pipeline"),
        ("in-review", "twilio-approved", "pipeline"),
    ]
    assert status_changes(operator, tp) == [
        ("draft", "pending-review", "customer"),
        ("pending-review", "in-review", "pipeline"),
        ("in-review", "twilio-approved", "pipeline"),
    ]


def test_rejected_secondary_profile_is_fixed_and_resubmitted(client, base, server, operator, primary_profile):
    rejected_name = {**BUSINESS_INFORMATION, "business_name": "Acme REJECT"}
    sids = build_secondary_profile(
        client, base, server.account_sid, primary_sid=primary_profile, business_information_attributes=rejected_name
    )
    bu = sids["customer_profile"]
    profile = client.trusthub.v1.customer_profiles(bu)
    assert profile.update(status="pending-review").status == "pending-review"

    rejected = wait_for_status(profile, "twilio-rejected")
    assert rejected.errors == [{"code": 18601}]
    assert rejected.valid_until is None

    # Fix the business name and submit again.
    fixed_name = {**BUSINESS_INFORMATION, "business_name": "Acme Inc"}
    fixed = client.trusthub.v1.end_users(sids["business_information"]).update(attributes=fixed_name)
    assert fixed.attributes == fixed_name
    assert client.trusthub.v1.end_users(sids["business_information"]).fetch().attributes == fixed_name
    resubmitted = profile.update(status="pending-review")
    assert resubmitted.status == "pending-review"
    assert resubmitted.errors is None

    assert_approved(wait_for_status(profile, "twilio-approved"))
    assert status_changes(operator, bu) == [
        ("draft", "pending-review", "customer"),
        ("pending-review", "in-review", "pipeline"),
        ("in-review", "twilio-rejected", "pipeline"),
        ("twilio-rejected", "pending-review", "customer"),
        ("pending-review", "in-review", "pipeline"),
        ("in-review", "twilio-approved", "pipeline"),
    ]
    rejection = operator.events(bu, "status_changed")[2]["detail"]
    assert rejection["error_codes"] == [18601]
    assert "Acme REJECT" in rejection["failure_reason"], rejection


# --------------------------------------------------------------------------- #
# The guide as an ISV runs it: the customer's own subaccount, its own client
# --------------------------------------------------------------------------- #

SUBACCOUNT_ADDRESS = {
    "customer_name": "Globex LLC",
    "street": "42 Market St",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "iso_country": "US",
}


def create_subaccount(client, server, friendly_name: str):
    """A customer subaccount, created with the PARENT's client (2010-04-01 Accounts)."""
    subaccount = client.api.v2010.accounts.create(friendly_name=friendly_name)
    assert sid_of("AC").match(subaccount.sid)
    assert subaccount.sid != server.account_sid
    assert subaccount.owner_account_sid == server.account_sid
    assert subaccount.friendly_name == friendly_name
    assert subaccount.status == "active"
    assert isinstance(subaccount.auth_token, str) and subaccount.auth_token
    assert isinstance(subaccount.date_created, datetime)
    assert subaccount.uri == f"/2010-04-01/Accounts/{subaccount.sid}.json"
    return subaccount


def test_isv_runs_the_guide_in_a_customer_subaccount(client, make_client, base, server, operator, primary_profile):
    # The ISV creates the customer's subaccount with its own (parent) credentials...
    subaccount = create_subaccount(client, server, "Globex LLC (customer of Acme Inc)")
    sub = subaccount.sid
    # ...and from then on works with the subaccount's own SID and auth token.
    sub_client = make_client(sub, subaccount.auth_token)

    # The customer's Address and phone number, in the subaccount ("Additional API Calls").
    address = sub_client.addresses.create(**SUBACCOUNT_ADDRESS)
    assert sid_of("AD").match(address.sid)
    assert address.account_sid == sub
    assert (address.customer_name, address.street, address.city, address.region, address.postal_code, address.iso_country) == (
        "Globex LLC", "42 Market St", "Springfield", "IL", "62701", "US",
    )  # fmt: skip
    assert address.friendly_name is None  # none given (the guide's output shows null)
    assert address.street_secondary is None
    assert (address.emergency_enabled, address.validated, address.verified) == (False, False, False)
    assert isinstance(address.date_created, datetime)
    assert address.uri == f"/2010-04-01/Accounts/{sub}/Addresses/{address.sid}.json"

    phone_number = f"+1555{secrets.randbelow(10**7):07d}"
    number = sub_client.incoming_phone_numbers.create(phone_number=phone_number)
    assert sid_of("PN").match(number.sid)
    assert number.account_sid == sub
    assert number.phone_number == phone_number
    assert number.bundle_sid is None
    assert number.uri == f"/2010-04-01/Accounts/{sub}/IncomingPhoneNumbers/{number.sid}.json"

    # Secondary Business Profile, steps 1-9 in the subaccount, step 2 with the PARENT's
    # approved Primary Business Profile; then evaluate and submit (step 10).
    sids = build_secondary_profile(
        sub_client, base, sub, primary_sid=primary_profile, address_sid=address.sid, phone_number_sid=number.sid
    )
    bu = sids["customer_profile"]
    profile = sub_client.trusthub.v1.customer_profiles(bu)
    assert {a.object_sid for a in profile.customer_profiles_entity_assignments.list()} == {
        primary_profile,
        sids["supporting_document"],
        sids["business_information"],
        sids["representative"],
    }
    evaluation = profile.customer_profiles_evaluations.create(policy_sid=SECONDARY_PROFILE_POLICY)
    assert evaluation.account_sid == sub
    assert evaluation.status == "compliant", evaluation.results
    for result in evaluation.results:
        assert_passed(result)
    assert profile.update(status="pending-review").status == "pending-review"

    # Voice Integrity trust product, steps 1-5 in the subaccount; evaluate and submit (step 6).
    tp_sids = build_voice_integrity_product(sub_client, base, sub, bu, number.sid)
    tp = tp_sids["trust_product"]
    product = sub_client.trusthub.v1.trust_products(tp)
    evaluation = product.trust_products_evaluations.create(policy_sid=VOICE_INTEGRITY_POLICY)
    assert evaluation.status == "compliant", evaluation.results
    for result in evaluation.results:
        assert_passed(result)
    assert product.update(status="pending-review").status == "pending-review"

    approved_profile = wait_for_status(profile, "twilio-approved")
    approved_product = wait_for_status(product, "twilio-approved")
    for approved in (approved_profile, approved_product):
        assert_approved(approved)
        assert approved.account_sid == sub
    approved_by_pipeline = [
        ("draft", "pending-review", "customer"),
        ("pending-review", "in-review", "pipeline"),
        ("in-review", "twilio-approved", "pipeline"),
    ]
    assert status_changes(operator, bu) == approved_by_pipeline
    assert status_changes(operator, tp) == approved_by_pipeline

    # "Additional API Calls", through the subaccount's client: exactly what the flow created.
    customer_profiles = sub_client.trusthub.v1.customer_profiles.list(limit=20)
    assert [(c.sid, c.account_sid, c.status) for c in customer_profiles] == [(bu, sub, "twilio-approved")]
    assert [t.sid for t in sub_client.trusthub.v1.trust_products.list(limit=20)] == [tp]

    addresses = sub_client.addresses.list(limit=20)
    assert [(a.sid, a.account_sid, a.customer_name) for a in addresses] == [(address.sid, sub, "Globex LLC")]

    documents = sub_client.trusthub.v1.supporting_documents.list(limit=20)
    assert [(d.sid, d.account_sid, d.type, d.attributes) for d in documents] == [
        (sids["supporting_document"], sub, "customer_profile_address", {"address_sids": address.sid})
    ]

    end_users = sub_client.trusthub.v1.end_users.list(limit=20)
    assert sorted((e.sid, e.account_sid, e.type) for e in end_users) == sorted(
        [
            (sids["business_information"], sub, "customer_profile_business_information"),
            (sids["representative"], sub, "authorized_representative_1"),
            (tp_sids["end_user"], sub, "voice_integrity_information"),
        ]
    )

    numbers = sub_client.incoming_phone_numbers.list(limit=20)
    assert [(n.sid, n.account_sid, n.phone_number) for n in numbers] == [(number.sid, sub, phone_number)]
    assert numbers[0].bundle_sid in (bu, tp), numbers[0].bundle_sid

    # "Check Secondary Business Profile Phone Number Assignments", unfiltered and by number.
    expected_profile_assignment = [(sids["channel_assignment"], number.sid, bu, sub)]
    channel_assignments = profile.customer_profiles_channel_endpoint_assignment
    for listed in (
        channel_assignments.list(limit=20),
        channel_assignments.list(channel_endpoint_sid=number.sid, limit=20),
    ):
        assert [(c.sid, c.channel_endpoint_sid, c.customer_profile_sid, c.account_sid) for c in listed] == (
            expected_profile_assignment
        )
    assert channel_assignments.list(channel_endpoint_sid="PN" + secrets.token_hex(16)) == []
    product_assignments = product.trust_products_channel_endpoint_assignment.list(limit=20)
    assert [(c.sid, c.channel_endpoint_sid, c.trust_product_sid, c.account_sid) for c in product_assignments] == [
        (tp_sids["channel_assignment"], number.sid, tp, sub)
    ]

    # The parent's credentials do not reach the subaccount's TrustHub resources...
    with pytest.raises(TwilioRestException) as excinfo:
        client.trusthub.v1.customer_profiles(bu).fetch()
    assert (excinfo.value.status, excinfo.value.code) == (404, 20404)
    assert bu not in {c.sid for c in client.trusthub.v1.customer_profiles.list()}
    # ...but do reach its 2010-04-01 resources, with the subaccount's SID in the URL.
    parent_view = client.api.v2010.accounts(sub).addresses.list()
    assert [(a.sid, a.account_sid) for a in parent_view] == [(address.sid, sub)]
    assert address.sid not in {a.sid for a in client.addresses.list()}
    # The subaccount may assign the parent's Primary profile (step 2) but not read it, and
    # never reaches the parent's 2010-04-01 resources.
    with pytest.raises(TwilioRestException) as excinfo:
        sub_client.trusthub.v1.customer_profiles(primary_profile).fetch()
    assert (excinfo.value.status, excinfo.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as excinfo:
        sub_client.api.v2010.accounts(server.account_sid).fetch()
    assert (excinfo.value.status, excinfo.value.code) == (401, 20003)


def test_api_key_of_a_subaccount_authenticates_the_library(client, make_client, base, server, http_client):
    subaccount = create_subaccount(client, server, "Initech (customer of Acme Inc)")
    sub = subaccount.sid
    sub_client = make_client(sub, subaccount.auth_token)
    address = sub_client.addresses.create(**SUBACCOUNT_ADDRESS)
    secondary = sub_client.trusthub.v1.customer_profiles.create(
        email="EMAIL@EMAIL.COM",
        friendly_name="YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE",
        policy_sid=SECONDARY_PROFILE_POLICY,
    )

    # An API key of the subaccount; its secret is shown once.
    key = sub_client.new_keys.create(friendly_name="Acme Inc onboarding backend")
    assert sid_of("SK").match(key.sid)
    assert key.friendly_name == "Acme Inc onboarding backend"
    assert isinstance(key.secret, str) and key.secret
    assert isinstance(key.date_created, datetime)
    listed = sub_client.keys.list()
    assert [(k.sid, k.friendly_name) for k in listed] == [(key.sid, "Acme Inc onboarding backend")]
    assert key.secret not in http_client.exchanges[-1].text

    # Client(key_sid, secret, account_sid): basic auth with the key, URLs with the account.
    key_client = official_client(base, key.sid, key.secret, http_client, account_sid=sub)
    fetched = key_client.trusthub.v1.customer_profiles(secondary.sid).fetch()
    assert (fetched.sid, fetched.account_sid, fetched.status) == (secondary.sid, sub, "draft")
    assert [(a.sid, a.account_sid) for a in key_client.addresses.list()] == [(address.sid, sub)]
    assert http_client.exchanges[-1].url.startswith(f"{base}/2010-04-01/Accounts/{sub}/Addresses.json")

    # A deleted key no longer authenticates.
    sub_client.keys(key.sid).delete()
    with pytest.raises(TwilioRestException) as excinfo:
        key_client.trusthub.v1.customer_profiles(secondary.sid).fetch()
    assert (excinfo.value.status, excinfo.value.code) == (401, 20003)
