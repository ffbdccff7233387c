"use strict";
// The journey harness itself: the tests/clients harness works from here, responses are
// spec-checked, and `twilio` resolves from tests/clients/node/node_modules.
const assert = require("node:assert/strict");
const { test } = require("node:test");
const { useServer, SERVER_ARGS, POLICIES, assertSid, decideByClock, twilio } = require("./journey");

const ctx = useServer({ args: SERVER_ARGS });

test("the harness serves an official client and the operator clock", async () => {
  assert.equal(typeof twilio.RestException, "function");
  const profile = await ctx.client.trusthub.v1.customerProfiles.create({
    friendlyName: "harness", email: "ops@acme.example.com", policySid: POLICIES.secondaryProfile,
  });
  assertSid("BU", profile.sid);
  assert.equal(ctx.httpClient.exchanges.at(-1).statusCode, 201);
  const evaluation = await ctx.client.trusthub.v1.customerProfiles(profile.sid).customerProfilesEvaluations.create({
    policySid: POLICIES.secondaryProfile,
  });
  assert.equal(evaluation.status, "noncompliant");
  await decideByClock(ctx.operator);
  assert.equal((await ctx.client.trusthub.v1.customerProfiles(profile.sid).fetch()).status, "draft");
});
