#!/usr/bin/env bash
# Seed 001 with twilio-cli (npm `twilio-cli`, tests/proxy/cli/) through transparent mode:
# the CLI has no base-URL setting at all (its hosts come from bundled OpenAPI files), so
# only the environment the server printed (HTTP_PROXY, NODE_EXTRA_CA_CERTS, ...) plus
# TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN send it to the sandbox. Run by tests/proxy/run.sh,
# which exports those and TRUSTHUB_URL/TRUSTHUB_ADMIN_TOKEN (the operator API, for the
# console-only Primary profile).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ -n "${HTTP_PROXY:-}" ]] || { echo "cli.sh: run through tests/proxy/run.sh" >&2; exit 2; }
# The CLI's own config and cache stay in a scratch home; its update checks (npm registry)
# are refused by the proxy, which is expected.
export HOME="$(mktemp -d)"
trap 'rm -rf "$HOME"' EXIT
export PATH="$HERE/cli/node_modules/.bin:$PATH"
PRIMARY=RN6433641899984f951173ef1738c3bdd0
SECONDARY=RNdfbf3fae0e1107f8aded0e7cead80bf5
VOICE_INTEGRITY=RN5b3660f9598883b1df4e77f77acefba0
BUSINESS='{"business_name":"Acme Inc","business_identity":"isv_reseller_or_partner","business_type":"Corporation","business_industry":"TECHNOLOGY","business_registration_identifier":"USA: Employer Identification Number (EIN)","business_registration_number":"123456789","business_regions_of_operation":"USA_AND_CANADA","website_url":"https://acme.example.com","social_media_profile_urls":""}'
REPRESENTATIVE='{"first_name":"Ada","last_name":"Lovelace","email":"ada@acme.example.com","phone_number":"+15555550100","business_title":"Chief Executive","job_position":"CEO"}'
VI_INFORMATION='{"use_case":"Survey/Research","business_employee_count":"10","average_business_day_call_volume":"10","notes":"Surveying people"}'

# One CLI command; prints the first record's field $1 (JSON output).
cli() {
    local field="$1"
    shift
    echo "$1" >>"$HOME/commands"
    twilio "$@" -o json | jq -er ".[0].$field"
}

wait_approved() { # kind sid
    for _ in $(seq 1 20); do
        [[ "$(cli status "api:trusthub:v1:$1:fetch" --sid "$2")" == twilio-approved ]] && return 0
    done
    echo "cli.sh: $2 never approved" >&2
    return 1
}

business_content() { # kind flag bundle address
    local doc business person
    doc=$(cli sid api:trusthub:v1:supporting-documents:create --friendly-name HQ \
        --type customer_profile_address --attributes "{\"address_sids\":\"$4\"}")
    business=$(cli sid api:trusthub:v1:end-users:create --friendly-name Acme \
        --type customer_profile_business_information --attributes "$BUSINESS")
    person=$(cli sid api:trusthub:v1:end-users:create --friendly-name Ada \
        --type authorized_representative_1 --attributes "$REPRESENTATIVE")
    for obj in "$doc" "$business" "$person"; do
        cli sid "api:trusthub:v1:$1:entity-assignments:create" "$2" "$3" --object-sid "$obj" >/dev/null
    done
}

ADDRESS=$(cli sid api:core:addresses:create --customer-name "Acme Inc" --street "1 Main St" \
    --city "San Francisco" --region CA --postal-code 94105 --iso-country US)

# The Primary Business Profile (console-only: created by the operator), completed and submitted.
P=$(curl -sf -H "Authorization: Bearer $TRUSTHUB_ADMIN_TOKEN" \
    -d FriendlyName="Acme primary" -d Email=ops@acme.example.com -d PolicySid=$PRIMARY \
    "$TRUSTHUB_URL/admin/v1/Accounts/$TWILIO_ACCOUNT_SID/CustomerProfiles" | jq -er .sid)
business_content customer-profiles --customer-profile-sid "$P" "$ADDRESS"
cli status api:trusthub:v1:customer-profiles:update --sid "$P" --status pending-review >/dev/null
wait_approved customer-profiles "$P"

# Seed 001 steps 1-9: the Secondary Business Profile.
BU=$(cli sid api:trusthub:v1:customer-profiles:create --email ops@acme.example.com \
    --friendly-name "Acme secondary" --policy-sid $SECONDARY)
url=$(cli url api:trusthub:v1:customer-profiles:fetch --sid "$BU")
[[ "$url" == "https://trusthub.twilio.com/v1/CustomerProfiles/$BU" ]] || { echo "cli.sh: url $url" >&2; exit 1; }
cli sid api:trusthub:v1:customer-profiles:entity-assignments:create --customer-profile-sid "$BU" \
    --object-sid "$P" >/dev/null
business_content customer-profiles --customer-profile-sid "$BU" "$ADDRESS"
status=$(cli status api:trusthub:v1:customer-profiles:evaluations:create --customer-profile-sid "$BU" \
    --policy-sid $SECONDARY)
[[ "$status" == compliant ]] || { echo "cli.sh: secondary evaluation $status" >&2; exit 1; }
cli status api:trusthub:v1:customer-profiles:update --sid "$BU" --status pending-review >/dev/null
wait_approved customer-profiles "$BU"

# The Voice Integrity trust product.
TP=$(cli sid api:trusthub:v1:trust-products:create --email ops@acme.example.com \
    --friendly-name "Acme voice integrity" --policy-sid $VOICE_INTEGRITY)
VI=$(cli sid api:trusthub:v1:end-users:create --friendly-name VI --type voice_integrity_information \
    --attributes "$VI_INFORMATION")
for obj in "$VI" "$BU"; do
    cli sid api:trusthub:v1:trust-products:entity-assignments:create --trust-product-sid "$TP" \
        --object-sid "$obj" >/dev/null
done
status=$(cli status api:trusthub:v1:trust-products:evaluations:create --trust-product-sid "$TP" \
    --policy-sid $VOICE_INTEGRITY)
[[ "$status" == compliant ]] || { echo "cli.sh: trust product evaluation $status" >&2; exit 1; }
cli status api:trusthub:v1:trust-products:update --sid "$TP" --status pending-review >/dev/null
wait_approved trust-products "$TP"

# A phone number (api.twilio.com) on the profile, then on the trust product.
PN=$(cli sid api:core:incoming-phone-numbers:create --phone-number +15555550123)
cli sid api:trusthub:v1:customer-profiles:channel-endpoint-assignments:create \
    --customer-profile-sid "$BU" --channel-endpoint-type phone-number --channel-endpoint-sid "$PN" >/dev/null
cli sid api:trusthub:v1:trust-products:channel-endpoint-assignments:create \
    --trust-product-sid "$TP" --channel-endpoint-type phone-number --channel-endpoint-sid "$PN" >/dev/null
# The guide's "Additional API Calls": list what the flow made.
n=$(twilio api:trusthub:v1:end-users:list -o json | jq length)
echo api:trusthub:v1:end-users:list >>"$HOME/commands"
[[ "$n" == 5 ]] || { echo "cli.sh: $n end users listed, expected 5" >&2; exit 1; }
echo "cli.sh: seed 001 with twilio-cli through the proxy OK ($(wc -l <"$HOME/commands") commands; profile $BU, trust product $TP)"
