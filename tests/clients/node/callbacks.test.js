"use strict";
/**
 * Signed status callbacks, checked by twilio-node's own validateRequest, across a crash.
 *
 * A local receiver (http.createServer) records every callback request and answers 500
 * to the first FAILING_REQUESTS of them, 200 afterwards. The server runs the automatic
 * reviewer and retries callbacks after an hour of *server* time (--review-delay 3600
 * --callback-retry-delay 3600), so nothing happens by itself once the first attempts
 * have failed:
 *
 *  1. a customer profile with StatusCallback=<receiver>/status?source=test is created,
 *     completed and submitted through the client; the first attempts of the
 *     pending-review and in-review callbacks fail;
 *  2. the server is killed with SIGKILL and started again on the same database;
 *  3. the clock is advanced by 3600 s through the operator API: the retries and the
 *     review decision (and its callback) are due and happen.
 *
 * Every request must validate with twilio.validateRequest(...) (and fail to once
 * tampered with), every status must be reported, and the requests must match the
 * callback_attempt events one for one.
 */

const { test, after } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const http = require("node:http");
const twilio = require("twilio");
const { createAddress, removeWorkdir, startServer, waitForStatus, waitUntil } = require("./server");

const STARTER_PROFILE_POLICY = "RN13dc4be8861a10924a79c35eaa4d812c"; // no supporting Primary profile needed
const SERVE_ARGS = ["--review", "auto", "--review-delay", "3600", "--callback-retry-delay", "3600"];
const RETRY_DELAY_S = 3600;
const FAILING_REQUESTS = 2; // the first attempts of pending-review and in-review

const STARTER_INFORMATION = {
  first_name: "Grace",
  last_name: "Hopper",
  email: "grace@acme.example.com",
  phone_number: "+15555550101",
};
const CALLBACK_PARAMS = ["AccountSid", "BundleSid", "ErrorCodes", "FailureReason", "Status"];

const hex32 = () => crypto.randomBytes(16).toString("hex");

/** The form parameters of a recorded request, as an object (no parameter may repeat). */
function paramsOf(received) {
  const pairs = [...new URLSearchParams(received.body)];
  const params = Object.fromEntries(pairs);
  assert.equal(Object.keys(params).length, pairs.length, `repeated parameter in ${received.body}`);
  return params;
}

/** Records each POST; answers 500 to the first `failing` requests, then 200. */
async function startReceiver(failing) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const answered = requests.length < failing ? 500 : 200;
      requests.push({
        url: `http://${req.headers.host}${req.url}`, // the full URL the request was sent to
        headers: req.headers, // names lower-cased by node
        body: Buffer.concat(chunks).toString("utf8"),
        answered,
      });
      res.writeHead(answered, { "Content-Length": "0" });
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    requests,
    callbackUrl: `http://127.0.0.1:${server.address().port}/status?source=test`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// Servers the test starts (all on one database), stopped and removed at the end.
const started = [];
let receiver = null;
after(async () => {
  for (const s of started) await s.stop({ keepWorkdir: true });
  if (started.length > 0) await removeWorkdir(started[0].workdir);
  if (receiver) await receiver.close();
});

function assertNoSpecViolations(...servers) {
  const violations = servers.flatMap((s) => s.httpClient.takeViolations());
  assert.deepEqual(violations, [], "responses that do not match the OpenAPI spec:\n" + violations.join("\n"));
}

function groupBy(items, key) {
  const groups = {};
  for (const item of items) (groups[key(item)] = groups[key(item)] || []).push(item);
  return groups;
}

