"""Seed 001 through transparent mode with twilio-python 9.x: the client is built exactly as
Twilio's guide builds it, ``Client(account_sid, auth_token)``, with no base URL; only the
environment (HTTPS_PROXY, REQUESTS_CA_BUNDLE, ... as the server printed them) sends it to
the sandbox. Run by tests/proxy/run.sh.

The Primary Business Profile is console-only: the operator API creates it (directly on
the server, TRUSTHUB_URL, kept off the proxy by NO_PROXY); everything else goes through
the client: the Primary's content, the Secondary Business Profile (assigned the Primary),
the Voice Integrity trust product, a phone number on both, each submitted and approved by
the automatic reviewer. Response URLs name trusthub.twilio.com, and the library's
auto-paging follows them back through the proxy.
"""

import os
import sys
import time

import requests
from twilio.rest import Client

SID, TOKEN = os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"]
SERVER, ADMIN = os.environ["TRUSTHUB_URL"], os.environ["TRUSTHUB_ADMIN_TOKEN"]
PRIMARY, SECONDARY = "RN6433641899984f951173ef1738c3bdd0", "RNdfbf3fae0e1107f8aded0e7cead80bf5"
VOICE_INTEGRITY = "RN5b3660f9598883b1df4e77f77acefba0"
BUSINESS = {
    "business_name": "Acme Inc", "business_identity": "isv_reseller_or_partner",
    "business_type": "Corporation", "business_industry": "TECHNOLOGY",
    "business_registration_identifier": "USA: Employer Identification Number (EIN)",
    "business_registration_number": "123456789", "business_regions_of_operation": "USA_AND_CANADA",
    "website_url": "https://acme.example.com", "social_media_profile_urls": "",
}
REPRESENTATIVE = {
    "first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example.com",
    "phone_number": "+15555550100", "business_title": "Chief Executive", "job_position": "CEO",
}
VOICE_INTEGRITY_INFORMATION = {
    "use_case": "Survey/Research", "business_employee_count": "10",
    "average_business_day_call_volume": "10", "notes": "Surveying people",
}

assert "HTTPS_PROXY" in os.environ, "run through tests/proxy/run.sh"
client = Client(SID, TOKEN)
hub = client.trusthub.v1


def wait_approved(fetch):
    deadline = time.monotonic() + 20
    while (bundle := fetch()).status != "twilio-approved":
        assert time.monotonic() < deadline, f"{bundle.sid} stuck in {bundle.status}"
        time.sleep(0.05)
    return bundle


def business_content(assignments, address_sid):
    document = hub.supporting_documents.create(
        friendly_name="HQ", type="customer_profile_address", attributes={"address_sids": address_sid})
    business = hub.end_users.create(
        friendly_name="Acme", type="customer_profile_business_information", attributes=BUSINESS)
    person = hub.end_users.create(
        friendly_name="Ada", type="authorized_representative_1", attributes=REPRESENTATIVE)
    for obj in (document, business, person):
        assignments.create(object_sid=obj.sid)


address = client.addresses.create(
    customer_name="Acme Inc", street="1 Main St", city="San Francisco", region="CA",
    postal_code="94105", iso_country="US")

# The Primary Business Profile (console-only: created by the operator), completed and submitted.
r = requests.post(f"{SERVER}/admin/v1/Accounts/{SID}/CustomerProfiles", headers={
    "Authorization": f"Bearer {ADMIN}"}, data={
    "FriendlyName": "Acme primary", "Email": "ops@acme.example.com", "PolicySid": PRIMARY})
assert r.status_code == 201, r.text
primary = r.json()["sid"]
business_content(hub.customer_profiles(primary).customer_profiles_entity_assignments, address.sid)
hub.customer_profiles(primary).update(status="pending-review")
wait_approved(hub.customer_profiles(primary).fetch)

# Seed 001 steps 1-9: the Secondary Business Profile.
profile = hub.customer_profiles.create(
    email="ops@acme.example.com", friendly_name="Acme secondary", policy_sid=SECONDARY)
assert profile.url == f"https://trusthub.twilio.com/v1/CustomerProfiles/{profile.sid}", profile.url
assignments = hub.customer_profiles(profile.sid).customer_profiles_entity_assignments
assignments.create(object_sid=primary)
business_content(assignments, address.sid)
evaluation = hub.customer_profiles(profile.sid).customer_profiles_evaluations.create(policy_sid=SECONDARY)
assert evaluation.status == "compliant", evaluation.results
hub.customer_profiles(profile.sid).update(status="pending-review")
wait_approved(hub.customer_profiles(profile.sid).fetch)

# The Voice Integrity trust product.
product = hub.trust_products.create(
    email="ops@acme.example.com", friendly_name="Acme voice integrity", policy_sid=VOICE_INTEGRITY)
information = hub.end_users.create(
    friendly_name="VI", type="voice_integrity_information", attributes=VOICE_INTEGRITY_INFORMATION)
for obj in (information.sid, profile.sid):
    hub.trust_products(product.sid).trust_products_entity_assignments.create(object_sid=obj)
evaluation = hub.trust_products(product.sid).trust_products_evaluations.create(policy_sid=VOICE_INTEGRITY)
assert evaluation.status == "compliant", evaluation.results
hub.trust_products(product.sid).update(status="pending-review")
wait_approved(hub.trust_products(product.sid).fetch)

# A phone number (api.twilio.com) on the profile, then on the trust product.
number = client.incoming_phone_numbers.create(phone_number="+15555550123")
hub.customer_profiles(profile.sid).customer_profiles_channel_endpoint_assignment.create(
    channel_endpoint_type="phone-number", channel_endpoint_sid=number.sid)
hub.trust_products(product.sid).trust_products_channel_endpoint_assignment.create(
    channel_endpoint_type="phone-number", channel_endpoint_sid=number.sid)

# Auto-paging follows next_page_url (https://trusthub.twilio.com/...) through the proxy.
users = hub.end_users.list(page_size=2)
assert len(users) == 5, len(users)  # 2 + 2 business end users, 1 voice integrity
print(f"flow.py: seed 001 through the proxy OK (profile {profile.sid}, trust product {product.sid})")
sys.exit(0)
