"""The read-only catalog: Policies, EndUserTypes, SupportingDocumentTypes."""

from __future__ import annotations

import re

SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
VOICE_INTEGRITY_POLICY = "RN5b3660f9598883b1df4e77f77acefba0"
TYPE_SID = re.compile(r"^OY[0-9a-f]{32}$")


def test_policies_list_includes_secondary_customer_profile(client, base):
    policies = client.trusthub.v1.policies.list()
    by_sid = {p.sid: p for p in policies}
    assert len(by_sid) == len(policies), "duplicate policies in the list"
    assert SECONDARY_PROFILE_POLICY in by_sid
    assert VOICE_INTEGRITY_POLICY in by_sid
    secondary = by_sid[SECONDARY_PROFILE_POLICY]
    assert secondary.friendly_name == "Secondary Customer Profile of type Business"
    assert secondary.url == f"{base}/v1/Policies/{SECONDARY_PROFILE_POLICY}"
    requirements = secondary.requirements
    assert [r["requirement_name"] for r in requirements["supporting_customer_profiles"]] == [
        "primary_customer_profile"
    ]
    end_user_types = [r["type"] for r in requirements["end_user"]]
    assert end_user_types[:2] == ["customer_profile_business_information", "authorized_representative_1"]
    address = requirements["supporting_document"][0][0]
    assert address["requirement_name"] == "customer_profile_address"
    assert address["accepted_documents"][0]["type"] == "customer_profile_address"
    assert address["accepted_documents"][0]["fields"] == ["address_sids"]


def test_voice_integrity_policy_requires_voice_integrity_information(client, base):
    policy = client.trusthub.v1.policies(VOICE_INTEGRITY_POLICY).fetch()
    assert policy.sid == VOICE_INTEGRITY_POLICY
    assert policy.url == f"{base}/v1/Policies/{VOICE_INTEGRITY_POLICY}"
    end_users = policy.requirements["end_user"]
    matching = [e for e in end_users if e["type"] == "voice_integrity_information"]
    assert len(matching) == 1, end_users
    assert set(matching[0]["fields"]) >= {
        "use_case",
        "business_employee_count",
        "average_business_day_call_volume",
        "notes",
    }
    assert matching[0]["url"] == "/EndUserTypes/voice_integrity_information"


def test_end_user_types_are_listed_and_fetchable(client, base):
    types = client.trusthub.v1.end_user_types.list()
    assert types, "no EndUserTypes"
    assert len({t.sid for t in types}) == len(types)
    for end_user_type in types:
        assert TYPE_SID.match(end_user_type.sid), end_user_type.sid
        assert end_user_type.url == f"{base}/v1/EndUserTypes/{end_user_type.sid}"
        fetched = client.trusthub.v1.end_user_types(end_user_type.sid).fetch()
        assert (fetched.sid, fetched.machine_name, fetched.friendly_name, fetched.fields) == (
            end_user_type.sid,
            end_user_type.machine_name,
            end_user_type.friendly_name,
            end_user_type.fields,
        )

    by_name = {t.machine_name: t for t in types}
    for name in ("customer_profile_business_information", "authorized_representative_1", "voice_integrity_information"):
        assert name in by_name, f"EndUserType {name} is missing"
    representative_fields = by_name["authorized_representative_1"].fields
    assert {f["machine_name"] for f in representative_fields} >= {
        "first_name",
        "last_name",
        "email",
        "phone_number",
        "business_title",
        "job_position",
    }
    for f in representative_fields:
        assert isinstance(f["friendly_name"], str) and f["friendly_name"]
        assert f["constraint"] in ("String", "List"), f


def test_supporting_document_types_are_listed_and_fetchable(client, base):
    types = client.trusthub.v1.supporting_document_types.list()
    assert types, "no SupportingDocumentTypes"
    assert len({t.sid for t in types}) == len(types)
    for document_type in types:
        assert TYPE_SID.match(document_type.sid), document_type.sid
        assert document_type.url == f"{base}/v1/SupportingDocumentTypes/{document_type.sid}"
        fetched = client.trusthub.v1.supporting_document_types(document_type.sid).fetch()
        assert (fetched.sid, fetched.machine_name, fetched.fields) == (
            document_type.sid,
            document_type.machine_name,
            document_type.fields,
        )

    by_name = {t.machine_name: t for t in types}
    assert "customer_profile_address" in by_name
    assert [f["machine_name"] for f in by_name["customer_profile_address"].fields] == ["address_sids"]
