"use strict";
/**
 * Seed 001: Voice Integrity onboarding for ISVs (Secondary Business Profile + Trust Product).
 *
 * The calls follow the guide's code samples as literally as possible, with the
 * placeholders replaced by real values. The server runs the automatic reviewer
 * with no delay (--review auto --review-delay 0).
 *
 *  - Without a Primary Business Profile the Secondary profile cannot become
 *    compliant: its evaluation fails exactly on `primary_customer_profile` and
 *    submitting it is refused with 400.
 *  - The Primary Business Profile is console-only: primaryProfile() creates it
 *    through the operator API for the same account (as the Console would),
 *    completes and submits it through the client and has the operator approve
 *    it. With it assigned (step 2 of the guide), the Secondary profile and the
 *    Voice Integrity trust product are submitted and both end twilio-approved;
 *    a profile rejected for its business name is fixed and resubmitted.
 *  - As an ISV runs it: the parent's client creates a customer subaccount
 *    (client.api.v2010.accounts.create); a client built from the subaccount's own
 *    SID and auth token creates the Address and phone number, the Secondary profile
 *    (assigned the PARENT's approved Primary profile) and the Voice Integrity trust
 *    product; both end twilio-approved, and the guide's "Additional API Calls" list
 *    exactly what the flow created. The parent's client cannot fetch the
 *    subaccount's profile (404) but lists its Addresses through
 *    client.api.v2010.accounts(subSid).addresses.
 *  - An API key of the subaccount (client.newKeys.create) authenticates
 *    twilio(keySid, secret, { accountSid }) until it is deleted.
 */

const { test } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const twilio = require("twilio");
const { createAddress, createPhoneNumber, officialClient, useServer, waitForStatus } = require("./server");

const ctx = useServer({ args: ["--review", "auto", "--review-delay", "0"] });

const PRIMARY_PROFILE_POLICY = "RN6433641899984f951173ef1738c3bdd0"; // console-only
const SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
const VOICE_INTEGRITY_POLICY = "RN5b3660f9598883b1df4e77f77acefba0";

const BUSINESS_INFORMATION = {
  business_name: "Acme Inc",
  business_identity: "direct_customer",
  business_type: "Corporation",
  business_industry: "TECHNOLOGY",
  business_registration_identifier: "USA: Employer Identification Number (EIN)",
  business_registration_number: "123456789",
  business_regions_of_operation: "USA_AND_CANADA",
  website_url: "https://acme.example.com",
  social_media_profile_urls: "",
};
const AUTHORIZED_REPRESENTATIVE = {
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@acme.example.com",
  phone_number: "+15555550100",
  business_title: "Chief Executive",
  job_position: "CEO",
};
const VOICE_INTEGRITY_INFORMATION = {
  use_case: "Survey/Research",
  business_employee_count: "10",
  average_business_day_call_volume: "10",
  notes: "Surveying people to learn about demographics",
};
const REQUIRED_SECONDARY_REQUIREMENTS = [
  "customer_profile_business_information",
  "authorized_representative_1",
  "customer_profile_address",
];

const hex32 = () => crypto.randomBytes(16).toString("hex");
const sidOf = (prefix) => new RegExp(`^${prefix}[0-9a-f]{32}$`);

function assertPassed(result) {
  assert.equal(result.passed, true, JSON.stringify(result));
  assert.equal(result.error_code, null, JSON.stringify(result));
  assert.equal(result.failure_reason, null, JSON.stringify(result));
  assert.deepEqual(result.invalid, [], JSON.stringify(result));
}

/** Expect a twilio RestException with the given HTTP status. */
function restError(status, check = () => {}) {
  return (err) => {
    assert.ok(err instanceof twilio.RestException, `expected RestException, got ${err && err.stack}`);
    assert.equal(err.status, status, `${err.status} ${err.code} ${err.message}`);
    check(err);
    return true;
  };
}

/**
 * Steps 1-9 of the guide; step 2 (assign the Primary profile) only if `primarySid` is given.
 * By default through the file's (parent) client; `client`/`accountSid` name another account's.
 * The customer's Address (step 3) and phone number (step 9) are created through the client's
 * 2010-04-01 API unless `addressSid` / `phoneNumberSid` name existing ones.
 */
