"use strict";
// A2P 10DLC Sole Proprietor brands for ISVs: the TrustHub part (Starter Customer Profile and Sole
// Proprietor A2P Trust Bundle).
// Guide: https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api-sole-prop-new
//
// Steps 1.1-1.8 and 2.1-2.6 in the guide's order with its sample values; step 1.9 is the guide's
// remediation after a rejection (fix, resubmit). The guide advises not to wait for the Starter
// Profile's approval before the Trust Bundle, so the bundle is submitted while the profile is
// still under review. Steps 3-6 follow: the Sole Proprietor brand and its OTP (the mobile owner's
// "YES" reply: the operator API stands in for the SMS), the Messaging Service, the SOLE_PROPRIETOR
// campaign (failed once on a review trigger, edited and resubmitted) and a number in the service,
// to a VERIFIED campaign. The ISV's Primary Customer Profile is created in the Console: the
// operator API stands in for it.
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");
const g = require("./a2p_guide");

const STARTER_INFORMATION = {
  email: "starter-profile-enduser@example.com",
  first_name: "John",
  last_name: "Doe",
  phone_number: "+11234567890",
};
const SOLE_PROPRIETOR_INFORMATION = { brand_name: "John Doe", vertical: "COMMUNICATION", mobile_phone_number: "+11234567890" };

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Prerequisite: the ISV's Primary Customer Profile, APPROVED, "ISV Reseller or Partner".
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "isv_reseller_or_partner");
  },
});

