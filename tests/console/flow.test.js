// The whole review loop in the browser: a customer creates a Primary Business Profile
// through the guided form (fixing a field on the way), an operator rejects it, the
// customer fixes and resubmits, the operator approves, and the status callback arrives.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const L = require("./lib");

test("primary business profile: create, reject, fix, resubmit, approve", async (t) => {
  const customer = await L.browser();
  const operator = await L.browser();
  t.after(async () => {
    await customer.close();
    await operator.close();
  });
  const c = customer.page;
  const o = operator.page;
  const callbackUrl = `${L.RECEIVER}/callbacks/flow`;

  // Signing in.
  await c.goto(`${L.BASE}/console`);
  assert.match(c.url(), /\/console\/sign-in$/);
  await L.shot(c, "01-sign-in");
  await L.signInCustomer(c);
  await L.shot(c, "02-customer-profiles");

  // The guided form, generated from the policy.
  await c.click("a.button:has-text('Create a Primary Business Profile')");
  await c.waitForSelector("html[data-live-checks=ready]");
  assert.ok(await c.isVisible("legend:has-text('Business Information')"));
  assert.ok(await c.isVisible("legend:has-text('Authorized Representative 1')"));
  assert.ok(await c.isVisible("legend:has-text('Physical business address')"));
  // Constraints are shown: allowed values as a select, formats in words.
  const options = await c.$$eval(`${L.id(`${L.BI}.business_type`)} option`, (os) => os.map((x) => x.value));
  assert.ok(options.includes("Corporation") && options.includes("Sole Proprietorship"));
  assert.match(await c.textContent(`${L.id(`${L.AR1}.phone_number`)}-hint`), /E\.164/);
  await L.shot(c, "03-guided-form");

  await L.fillBusinessForm(c, {
    "profile.status_callback": callbackUrl,
    [`${L.AR1}.email`]: "ada-at-acme",
  });
  // Checked as the user types (leaving the field), with the server's wording.
  await c.focus(L.id(`${L.AR1}.email`));
  await c.press(L.id(`${L.AR1}.email`), "Tab");
  const liveError = `${L.id(`${L.AR1}.email`)}-error`;
  await c.waitForFunction((sel) => document.querySelector(sel).textContent.length > 0, liveError);
  assert.equal(await c.textContent(liveError), 'Email "ada-at-acme" is not a valid email address.');
  await L.shot(c, "04-live-check");

  // The server checks too: the error is shown next to the field, values are kept.
  await c.click("button[value=submit]");
  await c.waitForSelector("#error-summary");
  assert.match(await c.textContent("#error-summary"), /There is 1 problem/);
  assert.equal(await c.textContent(liveError), 'Email "ada-at-acme" is not a valid email address.');
  assert.equal(await c.inputValue(L.id(`${L.BI}.business_name`)), "Acme Widgets");
  assert.equal(await c.inputValue(L.id(`${L.BI}.business_type`)), "Corporation");
  assert.equal(await c.getAttribute(L.id(`${L.AR1}.email`), "aria-invalid"), "true");
  await L.shot(c, "05-server-check");

  await c.fill(L.id(`${L.AR1}.email`), "ada@acme.example.com");
  await c.press(L.id(`${L.AR1}.email`), "Tab");
  await c.waitForFunction((sel) => document.querySelector(sel).textContent === "", liveError);
  await c.click("button[value=submit]");
  await c.waitForSelector(".notice:has-text('Submitted for review')");
  const bundleSid = c.url().match(/\/bundles\/(BU[0-9a-f]{32})/)[1];
  await c.waitForFunction(() => !location.search.includes("notice="));
  assert.match(await c.textContent(".notice"), /Submitted for review/);
  assert.match(await c.textContent("dl.summary"), /in-review|pending-review/);
  assert.match(await c.textContent(".checklist"), /Customer Profile Business Information — passed/);
  await L.shot(c, "06-submitted");

  // The API sees the same bundle, with its content.
  const fetched = await L.api(`/v1/CustomerProfiles/${bundleSid}`);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.body.policy_sid, "RN6433641899984f951173ef1738c3bdd0");
  const assigned = await L.api(`/v1/CustomerProfiles/${bundleSid}/EntityAssignments`);
  assert.equal(assigned.body.results.length, 3);

  // The operator rejects it with a reason and a code.
  await L.signInOperator(o);
  await o.waitForSelector(`a[href="/console/reviews/${bundleSid}"]`);
  await L.shot(o, "07-review-queue");
  await o.click(`a[href="/console/reviews/${bundleSid}"]`);
  assert.match(await o.textContent("main"), /Ada Lovelace/);
  assert.match(await o.textContent("main"), /1 Main Street/);
  await L.shot(o, "08-review");
  // A rejection needs a code: the service refuses without one and the page says so.
  await o.fill("#reason", "The website does not match the business name");
  await o.click("button.danger");
  await o.waitForSelector(".error-summary");
  assert.match(await o.textContent(".error-summary"), /at least one rejection code/);
  await o.fill("#reason", "The website does not match the business name");
  await o.check("input[name=codes][value='18601']");
  await o.click("button.danger");
  await o.waitForSelector(".notice:has-text('The bundle was rejected')");
  assert.equal(await o.$(`a[href="/console/reviews/${bundleSid}"]`), null);

  // The customer sees why, fixes the website and resubmits.
  await c.reload();
  await c.waitForSelector(".rejection");
  assert.equal(await c.$(".notice"), null, "a notice is shown once");
  const rejection = await c.textContent(".rejection");
  assert.match(rejection, /The website does not match the business name/);
  assert.match(rejection, /18601 — The association between the business name and its website could not be verified/);
  await L.shot(c, "09-rejected");
  await c.click("a.button:has-text('Business Information')");
  await c.waitForSelector("html[data-live-checks=ready]");
  assert.equal(await c.inputValue(L.id(`${L.BI}.website_url`)), "https://acme.example.com");
  await c.fill(L.id(`${L.BI}.website_url`), "https://www.acmewidgets.example.com");
  await L.shot(c, "10-edit-end-user");
  await c.click("button:has-text('Save')");
  await c.waitForSelector(".notice:has-text('Saved')");
  assert.match(await c.textContent("main"), /www\.acmewidgets\.example\.com/);
  await c.click("button:has-text('Resubmit for review')");
  await c.waitForSelector(".notice:has-text('Submitted for review')");
  assert.equal(await c.$(".rejection"), null);
  await L.shot(c, "11-resubmitted");

  // The operator approves.
  await o.goto(`${L.BASE}/console/reviews/${bundleSid}`);
  assert.match(await o.textContent("main"), /www\.acmewidgets\.example\.com/);
  await o.click("button:has-text('Approve')");
  await o.waitForSelector(".notice:has-text('The bundle was approved')");
  await L.shot(o, "12-approved-queue");

  // The approval's callback reaches the receiver, signed as Twilio signs webhooks.
  const approved = await L.eventually("the approval callback", async () => {
    const got = await (await fetch(`${L.RECEIVER}/received`)).json();
    return got.find((r) => r.params.BundleSid === bundleSid && r.params.Status === "twilio-approved");
  });
  assert.equal(approved.params.AccountSid, L.ACCOUNT);
  const signed = Object.keys(approved.params).sort().reduce((s, k) => s + k + approved.params[k], callbackUrl);
  const expected = crypto.createHmac("sha1", L.TOKEN).update(signed).digest("base64");
  assert.equal(approved.signature, expected);
  const got = await (await fetch(`${L.RECEIVER}/received`)).json();
  const rejectedCb = got.find((r) => r.params.BundleSid === bundleSid && r.params.Status === "twilio-rejected");
  assert.equal(rejectedCb.params.ErrorCodes, "18601");

  // The customer's page shows the approval and the deliveries in the timeline.
  await L.eventually("the delivered callback in the timeline", async () => {
    await c.reload();
    return /twilio-approved\): delivered/.test(await c.textContent(".timeline"));
  });
  assert.match(await c.textContent("dl.summary"), /twilio-approved/);
  assert.match(await c.textContent(".timeline"), /draft → pending-review by customer/);
  assert.match(await c.textContent(".timeline"), /in-review → twilio-rejected by operator/);
  await L.shot(c, "13-approved");

  // Signing out ends the session.
  await c.click("button:has-text('Sign out')");
  await c.waitForURL(/\/console\/sign-in$/);
  await c.goto(`${L.BASE}/console/accounts/${L.ACCOUNT}/bundles/${bundleSid}`);
  assert.match(c.url(), /\/console\/sign-in$/);
});
