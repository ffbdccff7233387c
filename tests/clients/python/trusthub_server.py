"""Running a real trusthub server for the tests, and talking to its operator API.

* ``start_server(args)`` launches ``trusthub serve --listen 127.0.0.1:0`` with extra
  serve flags (``--review auto``, ``--callback-retry-delay 3600``, ...), a fresh SQLite
  database in a temp dir (or an existing ``workdir``, to restart on the same
  database) and the fixed operator token ``ADMIN_TOKEN``. With
  ``TRUSTHUB_TEST_POSTGRES`` set (a server URL, e.g. ``postgres://postgres@127.0.0.1:5432``)
  the directory gets a fresh PostgreSQL database of its own instead (see
  ``database_url``), dropped by ``Server.remove_workdir``.
* ``Operator`` is a small client of the operator API (``/admin/v1``, JSON answers,
  form-encoded requests, ``Authorization: Bearer``).
* ``wait_until`` / ``wait_for_status`` poll every 25 ms and fail after 10 s; tests
  never sleep for a fixed review time.
* ``create_address`` / ``create_phone_number`` provision, through the official
  client's 2010-04-01 API, the Address a customer_profile_address document names and
  the IncomingPhoneNumber a bundle takes as channel endpoint (the server checks
  that both exist in the account).

The binary is taken from $TRUSTHUB_BIN (default: <repo>/target/debug/trusthub).
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, TypeVar

import pytest
import requests
from twilio.rest import Client

from openapi_check import REPO_ROOT

ADMIN_TOKEN = "trusthub-client-tests-operator-token"
STARTUP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.025
POLL_TIMEOUT_S = 10.0
DECIDED = ("twilio-approved", "twilio-rejected")

_LISTENING_RE = re.compile(r"TrustHub listening on (http://\S+)")

T = TypeVar("T")

POSTGRES_ENV = "TRUSTHUB_TEST_POSTGRES"
# The name of a directory's PostgreSQL database (the Rust harness uses the same file).
PG_NAME_FILE = "pg-database"
_pg_databases_created = itertools.count()


def postgres_base() -> Optional[str]:
    """The PostgreSQL server URL when the tests run against PostgreSQL, else None."""
    raw = os.environ.get(POSTGRES_ENV, "").strip()
    if not raw:
        return None
    if urllib.parse.urlsplit(raw).scheme not in ("postgres", "postgresql"):
        raise ValueError(f"{POSTGRES_ENV} must be a postgres:// URL, not {raw!r}")
    return raw


def _pg_url_of(base: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``base`` (query parameters kept)."""
    return urllib.parse.urlsplit(base)._replace(path="/" + name).geturl()


def _pg_admin_url(base: str) -> str:
    """Where to create and drop databases: the URL's database, else ``postgres``."""
    return base if urllib.parse.urlsplit(base).path.strip("/") else _pg_url_of(base, "postgres")


