"use strict";
// The Starter Customer Profile for a direct customer (Toll-Free verification uses it too).
// Guide: https://www.twilio.com/docs/trust-hub/trusthub-rest-api/api-create-a-starter-profile
//
// The page's prerequisite ("a Primary Customer Profile in the same account ... in TWILIO_APPROVED
// state") and its steps: create the Starter profile (RN806dd6cd175f314e1f96a9727ee271f4), its end
// user, the Address and supporting document, assign them and the Primary, evaluate, submit. The
// page's own sample values could not be read in full; the values are those of the Sole Proprietor
// guide's Starter steps (same policy, same calls). The Primary is created in the Console: the
// operator API stands in for it.
//
// Toll-Free: the verification itself is the Messaging API (outside TrustHub) and takes the
// Starter profile's SID; the Toll Free trust product (RNa282dd7f3dbef8586501ca2e045e764c) is our
// catalog's choice (catalog/README.md), checked here to accept the Starter profile. The last test
// covers our choice for the direct Sole Proprietor path (Console-only at Twilio): the individual
// Primary profile and the Starter A2P trust product for direct customers.
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");
const g = require("./a2p_guide");

const TOLL_FREE_POLICY = "RNa282dd7f3dbef8586501ca2e045e764c";
const INDIVIDUAL_PRIMARY_POLICY = "RNffcb02a20420c81caf596ffc44f69712";
const STARTER_A2P_DIRECT_POLICY = "RN63da8244384cf0401c39f5f91e674db5";
const STARTER_INFORMATION = {
  email: "starter-profile-enduser@example.com", first_name: "John", last_name: "Doe", phone_number: "+11234567890",
};

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Prerequisite: the direct customer's Primary, submitted in the Console (operator stand-in) and
    // NOT approved yet: the first test sees the difference.
    const address = await j.createAddress(ctx.client, { customerName: "Primary business" });
    ctx.primary = await j.primaryProfileStandin(ctx.operator, ctx.client, ctx.accountSid, {
      businessInformation: { ...j.GUIDE_BUSINESS_INFORMATION, business_name: "Primary business" },
      authorizedRepresentative: j.GUIDE_AUTHORIZED_REPRESENTATIVE,
      addressSid: address.sid,
    });
  },
});

/** The page's steps up to the evaluation; resolves to the draft Starter profile's SID. */
async function starterProfile(client, primarySid, email = "johndoe@example.com") {
  const th = client.trusthub.v1;
  const profile = await th.customerProfiles.create({
    email, friendlyName: "John Doe Starter Customer Profile Bundle", policySid: g.STARTER_POLICY,
  });
  const endUser = await th.endUsers.create({
    attributes: STARTER_INFORMATION, friendlyName: "Starter Profile End User", type: "starter_customer_profile_information",
  });
  const address = await client.addresses.create({
    city: "Example City", customerName: "John Doe", isoCountry: "US", postalCode: "12345", region: "CA",
    street: "123 Example Street", streetSecondary: "Apt B",
  });
  const document = await th.supportingDocuments.create({
    attributes: { address_sids: address.sid }, friendlyName: "SP Document Address", type: "customer_profile_address",
  });
  for (const objectSid of [endUser.sid, document.sid, primarySid]) {
    await th.customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid });
  }
  return j.assertSid("BU", profile.sid);
}

const evaluate = (client, bu) => client.trusthub.v1.customerProfiles(bu).customerProfilesEvaluations.create({ policySid: g.STARTER_POLICY });

