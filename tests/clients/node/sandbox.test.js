"use strict";
/**
 * Sandbox powers (README "Sandbox powers"), as an application's test suite meets them
 * through twilio-node: injected faults surface as the library's own errors, a snapshot
 * is restored under a client that keeps running, two seeded servers answer the same
 * calls identically, and the request inspector shows what the library sent.
 *
 * The file's server runs with --ephemeral (in-memory store). The seeded test starts its
 * own two servers. Mirrors python/test_sandbox.py.
 */

const { test } = require("node:test");
const assert = require("node:assert/strict");
const twilio = require("twilio");
const { startServer, useServer } = require("./server");

const ctx = useServer({ args: ["--ephemeral"] });

const SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
const REPRESENTATIVE = {
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@acme.example.com",
  phone_number: "+15555550100",
  business_title: "Chief Executive",
  job_position: "CEO",
};

const newProfile = (client, friendlyName = "Acme sandbox") =>
  client.trusthub.v1.customerProfiles.create({
    friendlyName,
    email: "ops@acme.example.com",
    policySid: SECONDARY_PROFILE_POLICY,
  });

const newRepresentative = (client, friendlyName = "Ada") =>
  client.trusthub.v1.endUsers.create({ friendlyName, type: "authorized_representative_1", attributes: REPRESENTATIVE });

const addFault = (form) => ctx.operator.call("POST", "/admin/v1/Faults", 201, form);
const faults = async () => (await ctx.operator.call("GET", "/admin/v1/Faults")).faults;
const lastExchange = () => ctx.httpClient.exchanges[ctx.httpClient.exchanges.length - 1];

