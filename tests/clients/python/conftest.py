"""Fixtures: a real trusthub server per test module, and official twilio-python clients.

Each test module gets its own server process (``trusthub_server.start_server``: a
port on 127.0.0.1 picked by the kernel, fresh SQLite database in a temp dir, or a fresh
PostgreSQL database with ``TRUSTHUB_TEST_POSTGRES`` set, the fixed operator token
``ADMIN_TOKEN``), stopped (and its database removed) when the module is done. A module can pass extra
serve flags with a module-level ``SERVER_ARGS`` tuple, e.g.
``SERVER_ARGS = ("--review", "auto", "--review-delay", "0")``.

Every response is validated against the OpenAPI spec by ValidatingHttpClient;
the autouse fixture ``no_spec_violations`` fails a test that received any
non-conforming response.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

import pytest
from twilio.rest import Client

from openapi_check import OpenApiChecker, ValidatingHttpClient
from trusthub_server import Operator, Server, official_client, start_server

# The libraries rewrite hostnames when these are set (see wire.md 6.1/6.2).
for _var in ("TWILIO_EDGE", "TWILIO_REGION"):
    os.environ.pop(_var, None)


@pytest.fixture(scope="module")
def server(request) -> Iterator[Server]:
    srv = start_server(getattr(request.module, "SERVER_ARGS", ()))
    try:
        yield srv
    finally:
        srv.stop()
        srv.remove_workdir()


@pytest.fixture(scope="module")
def operator(server: Server) -> Operator:
    return server.operator


@pytest.fixture(scope="module")
def http_client() -> ValidatingHttpClient:
    return ValidatingHttpClient(OpenApiChecker())


@pytest.fixture(scope="module")
def make_client(server: Server, http_client: ValidatingHttpClient) -> Callable[..., Client]:
    """Build an official client pointed at our server, exactly as documented."""

    def make(account_sid: str = server.account_sid, auth_token: str = server.auth_token) -> Client:
        return official_client(server.base, account_sid, auth_token, http_client)

    return make


@pytest.fixture(scope="module")
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


@pytest.fixture(scope="module")
def base(server: Server) -> str:
    return server.base


def _violation_report(violations) -> str:
    return "responses that do not match the OpenAPI spec:\n" + "\n".join(violations)


@pytest.fixture(autouse=True)
def no_spec_violations(http_client: ValidatingHttpClient) -> Iterator[None]:
    """Start each test with a clean slate; whatever violations are left at the end fail it."""
    http_client.take_violations()
    http_client.exchanges.clear()
    yield
    violations = http_client.take_violations()
    assert not violations, _violation_report(violations)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Turn violations into a test *failure* (not a teardown error) when the test body passed.

    If the body itself failed, the violations stay recorded and no_spec_violations
    reports them at teardown, next to the failure.
    """
    result = yield
    http_client = item.funcargs.get("http_client")
    if http_client is not None:
        violations = http_client.take_violations()
        assert not violations, _violation_report(violations)
    return result
