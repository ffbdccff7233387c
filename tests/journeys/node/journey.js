"use strict";
/**
 * Helpers shared by the journey tests (twilio-node), on top of the client-test harness
 * of tests/clients/node (reused by path, not copied): useServer, waitForStatus, the
 * operator API and the validating HTTP client come from there, and `twilio` resolves
 * from tests/clients/node/node_modules.
 *
 * Journeys run the server with `--review auto --review-delay 3600` (SERVER_ARGS):
 * nothing is decided until a test moves the server clock (decideByClock), so a test
 * sees each status the guide mentions and never sleeps for a review.
 */

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const http = require("node:http");
const path = require("node:path");

const CLIENTS_NODE = path.resolve(__dirname, "..", "..", "clients", "node");
const harness = require(path.join(CLIENTS_NODE, "server.js"));
const twilio = require(require.resolve("twilio", { paths: [CLIENTS_NODE] }));

const REVIEW_DELAY_S = 3600;
const SERVER_ARGS = ["--review", "auto", "--review-delay", String(REVIEW_DELAY_S)];

// Policy SIDs as Twilio's guides print them.
const POLICIES = {
  primaryProfile: "RN6433641899984f951173ef1738c3bdd0", // console-only
  secondaryProfile: "RNdfbf3fae0e1107f8aded0e7cead80bf5",
  shakenStir: "RN7a97559effdf62d00f4298208492a5ea",
  voiceIntegrity: "RN5b3660f9598883b1df4e77f77acefba0",
  cnam: "RNf3db3cd1fe25fcfd3c3ded065c8fea53",
};

function assertSid(prefix, sid) {
  assert.match(sid, new RegExp(`^${prefix}[0-9a-f]{32}$`), `${sid} is not a ${prefix} SID`);
  return sid;
}

/** Let the review delay pass on the server clock: due automatic decisions are made. */
function decideByClock(operator, seconds = REVIEW_DELAY_S) {
  return operator.advanceClock(seconds);
}

/**
 * Once `resource` is in-review (the review delay counts from there, and the pipeline moves a
 * submitted bundle there in the background), advance the clock past the delay, then poll
 * `resource` until `status`.
 */
async function waitDecided(resource, status, operator) {
  await harness.waitForStatus(resource, "in-review");
  await decideByClock(operator);
  return harness.waitForStatus(resource, status);
}

const randomE164 = () => "+1555" + String(crypto.randomInt(10 ** 7)).padStart(7, "0");

/** An IncomingPhoneNumber of the client's account (the 2010 API; no carrier). */
async function buyNumber(client, phoneNumber = randomE164()) {
  const number = await client.incomingPhoneNumbers.create({ phoneNumber });
  assertSid("PN", number.sid);
  return number;
}

/** An Address of the client's account: the guides' sample values unless `fields` override them. */
async function createAddress(client, fields = {}) {
  const address = await client.addresses.create({ ...GUIDE_ADDRESS, ...fields });
  assertSid("AD", address.sid);
  return address;
}

/** Await `promise` and assert it rejected with the library's RestException carrying status/code. */
async function expectRestError(status, code, promise) {
  let error = null;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected HTTP ${status}/${code}, the call succeeded`);
  assert.ok(error instanceof twilio.RestException, `expected a RestException, got ${error}`);
  assert.equal(error.status, status, `expected HTTP ${status}, got ${error.status}: ${error.message}`);
  if (code !== null && code !== undefined) assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`);
  return error;
}

/**
 * The Primary Customer Profile the guides have the customer create in the Console.
 * Console-only: the operator API creates it for `accountSid` as the Console would; the
 * client completes it (business information, authorized representative, address,
 * optional phone numbers) and submits it; the caller decides when the clock moves.
 * Resolves to the profile's SID.
 */
async function primaryProfileStandin(operator, client, accountSid, {
  businessInformation, authorizedRepresentative, addressSid,
  email = "ops@acme.example.com", friendlyName = "Primary Business Profile", phoneNumberSids = [],
}) {
  const profile = await operator.createCustomerProfile(accountSid, { friendlyName, email, policySid: POLICIES.primaryProfile });
  const profiles = client.trusthub.v1.customerProfiles(profile.sid);
  const info = await client.trusthub.v1.endUsers.create({
    friendlyName: "Primary business information", type: "customer_profile_business_information", attributes: businessInformation,
  });
  const rep = await client.trusthub.v1.endUsers.create({
    friendlyName: "Primary authorized representative", type: "authorized_representative_1", attributes: authorizedRepresentative,
  });
  const doc = await client.trusthub.v1.supportingDocuments.create({
    friendlyName: "Primary address", type: "customer_profile_address", attributes: { address_sids: addressSid },
  });
  for (const objectSid of [info.sid, rep.sid, doc.sid]) {
    await profiles.customerProfilesEntityAssignments.create({ objectSid });
  }
  for (const channelEndpointSid of phoneNumberSids) {
    await profiles.customerProfilesChannelEndpointAssignment.create({ channelEndpointType: "phone-number", channelEndpointSid });
  }
  assert.equal((await profiles.update({ status: "pending-review" })).status, "pending-review");
  return profile.sid;
}