/** Steps 1.1-1.8; the Starter Customer Profile ends pending-review. */
async function starterProfileSteps(client, primarySid, email = "johndoe@example.com") {
  const th = client.trusthub.v1;
  // 1.1 Fetch the Starter Customer Profile Policy
  const policy = await th.policies(g.STARTER_POLICY).fetch();
  assert.equal(policy.friendlyName, "Starter Customer Profile of type Business");
  // 1.2 Create an Empty Starter Customer Profile Bundle
  const profile = await th.customerProfiles.create({
    email, friendlyName: "John Doe Starter Customer Profile Bundle", policySid: g.STARTER_POLICY,
  });
  const bu = j.assertSid("BU", profile.sid);
  const cp = th.customerProfiles(bu);
  // 1.3 Create an end-user object with the type starter_customer_profile_information
  const endUser = await th.endUsers.create({
    attributes: STARTER_INFORMATION, friendlyName: "Starter Profile End User", type: "starter_customer_profile_information",
  });
  // 1.4 Create a supporting document: customer_profile_address (first the Address)
  const address = await client.addresses.create({
    city: "Example City", customerName: "John Doe", isoCountry: "US", postalCode: "12345", region: "CA",
    street: "123 Example Street", streetSecondary: "Apt B",
  });
  // 1.5 Create a Supporting Document with the Address from Step 1.4
  const document = await th.supportingDocuments.create({
    attributes: { address_sids: address.sid }, friendlyName: "SP Document Address", type: "customer_profile_address",
  });
  // 1.6.1-1.6.3 Attach the end-user, the supporting document and the Primary Customer Profile
  for (const objectSid of [endUser.sid, document.sid, primarySid]) {
    assert.equal((await cp.customerProfilesEntityAssignments.create({ objectSid })).objectSid, objectSid);
  }
  // 1.7 Evaluate the Starter Customer Profile
  const evaluation = await cp.customerProfilesEvaluations.create({ policySid: g.STARTER_POLICY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  // 1.8 Submit the Starter Customer Profile for review
  assert.equal((await cp.update({ status: "pending-review" })).status, "pending-review");
  return bu;
}

/** Steps 2.1-2.6; resolves to the submitted Sole Proprietor A2P Trust Bundle's SID. */
async function soleProprietorBundleSteps(client, starterSid) {
  const th = client.trusthub.v1;
  // 2.1 Fetch the Sole Proprietor A2P Trust Bundle policy
  assert.equal((await th.policies(g.SOLE_PROPRIETOR_POLICY).fetch()).friendlyName, "Sole Proprietor TrustProduct");
  // 2.2 Create an empty Sole Proprietor A2P Trust Bundle
  const bundle = await th.trustProducts.create({
    email: "johndoe@example.com", friendlyName: "John Doe Sole Proprietor A2P Trust Bundle", policySid: g.SOLE_PROPRIETOR_POLICY,
  });
  const tps = th.trustProducts(j.assertSid("BU", bundle.sid));
  // 2.3 Create end-user object with the type sole_proprietor_information
  const endUser = await th.endUsers.create({
    attributes: SOLE_PROPRIETOR_INFORMATION, friendlyName: "Sole Proprietor A2P Trust Bundle End User", type: "sole_proprietor_information",
  });
  // 2.4.1 / 2.4.2 Attach the end-user and the Starter Customer Profile
  for (const objectSid of [endUser.sid, starterSid]) {
    assert.equal((await tps.trustProductsEntityAssignments.create({ objectSid })).objectSid, objectSid);
  }
  // 2.5 Evaluate (the Starter Profile is under review: that counts)
  const evaluation = await tps.trustProductsEvaluations.create({ policySid: g.SOLE_PROPRIETOR_POLICY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  // 2.6 Submit the Sole Proprietor A2P Trust Bundle for review
  assert.equal((await tps.update({ status: "pending-review" })).status, "pending-review");
  return bundle.sid;
}

test("the guide reaches twilio-approved", async () => {
  const { client, operator, primary } = ctx;
  const starter = await starterProfileSteps(client, primary);
  const tp = await soleProprietorBundleSteps(client, starter);
  assert.equal((await g.settle(client.trusthub.v1.customerProfiles(starter), "twilio-approved", operator)).errors, null);
  const product = await g.settle(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(product.errors, null);
  assert.ok(product.validUntil);
  // 3. The Sole Proprietor brand; approved, its identity waits for the OTP.
  const bn = await g.brandSteps(client, operator, starter, tp, { brandType: "SOLE_PROPRIETOR" });
  const brand = client.messaging.v1.brandRegistrations(bn);
  assert.equal((await brand.fetch()).identityStatus, "UNVERIFIED");
  // 3.x The mobile number's owner replies YES to the OTP (the operator API stands in).
  await operator.call("POST", `/admin/v1/BrandRegistrations/${bn}/OtpReply`, 200, { Body: "YES" });
  assert.equal((await brand.fetch()).identityStatus, "VERIFIED");
  // 4. The Messaging Service, 5. the SOLE_PROPRIETOR campaign: rejected once, resubmitted.
  const mg = await g.messagingServiceSteps(client);
  const failed = await g.campaignSteps(client, operator, mg, bn, "SOLE_PROPRIETOR", { description: g.FAILING_DESCRIPTION });
  assert.deepEqual(failed.errors.map((e) => e.error_code), [30893]);
  const campaign = await g.resubmitCampaign(client, operator, mg, failed.sid);
  // 6. Its one number.
  const number = await g.phoneNumberSteps(client, mg);
  await g.assertVerified(client, mg, campaign, number);
  assert.equal(campaign.usAppToPersonUsecase, "SOLE_PROPRIETOR");
});

test("the mobile number must be US or Canadian", async () => {
  const { client } = ctx;
  const endUser = await client.trusthub.v1.endUsers.create({
    attributes: { ...SOLE_PROPRIETOR_INFORMATION, mobile_phone_number: "+447700900123" },
    friendlyName: "Sole Proprietor A2P Trust Bundle End User", type: "sole_proprietor_information",
  });
  const bundle = await client.trusthub.v1.trustProducts.create({
    email: "johndoe@example.com", friendlyName: "John Doe Sole Proprietor A2P Trust Bundle", policySid: g.SOLE_PROPRIETOR_POLICY,
  });
  const tps = client.trusthub.v1.trustProducts(bundle.sid);
  await tps.trustProductsEntityAssignments.create({ objectSid: endUser.sid });
  const evaluation = await tps.trustProductsEvaluations.create({ policySid: g.SOLE_PROPRIETOR_POLICY });
  assert.equal(evaluation.status, "noncompliant");
  assert.ok("mobile_phone_number" in g.failedFields(evaluation));
});

test("rejected, remediated (1.9) and resubmitted", async () => {
  const { client, operator, primary } = ctx;
  // An email the reviewer rejects (README, "The vetting pipeline": 18606) on the profile.
  const starter = await starterProfileSteps(client, primary, "reject-johndoe@example.com");
  const tp = await soleProprietorBundleSteps(client, starter);
  const cp = client.trusthub.v1.customerProfiles(starter);
  assert.deepEqual((await g.settle(cp, "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  assert.deepEqual((await g.settle(client.trusthub.v1.trustProducts(tp), "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  assert.equal((await cp.update({ email: "johndoe@example.com" })).email, "johndoe@example.com");
  assert.equal((await cp.update({ status: "pending-review" })).errors, null);
  assert.equal((await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review" })).status, "pending-review");
  assert.equal((await g.settle(cp, "twilio-approved", operator)).errors, null);
  assert.equal((await g.settle(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator)).errors, null);
});
