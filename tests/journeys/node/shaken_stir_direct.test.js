"use strict";
// SHAKEN/STIR onboarding through the Trust Hub REST API, direct customer without subaccounts.
// Guide: https://www.twilio.com/docs/voice/trusted-calling-with-shakenstir/shakenstir-onboarding/shaken-stir-trust-hub-api-direct-customer
//
// The guide's calls in its order, with its sample values. Step 1 (the Primary Business Profile)
// happens in the Console: the operator API stands in for it (approvedPrimaryProfile). The submit's
// statusCallback is a local receiver standing in for https://www.yourcallbackuri.com/webhook.
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
  },
});
after(() => ctx.callbacks?.close());

/** Steps 2-6 of the guide; resolves to the trust product's SID (submitted). */
async function shakenStirTrustProduct(client, primary, phoneNumberSid, callbackUrl, email = j.TRUST_PRODUCT_EMAIL) {
  // 2. Add Phone Number(s) to your Primary Business Profile
  const ra = await client.trusthub.v1.customerProfiles(primary).customerProfilesChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(ra.customerProfileSid, primary);
  // 3. Create a SHAKEN/STIR Trust Product
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email,
    friendlyName: j.TRUST_PRODUCT_FRIENDLY_NAME,
    policySid: j.POLICIES.shakenStir,
  });
  const tp = j.assertSid("BU", trustProduct.sid);
  assert.equal(trustProduct.status, "draft");
  // 4. Connect your SHAKEN/STIR Trust Product to your Business Profile
  const assignment = await client.trusthub.v1.trustProducts(tp).trustProductsEntityAssignments.create({ objectSid: primary });
  assert.equal(assignment.objectSid, primary);
  // 5. Assign phone numbers to your SHAKEN/STIR Trust Product
  const endpoint = await client.trusthub.v1.trustProducts(tp).trustProductsChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(endpoint.channelEndpointSid, phoneNumberSid);
  // 6. Submit your SHAKEN/STIR Trust Product for vetting (with a status callback, in one request)
  const submitted = await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review", statusCallback: callbackUrl });
  assert.equal(submitted.status, "pending-review");
  assert.equal(submitted.statusCallback, callbackUrl);
  return tp;
}

test("the guide reaches twilio-approved", async () => {
  const { client, operator, primary, callbacks } = ctx;
  const number = await j.buyNumber(client);
  const tp = await shakenStirTrustProduct(client, primary, number.sid, callbacks.url);
  const approved = await j.waitDecided(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(approved.errors, null);
  assert.ok(approved.validUntil);
  await callbacks.waitFor(tp, "twilio-approved");
  // Additional API Calls: the profile, the number and the trust product are listed.
  assert.ok((await client.trusthub.v1.customerProfiles.list({ limit: 20 })).some((p) => p.sid === primary));
  assert.ok((await client.incomingPhoneNumbers.list({ limit: 20 })).some((n) => n.sid === number.sid));
  assert.ok((await client.trusthub.v1.trustProducts.list({ limit: 20 })).some((t) => t.sid === tp));
});

test("a rejected trust product is fixed and resubmitted", async () => {
  const { client, operator, primary, callbacks } = ctx;
  const number = await j.buyNumber(client);
  const tp = await shakenStirTrustProduct(client, primary, number.sid, callbacks.url, j.REJECTED_EMAIL);
  const products = client.trusthub.v1.trustProducts(tp);
  assert.deepEqual((await j.waitDecided(products, "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  await callbacks.waitFor(tp, "twilio-rejected");
  assert.equal((await products.update({ email: j.TRUST_PRODUCT_EMAIL })).email, j.TRUST_PRODUCT_EMAIL);
  const resubmitted = await products.update({ status: "pending-review", statusCallback: callbacks.url });
  assert.equal(resubmitted.status, "pending-review");
  assert.equal(resubmitted.errors, null);
  assert.equal((await j.waitDecided(products, "twilio-approved", operator)).errors, null);
});

test("numbers assigned after submitting (the guide allows either order)", async () => {
  // Step 5 after step 6: "You can complete this step before or after submitting your SHAKEN/STIR
  // Trust Product for vetting".
  const { client, operator, primary } = ctx;
  const number = await j.buyNumber(client);
  // 2. Add Phone Number(s) to your Primary Business Profile
  await client.trusthub.v1.customerProfiles(primary).customerProfilesChannelEndpointAssignment.create({
    channelEndpointSid: number.sid,
    channelEndpointType: "phone-number",
  });
  // 3. Create a SHAKEN/STIR Trust Product; 4. connect it to the Business Profile
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email: j.TRUST_PRODUCT_EMAIL,
    friendlyName: j.TRUST_PRODUCT_FRIENDLY_NAME,
    policySid: j.POLICIES.shakenStir,
  });
  const products = client.trusthub.v1.trustProducts(trustProduct.sid);
  await products.trustProductsEntityAssignments.create({ objectSid: primary });
  // 6. Submit your SHAKEN/STIR Trust Product for vetting
  assert.equal((await products.update({ status: "pending-review" })).status, "pending-review");
  await j.waitForStatus(products, "in-review");
  // 5. Assign phone numbers to your SHAKEN/STIR Trust Product, while it is in review
  const endpoint = await products.trustProductsChannelEndpointAssignment.create({
    channelEndpointSid: number.sid,
    channelEndpointType: "phone-number",
  });
  assert.equal(endpoint.channelEndpointSid, number.sid);
  assert.equal((await j.waitDecided(products, "twilio-approved", operator)).errors, null);
  assert.deepEqual((await products.trustProductsChannelEndpointAssignment.list()).map((e) => e.channelEndpointSid), [number.sid]);
});
