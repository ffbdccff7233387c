"""Fixtures: a real trusthub server per test module, and official twilio-python clients.

Each test module gets its own server process (free port on 127.0.0.1, fresh
SQLite database in a temp dir), killed when the module is done. The binary is
taken from $TRUSTHUB_BIN (default: <repo>/target/debug/trusthub).

Every response is validated against the OpenAPI spec by ValidatingHttpClient;
the autouse fixture ``no_spec_violations`` fails a test that received any
non-conforming response.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from twilio.rest import Client

from openapi_check import REPO_ROOT, OpenApiChecker, ValidatingHttpClient

# The libraries rewrite hostnames when these are set (see wire.md 6.1/6.2).
for _var in ("TWILIO_EDGE", "TWILIO_REGION"):
    os.environ.pop(_var, None)

STARTUP_TIMEOUT_S = 60.0


def _binary() -> Path:
    configured = os.environ.get("TRUSTHUB_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "debug" / "trusthub"
    return path if path.is_absolute() else Path.cwd() / path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    account_sid: str
    auth_token: str
    process: subprocess.Popen
    workdir: Path

    def log(self) -> str:
        try:
            return (self.workdir / "server.log").read_text(errors="replace")
        except OSError:
            return ""


def _wait_healthy(proc: subprocess.Popen, base: str, workdir: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
                last_error = f"HTTP {resp.status}"
        except (urllib.error.URLError, OSError) as e:  # not listening yet
            last_error = str(e)
        time.sleep(0.1)
    log = (workdir / "server.log").read_text(errors="replace")[-4000:]
    proc.kill()
    pytest.fail(
        f"trusthub server at {base} did not become healthy "
        f"(exit={proc.poll()}, last error: {last_error}); log tail:\n{log}",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    binary = _binary()
    if not binary.is_file():
        pytest.fail(f"server binary {binary} not found (build it or set TRUSTHUB_BIN)", pytrace=False)
    account_sid = "AC" + secrets.token_hex(16)
    auth_token = secrets.token_hex(16)
    port = _free_port()
    listen = f"127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="trusthub-pytest-"))
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_EDGE", "TWILIO_REGION")}
    env.update(TRUSTHUB_ACCOUNT_SID=account_sid, TRUSTHUB_AUTH_TOKEN=auth_token)
    with open(workdir / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [str(binary), "serve", "--listen", listen, "--database-url", f"sqlite://{workdir}/th.db"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://{listen}"
    try:
        _wait_healthy(proc, base, workdir)
        yield Server(base, account_sid, auth_token, proc, workdir)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def http_client() -> ValidatingHttpClient:
    return ValidatingHttpClient(OpenApiChecker())


@pytest.fixture(scope="module")
def make_client(server: Server, http_client: ValidatingHttpClient) -> Callable[..., Client]:
    """Build an official client pointed at our server, exactly as documented."""

    def make(account_sid: str = server.account_sid, auth_token: str = server.auth_token) -> Client:
        client = Client(account_sid, auth_token, http_client=http_client)
        client.trusthub.base_url = server.base
        client.api.base_url = server.base
        return client

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
