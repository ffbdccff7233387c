"""Twilio's MCP server (npm `@twilio-alpha/mcp`, tests/proxy/mcp/) through transparent mode:
its hosts come from bundled OpenAPI files, so only the environment sends it to the sandbox.
It fetches with node-fetch over Node's `https` module, which does not read HTTPS_PROXY
by default (Node 20 here); `global-agent` (preloaded with NODE_OPTIONS, proxy from the printed
HTTPS_PROXY) adds that. Run by tests/proxy/run.sh.

Speaks MCP (JSON-RPC over stdio) as an assistant would: lists the TrustHub tools, then
creates an EndUser and a Secondary customer profile, assigns one to the other, evaluates
the profile (non-compliant: it lacks its documents) and reads everything back. The
server's credentials are an API key made with the account's token, as the MCP server wants.
"""

import json
import os
import subprocess
import sys

import requests

SID, TOKEN = os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"]
SECONDARY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
HERE = os.path.dirname(os.path.abspath(__file__))
MCP = os.path.join(HERE, "mcp", "node_modules", "@twilio-alpha", "mcp", "build", "index.js")


def fail(msg):
    print(f"mcp.py: {msg}", file=sys.stderr)
    sys.exit(1)


# An API key, made through the proxy as any Twilio client would.
r = requests.post(f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Keys.json",
                  auth=(SID, TOKEN), data={"FriendlyName": "mcp"}, timeout=30)
if r.status_code != 201:
    fail(f"creating an API key: {r.status_code} {r.text}")
key = r.json()

env = dict(os.environ)
env["NODE_OPTIONS"] = "--require global-agent/bootstrap"
env["NODE_PATH"] = os.path.join(HERE, "mcp", "node_modules")
env["GLOBAL_AGENT_HTTP_PROXY"] = os.environ["HTTPS_PROXY"]
env["GLOBAL_AGENT_NO_PROXY"] = os.environ.get("NO_PROXY", "")
proc = subprocess.Popen(
    ["node", MCP, f"{SID}/{key['sid']}:{key['secret']}", "--services", "twilio_trusthub_v1"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
next_id = 0


def rpc(method, params=None):
    global next_id
    next_id += 1
    msg = {"jsonrpc": "2.0", "id": next_id, "method": method}
    if params is not None:
        msg["params"] = params
    proc.stdin.write(json.dumps(msg) + "\n")
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            fail(f"the MCP server exited during {method}")
        answer = json.loads(line)
        if answer.get("id") == next_id and ("result" in answer or "error" in answer):
            if "error" in answer:
                fail(f"{method}: {answer['error']}")
            return answer["result"]


def tool(name, **arguments):
    result = rpc("tools/call", {"name": f"TwilioTrusthubV1--{name}", "arguments": arguments})
    text = result["content"][0]["text"]
    if result.get("isError"):
        fail(f"{name}: {text}")
    return json.loads(text)


try:
    rpc("initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                       "clientInfo": {"name": "trusthub-proxy-test", "version": "1"}})
    proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    names = {t["name"] for t in rpc("tools/list")["tools"]}
    if "TwilioTrusthubV1--CreateCustomerProfile" not in names:
        fail(f"no TrustHub tools in {sorted(names)[:5]}...")
    policies = tool("ListPolicies", PageSize=50)
    if SECONDARY not in [p["sid"] for p in policies["results"]]:
        fail(f"the Secondary policy is not listed: {policies}")
    user = tool("CreateEndUser", FriendlyName="Ada", Type="authorized_representative_1",
                Attributes=json.dumps({"first_name": "Ada", "last_name": "Lovelace",
                                       "email": "ada@acme.example.com",
                                       "phone_number": "+15555550100",
                                       "business_title": "CEO", "job_position": "CEO"}))
    if not user["sid"].startswith("IT") or not user["url"].startswith("https://trusthub.twilio.com/"):
        fail(f"unexpected EndUser {user}")
    profile = tool("CreateCustomerProfile", FriendlyName="Acme via MCP",
                   Email="ops@acme.example.com", PolicySid=SECONDARY)
    if profile["status"] != "draft":
        fail(f"unexpected profile {profile}")
    tool("CreateCustomerProfileEntityAssignment", CustomerProfileSid=profile["sid"],
         ObjectSid=user["sid"])
    assigned = tool("ListCustomerProfileEntityAssignment", CustomerProfileSid=profile["sid"])
    if [a["object_sid"] for a in assigned["results"]] != [user["sid"]]:
        fail(f"assignments: {assigned}")
    evaluation = tool("CreateCustomerProfileEvaluation", CustomerProfileSid=profile["sid"],
                      PolicySid=SECONDARY)
    if evaluation["status"] != "noncompliant":
        fail(f"evaluation: {evaluation}")
    fetched = tool("FetchCustomerProfile", Sid=profile["sid"])
    if fetched["friendly_name"] != "Acme via MCP":
        fail(f"fetched: {fetched}")
    print(f"mcp.py: {len(names)} TrustHub tools; EndUser, profile, assignment and evaluation "
          "made and read back through the MCP server")
finally:
    proc.kill()
    proc.wait()
