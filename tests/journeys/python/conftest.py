"""Journey tests reuse the client-test harness of tests/clients/python, by path.

That directory is put on ``sys.path`` (for ``trusthub_server``, ``openapi_check``) and
its conftest is loaded under another module name; its fixtures (``server``,
``operator``, ``client``, ``make_client``, ``base``, ``http_client``) and the autouse
spec check (every response validated against Twilio's OpenAPI spec) are re-exported
here, so a journey module behaves exactly like a tests/clients module: a fresh server
per module, extra serve flags in a module-level ``SERVER_ARGS``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

CLIENTS_PYTHON = Path(__file__).resolve().parents[2] / "clients" / "python"
sys.path.insert(0, str(CLIENTS_PYTHON))
sys.path.insert(0, str(Path(__file__).resolve().parent))

_spec = importlib.util.spec_from_file_location("trusthub_clients_conftest", CLIENTS_PYTHON / "conftest.py")
_clients = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _clients
_spec.loader.exec_module(_clients)

# pytest finds fixtures and hooks by name in this module's namespace.
server = _clients.server
operator = _clients.operator
http_client = _clients.http_client
make_client = _clients.make_client
client = _clients.client
base = _clients.base
no_spec_violations = _clients.no_spec_violations
pytest_runtest_call = _clients.pytest_runtest_call


@pytest.fixture(scope="module")
def callbacks():
    """The user's status-callback webhook (``journey.CallbackReceiver``), one per module."""
    from journey import CallbackReceiver

    receiver = CallbackReceiver()
    try:
        yield receiver
    finally:
        receiver.close()
