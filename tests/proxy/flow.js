// Seed 001 through transparent mode with twilio-node 6.x: `twilio(accountSid, authToken)`
// as Twilio's guide writes it, no base URL; only the environment the server printed
// (HTTP_PROXY, NODE_EXTRA_CA_CERTS, ...) sends it to the sandbox. The same flow as
// flow.py (see there). Run by tests/proxy/run.sh.
const assert = require("node:assert/strict");
const twilio = require("twilio");

const SID = process.env.TWILIO_ACCOUNT_SID;
const TOKEN = process.env.TWILIO_AUTH_TOKEN;
const SERVER = process.env.TRUSTHUB_URL;
const ADMIN = process.env.TRUSTHUB_ADMIN_TOKEN;
const PRIMARY = "RN6433641899984f951173ef1738c3bdd0";
const SECONDARY = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
const VOICE_INTEGRITY = "RN5b3660f9598883b1df4e77f77acefba0";
const BUSINESS = {
  business_name: "Acme Inc", business_identity: "isv_reseller_or_partner",
  business_type: "Corporation", business_industry: "TECHNOLOGY",
  business_registration_identifier: "USA: Employer Identification Number (EIN)",
  business_registration_number: "123456789", business_regions_of_operation: "USA_AND_CANADA",
  website_url: "https://acme.example.com", social_media_profile_urls: "",
};
const REPRESENTATIVE = {
  first_name: "Ada", last_name: "Lovelace", email: "ada@acme.example.com",
  phone_number: "+15555550100", business_title: "Chief Executive", job_position: "CEO",
};

async function waitApproved(resource) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const bundle = await resource.fetch();
    if (bundle.status === "twilio-approved") return bundle;
    assert.ok(Date.now() < deadline, `${bundle.sid} stuck in ${bundle.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main() {
  assert.ok(process.env.HTTP_PROXY, "run through tests/proxy/run.sh");
  const client = twilio(SID, TOKEN);
  const hub = client.trusthub.v1;

  async function businessContent(assignments, addressSid) {
    const document = await hub.supportingDocuments.create({
      friendlyName: "HQ", type: "customer_profile_address", attributes: { address_sids: addressSid },
    });
    const business = await hub.endUsers.create({
      friendlyName: "Acme", type: "customer_profile_business_information", attributes: BUSINESS,
    });
    const person = await hub.endUsers.create({
      friendlyName: "Ada", type: "authorized_representative_1", attributes: REPRESENTATIVE,
    });
    for (const obj of [document, business, person]) await assignments.create({ objectSid: obj.sid });
  }

  const address = await client.addresses.create({
    customerName: "Acme Inc", street: "1 Main St", city: "San Francisco", region: "CA",
    postalCode: "94105", isoCountry: "US",
  });

  // The Primary Business Profile (console-only: created by the operator), completed and submitted.
  const r = await fetch(`${SERVER}/admin/v1/Accounts/${SID}/CustomerProfiles`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}` },
    body: new URLSearchParams({ FriendlyName: "Acme primary", Email: "ops@acme.example.com", PolicySid: PRIMARY }),
  });
  assert.equal(r.status, 201);
  const primary = (await r.json()).sid;
  await businessContent(hub.customerProfiles(primary).customerProfilesEntityAssignments, address.sid);
  await hub.customerProfiles(primary).update({ status: "pending-review" });
  await waitApproved(hub.customerProfiles(primary));

  // Seed 001 steps 1-9: the Secondary Business Profile.
  const profile = await hub.customerProfiles.create({
    email: "ops@acme.example.com", friendlyName: "Acme secondary", policySid: SECONDARY,
  });
  assert.equal(profile.url, `https://trusthub.twilio.com/v1/CustomerProfiles/${profile.sid}`);
  const assignments = hub.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  await assignments.create({ objectSid: primary });
  await businessContent(assignments, address.sid);
  let evaluation = await hub.customerProfiles(profile.sid).customerProfilesEvaluations.create({ policySid: SECONDARY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  await hub.customerProfiles(profile.sid).update({ status: "pending-review" });
  await waitApproved(hub.customerProfiles(profile.sid));

  // The Voice Integrity trust product.
  const product = await hub.trustProducts.create({
    email: "ops@acme.example.com", friendlyName: "Acme voice integrity", policySid: VOICE_INTEGRITY,
  });
  const information = await hub.endUsers.create({
    friendlyName: "VI", type: "voice_integrity_information",
    attributes: { use_case: "Survey/Research", business_employee_count: "10", average_business_day_call_volume: "10", notes: "Surveying people" },
  });
  for (const sid of [information.sid, profile.sid]) {
    await hub.trustProducts(product.sid).trustProductsEntityAssignments.create({ objectSid: sid });
  }
  evaluation = await hub.trustProducts(product.sid).trustProductsEvaluations.create({ policySid: VOICE_INTEGRITY });
  assert.equal(evaluation.status, "compliant", JSON.stringify(evaluation.results));
  await hub.trustProducts(product.sid).update({ status: "pending-review" });
  await waitApproved(hub.trustProducts(product.sid));

  // A phone number (api.twilio.com) on the profile, then on the trust product.
  const number = await client.incomingPhoneNumbers.create({ phoneNumber: "+15555550123" });
  await hub.customerProfiles(profile.sid).customerProfilesChannelEndpointAssignment.create({
    channelEndpointType: "phone-number", channelEndpointSid: number.sid,
  });
  await hub.trustProducts(product.sid).trustProductsChannelEndpointAssignment.create({
    channelEndpointType: "phone-number", channelEndpointSid: number.sid,
  });

  // Auto-paging follows next_page_url (https://trusthub.twilio.com/...) through the proxy.
  const users = await hub.endUsers.list({ pageSize: 2 });
  assert.equal(users.length, 5); // 2 + 2 business end users, 1 voice integrity
  console.log(`flow.js: seed 001 through the proxy OK (profile ${profile.sid}, trust product ${product.sid})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