async function buildSecondaryProfile({
  primarySid,
  businessInformationAttributes = BUSINESS_INFORMATION,
  client = ctx.client,
  accountSid = ctx.accountSid,
  addressSid,
  phoneNumberSid,
} = {}) {
  const { base } = ctx;

  // 1. Create a Secondary Business Profile
  const customerProfile = await client.trusthub.v1.customerProfiles.create({
    email: "EMAIL@EMAIL.COM",
    friendlyName: "YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE",
    policySid: SECONDARY_PROFILE_POLICY,
  });
  const bu = customerProfile.sid;
  assert.match(bu, sidOf("BU"));
  assert.equal(customerProfile.accountSid, accountSid);
  assert.equal(customerProfile.policySid, SECONDARY_PROFILE_POLICY);
  assert.equal(customerProfile.friendlyName, "YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE");
  assert.equal(customerProfile.email, "EMAIL@EMAIL.COM");
  assert.equal(customerProfile.status, "draft");
  assert.equal(customerProfile.errors, null);
  assert.equal(customerProfile.validUntil, null);
  assert.equal(customerProfile.statusCallback, null);
  assert.ok(customerProfile.dateCreated instanceof Date);
  assert.ok(customerProfile.dateUpdated instanceof Date);
  assert.equal(customerProfile.url, `${base}/v1/CustomerProfiles/${bu}`);
  assert.deepEqual(customerProfile.links, {
    customer_profiles_entity_assignments: `${base}/v1/CustomerProfiles/${bu}/EntityAssignments`,
    customer_profiles_evaluations: `${base}/v1/CustomerProfiles/${bu}/Evaluations`,
    customer_profiles_channel_endpoint_assignment: `${base}/v1/CustomerProfiles/${bu}/ChannelEndpointAssignments`,
  });

  // 2. Connect the Secondary Business Profile to the Primary Business Profile
  let primaryAssignment = null;
  if (primarySid !== undefined) {
    primaryAssignment = await client.trusthub.v1
      .customerProfiles(bu)
      .customerProfilesEntityAssignments.create({ objectSid: primarySid });
    assert.match(primaryAssignment.sid, sidOf("BV"));
    assert.equal(primaryAssignment.customerProfileSid, bu);
    assert.equal(primaryAssignment.accountSid, accountSid);
    assert.equal(primaryAssignment.objectSid, primarySid);
    assert.equal(primaryAssignment.url, `${base}/v1/CustomerProfiles/${bu}/EntityAssignments/${primaryAssignment.sid}`);
  }

  // 3. Create a Supporting Document (the customer's address)
  if (addressSid === undefined) addressSid = await createAddress(client); // the customer's Address (2010-04-01 API)
  const supportingDocument = await client.trusthub.v1.supportingDocuments.create({
    attributes: {
      address_sids: addressSid,
    },
    friendlyName: "YOUR_CUSTOMER_FRIENDLY_NAME",
    type: "customer_profile_address",
  });
  assert.match(supportingDocument.sid, sidOf("RD"));
  assert.equal(supportingDocument.accountSid, accountSid);
  assert.equal(supportingDocument.friendlyName, "YOUR_CUSTOMER_FRIENDLY_NAME");
  assert.equal(supportingDocument.type, "customer_profile_address");
  assert.deepEqual(supportingDocument.attributes, { address_sids: addressSid });
  assert.equal(supportingDocument.status, "DRAFT"); // the spec's enum is upper-case (the guide shows "draft")
  assert.equal(supportingDocument.mimeType, null);
  assert.equal(supportingDocument.url, `${base}/v1/SupportingDocuments/${supportingDocument.sid}`);

  // 4. Connect the Supporting Document to the Secondary Business Profile
  const documentAssignment = await client.trusthub.v1
    .customerProfiles(bu)
    .customerProfilesEntityAssignments.create({
      objectSid: supportingDocument.sid,
    });
  assert.match(documentAssignment.sid, sidOf("BV"));
  assert.equal(documentAssignment.customerProfileSid, bu);
  assert.equal(documentAssignment.accountSid, accountSid);
  assert.equal(documentAssignment.objectSid, supportingDocument.sid);
  assert.ok(documentAssignment.dateCreated instanceof Date);
  assert.equal(documentAssignment.url, `${base}/v1/CustomerProfiles/${bu}/EntityAssignments/${documentAssignment.sid}`);

  // 5. Create Business Information
  const businessInformation = await client.trusthub.v1.endUsers.create({
    attributes: businessInformationAttributes,
    friendlyName: "YOUR_CUSTOMER_FRIENDLY_NAME",
    type: "customer_profile_business_information",
  });
  assert.match(businessInformation.sid, sidOf("IT"));
  assert.equal(businessInformation.accountSid, accountSid);
  assert.equal(businessInformation.type, "customer_profile_business_information");
  assert.equal(businessInformation.friendlyName, "YOUR_CUSTOMER_FRIENDLY_NAME");
  assert.deepEqual(businessInformation.attributes, businessInformationAttributes);
  assert.equal(businessInformation.url, `${base}/v1/EndUsers/${businessInformation.sid}`);

  // 6. Connect Business Information to the Secondary Business Profile
  const businessAssignment = await client.trusthub.v1
    .customerProfiles(bu)
    .customerProfilesEntityAssignments.create({
      objectSid: businessInformation.sid,
    });
  assert.equal(businessAssignment.objectSid, businessInformation.sid);
  assert.equal(businessAssignment.customerProfileSid, bu);

  // 7. Create an Authorized Representative
  const representative = await client.trusthub.v1.endUsers.create({
    attributes: AUTHORIZED_REPRESENTATIVE,
    friendlyName: "YOUR_SECONDARY_BUSINESS_FRIENDLY_NAME",
    type: "authorized_representative_1",
  });
  assert.match(representative.sid, sidOf("IT"));
  assert.equal(representative.type, "authorized_representative_1");
  assert.deepEqual(representative.attributes, AUTHORIZED_REPRESENTATIVE);

  // 8. Connect the Authorized Representative
  const representativeAssignment = await client.trusthub.v1
    .customerProfiles(bu)
    .customerProfilesEntityAssignments.create({
      objectSid: representative.sid,
    });
  assert.equal(representativeAssignment.objectSid, representative.sid);

  // 9. Add Phone Number(s) to the Secondary Business Profile
  if (phoneNumberSid === undefined) phoneNumberSid = await createPhoneNumber(client); // a number of the account (2010-04-01 API)
  const channelAssignment = await client.trusthub.v1
    .customerProfiles(bu)
    .customerProfilesChannelEndpointAssignment.create({
      channelEndpointSid: phoneNumberSid,
      channelEndpointType: "phone-number",
    });
  assert.match(channelAssignment.sid, sidOf("RA"));
  assert.equal(channelAssignment.customerProfileSid, bu);
  assert.equal(channelAssignment.accountSid, accountSid);
  assert.equal(channelAssignment.channelEndpointSid, phoneNumberSid);
  assert.equal(channelAssignment.channelEndpointType, "phone-number");
  assert.ok(channelAssignment.dateCreated instanceof Date);
  assert.equal(
    channelAssignment.url,
    `${base}/v1/CustomerProfiles/${bu}/ChannelEndpointAssignments/${channelAssignment.sid}`,
  );

  return {
    customerProfile: bu,
    supportingDocument: supportingDocument.sid,
    businessInformation: businessInformation.sid,
    representative: representative.sid,
    documentAssignment: documentAssignment.sid,
    businessAssignment: businessAssignment.sid,
    representativeAssignment: representativeAssignment.sid,
    phoneNumber: phoneNumberSid,
    channelAssignment: channelAssignment.sid,
    primaryAssignment: primaryAssignment ? primaryAssignment.sid : null,
  };
}

