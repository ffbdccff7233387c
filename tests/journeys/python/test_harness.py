"""The journey harness itself: fixtures from tests/clients work here, responses are
spec-checked, and with SERVER_ARGS nothing is decided until the clock moves."""

from journey import SECONDARY_PROFILE_POLICY, SERVER_ARGS, assert_sid, decide_by_clock  # noqa: F401 (SERVER_ARGS: read by the server fixture)


def test_review_waits_for_the_clock(client, operator, http_client):
    profile = client.trusthub.v1.customer_profiles.create(
        friendly_name="harness", email="ops@acme.example.com", policy_sid=SECONDARY_PROFILE_POLICY
    )
    assert_sid("BU", profile.sid)
    # Every response went through the validating client.
    assert http_client.exchanges and http_client.exchanges[-1].status == 201
    # Evaluating an empty profile is noncompliant; it stays draft whatever the clock says.
    evaluation = client.trusthub.v1.customer_profiles(profile.sid).customer_profiles_evaluations.create(
        policy_sid=SECONDARY_PROFILE_POLICY
    )
    assert evaluation.status == "noncompliant"
    decide_by_clock(operator)
    assert client.trusthub.v1.customer_profiles(profile.sid).fetch().status == "draft"
