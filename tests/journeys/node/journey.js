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

/** Advance the clock past the review delay, then poll `resource` until `status`. */
async function waitDecided(resource, status, operator) {
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

/** An Address of the client's account; `fields` as the guide gives them. */
async function createAddress(client, fields = {}) {
  const address = await client.addresses.create({
    customerName: "Acme Inc",
    street: "1 Main St",
    city: "San Francisco",
    region: "CA",
    postalCode: "94105",
    isoCountry: "US",
    ...fields,
  });
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
};
