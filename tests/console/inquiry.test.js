// Hosted compliance inquiries: created through the API, completed in the browser by the
// end customer (no sign-in, the session token authorizes that inquiry only), and the
// resulting Customer Profile visible through the API.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const L = require("./lib");

const PRIMARY = "RN6433641899984f951173ef1738c3bdd0";
const SECONDARY = "RNdfbf3fae0e1107f8aded0e7cead80bf5";

async function complete(url, name, shotName) {
  const { page, close } = await L.browser();
  try {
    await page.goto(url);
    assert.match(await page.textContent("h1"), /Tell us about your business/);
    assert.equal(await page.$("header nav"), null, "no console navigation");
    await L.fillBusinessForm(page, { [`${L.BI}.business_name`]: name });
    await L.shot(page, `${shotName}-form`);
    await page.click("button[value=submit]");
    await page.waitForSelector("h1:has-text('Thank you')");
    await L.shot(page, `${shotName}-done`);
    return (await page.textContent("main")).match(/BU[0-9a-f]{32}/)[0];
  } finally {
    await close();
  }
}

test("compliance inquiries produce customer profiles", async () => {
  // A primary profile: no PrimaryProfileSid.
  const created = await L.api("/v1/ComplianceInquiries/Customers/Initialize", { NotificationEmail: "isv@acme.example.com" });
  assert.equal(created.status, 201);
  const inq = created.body;
  assert.deepEqual(Object.keys(inq).sort(), ["customer_id", "inquiry_id", "inquiry_session_token", "url"]);
  assert.match(inq.inquiry_id, /^inq_[0-9a-f]{24}$/);
  assert.ok(inq.url.startsWith(`${L.BASE}/console/inquiries/${inq.inquiry_id}?`));
  assert.ok(inq.customer_id.includes(L.ACCOUNT));

  // Without the token, or with another, the page is not reachable.
  for (const bad of [`${L.BASE}/console/inquiries/${inq.inquiry_id}`, `${L.BASE}/console/inquiries/${inq.inquiry_id}?session_token=${"0".repeat(64)}`]) {
    const res = await fetch(bad, { redirect: "manual" });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console/sign-in");
  }
  // The inquiry session reaches nothing else in the console.
  const opened = await fetch(inq.url);
  const cookie = opened.headers.get("set-cookie").split(";")[0];
  assert.match(await opened.text(), /isv@acme\.example\.com/, "prefilled NotificationEmail");
  const other = await fetch(`${L.BASE}/console/accounts/${L.ACCOUNT}/customer-profiles`, { headers: { Cookie: cookie }, redirect: "manual" });
  assert.equal(other.status, 303);

  const primarySid = await complete(inq.url, "Inquiry Primary Co", "30-inquiry-primary");
  const primary = await L.api(`/v1/CustomerProfiles/${primarySid}`);
  assert.equal(primary.status, 200);
  assert.equal(primary.body.policy_sid, PRIMARY);
  assert.equal(primary.body.email, "ops@acme.example.com");
  assert.match(primary.body.status, /pending-review|in-review/);

  // Resuming issues a new token; the old one no longer opens the page.
  const resumed = await L.api(`/v1/ComplianceInquiries/Customers/${inq.customer_id}/Initialize`, { PrimaryProfileSid: primarySid });
  assert.equal(resumed.status, 200);
  assert.equal(resumed.body.inquiry_id, inq.inquiry_id);
  assert.notEqual(resumed.body.inquiry_session_token, inq.inquiry_session_token);
  assert.equal((await fetch(inq.url, { redirect: "manual" })).status, 303);
  assert.match(await (await fetch(resumed.body.url)).text(), new RegExp(primarySid), "shows the finished profile");

  // A Secondary counts its Primary only once approved (Twilio's Secondary guide): the
  // operator approves it first.
  const decided = await L.admin(`/admin/v1/Reviews/${primarySid}`, { Decision: "approve" });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));

  // A secondary profile on top of it: PrimaryProfileSid given.
  const second = await L.api("/v1/ComplianceInquiries/Customers/Initialize", { PrimaryProfileSid: primarySid });
  assert.equal(second.status, 201);
  const secondarySid = await complete(second.body.url, "Inquiry Secondary Co", "31-inquiry-secondary");
  const secondary = await L.api(`/v1/CustomerProfiles/${secondarySid}`);
  assert.equal(secondary.body.policy_sid, SECONDARY);
  assert.match(secondary.body.status, /pending-review|in-review/);
  const assigned = await L.api(`/v1/CustomerProfiles/${secondarySid}/EntityAssignments`);
  assert.ok(assigned.body.results.some((a) => a.object_sid === primarySid));

  // Another account's real profile cannot be named (refused as unknown), and the API
  // needs credentials.
  const stranger = await L.admin("/admin/v1/Accounts", { FriendlyName: "Stranger" });
  assert.equal(stranger.status, 201, JSON.stringify(stranger.body));
  const theirs = await L.admin(`/admin/v1/Accounts/${stranger.body.sid}/CustomerProfiles`, {
    FriendlyName: "Stranger Inc", Email: "ops@stranger.example.com", PolicySid: PRIMARY,
  });
  assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
  const bad = await L.api("/v1/ComplianceInquiries/Customers/Initialize", { PrimaryProfileSid: theirs.body.sid });
  assert.deepEqual([bad.status, bad.body.code], [400, 22205], JSON.stringify(bad.body));
  assert.ok(bad.body.message.includes(`PrimaryProfileSid ${theirs.body.sid} is not a Customer Profile of this account`), bad.body.message);
  const anon = await fetch(`${L.BASE}/v1/ComplianceInquiries/Customers/Initialize`, { method: "POST" });
  assert.equal(anon.status, 401);
});

test("registration and toll-free inquiries open the same guided form", async () => {
  const reg = await L.api("/v1/ComplianceInquiries/Registration/RegulatoryCompliance/GB/Initialize", {
    EndUserType: "Business", PhoneNumberType: "local", BusinessLegalName: "Prefilled Ltd",
  });
  assert.equal(reg.status, 201);
  assert.deepEqual(Object.keys(reg.body).sort(), ["inquiry_id", "inquiry_session_token", "registration_id", "url"]);
  assert.match(await (await fetch(reg.body.url)).text(), /value="Prefilled Ltd"/);
  const again = await L.api(`/v1/ComplianceInquiries/Registration/${reg.body.registration_id}/RegulatoryCompliance/GB/Initialize`, {});
  assert.equal(again.status, 200);
  assert.equal((await L.api("/v1/ComplianceInquiries/Registration/RegulatoryCompliance/GB/Initialize", {})).status, 400);

  const tf = await L.api("/v1/ComplianceInquiries/Tollfree/Initialize", {
    TollfreePhoneNumber: "+18005550100", NotificationEmail: "tf@acme.example.com", BusinessName: "Toll Free Co",
  });
  assert.equal(tf.status, 201);
  assert.ok(tf.body.registration_id.includes(".tollfree."));
  const sid = await complete(tf.body.url, "Toll Free Co", "32-inquiry-tollfree");
  assert.equal((await L.api(`/v1/CustomerProfiles/${sid}`)).body.policy_sid, PRIMARY);
});
