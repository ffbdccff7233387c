"use strict";
/**
 * Auto-paging through twilio-node: every record exactly once, whatever the page size.
 *
 * 1,200 EndUsers are created once for the file (its server has a fresh
 * database, so these are all the EndUsers there are). The library follows the
 * server's absolute meta.next_page_url; the tests count the pages it fetched
 * through the validating http client's exchange log.
 */

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { useServer } = require("./server");


const TOTAL = 1200;
const CONCURRENCY = 32;
const REPRESENTATIVE = {
  first_name: "Page",
  last_name: "Tester",
  email: "pages@acme.example.com",
  phone_number: "+15555550100",
  business_title: "Chief Executive",
  job_position: "CEO",
};

let created = new Set();

const ctx = useServer(async () => {
  const sids = [];
  let next = 0;
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      const endUser = await ctx.client.trusthub.v1.endUsers.create({
        attributes: REPRESENTATIVE,
        friendlyName: `representative ${String(i).padStart(4, "0")}`,
        type: "authorized_representative_1",
      });
      sids.push(endUser.sid);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  created = new Set(sids);
  assert.equal(created.size, TOTAL, "the server handed out duplicate SIDs");
});

/** The EndUsers list exchanges recorded since the test started. */
function listPages() {
  return ctx.httpClient.exchanges.filter((e) => e.method === "GET" && new URL(e.uri).pathname === "/v1/EndUsers");
}

function assertAllExactlyOnce(listedSids) {
  const unique = new Set(listedSids);
  assert.equal(listedSids.length - unique.size, 0, "records were returned more than once");
  const missing = [...created].filter((s) => !unique.has(s));
  const unexpected = [...unique].filter((s) => !created.has(s));
  assert.deepEqual({ missing: missing.length, unexpected: unexpected.length }, { missing: 0, unexpected: 0 });
}

test("list() with the default page size follows 24 pages", async () => {
  ctx.httpClient.exchanges.length = 0;
  const endUsers = await ctx.client.trusthub.v1.endUsers.list();
  assertAllExactlyOnce(endUsers.map((e) => e.sid));

  const pages = listPages();
  assert.equal(pages.length, TOTAL / 50, JSON.stringify(pages.map((p) => p.uri)));
  assert.equal(pages[0].query.PageSize, undefined); // no PageSize sent: the server default applies
  const metas = pages.map((p) => p.body.meta);
  assert.deepEqual(metas.map((m) => m.page_size), Array(pages.length).fill(50));
  assert.deepEqual(pages.map((p) => p.body.results.length), Array(pages.length).fill(50));
  assert.ok(metas.every((m) => m.key === "results"));
  assert.equal(metas[0].previous_page_url, null);
  assert.equal(metas[metas.length - 1].next_page_url, null);
  metas.slice(0, -1).forEach((meta, i) => {
    // The library must have followed the server's own next_page_url verbatim.
    assert.equal(meta.next_page_url, pages[i + 1].uri);
    assert.ok(meta.next_page_url.startsWith(`${ctx.base}/v1/EndUsers?`), meta.next_page_url);
  });
  assert.deepEqual(metas.map((m) => m.page), [...Array(pages.length).keys()]);
});

test("list({ pageSize: 1000 }) takes two pages", async () => {
  ctx.httpClient.exchanges.length = 0;
  const endUsers = await ctx.client.trusthub.v1.endUsers.list({ pageSize: 1000 });
  assertAllExactlyOnce(endUsers.map((e) => e.sid));

  const pages = listPages();
  assert.equal(pages[0].query.PageSize, "1000");
  assert.deepEqual(pages.map((p) => p.body.results.length), [1000, 200]);
  assert.deepEqual(pages.map((p) => p.body.meta.page_size), [1000, 1000]);
});

test("list({ limit: 2500 }) sends PageSize=2500, which the server clamps to 1000", async () => {
  ctx.httpClient.exchanges.length = 0;
  const endUsers = await ctx.client.trusthub.v1.endUsers.list({ limit: 2500 });
  assertAllExactlyOnce(endUsers.map((e) => e.sid));

  const pages = listPages();
  assert.ok(Number(pages[0].query.PageSize) >= 1000, JSON.stringify(pages[0].query));
  assert.deepEqual(pages.map((p) => p.body.meta.page_size), [1000, 1000]);
  assert.deepEqual(pages.map((p) => p.body.results.length), [1000, 200]);
});

test("each() visits every record once", async () => {
  for (const params of [{}, { pageSize: 7 }]) {
    const seen = [];
    await new Promise((resolve, reject) => {
      ctx.client.trusthub.v1.endUsers.each(
        { ...params, done: (err) => (err ? reject(err) : resolve()) },
        (endUser) => {
          seen.push(endUser.sid);
        },
      );
    });
    assertAllExactlyOnce(seen);
  }
});

test("a limit below the total stops early", async () => {
  ctx.httpClient.exchanges.length = 0;
  const first = await ctx.client.trusthub.v1.endUsers.list({ limit: 120, pageSize: 50 });
  assert.equal(first.length, 120);
  assert.equal(new Set(first.map((e) => e.sid)).size, 120);
  assert.ok(first.every((e) => created.has(e.sid)));
  assert.equal(listPages().length, 3);
});
