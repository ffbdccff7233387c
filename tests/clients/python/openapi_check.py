"""Validate every response our server sends against Twilio's own OpenAPI spec.

The spec (openapi/twilio_trusthub_v1.json at the repo root) is turned into plain
JSON Schema once, with the stricter reading these tests want:

* every ``$ref`` is inlined;
* ``nullable: true`` lets the value be ``null`` (and nothing else does);
* every property listed in an object's ``properties`` is *required*
  (Twilio always sends every key, using ``null`` for "no value");
* ``format: date-time`` must match ``^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$``
  (twilio-python only parses exactly that shape);
* ``format: uri`` must be an absolute http(s) URL, and ``format: uri-map``
  (``links``) an object whose values are such URLs.

Error responses (HTTP >= 400) must carry Twilio's legacy error body
``{code:int, message:str, more_info:str, status:int == HTTP status}`` without
``type``/``title`` keys (those would route the body into the RFC-9457 exception
class of the libraries).

``ValidatingHttpClient`` plugs this into twilio-python: it is a
``TwilioHttpClient`` whose ``request()`` checks each response and records
violations (and a log of every exchange) instead of raising, so a test can
fail at its end with the full list.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

import jsonschema
from twilio.http.http_client import TwilioHttpClient

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_PATH = REPO_ROOT / "openapi" / "twilio_trusthub_v1.json"

# The 2010-04-01 API (Addresses, IncomingPhoneNumbers: prerequisites of the guides) has
# other conventions (relative ``uri``s, RFC 2822 dates) than these strict TrustHub rules;
# its successful responses are not schema-checked here (error bodies still are).
UNCHECKED_PATH_PREFIXES = ("/2010-04-01/",)

DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
HTTP_METHODS = ("get", "post", "delete", "put", "patch")


# --------------------------------------------------------------------------- #
# Schema preparation
# --------------------------------------------------------------------------- #


def _resolve_ref(spec: Dict[str, Any], ref: str) -> Dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported: {ref}")
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def prepare_schema(spec: Dict[str, Any], schema: Any, _stack: Tuple[str, ...] = ()) -> Any:
    """Turn one OpenAPI schema object into a strict JSON Schema (see module doc)."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in _stack:
            raise ValueError(f"recursive $ref {ref}")
        merged = dict(_resolve_ref(spec, ref))
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return prepare_schema(spec, merged, _stack + (ref,))

    out: Dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("description", "title", "example", "examples", "x-twilio", "nullable"):
            continue
        if key == "properties":
            out["properties"] = {
                name: prepare_schema(spec, sub, _stack) for name, sub in value.items()
            }
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = prepare_schema(spec, value, _stack)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [prepare_schema(spec, sub, _stack) for sub in value]
        else:
            out[key] = copy.deepcopy(value)

    if out.get("format") == "uri-map":
        del out["format"]
        out["additionalProperties"] = {"type": "string", "format": "uri"}
    if "properties" in out:
        out["required"] = list(out["properties"].keys())
    if schema.get("nullable") is True:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = types + (["null"] if "null" not in types else [])
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
    return out


def _is_absolute_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def make_format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time")
    def _date_time(value: Any) -> bool:
        return not isinstance(value, str) or bool(DATE_TIME_RE.match(value))

    @checker.checks("uri")
    def _uri(value: Any) -> bool:
        return not isinstance(value, str) or _is_absolute_http_url(value)

    return checker


# --------------------------------------------------------------------------- #
# Operations
# --------------------------------------------------------------------------- #


@dataclass
class Operation:
    method: str
    template: str
    regex: "re.Pattern[str]"
    literal_segments: int
    responses: Dict[str, Any]
    _validators: Dict[str, Optional[jsonschema.protocols.Validator]] = field(default_factory=dict)


def _template_regex(template: str) -> Tuple["re.Pattern[str]", int]:
    parts, literal = [], 0
    for segment in template.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return re.compile("^/" + "/".join(parts) + "$"), literal


def error_body_violations(status: int, body: Any) -> List[str]:
    """Twilio's legacy error body, as the libraries need it."""
    if not isinstance(body, dict):
        return [f"error body is not a JSON object: {body!r}"]
    problems = []
    code = body.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        problems.append(f"error body 'code' must be an integer, got {code!r}")
    for key in ("message", "more_info"):
        if not isinstance(body.get(key), str):
            problems.append(f"error body '{key}' must be a string, got {body.get(key)!r}")
    body_status = body.get("status")
    if not isinstance(body_status, int) or isinstance(body_status, bool):
        problems.append(f"error body 'status' must be an integer, got {body_status!r}")
    elif body_status != status:
        problems.append(f"error body 'status' {body_status} != HTTP status {status}")
    for key in ("type", "title"):
        if key in body:
            problems.append(f"error body must not carry '{key}' (RFC-9457 trap)")
    if "details" in body and not isinstance(body["details"], dict):
        problems.append("error body 'details' must be an object when present")
    return problems


