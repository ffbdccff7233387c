"use strict";
// Branded Calling through v1 Trust Products (US Enhanced, US Basic, UK).
// Sources: Twilio's published Branded Calling regulations and registration samples
// (github.com/twilio-samples/api-snippets, compliance/v4/regulations/branded-calling and
// compliance/v4/registrations/branded-calling) and https://www.twilio.com/docs/voice/branded-calling/us-enhanced
// (display name at most 35 characters, call reason at most 64, logo). Twilio's API walkthrough uses
// the newer Compliance Registrations API; onboarding through v1 Trust Products is done in the
// Console and has no API walkthrough. These journeys make the v1 calls a user makes for the same
// data: Twilio's sample registration values as v1 end users and documents of the policy, in the
// regulation's order, then the number, evaluation and submit. The Primary Business Profile is
// created in the Console: the operator API stands in for it.
const assert = require("node:assert/strict");
const { after, test } = require("node:test");
const j = require("./journey");
const g = require("./a2p_guide");

const ENHANCED_US = "RNa0b74679be7511921f4d2e3094fa6d23";
const BASIC_US = "RNca63d1066fbd5e44eac02d0b3cf6d019";
const UK = "RN304faa2408f673b68867fe5cb65b7f50";
const STATUS_NOTIFICATION_EMAIL = "notifcation@email.com"; // sic, Twilio's sample

// create-us-ctia-registration (Enhanced US): the regulation's sections as v1 end users.
const BRANDED_CALLER = {
  branded_calls_display_name: "Brand Display Name", branded_calls_call_reason: "Call Reason",
  branded_calls_logo_url: "https://www.logo.example.com",
};
const AUTHORIZED_REPRESENTATIVE_1 = {
  first_name: "Bob", last_name: "Smith", email: "bsmith@email.com", phone_number: "+19832979578", job_position: "CEO",
};
const BUSINESS = {
  business_name: "Business Name", business_type: "Partnership", business_identity: "direct_customer", is_subassigned: "NO",
  business_registration_number: "123456789", business_registration_identifier: "EIN", business_industry: "RAW_MATERIALS",
  business_website: "https://www.wesbite.example.com" /* sic */, business_employee_count: 1000,
};
const USE_CASE = {
  category: "HIGHER_EDUCATION", use_case_description: "UseCase description", consent_description: "Consent description",
  call_volume_daily: 100, category_apple: "Optional category",
};
const AUTHORIZED_CONTACT = { first_name: "John", last_name: "Doe", mobile_phone_number: "+19318339216", verification_email: "johndoe@email.com" };
const ENHANCED_SECTIONS = {
  branded_calls_information: BRANDED_CALLER, authorized_representative_1: AUTHORIZED_REPRESENTATIVE_1,
  business: BUSINESS, use_case: USE_CASE, authorized_contact: AUTHORIZED_CONTACT,
};

const ctx = j.useServer({
  args: j.SERVER_ARGS,
  setup: async (ctx) => {
    // Before you begin: an approved Primary Business Profile (Console-only: operator stand-in).
    ctx.primary = await j.approvedPrimaryProfile(ctx.operator, ctx.client, ctx.accountSid, "direct_customer");
    ctx.callbacks = await new j.CallbackReceiver().start();
  },
});
after(() => ctx.callbacks?.close());

/** The trust product, its end users and documents, the Primary and a number, assigned. */
async function brandedTrustProduct(policySid, sections, { documents = true, statusCallback } = {}) {
  const { client, primary } = ctx;
  const th = client.trusthub.v1;
  const tp = await th.trustProducts.create({
    friendlyName: "Registration friendlyName", email: STATUS_NOTIFICATION_EMAIL, policySid, statusCallback,
  });
  const tps = th.trustProducts(j.assertSid("BU", tp.sid));
  const made = {};
  for (const [type, attributes] of Object.entries(sections)) {
    made[type] = (await th.endUsers.create({ type, friendlyName: `Registration friendlyName ${type}`, attributes })).sid;
  }
  const objects = Object.values(made);
  if (documents) {
    const address = await j.createAddress(client, { customerName: "Business Name" });
    objects.push((await th.supportingDocuments.create({
      type: "business_address", friendlyName: "Business address", attributes: { address_sids: address.sid },
    })).sid);
    objects.push((await th.supportingDocuments.create({ type: "letter_of_authorization", friendlyName: "letter of auth doc" })).sid);
  }
  for (const objectSid of [...objects, primary]) await tps.trustProductsEntityAssignments.create({ objectSid });
  const number = await j.buyNumber(client);
  await th.customerProfiles(primary).customerProfilesChannelEndpointAssignment.create({
    channelEndpointType: "phone-number", channelEndpointSid: number.sid,
  });
  await tps.trustProductsChannelEndpointAssignment.create({ channelEndpointType: "phone-number", channelEndpointSid: number.sid });
  return { tp: tp.sid, made, number: number.sid };
}

const evaluate = (tp, policySid) => ctx.client.trusthub.v1.trustProducts(tp).trustProductsEvaluations.create({ policySid });