// The voice guides' sample values (SHAKEN/STIR, Voice Integrity and CNAM pages): literal
// sample strings kept, placeholders for an enum/format replaced by a "Possible Values" entry
// or the sample response's value.
const GUIDE_BUSINESS_INFORMATION = {
  business_name: "YOUR_SECONDARY_BUSINESS_NAME",
  business_identity: "direct_customer",
  business_type: "Corporation",
  business_industry: "TECHNOLOGY",
  business_registration_identifier: "USA: Employer Identification Number (EIN)",
  business_registration_number: "123456789",
  business_regions_of_operation: "USA_AND_CANADA",
  website_url: "https://example.com",
  social_media_profile_urls: "",
};
const GUIDE_AUTHORIZED_REPRESENTATIVE = {
  first_name: "REPRESENTATIVE_FIRST_NAME",
  last_name: "REPRESENTATIVE_LAST_NAME",
  email: "EMAIL@EXAMPLE.COM",
  phone_number: "+11234567890",
  business_title: "BUSINESS_TITLE",
  job_position: "CEO",
};
// "Create an Address Resource" in the guides' Additional API Calls.
const GUIDE_ADDRESS = {
  customerName: "YOUR_CUSTOMER_NAME",
  street: "CUSTOMER_STREET",
  city: "CUSTOMER_CITY",
  region: "CUSTOMER_STATE_OR_REGION",
  postalCode: "CUSTOMER_POSTAL_CODE",
  isoCountry: "BB",
};
const TRUST_PRODUCT_FRIENDLY_NAME = "FRIENDLY_NAME_FOR_YOUR_TRUST_PRODUCT";
const TRUST_PRODUCT_EMAIL = "EMAIL@EXAMPLE.COM";
// The review trigger for the bundle's own Email (README, "The vetting pipeline": 18606).
const REJECTED_EMAIL = "REJECT@EXAMPLE.COM";
const REJECTED_BUSINESS_INFORMATION = { ...GUIDE_BUSINESS_INFORMATION, business_name: "YOUR_SECONDARY_BUSINESS_NAME REJECT" };
const VOICE_INTEGRITY_INFORMATION = {
  use_case: "Survey/Research",
  business_employee_count: "10",
  average_business_day_call_volume: "10",
  notes: "Surveying people to learn about demographics",
};
const CNAM_INFORMATION = { cnam_display_name: "DISPLAY NAME" };

/** A subaccount of the parent (2010 API) and an official client built from its own credentials. */
async function createSubaccount(parentClient, makeClient, friendlyName) {
  const sub = await parentClient.api.v2010.accounts.create({ friendlyName });
  assertSid("AC", sub.sid);
  return { sub, subClient: makeClient(sub.sid, sub.authToken) };
}

/**
 * Guide step "Create a Primary Business Profile in the Console and submit for vetting", through
 * the stand-in, decided on the server clock: resolves to a twilio-approved Primary's SID.
 * `businessIdentity`: direct_customer, or isv_reseller_or_partner (only ISVs may create
 * Secondary profiles by API).
 */
async function approvedPrimaryProfile(operator, client, accountSid, businessIdentity) {
  const address = await createAddress(client, { customerName: "Primary business" });
  const sid = await primaryProfileStandin(operator, client, accountSid, {
    businessInformation: { ...GUIDE_BUSINESS_INFORMATION, business_name: "Primary business", business_identity: businessIdentity },
    authorizedRepresentative: GUIDE_AUTHORIZED_REPRESENTATIVE,
    addressSid: address.sid,
  });
  await waitDecided(client.trusthub.v1.customerProfiles(sid), "twilio-approved", operator);
  return sid;
}

/**
 * Steps 1-10 of "Create Secondary Business Profile" in the ISV guides (SHAKEN/STIR and Voice
 * Integrity, subaccount and single-project variants: the same calls and values), run by
 * `client`. Resolves to the SIDs made; the profile ends pending-review.
 */