class OpenApiChecker:
    """Checks (method, url, status, body) against the TrustHub spec."""

    def __init__(self, spec_path: Path = SPEC_PATH):
        with open(spec_path, encoding="utf-8") as f:
            self.spec = json.load(f)
        self.format_checker = make_format_checker()
        ops = []
        for template, item in self.spec["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    regex, literal = _template_regex(template)
                    ops.append(
                        Operation(method.upper(), template, regex, literal, item[method]["responses"])
                    )
        # Most literal segments first: /Customers/Initialize beats /Customers/{Id}.
        self.operations = sorted(ops, key=lambda o: -o.literal_segments)

    def find_operation(self, method: str, path: str) -> Optional[Operation]:
        for op in self.operations:
            if op.method == method.upper() and op.regex.match(path):
                return op
        return None

    def _validator(self, op: Operation, status: str) -> Optional[jsonschema.protocols.Validator]:
        if status not in op._validators:
            content = op.responses[status].get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                op._validators[status] = None
            else:
                prepared = prepare_schema(self.spec, schema)
                op._validators[status] = jsonschema.Draft202012Validator(
                    prepared, format_checker=self.format_checker
                )
        return op._validators[status]

    def validate_body(self, op: Operation, status: int, body: Any) -> List[str]:
        validator = self._validator(op, str(status))
        if validator is None:
            return []
        problems = []
        for err in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "<root>"
            problems.append(f"{where}: {err.message}")
        return problems

    def check(
        self,
        method: str,
        url: str,
        status: int,
        text: str,
        headers: Optional[Dict[str, str]] = None,
    ) -> List[str]:
        """Return a list of human-readable violations (empty when all is well)."""
        method = method.upper()
        path = urlsplit(url).path
        text = text or ""
        content_type = ""
        if headers is not None:
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")

        def parse() -> Tuple[bool, Any]:
            try:
                return True, json.loads(text)
            except ValueError:
                return False, None

        if status >= 400:
            ok, body = parse()
            problems = [] if ok else [f"error body is not JSON: {text[:200]!r}"]
            if ok:
                problems += error_body_violations(status, body)
            if status >= 500:
                problems.append(f"server error {status}")
            return problems

        if path.startswith(UNCHECKED_PATH_PREFIXES):
            return []
        op = self.find_operation(method, path)
        if op is None:
            return [f"no operation {method} {path} in the spec"]
        if str(status) not in op.responses:
            return [f"status {status} is not in the spec (expected one of {sorted(op.responses)})"]
        response_spec = op.responses[str(status)]
        if "content" not in response_spec:
            return [] if text == "" else [f"status {status} must have an empty body, got {text[:200]!r}"]
        ok, body = parse()
        if not ok:
            return [f"body is not JSON: {text[:200]!r}"]
        problems = []
        if headers is not None and not content_type.lower().startswith("application/json"):
            problems.append(f"Content-Type {content_type!r} is not application/json")
        return problems + self.validate_body(op, status, body)


# --------------------------------------------------------------------------- #
# twilio-python integration
# --------------------------------------------------------------------------- #


@dataclass
class Exchange:
    method: str
    url: str
    query: Dict[str, str]
    status: int
    text: str
    headers: Dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


class ValidatingHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that validates every response against the spec.

    Violations are collected in ``self.violations`` (never raised here) and every
    exchange is appended to ``self.exchanges`` so tests can inspect what went
    over the wire (e.g. how many pages a list() fetched).
    """

    def __init__(self, checker: Optional[OpenApiChecker] = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.checker = checker or OpenApiChecker()
        self.violations: List[str] = []
        self.exchanges: List[Exchange] = []
        self._lock = threading.Lock()

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        response = super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        query.update({k: str(v) for k, v in (params or {}).items() if v is not None})
        resp_headers = dict(response.headers or {})
        problems = self.checker.check(method, url, response.status_code, response.text, resp_headers)
        with self._lock:
            self.exchanges.append(
                Exchange(method.upper(), url, query, response.status_code, response.text, resp_headers)
            )
            self.violations.extend(
                f"{method.upper()} {url} -> {response.status_code}: {p}" for p in problems
            )
        return response

    def take_violations(self) -> List[str]:
        with self._lock:
            taken, self.violations = self.violations, []
        return taken


def check_spec_examples(checker: Optional[OpenApiChecker] = None) -> List[str]:
    """Validate every example response in the spec against its own schema.

    Used to self-test the validator: the examples are Twilio's, so any problem
    reported here is either a quirk of the spec or a bug in this module.
    """
    checker = checker or OpenApiChecker()
    problems = []
    for op in checker.operations:
        for status, response in op.responses.items():
            content = response.get("content", {}).get("application/json", {})
            for name, example in (content.get("examples") or {}).items():
                for p in checker.validate_body(op, int(status), example.get("value")):
                    problems.append(f"{op.method} {op.template} {status} example {name}: {p}")
    return problems


if __name__ == "__main__":  # python openapi_check.py -> self-test against the spec examples
    found = check_spec_examples()
    print("\n".join(found) or "openapi_check.py: all spec examples validate")
    raise SystemExit(1 if found else 0)
