"""Helpers shared by the journey tests (twilio-python).

Journeys run the server with ``--review auto --review-delay 3600`` (``SERVER_ARGS``):
nothing is decided until a test moves the server clock with ``decide_by_clock``, so
a test sees each status the guide mentions (``pending-review``/``in-review``) and
never sleeps for a review.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Dict, Optional

from twilio.base.exceptions import TwilioRestException

from trusthub_server import Operator, wait_for_status, wait_until  # noqa: F401  (re-exported)

REVIEW_DELAY_S = 3600
SERVER_ARGS = ("--review", "auto", "--review-delay", str(REVIEW_DELAY_S))

# Policy SIDs as Twilio's guides print them.
PRIMARY_PROFILE_POLICY = "RN6433641899984f951173ef1738c3bdd0"  # console-only
SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
SHAKEN_STIR_POLICY = "RN7a97559effdf62d00f4298208492a5ea"
VOICE_INTEGRITY_POLICY = "RN5b3660f9598883b1df4e77f77acefba0"
CNAM_POLICY = "RNf3db3cd1fe25fcfd3c3ded065c8fea53"

SID_RE = {p: re.compile(rf"^{p}[0-9a-f]{{32}}$") for p in ("AC", "AD", "BU", "BV", "IT", "RA", "RD", "PN", "EL")}


def assert_sid(prefix: str, sid: str) -> str:
    assert SID_RE.get(prefix, re.compile(rf"^{prefix}[0-9a-f]{{32}}$")).match(sid), f"{sid!r} is not a {prefix} SID"
    return sid


def decide_by_clock(operator: Operator, seconds: int = REVIEW_DELAY_S) -> None:
    """Let the review delay pass on the server clock: due automatic decisions are made."""
    operator.advance_clock(seconds)


def wait_decided(resource, status: str, operator: Operator):
    """Advance the clock past the review delay, then poll ``resource`` until ``status``."""
    decide_by_clock(operator)
    return wait_for_status(resource, status)


def random_e164() -> str:
    return f"+1555{secrets.randbelow(10**7):07d}"


def buy_number(client, phone_number: Optional[str] = None) -> Any:
    """An IncomingPhoneNumber of the client's account (the 2010 API; no carrier)."""
    number = client.incoming_phone_numbers.create(phone_number=phone_number or random_e164())
    assert_sid("PN", number.sid)
    return number


def create_address(client, **fields: str) -> Any:
    """An Address of the client's account; ``fields`` as the guide gives them."""
    values = dict(
        customer_name="Acme Inc",
        street="1 Main St",
        city="San Francisco",
        region="CA",
        postal_code="94105",
        iso_country="US",
    )
    values.update(fields)
    address = client.addresses.create(**values)
    assert_sid("AD", address.sid)
    return address


def expect_rest_error(status: int, code: Optional[int], call, *args, **kwargs) -> TwilioRestException:
    """Run ``call`` and assert the library raised TwilioRestException with status/code."""
    try:
        call(*args, **kwargs)
    except TwilioRestException as e:
        assert e.status == status, f"expected HTTP {status}, got {e.status}: {e.msg}"
        if code is not None:
            assert e.code == code, f"expected code {code}, got {e.code}: {e.msg}"
        return e
    raise AssertionError(f"expected HTTP {status}/{code}, the call succeeded")


def primary_profile_standin(
    operator: Operator,
    client,
    account_sid: str,
    *,
    business_information: Dict[str, str],
    authorized_representative: Dict[str, str],
    address_sid: str,
    email: str = "ops@acme.example.com",
    friendly_name: str = "Primary Business Profile",
    phone_number_sids=(),
) -> str:
    """The Primary Customer Profile the guides have the customer create in the Console.

    Console-only: the operator API creates it for ``account_sid`` as the Console would;
    the client completes it (business information, authorized representative, address,
    optional phone numbers) and submits it; the caller decides when the clock moves.
    Returns the profile's SID (status ``in-review``).
    """
    profile = operator.create_customer_profile(
        account_sid, friendly_name=friendly_name, email=email, policy_sid=PRIMARY_PROFILE_POLICY
    )
    sid = profile["sid"]
    profiles = client.trusthub.v1.customer_profiles(sid)
    info = client.trusthub.v1.end_users.create(
        friendly_name="Primary business information",
        type="customer_profile_business_information",
        attributes=business_information,
    )
    rep = client.trusthub.v1.end_users.create(
        friendly_name="Primary authorized representative",
        type="authorized_representative_1",
        attributes=authorized_representative,
    )
    doc = client.trusthub.v1.supporting_documents.create(
        friendly_name="Primary address",
        type="customer_profile_address",
        attributes={"address_sids": address_sid},
    )
    for object_sid in (info.sid, rep.sid, doc.sid):
        profiles.customer_profiles_entity_assignments.create(object_sid=object_sid)
    for pn in phone_number_sids:
        profiles.customer_profiles_channel_endpoint_assignment.create(
            channel_endpoint_type="phone-number", channel_endpoint_sid=pn
        )
    assert profiles.update(status="pending-review").status == "pending-review"
    return sid
