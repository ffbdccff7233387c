"use strict";
// SHAKEN/STIR onboarding through the Trust Hub REST API, direct customer using subaccounts.
// Guide: https://www.twilio.com/docs/voice/trusted-calling-with-shakenstir/shakenstir-onboarding/shaken-stir-trust-hub-api-direct-customer-subaccounts
//
// The guide's calls in its order, with its sample values: the Primary Business Profile lives in
// the parent account (step 1, in the Console: the operator API stands in), the phone numbers
// belong to the subaccounts, and the parent adds them to its Primary (step 2) and to its own
// SHAKEN/STIR trust product (steps 3-6). The submit's statusCallback is a local receiver
// standing in for https://www.yourcallbackuri.com/webhook.
const assert = require("node:assert/strict");
const { test, after } = require("node:test");
const j = require("./journey");

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    ctx.callbacks = await new j.CallbackReceiver().start();
    // 1. Create a Primary Business Profile in your Parent Account in the Console's Trust Hub and
    //    submit for vetting (Console-only: the operator API stands in).
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "direct_customer");
    ctx.subaccount = await j.createSubaccount(ctx.client, ctx.makeClient, "Direct customer's subaccount");
  },
});
after(() => ctx.callbacks?.close());

/** A number of the subaccount, found as the guide says: the subaccount's IncomingPhoneNumbers. */
async function subaccountNumber() {
  const { sub, subClient } = ctx.subaccount;
  const number = await j.buyNumber(subClient);
  const listed = await ctx.client.api.v2010.accounts(sub.sid).incomingPhoneNumbers.list({ limit: 20 });
  assert.ok(listed.some((n) => n.sid === number.sid));
  assert.equal(number.accountSid, sub.sid);
  return number.sid;
}

/** Steps 2-6 of the guide, by the parent; resolves to the trust product's SID (submitted). */
async function shakenStirTrustProduct(client, primary, phoneNumberSid, callbackUrl, email = j.TRUST_PRODUCT_EMAIL) {
  // 2. Add Phone Number(s) from your Subaccount(s) to your Primary Business Profile
  const ra = await client.trusthub.v1.customerProfiles(primary).customerProfilesChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(ra.channelEndpointSid, phoneNumberSid);
  // 3. Create a SHAKEN/STIR Trust Product
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email,
    friendlyName: j.TRUST_PRODUCT_FRIENDLY_NAME,
    policySid: j.POLICIES.shakenStir,
  });
  const tp = j.assertSid("BU", trustProduct.sid);
  // 4. Connect your SHAKEN/STIR Trust Product to your Primary Business Profile
  await client.trusthub.v1.trustProducts(tp).trustProductsEntityAssignments.create({ objectSid: primary });
  // 5. Assign phone numbers (the subaccounts' numbers on the Primary) to your SHAKEN/STIR Trust Product
  const endpoint = await client.trusthub.v1.trustProducts(tp).trustProductsChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(endpoint.channelEndpointSid, phoneNumberSid);
  // 6. Submit your SHAKEN/STIR Trust Product for vetting
  const submitted = await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review", statusCallback: callbackUrl });
  assert.equal(submitted.status, "pending-review");
  assert.equal(submitted.statusCallback, callbackUrl);
  return tp;
}

test("the guide reaches twilio-approved", async () => {
  const { client, operator, primary, callbacks } = ctx;
  const numberSid = await subaccountNumber();
  const tp = await shakenStirTrustProduct(client, primary, numberSid, callbacks.url);
  assert.equal((await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator)).errors, null);
  await callbacks.waitFor(tp, "twilio-approved");
  const endpoints = await client.trusthub.v1.trustProducts(tp).trustProductsChannelEndpointAssignment.list();
  assert.deepEqual(endpoints.map((e) => e.channelEndpointSid), [numberSid]);
});

test("a rejected trust product is fixed and resubmitted", async () => {
  const { client, operator, primary, callbacks } = ctx;
  const numberSid = await subaccountNumber();
  const tp = await shakenStirTrustProduct(client, primary, numberSid, callbacks.url, j.REJECTED_EMAIL);
  const products = client.trusthub.v1.trustProducts(tp);
  assert.deepEqual((await j.waitDecided(products, "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  await products.update({ email: j.TRUST_PRODUCT_EMAIL });
  assert.equal((await products.update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await j.waitDecided(products, "twilio-approved", operator)).errors, null);
});
