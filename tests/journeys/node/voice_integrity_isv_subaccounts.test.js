"use strict";
// Voice Integrity onboarding through the Trust Hub REST API, ISV/reseller using subaccounts (seed 001).
// Guide: https://www.twilio.com/docs/voice/spam-monitoring-with-voiceintegrity/voice-integrity-onboarding/voice-integrity-trust-hub-api-isvs-subaccounts
//
// The guide's calls in its order, with its sample values. The ISV's Primary Business Profile is
// made in the Console (the operator API stands in); under the customer's subaccount, with its own
// credentials: the Secondary Business Profile (steps 1-10, connected to the parent's Primary) and
// the Voice Integrity trust product (steps 1-6).
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Create a Primary Business Profile in your Parent Account in the Console's Trust Hub and
    // submit for vetting (Console-only: the operator API stands in).
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "isv_reseller_or_partner");
  },
});

test("the guide reaches twilio-approved", async () => {
  const { client, makeClient, operator, primary } = ctx;
  const { sub, subClient } = await j.createSubaccount(client, makeClient, "Customer subaccount");
  const number = await j.buyNumber(subClient);
  const sids = await j.secondaryBusinessProfileSteps(subClient, primary, number.sid);
  const secondary = subClient.trusthub.v1.customerProfiles(sids.profile);
  assert.equal((await j.waitDecided(secondary, "twilio-approved", operator)).errors, null);
  const tp = await j.voiceIntegrityTrustProductSteps(subClient, sids.profile, number.sid);
  const approved = await j.waitDecided(subClient.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(approved.accountSid, sub.sid);
  assert.equal(approved.errors, null);
  // The parent's own credentials do not reach the subaccount's TrustHub resources.
  assert.ok(!(await client.trusthub.v1.trustProducts.list({ limit: 20 })).some((t) => t.sid === tp));
});

test("a rejected Secondary profile is fixed and resubmitted", async () => {
  const { client, makeClient, operator, primary } = ctx;
  const { subClient } = await j.createSubaccount(client, makeClient, "Second customer subaccount");
  const number = await j.buyNumber(subClient);
  const sids = await j.secondaryBusinessProfileSteps(subClient, primary, number.sid, j.REJECTED_BUSINESS_INFORMATION);
  const secondary = subClient.trusthub.v1.customerProfiles(sids.profile);
  assert.deepEqual((await j.waitDecided(secondary, "twilio-rejected", operator)).errors, [{ code: 18601 }]);
  await subClient.trusthub.v1.endUsers(sids.businessInformation).update({ attributes: j.GUIDE_BUSINESS_INFORMATION });
  assert.equal((await secondary.update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await j.waitDecided(secondary, "twilio-approved", operator)).errors, null);
  const tp = await j.voiceIntegrityTrustProductSteps(subClient, sids.profile, number.sid);
  assert.equal((await j.waitDecided(subClient.trusthub.v1.trustProducts(tp), "twilio-approved", operator)).errors, null);
});
