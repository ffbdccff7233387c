"use strict";
/**
 * The A2P 10DLC ISV guides' TrustHub calls (twilio-node), step for step, with the guides'
 * own sample values. Used by a2p_*.test.js, starter_profile.test.js and branded_calling.test.js.
 *
 * Standard and Low-Volume Standard brands (and the government / nonprofit variants):
 * https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api
 * Sole Proprietor brands:
 * https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/onboarding-isv-api-sole-prop-new
 *
 * The guides' statusCallback (https://www.example.com/status-callback-endpoint) is replaced by
 * the local receiver: a test never makes the server POST to a real internet host.
 */
const assert = require("node:assert/strict");
const j = require("./journey");

const A2P_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b";
const STARTER_POLICY = "RN806dd6cd175f314e1f96a9727ee271f4";
const SOLE_PROPRIETOR_POLICY = "RN670d5d2e282a6130ae063b234b6019c8";

// ISV guide, step 1.2.
const ACME_BUSINESS_INFORMATION = {
  business_name: "Acme, Inc.",
  social_media_profile_urls: "https://example.com/acme-social-media-profile",
  website_url: "https://www.example.com",
  business_regions_of_operation: "USA_AND_CANADA",
  business_type: "Partnership",
  business_registration_identifier: "EIN",
  business_identity: "direct_customer",
  business_industry: "EDUCATION",
  business_registration_number: "123456789",
};
// ISV guide, step 1.4.
const ACME_AUTHORIZED_REPRESENTATIVE = {
  job_position: "CEO",
  last_name: "Doe",
  phone_number: "+12225557890",
  first_name: "Jane",
  email: "jdoe@example.com",
  business_title: "CEO",
};
// ISV guide, step 1.6.
const ACME_ADDRESS = {
  customerName: "Acme, Inc.",
  street: "1234 Market St",
  city: "San Francisco",
  region: "CA",
  postalCode: "12345",
  isoCountry: "US",
};
// ISV guide, step 2.2 (its sample is a public company).
const ACME_PUBLIC_MESSAGING_PROFILE = { company_type: "public", stock_exchange: "NYSE", stock_ticker: "ACME" };
// The government / nonprofit page's ISV values.
const GOVERNMENT = { business_type: "Non-profit Corporation", business_industry: "GOVERNMENT", company_type: "government" };
const NONPROFIT = { business_type: "Non-profit Corporation", business_industry: "NOT_FOR_PROFIT", company_type: "non_profit" };