def _psql(base: str, *statements: str) -> None:
    command = ["psql", _pg_admin_url(base), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    for sql in statements:
        command += ["-c", sql]
    try:
        out = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.fail("psql not found: install the PostgreSQL client", pytrace=False)
    if out.returncode != 0:
        pytest.fail(f"psql {statements!r} failed (exit {out.returncode}): {out.stderr.strip()}", pytrace=False)


def database_url(workdir: Path) -> Optional[str]:
    """The ``--database-url`` of a PostgreSQL database of ``workdir``'s own, or None when
    ``TRUSTHUB_TEST_POSTGRES`` is unset.

    The first call creates it (the server migrates it as it starts) and writes its name
    to ``workdir/pg-database``; a server restarted on the same directory finds it there.
    Named ``th_<pid>_c<n>_<random>``: ``scripts/test-postgres.sh`` (and the Rust
    harness) drop the ``th_<pid>_…`` databases of processes that are gone.
    """
    base = postgres_base()
    if base is None:
        return None
    name_file = workdir / PG_NAME_FILE
    if name_file.exists():
        return _pg_url_of(base, name_file.read_text().strip())
    name = f"th_{os.getpid()}_c{next(_pg_databases_created)}_{secrets.token_hex(4)}"
    _psql(
        base,
        f'CREATE DATABASE "{name}"',
        # Test data need not survive a crash of the machine (as in the Rust harness).
        f'ALTER DATABASE "{name}" SET synchronous_commit = off',
    )
    name_file.write_text(name)
    return _pg_url_of(base, name)


def drop_database(workdir: Path) -> None:
    """Drop ``workdir``'s PostgreSQL database, if it has one (its servers must be stopped)."""
    base = postgres_base()
    name_file = workdir / PG_NAME_FILE
    if base is None or not name_file.exists():
        return
    _psql(base, f'DROP DATABASE IF EXISTS "{name_file.read_text().strip()}" WITH (FORCE)')
    name_file.unlink()


def binary() -> Path:
    configured = os.environ.get("TRUSTHUB_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "debug" / "trusthub"
    return path if path.is_absolute() else Path.cwd() / path


@dataclass
class Server:
    base: str
    account_sid: str
    auth_token: str
    process: subprocess.Popen
    workdir: Path
    args: Tuple[str, ...] = ()
    operator: "Operator" = field(init=False)

    def __post_init__(self) -> None:
        self.operator = Operator(self.base)

    def log(self) -> str:
        try:
            return (self.workdir / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL, as a crash would: no graceful shutdown. The workdir (database) stays."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM (SIGKILL after 10 s). The workdir stays; see ``remove_workdir``."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove_workdir(self) -> None:
        """Remove the workdir, and drop its PostgreSQL database if it has one."""
        drop_database(self.workdir)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_server(
    args: Sequence[str] = (),
    *,
    workdir: Optional[Path] = None,
    account_sid: Optional[str] = None,
    auth_token: Optional[str] = None,
) -> Server:
    """Start ``trusthub serve`` on a free port and wait until /healthz answers 200.

    Pass the ``workdir``, ``account_sid`` and ``auth_token`` of a previous server to
    restart on its database (the log is appended to). With ``TRUSTHUB_TEST_POSTGRES``
    set, the database is the directory's PostgreSQL database (``database_url``), unless
    the server runs ``--ephemeral`` (in memory).
    """
    path = binary()
    if not path.is_file():
        pytest.fail(f"server binary {path} not found (build it or set TRUSTHUB_BIN)", pytrace=False)
    account_sid = account_sid or "AC" + secrets.token_hex(16)
    auth_token = auth_token or secrets.token_hex(16)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="trusthub-pytest-"))
    log_path = workdir / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_EDGE", "TWILIO_REGION")}
    env.update(
        TRUSTHUB_ACCOUNT_SID=account_sid,
        TRUSTHUB_AUTH_TOKEN=auth_token,
        TRUSTHUB_ADMIN_TOKEN=ADMIN_TOKEN,
    )
    log_start = log_path.stat().st_size if log_path.exists() else 0
    had_database = (workdir / PG_NAME_FILE).exists()
    pg_url = None if "--ephemeral" in args else database_url(workdir)
    command = [
        str(path), "serve",
        "--listen", "127.0.0.1:0",
        "--database-url", pg_url or f"sqlite://{workdir}/th.db",
        *args,
    ]  # fmt: skip
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    def this_runs_log() -> str:
        with open(log_path, "rb") as f:
            f.seek(log_start)
            return f.read().decode(errors="replace")

    # The first stdout line names the port the kernel picked.
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    base = None
    while time.monotonic() < deadline and proc.poll() is None:
        if base is None:
            match = _LISTENING_RE.search(this_runs_log())
            base = match.group(1) if match else None
        if base is not None and _healthy(base):
            return Server(base, account_sid, auth_token, proc, workdir, tuple(args))
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    if pg_url is not None and not had_database:
        drop_database(workdir)  # created for this server, which nobody will stop
    pytest.fail(
        f"trusthub server ({' '.join(command)}) did not become healthy at {base} "
        f"(exit={proc.returncode}); log:\n{this_runs_log()[-4000:]}",
        pytrace=False,
    )


def official_client(
    base: str, username: str, password: str, http_client=None, account_sid: Optional[str] = None
) -> Client:
    """An official twilio-python client pointed at ``base``, exactly as documented:
    ``Client(account_sid, auth_token)``, or with an API key
    ``Client(key_sid, secret, account_sid)``."""
    client = Client(username, password, account_sid, http_client=http_client)
    client.trusthub.base_url = base
    client.api.base_url = base
    client.messaging.base_url = base
    return client


class OperatorError(AssertionError):
    pass


class Operator:
    """The operator API of one server: ``/admin/v1``, bearer-token authenticated."""

    def __init__(self, base: str, token: str = ADMIN_TOKEN):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **form: Any) -> Tuple[int, Any]:
        """One request; returns (HTTP status, decoded JSON body)."""
        data = {k: v for k, v in form.items() if v is not None}
        resp = self.session.request(method, self.base + path, data=data or None, timeout=10)
        try:
            body = resp.json()
        except ValueError:
            body = resp.text
        return resp.status_code, body

    def call(self, method: str, path: str, expect: int = 200, **form: Any) -> Any:
        status, body = self.request(method, path, **form)
        if status != expect:
            raise OperatorError(f"{method} {path} {form} -> {status}, expected {expect}: {body}")
        return body

    def create_account(self, friendly_name: str) -> Dict[str, Any]:
        return self.call("POST", "/admin/v1/Accounts", 201, FriendlyName=friendly_name)

    def create_customer_profile(
        self,
        account_sid: str,
        *,
        friendly_name: str,
        email: str,
        policy_sid: str,
        status_callback: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Create a CustomerProfile for an account, as the Console would (console-only policies allowed)."""
        return self.call(
            "POST",
            f"/admin/v1/Accounts/{account_sid}/CustomerProfiles",
            201,
            FriendlyName=friendly_name,
            Email=email,
            PolicySid=policy_sid,
            StatusCallback=status_callback,
        )

    def reviews(self) -> list:
        return self.call("GET", "/admin/v1/Reviews")["reviews"]

    def decide(self, bundle_sid: str, decision: str, failure_reason: str = None, error_codes: str = None) -> Tuple[int, Any]:
        """POST /admin/v1/Reviews/{sid}; returns (status, body) so callers can look at a refusal."""
        return self.request(
            "POST",
            f"/admin/v1/Reviews/{bundle_sid}",
            Decision=decision,
            FailureReason=failure_reason,
            ErrorCodes=error_codes,
        )

    def events(self, bundle_sid: str, type: Optional[str] = None) -> list:
        events = self.call("GET", f"/admin/v1/Bundles/{bundle_sid}/Events")["events"]
        return [e for e in events if type is None or e["type"] == type]

    def clock(self) -> Dict[str, Any]:
        return self.call("GET", "/admin/v1/Clock")

    def advance_clock(self, seconds: int) -> Dict[str, Any]:
        return self.call("POST", "/admin/v1/Clock", AdvanceSeconds=seconds)

    def idle_polls(self) -> int:
        """``/healthz`` ``worker.idle_polls``: times the job worker found nothing due and nothing running."""
        body = requests.get(self.base + "/healthz", timeout=10).json()
        worker = body.get("worker") or body["checks"]["worker"]
        return worker["idle_polls"]

    def worker_caught_up(self) -> None:
        """Wait until every job due before this call has run (the worker was idle twice
        since: a poll counted as the call began may have read the store earlier)."""
        want = self.idle_polls() + 2
        wait_until(self.idle_polls, lambda n: n >= want, "the job worker to be idle")


def create_address(client: Client, friendly_name: str = "Acme Inc headquarters") -> str:
    """An Address of the client's account (``client.addresses.create``); returns its SID."""
    address = client.addresses.create(
        customer_name="Acme Inc",
        friendly_name=friendly_name,
        street="1 Main St",
        city="San Francisco",
        region="CA",
        postal_code="94105",
        iso_country="US",
    )
    assert re.fullmatch(r"AD[0-9a-f]{32}", address.sid), address.sid
    return address.sid


def create_phone_number(client: Client) -> str:
    """A new IncomingPhoneNumber of the client's account (a random +1555 number); returns its SID."""
    number = client.incoming_phone_numbers.create(phone_number=f"+1555{secrets.randbelow(10**7):07d}")
    assert re.fullmatch(r"PN[0-9a-f]{32}", number.sid), number.sid
    return number.sid


def wait_until(probe: Callable[[], T], done: Callable[[T], bool], what: str, timeout: float = POLL_TIMEOUT_S) -> T:
    """Call ``probe`` every 25 ms until ``done(value)``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}; last value: {value!r}", pytrace=False)
        time.sleep(POLL_INTERVAL_S)


def wait_for_status(resource, status: str, timeout: float = POLL_TIMEOUT_S):
    """Fetch ``resource`` (a client context: ``client.trusthub.v1.customer_profiles(sid)``)
    until its status is ``status``; returns the fetched instance.

    Fails at once if the bundle is decided otherwise (no point waiting 10 s for an
    approval once it is rejected), and after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        instance = resource.fetch()
        if instance.status == status:
            return instance
        if instance.status in DECIDED:
            pytest.fail(
                f"{instance.sid} became {instance.status} (errors {instance.errors}) while waiting for {status}",
                pytrace=False,
            )
        if time.monotonic() >= deadline:
            pytest.fail(f"{instance.sid} is still {instance.status} after {timeout:.0f} s; expected {status}", pytrace=False)
        time.sleep(POLL_INTERVAL_S)
