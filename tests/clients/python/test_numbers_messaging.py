"""Numbers and Messaging Services as onboarding code uses them, through twilio-python:
search a toll-free number and buy it through the typed resource, buy a local number,
create a Messaging Service and add the number to it. Every response is validated against
Twilio's specs (2010 and Messaging) by the ``no_spec_violations`` fixture."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException


def test_toll_free_search_and_typed_purchase(client):
    found = client.available_phone_numbers("US").toll_free.list(area_code=888, limit=2)
    assert len(found) == 2
    assert all(n.phone_number.startswith("+1888") for n in found)
    assert found[0].iso_country == "US" and found[0].capabilities["sms"] is True
    bought = client.incoming_phone_numbers.toll_free.create(phone_number=found[0].phone_number)
    assert bought.phone_number == found[0].phone_number
    # The number says what it is, and is no longer offered.
    assert client.incoming_phone_numbers(bought.sid).fetch().type == "toll-free"
    again = client.available_phone_numbers("US").toll_free.list(area_code=888, limit=2)
    assert bought.phone_number not in [n.phone_number for n in again]
    listed = client.incoming_phone_numbers.toll_free.list()
    assert [n.sid for n in listed] == [bought.sid]
    # A local number through the toll-free resource is refused with Twilio's code.
    local = client.available_phone_numbers("US").local.list(area_code=415, limit=1)[0]
    with pytest.raises(TwilioRestException) as excinfo:
        client.incoming_phone_numbers.toll_free.create(phone_number=local.phone_number)
    assert (excinfo.value.status, excinfo.value.code) == (400, 21458)


def test_messaging_service_with_a_local_number(client):
    local = client.available_phone_numbers("US").local.list(
        in_region="CA", sms_enabled=True, limit=1
    )[0]
    number = client.incoming_phone_numbers.local.create(phone_number=local.phone_number)
    service = client.messaging.v1.services.create(
        friendly_name="Acme notifications", usecase="notifications"
    )
    assert service.sid.startswith("MG") and service.usecase == "notifications"
    member = client.messaging.v1.services(service.sid).phone_numbers.create(
        phone_number_sid=number.sid
    )
    assert (member.sid, member.phone_number) == (number.sid, local.phone_number)
    assert member.capabilities == ["MMS", "SMS", "Voice"]
    members = client.messaging.v1.services(service.sid).phone_numbers.list()
    assert [m.sid for m in members] == [number.sid]

    # One Messaging Service at a time.
    other = client.messaging.v1.services.create(friendly_name="Other")
    with pytest.raises(TwilioRestException) as excinfo:
        client.messaging.v1.services(other.sid).phone_numbers.create(phone_number_sid=number.sid)
    assert (excinfo.value.status, excinfo.value.code) == (400, 21712)

    updated = client.messaging.v1.services(service.sid).update(sticky_sender=False)
    assert updated.sticky_sender is False
    assert {s.sid for s in client.messaging.v1.services.list()} == {service.sid, other.sid}
    # Deleting the service frees the number for another.
    assert client.messaging.v1.services(service.sid).delete() is True
    moved = client.messaging.v1.services(other.sid).phone_numbers.create(
        phone_number_sid=number.sid
    )
    assert moved.service_sid == other.sid