/** ISV guide steps 1.1-1.11 run by the customer's account; the profile ends pending-review. */
async function secondaryCustomerProfileSteps(client, primarySid, statusCallback, {
  businessInformation = ACME_BUSINESS_INFORMATION, authorizedRepresentative = ACME_AUTHORIZED_REPRESENTATIVE,
} = {}) {
  const th = client.trusthub.v1;
  // 1.1. Create a Secondary Customer Profile
  const profile = await th.customerProfiles.create({
    email: "acme-inc@example.com",
    friendlyName: "Acme, Inc. Secondary Customer Profile",
    policySid: j.POLICIES.secondaryProfile,
    statusCallback,
  });
  const bu = j.assertSid("BU", profile.sid);
  assert.deepEqual([profile.status, profile.policySid, profile.errors], ["draft", j.POLICIES.secondaryProfile, null]);
  const cp = th.customerProfiles(bu);
  // 1.2. Create an EndUser resource of type customer_profile_business_information
  const info = await th.endUsers.create({
    attributes: businessInformation,
    friendlyName: "Acme, Inc. - Business Information EndUser resource",
    type: "customer_profile_business_information",
  });
  assert.deepEqual(info.attributes, businessInformation);
  // 1.3. Attach the EndUser to the Secondary Customer Profile
  assert.equal((await cp.customerProfilesEntityAssignments.create({ objectSid: info.sid })).objectSid, info.sid);
  // 1.4. Create an EndUser resource of type: authorized_representative_1
  const rep = await th.endUsers.create({
    attributes: authorizedRepresentative,
    friendlyName: "Acme, Inc Authorized Rep 1",
    type: "authorized_representative_1",
  });
  // 1.5. Attach the EndUser resource to the Secondary Customer Profile
  await cp.customerProfilesEntityAssignments.create({ objectSid: rep.sid });
  // 1.6. Create an Address resource
  const address = await client.addresses.create(ACME_ADDRESS);
  j.assertSid("AD", address.sid);
  // 1.7. Create a SupportingDocument resource
  const document = await th.supportingDocuments.create({
    friendlyName: "acme", type: "customer_profile_address", attributes: { address_sids: address.sid },
  });
  j.assertSid("RD", document.sid);
  // 1.8. Attach the SupportingDocument resource to the Secondary Customer Profile
  await cp.customerProfilesEntityAssignments.create({ objectSid: document.sid });
  // 1.9. Attach the Secondary Customer Profile to your Primary Business Profile
  assert.equal((await cp.customerProfilesEntityAssignments.create({ objectSid: primarySid })).objectSid, primarySid);
  // 1.10. Evaluate the Secondary Customer Profile
  const evaluation = await cp.customerProfilesEvaluations.create({ policySid: j.POLICIES.secondaryProfile });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  // 1.11. Submit the Secondary Customer Profile for review
  assert.equal((await cp.update({ status: "pending-review" })).status, "pending-review");
  return { profile: bu, businessInformation: info.sid, representative: rep.sid, document: document.sid };
}

/** ISV guide steps 2.1-2.5; resolves to the trust product's and end user's SIDs and the evaluation. */
async function a2pTrustProductSteps(client, secondarySid, messagingProfile, { email = "ceo@example.com", expect = "compliant" } = {}) {
  const th = client.trusthub.v1;
  // 2.1. Create an A2P TrustProduct
  const trustProduct = await th.trustProducts.create({
    friendlyName: "Acme, Inc. A2P Trust Product", email, policySid: A2P_POLICY,
  });
  const tp = j.assertSid("BU", trustProduct.sid);
  assert.deepEqual([trustProduct.status, trustProduct.policySid], ["draft", A2P_POLICY]);
  const tps = th.trustProducts(tp);
  // 2.2. Create an EndUser resource of type us_a2p_messaging_profile_information
  const endUser = await th.endUsers.create({
    attributes: messagingProfile,
    friendlyName: "Acme, Inc. Messaging Profile EndUser",
    type: "us_a2p_messaging_profile_information",
  });
  assert.deepEqual(endUser.attributes, messagingProfile);
  // 2.3. Attach the EndUser to the TrustProduct
  assert.equal((await tps.trustProductsEntityAssignments.create({ objectSid: endUser.sid })).objectSid, endUser.sid);
  // 2.4. Attach the Secondary Customer Profile to the TrustProduct
  assert.equal((await tps.trustProductsEntityAssignments.create({ objectSid: secondarySid })).objectSid, secondarySid);
  // 2.5. Evaluate the TrustProduct
  const evaluation = await tps.trustProductsEvaluations.create({ policySid: A2P_POLICY });
  assert.equal(evaluation.status, expect, JSON.stringify(evaluation.results));
  return { trustProduct: tp, endUser: endUser.sid, evaluation };
}

