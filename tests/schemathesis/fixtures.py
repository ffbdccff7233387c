"""Seed a running trusthub server with real resources and write a schemathesis config
that feeds their SIDs to the generated requests.

    fixtures.py BASE_URL ACCOUNT_SID AUTH_TOKEN SPEC CONFIG_OUT

Without it nearly every generated request names a random, unknown SID (the spec's path
parameters are only `^BU[0-9a-fA-F]{32}$`-style patterns) and is answered 404, so
schemathesis never reaches the code that renders a fetched, updated, listed or deleted
resource. The config binds, per operation, each path parameter (and the SID-, type- and
policy-valued form/query parameters) to a dictionary of values that exist, with a
probability below 1 so random values are still generated too. DELETE operations get
their own objects, so deleting them does not starve the other operations.

Only the server's public API is used (TrustHub v1 and the 2010-04-01 Addresses and
IncomingPhoneNumbers that documents and channel endpoints need). Uses `requests`, which
schemathesis depends on.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List

import requests

# How often a bound parameter takes a dictionary value instead of a generated one.
P_PATH = 0.9
P_BODY = 0.8


def main(base: str, account_sid: str, auth_token: str, spec_path: str, out: str) -> None:
    if Path(spec_path).name == "twilio_messaging_v1.json":
        return main_messaging(base, account_sid, auth_token, out)
    session = requests.Session()
    session.auth = (account_sid, auth_token)

    def call(method: str, path: str, expect: int, **form: Any) -> Dict[str, Any]:
        resp = session.request(method, base + path, data=form or None, timeout=10)
        if resp.status_code != expect:
            sys.exit(f"fixtures.py: {method} {path} {form} -> {resp.status_code} (expected {expect}): {resp.text}")
        return resp.json() if resp.text else {}

    def post(path: str, **form: Any) -> Dict[str, Any]:
        return call("POST", path, 201, **form)

    # ---- catalog ----------------------------------------------------------------
    policies = [p["sid"] for p in call("GET", "/v1/Policies?PageSize=1000", 200)["results"]]
    end_user_types = call("GET", "/v1/EndUserTypes?PageSize=1000", 200)["end_user_types"]
    document_types = call("GET", "/v1/SupportingDocumentTypes?PageSize=1000", 200)["supporting_document_types"]
    kinds = _policy_kinds(Path(spec_path).resolve().parent.parent / "catalog" / "policies.json")
    profile_policies = [p for p in policies if kinds.get(p, "customer_profile") == "customer_profile"]
    product_policies = [p for p in policies if kinds.get(p, "trust_product") == "trust_product"]
    secondary = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
    voice_integrity = "RN5b3660f9598883b1df4e77f77acefba0"

    # ---- 2010 resources the bundles point at ------------------------------------
    address = post(
        f"/2010-04-01/Accounts/{account_sid}/Addresses.json",
        CustomerName="Acme Inc", Street="1 Main St", City="San Francisco",
        Region="CA", PostalCode="94105", IsoCountry="US",
    )["sid"]  # fmt: skip
    numbers = [
        post(f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json", PhoneNumber=f"+1555010{i:04d}")["sid"]
        for i in range(6)
    ]

    # ---- entities ---------------------------------------------------------------
    representative = {
        "first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example.com",
        "phone_number": "+15555550100", "business_title": "Chief Executive", "job_position": "CEO",
    }  # fmt: skip
    business = {
        "business_name": "Acme Inc", "business_identity": "direct_customer", "business_type": "Corporation",
        "business_industry": "TECHNOLOGY",
        "business_registration_identifier": "USA: Employer Identification Number (EIN)",
        "business_registration_number": "123456789", "business_regions_of_operation": "USA_AND_CANADA",
        "website_url": "https://acme.example.com", "social_media_profile_urls": "",
    }  # fmt: skip
    voice = {
        "use_case": "Survey/Research", "business_employee_count": "10",
        "average_business_day_call_volume": "10", "notes": "",
    }  # fmt: skip
    address_doc = {"address_sids": [address]}
    attributes = [json.dumps(a) for a in (representative, business, voice, address_doc, {})]

    def end_user(type_: str, attrs: dict, name: str) -> str:
        return post("/v1/EndUsers", FriendlyName=name, Type=type_, Attributes=json.dumps(attrs))["sid"]

    def document(name: str) -> str:
        return post(
            "/v1/SupportingDocuments", FriendlyName=name, Type="customer_profile_address",
            Attributes=json.dumps(address_doc),
        )["sid"]  # fmt: skip

    reps = [end_user("authorized_representative_1", representative, f"Rep {i}") for i in range(3)]
    infos = [end_user("customer_profile_business_information", business, f"Business {i}") for i in range(2)]
    voices = [end_user("voice_integrity_information", voice, f"Voice {i}") for i in range(2)]
    docs = [document(f"Address doc {i}") for i in range(3)]
    deletable_users = [end_user("authorized_representative_2", representative, f"Doomed rep {i}") for i in range(3)]
    deletable_docs = [document(f"Doomed doc {i}") for i in range(3)]

    # ---- bundles ----------------------------------------------------------------
    def bundle(kind: str, policy: str, name: str) -> str:
        return post(f"/v1/{kind}", FriendlyName=name, Email="ops@acme.example.com", PolicySid=policy)["sid"]

    profiles = [bundle("CustomerProfiles", secondary, f"Acme {i}") for i in range(3)]
    products = [bundle("TrustProducts", voice_integrity, f"Acme VI {i}") for i in range(3)]
    deletable_profiles = [bundle("CustomerProfiles", secondary, f"Doomed {i}") for i in range(3)]
    deletable_products = [bundle("TrustProducts", voice_integrity, f"Doomed VI {i}") for i in range(3)]

    def assign(kind: str, bundle_sid: str, object_sid: str) -> str:
        return post(f"/v1/{kind}/{bundle_sid}/EntityAssignments", ObjectSid=object_sid)["sid"]

    def channel(kind: str, bundle_sid: str, number: str) -> str:
        return post(
            f"/v1/{kind}/{bundle_sid}/ChannelEndpointAssignments",
            ChannelEndpointType="phone-number", ChannelEndpointSid=number,
        )["sid"]  # fmt: skip

    def evaluate(kind: str, bundle_sid: str, policy: str) -> str:
        return post(f"/v1/{kind}/{bundle_sid}/Evaluations", PolicySid=policy)["sid"]

    # Profile 0 carries everything; its assignments are split into kept and deletable ones.
    p0 = profiles[0]
    profile_assignments = [assign("CustomerProfiles", p0, o) for o in (reps[0], infos[0], docs[0])]
    deletable_profile_assignments = [assign("CustomerProfiles", p0, o) for o in (reps[1], docs[1])]
    deletable_profile_assignments += [assign("CustomerProfiles", profiles[1], reps[2])]
    profile_channels = [channel("CustomerProfiles", p0, n) for n in numbers[:2]]
    deletable_profile_channels = [channel("CustomerProfiles", p0, n) for n in numbers[2:4]]
    profile_evaluations = [evaluate("CustomerProfiles", p0, secondary) for _ in range(2)]
    profile_evaluations.append(evaluate("CustomerProfiles", profiles[1], secondary))

    t0 = products[0]
    product_assignments = [assign("TrustProducts", t0, o) for o in (p0, voices[0])]
    deletable_product_assignments = [assign("TrustProducts", products[1], o) for o in (p0, voices[1])]
    # Numbers already on the trust product's customer profile (seed 001's rule).
    product_channels = [channel("TrustProducts", t0, numbers[0])]
    deletable_product_channels = [channel("TrustProducts", t0, numbers[1])]
    product_evaluations = [evaluate("TrustProducts", t0, voice_integrity) for _ in range(2)]

    # ---- the config -------------------------------------------------------------
    dictionaries: Dict[str, List[Any]] = {
        "profile_policies": profile_policies,
        "product_policies": product_policies,
        "policies": policies,
        "end_user_type_names": [t["machine_name"] for t in end_user_types],
        "end_user_type_ids": [t["sid"] for t in end_user_types] + [t["machine_name"] for t in end_user_types],
        "document_type_names": [t["machine_name"] for t in document_types],
        "document_type_ids": [t["sid"] for t in document_types] + [t["machine_name"] for t in document_types],
        "attributes": attributes,
        "emails": ["ops@acme.example.com", "compliance@example.org"],
        # Status callbacks go nowhere: the discard port on the loopback interface.
        "callbacks": ["http://127.0.0.1:9/status"],
        "channel_types": ["phone-number"],
        "numbers": numbers,
        "profiles": profiles,
        "products": products,
        "deletable_profiles": deletable_profiles,
        "deletable_products": deletable_products,
        "end_users": reps + infos + voices,
        "deletable_end_users": deletable_users,
        "documents": docs,
        "deletable_documents": deletable_docs,
        "profile_objects": reps + infos + docs + deletable_users + deletable_docs,
        "product_objects": voices + profiles,
        "profile_assignments": profile_assignments + deletable_profile_assignments,
        "deletable_profile_assignments": deletable_profile_assignments,
        "profile_channels": profile_channels + deletable_profile_channels,
        "deletable_profile_channels": deletable_profile_channels,
        "profile_evaluations": profile_evaluations,
        "product_assignments": product_assignments + deletable_product_assignments,
        "deletable_product_assignments": deletable_product_assignments,
        "product_channels": product_channels + deletable_product_channels,
        "deletable_product_channels": deletable_product_channels,
        "product_evaluations": product_evaluations,
        "object_types": ["end_user", "supporting_document", "customer_profile"],
    }

    def bind(dictionary: str, probability: float = P_BODY) -> Dict[str, Any]:
        return {"dictionary": dictionary, "probability": probability}

    # Parameters of the same name mean the same thing in every operation...
    global_parameters = {
        "body.Email": bind("emails"),
        "body.StatusCallback": bind("callbacks"),
        "body.Attributes": bind("attributes"),
        "body.ChannelEndpointType": bind("channel_types"),
        "body.ChannelEndpointSid": bind("numbers"),
        "query.ChannelEndpointSid": bind("numbers"),
        "query.ObjectType": bind("object_types", 0.5),
    }
    # ... except these, bound per operation below.
    spec = json.loads(Path(spec_path).read_text())
    operations = []
    for template, item in spec["paths"].items():
        if re.match(r"^/v1/(ComplianceInquiries|SanctionsScreenings)(/|$)", template):
            continue
        for method in ("get", "post", "delete"):
            if method not in item:
                continue
            params = _operation_parameters(method.upper(), template, bind)
            if params:
                operations.append({"include-name": f"{method.upper()} {template}", "parameters": params})

    _write_config(out, global_parameters, dictionaries, operations)
    print(
        f"fixtures.py: {len(profiles) + len(deletable_profiles)} customer profiles, "
        f"{len(products) + len(deletable_products)} trust products, "
        f"{len(reps + infos + voices + deletable_users)} end users, {len(docs + deletable_docs)} documents, "
        f"{len(numbers)} numbers; {len(operations)} operations bound"
    )


def main_messaging(base: str, account_sid: str, auth_token: str, out: str) -> None:
    """The Messaging pass: Messaging Services, numbers in the first one's pool (some to
    delete) and free numbers of the account to add; toll-free verifications and free
    toll-free numbers to verify (run.sh limits the pass to the operations the server
    implements: Services, their PhoneNumbers, their A2P campaigns and use cases,
    Tollfree/Verifications)."""
    session = requests.Session()
    session.auth = (account_sid, auth_token)

    def post(path: str, **form: Any) -> Dict[str, Any]:
        resp = session.post(base + path, data=form, timeout=10)
        if resp.status_code != 201:
            sys.exit(f"fixtures.py: POST {path} {form} -> {resp.status_code}: {resp.text}")
        return resp.json()

    def number(i: int) -> str:
        path = f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"
        return post(path, PhoneNumber=f"+1555020{i:04d}")["sid"]

    services = [post("/v1/Services", FriendlyName=f"Acme {i}")["sid"] for i in range(2)]
    deletable_services = [post("/v1/Services", FriendlyName=f"Doomed {i}")["sid"] for i in range(3)]
    pool = f"/v1/Services/{services[0]}/PhoneNumbers"
    pooled = [post(pool, PhoneNumberSid=number(i))["sid"] for i in range(2)]
    deletable_pooled = [post(pool, PhoneNumberSid=number(i))["sid"] for i in range(2, 5)]
    free = [number(i) for i in range(5, 11)]
    # Toll-free verifications: numbers to verify, and verifications to fetch, edit, delete.
    def toll_free(i: int) -> str:
        path = f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"
        return post(path, PhoneNumber=f"+1888555{i:04d}")["sid"]

    verification = {
        "BusinessName": "Owl, Inc.",
        "BusinessWebsite": "https://www.owl.example.com",
        "NotificationEmail": "support@owl.example.com",
        "UseCaseCategories": "TWO_FACTOR_AUTHENTICATION",
        "UseCaseSummary": "One-time passcodes",
        "ProductionMessageSample": "Your code is 123456",
        "OptInImageUrls": "https://www.owl.example.com/opt-in.png",
        "OptInType": "WEB_FORM",
        "MessageVolume": "1,000",
    }
    verifications = [
        post("/v1/Tollfree/Verifications", TollfreePhoneNumberSid=toll_free(i), **verification)["sid"]
        for i in range(3)
    ]
    free_toll_free = [toll_free(i) for i in range(3, 13)]
    dictionaries = {
        "services": services,
        "pool_owner": services[:1],
        "deletable_services": deletable_services,
        "pooled": pooled + deletable_pooled,
        "deletable_pooled": deletable_pooled,
        "free_numbers": free,
        "callbacks": ["http://127.0.0.1:9/status"],
        "usecases": ["notifications", "marketing", "verification", "discussion", "poll", "undeclared"],
        "verifications": verifications,
        "free_toll_free": free_toll_free,
        "opt_in_types": ["VERBAL", "WEB_FORM", "PAPER_FORM", "VIA_TEXT", "MOBILE_QR_CODE"],
        "message_volumes": ["10", "100", "1,000", "10,000", "100,000"],
        "emails": ["support@owl.example.com"],
        "urls": ["https://www.owl.example.com/opt-in.png"],
        # A2P use cases (catalog/a2p_usecases.json); no brand is APPROVED here, so a create
        # is refused (21717) after its values are checked: the pass checks the refusals' shape.
        "a2p_usecases": ["MARKETING", "LOW_VOLUME", "2FA", "SOLE_PROPRIETOR"],
    }

    def bind(dictionary: str, probability: float = P_BODY) -> Dict[str, Any]:
        return {"dictionary": dictionary, "probability": probability}

    global_parameters = {
        "body.StatusCallback": bind("callbacks"),
        "body.Usecase": bind("usecases"),
        "body.OptInType": bind("opt_in_types"),
        "body.MessageVolume": bind("message_volumes"),
        "body.NotificationEmail": bind("emails"),
        "body.BusinessWebsite": bind("urls"),
    }
    operations = [
        ("GET /v1/Services/{Sid}", {"path.Sid": bind("services", P_PATH)}),
        ("POST /v1/Services/{Sid}", {"path.Sid": bind("services", P_PATH)}),
        ("DELETE /v1/Services/{Sid}", {"path.Sid": bind("deletable_services", P_PATH)}),
        ("GET /v1/Services/{ServiceSid}/PhoneNumbers", {"path.ServiceSid": bind("services", P_PATH)}),
        (
            "POST /v1/Services/{ServiceSid}/PhoneNumbers",
            {"path.ServiceSid": bind("services", P_PATH), "body.PhoneNumberSid": bind("free_numbers")},
        ),
        (
            "GET /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}",
            {"path.ServiceSid": bind("pool_owner", P_PATH), "path.Sid": bind("pooled", P_PATH)},
        ),
        (
            "DELETE /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}",
            {"path.ServiceSid": bind("pool_owner", P_PATH), "path.Sid": bind("deletable_pooled", P_PATH)},
        ),
        ("POST /v1/Tollfree/Verifications", {"body.TollfreePhoneNumberSid": bind("free_toll_free")}),
        ("GET /v1/Tollfree/Verifications/{Sid}", {"path.Sid": bind("verifications", P_PATH)}),
        ("POST /v1/Tollfree/Verifications/{Sid}", {"path.Sid": bind("verifications", P_PATH)}),
        ("DELETE /v1/Tollfree/Verifications/{Sid}", {"path.Sid": bind("verifications", P_PATH)}),
        # A2P campaigns on the services (none exists: fetch/update/delete answer 404).
        (
            "POST /v1/Services/{MessagingServiceSid}/Compliance/Usa2p",
            {
                "path.MessagingServiceSid": bind("services", P_PATH),
                "body.UsAppToPersonUsecase": bind("a2p_usecases"),
            },
        ),
        ("GET /v1/Services/{MessagingServiceSid}/Compliance/Usa2p", {"path.MessagingServiceSid": bind("services", P_PATH)}),
        (
            "GET /v1/Services/{MessagingServiceSid}/Compliance/Usa2p/Usecases",
            {"path.MessagingServiceSid": bind("services", P_PATH)},
        ),
    ]
    ops = [{"include-name": name, "parameters": params} for name, params in operations]
    _write_config(out, global_parameters, dictionaries, ops)
    print(
        f"fixtures.py: {len(services) + len(deletable_services)} Messaging Services, "
        f"{len(pooled) + len(deletable_pooled)} pooled and {len(free)} free numbers, "
        f"{len(verifications)} toll-free verifications and {len(free_toll_free)} toll-free numbers; "
        f"{len(operations)} operations bound"
    )


def _operation_parameters(method: str, template: str, bind) -> Dict[str, Any]:
    """Bindings for one operation: its path parameters and its kind-specific form/query ones."""
    p: Dict[str, Any] = {}
    deleting = method == "DELETE"
    m = re.fullmatch(r"/v1/(CustomerProfiles|TrustProducts)(?:/\{(?:Sid|CustomerProfileSid|TrustProductSid)\}(.*))?", template)
    if m:
        kind, rest = m.group(1), m.group(2)
        prefix = "profile" if kind == "CustomerProfiles" else "product"
        policies = f"{prefix}_policies"
        if rest is None:  # the collection
            p["body.PolicySid" if method == "POST" else "query.PolicySid"] = bind(policies)
            return p
        bundle_param = "Sid" if rest == "" else ("CustomerProfileSid" if prefix == "profile" else "TrustProductSid")
        owner = f"{prefix}s"
        if rest == "":
            p[f"path.{bundle_param}"] = bind(f"deletable_{owner}" if deleting else owner, P_PATH)
            return p
        p[f"path.{bundle_param}"] = bind(owner, P_PATH)
        sub = {
            "/EntityAssignments": "assignments",
            "/ChannelEndpointAssignments": "channels",
            "/Evaluations": "evaluations",
        }
        for suffix, what in sub.items():
            if rest == suffix:
                if what == "assignments":
                    key = "body.ObjectSid" if method == "POST" else "query.ObjectSid"
                    p[key] = bind(f"{prefix}_objects")
                if what == "evaluations" and method == "POST":
                    p["body.PolicySid"] = bind(policies)
                return p
            if rest == suffix + "/{Sid}":
                name = f"{prefix}_{what}"
                p["path.Sid"] = bind(f"deletable_{name}" if deleting else name, P_PATH)
                return p
        return p
    simple = {
        "/v1/EndUsers": ("end_users", "end_user_type_names"),
        "/v1/SupportingDocuments": ("documents", "document_type_names"),
    }
    for collection, (owner, types) in simple.items():
        if template == collection and method == "POST":
            p["body.Type"] = bind(types)
        elif template == collection + "/{Sid}":
            p["path.Sid"] = bind(f"deletable_{owner}" if deleting else owner, P_PATH)
    lookups = {
        "/v1/Policies/{Sid}": "policies",
        "/v1/EndUserTypes/{Sid}": "end_user_type_ids",
        "/v1/SupportingDocumentTypes/{Sid}": "document_type_ids",
    }
    if template in lookups:
        p["path.Sid"] = bind(lookups[template], P_PATH)
    return p


def _policy_kinds(catalog: Path) -> Dict[str, str]:
    """Policy SID -> bundle kind, from the built-in catalog when the repo has it."""
    try:
        return {p["sid"]: p["bundle_kind"] for p in json.loads(catalog.read_text())}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_config(
    out: str,
    global_parameters: Dict[str, Any],
    dictionaries: Dict[str, List[Any]],
    operations: List[Dict[str, Any]],
) -> None:
    """The schemathesis config of one pass: the bindings and the dictionaries they name."""
    lines = [
        "# Generated by tests/schemathesis/fixtures.py for one run: SIDs of objects it created.",
        "",
        "# No crash cache (.schemathesis/ in the cwd): every run is the same, from the seed alone.",
        "[cache]",
        "enabled = false",
        "",
        "[parameters]",
        *(f"{_key(k)} = {_inline(v)}" for k, v in global_parameters.items()),
        "",
    ]
    for name, values in dictionaries.items():
        if not values:
            sys.exit(f"fixtures.py: dictionary {name} is empty")
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    for op in operations:
        lines += [
            "[[operations]]",
            f"include-name = {json.dumps(op['include-name'])}",
            f"parameters = {_inline(op['parameters'])}",
            "",
        ]
    Path(out).write_text("\n".join(lines))


def _key(key: str) -> str:
    return json.dumps(key)


def _inline(value: Dict[str, Any]) -> str:
    """A TOML inline table (JSON string escapes are valid TOML basic strings)."""
    parts = []
    for k, v in value.items():
        parts.append(f"{_key(k)} = {_inline(v) if isinstance(v, dict) else json.dumps(v)}")
    return "{ " + ", ".join(parts) + " }"


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
