"use strict";
// A2P 10DLC, Standard and Low-Volume Standard brands for ISVs: the TrustHub part.
// Guide: https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api
//
// Steps 1.1-1.11 (Secondary Customer Profile) and 2.1-2.6 (A2P Trust Product) in the guide's order
// with its sample values, run with the customer's (sub)account credentials as the guide says.
// Standard and Low-Volume Standard brands make the same TrustHub calls; they differ at step 3 (a
// Low-Volume Standard brand skips secondary vetting: skipAutomaticSecVet) and in the campaign's use
// case. Steps 3-6 follow: the brand, the Messaging Service, the campaign (its use cases first), a
// number in the service, to a VERIFIED campaign. Private and public companies differ at step 2.2. The ISV's Primary Business Profile is created in the Console: the operator
// API stands in for it (approvedPrimaryProfile).
const assert = require("node:assert/strict");
const { after, test } = require("node:test");
const j = require("./journey");
const g = require("./a2p_guide");

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Before you begin: the ISV's Primary Business Profile, "ISV Reseller or Partner", Twilio Approved.
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "isv_reseller_or_partner");
    ctx.callbacks = await new j.CallbackReceiver().start();
  },
});
after(() => ctx.callbacks?.close());

/** The customer's account: a subaccount of the ISV, with its own credentials. */
async function customer() {
  return (await j.createSubaccount(ctx.client, ctx.makeClient, "Acme, Inc.")).subClient;
}

async function approve(sub, secondary, tp) {
  const profile = await g.settle(sub.trusthub.v1.customerProfiles(secondary), "twilio-approved", ctx.operator);
  assert.equal(profile.errors, null);
  const product = await g.settle(sub.trusthub.v1.trustProducts(tp), "twilio-approved", ctx.operator);
  assert.equal(product.errors, null);
  assert.ok(product.validUntil);
}

test("private company", async () => {
  const sub = await customer();
  const { profile: secondary } = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url);
  // 2.2 for a company that is not public: "omit the stock_ticker and stock_exchange properties".
  const made = await g.a2pTrustProductSteps(sub, secondary, { company_type: "private" });
  await g.submitTrustProduct(sub, made.trustProduct);
  await approve(sub, secondary, made.trustProduct);
  await ctx.callbacks.waitFor(secondary, "twilio-approved");
  // 3. The Standard brand, 4. its Messaging Service, 5. its campaign, 6. a number.
  const bn = await g.brandSteps(sub, ctx.operator, secondary, made.trustProduct);
  const brand = await sub.messaging.v1.brandRegistrations(bn).fetch();
  assert.deepEqual([brand.brandType, brand.identityStatus], ["STANDARD", "VETTED_VERIFIED"]);
  const mg = await g.messagingServiceSteps(sub);
  const campaign = await g.campaignSteps(sub, ctx.operator, mg, bn, "MARKETING");
  const number = await g.phoneNumberSteps(sub, mg);
  await g.assertVerified(sub, mg, campaign, number);
  assert.equal(campaign.rateLimits.tmobile.brand_tier, "TOP");
});

test("low-volume standard: the campaign fails, is edited and resubmitted", async () => {
  const sub = await customer();
  const { profile: secondary } = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url);
  const made = await g.a2pTrustProductSteps(sub, secondary, { company_type: "private" });
  await g.submitTrustProduct(sub, made.trustProduct);
  await approve(sub, secondary, made.trustProduct);
  // 3. A Low-Volume Standard brand: secondary vetting skipped.
  const bn = await g.brandSteps(sub, ctx.operator, secondary, made.trustProduct, { skipAutomaticSecVet: true });
  assert.equal((await sub.messaging.v1.brandRegistrations(bn).fetch()).skipAutomaticSecVet, true);
  const mg = await g.messagingServiceSteps(sub);
  // 5. A Low Volume Mixed campaign whose description the review rejects (30893) ...
  const failed = await g.campaignSteps(sub, ctx.operator, mg, bn, "LOW_VOLUME", { description: g.FAILING_DESCRIPTION });
  assert.equal(failed.campaignStatus, "FAILED");
  assert.deepEqual(failed.errors.map((e) => [e.error_code, e.fields]), [[30893, ["DESCRIPTION"]]]);
  assert.equal((await sub.messaging.v1.services(mg).fetch()).usAppToPersonRegistered, false);
  // ... edited and resubmitted (the campaign troubleshooting guide: edit a FAILED campaign).
  const campaign = await g.resubmitCampaign(sub, ctx.operator, mg, failed.sid);
  const number = await g.phoneNumberSteps(sub, mg);
  await g.assertVerified(sub, mg, campaign, number);
  assert.equal(campaign.rateLimits.tmobile.brand_tier, "LOW");
});

test("public company", async () => {
  const sub = await customer();
  const { profile: secondary } = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url);
  // 2.2 with the guide's sample (a public company). The guide: "The brand_contact_email needs to be
  // provided ... for public, for profit brands", which its sample omits: step 2.5 says so.
  const made = await g.a2pTrustProductSteps(sub, secondary, g.ACME_PUBLIC_MESSAGING_PROFILE, { expect: "noncompliant" });
  assert.ok("brand_contact_email" in g.failedFields(made.evaluation));
  const withEmail = { ...g.ACME_PUBLIC_MESSAGING_PROFILE, brand_contact_email: g.ACME_AUTHORIZED_REPRESENTATIVE.email };
  await sub.trusthub.v1.endUsers(made.endUser).update({ attributes: withEmail });
  const evaluation = await sub.trusthub.v1.trustProducts(made.trustProduct).trustProductsEvaluations.create({ policySid: g.A2P_POLICY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  await g.submitTrustProduct(sub, made.trustProduct);
  await approve(sub, secondary, made.trustProduct);
});

test("a public company without stock exchange and ticker is noncompliant", async () => {
  const sub = await customer();
  const { profile: secondary } = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url);
  const made = await g.a2pTrustProductSteps(sub, secondary, { company_type: "public" }, { expect: "noncompliant" });
  const failed = Object.keys(g.failedFields(made.evaluation));
  for (const f of ["stock_exchange", "stock_ticker", "brand_contact_email"]) assert.ok(failed.includes(f), `${f} in ${failed}`);
});

test("a rejected profile is fixed and resubmitted", async () => {
  const sub = await customer();
  // A business name the reviewer rejects (README, "The vetting pipeline": 18601).
  const made = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url, {
    businessInformation: { ...g.ACME_BUSINESS_INFORMATION, business_name: "Acme, Inc. REJECT" },
  });
  const { trustProduct: tp } = await g.a2pTrustProductSteps(sub, made.profile, { company_type: "private" });
  await g.submitTrustProduct(sub, tp);
  const profile = await g.settle(sub.trusthub.v1.customerProfiles(made.profile), "twilio-rejected", ctx.operator);
  assert.deepEqual(profile.errors, [{ code: 18601 }]);
  await ctx.callbacks.waitFor(made.profile, "twilio-rejected");
  // The trust product follows its customer profile.
  assert.deepEqual((await g.settle(sub.trusthub.v1.trustProducts(tp), "twilio-rejected", ctx.operator)).errors, [{ code: 18601 }]);
  // Fix the business information, resubmit the profile, then the trust product.
  await sub.trusthub.v1.endUsers(made.businessInformation).update({ attributes: g.ACME_BUSINESS_INFORMATION });
  const again = await sub.trusthub.v1.customerProfiles(made.profile).update({ status: "pending-review" });
  assert.deepEqual([again.status, again.errors], ["pending-review", null]);
  await g.submitTrustProduct(sub, tp);
  await approve(sub, made.profile, tp);
});