/** ISV guide step 2.6 (the Sole Proprietor guide's 2.6 alike). */
async function submitTrustProduct(client, tp) {
  assert.equal((await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review" })).status, "pending-review");
}

/** `{object_field: failure_reason}` of the evaluation's invalid entries. */
function failedFields(evaluation) {
  const out = {};
  for (const r of evaluation.results) for (const f of r.invalid || []) out[f.object_field] = f.failure_reason;
  return out;
}

/**
 * Let the review of a submitted bundle finish and assert it ends `status`. The pipeline moves a
 * submitted bundle to in-review in the background and the review delay counts from there: wait
 * for that, then move the server clock. A trust product whose customer profile was just decided
 * by the same clock move may already be decided; an already decided bundle is accepted as it is.
 */
async function settle(resource, status, operator) {
  const current = await j.waitUntil(() => resource.fetch(), (b) => b.status !== "pending-review", "the bundle to leave pending-review");
  if (current.status === "in-review") await j.decideByClock(operator);
  return j.waitForStatus(resource, status);
}

// ISV guides, steps 3-6 (past TrustHub): the brand, the Messaging Service, the campaign and its
// number. The campaign's sample values are those of Twilio's UsAppToPerson API reference (the
// spec's create example), which the guides' step "Create an A2P Campaign" points to.
const CAMPAIGN_DESCRIPTION = "Send marketing messages about sales to opted in customers.";
const CAMPAIGN_MESSAGE_FLOW =
  "End users opt-in by visiting www.example.com and adding their phone number. They then check a box " +
  "agreeing to receive text messages from Example Brand. Additionally, end users can also opt-in by " +
  "texting START to (111) 222-3333 to opt in.";
const CAMPAIGN_MESSAGE_SAMPLES = ["EXPRESS: Denim Days Event is ON", "LAST CHANCE: Book your next flight for just 1 (ONE) EUR"];
const CAMPAIGN_REPLIES = {
  optInMessage: "Acme Corporation: You are now opted-in. For help, reply HELP. To opt-out, reply STOP",
  optOutMessage: "You have successfully been unsubscribed from Acme Corporation. You will not receive any more messages from this number.",
  helpMessage: "Acme Corporation: Please visit www.example.com to get support. To opt-out, reply STOP.",
  optInKeywords: ["START"],
  optOutKeywords: ["STOP"],
  helpKeywords: ["HELP"],
};
// The campaign review's trigger (README "Scripting an outcome"): 30893.
const FAILING_DESCRIPTION = `${CAMPAIGN_DESCRIPTION} FAIL-30893`;

/** Step 3: the brand with the two approved bundles, checked until APPROVED. Returns its SID. */
async function brandSteps(client, operator, profileSid, trustProductSid, options = {}) {
  // 3. Create an A2P Brand
  const brand = await client.messaging.v1.brandRegistrations.create({
    customerProfileBundleSid: profileSid,
    a2PProfileBundleSid: trustProductSid,
    ...options,
  });
  const bn = j.assertSid("BN", brand.sid);
  assert.equal(brand.status, "PENDING");
  // 3.x Check the brand's registration status
  const registration = client.messaging.v1.brandRegistrations(bn);
  await j.waitUntil(() => registration.fetch(), (b) => b.status === "IN_REVIEW", "the brand to be IN_REVIEW");
  await j.decideByClock(operator);
  const decided = await j.waitUntil(() => registration.fetch(), (b) => b.status !== "IN_REVIEW", "the brand to be decided");
  assert.equal(decided.status, "APPROVED", JSON.stringify(decided.errors));
  return bn;
}

/** Step 4: the Messaging Service the campaign is registered on. Returns its SID. */
async function messagingServiceSteps(client) {
  const service = await client.messaging.v1.services.create({
    friendlyName: "Acme, Inc.'s A2P 10DLC Messaging Service",
    inboundRequestUrl: "https://www.example.com/inbound-messages-webhook",
    fallbackUrl: "https://www.example.com/fallback",
  });
  assert.equal(service.usAppToPersonRegistered, false);
  return j.assertSid("MG", service.sid);
}

/** Lets the campaign's review pass on the server clock; returns it decided. */
async function settleCampaign(client, operator, serviceSid, qe) {
  await operator.workerCaughtUp();
  await j.decideByClock(operator);
  const context = client.messaging.v1.services(serviceSid).usAppToPerson(qe);
  return j.waitUntil(() => context.fetch(), (c) => c.campaignStatus !== "IN_PROGRESS", "the campaign to be decided");
}

/** Steps 5.1-5.2: the brand's use cases, then the campaign; returns it decided. */
async function campaignSteps(client, operator, serviceSid, brandSid, usecase, { description = CAMPAIGN_DESCRIPTION } = {}) {
  const service = client.messaging.v1.services(serviceSid);
  // 5.1 Fetch possible A2P Campaign use cases
  const usecases = await service.usAppToPersonUsecases.fetch({ brandRegistrationSid: brandSid });
  assert.ok(usecases.usAppToPersonUsecases.some((u) => u.code === usecase), usecase);
  // 5.2 Create an A2P Campaign
  const campaign = await service.usAppToPerson.create({
    brandRegistrationSid: brandSid,
    description,
    messageFlow: CAMPAIGN_MESSAGE_FLOW,
    messageSamples: CAMPAIGN_MESSAGE_SAMPLES,
    usAppToPersonUsecase: usecase,
    hasEmbeddedLinks: true,
    hasEmbeddedPhone: false,
    ...CAMPAIGN_REPLIES,
  });
  const qe = j.assertSid("QE", campaign.sid);
  assert.deepEqual([campaign.campaignStatus, campaign.brandRegistrationSid], ["IN_PROGRESS", brandSid]);
  return settleCampaign(client, operator, serviceSid, qe);
}

/** A FAILED campaign edited and resubmitted (the update), decided again. */
async function resubmitCampaign(client, operator, serviceSid, qe) {
  const updated = await client.messaging.v1.services(serviceSid).usAppToPerson(qe).update({
    hasEmbeddedLinks: true,
    hasEmbeddedPhone: false,
    messageSamples: CAMPAIGN_MESSAGE_SAMPLES,
    messageFlow: CAMPAIGN_MESSAGE_FLOW,
    description: CAMPAIGN_DESCRIPTION,
    ageGated: false,
    directLending: false,
  });
  assert.deepEqual([updated.campaignStatus, updated.errors], ["IN_PROGRESS", []]);
  return settleCampaign(client, operator, serviceSid, qe);
}

/** Step 6: an SMS-capable local number bought and added to the Messaging Service. */
async function phoneNumberSteps(client, serviceSid) {
  const [local] = await client.availablePhoneNumbers("US").local.list({ smsEnabled: true, limit: 1 });
  const number = await client.incomingPhoneNumbers.local.create({ phoneNumber: local.phoneNumber });
  // 6. Add a phone number to the Messaging Service
  const member = await client.messaging.v1.services(serviceSid).phoneNumbers.create({ phoneNumberSid: number.sid });
  assert.equal(member.sid, number.sid);
  return number.sid;
}

/** The end of every guide: a VERIFIED campaign, its service registered, the number in it. */
async function assertVerified(client, serviceSid, campaign, numberSid) {
  assert.equal(campaign.campaignStatus, "VERIFIED", JSON.stringify(campaign.errors));
  assert.ok(campaign.campaignId);
  assert.deepEqual(campaign.errors, []);
  const service = await client.messaging.v1.services(serviceSid).fetch();
  assert.equal(service.usAppToPersonRegistered, true);
  const members = await client.messaging.v1.services(serviceSid).phoneNumbers.list();
  assert.deepEqual(members.map((m) => m.sid), [numberSid]);
}

module.exports = {
  A2P_POLICY,
  STARTER_POLICY,
  SOLE_PROPRIETOR_POLICY,
  ACME_BUSINESS_INFORMATION,
  ACME_AUTHORIZED_REPRESENTATIVE,
  ACME_ADDRESS,
  ACME_PUBLIC_MESSAGING_PROFILE,
  GOVERNMENT,
  NONPROFIT,
  secondaryCustomerProfileSteps,
  a2pTrustProductSteps,
  submitTrustProduct,
  failedFields,
  settle,
  FAILING_DESCRIPTION,
  brandSteps,
  messagingServiceSteps,
  campaignSteps,
  resubmitCampaign,
  phoneNumberSteps,
  assertVerified,
};