async function secondaryBusinessProfileSteps(client, primarySid, phoneNumberSid, businessInformation = GUIDE_BUSINESS_INFORMATION) {
  // 1. Create a Secondary Business Profile
  const profile = await client.trusthub.v1.customerProfiles.create({
    email: "EMAIL@EXAMPLE.COM",
    friendlyName: "YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE",
    policySid: POLICIES.secondaryProfile,
  });
  assertSid("BU", profile.sid);
  assert.equal(profile.status, "draft");
  const profiles = client.trusthub.v1.customerProfiles(profile.sid);
  // 2. Connect the Secondary Business Profile to your Primary Business Profile
  assert.equal((await profiles.customerProfilesEntityAssignments.create({ objectSid: primarySid })).objectSid, primarySid);
  // 3. Create a Supporting Document (the Address comes from "Create an Address Resource")
  const address = await createAddress(client);
  const document = await client.trusthub.v1.supportingDocuments.create({
    attributes: { address_sids: address.sid },
    friendlyName: "YOUR_CUSTOMER_FRIENDLY_NAME",
    type: "customer_profile_address",
  });
  assertSid("RD", document.sid);
  // 4. Connect the Supporting Document to your Secondary Business Profile
  await profiles.customerProfilesEntityAssignments.create({ objectSid: document.sid });
  // 5. Create Business Information for the Secondary Business Profile
  const info = await client.trusthub.v1.endUsers.create({
    attributes: businessInformation,
    friendlyName: "YOUR_CUSTOMER_FRIENDLY_NAME",
    type: "customer_profile_business_information",
  });
  assert.deepEqual(info.attributes, businessInformation);
  // 6. Connect Business Information to Secondary Business Profile
  await profiles.customerProfilesEntityAssignments.create({ objectSid: info.sid });
  // 7. Create an Authorized Representative for your Secondary Business Profile
  const rep = await client.trusthub.v1.endUsers.create({
    attributes: GUIDE_AUTHORIZED_REPRESENTATIVE,
    friendlyName: "YOUR_SECONDARY_BUSINESS_FRIENDLY_NAME",
    type: "authorized_representative_1",
  });
  // 8. Connect Authorized Representative to Secondary Business Profile
  await profiles.customerProfilesEntityAssignments.create({ objectSid: rep.sid });
  // 9. Add Phone Number(s) to Secondary Business Profile
  const ra = await profiles.customerProfilesChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(ra.channelEndpointSid, phoneNumberSid);
  // 10. Submit Secondary Business Profile
  assert.equal((await profiles.update({ status: "pending-review" })).status, "pending-review");
  return { profile: profile.sid, businessInformation: info.sid, representative: rep.sid, document: document.sid, address: address.sid };
}

/**
 * "Create Trust Product, Add Phone Numbers, and Submit for Vetting", steps 1-6 of the Voice
 * Integrity guides (the same calls in all four; the business profile is the Primary for direct
 * customers, the Secondary for ISVs). Resolves to the trust product's SID, submitted.
 */
async function voiceIntegrityTrustProductSteps(client, businessProfileSid, phoneNumberSid, email = TRUST_PRODUCT_EMAIL) {
  // 1. Create a Voice Integrity Trust Product
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email,
    friendlyName: TRUST_PRODUCT_FRIENDLY_NAME,
    policySid: POLICIES.voiceIntegrity,
  });
  assertSid("BU", trustProduct.sid);
  assert.equal(trustProduct.status, "draft");
  const products = client.trusthub.v1.trustProducts(trustProduct.sid);
  // 2. Create End User for the Voice Integrity Trust Product
  const endUser = await client.trusthub.v1.endUsers.create({
    attributes: VOICE_INTEGRITY_INFORMATION,
    friendlyName: "YOUR_END_USER_FRIENDLY_NAME",
    type: "voice_integrity_information",
  });
  assert.deepEqual(endUser.attributes, VOICE_INTEGRITY_INFORMATION);
  // 3. Connect your Voice Integrity Trust Product to End User
  await products.trustProductsEntityAssignments.create({ objectSid: endUser.sid });
  // 4. Connect your Voice Integrity Trust Product to your Business Profile
  await products.trustProductsEntityAssignments.create({ objectSid: businessProfileSid });
  // 5. Assign phone numbers to your Voice Integrity Trust Product
  const endpoint = await products.trustProductsChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(endpoint.channelEndpointSid, phoneNumberSid);
  // 6. Submit your Voice Integrity Trust Product
  assert.equal((await products.update({ status: "pending-review" })).status, "pending-review");
  return trustProduct.sid;
}

/**
 * "Create Trust Product, Add Phone Numbers, and Submit for Vetting", steps 1-4 of the SHAKEN/STIR
 * ISV guides (subaccounts and single project: the same calls). Resolves to the trust product's SID.
 */
