"""Twilio's error contract, as twilio-python surfaces it (TwilioRestException)."""

from __future__ import annotations

import secrets

import pytest
from twilio.base import values
from twilio.base.exceptions import TwilioRestException

SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"


def last_error_body(http_client, status: int) -> dict:
    exchange = http_client.exchanges[-1]
    assert exchange.status == status
    return exchange.json()


def test_fetch_unknown_customer_profile_is_404_20404(client, http_client):
    missing = "BU" + secrets.token_hex(16)
    with pytest.raises(TwilioRestException) as excinfo:
        client.trusthub.v1.customer_profiles(missing).fetch()
    err = excinfo.value
    assert err.status == 404
    assert err.code == 20404
    assert err.method == "GET"
    assert err.uri == f"/CustomerProfiles/{missing}"
    assert "not found" in err.msg.lower()
    body = last_error_body(http_client, 404)
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20404"


def test_create_customer_profile_without_email_is_400_20001(client, http_client):
    with pytest.raises(TwilioRestException) as excinfo:
        client.trusthub.v1.customer_profiles.create(
            friendly_name="no email", email=values.unset, policy_sid=SECONDARY_PROFILE_POLICY
        )
    err = excinfo.value
    assert err.status == 400
    assert err.code == 20001
    assert "Email" in err.msg and "required" in err.msg.lower(), err.msg
    body = last_error_body(http_client, 400)
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20001"
    assert client.trusthub.v1.customer_profiles.list(friendly_name="no email") == []


@pytest.mark.parametrize("credentials", ["wrong token", "unknown account"])
def test_bad_credentials_are_401_20003(make_client, server, http_client, credentials):
    if credentials == "wrong token":
        bad = make_client(server.account_sid, secrets.token_hex(16))
    else:
        bad = make_client("AC" + secrets.token_hex(16), server.auth_token)
    with pytest.raises(TwilioRestException) as excinfo:
        bad.trusthub.v1.policies(SECONDARY_PROFILE_POLICY).fetch()
    assert excinfo.value.status == 401
    assert excinfo.value.code == 20003
    exchange = http_client.exchanges[-1]
    assert exchange.status == 401
    assert exchange.json()["more_info"] == "https://www.twilio.com/docs/errors/20003"
    www_authenticate = {k.lower(): v for k, v in exchange.headers.items()}.get("www-authenticate", "")
    assert www_authenticate.startswith("Basic"), exchange.headers


def test_create_end_user_with_unknown_type_is_400(client, http_client):
    with pytest.raises(TwilioRestException) as excinfo:
        client.trusthub.v1.end_users.create(
            friendly_name="mystery", type="no_such_end_user_type", attributes={"x": "y"}
        )
    err = excinfo.value
    assert err.status == 400
    assert err.code == 22200, err.code  # "invalid End-User Type" (wire.md 1.4)
    assert "no_such_end_user_type" in err.msg, err.msg
    body = last_error_body(http_client, 400)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{err.code}"
    assert [e for e in client.trusthub.v1.end_users.list() if e.friendly_name == "mystery"] == []


def test_delete_entity_assignment_then_second_delete_is_404(client, http_client):
    profile = client.trusthub.v1.customer_profiles.create(
        friendly_name="delete me", email="owner@acme.example.com", policy_sid=SECONDARY_PROFILE_POLICY
    )
    representative = client.trusthub.v1.end_users.create(
        friendly_name="rep",
        type="authorized_representative_1",
        attributes={
            "first_name": "Del",
            "last_name": "Ete",
            "email": "del@acme.example.com",
            "phone_number": "+15555550100",
            "business_title": "Chief Executive",
            "job_position": "CEO",
        },
    )
    assignments = client.trusthub.v1.customer_profiles(profile.sid).customer_profiles_entity_assignments
    assignment = assignments.create(object_sid=representative.sid)
    assert [a.sid for a in assignments.list()] == [assignment.sid]

    assert assignments(assignment.sid).delete() is True
    assert http_client.exchanges[-1].status == 204
    assert assignments.list() == []

    with pytest.raises(TwilioRestException) as excinfo:
        assignments(assignment.sid).delete()
    assert excinfo.value.status == 404
    assert excinfo.value.code == 20404

    with pytest.raises(TwilioRestException) as excinfo:
        assignments(assignment.sid).fetch()
    assert excinfo.value.status == 404
    assert excinfo.value.code == 20404
