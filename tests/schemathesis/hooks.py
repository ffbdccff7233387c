"""Schemathesis hooks (loaded by run.sh through SCHEMATHESIS_HOOKS): one extra check,
``twilio_response_shape``, that applies to documented success responses the rules
JSON Schema alone cannot express for Twilio's spec, the same rules as the client
tests' validators (tests/clients/python/openapi_check.py):

* Every property the schema lists is present (Twilio's spec has no ``required`` lists,
  so ``response_schema_conformance`` accepts a body with properties missing; the
  libraries read each listed property, and Twilio sends all of them, ``null`` when
  empty).
* ``format: date-time`` values are exactly ``YYYY-MM-DDTHH:MM:SSZ`` (Twilio's form; the
  libraries parse exactly that).
* ``format: uri`` values are absolute http(s) URLs (TrustHub ``url``/``links``/paging
  URLs are absolute).

Nothing else: types, enums and nullability are ``response_schema_conformance``'s job.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, List

import schemathesis

# The spec of this pass (run.sh runs TrustHub's, then Messaging's).
SPEC_PATH = Path(
    os.environ.get(
        "TRUSTHUB_SCHEMATHESIS_SPEC",
        Path(__file__).resolve().parent.parent.parent / "openapi" / "twilio_trusthub_v1.json",
    )
)
SPEC: Dict[str, Any] = json.loads(SPEC_PATH.read_text())
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ABSOLUTE_URL = re.compile(r"^https?://[^/\s]+(/\S*)?$")


def _resolve(schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = SPEC
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _walk(schema: Any, value: Any, where: str, problems: List[str]) -> None:
    schema = _resolve(schema)
    if not isinstance(schema, dict) or value is None:
        return
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name not in value:
                problems.append(f"{where}: property {name!r} is missing")
            else:
                _walk(sub, value[name], f"{where}/{name}", problems)
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _walk(schema["items"], item, f"{where}/{i}", problems)
    elif isinstance(value, str):
        fmt = schema.get("format")
        if fmt == "date-time" and not DATE_TIME.match(value):
            problems.append(f"{where}: {value!r} is not a date-time of the form 2019-07-30T22:29:24Z")
        if fmt == "uri" and not ABSOLUTE_URL.match(value):
            problems.append(f"{where}: {value!r} is not an absolute http(s) URL")


@schemathesis.check
def twilio_response_shape(ctx, response, case):
    """Documented 2xx JSON bodies carry every listed property, Twilio-formatted dates and absolute URLs."""
    if not 200 <= response.status_code < 300:
        return None
    operation = SPEC["paths"].get(case.operation.path, {}).get(case.operation.method.lower())
    documented = (operation or {}).get("responses", {}).get(str(response.status_code), {})
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return None  # content_type_conformance / response_schema_conformance report it
    problems: List[str] = []
    _walk(schema, body, "<root>", problems)
    if problems:
        raise AssertionError(
            f"{len(problems)} problem(s) in the {response.status_code} body:\n" + "\n".join(problems[:20])
        )
    return True