test("status callbacks are signed, retried and survive a crash", async () => {
  receiver = await startReceiver(FAILING_REQUESTS);
  const first = await startServer({ args: SERVE_ARGS });
  started.push(first);
  let client = first.client;

  // A profile with a status callback, completed and submitted through the client.
  const created = await client.trusthub.v1.customerProfiles.create({
    email: "grace@acme.example.com",
    friendlyName: "Callback profile",
    policySid: STARTER_PROFILE_POLICY,
    statusCallback: receiver.callbackUrl,
  });
  const bu = created.sid;
  assert.equal(created.statusCallback, receiver.callbackUrl);
  const information = await client.trusthub.v1.endUsers.create({
    attributes: STARTER_INFORMATION,
    friendlyName: "Grace Hopper",
    type: "starter_customer_profile_information",
  });
  const address = await client.trusthub.v1.supportingDocuments.create({
    attributes: { address_sids: await createAddress(client) },
    friendlyName: "Acme Inc headquarters",
    type: "customer_profile_address",
  });
  let profile = client.trusthub.v1.customerProfiles(bu);
  for (const objectSid of [information.sid, address.sid]) {
    await profile.customerProfilesEntityAssignments.create({ objectSid });
  }
  assert.equal((await profile.update({ status: "pending-review" })).status, "pending-review");

  // The first attempts of the pending-review and in-review callbacks fail (500);
  // the server records each attempt and schedules its retry an hour away.
  await waitUntil(() => receiver.requests.length, (n) => n >= FAILING_REQUESTS, "the first callback attempts");
  const failed = await waitUntil(
    () => first.operator.events(bu, "callback_attempt"),
    (events) => events.length >= FAILING_REQUESTS,
    "the failed attempts to be recorded",
  );
  assert.ok(failed.every((e) => e.detail.delivered === false && e.detail.next_attempt_at), JSON.stringify(failed));
  assert.equal((await waitForStatus(profile, "in-review")).status, "in-review");
  assert.ok((await first.operator.reviews()).some((b) => b.sid === bu));

  // Crash, and start again on the same database (on another port: the callback URL
  // points at the receiver, not at the server).
  await first.kill();
  const second = await startServer({
    args: SERVE_ARGS,
    workdir: first.workdir,
    accountSid: first.accountSid,
    authToken: first.authToken,
  });
  started.push(second);
  client = second.client;
  profile = client.trusthub.v1.customerProfiles(bu);
  assert.equal((await profile.fetch()).status, "in-review");
  // The restarted worker has looked at the outbox: nothing is due yet.
  await second.operator.workerCaughtUp();
  assert.equal(receiver.requests.length, FAILING_REQUESTS, "nothing is due before the clock moves");
  assert.equal((await profile.fetch()).status, "in-review");

  // An hour later (server time) the retries and the review decision are due.
  assert.equal((await second.operator.advanceClock(RETRY_DELAY_S)).offset_seconds, RETRY_DELAY_S);
  const approved = await waitForStatus(profile, "twilio-approved");
  assert.equal(approved.errors, null);
  const expectedRequests = FAILING_REQUESTS + 3; // two retries, and the approval's callback
  await waitUntil(() => receiver.requests.length, (n) => n >= expectedRequests, "the retried callbacks");
  const attempts = await waitUntil(
    () => second.operator.events(bu, "callback_attempt"),
    (events) => events.length >= expectedRequests,
    "every attempt to be recorded",
  );
  await second.operator.workerCaughtUp(); // a duplicate attempt would have been made by now
  const received = [...receiver.requests];

  // Every request is signed as Twilio signs it, for the URL it was sent to.
  for (const r of received) {
    const params = paramsOf(r);
    const signature = r.headers["x-twilio-signature"];
    assert.equal(r.url, receiver.callbackUrl);
    assert.ok(String(r.headers["content-type"]).startsWith("application/x-www-form-urlencoded"), JSON.stringify(r.headers));
    assert.deepEqual(Object.keys(params).sort(), CALLBACK_PARAMS);
    assert.deepEqual([params.AccountSid, params.BundleSid], [first.accountSid, bu]);
    assert.deepEqual([params.FailureReason, params.ErrorCodes], ["", ""]);
    assert.ok(signature, JSON.stringify(r.headers));
    assert.equal(twilio.validateRequest(first.authToken, signature, r.url, params), true, `invalid signature: ${JSON.stringify(r)}`);
    // The check is real: tampering with a parameter, the URL or the token fails it.
    assert.equal(twilio.validateRequest(first.authToken, signature, r.url, { ...params, Status: "twilio-rejected" }), false);
    assert.equal(twilio.validateRequest(first.authToken, signature, r.url.replace("source=test", "source=other"), params), false);
    assert.equal(twilio.validateRequest(hex32(), signature, r.url, params), false);
  }

  // Every status is reported, and exactly one request was made per recorded attempt.
  const byStatus = groupBy(received, (r) => paramsOf(r).Status);
  assert.deepEqual(Object.keys(byStatus).sort(), ["in-review", "pending-review", "twilio-approved"]);
  assert.equal(received.length, expectedRequests);
  assert.equal(attempts.length, received.length, JSON.stringify(attempts));
  const attemptsByStatus = groupBy(
    attempts.map((e) => e.detail),
    (d) => d.status,
  );
  assert.deepEqual(Object.keys(attemptsByStatus).sort(), Object.keys(byStatus).sort());
  for (const [status, details] of Object.entries(attemptsByStatus)) {
    const requestsForStatus = byStatus[status];
    const what = `${status}: ${JSON.stringify(details)}`;
    assert.deepEqual(
      details.map((d) => d.attempt),
      details.map((_, i) => i + 1),
      what,
    );
    assert.equal(details.length, requestsForStatus.length, what);
    assert.deepEqual(
      details.map((d) => d.http_status),
      requestsForStatus.map((r) => r.answered),
      what,
    );
    assert.equal(details.at(-1).delivered, true, what);
    assert.ok(details.slice(0, -1).every((d) => d.delivered === false && d.gave_up === false), what);
    assert.ok(details.every((d) => d.url === receiver.callbackUrl), what);
    // One idempotency token per status change, repeated on its retries.
    const tokens = new Set(requestsForStatus.map((r) => r.headers["i-twilio-idempotency-token"]));
    assert.equal(tokens.size, 1, `${status}: ${[...tokens]}`);
    assert.ok(!tokens.has(undefined), `${status}: no I-Twilio-Idempotency-Token`);
  }
  assert.deepEqual(
    ["pending-review", "in-review", "twilio-approved"].map((s) => byStatus[s].length),
    [2, 2, 1],
  );
  assert.equal(new Set(received.map((r) => r.headers["i-twilio-idempotency-token"])).size, 3);

  assertNoSpecViolations(first, second);
});
