"""Helpers shared by the journey tests (twilio-python).

Journeys run the server with ``--review auto --review-delay 3600`` (``SERVER_ARGS``):
nothing is decided until a test moves the server clock (``decide_by_clock``), so a test
sees each status the guide mentions and never sleeps for a review.

The sample values below are the guides' own (see tests/journeys/README.md): literal
sample strings are kept, and a placeholder that stands for an enum or a format
(``YOUR_SECONDARY_BUSINESS_TYPE``, ``+1XXXXXXXXXX``) is replaced by a value from the
guide's "Possible Values" list or its sample response.
"""

from __future__ import annotations

import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterable, List, Optional
from urllib.parse import parse_qsl

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

# The voice guides' sample values (SHAKEN/STIR, Voice Integrity and CNAM pages).
GUIDE_BUSINESS_INFORMATION = {
    "business_name": "YOUR_SECONDARY_BUSINESS_NAME",
    "business_identity": "direct_customer",
    "business_type": "Corporation",
    "business_industry": "TECHNOLOGY",
    "business_registration_identifier": "USA: Employer Identification Number (EIN)",
    "business_registration_number": "123456789",
    "business_regions_of_operation": "USA_AND_CANADA",
    "website_url": "https://example.com",
    "social_media_profile_urls": "",
}
GUIDE_AUTHORIZED_REPRESENTATIVE = {
    "first_name": "REPRESENTATIVE_FIRST_NAME",
    "last_name": "REPRESENTATIVE_LAST_NAME",
    "email": "EMAIL@EXAMPLE.COM",
    "phone_number": "+11234567890",
    "business_title": "BUSINESS_TITLE",
    "job_position": "CEO",
}
# "Create an Address Resource" in the guides' Additional API Calls.
GUIDE_ADDRESS = {
    "customer_name": "YOUR_CUSTOMER_NAME",
    "street": "CUSTOMER_STREET",
    "city": "CUSTOMER_CITY",
    "region": "CUSTOMER_STATE_OR_REGION",
    "postal_code": "CUSTOMER_POSTAL_CODE",
    "iso_country": "BB",
}
TRUST_PRODUCT_FRIENDLY_NAME = "FRIENDLY_NAME_FOR_YOUR_TRUST_PRODUCT"
TRUST_PRODUCT_EMAIL = "EMAIL@EXAMPLE.COM"
# The review trigger for the bundle's own Email (README, "The vetting pipeline": 18606).
REJECTED_EMAIL = "REJECT@EXAMPLE.COM"


def assert_sid(prefix: str, sid: str) -> str:
    assert re.fullmatch(rf"{prefix}[0-9a-f]{{32}}", sid or ""), f"{sid!r} is not a {prefix} SID"
    return sid


def decide_by_clock(operator: Operator, seconds: int = REVIEW_DELAY_S) -> None:
    """Let the review delay pass on the server clock: due automatic decisions are made."""
    operator.advance_clock(seconds)


def wait_decided(resource, status: str, operator: Operator):
    """Once ``resource`` is ``in-review`` (the review delay counts from there, and the
    pipeline moves a submitted bundle there in the background), advance the clock past the
    delay, then poll ``resource`` until ``status``."""
    wait_for_status(resource, "in-review")
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
    """An Address of the client's account: the guides' sample values unless overridden."""
    address = client.addresses.create(**{**GUIDE_ADDRESS, **fields})
    assert_sid("AD", address.sid)
    return address


