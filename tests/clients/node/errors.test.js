"use strict";
/** Twilio's error contract, as twilio-node surfaces it (RestException). */

const { test } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const twilio = require("twilio");
const { useServer } = require("./server");
const { headerValue } = require("./openapi_check");

const ctx = useServer();

const SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
const hex32 = () => crypto.randomBytes(16).toString("hex");

function lastExchange(status) {
  const exchange = ctx.httpClient.exchanges[ctx.httpClient.exchanges.length - 1];
  assert.equal(exchange.statusCode, status);
  return exchange;
}

/** Expect a twilio RestException with the given HTTP status (and code, when given). */
function restError(status, code, check = () => {}) {
  return (err) => {
    assert.ok(err instanceof twilio.RestException, `expected RestException, got ${err && err.stack}`);
    assert.equal(err.status, status, `${err.status} ${err.code} ${err.message}`);
    if (code !== undefined) assert.equal(err.code, code, `${err.status} ${err.code} ${err.message}`);
    check(err);
    return true;
  };
}

test("fetching an unknown customer profile is 404 / 20404", async () => {
  const missing = "BU" + hex32();
  await assert.rejects(
    ctx.client.trusthub.v1.customerProfiles(missing).fetch(),
    restError(404, 20404, (err) => {
      assert.match(err.message.toLowerCase(), /not found/);
      assert.equal(err.moreInfo, "https://www.twilio.com/docs/errors/20404");
    }),
  );
});

test("creating a customer profile without Email is 400 / 20001", async () => {
  // twilio-node refuses to send this request itself (it checks required params), so the
  // POST goes through the library's own Version.create, exactly as the generated code does.
  const v1 = ctx.client.trusthub.v1;
  await assert.rejects(
    v1.create({
      uri: "/CustomerProfiles",
      method: "post",
      data: { FriendlyName: "no email", PolicySid: SECONDARY_PROFILE_POLICY },
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    }),
    restError(400, 20001, (err) => {
      assert.ok(err.message.includes("Email") && /required/i.test(err.message), err.message);
      assert.equal(err.moreInfo, "https://www.twilio.com/docs/errors/20001");
    }),
  );
  assert.deepEqual(await v1.customerProfiles.list({ friendlyName: "no email" }), []);
});

for (const credentials of ["wrong token", "unknown account"]) {
  test(`bad credentials (${credentials}) are 401 / 20003`, async () => {
    const bad =
      credentials === "wrong token"
        ? ctx.makeClient(ctx.accountSid, hex32())
        : ctx.makeClient("AC" + hex32(), ctx.authToken);
    await assert.rejects(
      bad.trusthub.v1.policies(SECONDARY_PROFILE_POLICY).fetch(),
      restError(401, 20003, (err) => assert.equal(err.moreInfo, "https://www.twilio.com/docs/errors/20003")),
    );
    const exchange = lastExchange(401);
    assert.match(String(headerValue(exchange.headers, "www-authenticate") || ""), /^Basic/);
  });
}

test("creating an end user of an unknown type is 400", async () => {
  await assert.rejects(
    ctx.client.trusthub.v1.endUsers.create({
      friendlyName: "mystery",
      type: "no_such_end_user_type",
      attributes: { x: "y" },
    }),
    // 22200: "invalid End-User Type" (wire.md 1.4)
    restError(400, 22200, (err) => {
      assert.ok(err.message.includes("no_such_end_user_type"), err.message);
      assert.equal(err.moreInfo, "https://www.twilio.com/docs/errors/22200");
    }),
  );
  const all = await ctx.client.trusthub.v1.endUsers.list();
  assert.deepEqual(all.filter((e) => e.friendlyName === "mystery"), []);
});

test("deleting an entity assignment returns true, a second delete is 404", async () => {
  const v1 = ctx.client.trusthub.v1;
  const profile = await v1.customerProfiles.create({
    friendlyName: "delete me",
    email: "owner@acme.example.com",
    policySid: SECONDARY_PROFILE_POLICY,
  });
  const representative = await v1.endUsers.create({
    friendlyName: "rep",
    type: "authorized_representative_1",
    attributes: {
      first_name: "Del",
      last_name: "Ete",
      email: "del@acme.example.com",
      phone_number: "+15555550100",
      business_title: "Chief Executive",
      job_position: "CEO",
    },
  });
  const assignments = v1.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  const assignment = await assignments.create({ objectSid: representative.sid });
  assert.deepEqual((await assignments.list()).map((a) => a.sid), [assignment.sid]);

  assert.equal(await assignments(assignment.sid).remove(), true);
  lastExchange(204);
  assert.deepEqual(await assignments.list(), []);

  await assert.rejects(assignments(assignment.sid).remove(), restError(404, 20404));
  await assert.rejects(assignments(assignment.sid).fetch(), restError(404, 20404));
});
