"use strict";
/**
 * Numbers and Messaging Services as onboarding code uses them, through twilio-node:
 * search a toll-free number and buy it through the typed resource, buy a local number,
 * create a Messaging Service and add the number to it. Every response is validated
 * against Twilio's specs (2010 and Messaging) after each test (useServer).
 */

const { test } = require("node:test");
const assert = require("node:assert/strict");
const twilio = require("twilio");
const { useServer } = require("./server");

const ctx = useServer();

function restError(status, code) {
  return (err) => {
    assert.ok(err instanceof twilio.RestException, `expected RestException, got ${err && err.stack}`);
    assert.deepEqual([err.status, err.code], [status, code], err.message);
    return true;
  };
}

test("a toll-free number is searched and bought through the typed resource", async () => {
  const client = ctx.client;
  const found = await client.availablePhoneNumbers("US").tollFree.list({ areaCode: 888, limit: 2 });
  assert.equal(found.length, 2);
  assert.ok(found.every((n) => n.phoneNumber.startsWith("+1888")));
  assert.equal(found[0].isoCountry, "US");
  const bought = await client.incomingPhoneNumbers.tollFree.create({ phoneNumber: found[0].phoneNumber });
  assert.equal(bought.phoneNumber, found[0].phoneNumber);
  assert.equal((await client.incomingPhoneNumbers(bought.sid).fetch()).type, "toll-free");
  const again = await client.availablePhoneNumbers("US").tollFree.list({ areaCode: 888, limit: 2 });
  assert.ok(!again.some((n) => n.phoneNumber === bought.phoneNumber));
  const listed = await client.incomingPhoneNumbers.tollFree.list();
  assert.deepEqual(
    listed.map((n) => n.sid),
    [bought.sid],
  );
  const [local] = await client.availablePhoneNumbers("US").local.list({ areaCode: 415, limit: 1 });
  await assert.rejects(client.incomingPhoneNumbers.tollFree.create({ phoneNumber: local.phoneNumber }), restError(400, 21458));
});

test("a Messaging Service takes a local number, one service at a time", async () => {
  const client = ctx.client;
  const [local] = await client.availablePhoneNumbers("US").local.list({ inRegion: "CA", smsEnabled: true, limit: 1 });
  const number = await client.incomingPhoneNumbers.local.create({ phoneNumber: local.phoneNumber });
  const service = await client.messaging.v1.services.create({ friendlyName: "Acme notifications", usecase: "notifications" });
  assert.ok(service.sid.startsWith("MG"));
  const member = await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  assert.deepEqual([member.sid, member.phoneNumber], [number.sid, local.phoneNumber]);
  assert.deepEqual(member.capabilities, ["MMS", "SMS", "Voice"]);
  const members = await client.messaging.v1.services(service.sid).phoneNumbers.list();
  assert.deepEqual(
    members.map((m) => m.sid),
    [number.sid],
  );
  const other = await client.messaging.v1.services.create({ friendlyName: "Other" });
  await assert.rejects(
    client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: number.sid }),
    restError(400, 21712),
  );
  const updated = await client.messaging.v1.services(service.sid).update({ stickySender: false });
  assert.equal(updated.stickySender, false);
  assert.equal(await client.messaging.v1.services(service.sid).remove(), true);
  const moved = await client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  assert.equal(moved.serviceSid, other.sid);
});