test("the Primary must be approved; then the Starter profile reaches twilio-approved (and Toll Free takes it)", async () => {
  const { client, operator, primary } = ctx;
  const starter = await starterProfile(client, primary);
  const evaluation = await evaluate(client, starter);
  assert.equal(evaluation.status, "noncompliant");
  const failed = evaluation.results.filter((r) => !r.passed);
  assert.deepEqual(failed.map((r) => r.requirement_name), ["primary_customer_profile"]);
  assert.match(failed[0].failure_reason, /twilio-approved/);
  await g.settle(client.trusthub.v1.customerProfiles(primary), "twilio-approved", operator);
  assert.equal((await evaluate(client, starter)).status, "compliant");
  const cp = client.trusthub.v1.customerProfiles(starter);
  assert.equal((await cp.update({ status: "pending-review" })).status, "pending-review");
  const approved = await g.settle(cp, "twilio-approved", operator);
  assert.equal(approved.errors, null);
  assert.ok(approved.validUntil);

  const tf = await client.trusthub.v1.trustProducts.create({
    friendlyName: "John Doe Toll-Free", email: "johndoe@example.com", policySid: TOLL_FREE_POLICY,
  });
  const tps = client.trusthub.v1.trustProducts(tf.sid);
  await tps.trustProductsEntityAssignments.create({ objectSid: starter });
  assert.equal((await tps.trustProductsEvaluations.create({ policySid: TOLL_FREE_POLICY })).status, "compliant");
  await tps.update({ status: "pending-review" });
  assert.equal((await g.settle(tps, "twilio-approved", operator)).errors, null);
});

test("rejected, fixed and resubmitted", async () => {
  const { client, operator, primary } = ctx;
  await g.settle(client.trusthub.v1.customerProfiles(primary), "twilio-approved", operator);
  // An email the reviewer rejects (README, "The vetting pipeline": 18606).
  const starter = await starterProfile(client, primary, "reject-johndoe@example.com");
  const cp = client.trusthub.v1.customerProfiles(starter);
  assert.equal((await evaluate(client, starter)).status, "compliant");
  await cp.update({ status: "pending-review" });
  assert.deepEqual((await g.settle(cp, "twilio-rejected", operator)).errors, [{ code: 18606 }]);
  assert.equal((await cp.update({ email: "johndoe@example.com" })).email, "johndoe@example.com");
  assert.equal((await cp.update({ status: "pending-review" })).errors, null);
  assert.equal((await g.settle(cp, "twilio-approved", operator)).errors, null);
});

test("individual Primary and Starter A2P for direct customers (our catalog's choice)", async () => {
  const { operator, makeClient } = ctx;
  const account = await operator.createAccount("John Doe");
  const client = makeClient(account.sid, account.auth_token);
  const profile = await operator.createCustomerProfile(account.sid, {
    friendlyName: "John Doe", email: "johndoe@example.com", policySid: INDIVIDUAL_PRIMARY_POLICY,
  });
  const individual = await client.trusthub.v1.endUsers.create({
    type: "individual_customer_profile_information", friendlyName: "John Doe",
    attributes: { first_name: "John", last_name: "Doe", email: "johndoe@example.com", phone_number: "+11234567890" },
  });
  const address = await j.createAddress(client, { customerName: "John Doe" });
  const document = await client.trusthub.v1.supportingDocuments.create({
    type: "customer_profile_address", friendlyName: "John Doe address", attributes: { address_sids: address.sid },
  });
  const cp = client.trusthub.v1.customerProfiles(profile.sid);
  for (const objectSid of [individual.sid, document.sid]) await cp.customerProfilesEntityAssignments.create({ objectSid });
  assert.equal((await cp.customerProfilesEvaluations.create({ policySid: INDIVIDUAL_PRIMARY_POLICY })).status, "compliant");
  await cp.update({ status: "pending-review" });
  assert.equal((await g.settle(cp, "twilio-approved", operator)).errors, null);

  const bundle = await client.trusthub.v1.trustProducts.create({
    friendlyName: "John Doe Starter A2P", email: "johndoe@example.com", policySid: STARTER_A2P_DIRECT_POLICY,
  });
  const sole = await client.trusthub.v1.endUsers.create({
    type: "sole_proprietor_information", friendlyName: "John Doe",
    attributes: { brand_name: "John Doe", vertical: "COMMUNICATION", mobile_phone_number: "+11234567890" },
  });
  const tps = client.trusthub.v1.trustProducts(bundle.sid);
  await tps.trustProductsEntityAssignments.create({ objectSid: sole.sid });
  assert.equal((await tps.trustProductsEvaluations.create({ policySid: STARTER_A2P_DIRECT_POLICY })).status, "noncompliant");
  await tps.trustProductsEntityAssignments.create({ objectSid: profile.sid });
  assert.equal((await tps.trustProductsEvaluations.create({ policySid: STARTER_A2P_DIRECT_POLICY })).status, "compliant");
  await tps.update({ status: "pending-review" });
  assert.equal((await g.settle(tps, "twilio-approved", operator)).errors, null);
});
