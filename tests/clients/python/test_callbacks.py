"""Signed status callbacks, checked by twilio-python's own RequestValidator, across a crash.

A local receiver (http.server in a thread) records every callback request and
answers 500 to the first FAILING_REQUESTS of them, 200 afterwards. The server
runs the automatic reviewer and retries callbacks after an hour of *server*
time (``--review-delay 3600 --callback-retry-delay 3600``), so nothing happens
by itself once the first attempts have failed:

1. a customer profile with StatusCallback=<receiver>/status?source=test is
   created, completed and submitted through the client; the first attempts of
   the pending-review and in-review callbacks fail;
2. the server is killed with SIGKILL and started again on the same database;
3. the clock is advanced by 3600 s through the operator API: the retries and
   the review decision (and its callback) are due and happen.

Every request must validate with ``RequestValidator(auth_token).validate(...)``
(and fail to once tampered with), every status must be reported, and the
requests must match the callback_attempt events one for one.
"""

from __future__ import annotations

import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from trusthub_server import Server, create_address, official_client, start_server, wait_for_status, wait_until

STARTER_PROFILE_POLICY = "RN13dc4be8861a10924a79c35eaa4d812c"  # no supporting Primary profile needed
SERVE_ARGS = ("--review", "auto", "--review-delay", "3600", "--callback-retry-delay", "3600")
RETRY_DELAY_S = 3600
FAILING_REQUESTS = 2  # the first attempts of pending-review and in-review

STARTER_INFORMATION = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@acme.example.com",
    "phone_number": "+15555550101",
}
CALLBACK_PARAMS = {"AccountSid", "BundleSid", "Status", "FailureReason", "ErrorCodes"}


@dataclass
class Received:
    url: str  # the full URL the request was sent to
    headers: Dict[str, str]  # names lower-cased
    body: str
    answered: int

    @property
    def params(self) -> Dict[str, str]:
        pairs = parse_qsl(self.body, keep_blank_values=True, strict_parsing=True)
        params = dict(pairs)
        assert len(params) == len(pairs), f"repeated parameter in {self.body!r}"
        return params

    @property
    def signature(self) -> str:
        return self.headers.get("x-twilio-signature", "")


