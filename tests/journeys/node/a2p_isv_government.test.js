"use strict";
// A2P 10DLC for ISVs registering a government organization: the TrustHub part.
// Guides: https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-for-government-and-non-profit-agencies
// (section "ISV - Registering a government organization") applied to
// https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api (steps 1.1-2.6).
//
// The ISV guide's calls in its order with its sample values, except the values the
// government/nonprofit page prescribes: business_type, business_industry (step 1.2) and
// company_type (step 2.2). The ISV's Primary Business Profile is created in the Console: the
// operator API stands in for it (approvedPrimaryProfile).
const assert = require("node:assert/strict");
const { after, test } = require("node:test");
const j = require("./journey");
const g = require("./a2p_guide");

const BUSINESS_INFORMATION = {
  ...g.ACME_BUSINESS_INFORMATION,
  business_type: g.GOVERNMENT.business_type,
  business_industry: g.GOVERNMENT.business_industry,
};
const MESSAGING_PROFILE = { company_type: g.GOVERNMENT.company_type };

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Before you begin: the ISV's Primary Business Profile (Console-only: the operator API stands in).
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "isv_reseller_or_partner");
    ctx.callbacks = await new j.CallbackReceiver().start();
  },
});
after(() => ctx.callbacks?.close());

async function customer() {
  return (await j.createSubaccount(ctx.client, ctx.makeClient, "Acme, Inc.")).subClient;
}

test("the guide reaches twilio-approved", async () => {
  const sub = await customer();
  const { profile } = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url, { businessInformation: BUSINESS_INFORMATION });
  const made = await g.a2pTrustProductSteps(sub, profile, MESSAGING_PROFILE);
  // The evaluation passes on the company_type value the page prescribes.
  assert.ok(made.evaluation.results.every((r) => r.passed));
  await g.submitTrustProduct(sub, made.trustProduct);
  assert.equal((await g.settle(sub.trusthub.v1.customerProfiles(profile), "twilio-approved", ctx.operator)).errors, null);
  const product = await g.settle(sub.trusthub.v1.trustProducts(made.trustProduct), "twilio-approved", ctx.operator);
  assert.equal(product.errors, null);
  assert.deepEqual((await sub.trusthub.v1.endUsers(made.endUser).fetch()).attributes, MESSAGING_PROFILE);
});

test("other spellings of company_type are refused", async () => {
  const sub = await customer();
  const { profile } = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url, { businessInformation: BUSINESS_INFORMATION });
  const made = await g.a2pTrustProductSteps(sub, profile, { company_type: "Non-Profit" }, { expect: "noncompliant" });
  const reasons = Object.values(g.failedFields(made.evaluation));
  assert.ok(reasons.some((r) => (r || "").includes("Non-Profit")), JSON.stringify(reasons));
});

test("rejected, fixed and resubmitted", async () => {
  const sub = await customer();
  // An authorized representative the reviewer rejects (README, "The vetting pipeline": 18604).
  const made = await g.secondaryCustomerProfileSteps(sub, ctx.primary, ctx.callbacks.url, { businessInformation: BUSINESS_INFORMATION, authorizedRepresentative: { ...g.ACME_AUTHORIZED_REPRESENTATIVE, last_name: "Doe REJECT" } });
  const { trustProduct: tp } = await g.a2pTrustProductSteps(sub, made.profile, MESSAGING_PROFILE);
  await g.submitTrustProduct(sub, tp);
  const cp = sub.trusthub.v1.customerProfiles(made.profile);
  assert.deepEqual((await g.settle(cp, "twilio-rejected", ctx.operator)).errors, [{ code: 18604 }]);
  assert.deepEqual((await g.settle(sub.trusthub.v1.trustProducts(tp), "twilio-rejected", ctx.operator)).errors, [{ code: 18604 }]);
  await ctx.callbacks.waitFor(made.profile, "twilio-rejected");
  // Fix the rejected value and resubmit the profile, then the trust product.
  await sub.trusthub.v1.endUsers(made.representative).update({ attributes: g.ACME_AUTHORIZED_REPRESENTATIVE });
  assert.equal((await cp.update({ status: "pending-review" })).errors, null);
  const evaluation = await sub.trusthub.v1.trustProducts(tp).trustProductsEvaluations.create({ policySid: g.A2P_POLICY });
  assert.equal(evaluation.status, "compliant");
  await g.submitTrustProduct(sub, tp);
  assert.equal((await g.settle(cp, "twilio-approved", ctx.operator)).errors, null);
  assert.equal((await g.settle(sub.trusthub.v1.trustProducts(tp), "twilio-approved", ctx.operator)).errors, null);
});