test("secondary business profile is noncompliant without the primary profile", async () => {
  const { client, base, accountSid } = ctx;
  const sids = await buildSecondaryProfile();
  const bu = sids.customerProfile;
  const profile = client.trusthub.v1.customerProfiles(bu);

  // Entity assignments: the address document, the business information and the
  // representative (the Primary profile cannot be assigned: it is console-only).
  const assignments = await profile.customerProfilesEntityAssignments.list({ limit: 20 });
  assert.deepEqual(
    assignments.map((a) => a.sid).sort(),
    [sids.documentAssignment, sids.businessAssignment, sids.representativeAssignment].sort(),
  );
  assert.deepEqual(
    assignments.map((a) => a.objectSid).sort(),
    [sids.supportingDocument, sids.businessInformation, sids.representative].sort(),
  );
  assert.ok(assignments.every((a) => a.customerProfileSid === bu));

  const fetched = await profile.customerProfilesEntityAssignments(sids.businessAssignment).fetch();
  assert.equal(fetched.sid, sids.businessAssignment);
  assert.equal(fetched.objectSid, sids.businessInformation);
  assert.equal(fetched.customerProfileSid, bu);
  assert.equal(fetched.accountSid, accountSid);
  assert.equal(fetched.url, `${base}/v1/CustomerProfiles/${bu}/EntityAssignments/${fetched.sid}`);

  // "Check Secondary Business Profile Phone Number Assignments"
  const channelAssignments = await profile.customerProfilesChannelEndpointAssignment.list({ limit: 20 });
  assert.deepEqual(
    channelAssignments.map((c) => [c.sid, c.channelEndpointSid]),
    [[sids.channelAssignment, sids.phoneNumber]],
  );

  // Evaluate against the bundle's policy.
  const evaluation = await profile.customerProfilesEvaluations.create({ policySid: SECONDARY_PROFILE_POLICY });
  assert.match(evaluation.sid, sidOf("EL"));
  assert.equal(evaluation.accountSid, accountSid);
  assert.equal(evaluation.policySid, SECONDARY_PROFILE_POLICY);
  assert.equal(evaluation.customerProfileSid, bu);
  assert.equal(evaluation.status, "noncompliant");
  assert.equal(evaluation.url, `${base}/v1/CustomerProfiles/${bu}/Evaluations/${evaluation.sid}`);
  const byName = Object.fromEntries(evaluation.results.map((r) => [r.requirement_name, r]));
  const failing = evaluation.results.filter((r) => !r.passed).map((r) => r.requirement_name);
  assert.deepEqual(failing, ["primary_customer_profile"], JSON.stringify(evaluation.results));
  for (const name of REQUIRED_SECONDARY_REQUIREMENTS) {
    assert.ok(byName[name], `no result for requirement ${name}: ${JSON.stringify(evaluation.results)}`);
    assertPassed(byName[name]);
  }
  const primary = byName.primary_customer_profile;
  assert.equal(primary.object_type, "primary_customer_profile_type_business");
  assert.equal(primary.error_code, 22216); // supporting profile missing (catalog.md)
  assert.ok(typeof primary.failure_reason === "string" && primary.failure_reason.length > 0);

  const again = await profile.customerProfilesEvaluations(evaluation.sid).fetch();
  assert.equal(again.sid, evaluation.sid);
  assert.equal(again.status, "noncompliant");
  assert.deepEqual(again.results, evaluation.results);
  assert.deepEqual(
    (await profile.customerProfilesEvaluations.list()).map((e) => e.sid),
    [evaluation.sid],
  );

  // 10. Submit: refused because the evaluation is noncompliant; the bundle stays draft.
  await assert.rejects(
    client.trusthub.v1.customerProfiles(bu).update({ status: "pending-review" }),
    restError(400, (err) => {
      assert.equal(err.code, 22220, err.message);
      assert.ok(err.message.includes(`The CustomerProfile ${bu} is noncompliant and cannot be submitted`), err.message);
      assert.ok(err.message.includes("primary_customer_profile ("), err.message);
    }),
  );
  assert.equal((await profile.fetch()).status, "draft");
});

/**
 * Steps 1-5 of the guide's Voice Integrity part, on the Secondary profile `bu` and its number;
 * by default through the file's (parent) client, `client`/`accountSid` name another account's.
 */
