// Access control: no console page without a session, the right kind of session for each
// side, CSRF on every POST, security headers, one account never sees another's data, and
// the basic flow without JavaScript.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const L = require("./lib");

const PRIMARY = "RN6433641899984f951173ef1738c3bdd0";

/** A console session driven with fetch: { cookie, csrf }. */
async function session(form) {
  const first = await fetch(`${L.BASE}/console/sign-in`);
  const anon = first.headers.get("set-cookie").split(";")[0];
  const csrf = (await first.text()).match(/name="csrf" value="([0-9a-f]+)"/)[1];
  const res = await fetch(`${L.BASE}/console/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: anon, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form, csrf }),
  });
  assert.equal(res.status, 303, "signed in");
  const cookie = res.headers.get("set-cookie").split(";")[0];
  const home = await fetch(L.BASE + res.headers.get("location"), { headers: { Cookie: cookie } });
  const token = (await home.text()).match(/name="csrf" value="([0-9a-f]+)"/)[1];
  return { cookie, csrf: token };
}

function request(method, path, s, form = {}) {
  return fetch(L.BASE + path, {
    method,
    redirect: "manual",
    headers: { ...(s ? { Cookie: s.cookie } : {}), "Content-Type": "application/x-www-form-urlencoded" },
    body: method === "POST" ? new URLSearchParams({ ...(s ? { csrf: s.csrf } : {}), ...form }) : undefined,
  });
}

async function newAccount(name) {
  const a = await L.admin("/admin/v1/Accounts", { FriendlyName: name });
  assert.equal(a.status, 201);
  return a.body;
}

async function newBundle(account, name) {
  const b = await L.admin(`/admin/v1/Accounts/${account}/CustomerProfiles`, {
    FriendlyName: name, Email: "owner@example.com", PolicySid: PRIMARY,
  });
  assert.equal(b.status, 201);
  return b.body.sid;
}

test("every console route requires the right session", async () => {
  const owner = await newAccount("Route owner");
  const bu = await newBundle(owner.sid, "Route check profile");
  const inquiry = await L.api("/v1/ComplianceInquiries/Customers/Initialize", {}, owner.sid, owner.auth_token);
  assert.equal(inquiry.status, 201);
  const a = `/console/accounts/${owner.sid}`;
  const it = "IT0123456789abcdef0123456789abcdef";
  const customerGets = [
    "/console/accounts", `${a}/customer-profiles`, `${a}/trust-products`, `${a}/end-users`,
    `${a}/supporting-documents`, `${a}/addresses`, `${a}/phone-numbers`, `${a}/primary-profile/new`,
    `${a}/bundles/${bu}`, `${a}/bundles/${bu}/end-users/${it}`, "/console/requests",
  ];
  const customerPosts = [
    `${a}/primary-profile/new`, `${a}/bundles/${bu}/evaluate`, `${a}/bundles/${bu}/submit`,
    `${a}/bundles/${bu}/end-users/${it}`,
  ];
  const operatorGets = [
    "/console/reviews", `/console/reviews/${bu}`, "/console/operator/requests",
    `/console/operator/requests?account=${owner.sid}`, "/console/operator/audit",
    `/console/operator/audit?account=${owner.sid}`, "/console/operator/accounts",
  ];
  const operatorPosts = [`/console/reviews/${bu}/decision`, `/console/operator/accounts/${owner.sid}`];
  const anyGets = ["/console", "/console/", "/console/no/such/page", `/console/inquiries/${inquiry.body.inquiry_id}`];
  const anyPosts = ["/console/sign-out", "/console/no/such/page", `/console/inquiries/${inquiry.body.inquiry_id}`];

  const toSignIn = async (method, path, s, form) => {
    const res = await request(method, path, s, form);
    assert.equal(res.status, 303, `${method} ${path}`);
    assert.equal(res.headers.get("location"), "/console/sign-in", `${method} ${path}`);
  };
  // What a refused POST could have changed: the owner's profiles, end users, the bundle's
  // evaluations and timeline, and the audit trail of the owner's account.
  const state = async () => {
    const as = (p) => L.api(p, null, owner.sid, owner.auth_token);
    const got = await Promise.all([
      as("/v1/CustomerProfiles"), as("/v1/EndUsers"), as(`/v1/CustomerProfiles/${bu}/Evaluations`),
      L.admin(`/admin/v1/Bundles/${bu}/Events`), L.admin(`/admin/v1/Audit?AccountSid=${owner.sid}`),
    ]);
    for (const r of got) assert.equal(r.status, 200, JSON.stringify(r.body));
    return got.map((r) => r.body);
  };
  const before = await state();
  // Nobody signed in: everything sends to the sign-in page, and changes nothing.
  for (const p of [...customerGets, ...operatorGets, ...anyGets]) await toSignIn("GET", p);
  for (const p of [...customerPosts, ...operatorPosts, ...anyPosts]) {
    await toSignIn("POST", p, null, { decision: "approve" });
  }
  assert.deepEqual(await state(), before, "an unauthenticated console POST changed something");
  // A customer is no operator, and an operator is no customer.
  const cust = await session({ role: "customer", user: owner.sid, secret: owner.auth_token });
  const op = await session({ role: "operator", secret: L.ADMIN });
  const signedIn = await state();
  for (const p of operatorGets) await toSignIn("GET", p, cust);
  for (const p of operatorPosts) await toSignIn("POST", p, cust, { decision: "approve" });
  for (const p of customerGets) await toSignIn("GET", p, op);
  for (const p of customerPosts) await toSignIn("POST", p, op);
  // A signed-in caller's refused attempt is audited (with its 303), and changes nothing else.
  const after = await state();
  assert.deepEqual(after.slice(0, 4), signedIn.slice(0, 4), "a console POST with the wrong kind of session changed something");
  const attempts = after[4].audit.slice(0, after[4].audit.length - signedIn[4].audit.length);
  assert.ok(attempts.every((e) => e.status === 303), JSON.stringify(attempts));
  assert.deepEqual(after[4].audit.slice(attempts.length), signedIn[4].audit);
  // Signed in, the same pages answer (the fake end user is simply not found).
  for (const p of customerGets) {
    const res = await request("GET", p, cust);
    assert.equal(res.status, p.includes(it) ? 404 : 200, p);
  }
  for (const p of operatorGets) assert.equal((await request("GET", p, op)).status, 200, p);
  assert.equal((await request("GET", "/console/no/such/page", cust)).status, 404);
  // Nothing was submitted by all those POSTs.
  const b = await L.api(`/v1/CustomerProfiles/${bu}`, null, owner.sid, owner.auth_token);
  assert.equal(b.body.status, "draft");
});

test("wrong credentials, CSRF and security headers", async () => {
  const first = await fetch(`${L.BASE}/console/sign-in`);
  const cookie = first.headers.get("set-cookie");
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\/console/);
  const h = first.headers;
  assert.match(h.get("content-security-policy"), /script-src 'self'/);
  assert.doesNotMatch(h.get("content-security-policy"), /unsafe-inline/);
  assert.equal(h.get("x-frame-options"), "DENY");
  assert.equal(h.get("x-content-type-options"), "nosniff");
  assert.equal(h.get("referrer-policy"), "no-referrer");
  assert.doesNotMatch(await first.text(), /<script>|style="/, "no inline script or style");

  const anon = cookie.split(";")[0];
  const html = await (await fetch(`${L.BASE}/console/sign-in`, { headers: { Cookie: anon } })).text();
  const csrf = html.match(/name="csrf" value="([0-9a-f]+)"/)[1];
  const post = (form) => fetch(`${L.BASE}/console/sign-in`, {
    method: "POST", redirect: "manual",
    headers: { Cookie: anon, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  assert.equal((await post({ role: "customer", user: L.ACCOUNT, secret: "wrong", csrf })).status, 401);
  assert.equal((await post({ role: "operator", secret: "wrong", csrf })).status, 401);
  assert.equal((await post({ role: "customer", user: L.ACCOUNT, secret: L.TOKEN })).status, 403, "no CSRF token");
  assert.equal((await post({ role: "customer", user: L.ACCOUNT, secret: L.TOKEN, csrf: "0".repeat(64) })).status, 403);

  // An API key signs in as its account.
  const key = await fetch(`${L.BASE}/2010-04-01/Accounts/${L.ACCOUNT}/Keys.json`, {
    method: "POST",
    headers: { Authorization: "Basic " + Buffer.from(`${L.ACCOUNT}:${L.TOKEN}`).toString("base64") },
  }).then((r) => r.json());
  const viaKey = await session({ role: "customer", user: key.sid, secret: key.secret });
  const list = await request("GET", `/console/accounts/${L.ACCOUNT}/customer-profiles`, viaKey);
  assert.equal(list.status, 200);

  // A signed-in POST without the session's token is refused.
  const s = await session({ role: "customer", user: L.ACCOUNT, secret: L.TOKEN });
  const res = await fetch(`${L.BASE}/console/sign-out`, {
    method: "POST", redirect: "manual",
    headers: { Cookie: s.cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: "f".repeat(64) }),
  });
  assert.equal(res.status, 403);
  assert.equal((await request("GET", "/console/accounts", s)).status, 200, "still signed in");
});

test("one account never sees another's data", async () => {
  const a = await newAccount("Isolation A");
  const bu = await newBundle(a.sid, "Secret profile of A");
  const b = await newAccount("Isolation B");
  const { page, close } = await L.browser();
  try {
    await L.signInCustomer(page, b.sid, b.auth_token);
    for (const url of [
      `/console/accounts/${b.sid}/bundles/${bu}`,
      `/console/accounts/${a.sid}/bundles/${bu}`,
      `/console/accounts/${a.sid}/customer-profiles`,
      `/console/accounts/${b.sid}/bundles/${bu}/end-users/IT0123456789abcdef0123456789abcdef`,
    ]) {
      const res = await page.goto(L.BASE + url);
      assert.equal(res.status(), 404, url);
      assert.doesNotMatch(await page.content(), /Secret profile of A/);
    }
    await L.shot(page, "20-other-account-404");
    for (const list of ["customer-profiles", "trust-products", "end-users", "supporting-documents", "addresses", "phone-numbers"]) {
      await page.goto(`${L.BASE}/console/accounts/${b.sid}/${list}`);
      const text = await page.content();
      assert.doesNotMatch(text, new RegExp(bu), list);
      assert.doesNotMatch(text, /Secret profile of A/, list);
    }
    // A search by A's exact name finds nothing either.
    await page.goto(`${L.BASE}/console/accounts/${b.sid}/customer-profiles?q=${encodeURIComponent("Secret profile of A")}`);
    assert.match(await page.textContent("main"), /Nothing here yet/);
  } finally {
    await close();
  }
  // A itself sees it, and a search finds it.
  const { page: pa, close: closeA } = await L.browser();
  try {
    await L.signInCustomer(pa, a.sid, a.auth_token);
    await pa.goto(`${L.BASE}/console/accounts/${a.sid}/customer-profiles?q=${encodeURIComponent("Secret profile of A")}`);
    assert.ok(await pa.isVisible(`a[href="/console/accounts/${a.sid}/bundles/${bu}"]`));
  } finally {
    await closeA();
  }
});

test("a parent sees its subaccounts; paging walks a long list", async () => {
  const parent = await newAccount("Parent Co");
  const auth = "Basic " + Buffer.from(`${parent.sid}:${parent.auth_token}`).toString("base64");
  const sub = await fetch(`${L.BASE}/2010-04-01/Accounts.json`, {
    method: "POST",
    headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ FriendlyName: "Child Ltd" }),
  }).then((r) => r.json());
  const subBundle = await newBundle(sub.sid, "Child profile");
  for (let i = 0; i < 23; i++) await newBundle(parent.sid, `Parent profile ${String(i).padStart(2, "0")}`);
  const { page, close } = await L.browser();
  try {
    await L.signInCustomer(page, parent.sid, parent.auth_token);
    await page.click("a:has-text('Accounts')");
    await page.click("a:has-text('Child Ltd')");
    assert.ok(await page.isVisible(`a[href="/console/accounts/${sub.sid}/bundles/${subBundle}"]`));
    // The first page holds 20; "Next" shows the rest, "Previous" comes back.
    await page.goto(`${L.BASE}/console/accounts/${parent.sid}/customer-profiles`);
    assert.equal(await page.locator("tbody tr").count(), 20);
    await page.click("a[rel=next]");
    assert.equal(await page.locator("tbody tr").count(), 3);
    await L.shot(page, "21-paging");
    await page.click("a[rel=prev]");
    assert.equal(await page.locator("tbody tr").count(), 20);
    assert.match(await page.textContent("tbody tr >> nth=0"), /Parent profile 00/);
  } finally {
    await close();
  }
  // The subaccount cannot go up to its parent.
  const { page: ps, close: closeS } = await L.browser();
  try {
    await L.signInCustomer(ps, sub.sid, sub.auth_token);
    const res = await ps.goto(`${L.BASE}/console/accounts/${parent.sid}/customer-profiles`);
    assert.equal(res.status(), 404);
  } finally {
    await closeS();
  }
});

test("the basic flow works without JavaScript", async () => {
  const acct = await newAccount("No-JS Inc");
  const { page, close } = await L.browser({ javaScriptEnabled: false });
  try {
    await L.signInCustomer(page, acct.sid, acct.auth_token);
    await page.goto(`${L.BASE}/console/accounts/${acct.sid}/primary-profile/new`);
    await page.click("button[value=submit]");
    await page.waitForSelector("#error-summary");
    assert.match(await page.textContent("#error-summary"), /Business Name is required/);
    assert.match(await page.textContent("#error-summary"), /Notification email is required/);
    assert.match(await page.textContent("#error-summary"), /Street is required/);
    // The Address service judges the country code; its message lands next to the field.
    await L.fillBusinessForm(page, { "address.iso_country": "USA" });
    await page.click("button[value=submit]");
    await page.waitForSelector("#error-summary");
    assert.match(await page.textContent("#f-address-iso-country-error"), /IsoCountry must be an ISO-3166 alpha-2 country code/);
    await L.fillBusinessForm(page);
    await page.click("button[value=draft]");
    await page.waitForURL(/notice=created$/);
    assert.match(await page.textContent("dl.summary"), /draft/);
    assert.match(await page.textContent(".checklist"), /passed/);
    await page.click("button:has-text('Submit for review')");
    await page.waitForURL(/notice=submitted$/);
    await L.shot(page, "22-no-js-submitted");
  } finally {
    await close();
  }
});