test("the policies carry Twilio's names", async () => {
  const names = {};
  for (const sid of [ENHANCED_US, BASIC_US, UK]) names[sid] = (await ctx.client.trusthub.v1.policies(sid).fetch()).friendlyName;
  assert.deepEqual(names, {
    [ENHANCED_US]: "Enhanced Branded Calling - US", [BASIC_US]: "Basic Branded Calling - US", [UK]: "Branded Calling - UK",
  });
});

test("Enhanced US reaches twilio-approved; a number is branded once", async () => {
  const { client, operator, callbacks } = ctx;
  const { tp, number } = await brandedTrustProduct(ENHANCED_US, ENHANCED_SECTIONS, { statusCallback: callbacks.url });
  const evaluation = await evaluate(tp, ENHANCED_US);
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  assert.equal((await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review" })).status, "pending-review");
  const approved = await g.settle(client.trusthub.v1.trustProducts(tp), "twilio-approved", operator);
  assert.equal(approved.errors, null);
  assert.ok(approved.validUntil);
  await callbacks.waitFor(tp, "twilio-approved");
  const other = await brandedTrustProduct(ENHANCED_US, { branded_calls_information: BRANDED_CALLER }, { documents: false });
  const e = await j.expectRestError(409, 20409, client.trusthub.v1.trustProducts(other.tp).trustProductsChannelEndpointAssignment.create({
    channelEndpointType: "phone-number", channelEndpointSid: number,
  }));
  assert.ok(e.message.includes(tp), e.message);
});

test("Enhanced US requires its required items", async () => {
  const { tp } = await brandedTrustProduct(ENHANCED_US, { branded_calls_information: BRANDED_CALLER }, { documents: false });
  const evaluation = await evaluate(tp, ENHANCED_US);
  assert.equal(evaluation.status, "noncompliant");
  const failed = evaluation.results.filter((r) => !r.passed).map((r) => r.requirement_name).sort();
  assert.deepEqual(failed, ["authorized_representative_1", "business", "business_address", "letter_of_authorization", "use_case"]);
});

test("display name rules follow the policy", async () => {
  const longName = { branded_calls_display_name: "Brand Display Name" }; // 18 characters
  assert.equal((await evaluate((await brandedTrustProduct(BASIC_US, { branded_calls_information: longName })).tp, BASIC_US)).status, "noncompliant");
  for (const bad of ["1BLUEFIN", "BLUE-FIN!", "BLUEFIN & CO"]) {
    const { tp } = await brandedTrustProduct(BASIC_US, { branded_calls_information: { branded_calls_display_name: bad } });
    assert.equal((await evaluate(tp, BASIC_US)).status, "noncompliant", bad);
  }
  // create-us-oob-registration's values pass Basic US.
  const ok = await brandedTrustProduct(BASIC_US, { branded_calls_information: {
    branded_calls_display_name: "Brand Name", branded_calls_long_display_name: "Brand long name" } });
  assert.equal((await evaluate(ok.tp, BASIC_US)).status, "compliant");
  // UK: at most 32 characters; registration identifier CRN allowed.
  const ukSections = { ...ENHANCED_SECTIONS, branded_calls_information: longName,
    business: { ...BUSINESS, business_registration_identifier: "CRN" } };
  const uk = await brandedTrustProduct(UK, ukSections);
  assert.equal((await evaluate(uk.tp, UK)).status, "compliant");
  await ctx.client.trusthub.v1.endUsers(uk.made.branded_calls_information).update({ attributes: { branded_calls_display_name: "B".repeat(33) } });
  assert.equal((await evaluate(uk.tp, UK)).status, "noncompliant");
  // Enhanced US accepts only EIN and DUNS.
  const enhanced = await brandedTrustProduct(ENHANCED_US, { ...ENHANCED_SECTIONS, business: ukSections.business });
  assert.equal((await evaluate(enhanced.tp, ENHANCED_US)).status, "noncompliant");
});

test("rejected, fixed and resubmitted", async () => {
  const { client, operator } = ctx;
  // An authorized representative the reviewer rejects (README, "The vetting pipeline": 18604).
  const { tp, made } = await brandedTrustProduct(ENHANCED_US, {
    ...ENHANCED_SECTIONS, authorized_representative_1: { ...AUTHORIZED_REPRESENTATIVE_1, last_name: "Smith REJECT" },
  });
  const tps = client.trusthub.v1.trustProducts(tp);
  await tps.update({ status: "pending-review" });
  assert.deepEqual((await g.settle(tps, "twilio-rejected", operator)).errors, [{ code: 18604 }]);
  await client.trusthub.v1.endUsers(made.authorized_representative_1).update({ attributes: AUTHORIZED_REPRESENTATIVE_1 });
  assert.equal((await evaluate(tp, ENHANCED_US)).status, "compliant");
  assert.equal((await tps.update({ status: "pending-review" })).errors, null);
  assert.equal((await g.settle(tps, "twilio-approved", operator)).errors, null);
});