async function buildVoiceIntegrityProduct(bu, phoneNumberSid, { client = ctx.client, accountSid = ctx.accountSid } = {}) {
  const { base } = ctx;

  // 1. Create a Voice Integrity Trust Product
  const trustProduct = await client.trusthub.v1.trustProducts.create({
    email: "EMAIL@EXAMPLE.COM",
    friendlyName: "FRIENDLY_NAME_FOR_YOUR_TRUST_PRODUCT",
    policySid: VOICE_INTEGRITY_POLICY,
  });
  const tp = trustProduct.sid;
  assert.match(tp, sidOf("BU"));
  assert.equal(trustProduct.accountSid, accountSid);
  assert.equal(trustProduct.policySid, VOICE_INTEGRITY_POLICY);
  assert.equal(trustProduct.friendlyName, "FRIENDLY_NAME_FOR_YOUR_TRUST_PRODUCT");
  assert.equal(trustProduct.email, "EMAIL@EXAMPLE.COM");
  assert.equal(trustProduct.status, "draft");
  assert.equal(trustProduct.errors, null);
  assert.equal(trustProduct.validUntil, null);
  assert.equal(trustProduct.url, `${base}/v1/TrustProducts/${tp}`);
  assert.deepEqual(trustProduct.links, {
    trust_products_entity_assignments: `${base}/v1/TrustProducts/${tp}/EntityAssignments`,
    trust_products_evaluations: `${base}/v1/TrustProducts/${tp}/Evaluations`,
    trust_products_channel_endpoint_assignment: `${base}/v1/TrustProducts/${tp}/ChannelEndpointAssignments`,
  });

  // 2. Create the End User for the Voice Integrity Trust Product
  const endUser = await client.trusthub.v1.endUsers.create({
    attributes: VOICE_INTEGRITY_INFORMATION,
    friendlyName: "YOUR_END_USER_FRIENDLY_NAME",
    type: "voice_integrity_information",
  });
  assert.match(endUser.sid, sidOf("IT"));
  assert.equal(endUser.type, "voice_integrity_information");
  assert.deepEqual(endUser.attributes, VOICE_INTEGRITY_INFORMATION);

  // 3. Connect the Trust Product to the End User
  const endUserAssignment = await client.trusthub.v1
    .trustProducts(tp)
    .trustProductsEntityAssignments.create({ objectSid: endUser.sid });
  assert.match(endUserAssignment.sid, sidOf("BV"));
  assert.equal(endUserAssignment.trustProductSid, tp);
  assert.equal(endUserAssignment.accountSid, accountSid);
  assert.equal(endUserAssignment.objectSid, endUser.sid);
  assert.equal(endUserAssignment.url, `${base}/v1/TrustProducts/${tp}/EntityAssignments/${endUserAssignment.sid}`);

  // 4. Connect the Trust Product to the Secondary Business Profile
  const profileAssignment = await client.trusthub.v1
    .trustProducts(tp)
    .trustProductsEntityAssignments.create({
      objectSid: bu,
    });
  assert.equal(profileAssignment.objectSid, bu);
  assert.equal(profileAssignment.trustProductSid, tp);
  const product = client.trusthub.v1.trustProducts(tp);
  assert.deepEqual(
    (await product.trustProductsEntityAssignments.list()).map((a) => a.objectSid).sort(),
    [endUser.sid, bu].sort(),
  );

  // 5. Assign the profile's phone number to the Trust Product
  const channelAssignment = await client.trusthub.v1
    .trustProducts(tp)
    .trustProductsChannelEndpointAssignment.create({
      channelEndpointSid: phoneNumberSid,
      channelEndpointType: "phone-number",
    });
  assert.match(channelAssignment.sid, sidOf("RA"));
  assert.equal(channelAssignment.trustProductSid, tp);
  assert.equal(channelAssignment.channelEndpointSid, phoneNumberSid);
  assert.equal(channelAssignment.channelEndpointType, "phone-number");
  assert.equal(channelAssignment.url, `${base}/v1/TrustProducts/${tp}/ChannelEndpointAssignments/${channelAssignment.sid}`);

  return {
    trustProduct: tp,
    endUser: endUser.sid,
    endUserAssignment: endUserAssignment.sid,
    profileAssignment: profileAssignment.sid,
    channelAssignment: channelAssignment.sid,
  };
}

test("voice integrity trust product", async () => {
  const { client, base, accountSid } = ctx;
  const sids = await buildSecondaryProfile();
  const bu = sids.customerProfile;
  const phoneNumberSid = sids.phoneNumber;
  const tpSids = await buildVoiceIntegrityProduct(bu, phoneNumberSid);
  const tp = tpSids.trustProduct;
  const product = client.trusthub.v1.trustProducts(tp);

  const matching = await product.trustProductsChannelEndpointAssignment.list({ channelEndpointSid: phoneNumberSid, limit: 20 });
  assert.deepEqual(
    matching.map((c) => [c.sid, c.channelEndpointSid, c.trustProductSid]),
    [[tpSids.channelAssignment, phoneNumberSid, tp]],
  );
  const otherNumber = "PN" + hex32();
  assert.deepEqual(await product.trustProductsChannelEndpointAssignment.list({ channelEndpointSid: otherNumber }), []);

  // Evaluate: the end user is fine, but the supporting Secondary profile is only a draft.
  const evaluation = await product.trustProductsEvaluations.create({ policySid: VOICE_INTEGRITY_POLICY });
  assert.match(evaluation.sid, sidOf("EL"));
  assert.equal(evaluation.trustProductSid, tp);
  assert.equal(evaluation.policySid, VOICE_INTEGRITY_POLICY);
  assert.equal(evaluation.accountSid, accountSid);
  assert.equal(evaluation.url, `${base}/v1/TrustProducts/${tp}/Evaluations/${evaluation.sid}`);
  assert.equal(evaluation.status, "noncompliant");
  const voiceIntegrity = evaluation.results.filter((r) => r.object_type === "voice_integrity_information");
  assert.equal(voiceIntegrity.length, 1, JSON.stringify(evaluation.results));
  assertPassed(voiceIntegrity[0]);
  const failing = evaluation.results.filter((r) => !r.passed);
  assert.equal(failing.length, 1, JSON.stringify(evaluation.results));
  assert.equal(failing[0].error_code, 22217); // supporting profile not approved (catalog.md)

  // Submitting a noncompliant trust product is refused; it stays draft.
  await assert.rejects(
    product.update({ status: "pending-review" }),
    restError(400, (err) => {
      assert.equal(err.code, 22220, err.message);
      assert.ok(err.message.includes(`The TrustProduct ${tp} is noncompliant and cannot be submitted`), err.message);
      assert.ok(err.message.includes("(22217)"), err.message);
    }),
  );
  assert.equal((await product.fetch()).status, "draft");
});

