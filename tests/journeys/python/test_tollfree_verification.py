"""Toll-free verification through the API, from buying the toll-free number to an approved
verification; one rejection, edited and resubmitted.

Guide: https://www.twilio.com/docs/messaging/compliance/toll-free/api-onboarding
Resource: https://www.twilio.com/docs/messaging/api/tollfree-verification-resource

The guide's calls, in its order: the toll-free number (bought here through the typed
resources, as onboarding code does: AvailablePhoneNumbers/US/TollFree, then
IncomingPhoneNumbers/TollFree), the verification submitted with the business information
inline (the guide's direct-customer path needs no TrustHub profile; an ISV names its
customer's profile with ``CustomerProfileSid``), its status polled (fetch, and the list
filtered by ``TollfreePhoneNumberSid``) through PENDING_REVIEW and IN_REVIEW to
TWILIO_APPROVED. A rejected verification carries ``rejection_reason(s)``, ``error_code``,
``edit_allowed`` and ``edit_expiration`` (seven days); it is edited with an ``EditReason``
and goes back to PENDING_REVIEW. The sample values are the spec's ``create`` example
(Twilio's resource page uses the same). Rejections come from the README's trigger values
("Toll-free verifications"); the review is decided on the server clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from twilio.base.exceptions import TwilioRestException

from journey import SERVER_ARGS  # noqa: F401 (read by the server fixture)
from journey import assert_sid, decide_by_clock, primary_profile_standin, wait_until
from journey import GUIDE_AUTHORIZED_REPRESENTATIVE, GUIDE_BUSINESS_INFORMATION, create_address

# The spec's `create` example (openapi/twilio_messaging_v1.json, CreateTollfreeVerification).
GUIDE_VERIFICATION = dict(
    business_name="Owl, Inc.",
    business_website="http://www.company.com",
    notification_email="support@company.com",
    use_case_categories=["TWO_FACTOR_AUTHENTICATION", "MARKETING"],
    use_case_summary=(
        "This number is used to send out promotional offers and coupons to the customers of John's Coffee Shop"
    ),
    production_message_sample="lorem ipsum",
    opt_in_image_urls=[
        "https://testbusiness.com/images/image1.jpg",
        "https://testbusiness.com/images/image2.jpg",
    ],
    opt_in_type="VERBAL",
    message_volume="10",
    business_street_address="123 Main Street",
    business_street_address2="Suite 101",
    business_city="Anytown",
    business_state_province_region="AA",
    business_postal_code="11111",
    business_country="US",
    additional_information="see our privacy policy here www.johnscoffeeshop.com/privacypolicy",
    business_contact_first_name="firstname",
    business_contact_last_name="lastname",
    business_contact_email="email@company.com",
    business_contact_phone="+11231231234",
    external_reference_id="abc123xyz567",
    business_registration_number="123456789",
    business_registration_authority="EIN",
    business_registration_country="US",
    business_type="PRIVATE_PROFIT",
    business_registration_phone_number="+13023334444",
    doing_business_as="Toms Widgets",
    opt_in_confirmation_message="Thank you for opting in!",
    help_message_sample="For help, reply HELP or visit our website.",
    privacy_policy_url="https://www.example.com/privacy",
    terms_and_conditions_url="https://www.example.com/terms",
    age_gated_content=False,
    opt_in_keywords=["START"],
)
# README "Scripting an outcome": the word FAIL in a trigger field (the business name here)
# rejects the verification with 30484 ("Business name and official records do not match"), which may be edited.
REJECTED_BUSINESS_NAME = "Owl, Inc. FAIL"
EDIT_WINDOW = timedelta(days=7)


def buy_toll_free(client, area_code: int = 888):
    """The guide's prerequisite: a toll-free number of the account, bought as code does."""
    found = client.available_phone_numbers("US").toll_free.list(area_code=area_code, limit=1)
    assert found, f"no toll-free number offered in {area_code}"
    number = client.incoming_phone_numbers.toll_free.create(phone_number=found[0].phone_number)
    assert_sid("PN", number.sid)
    return number


def wait_status(verification, status: str):
    """Poll the verification (a client context) until ``status``."""
    return wait_until(verification.fetch, lambda v: v.status == status, f"{status}")


def decide(verification, operator, status: str):
    """IN_REVIEW first (the pipeline moves it there), then the review delay on the server
    clock, then the decision."""
    wait_status(verification, "IN_REVIEW")
    decide_by_clock(operator)
    return wait_status(verification, status)


