"""Sandbox powers (README "Sandbox powers"), as an application's test suite meets them
through twilio-python: injected faults surface as the library's own exceptions, a
snapshot is restored under a client that keeps running, two seeded servers answer the
same calls identically, and the request inspector shows what the library sent.

The module's server runs with ``--ephemeral`` (in-memory store). The seeded test starts
its own two servers.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from typing import Dict, List

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException

from openapi_check import OpenApiChecker, ValidatingHttpClient
from trusthub_server import official_client, start_server

SERVER_ARGS = ("--ephemeral",)

SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
REPRESENTATIVE = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@acme.example.com",
    "phone_number": "+15555550100",
    "business_title": "Chief Executive",
    "job_position": "CEO",
}


def new_profile(client, friendly_name: str = "Acme sandbox"):
    return client.trusthub.v1.customer_profiles.create(
        friendly_name=friendly_name, email="ops@acme.example.com", policy_sid=SECONDARY_PROFILE_POLICY
    )


def new_representative(client, friendly_name: str = "Ada"):
    return client.trusthub.v1.end_users.create(
        friendly_name=friendly_name, type="authorized_representative_1", attributes=REPRESENTATIVE
    )


def add_fault(operator, **form) -> Dict:
    return operator.call("POST", "/admin/v1/Faults", 201, **form)


def faults(operator) -> List[Dict]:
    return operator.call("GET", "/admin/v1/Faults")["faults"]


# --------------------------------------------------------------------------- #
# Faults
# --------------------------------------------------------------------------- #


def test_injected_429_raises_twilio_rest_exception_then_the_next_create_succeeds(client, operator, http_client):
    fault = add_fault(operator, Path="/v1/EndUsers", Methods="POST", Count=1, Status=429, ErrorCode=20429)
    assert re.fullmatch(r"FA[0-9a-f]{32}", fault["sid"]), fault

    with pytest.raises(TwilioRestException) as excinfo:
        new_representative(client, "rate limited")
    err = excinfo.value
    assert err.status == 429
    assert err.code == 20429
    assert err.method == "POST"
    assert err.uri == "/EndUsers"
    exchange = http_client.exchanges[-1]
    assert exchange.status == 429
    assert exchange.json()["more_info"] == "https://www.twilio.com/docs/errors/20429"
    assert {k.lower(): v for k, v in exchange.headers.items()}.get("retry-after"), exchange.headers

    # The fault is used up: the same call now works, and the refused one left nothing behind.
    end_user = new_representative(client, "after the rate limit")
    assert re.fullmatch(r"IT[0-9a-f]{32}", end_user.sid)
    assert faults(operator) == []
    names = [e.friendly_name for e in client.trusthub.v1.end_users.list()]
    assert "after the rate limit" in names
    assert "rate limited" not in names


def test_injected_503_on_a_fetch(client, operator, http_client):
    profile = new_profile(client, "fetch fault")
    add_fault(
        operator, Path=f"/v1/CustomerProfiles/{profile.sid}", Methods="GET", Count=1, Status=503, ErrorCode=20503
    )
    # Other methods and paths are not affected.
    assert client.trusthub.v1.customer_profiles(profile.sid).update(friendly_name="fetch fault 2").sid == profile.sid
    with pytest.raises(TwilioRestException) as excinfo:
        client.trusthub.v1.customer_profiles(profile.sid).fetch()
    assert (excinfo.value.status, excinfo.value.code, excinfo.value.method) == (503, 20503, "GET")
    # The validating client reports every 5xx; this one was asked for, and its body is
    # Twilio's error body (no other violation).
    exchange = http_client.exchanges[-1]
    assert exchange.json()["more_info"] == "https://www.twilio.com/docs/errors/20503"
    assert http_client.take_violations() == [f"GET {exchange.url} -> 503: server error 503"]
    fetched = client.trusthub.v1.customer_profiles(profile.sid).fetch()
    assert (fetched.sid, fetched.friendly_name) == (profile.sid, "fetch fault 2")


def test_dropped_connection_is_a_transport_error_not_a_rest_exception(client, operator):
    add_fault(operator, Path="/v1/Policies", Drop="true", Count=1)
    with pytest.raises(Exception) as excinfo:
        client.trusthub.v1.policies.list(limit=1)
    err = excinfo.value
    # requests' ConnectionError (RemoteDisconnected underneath): no HTTP answer at all, so
    # nothing the library could turn into a TwilioRestException.
    assert isinstance(err, requests.exceptions.ConnectionError), repr(err)
    assert not isinstance(err, TwilioException), repr(err)
    assert faults(operator) == []
    assert len(client.trusthub.v1.policies.list(limit=1)) == 1


# --------------------------------------------------------------------------- #
# Snapshots
# --------------------------------------------------------------------------- #


def test_snapshot_restored_under_a_running_client(client, operator, http_client):
    v1 = client.trusthub.v1

    def raw_list(call) -> dict:
        """The list body exactly as the server sent it (one page)."""
        call()
        exchange = http_client.exchanges[-1]
        assert exchange.status == 200 and exchange.method == "GET", exchange
        return exchange.json()

    profile = new_profile(client, "Onboarded Inc")
    representative = new_representative(client, "Onboarded rep")
    assignments = v1.customer_profiles(profile.sid).customer_profiles_entity_assignments
    assignment = assignments.create(object_sid=representative.sid)

    snap = operator.call("POST", "/admin/v1/Snapshots", 201, Name="onboarded")
    assert snap["name"] == "onboarded"
    names = [s["name"] for s in operator.call("GET", "/admin/v1/Snapshots")["snapshots"]]
    assert "onboarded" in names

    lists = {
        "profiles": lambda: v1.customer_profiles.list(),
        "end_users": lambda: v1.end_users.list(),
        "documents": lambda: v1.supporting_documents.list(),
        "assignments": lambda: assignments.list(),
    }
    before = {name: raw_list(call) for name, call in lists.items()}
    assert [a["sid"] for a in before["assignments"]["results"]] == [assignment.sid]

    # Change things through the same client: new objects, a deleted assignment, a rename.
    extra_profile = new_profile(client, "Later Inc")
    extra_user = new_representative(client, "Later rep")
    extra_doc = v1.supporting_documents.create(
        friendly_name="Later doc", type="customer_profile_address", attributes={"address_sids": "AD" + "0" * 32}
    )
    v1.customer_profiles(profile.sid).update(friendly_name="Renamed Inc")
    assert assignments(assignment.sid).delete() is True
    assert assignments.list() == []

    restored = operator.call("POST", "/admin/v1/Snapshots/onboarded/Restore", 200)
    assert restored["name"] == "onboarded", restored

    # The same client object sees exactly the snapshot.
    for sid, context in [
        (extra_profile.sid, v1.customer_profiles(extra_profile.sid)),
        (extra_user.sid, v1.end_users(extra_user.sid)),
        (extra_doc.sid, v1.supporting_documents(extra_doc.sid)),
    ]:
        with pytest.raises(TwilioRestException) as excinfo:
            context.fetch()
        assert (excinfo.value.status, excinfo.value.code) == (404, 20404), sid
    after = {name: raw_list(call) for name, call in lists.items()}
    assert after == before
    back = assignments(assignment.sid).fetch()
    assert (back.sid, back.object_sid) == (assignment.sid, representative.sid)
    assert v1.customer_profiles(profile.sid).fetch().friendly_name == "Onboarded Inc"

    # ... and keeps writing afterwards.
    second_rep = new_representative(client, "After restore rep")
    second = assignments.create(object_sid=second_rep.sid)
    assert {a.sid for a in assignments.list()} == {assignment.sid, second.sid}
    evaluation = v1.customer_profiles(profile.sid).customer_profiles_evaluations.create(
        policy_sid=SECONDARY_PROFILE_POLICY
    )
    assert evaluation.status == "noncompliant"  # no business information or address yet
    with pytest.raises(TwilioRestException) as excinfo:
        assignments.create(object_sid=representative.sid)
    assert (excinfo.value.status, excinfo.value.code) == (409, 20409), "the restored assignment is real"


# --------------------------------------------------------------------------- #
# Seeded determinism
# --------------------------------------------------------------------------- #

SEEDED_ACCOUNT_SID = "AC" + "5eed" * 8
SEEDED_AUTH_TOKEN = "5eed" * 8
# Not where the server listens: it only appears in `url` fields. The client talks to the
# real address through base_url; lists stay on one page (paging follows next_page_url).
SEEDED_PUBLIC_URL = "http://127.0.0.1:1"


def seeded_run() -> List[dict]:
    """The same short sequence of client calls against a fresh seeded server; returns
    each response body exactly as sent."""
    srv = start_server(
        ("--ephemeral", "--seed", "42", "--public-url", SEEDED_PUBLIC_URL),
        account_sid=SEEDED_ACCOUNT_SID,
        auth_token=SEEDED_AUTH_TOKEN,
    )
    try:
        http = ValidatingHttpClient(OpenApiChecker())
        client = official_client(srv.base, SEEDED_ACCOUNT_SID, SEEDED_AUTH_TOKEN, http)
        v1 = client.trusthub.v1
        profile = new_profile(client, "Seeded Inc")
        end_user = new_representative(client, "Seeded rep")
        assignment = v1.customer_profiles(profile.sid).customer_profiles_entity_assignments.create(
            object_sid=end_user.sid
        )
        evaluation = v1.customer_profiles(profile.sid).customer_profiles_evaluations.create(
            policy_sid=SECONDARY_PROFILE_POLICY
        )
        assert profile.url == f"{SEEDED_PUBLIC_URL}/v1/CustomerProfiles/{profile.sid}"
        listed = v1.end_users.list()
        assert [e.sid for e in listed] == [end_user.sid]
        fetched = v1.customer_profiles(profile.sid).fetch()
        assert fetched.sid == profile.sid

        instances = [profile, end_user, assignment, evaluation]
        for instance in instances:
            assert instance.date_created.date() == datetime(2024, 1, 1, tzinfo=timezone.utc).date(), instance
        assert [e.method for e in http.exchanges] == ["POST"] * 4 + ["GET"] * 2
        assert all(e.status in (200, 201) for e in http.exchanges), [(e.url, e.status) for e in http.exchanges]
        violations = http.take_violations()
        assert not violations, violations
        return [e.json() for e in http.exchanges]
    finally:
        srv.stop()
        srv.remove_workdir()


def test_two_seeded_servers_answer_the_same_calls_identically():
    first = seeded_run()
    second = seeded_run()

    def sids_and_dates(bodies):
        return [(b["sid"], b["date_created"]) for b in bodies[:4]]

    assert sids_and_dates(first) == sids_and_dates(second)
    for sid, date in sids_and_dates(first):
        assert date.startswith("2024-01-01T00:00:"), (sid, date)
    # The clock moves one second per write request, so the four creates are in order.
    dates = [d for _, d in sids_and_dates(first)]
    assert dates == sorted(dates) and len(set(dates)) == 4, dates
    assert [s[:2] for s, _ in sids_and_dates(first)] == ["BU", "IT", "BV", "EL"]
    # And, beyond the SIDs and dates, every body byte for byte (same public URL).
    assert [json.dumps(b, sort_keys=True) for b in first] == [json.dumps(b, sort_keys=True) for b in second]


# --------------------------------------------------------------------------- #
# Request inspector
# --------------------------------------------------------------------------- #


def test_request_inspector_shows_the_librarys_requests_newest_first_without_secrets(client, server, operator):
    v1 = client.trusthub.v1
    end_user = new_representative(client, "Inspected")
    v1.end_users(end_user.sid).fetch()
    v1.end_users(end_user.sid).update(friendly_name="Inspected again")
    listed = v1.end_users.list(page_size=2, limit=2)
    assert v1.end_users(end_user.sid).delete() is True

    status, log = operator.request("GET", f"/admin/v1/Requests?AccountSid={server.account_sid}&Limit=5")
    assert status == 200, log
    reqs = log["requests"]
    assert len(reqs) == 5, reqs
    path = f"/v1/EndUsers/{end_user.sid}"
    assert [(r["method"], r["path"], r["status"]) for r in reqs] == [
        ("DELETE", path, 204),
        ("GET", "/v1/EndUsers", 200),
        ("POST", path, 200),
        ("GET", path, 200),
        ("POST", "/v1/EndUsers", 201),
    ]
    assert all(r["account_sid"] == server.account_sid for r in reqs)
    # What twilio-python put on the wire: Attributes as a JSON string (json.dumps of the dict).
    created = reqs[4]
    sent = dict(created["parameters"])
    assert sent == {
        "FriendlyName": "Inspected",
        "Type": "authorized_representative_1",
        "Attributes": json.dumps(REPRESENTATIVE),
    }
    assert json.loads(sent["Attributes"]) == REPRESENTATIVE
    assert created["response"]["sid"] == end_user.sid
    assert created["response"]["attributes"] == REPRESENTATIVE
    assert dict(reqs[2]["parameters"]) == {"FriendlyName": "Inspected again"}
    assert dict(reqs[1]["parameters"])["PageSize"] == "2"
    assert [e["sid"] for e in reqs[1]["response"]["results"]] == [e.sid for e in listed]

    # No credential anywhere: neither the auth token nor the Basic header it travels in.
    raw = json.dumps(log)
    basic = base64.b64encode(f"{server.account_sid}:{server.auth_token}".encode()).decode()
    assert server.auth_token not in raw
    assert basic not in raw