/** Expect a twilio RestException with this HTTP status and Twilio error code. */
function restError(status, code) {
  return (err) => {
    assert.ok(err instanceof twilio.RestException, `expected RestException, got ${err && err.stack}`);
    assert.equal(err.status, status, `${err.status} ${err.code} ${err.message}`);
    assert.equal(err.code, code, `${err.status} ${err.code} ${err.message}`);
    assert.equal(err.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    return true;
  };
}

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

test("an injected 429 rejects with RestException 429 / 20429, then the next create succeeds", async () => {
  const fault = await addFault({ Path: "/v1/EndUsers", Methods: "POST", Count: "1", Status: "429", ErrorCode: "20429" });
  assert.match(fault.sid, /^FA[0-9a-f]{32}$/);

  await assert.rejects(newRepresentative(ctx.client, "rate limited"), restError(429, 20429));
  const exchange = lastExchange();
  assert.equal(exchange.statusCode, 429);
  assert.ok(exchange.headers["retry-after"], JSON.stringify(exchange.headers));

  // The fault is used up: the same call now works, and the refused one left nothing behind.
  const endUser = await newRepresentative(ctx.client, "after the rate limit");
  assert.match(endUser.sid, /^IT[0-9a-f]{32}$/);
  assert.deepEqual(await faults(), []);
  const names = (await ctx.client.trusthub.v1.endUsers.list()).map((e) => e.friendlyName);
  assert.ok(names.includes("after the rate limit"), names);
  assert.ok(!names.includes("rate limited"), names);
});

test("an injected 503 on a fetch", async () => {
  const v1 = ctx.client.trusthub.v1;
  const profile = await newProfile(ctx.client, "fetch fault");
  await addFault({
    Path: `/v1/CustomerProfiles/${profile.sid}`,
    Methods: "GET",
    Count: "1",
    Status: "503",
    ErrorCode: "20503",
  });
  // Other methods and paths are not affected.
  assert.equal((await v1.customerProfiles(profile.sid).update({ friendlyName: "fetch fault 2" })).sid, profile.sid);
  await assert.rejects(v1.customerProfiles(profile.sid).fetch(), restError(503, 20503));
  // The validating client reports every 5xx; this one was asked for, and its body is
  // Twilio's error body (no other violation).
  const exchange = lastExchange();
  assert.deepEqual(ctx.httpClient.takeViolations(), [`GET ${exchange.uri} -> 503: server error 503`]);
  const fetched = await v1.customerProfiles(profile.sid).fetch();
  assert.deepEqual([fetched.sid, fetched.friendlyName], [profile.sid, "fetch fault 2"]);
});

test("a dropped connection is a transport error, not a RestException", async () => {
  await addFault({ Path: "/v1/Policies", Drop: "true", Count: "1" });
  await assert.rejects(ctx.client.trusthub.v1.policies.list({ limit: 1 }), (err) => {
    // axios' error for a socket closed without an answer: nothing the library could turn
    // into a RestException.
    assert.ok(!(err instanceof twilio.RestException), `unexpected RestException ${err && err.stack}`);
    assert.equal(err.isAxiosError, true, String(err && err.stack));
    assert.equal(err.response, undefined, "no HTTP response at all");
    assert.ok(["ECONNRESET", "EPIPE"].includes(err.code), `${err.code}: ${err.message}`);
    return true;
  });
  assert.deepEqual(await faults(), []);
  assert.equal((await ctx.client.trusthub.v1.policies.list({ limit: 1 })).length, 1);
});

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

test("a snapshot restored under a running client", async () => {
  const v1 = ctx.client.trusthub.v1;
  /** The list body exactly as the server sent it (one page). */
  const rawList = async (call) => {
    await call();
    const exchange = lastExchange();
    assert.equal(exchange.method, "GET");
    assert.equal(exchange.statusCode, 200);
    return exchange.body;
  };

  const profile = await newProfile(ctx.client, "Onboarded Inc");
  const representative = await newRepresentative(ctx.client, "Onboarded rep");
  const assignments = v1.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  const assignment = await assignments.create({ objectSid: representative.sid });

  const snap = await ctx.operator.call("POST", "/admin/v1/Snapshots", 201, { Name: "onboarded" });
  assert.equal(snap.name, "onboarded");
  const { snapshots } = await ctx.operator.call("GET", "/admin/v1/Snapshots");
  assert.ok(snapshots.some((s) => s.name === "onboarded"), JSON.stringify(snapshots));

  const lists = {
    profiles: () => v1.customerProfiles.list(),
    endUsers: () => v1.endUsers.list(),
    documents: () => v1.supportingDocuments.list(),
    assignments: () => assignments.list(),
  };
  const before = {};
  for (const [name, call] of Object.entries(lists)) before[name] = await rawList(call);
  assert.deepEqual(before.assignments.results.map((a) => a.sid), [assignment.sid]);

  // Change things through the same client: new objects, a deleted assignment, a rename.
  const extraProfile = await newProfile(ctx.client, "Later Inc");
  const extraUser = await newRepresentative(ctx.client, "Later rep");
  const extraDoc = await v1.supportingDocuments.create({
    friendlyName: "Later doc",
    type: "customer_profile_address",
    attributes: { address_sids: "AD" + "0".repeat(32) },
  });
  await v1.customerProfiles(profile.sid).update({ friendlyName: "Renamed Inc" });
  assert.equal(await assignments(assignment.sid).remove(), true);
  assert.deepEqual(await assignments.list(), []);

  const restored = await ctx.operator.call("POST", "/admin/v1/Snapshots/onboarded/Restore", 200);
  assert.equal(restored.name, "onboarded");

  // The same client object sees exactly the snapshot.
  for (const context of [
    v1.customerProfiles(extraProfile.sid),
    v1.endUsers(extraUser.sid),
    v1.supportingDocuments(extraDoc.sid),
  ]) {
    await assert.rejects(context.fetch(), restError(404, 20404));
  }
  const after = {};
  for (const [name, call] of Object.entries(lists)) after[name] = await rawList(call);
  assert.deepEqual(after, before);
  const back = await assignments(assignment.sid).fetch();
  assert.deepEqual([back.sid, back.objectSid], [assignment.sid, representative.sid]);
  assert.equal((await v1.customerProfiles(profile.sid).fetch()).friendlyName, "Onboarded Inc");

  // ... and keeps writing afterwards.
  const secondRep = await newRepresentative(ctx.client, "After restore rep");
  const second = await assignments.create({ objectSid: secondRep.sid });
  assert.deepEqual(
    new Set((await assignments.list()).map((a) => a.sid)),
    new Set([assignment.sid, second.sid]),
  );
  const evaluation = await v1
    .customerProfiles(profile.sid)
    .customerProfilesEvaluations.create({ policySid: SECONDARY_PROFILE_POLICY });
  assert.equal(evaluation.status, "noncompliant"); // no business information or address yet
  // The restored assignment is real: assigning the same end user again is refused.
  await assert.rejects(assignments.create({ objectSid: representative.sid }), restError(409, 20409));
});

// ---------------------------------------------------------------------------
// Seeded determinism
// ---------------------------------------------------------------------------

const SEEDED_ACCOUNT_SID = "AC" + "5eed".repeat(8);
const SEEDED_AUTH_TOKEN = "5eed".repeat(8);
// Not where the server listens: it only appears in `url` fields. The client talks to the
// real address through baseUrl; lists stay on one page (paging follows next_page_url).
const SEEDED_PUBLIC_URL = "http://127.0.0.1:1";

/** The same short sequence of client calls against a fresh seeded server; resolves to
 * each response body exactly as sent. */
async function seededRun() {
  const srv = await startServer({
    args: ["--ephemeral", "--seed", "42", "--public-url", SEEDED_PUBLIC_URL],
    accountSid: SEEDED_ACCOUNT_SID,
    authToken: SEEDED_AUTH_TOKEN,
  });
  try {
    const client = srv.client;
    const v1 = client.trusthub.v1;
    const profile = await newProfile(client, "Seeded Inc");
    const endUser = await newRepresentative(client, "Seeded rep");
    const assignment = await v1
      .customerProfiles(profile.sid)
      .customerProfilesEntityAssignments.create({ objectSid: endUser.sid });
    const evaluation = await v1
      .customerProfiles(profile.sid)
      .customerProfilesEvaluations.create({ policySid: SECONDARY_PROFILE_POLICY });
    assert.equal(profile.url, `${SEEDED_PUBLIC_URL}/v1/CustomerProfiles/${profile.sid}`);
    assert.deepEqual((await v1.endUsers.list()).map((e) => e.sid), [endUser.sid]);
    assert.equal((await v1.customerProfiles(profile.sid).fetch()).sid, profile.sid);

    for (const instance of [profile, endUser, assignment, evaluation]) {
      assert.equal(instance.dateCreated.toISOString().slice(0, 10), "2024-01-01", instance.sid);
    }
    const exchanges = srv.httpClient.exchanges;
    assert.deepEqual(exchanges.map((e) => e.method), ["POST", "POST", "POST", "POST", "GET", "GET"]);
    assert.ok(exchanges.every((e) => [200, 201].includes(e.statusCode)), JSON.stringify(exchanges));
    assert.deepEqual(srv.httpClient.takeViolations(), []);
    return exchanges.map((e) => e.body);
  } finally {
    await srv.stop();
  }
}

test("two seeded servers answer the same calls identically", async () => {
  const first = await seededRun();
  const second = await seededRun();
  const sidsAndDates = (bodies) => bodies.slice(0, 4).map((b) => [b.sid, b.date_created]);

  assert.deepEqual(sidsAndDates(first), sidsAndDates(second));
  for (const [sid, date] of sidsAndDates(first)) assert.match(date, /^2024-01-01T00:00:\d\dZ$/, sid);
  // The clock moves one second per write request, so the four creates are in order.
  const dates = sidsAndDates(first).map(([, d]) => d);
  assert.deepEqual([...dates].sort(), dates);
  assert.equal(new Set(dates).size, 4);
  assert.deepEqual(sidsAndDates(first).map(([s]) => s.slice(0, 2)), ["BU", "IT", "BV", "EL"]);
  // And, beyond the SIDs and dates, every body (same public URL).
  assert.deepEqual(first, second);
});

// ---------------------------------------------------------------------------
// Request inspector
// ---------------------------------------------------------------------------

test("the request inspector shows the library's requests newest first, without secrets", async () => {
  const v1 = ctx.client.trusthub.v1;
  const endUser = await newRepresentative(ctx.client, "Inspected");
  await v1.endUsers(endUser.sid).fetch();
  await v1.endUsers(endUser.sid).update({ friendlyName: "Inspected again" });
  const listed = await v1.endUsers.list({ pageSize: 2, limit: 2 });
  assert.equal(await v1.endUsers(endUser.sid).remove(), true);

  const log = await ctx.operator.call("GET", `/admin/v1/Requests?AccountSid=${ctx.accountSid}&Limit=5`);
  const reqs = log.requests;
  assert.equal(reqs.length, 5, JSON.stringify(reqs));
  const path = `/v1/EndUsers/${endUser.sid}`;
  assert.deepEqual(
    reqs.map((r) => [r.method, r.path, r.status]),
    [
      ["DELETE", path, 204],
      ["GET", "/v1/EndUsers", 200],
      ["POST", path, 200],
      ["GET", path, 200],
      ["POST", "/v1/EndUsers", 201],
    ],
  );
  assert.ok(reqs.every((r) => r.account_sid === ctx.accountSid));
  // What twilio-node put on the wire: Attributes as a JSON string (JSON.stringify of the object).
  const created = reqs[4];
  const sent = Object.fromEntries(created.parameters);
  assert.deepEqual(sent, {
    FriendlyName: "Inspected",
    Type: "authorized_representative_1",
    Attributes: JSON.stringify(REPRESENTATIVE),
  });
  assert.deepEqual(JSON.parse(sent.Attributes), REPRESENTATIVE);
  assert.equal(created.response.sid, endUser.sid);
  assert.deepEqual(created.response.attributes, REPRESENTATIVE);
  assert.deepEqual(Object.fromEntries(reqs[2].parameters), { FriendlyName: "Inspected again" });
  assert.equal(Object.fromEntries(reqs[1].parameters).PageSize, "2");
  assert.deepEqual(
    reqs[1].response.results.map((e) => e.sid),
    listed.map((e) => e.sid),
  );

  // No credential anywhere: neither the auth token nor the Basic header it travels in.
  const raw = JSON.stringify(log);
  const basic = Buffer.from(`${ctx.accountSid}:${ctx.authToken}`).toString("base64");
  assert.ok(!raw.includes(ctx.authToken), "auth token in the request log");
  assert.ok(!raw.includes(basic), "Basic credentials in the request log");
});
