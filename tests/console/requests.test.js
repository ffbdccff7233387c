// The request inspector: a customer sees exactly what its code sent (newest first, a
// failure with its error code, the parameters, the response, no secrets); the operator
// sees the same filtered by account, and the audit trail of the account's writes; another
// account sees none of it.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const L = require("./lib");

async function newAccount(name) {
  const a = await L.admin("/admin/v1/Accounts", { FriendlyName: name });
  assert.equal(a.status, 201);
  return a.body;
}

/** The summary lines of the listed requests, top to bottom. */
async function summaries(page) {
  return page.locator("ol.requests > li summary").allTextContents();
}

/** [method, path] of each listed request, top to bottom. */
async function listed(page) {
  const methods = await page.locator("ol.requests > li summary .method").allTextContents();
  const paths = await page.locator("ol.requests > li summary .path").allTextContents();
  return methods.map((m, i) => [m, paths[i]]);
}

test("the request inspector shows what the code sent, to the right people only", async () => {
  const a = await newAccount("Inspector Co");
  const b = await newAccount("Bystander Co");
  const as = (path, form) => L.api(path, form, a.sid, a.auth_token);

  // What A's code does: a create, a create that fails (no Type), a key (its secret comes
  // back once), a list. The friendly name carries markup that must stay text.
  const name = "Inspector <b>Ada</b>";
  const attributes = JSON.stringify({ first_name: "Ada", last_name: "Lovelace" });
  const created = await as("/v1/EndUsers", { FriendlyName: name, Type: L.AR1, Attributes: attributes });
  assert.equal(created.status, 201);
  const failed = await as("/v1/EndUsers", { FriendlyName: "No type given" });
  assert.equal(failed.status, 400);
  assert.equal(failed.body.code, 20001);
  const key = await as(`/2010-04-01/Accounts/${a.sid}/Keys.json`, { FriendlyName: "ci key" });
  assert.equal(key.status, 201);
  assert.ok(key.body.secret);
  const list = await as("/v1/EndUsers?PageSize=5");
  assert.equal(list.status, 200);
  // B makes a request of its own afterwards.
  assert.equal((await L.api("/v1/EndUsers", null, b.sid, b.auth_token)).status, 200);

  const expected = [
    ["GET", "/v1/EndUsers"],
    ["POST", `/2010-04-01/Accounts/${a.sid}/Keys.json`],
    ["POST", "/v1/EndUsers"],
    ["POST", "/v1/EndUsers"],
  ];
  const secrets = [a.auth_token, key.body.secret];
  const noSecrets = (html, where) => {
    for (const s of secrets) assert.ok(!html.includes(s), `${where}: a secret is on the page`);
  };

  // The customer.
  const { page, close } = await L.browser();
  try {
    await L.signInCustomer(page, a.sid, a.auth_token);
    await page.click("header nav a:has-text('Requests')");
    await page.waitForURL(/\/console\/requests$/);
    const res = await page.reload();
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-security-policy"], /default-src 'none'/);
    assert.equal(res.headers()["x-frame-options"], "DENY");
    assert.equal(res.headers()["cache-control"], "no-store");

    assert.deepEqual(await listed(page), expected, "newest first");
    const lines = await summaries(page);
    assert.match(lines[0], /200 OK/);
    assert.match(lines[1], /201 Created/);
    assert.match(lines[2], /400 Bad Request/);
    assert.match(lines[2], /Error 20001/);
    assert.match(lines[3], /201 Created/);
    assert.doesNotMatch(lines[3], /Error/);
    assert.equal(await page.locator("ol.requests details[open]").count(), 0, "collapsed at first");
    noSecrets(await page.content(), "customer list");
    await L.shot(page, "40-requests-customer");

    // Open the successful create: the parameters as sent, the response as answered.
    const create = page.locator("ol.requests > li").nth(3);
    await create.locator("summary").click();
    await create.locator("table.params").waitFor();
    const params = await create.locator("table.params tbody tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
    assert.deepEqual(params, [["FriendlyName", name], ["Type", L.AR1], ["Attributes", attributes]]);
    const json = JSON.parse(await create.locator("pre.json").textContent());
    assert.equal(json.sid, created.body.sid);
    assert.equal(json.friendly_name, name);
    assert.equal(await page.locator("main b").count(), 0, "markup in values stays text");

    // The failure tells why; the key's secret is redacted in the response.
    const bad = page.locator("ol.requests > li").nth(2);
    await bad.locator("summary").click();
    const badJson = JSON.parse(await bad.locator("pre.json").textContent());
    assert.equal(badJson.code, 20001);
    assert.match(badJson.message, /Type/);
    assert.deepEqual(
      await bad.locator("table.params tbody tr").evaluateAll((rows) => rows.map((r) => r.textContent)),
      ["FriendlyNameNo type given"],
    );
    const keyRow = page.locator("ol.requests > li").nth(1);
    await keyRow.locator("summary").click();
    assert.equal(JSON.parse(await keyRow.locator("pre.json").textContent()).secret, "[redacted]");
    noSecrets(await page.content(), "customer expanded");
    assert.doesNotMatch(await page.content(), new RegExp(b.sid), "B's request is not A's");
    await L.shot(page, "41-requests-expanded");
  } finally {
    await close();
  }

  // The operator: everyone by default, then A only; and A's writes in the audit trail.
  const { page: op, close: closeOp } = await L.browser();
  try {
    await L.signInOperator(op);
    await op.click("header nav a:has-text('Requests')");
    await op.waitForURL(/\/console\/operator\/requests$/);
    const all = await op.content();
    assert.ok(all.includes(a.sid) && all.includes(b.sid), "all accounts by default");
    assert.deepEqual((await listed(op))[0], ["GET", "/v1/EndUsers"]);
    assert.match((await summaries(op))[0], new RegExp(b.sid), "B's request is the newest");

    await op.fill("#account", a.sid);
    await op.click("form.search button[type=submit]");
    await op.waitForURL(new RegExp(`/console/operator/requests\\?account=${a.sid}$`));
    assert.deepEqual(await listed(op), expected);
    const lines = await summaries(op);
    assert.ok(lines.every((l) => l.includes(a.sid)), "only A's requests");
    assert.match(lines[2], /400 Bad Request/);
    assert.match(lines[2], /Error 20001/);
    assert.doesNotMatch(await op.content(), new RegExp(b.sid));
    const create = op.locator("ol.requests > li").nth(3);
    await create.locator("summary").click();
    assert.match(await create.locator("table.params").textContent(), /FriendlyName.*Inspector <b>Ada<\/b>/s);
    noSecrets(await op.content(), "operator requests");
    await L.shot(op, "42-requests-operator");

    await op.click("header nav a:has-text('Audit')");
    await op.waitForURL(/\/console\/operator\/audit$/);
    await op.fill("#account", a.sid);
    await op.click("form.search button[type=submit]");
    await op.waitForURL(new RegExp(`/console/operator/audit\\?account=${a.sid}$`));
    const rows = await op.locator("table.audit tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())));
    // [time, actor, account, request, status]: the three writes, not the reads.
    assert.deepEqual(rows.map((r) => r.slice(1)), [
      [`account ${a.sid}`, a.sid, `POST /2010-04-01/Accounts/${a.sid}/Keys.json`, "201 Created"],
      [`account ${a.sid}`, a.sid, "POST /v1/EndUsers", "400 Bad Request"],
      [`account ${a.sid}`, a.sid, "POST /v1/EndUsers", "201 Created"],
    ]);
    await L.shot(op, "43-audit");
    // Unfiltered, the operator's own write (creating A) is there too, with no actor SID.
    await op.click("a:has-text('All accounts')");
    await op.waitForURL(/\/console\/operator\/audit$/);
    const actors = await op.locator("table.audit tbody tr td:nth-child(2)").allTextContents();
    assert.ok(actors.some((t) => t.trim() === "operator"), "operator writes are audited");
  } finally {
    await closeOp();
  }

  // B sees its own request only, whatever the URL says.
  const { page: pb, close: closeB } = await L.browser();
  try {
    await L.signInCustomer(pb, b.sid, b.auth_token);
    for (const url of ["/console/requests", `/console/requests?account=${a.sid}`]) {
      await pb.goto(L.BASE + url);
      assert.deepEqual(await listed(pb), [["GET", "/v1/EndUsers"]], url);
      const html = await pb.content();
      assert.doesNotMatch(html, new RegExp(a.sid), url);
      assert.doesNotMatch(html, /Inspector|No type given|Keys\.json/, url);
      assert.doesNotMatch(html, new RegExp(created.body.sid), url);
    }
    await L.shot(pb, "44-requests-other-account");
    // Operator pages are not for customers.
    const res = await pb.goto(`${L.BASE}/console/operator/requests?account=${a.sid}`);
    assert.match(res.url(), /\/console\/sign-in$/);
  } finally {
    await closeB();
  }
});