class Receiver:
    """Records each POST; answers 500 to the first ``failing`` requests, then 200."""

    def __init__(self, failing: int):
        self.failing = failing
        self.requests: List[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                with receiver.lock:
                    answer = 500 if len(receiver.requests) < receiver.failing else 200
                    receiver.requests.append(
                        Received(f"http://{self.headers['Host']}{self.path}", {k.lower(): v for k, v in self.headers.items()}, body, answer)
                    )
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.callback_url = f"http://127.0.0.1:{self.httpd.server_port}/status?source=test"

    def received(self) -> List[Received]:
        with self.lock:
            return list(self.requests)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(failing=FAILING_REQUESTS)
    yield r
    r.close()


@pytest.fixture
def servers() -> Iterator[List[Server]]:
    """Servers the test starts; all stopped (and their database removed) at the end."""
    started: List[Server] = []
    yield started
    for s in started:
        s.stop()
    for s in started:
        s.remove_workdir()


def test_callbacks_are_signed_retried_and_survive_a_crash(receiver, servers, http_client):
    first = start_server(SERVE_ARGS)
    servers.append(first)
    client = official_client(first.base, first.account_sid, first.auth_token, http_client)

    # A profile with a status callback, completed and submitted through the client.
    created = client.trusthub.v1.customer_profiles.create(
        email="grace@acme.example.com",
        friendly_name="Callback profile",
        policy_sid=STARTER_PROFILE_POLICY,
        status_callback=receiver.callback_url,
    )
    bu = created.sid
    assert created.status_callback == receiver.callback_url
    information = client.trusthub.v1.end_users.create(
        attributes=STARTER_INFORMATION, friendly_name="Grace Hopper", type="starter_customer_profile_information"
    )
    address = client.trusthub.v1.supporting_documents.create(
        attributes={"address_sids": create_address(client)},
        friendly_name="Acme Inc headquarters",
        type="customer_profile_address",
    )
    profile = client.trusthub.v1.customer_profiles(bu)
    for object_sid in (information.sid, address.sid):
        profile.customer_profiles_entity_assignments.create(object_sid=object_sid)
    assert profile.update(status="pending-review").status == "pending-review"

    # The first attempts of the pending-review and in-review callbacks fail (500);
    # the server records each attempt and schedules its retry an hour away.
    wait_until(lambda: len(receiver.received()), lambda n: n >= FAILING_REQUESTS, "the first callback attempts")
    failed = wait_until(
        lambda: first.operator.events(bu, "callback_attempt"),
        lambda events: len(events) >= FAILING_REQUESTS,
        "the failed attempts to be recorded",
    )
    assert all(e["detail"]["delivered"] is False and e["detail"]["next_attempt_at"] for e in failed), failed
    assert wait_for_status(profile, "in-review").status == "in-review"
    assert bu in [b["sid"] for b in first.operator.reviews()]

    # Crash, and start again on the same database (on another port: the callback
    # URL points at the receiver, not at the server).
    first.kill()
    second = start_server(
        SERVE_ARGS, workdir=first.workdir, account_sid=first.account_sid, auth_token=first.auth_token
    )
    servers.append(second)
    client = official_client(second.base, second.account_sid, second.auth_token, http_client)
    profile = client.trusthub.v1.customer_profiles(bu)
    assert profile.fetch().status == "in-review"
    # The restarted worker has looked at the outbox: nothing is due yet.
    second.operator.worker_caught_up()
    assert len(receiver.received()) == FAILING_REQUESTS, "nothing is due before the clock moves"
    assert profile.fetch().status == "in-review"

    # An hour later (server time) the retries and the review decision are due.
    assert second.operator.advance_clock(RETRY_DELAY_S)["offset_seconds"] == RETRY_DELAY_S
    approved = wait_for_status(profile, "twilio-approved")
    assert approved.errors is None
    expected_requests = FAILING_REQUESTS + 3  # two retries, and the approval's callback
    wait_until(lambda: len(receiver.received()), lambda n: n >= expected_requests, "the retried callbacks")
    attempts = wait_until(
        lambda: second.operator.events(bu, "callback_attempt"),
        lambda events: len(events) >= expected_requests,
        "every attempt to be recorded",
    )
    second.operator.worker_caught_up()  # a duplicate attempt would have been made by now
    received = receiver.received()

    # Every request is signed as Twilio signs it, for the URL it was sent to.
    validator = RequestValidator(first.auth_token)
    for r in received:
        params = r.params
        assert r.url == receiver.callback_url
        assert r.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"), r.headers
        assert set(params) == CALLBACK_PARAMS, params
        assert (params["AccountSid"], params["BundleSid"]) == (first.account_sid, bu)
        assert (params["FailureReason"], params["ErrorCodes"]) == ("", ""), params
        assert r.signature, r.headers
        assert validator.validate(r.url, params, r.signature), f"invalid signature: {r}"
        # The check is real: tampering with a parameter, the URL or the token fails it.
        assert not validator.validate(r.url, {**params, "Status": "twilio-rejected"}, r.signature)
        assert not validator.validate(r.url.replace("source=test", "source=other"), params, r.signature)
        assert not RequestValidator(secrets.token_hex(16)).validate(r.url, params, r.signature)

    # Every status is reported, and exactly one request was made per recorded attempt.
    by_status: Dict[str, List[Received]] = defaultdict(list)
    for r in received:
        by_status[r.params["Status"]].append(r)
    assert set(by_status) == {"pending-review", "in-review", "twilio-approved"}, dict(by_status)
    assert len(received) == len(attempts) == expected_requests, (len(received), attempts)
    attempts_by_status: Dict[str, List[dict]] = defaultdict(list)
    for e in attempts:
        attempts_by_status[e["detail"]["status"]].append(e["detail"])
    assert set(attempts_by_status) == set(by_status)
    for status, details in attempts_by_status.items():
        requests_for_status = by_status[status]
        assert [d["attempt"] for d in details] == list(range(1, len(details) + 1)), details
        assert len(details) == len(requests_for_status), (status, details)
        assert [d["http_status"] for d in details] == [r.answered for r in requests_for_status], (status, details)
        assert details[-1]["delivered"] is True, details
        assert all(d["delivered"] is False and d["gave_up"] is False for d in details[:-1]), details
        assert all(d["url"] == receiver.callback_url for d in details), details
        # One idempotency token per status change, repeated on its retries.
        tokens = {r.headers.get("i-twilio-idempotency-token") for r in requests_for_status}
        assert len(tokens) == 1 and None not in tokens, (status, tokens)
    assert [len(by_status[s]) for s in ("pending-review", "in-review", "twilio-approved")] == [2, 2, 1]
    all_tokens = {r.headers["i-twilio-idempotency-token"] for r in received}
    assert len(all_tokens) == 3, all_tokens
