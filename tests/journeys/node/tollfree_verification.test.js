"use strict";
// Toll-free verification through the API, from buying the toll-free number to an approved
// verification; one rejection, edited and resubmitted.
//
// Guide: https://www.twilio.com/docs/messaging/compliance/toll-free/api-onboarding
// Resource: https://www.twilio.com/docs/messaging/api/tollfree-verification-resource
//
// The guide's calls, in its order: the toll-free number (bought through the typed resources,
// AvailablePhoneNumbers/US/TollFree then IncomingPhoneNumbers/TollFree), the verification
// submitted with the business information inline (the direct-customer path needs no TrustHub
// profile; an ISV names its customer's profile with CustomerProfileSid), its status polled
// (fetch, and the list filtered by TollfreePhoneNumberSid) through PENDING_REVIEW and IN_REVIEW
// to TWILIO_APPROVED. A rejected verification carries rejectionReason(s), errorCode,
// editAllowed and editExpiration (seven days); it is edited with an EditReason and goes back
// to PENDING_REVIEW. Sample values: the spec's `create` example (Twilio's resource page uses the
// same). Rejections come from the README's trigger values ("Toll-free verifications"); the
// review is decided on the server clock.
const assert = require("node:assert/strict");
const { test } = require("node:test");
const j = require("./journey");

// The spec's `create` example (openapi/twilio_messaging_v1.json, CreateTollfreeVerification).
const GUIDE_VERIFICATION = {
  businessName: "Owl, Inc.",
  businessWebsite: "http://www.company.com",
  notificationEmail: "support@company.com",
  useCaseCategories: ["TWO_FACTOR_AUTHENTICATION", "MARKETING"],
  useCaseSummary: "This number is used to send out promotional offers and coupons to the customers of John's Coffee Shop",
  productionMessageSample: "lorem ipsum",
  optInImageUrls: ["https://testbusiness.com/images/image1.jpg", "https://testbusiness.com/images/image2.jpg"],
  optInType: "VERBAL",
  messageVolume: "10",
  businessStreetAddress: "123 Main Street",
  businessStreetAddress2: "Suite 101",
  businessCity: "Anytown",
  businessStateProvinceRegion: "AA",
  businessPostalCode: "11111",
  businessCountry: "US",
  additionalInformation: "see our privacy policy here www.johnscoffeeshop.com/privacypolicy",
  businessContactFirstName: "firstname",
  businessContactLastName: "lastname",
  businessContactEmail: "email@company.com",
  businessContactPhone: "+11231231234",
  externalReferenceId: "abc123xyz567",
  businessRegistrationNumber: "123456789",
  businessRegistrationAuthority: "EIN",
  businessRegistrationCountry: "US",
  businessType: "PRIVATE_PROFIT",
  businessRegistrationPhoneNumber: "+13023334444",
  doingBusinessAs: "Toms Widgets",
  optInConfirmationMessage: "Thank you for opting in!",
  helpMessageSample: "For help, reply HELP or visit our website.",
  privacyPolicyUrl: "https://www.example.com/privacy",
  termsAndConditionsUrl: "https://www.example.com/terms",
  ageGatedContent: false,
  optInKeywords: ["START"],
};
// README "Scripting an outcome": the word FAIL in a trigger field (the business name here)
// rejects the verification with 30484 ("Business name and official records do not match"), which may be edited.
const REJECTED_BUSINESS_NAME = "Owl, Inc. FAIL";
const EDIT_WINDOW_MS = 7 * 24 * 3600 * 1000;

const ctx = j.useServer({ args: j.SERVER_ARGS });

/** The guide's prerequisite: a toll-free number of the account, bought as code does. */
async function buyTollFree(client, areaCode = 888) {
  const found = await client.availablePhoneNumbers("US").tollFree.list({ areaCode, limit: 1 });
  assert.ok(found.length, `no toll-free number offered in ${areaCode}`);
  const number = await client.incomingPhoneNumbers.tollFree.create({ phoneNumber: found[0].phoneNumber });
  j.assertSid("PN", number.sid);
  return number;
}

const waitStatus = (verification, status) => j.waitUntil(() => verification.fetch(), (v) => v.status === status, status);

/** IN_REVIEW first (the pipeline moves it there), then the review delay on the server clock, then the decision. */
async function decide(verification, operator, status) {
  await waitStatus(verification, "IN_REVIEW");
  await j.decideByClock(operator);
  return waitStatus(verification, status);
}

