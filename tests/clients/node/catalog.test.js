"use strict";
/** The read-only catalog: Policies, EndUserTypes, SupportingDocumentTypes. */

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { useServer } = require("./server");

const ctx = useServer();

const SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5";
const VOICE_INTEGRITY_POLICY = "RN5b3660f9598883b1df4e77f77acefba0";
const TYPE_SID = /^OY[0-9a-f]{32}$/;

test("policies.list() includes the Secondary Customer Profile policy", async () => {
  const policies = await ctx.client.trusthub.v1.policies.list();
  const bySid = new Map(policies.map((p) => [p.sid, p]));
  assert.equal(bySid.size, policies.length, "duplicate policies in the list");
  assert.ok(bySid.has(SECONDARY_PROFILE_POLICY));
  assert.ok(bySid.has(VOICE_INTEGRITY_POLICY));
  const secondary = bySid.get(SECONDARY_PROFILE_POLICY);
  assert.equal(secondary.friendlyName, "Secondary Customer Profile of type Business");
  assert.equal(secondary.url, `${ctx.base}/v1/Policies/${SECONDARY_PROFILE_POLICY}`);
  const requirements = secondary.requirements;
  assert.deepEqual(
    requirements.supporting_customer_profiles.map((r) => r.requirement_name),
    ["primary_customer_profile"],
  );
  assert.deepEqual(
    requirements.end_user.slice(0, 2).map((r) => r.type),
    ["customer_profile_business_information", "authorized_representative_1"],
  );
  const address = requirements.supporting_document[0][0];
  assert.equal(address.requirement_name, "customer_profile_address");
  assert.equal(address.accepted_documents[0].type, "customer_profile_address");
  assert.deepEqual(address.accepted_documents[0].fields, ["address_sids"]);
});

test("the Voice Integrity policy requires voice_integrity_information", async () => {
  const policy = await ctx.client.trusthub.v1.policies(VOICE_INTEGRITY_POLICY).fetch();
  assert.equal(policy.sid, VOICE_INTEGRITY_POLICY);
  assert.equal(policy.url, `${ctx.base}/v1/Policies/${VOICE_INTEGRITY_POLICY}`);
  const endUsers = policy.requirements.end_user;
  const matching = endUsers.filter((e) => e.type === "voice_integrity_information");
  assert.equal(matching.length, 1, JSON.stringify(endUsers));
  for (const field of ["use_case", "business_employee_count", "average_business_day_call_volume", "notes"]) {
    assert.ok(matching[0].fields.includes(field), `${field} missing from ${JSON.stringify(matching[0].fields)}`);
  }
  assert.equal(matching[0].url, "/EndUserTypes/voice_integrity_information");
});

test("end user types are listed and fetchable by sid", async () => {
  const v1 = ctx.client.trusthub.v1;
  const types = await v1.endUserTypes.list();
  assert.ok(types.length > 0, "no EndUserTypes");
  assert.equal(new Set(types.map((t) => t.sid)).size, types.length);
  for (const endUserType of types) {
    assert.match(endUserType.sid, TYPE_SID);
    assert.equal(endUserType.url, `${ctx.base}/v1/EndUserTypes/${endUserType.sid}`);
    const fetched = await v1.endUserTypes(endUserType.sid).fetch();
    assert.deepEqual(
      [fetched.sid, fetched.machineName, fetched.friendlyName, fetched.fields],
      [endUserType.sid, endUserType.machineName, endUserType.friendlyName, endUserType.fields],
    );
  }

  const byName = new Map(types.map((t) => [t.machineName, t]));
  for (const name of ["customer_profile_business_information", "authorized_representative_1", "voice_integrity_information"]) {
    assert.ok(byName.has(name), `EndUserType ${name} is missing`);
  }
  const representativeFields = byName.get("authorized_representative_1").fields;
  const machineNames = new Set(representativeFields.map((f) => f.machine_name));
  for (const field of ["first_name", "last_name", "email", "phone_number", "business_title", "job_position"]) {
    assert.ok(machineNames.has(field), `${field} missing`);
  }
  for (const f of representativeFields) {
    assert.ok(typeof f.friendly_name === "string" && f.friendly_name.length > 0, JSON.stringify(f));
    assert.ok(["String", "List"].includes(f.constraint), JSON.stringify(f));
  }
});

test("supporting document types are listed and fetchable by sid", async () => {
  const v1 = ctx.client.trusthub.v1;
  const types = await v1.supportingDocumentTypes.list();
  assert.ok(types.length > 0, "no SupportingDocumentTypes");
  assert.equal(new Set(types.map((t) => t.sid)).size, types.length);
  for (const documentType of types) {
    assert.match(documentType.sid, TYPE_SID);
    assert.equal(documentType.url, `${ctx.base}/v1/SupportingDocumentTypes/${documentType.sid}`);
    const fetched = await v1.supportingDocumentTypes(documentType.sid).fetch();
    assert.deepEqual(
      [fetched.sid, fetched.machineName, fetched.fields],
      [documentType.sid, documentType.machineName, documentType.fields],
    );
  }
  const address = types.find((t) => t.machineName === "customer_profile_address");
  assert.ok(address, "customer_profile_address is missing");
  assert.deepEqual(address.fields.map((f) => f.machine_name), ["address_sids"]);
});
