"use strict";
// CNAM onboarding through the Trust Hub REST API, ISV.
// Guide: https://www.twilio.com/docs/voice/brand-your-calls-using-cnam ("CNAM Onboarding with the Trust Hub REST API":
// "If you are an ISV, then you would need to create a Secondary Business Profile for your customer(s).")
//
// The page's calls in its order, with its sample values, in the ISV's account: the ISV's Primary
// is made in the Console (the operator API stands in); the customer's Secondary Business Profile
// is built with the calls of the ISV guides (steps 1-10, journey.secondaryBusinessProfileSteps) and
// is the Business Profile of the CNAM steps (journey.cnamTrustProductSteps).
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "isv_reseller_or_partner");
  },
});

test("the guide reaches twilio-approved", async () => {
  const { client, operator, primary } = ctx;
  const sids = await j.secondaryBusinessProfileSteps(client, primary, (await j.buyNumber(client)).sid);
  const secondary = client.trusthub.v1.customerProfiles(sids.profile);
  assert.equal((await j.waitDecided(secondary, "twilio-approved", operator)).errors, null);
  // The ISV guides' step 9 put one number on the Secondary; the CNAM page's first call ("Assign
  // Phone Numbers to Your Business Profile") adds the number CNAM is for.
  const tp = await j.cnamTrustProductSteps(client, sids.profile, (await j.buyNumber(client)).sid);
  assert.equal((await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator)).errors, null);
});

test("a rejected Secondary profile is fixed and resubmitted", async () => {
  const { client, operator, primary } = ctx;
  const sids = await j.secondaryBusinessProfileSteps(client, primary, (await j.buyNumber(client)).sid, j.REJECTED_BUSINESS_INFORMATION);
  const secondary = client.trusthub.v1.customerProfiles(sids.profile);
  assert.deepEqual((await j.waitDecided(secondary, "twilio-rejected", operator)).errors, [{ code: 18601 }]);
  await client.trusthub.v1.endUsers(sids.businessInformation).update({ attributes: j.GUIDE_BUSINESS_INFORMATION });
  assert.equal((await secondary.update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await j.waitDecided(secondary, "twilio-approved", operator)).errors, null);
  const tp = await j.cnamTrustProductSteps(client, sids.profile, (await j.buyNumber(client)).sid);
  assert.equal((await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator)).errors, null);
});
