"use strict";
// Voice Integrity onboarding through the Trust Hub REST API, ISV/reseller with a single, top-level project.
// Guide: https://www.twilio.com/docs/voice/spam-monitoring-with-voiceintegrity/voice-integrity-onboarding/voice-integrity-trust-hub-api-isvs-single-project
//
// The guide's calls in its order, with its sample values, all in the ISV's one account: the
// Primary Business Profile (in the Console: the operator API stands in), the customer's Secondary
// Business Profile (steps 1-10) and the Voice Integrity trust product (steps 1-6).
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
  const { client, accountSid, operator, primary } = ctx;
  const number = await j.buyNumber(client);
  const sids = await j.secondaryBusinessProfileSteps(client, primary, number.sid);
  const secondary = client.trusthub.v1.customerProfiles(sids.profile);
  assert.equal((await j.waitDecided(secondary, "twilio-approved", operator)).errors, null);
  const tp = await j.voiceIntegrityTrustProductSteps(client, sids.profile, number.sid);
  const approved = await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(approved.accountSid, accountSid);
  assert.equal(approved.errors, null);
});

test("a rejected Secondary profile is fixed and resubmitted", async () => {
  const { client, operator, primary } = ctx;
  const number = await j.buyNumber(client);
  const sids = await j.secondaryBusinessProfileSteps(client, primary, number.sid, j.REJECTED_BUSINESS_INFORMATION);
  const secondary = client.trusthub.v1.customerProfiles(sids.profile);
  assert.deepEqual((await j.waitDecided(secondary, "twilio-rejected", operator)).errors, [{ code: 18601 }]);
  await client.trusthub.v1.endUsers(sids.businessInformation).update({ attributes: j.GUIDE_BUSINESS_INFORMATION });
  assert.equal((await secondary.update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await j.waitDecided(secondary, "twilio-approved", operator)).errors, null);
  const tp = await j.voiceIntegrityTrustProductSteps(client, sids.profile, number.sid);
  assert.equal((await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator)).errors, null);
});