def test_submit_and_approve(client, operator):
    # Prerequisite: a toll-free number of the account.
    number = buy_toll_free(client)

    # Submit the verification, business information inline.
    tfv = client.messaging.v1.tollfree_verifications.create(
        tollfree_phone_number_sid=number.sid, **GUIDE_VERIFICATION
    )
    assert_sid("HH", tfv.sid)
    assert tfv.status == "PENDING_REVIEW"
    assert tfv.tollfree_phone_number_sid == number.sid
    assert tfv.tollfree_phone_number == number.phone_number
    assert tfv.customer_profile_sid is None
    assert tfv.use_case_categories == ["TWO_FACTOR_AUTHENTICATION", "MARKETING"]
    assert tfv.opt_in_image_urls == GUIDE_VERIFICATION["opt_in_image_urls"]
    assert tfv.external_reference_id == "abc123xyz567"
    assert tfv.rejection_reason is None and tfv.error_code is None
    assert tfv.edit_allowed is None and tfv.edit_expiration is None

    # Check the status: fetch, and the list filtered as the guide filters it.
    listed = client.messaging.v1.tollfree_verifications.list(tollfree_phone_number_sid=number.sid)
    assert [v.sid for v in listed] == [tfv.sid]
    by_reference = client.messaging.v1.tollfree_verifications.list(external_reference_id="abc123xyz567")
    assert [v.sid for v in by_reference] == [tfv.sid]

    approved = decide(client.messaging.v1.tollfree_verifications(tfv.sid), operator, "TWILIO_APPROVED")
    assert approved.rejection_reason is None and approved.rejection_reasons is None
    assert approved.error_code is None
    assert [v.sid for v in client.messaging.v1.tollfree_verifications.list(status="TWILIO_APPROVED")] == [tfv.sid]

    # One verification per number at a time (README: 409 / 20409 naming the verification).
    with pytest.raises(TwilioRestException) as excinfo:
        client.messaging.v1.tollfree_verifications.create(
            tollfree_phone_number_sid=number.sid, **GUIDE_VERIFICATION
        )
    assert (excinfo.value.status, excinfo.value.code) == (409, 20409)
    assert tfv.sid in excinfo.value.msg


def test_rejected_then_edited_and_resubmitted(client, operator):
    number = buy_toll_free(client, area_code=877)
    tfv = client.messaging.v1.tollfree_verifications.create(
        tollfree_phone_number_sid=number.sid,
        **{**GUIDE_VERIFICATION, "business_name": REJECTED_BUSINESS_NAME, "external_reference_id": "owl-2"},
    )
    context = client.messaging.v1.tollfree_verifications(tfv.sid)
    rejected = decide(context, operator, "TWILIO_REJECTED")
    assert rejected.error_code == 30484
    assert rejected.rejection_reason
    assert [r["code"] for r in rejected.rejection_reasons] == [30484]
    assert rejected.edit_allowed is True
    assert rejected.edit_expiration == rejected.date_updated + EDIT_WINDOW

    # Edit and resubmit, as the guide does: the corrected field and the EditReason.
    edited = context.update(business_name="Owl, Inc.", edit_reason="Business name fixed")
    assert edited.status == "PENDING_REVIEW"
    assert edited.business_name == "Owl, Inc."
    assert edited.rejection_reason is None and edited.error_code is None
    approved = decide(context, operator, "TWILIO_APPROVED")
    assert approved.business_name == "Owl, Inc."

    # Delete, and the number is free for a new verification.
    assert context.delete() is True
    again = client.messaging.v1.tollfree_verifications.create(
        tollfree_phone_number_sid=number.sid, **{**GUIDE_VERIFICATION, "external_reference_id": "owl-3"}
    )
    assert again.status == "PENDING_REVIEW"


def test_an_isv_names_its_customers_profile(client, operator, server):
    # ISVs: the guide's prerequisite is the ISV's Primary Customer Profile (Console: the
    # operator API stands in for it); the verification names a customer profile of the account.
    address = create_address(client, customer_name="Owl, Inc.")
    profile = primary_profile_standin(
        operator, client, server.account_sid,
        business_information={**GUIDE_BUSINESS_INFORMATION, "business_name": "Owl, Inc."},
        authorized_representative=GUIDE_AUTHORIZED_REPRESENTATIVE,
        address_sid=address.sid,
    )
    number = buy_toll_free(client, area_code=866)
    tfv = client.messaging.v1.tollfree_verifications.create(
        tollfree_phone_number_sid=number.sid, customer_profile_sid=profile,
        **{**GUIDE_VERIFICATION, "external_reference_id": "owl-isv"},
    )
    assert tfv.customer_profile_sid == profile
    # A local number is not toll-free: Twilio's 30436.
    local = client.incoming_phone_numbers.local.create(
        phone_number=client.available_phone_numbers("US").local.list(area_code=415, limit=1)[0].phone_number
    )
    with pytest.raises(TwilioRestException) as excinfo:
        client.messaging.v1.tollfree_verifications.create(
            tollfree_phone_number_sid=local.sid, **GUIDE_VERIFICATION
        )
    assert (excinfo.value.status, excinfo.value.code) == (400, 30436)
