// Shared helpers of the console tests: the server under test, Debian's Chromium, and the
// guided form.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const BASE = process.env.TRUSTHUB_URL;
const RECEIVER = process.env.RECEIVER_URL;
const ACCOUNT = process.env.TRUSTHUB_ACCOUNT_SID;
const TOKEN = process.env.TRUSTHUB_AUTH_TOKEN;
const ADMIN = process.env.TRUSTHUB_ADMIN_TOKEN;
if (!BASE || !RECEIVER || !ACCOUNT || !TOKEN || !ADMIN) {
  throw new Error("run these tests through tests/console/run.sh (it starts the server)");
}
const OUTPUT = path.join(__dirname, "output");
fs.mkdirSync(OUTPUT, { recursive: true });

const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** A browser of its own (fresh --user-data-dir), closed and removed by `close()`. */
async function browser(options = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trusthub-console-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  return {
    context,
    page,
    close: async () => {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
}

async function signInCustomer(page, user = ACCOUNT, secret = TOKEN) {
  await page.goto(`${BASE}/console/sign-in`);
  await page.fill("#user", user);
  await page.fill("#secret", secret);
  await page.click("form:has(#user) button[type=submit]");
  await page.waitForURL(/\/customer-profiles$/);
}

async function signInOperator(page) {
  await page.goto(`${BASE}/console/sign-in`);
  await page.fill("#admin-token", ADMIN);
  await page.click("button:has-text('Sign in as operator')");
  await page.waitForURL(/\/console\/reviews$/);
}

/** Inputs are named `<end-user type>.<field>`; their ids are derived from the name. */
const id = (name) => "#f-" + name.replace(/[._]/g, "-");
const BI = "customer_profile_business_information";
const AR1 = "authorized_representative_1";

/** Fills the guided business form; `over` replaces values by input name. */
async function fillBusinessForm(page, over = {}) {
  const v = {
    "profile.email": "ops@acme.example.com",
    [`${BI}.business_name`]: "Acme Widgets",
    [`${BI}.business_registration_number`]: "123456789",
    [`${BI}.website_url`]: "https://acme.example.com",
    [`${BI}.social_media_profile_urls`]: "",
    [`${AR1}.first_name`]: "Ada",
    [`${AR1}.last_name`]: "Lovelace",
    [`${AR1}.email`]: "ada@acme.example.com",
    [`${AR1}.phone_number`]: "+15555550100",
    [`${AR1}.business_title`]: "Chief Executive",
    "address.street": "1 Main Street",
    "address.city": "San Francisco",
    "address.region": "CA",
    "address.postal_code": "94105",
    "address.iso_country": "US",
    ...over,
  };
  const selects = {
    [`${BI}.business_type`]: "Corporation",
    [`${BI}.business_registration_identifier`]: "EIN",
    [`${BI}.business_identity`]: "direct_customer",
    [`${BI}.business_industry`]: "TECHNOLOGY",
    [`${AR1}.job_position`]: "CEO",
  };
  for (const [name, value] of Object.entries(v)) {
    await page.fill(id(name), value);
  }
  for (const [name, value] of Object.entries(selects)) {
    await page.selectOption(id(name), value);
  }
  await page.check(`input[name="${BI}.business_regions_of_operation"][value="USA_AND_CANADA"]`);
}

/** The operator API, form-encoded. */
async function admin(pathname, form) {
  const res = await fetch(BASE + pathname, {
    method: form ? "POST" : "GET",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: form ? new URLSearchParams(form) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/** The v1 API as an account, form-encoded. */
async function api(pathname, form, user = ACCOUNT, secret = TOKEN) {
  const res = await fetch(BASE + pathname, {
    method: form ? "POST" : "GET",
    headers: {
      Authorization: "Basic " + Buffer.from(`${user}:${secret}`).toString("base64"),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: form ? new URLSearchParams(form) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

async function eventually(what, fn, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

module.exports = {
  BASE, RECEIVER, ACCOUNT, TOKEN, ADMIN, BI, AR1,
  browser, shot, signInCustomer, signInOperator, fillBusinessForm, id, admin, api, eventually,
};