// ---------------------------------------------------------------------------
// With the Primary Business Profile (operator API) and the automatic reviewer
// ---------------------------------------------------------------------------

const DECIDED = ["twilio-approved", "twilio-rejected"];

/** The bundle's status_changed events as [from, to, by]. */
async function statusChanges(bundleSid) {
  return (await ctx.operator.events(bundleSid, "status_changed")).map((e) => [e.detail.from, e.detail.to, e.detail.by]);
}

/**
 * The operator approves a submitted bundle through POST /admin/v1/Reviews/{sid}.
 *
 * The file's server also runs the automatic reviewer with no delay, which approves a
 * clean bundle on its own and may get there first. Then the operator's decision is
 * refused with 409 (20409, the bundle is no longer under review) and the timeline
 * shows the pipeline's approval instead. Either way there is exactly one decision.
 */
async function approveByOperator(bundleSid) {
  const { status, body } = await ctx.operator.decide(bundleSid, "approve");
  let decider;
  if (status === 200) {
    assert.equal(body.sid, bundleSid);
    assert.equal(body.status, "twilio-approved", JSON.stringify(body));
    assert.equal(body.errors, null, JSON.stringify(body));
    assert.notEqual(body.valid_until, null, JSON.stringify(body));
    decider = "operator";
  } else {
    assert.ok(status === 409 && body.code === 20409, `${status} ${JSON.stringify(body)}`);
    assert.ok(body.message.includes("twilio-approved"), body.message);
    decider = "pipeline";
  }
  const decisions = (await statusChanges(bundleSid)).filter(([, to]) => DECIDED.includes(to));
  assert.deepEqual(decisions.map(([, to, by]) => [to, by]), [["twilio-approved", decider]]);
}

/**
 * Step 2's prerequisite: the parent account's approved Primary Business Profile,
 * made once per file. The Primary policy is console-only, so the profile is created by
 * the operator API for this account, as the Console would. The customer then completes
 * and submits it through the client, and the operator approves it.
 */
let primaryProfilePromise = null;
function primaryProfile() {
  primaryProfilePromise = primaryProfilePromise || createPrimaryProfile();
  return primaryProfilePromise;
}