def create_subaccount(parent_client, make_client, friendly_name: str):
    """A subaccount of the parent (2010 API) and an official client built from its own credentials."""
    sub = parent_client.api.v2010.accounts.create(friendly_name=friendly_name)
    assert_sid("AC", sub.sid)
    return sub, make_client(sub.sid, sub.auth_token)


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
    phone_number_sids: Iterable[str] = (),
) -> str:
    """The Primary Customer Profile the guides have the customer create in the Console.

    Console-only: the operator API (``POST /admin/v1/Accounts/{AccountSid}/CustomerProfiles``)
    creates it for ``account_sid`` as the Console would; the client completes it (business
    information, authorized representative, address, optional phone numbers) and submits
    it; the caller decides when the clock moves. Returns the profile's SID.
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


def approved_primary_profile(operator: Operator, client, account_sid: str, business_identity: str) -> str:
    """Guide step "Create a Primary Business Profile in the Console and submit for vetting",
    through the stand-in, decided on the server clock: returns a twilio-approved Primary's SID.

    ``business_identity`` is ``direct_customer`` for direct customers and
    ``isv_reseller_or_partner`` for ISVs (only ISVs may create Secondary profiles by API).
    """
    address = create_address(client, customer_name="Primary business")
    sid = primary_profile_standin(
        operator,
        client,
        account_sid,
        business_information={**GUIDE_BUSINESS_INFORMATION, "business_name": "Primary business",
                              "business_identity": business_identity},
        authorized_representative=GUIDE_AUTHORIZED_REPRESENTATIVE,
        address_sid=address.sid,
    )
    wait_decided(client.trusthub.v1.customer_profiles(sid), "twilio-approved", operator)
    return sid


def secondary_business_profile_steps(
    client,
    primary_sid: str,
    phone_number_sid: str,
    business_information: Dict[str, str] = GUIDE_BUSINESS_INFORMATION,
) -> Dict[str, str]:
    """Steps 1-10 of "Create Secondary Business Profile" in the ISV guides (SHAKEN/STIR and
    Voice Integrity, subaccount and single-project variants: the same calls and values), run
    by ``client`` (the customer's subaccount, or the ISV's own project). Returns the SIDs made;
    the profile ends ``pending-review``.
    """
    # 1. Create a Secondary Business Profile
    profile = client.trusthub.v1.customer_profiles.create(
        friendly_name="YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE",
        email="EMAIL@EXAMPLE.COM",
        policy_sid=SECONDARY_PROFILE_POLICY,
    )
    bu = assert_sid("BU", profile.sid)
    assert profile.status == "draft" and profile.policy_sid == SECONDARY_PROFILE_POLICY
    profiles = client.trusthub.v1.customer_profiles(bu)
    # 2. Connect the Secondary Business Profile to your Primary Business Profile
    assert profiles.customer_profiles_entity_assignments.create(object_sid=primary_sid).object_sid == primary_sid
    # 3. Create a Supporting Document (the Address comes from "Create an Address Resource")
    address = create_address(client)
    document = client.trusthub.v1.supporting_documents.create(
        attributes={"address_sids": address.sid},
        friendly_name="YOUR_CUSTOMER_FRIENDLY_NAME",
        type="customer_profile_address",
    )
    assert_sid("RD", document.sid)
    # 4. Connect the Supporting Document to your Secondary Business Profile
    profiles.customer_profiles_entity_assignments.create(object_sid=document.sid)
    # 5. Create Business Information for the Secondary Business Profile
    info = client.trusthub.v1.end_users.create(
        type="customer_profile_business_information",
        friendly_name="YOUR_CUSTOMER_FRIENDLY_NAME",
        attributes=business_information,
    )
    assert info.attributes == business_information
    # 6. Connect Business Information to Secondary Business Profile
    profiles.customer_profiles_entity_assignments.create(object_sid=info.sid)
    # 7. Create an Authorized Representative for your Secondary Business Profile
    rep = client.trusthub.v1.end_users.create(
        friendly_name="YOUR_SECONDARY_BUSINESS_FRIENDLY_NAME",
        type="authorized_representative_1",
        attributes=GUIDE_AUTHORIZED_REPRESENTATIVE,
    )
    # 8. Connect Authorized Representative to Secondary Business Profile
    profiles.customer_profiles_entity_assignments.create(object_sid=rep.sid)
    # 9. Add Phone Number(s) to Secondary Business Profile
    ra = profiles.customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_type="phone-number", channel_endpoint_sid=phone_number_sid
    )
    assert ra.channel_endpoint_sid == phone_number_sid and ra.channel_endpoint_type == "phone-number"
    # 10. Submit Secondary Business Profile
    assert profiles.update(status="pending-review").status == "pending-review"
    return {"profile": bu, "business_information": info.sid, "representative": rep.sid,
            "document": document.sid, "address": address.sid}


class CallbackReceiver:
    """The user's status-callback webhook: a local HTTP server recording each POSTed form.

    Stands in for the guides' ``https://www.yourcallbackuri.com/webhook`` (the server must
    not POST to a real internet host from a test).
    """

    def __init__(self) -> None:
        self.forms: List[Dict[str, str]] = []
        lock = threading.Lock()
        forms = self.forms

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                with lock:
                    forms.append(form)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/webhook"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def statuses(self, bundle_sid: str) -> List[str]:
        return [f.get("Status") for f in list(self.forms) if f.get("BundleSid") == bundle_sid]

    def wait_for(self, bundle_sid: str, status: str) -> List[str]:
        return wait_until(lambda: self.statuses(bundle_sid), lambda s: status in s,
                          f"a {status} status callback for {bundle_sid}")

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


VOICE_INTEGRITY_INFORMATION = {
    "use_case": "Survey/Research",
    "business_employee_count": "10",
    "average_business_day_call_volume": "10",
    "notes": "Surveying people to learn about demographics",
}


def voice_integrity_trust_product_steps(
    client, business_profile_sid: str, phone_number_sid: str, email: str = TRUST_PRODUCT_EMAIL
) -> str:
    """"Create Trust Product, Add Phone Numbers, and Submit for Vetting", steps 1-6 of the
    Voice Integrity guides (the same calls in all four; ``business_profile_sid`` is the
    Primary for direct customers, the Secondary for ISVs). Returns the trust product's SID,
    submitted."""
    # 1. Create a Voice Integrity Trust Product
    trust_product = client.trusthub.v1.trust_products.create(
        email=email, friendly_name=TRUST_PRODUCT_FRIENDLY_NAME, policy_sid=VOICE_INTEGRITY_POLICY
    )
    tp = assert_sid("BU", trust_product.sid)
    assert (trust_product.status, trust_product.policy_sid) == ("draft", VOICE_INTEGRITY_POLICY)
    products = client.trusthub.v1.trust_products(tp)
    # 2. Create End User for the Voice Integrity Trust Product
    end_user = client.trusthub.v1.end_users.create(
        attributes=VOICE_INTEGRITY_INFORMATION,
        friendly_name="YOUR_END_USER_FRIENDLY_NAME",
        type="voice_integrity_information",
    )
    assert end_user.type == "voice_integrity_information" and end_user.attributes == VOICE_INTEGRITY_INFORMATION
    # 3. Connect your Voice Integrity Trust Product to End User
    assert products.trust_products_entity_assignments.create(object_sid=end_user.sid).object_sid == end_user.sid
    # 4. Connect your Voice Integrity Trust Product to your Business Profile
    products.trust_products_entity_assignments.create(object_sid=business_profile_sid)
    # 5. Assign phone numbers to your Voice Integrity Trust Product
    endpoint = products.trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert endpoint.channel_endpoint_sid == phone_number_sid
    # 6. Submit your Voice Integrity Trust Product
    assert products.update(status="pending-review").status == "pending-review"
    return tp


CNAM_INFORMATION = {"cnam_display_name": "DISPLAY NAME"}


def cnam_trust_product_steps(client, business_profile_sid: str, phone_number_sid: str, email: str = TRUST_PRODUCT_EMAIL) -> str:
    """"CNAM Onboarding with the Trust Hub REST API" after the Business Profile: the calls in
    the page's order (direct customers pass their Primary, ISVs their customer's Secondary).
    Returns the trust product's SID, submitted."""
    # Assign Phone Numbers to Your Business Profile
    client.trusthub.v1.customer_profiles(business_profile_sid).customer_profiles_channel_endpoint_assignment.create(
        channel_endpoint_type="phone-number", channel_endpoint_sid=phone_number_sid
    )
    # Create CNAM Trust Product
    trust_product = client.trusthub.v1.trust_products.create(
        friendly_name=TRUST_PRODUCT_FRIENDLY_NAME, email=email, policy_sid=CNAM_POLICY
    )
    tp = assert_sid("BU", trust_product.sid)
    products = client.trusthub.v1.trust_products(tp)
    # Connect your CNAM Trust Product to your Business Profile
    products.trust_products_entity_assignments.create(object_sid=business_profile_sid)
    # Create CNAM End User
    end_user = client.trusthub.v1.end_users.create(
        friendly_name="YOUR_END_USER_FRIENDLY_NAME", attributes=CNAM_INFORMATION, type="cnam_information"
    )
    assert end_user.attributes == CNAM_INFORMATION
    # Connect your CNAM Trust Product to your End User
    products.trust_products_entity_assignments.create(object_sid=end_user.sid)
    # Add Phone Number to CNAM Trust Product
    endpoint = products.trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    assert endpoint.channel_endpoint_sid == phone_number_sid
    # Submit CNAM Trust Product for Vetting
    assert products.update(status="pending-review").status == "pending-review"
    return tp


