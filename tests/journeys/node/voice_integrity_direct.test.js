"use strict";
// Voice Integrity onboarding through the Trust Hub REST API, direct customer without subaccounts.
// Guide: https://www.twilio.com/docs/voice/spam-monitoring-with-voiceintegrity/voice-integrity-onboarding/voice-integrity-trust-hub-api-direct-customer
//
// The guide's calls in its order, with its sample values: 1. the Primary Business Profile in the
// Console (the operator API stands in), 2. the account's phone numbers added to it, then the Voice
// Integrity trust product on the Primary (journey.voiceIntegrityTrustProductSteps).
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // 1. Create a Primary Business Profile in your Parent Account in the Console's Trust Hub and
    //    submit for vetting (Console-only: the operator API stands in).
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "direct_customer");
  },
});

async function addNumberToPrimary() {
  // 2. Add Phone Number(s) to your Primary Business Profile
  const number = await j.buyNumber(ctx.client);
  const ra = await ctx.client.trusthub.v1.customerProfiles(ctx.primary).customerProfilesChannelEndpointAssignment.create({
    channelEndpointSid: number.sid,
    channelEndpointType: "phone-number",
  });
  assert.equal(ra.channelEndpointSid, number.sid);
  return number.sid;
}

test("the guide reaches twilio-approved", async () => {
  const { client, operator, primary } = ctx;
  const tp = await j.voiceIntegrityTrustProductSteps(client, primary, await addNumberToPrimary());
  const approved = await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(approved.errors, null);
  assert.ok(approved.validUntil);
  const [evaluation] = await client.trusthub.v1.trustProducts(tp).trustProductsEvaluations.list();
  assert.equal(evaluation.status, "compliant");
});

test("a rejected trust product is fixed and resubmitted", async () => {
  const { client, operator, primary } = ctx;
  const tp = await j.voiceIntegrityTrustProductSteps(client, primary, await addNumberToPrimary(), j.REJECTED_EMAIL);
  const products = client.trusthub.v1.trustProducts(tp);
  assert.deepEqual((await j.waitDecided(products, "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  await products.update({ email: j.TRUST_PRODUCT_EMAIL });
  assert.equal((await products.update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await j.waitDecided(products, "twilio-approved", operator)).errors, null);
});