async function createPrimaryProfile() {
  const { client, base, accountSid, operator } = ctx;
  const created = await operator.createCustomerProfile(accountSid, {
    friendlyName: "Acme Inc Primary Business Profile",
    email: "compliance@acme.example.com",
    policySid: PRIMARY_PROFILE_POLICY,
  });
  const primary = created.sid;
  assert.match(primary, sidOf("BU"));
  assert.deepEqual(
    [created.account_sid, created.policy_sid, created.status],
    [accountSid, PRIMARY_PROFILE_POLICY, "draft"],
  );
  assert.equal(created.url, `${base}/v1/CustomerProfiles/${primary}`);

  // The public API refuses the console-only policy...
  await assert.rejects(
    client.trusthub.v1.customerProfiles.create({
      email: "compliance@acme.example.com",
      friendlyName: "not allowed",
      policySid: PRIMARY_PROFILE_POLICY,
    }),
    restError(400, (err) => {
      assert.equal(err.code, 22200, err.message);
      assert.ok(err.message.includes("This operation is restricted via API"), err.message);
    }),
  );
  // ...but the customer sees and completes the profile the Console made.
  const profile = client.trusthub.v1.customerProfiles(primary);
  const fetched = await profile.fetch();
  assert.deepEqual(
    [fetched.accountSid, fetched.policySid, fetched.status],
    [accountSid, PRIMARY_PROFILE_POLICY, "draft"],
  );

  // Seed 001 is the ISV guide: the ISV's own Primary says so (a direct customer's Primary
  // would make the API refuse Secondary profiles, as Twilio does).
  const businessInformation = await client.trusthub.v1.endUsers.create({
    attributes: { ...BUSINESS_INFORMATION, business_identity: "isv_reseller_or_partner" },
    friendlyName: "Acme Inc",
    type: "customer_profile_business_information",
  });
  const representative = await client.trusthub.v1.endUsers.create({
    attributes: AUTHORIZED_REPRESENTATIVE,
    friendlyName: "Ada Lovelace",
    type: "authorized_representative_1",
  });
  const address = await client.trusthub.v1.supportingDocuments.create({
    attributes: { address_sids: await createAddress(client) },
    friendlyName: "Acme Inc headquarters",
    type: "customer_profile_address",
  });
  for (const objectSid of [businessInformation.sid, representative.sid, address.sid]) {
    assert.equal((await profile.customerProfilesEntityAssignments.create({ objectSid })).objectSid, objectSid);
  }

  const evaluation = await profile.customerProfilesEvaluations.create({ policySid: PRIMARY_PROFILE_POLICY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  evaluation.results.forEach(assertPassed);

  const submitted = await profile.update({ status: "pending-review" });
  assert.equal(submitted.status, "pending-review");
  await approveByOperator(primary);
  const approved = await waitForStatus(profile, "twilio-approved");
  assert.ok(approved.validUntil instanceof Date, String(approved.validUntil));
  assert.equal(approved.errors, null);
  return primary;
}

function assertApproved(instance) {
  assert.equal(instance.status, "twilio-approved");
  assert.ok(instance.validUntil instanceof Date && !Number.isNaN(instance.validUntil.getTime()), String(instance.validUntil));
  assert.equal(instance.errors, null);
}

test("secondary business profile and voice integrity trust product are approved", async () => {
  const { client } = ctx;
  const primary = await primaryProfile();

  // Steps 1-9, with step 2: connect the Secondary profile to the approved Primary.
  const sids = await buildSecondaryProfile({ primarySid: primary });
  const bu = sids.customerProfile;
  const profile = client.trusthub.v1.customerProfiles(bu);
  assert.deepEqual(
    (await profile.customerProfilesEntityAssignments.list()).map((a) => a.objectSid).sort(),
    [primary, sids.supportingDocument, sids.businessInformation, sids.representative].sort(),
  );

  const evaluation = await profile.customerProfilesEvaluations.create({ policySid: SECONDARY_PROFILE_POLICY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  const names = evaluation.results.map((r) => r.requirement_name);
  for (const name of [...REQUIRED_SECONDARY_REQUIREMENTS, "primary_customer_profile"]) {
    assert.ok(names.includes(name), `no result for requirement ${name}: ${JSON.stringify(evaluation.results)}`);
  }
  evaluation.results.forEach(assertPassed);

  // 10. Submit the Secondary Business Profile for vetting
  const submitted = await client.trusthub.v1.customerProfiles(bu).update({ status: "pending-review" });
  assert.equal(submitted.sid, bu);
  assert.equal(submitted.status, "pending-review");
  assert.equal(submitted.validUntil, null);
  assert.equal(submitted.errors, null);

  // Voice Integrity: steps 1-5, then evaluate and submit.
  const tpSids = await buildVoiceIntegrityProduct(bu, sids.phoneNumber);
  const tp = tpSids.trustProduct;
  const product = client.trusthub.v1.trustProducts(tp);
  const tpEvaluation = await product.trustProductsEvaluations.create({ policySid: VOICE_INTEGRITY_POLICY });
  assert.equal(tpEvaluation.status, "compliant", JSON.stringify(tpEvaluation.results));
  tpEvaluation.results.forEach(assertPassed);
  const tpSubmitted = await client.trusthub.v1.trustProducts(tp).update({ status: "pending-review" });
  assert.equal(tpSubmitted.sid, tp);
  assert.equal(tpSubmitted.status, "pending-review");

  assertApproved(await waitForStatus(profile, "twilio-approved"));
  assertApproved(await waitForStatus(product, "twilio-approved"));
  // Both fetched once more, as a customer would after the callback.
  assertApproved(await client.trusthub.v1.customerProfiles(bu).fetch());
  assertApproved(await client.trusthub.v1.trustProducts(tp).fetch());
  const approvedByPipeline = [
    ["draft", "pending-review", "customer"],
    ["pending-review", "in-review", "pipeline"],
    ["in-review", "twilio-approved", "pipeline"],
  ];
  assert.deepEqual(await statusChanges(bu), approvedByPipeline);
  assert.deepEqual(await statusChanges(tp), approvedByPipeline);
});

test("a rejected secondary business profile is fixed and resubmitted", async () => {
  const { client, operator } = ctx;
  const primary = await primaryProfile();
  const rejectedName = { ...BUSINESS_INFORMATION, business_name: "Acme REJECT" };
  const sids = await buildSecondaryProfile({ primarySid: primary, businessInformationAttributes: rejectedName });
  const bu = sids.customerProfile;
  const profile = client.trusthub.v1.customerProfiles(bu);
  assert.equal((await profile.update({ status: "pending-review" })).status, "pending-review");

  const rejected = await waitForStatus(profile, "twilio-rejected");
  assert.deepEqual(rejected.errors, [{ code: 18601 }]);
  assert.equal(rejected.validUntil, null);

  // Fix the business name and submit again.
  const fixedName = { ...BUSINESS_INFORMATION, business_name: "Acme Inc" };
  const fixed = await client.trusthub.v1.endUsers(sids.businessInformation).update({ attributes: fixedName });
  assert.deepEqual(fixed.attributes, fixedName);
  assert.deepEqual((await client.trusthub.v1.endUsers(sids.businessInformation).fetch()).attributes, fixedName);
  const resubmitted = await profile.update({ status: "pending-review" });
  assert.equal(resubmitted.status, "pending-review");
  assert.equal(resubmitted.errors, null);

  assertApproved(await waitForStatus(profile, "twilio-approved"));
  assert.deepEqual(await statusChanges(bu), [
    ["draft", "pending-review", "customer"],
    ["pending-review", "in-review", "pipeline"],
    ["in-review", "twilio-rejected", "pipeline"],
    ["twilio-rejected", "pending-review", "customer"],
    ["pending-review", "in-review", "pipeline"],
    ["in-review", "twilio-approved", "pipeline"],
  ]);
  const rejection = (await operator.events(bu, "status_changed"))[2].detail;
  assert.deepEqual(rejection.error_codes, [18601]);
  assert.ok(rejection.failure_reason.includes("Acme REJECT"), JSON.stringify(rejection));
});

// ---------------------------------------------------------------------------
// The guide as an ISV runs it: the customer's own subaccount, its own client
// ---------------------------------------------------------------------------

const SUBACCOUNT_ADDRESS = {
  customerName: "Globex LLC",
  street: "42 Market St",
  city: "Springfield",
  region: "IL",
  postalCode: "62701",
  isoCountry: "US",
};

/** A customer subaccount, created with the PARENT's client (2010-04-01 Accounts). */
async function createSubaccount(friendlyName) {
  const { client, accountSid } = ctx;
  const subaccount = await client.api.v2010.accounts.create({ friendlyName });
  assert.match(subaccount.sid, sidOf("AC"));
  assert.notEqual(subaccount.sid, accountSid);
  assert.equal(subaccount.ownerAccountSid, accountSid);
  assert.equal(subaccount.friendlyName, friendlyName);
  assert.equal(subaccount.status, "active");
  assert.ok(typeof subaccount.authToken === "string" && subaccount.authToken.length > 0);
  assert.ok(subaccount.dateCreated instanceof Date && !Number.isNaN(subaccount.dateCreated.getTime()));
  assert.equal(subaccount.uri, `/2010-04-01/Accounts/${subaccount.sid}.json`);
  return subaccount;
}

test("an ISV runs the guide in a customer subaccount", async () => {
  const { client } = ctx;
  const primary = await primaryProfile();

  // The ISV creates the customer's subaccount with its own (parent) credentials...
  const subaccount = await createSubaccount("Globex LLC (customer of Acme Inc)");
  const sub = subaccount.sid;
  // ...and from then on works with the subaccount's own SID and auth token.
  const subClient = ctx.makeClient(sub, subaccount.authToken);

  // The customer's Address and phone number, in the subaccount ("Additional API Calls").
  const address = await subClient.addresses.create(SUBACCOUNT_ADDRESS);
  assert.match(address.sid, sidOf("AD"));
  assert.equal(address.accountSid, sub);
  assert.deepEqual(
    [address.customerName, address.street, address.city, address.region, address.postalCode, address.isoCountry],
    ["Globex LLC", "42 Market St", "Springfield", "IL", "62701", "US"],
  );
  assert.equal(address.friendlyName, null); // none given (the guide's output shows null)
  assert.equal(address.streetSecondary, null);
  assert.deepEqual([address.emergencyEnabled, address.validated, address.verified], [false, false, false]);
  assert.ok(address.dateCreated instanceof Date && !Number.isNaN(address.dateCreated.getTime()));
  assert.equal(address.uri, `/2010-04-01/Accounts/${sub}/Addresses/${address.sid}.json`);

  const phoneNumber = "+1555" + String(crypto.randomInt(10 ** 7)).padStart(7, "0");
  const number = await subClient.incomingPhoneNumbers.create({ phoneNumber });
  assert.match(number.sid, sidOf("PN"));
  assert.equal(number.accountSid, sub);
  assert.equal(number.phoneNumber, phoneNumber);
  assert.equal(number.bundleSid, null);
  assert.equal(number.uri, `/2010-04-01/Accounts/${sub}/IncomingPhoneNumbers/${number.sid}.json`);

  // Secondary Business Profile, steps 1-9 in the subaccount, step 2 with the PARENT's
  // approved Primary Business Profile; then evaluate and submit (step 10).
  const sids = await buildSecondaryProfile({
    primarySid: primary,
    client: subClient,
    accountSid: sub,
    addressSid: address.sid,
    phoneNumberSid: number.sid,
  });
  const bu = sids.customerProfile;
  const profile = subClient.trusthub.v1.customerProfiles(bu);
  assert.deepEqual(
    (await profile.customerProfilesEntityAssignments.list()).map((a) => a.objectSid).sort(),
    [primary, sids.supportingDocument, sids.businessInformation, sids.representative].sort(),
  );
  const evaluation = await profile.customerProfilesEvaluations.create({ policySid: SECONDARY_PROFILE_POLICY });
  assert.equal(evaluation.accountSid, sub);
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  evaluation.results.forEach(assertPassed);
  assert.equal((await profile.update({ status: "pending-review" })).status, "pending-review");

  // Voice Integrity trust product, steps 1-5 in the subaccount; evaluate and submit (step 6).
  const tpSids = await buildVoiceIntegrityProduct(bu, number.sid, { client: subClient, accountSid: sub });
  const tp = tpSids.trustProduct;
  const product = subClient.trusthub.v1.trustProducts(tp);
  const tpEvaluation = await product.trustProductsEvaluations.create({ policySid: VOICE_INTEGRITY_POLICY });
  assert.equal(tpEvaluation.status, "compliant", JSON.stringify(tpEvaluation.results));
  tpEvaluation.results.forEach(assertPassed);
  assert.equal((await product.update({ status: "pending-review" })).status, "pending-review");

  for (const approved of [await waitForStatus(profile, "twilio-approved"), await waitForStatus(product, "twilio-approved")]) {
    assertApproved(approved);
    assert.equal(approved.accountSid, sub);
  }
  const approvedByPipeline = [
    ["draft", "pending-review", "customer"],
    ["pending-review", "in-review", "pipeline"],
    ["in-review", "twilio-approved", "pipeline"],
  ];
  assert.deepEqual(await statusChanges(bu), approvedByPipeline);
  assert.deepEqual(await statusChanges(tp), approvedByPipeline);

  // "Additional API Calls", through the subaccount's client: exactly what the flow created.
  const customerProfiles = await subClient.trusthub.v1.customerProfiles.list({ limit: 20 });
  assert.deepEqual(
    customerProfiles.map((c) => [c.sid, c.accountSid, c.status]),
    [[bu, sub, "twilio-approved"]],
  );
  assert.deepEqual((await subClient.trusthub.v1.trustProducts.list({ limit: 20 })).map((t) => t.sid), [tp]);

  const addresses = await subClient.addresses.list({ limit: 20 });
  assert.deepEqual(addresses.map((a) => [a.sid, a.accountSid, a.customerName]), [[address.sid, sub, "Globex LLC"]]);

  const documents = await subClient.trusthub.v1.supportingDocuments.list({ limit: 20 });
  assert.deepEqual(
    documents.map((d) => [d.sid, d.accountSid, d.type, d.attributes]),
    [[sids.supportingDocument, sub, "customer_profile_address", { address_sids: address.sid }]],
  );

  const endUsers = await subClient.trusthub.v1.endUsers.list({ limit: 20 });
  const byType = (a, b) => a[2].localeCompare(b[2]);
  assert.deepEqual(
    endUsers.map((e) => [e.sid, e.accountSid, e.type]).sort(byType),
    [
      [sids.businessInformation, sub, "customer_profile_business_information"],
      [sids.representative, sub, "authorized_representative_1"],
      [tpSids.endUser, sub, "voice_integrity_information"],
    ].sort(byType),
  );

  const numbers = await subClient.incomingPhoneNumbers.list({ limit: 20 });
  assert.deepEqual(numbers.map((n) => [n.sid, n.accountSid, n.phoneNumber]), [[number.sid, sub, phoneNumber]]);
  assert.ok([bu, tp].includes(numbers[0].bundleSid), String(numbers[0].bundleSid));

  // "Check Secondary Business Profile Phone Number Assignments", unfiltered and by number.
  const channelAssignments = profile.customerProfilesChannelEndpointAssignment;
  for (const listed of [
    await channelAssignments.list({ limit: 20 }),
    await channelAssignments.list({ channelEndpointSid: number.sid, limit: 20 }),
  ]) {
    assert.deepEqual(
      listed.map((c) => [c.sid, c.channelEndpointSid, c.customerProfileSid, c.accountSid]),
      [[sids.channelAssignment, number.sid, bu, sub]],
    );
  }
  assert.deepEqual(await channelAssignments.list({ channelEndpointSid: "PN" + hex32() }), []);
  const productAssignments = await product.trustProductsChannelEndpointAssignment.list({ limit: 20 });
  assert.deepEqual(
    productAssignments.map((c) => [c.sid, c.channelEndpointSid, c.trustProductSid, c.accountSid]),
    [[tpSids.channelAssignment, number.sid, tp, sub]],
  );

  // The parent's credentials do not reach the subaccount's TrustHub resources...
  await assert.rejects(
    client.trusthub.v1.customerProfiles(bu).fetch(),
    restError(404, (err) => assert.equal(err.code, 20404)),
  );
  assert.ok(!(await client.trusthub.v1.customerProfiles.list()).some((c) => c.sid === bu));
  // ...but do reach its 2010-04-01 resources, with the subaccount's SID in the URL.
  const parentView = await client.api.v2010.accounts(sub).addresses.list();
  assert.deepEqual(parentView.map((a) => [a.sid, a.accountSid]), [[address.sid, sub]]);
  assert.ok(!(await client.addresses.list()).some((a) => a.sid === address.sid));
  // The subaccount may assign the parent's Primary profile (step 2) but not read it, and
  // never reaches the parent's 2010-04-01 resources.
  await assert.rejects(
    subClient.trusthub.v1.customerProfiles(primary).fetch(),
    restError(404, (err) => assert.equal(err.code, 20404)),
  );
  await assert.rejects(
    subClient.api.v2010.accounts(ctx.accountSid).fetch(),
    restError(401, (err) => assert.equal(err.code, 20003)),
  );
});

test("an API key of a subaccount authenticates the library", async () => {
  const { base, httpClient } = ctx;
  const subaccount = await createSubaccount("Initech (customer of Acme Inc)");
  const sub = subaccount.sid;
  const subClient = ctx.makeClient(sub, subaccount.authToken);
  const address = await subClient.addresses.create(SUBACCOUNT_ADDRESS);
  const secondary = await subClient.trusthub.v1.customerProfiles.create({
    email: "EMAIL@EMAIL.COM",
    friendlyName: "YOUR_FRIENDLY_NAME_FOR_SECONDARY_CUSTOMER_PROFILE",
    policySid: SECONDARY_PROFILE_POLICY,
  });

  // An API key of the subaccount; its secret is shown once.
  const key = await subClient.newKeys.create({ friendlyName: "Acme Inc onboarding backend" });
  assert.match(key.sid, sidOf("SK"));
  assert.equal(key.friendlyName, "Acme Inc onboarding backend");
  assert.ok(typeof key.secret === "string" && key.secret.length > 0);
  assert.ok(key.dateCreated instanceof Date && !Number.isNaN(key.dateCreated.getTime()));
  const listed = await subClient.keys.list();
  assert.deepEqual(listed.map((k) => [k.sid, k.friendlyName]), [[key.sid, "Acme Inc onboarding backend"]]);
  assert.ok(!JSON.stringify(httpClient.exchanges.at(-1).body).includes(key.secret));

  // twilio(keySid, secret, { accountSid }): basic auth with the key, URLs with the account.
  const keyClient = officialClient(base, key.sid, key.secret, httpClient, { accountSid: sub });
  const fetched = await keyClient.trusthub.v1.customerProfiles(secondary.sid).fetch();
  assert.deepEqual([fetched.sid, fetched.accountSid, fetched.status], [secondary.sid, sub, "draft"]);
  assert.deepEqual((await keyClient.addresses.list()).map((a) => [a.sid, a.accountSid]), [[address.sid, sub]]);
  assert.ok(httpClient.exchanges.at(-1).uri.startsWith(`${base}/2010-04-01/Accounts/${sub}/Addresses.json`));

  // A deleted key no longer authenticates.
  assert.equal(await subClient.keys(key.sid).remove(), true);
  await assert.rejects(
    keyClient.trusthub.v1.customerProfiles(secondary.sid).fetch(),
    restError(401, (err) => assert.equal(err.code, 20003)),
  );
});