def shaken_stir_isv_trust_product_steps(sub_client, secondary, phone_number_sid, callback_url):
    """"Create Trust Product, Add Phone Numbers, and Submit for Vetting", steps 1-4 of the
    SHAKEN/STIR ISV guides (subaccounts and single project: the same calls), run by the
    account that owns the Secondary profile. Returns the trust product's SID, submitted."""
    # 1. Create a SHAKEN/STIR Trust Product
    trust_product = sub_client.trusthub.v1.trust_products.create(
        friendly_name=TRUST_PRODUCT_FRIENDLY_NAME, email=TRUST_PRODUCT_EMAIL, policy_sid=SHAKEN_STIR_POLICY
    )
    tp = assert_sid("BU", trust_product.sid)
    # 2. Connect your SHAKEN/STIR Trust Product to your Secondary Business Profile
    assignment = sub_client.trusthub.v1.trust_products(tp).trust_products_entity_assignments.create(
        object_sid=secondary
    )
    assert assignment.object_sid == secondary
    # 3. Assign phone numbers to your SHAKEN/STIR Trust Product
    sub_client.trusthub.v1.trust_products(tp).trust_products_channel_endpoint_assignment.create(
        channel_endpoint_sid=phone_number_sid, channel_endpoint_type="phone-number"
    )
    # 4. Submit your SHAKEN/STIR Trust Product for vetting
    submitted = sub_client.trusthub.v1.trust_products(tp).update(
        status="pending-review", status_callback=callback_url
    )
    assert (submitted.status, submitted.status_callback) == ("pending-review", callback_url)
    return tp