test("submit the verification and reach TWILIO_APPROVED", async () => {
  const { client, operator } = ctx;
  const tfvs = client.messaging.v1.tollfreeVerifications;
  const number = await buyTollFree(client);

  const tfv = await tfvs.create({ tollfreePhoneNumberSid: number.sid, ...GUIDE_VERIFICATION });
  j.assertSid("HH", tfv.sid);
  assert.equal(tfv.status, "PENDING_REVIEW");
  assert.equal(tfv.tollfreePhoneNumberSid, number.sid);
  assert.equal(tfv.tollfreePhoneNumber, number.phoneNumber);
  assert.equal(tfv.customerProfileSid, null);
  assert.deepEqual(tfv.useCaseCategories, GUIDE_VERIFICATION.useCaseCategories);
  assert.deepEqual(tfv.optInImageUrls, GUIDE_VERIFICATION.optInImageUrls);
  assert.equal(tfv.rejectionReason, null);
  assert.equal(tfv.errorCode, null);
  assert.equal(tfv.editAllowed, null);

  const listed = await tfvs.list({ tollfreePhoneNumberSid: number.sid });
  assert.deepEqual(listed.map((v) => v.sid), [tfv.sid]);
  const byReference = await tfvs.list({ externalReferenceId: "abc123xyz567" });
  assert.deepEqual(byReference.map((v) => v.sid), [tfv.sid]);

  const approved = await decide(tfvs(tfv.sid), operator, "TWILIO_APPROVED");
  assert.equal(approved.errorCode, null);
  assert.equal(approved.rejectionReasons, null);
  assert.deepEqual((await tfvs.list({ status: "TWILIO_APPROVED" })).map((v) => v.sid), [tfv.sid]);

  // One verification per number at a time (README: 409 / 20409 naming the verification).
  const e = await j.expectRestError(409, 20409, tfvs.create({ tollfreePhoneNumberSid: number.sid, ...GUIDE_VERIFICATION }));
  assert.match(e.message, new RegExp(tfv.sid));
});

test("a rejected verification is edited and resubmitted, then approved", async () => {
  const { client, operator } = ctx;
  const tfvs = client.messaging.v1.tollfreeVerifications;
  const number = await buyTollFree(client, 877);
  const tfv = await tfvs.create({
    tollfreePhoneNumberSid: number.sid, ...GUIDE_VERIFICATION, businessName: REJECTED_BUSINESS_NAME, externalReferenceId: "owl-2",
  });
  const context = tfvs(tfv.sid);
  const rejected = await decide(context, operator, "TWILIO_REJECTED");
  assert.equal(rejected.errorCode, 30484);
  assert.ok(rejected.rejectionReason);
  assert.deepEqual(rejected.rejectionReasons.map((r) => r.code), [30484]);
  assert.equal(rejected.editAllowed, true);
  assert.equal(rejected.editExpiration.getTime(), rejected.dateUpdated.getTime() + EDIT_WINDOW_MS);

  const edited = await context.update({ businessName: "Owl, Inc.", editReason: "Business name fixed" });
  assert.equal(edited.status, "PENDING_REVIEW");
  assert.equal(edited.errorCode, null);
  const approved = await decide(context, operator, "TWILIO_APPROVED");
  assert.equal(approved.businessName, "Owl, Inc.");

  assert.equal(await context.remove(), true);
  const again = await tfvs.create({ tollfreePhoneNumberSid: number.sid, ...GUIDE_VERIFICATION, externalReferenceId: "owl-3" });
  assert.equal(again.status, "PENDING_REVIEW");
});

test("an ISV names its customer's profile; a local number is refused with 30436", async () => {
  const { client, operator, accountSid } = ctx;
  const tfvs = client.messaging.v1.tollfreeVerifications;
  // The ISV's Primary Customer Profile is made in the Console: the operator API stands in.
  const address = await j.createAddress(client, { customerName: "Owl, Inc." });
  const profile = await j.primaryProfileStandin(operator, client, accountSid, {
    businessInformation: { ...j.GUIDE_BUSINESS_INFORMATION, business_name: "Owl, Inc." },
    authorizedRepresentative: j.GUIDE_AUTHORIZED_REPRESENTATIVE,
    addressSid: address.sid,
  });
  const number = await buyTollFree(client, 866);
  const tfv = await tfvs.create({
    tollfreePhoneNumberSid: number.sid, customerProfileSid: profile, ...GUIDE_VERIFICATION, externalReferenceId: "owl-isv",
  });
  assert.equal(tfv.customerProfileSid, profile);

  const offered = await client.availablePhoneNumbers("US").local.list({ areaCode: 415, limit: 1 });
  const local = await client.incomingPhoneNumbers.local.create({ phoneNumber: offered[0].phoneNumber });
  await j.expectRestError(400, 30436, tfvs.create({ tollfreePhoneNumberSid: local.sid, ...GUIDE_VERIFICATION }));
});