async function shakenStirIsvTrustProductSteps(client, secondary, phoneNumberSid, callbackUrl) {
  // 1. Create a SHAKEN/STIR Trust Product
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email: TRUST_PRODUCT_EMAIL,
    friendlyName: TRUST_PRODUCT_FRIENDLY_NAME,
    policySid: POLICIES.shakenStir,
  });
  const tp = assertSid("BU", trustProduct.sid);
  // 2. Connect your SHAKEN/STIR Trust Product to your Secondary Business Profile
  const assignment = await client.trusthub.v1.trustProducts(tp).trustProductsEntityAssignments.create({ objectSid: secondary });
  assert.equal(assignment.objectSid, secondary);
  // 3. Assign phone numbers to your SHAKEN/STIR Trust Product
  await client.trusthub.v1.trustProducts(tp).trustProductsChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  // 4. Submit your SHAKEN/STIR Trust Product for vetting
  const submitted = await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review", statusCallback: callbackUrl });
  assert.equal(submitted.status, "pending-review");
  assert.equal(submitted.statusCallback, callbackUrl);
  return tp;
}

/**
 * "CNAM Onboarding with the Trust Hub REST API" after the Business Profile, in the page's order
 * (direct customers pass their Primary, ISVs their customer's Secondary). Resolves to the trust
 * product's SID, submitted.
 */
async function cnamTrustProductSteps(client, businessProfileSid, phoneNumberSid, email = TRUST_PRODUCT_EMAIL) {
  // Assign Phone Numbers to Your Business Profile
  await client.trusthub.v1.customerProfiles(businessProfileSid).customerProfilesChannelEndpointAssignment.create({
    channelEndpointType: "phone-number",
    channelEndpointSid: phoneNumberSid,
  });
  // Create CNAM Trust Product
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email,
    friendlyName: TRUST_PRODUCT_FRIENDLY_NAME,
    policySid: POLICIES.cnam,
  });
  assertSid("BU", trustProduct.sid);
  const products = client.trusthub.v1.trustProducts(trustProduct.sid);
  // Connect your CNAM Trust Product to your Business Profile
  await products.trustProductsEntityAssignments.create({ objectSid: businessProfileSid });
  // Create CNAM End User
  const endUser = await client.trusthub.v1.endUsers.create({
    attributes: CNAM_INFORMATION,
    friendlyName: "YOUR_END_USER_FRIENDLY_NAME",
    type: "cnam_information",
  });
  assert.deepEqual(endUser.attributes, CNAM_INFORMATION);
  // Connect your CNAM Trust Product to your End User
  await products.trustProductsEntityAssignments.create({ objectSid: endUser.sid });
  // Add Phone Number to CNAM Trust Product
  const endpoint = await products.trustProductsChannelEndpointAssignment.create({
    channelEndpointSid: phoneNumberSid,
    channelEndpointType: "phone-number",
  });
  assert.equal(endpoint.channelEndpointSid, phoneNumberSid);
  // Submit CNAM Trust Product for Vetting
  assert.equal((await products.update({ status: "pending-review" })).status, "pending-review");
  return trustProduct.sid;
}

/**
 * The user's status-callback webhook: a local HTTP server recording each POSTed form. Stands in
 * for the guides' https://www.yourcallbackuri.com/webhook (no POST to a real internet host
 * from a test). `await receiver.start()` before use, `await receiver.close()` after.
 */
class CallbackReceiver {
  constructor() {
    this.forms = [];
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        this.forms.push(Object.fromEntries(new URLSearchParams(body)));
        res.writeHead(200, { "Content-Length": "0" });
        res.end();
      });
    });
  }

  start() {
    return new Promise((resolve) =>
      this.server.listen(0, "127.0.0.1", () => {
        this.url = `http://127.0.0.1:${this.server.address().port}/webhook`;
        resolve(this);
      }),
    );
  }

  statuses(bundleSid) {
    return this.forms.filter((f) => f.BundleSid === bundleSid).map((f) => f.Status);
  }

  waitFor(bundleSid, status) {
    return harness.waitUntil(async () => this.statuses(bundleSid), (s) => s.includes(status), `a ${status} status callback for ${bundleSid}`);
  }

  close() {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

module.exports = {
  ...harness,
  twilio,
  REVIEW_DELAY_S,
  SERVER_ARGS,
  POLICIES,
  assertSid,
  decideByClock,
  waitDecided,
  randomE164,
  buyNumber,
  createAddress,
  expectRestError,
  primaryProfileStandin,
  GUIDE_BUSINESS_INFORMATION,
  GUIDE_AUTHORIZED_REPRESENTATIVE,
  GUIDE_ADDRESS,
  TRUST_PRODUCT_FRIENDLY_NAME,
  TRUST_PRODUCT_EMAIL,
  REJECTED_EMAIL,
  REJECTED_BUSINESS_INFORMATION,
  VOICE_INTEGRITY_INFORMATION,
  CNAM_INFORMATION,
  createSubaccount,
  approvedPrimaryProfile,
  secondaryBusinessProfileSteps,
  voiceIntegrityTrustProductSteps,
  cnamTrustProductSteps,
  shakenStirIsvTrustProductSteps,
  CallbackReceiver,
};
