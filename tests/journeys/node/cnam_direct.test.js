"use strict";
// CNAM onboarding through the Trust Hub REST API, direct customer.
// Guide: https://www.twilio.com/docs/voice/brand-your-calls-using-cnam ("CNAM Onboarding with the Trust Hub REST API")
//
// The page's calls in its order, with its sample values: the Business Profile is made in the
// Console (the operator API stands in: a Primary of a direct customer), then the account's number
// goes on it and on the CNAM trust product (journey.cnamTrustProductSteps).
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Create a Business Profile in the Console's Trust Hub and submit for vetting (the operator API stands in).
    ctx.businessProfile = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "direct_customer");
  },
});

test("the guide reaches twilio-approved", async () => {
  const { client, operator, businessProfile } = ctx;
  const number = await j.buyNumber(client);
  const tp = await j.cnamTrustProductSteps(client, businessProfile, number.sid);
  const approved = await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(approved.errors, null);
  assert.ok(approved.validUntil);
  // Additional API Calls: the number is listed on the parent account.
  assert.ok((await client.incomingPhoneNumbers.list({ limit: 20 })).some((n) => n.sid === number.sid));
});

test("a rejected trust product is fixed and resubmitted", async () => {
  const { client, operator, businessProfile } = ctx;
  const number = await j.buyNumber(client);
  const tp = await j.cnamTrustProductSteps(client, businessProfile, number.sid, j.REJECTED_EMAIL);
  const products = client.trusthub.v1.trustProducts(tp);
  assert.deepEqual((await j.waitDecided(products, "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  await products.update({ email: j.TRUST_PRODUCT_EMAIL });
  assert.equal((await products.update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await j.waitDecided(products, "twilio-approved", operator)).errors, null);
});
