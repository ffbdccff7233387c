"use strict";
/**
 * One real trusthub server per test file, an official twilio-node client for it,
 * a client of its operator API, and polling helpers.
 *
 *   const { useServer } = require("./server");
 *   const ctx = useServer({ args: ["--review", "auto", "--review-delay", "0"] });
 *   test("...", async () => { await ctx.client.trusthub.v1.policies.list(); });
 *
 * The server listens on 127.0.0.1 (port picked by the kernel: `--listen 127.0.0.1:0`,
 * read back from its first stdout line) with a fresh SQLite database in a temp dir
 * and the fixed operator token ADMIN_TOKEN, and is stopped after the file's tests.
 * With TRUSTHUB_TEST_POSTGRES set (a server URL, e.g. postgres://postgres@127.0.0.1:5432)
 * the directory gets a fresh PostgreSQL database of its own instead (see databaseUrl),
 * dropped with the directory by stop() / removeWorkdir(); `--ephemeral` servers stay in
 * memory either way.
 * `startServer({ args, workdir, accountSid, authToken })` starts one directly, e.g.
 * again on the database of a killed one. The binary comes from $TRUSTHUB_BIN
 * (default: <repo>/target/debug/trusthub). Every response goes through
 * ValidatingRequestClient; afterEach fails a test that received a response not
 * matching the OpenAPI spec.
 *
 * waitUntil / waitForStatus poll every 25 ms and fail after 10 s: tests never sleep
 * for a fixed review time. createAddress / createPhoneNumber provision, through the
 * official client's 2010-04-01 API, the Address a customer_profile_address document
 * names and the IncomingPhoneNumber a bundle takes as channel endpoint (the server
 * checks that both exist in the account).
 */

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { execFile, spawn } = require("node:child_process");
const { before, after, afterEach } = require("node:test");
const twilio = require("twilio");
const { REPO_ROOT, OpenApiChecker, ValidatingRequestClient } = require("./openapi_check");

// The library rewrites hostnames when these are set (see wire.md 6.1).
delete process.env.TWILIO_EDGE;
delete process.env.TWILIO_REGION;

const ADMIN_TOKEN = "trusthub-client-tests-operator-token";
const STARTUP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 25;
const POLL_TIMEOUT_MS = 10_000;
const DECIDED = ["twilio-approved", "twilio-rejected"];
const LISTENING_RE = /TrustHub listening on (http:\/\/\S+)/;

const POSTGRES_ENV = "TRUSTHUB_TEST_POSTGRES";
// The name of a directory's PostgreSQL database (the Rust harness uses the same file).
const PG_NAME_FILE = "pg-database";
let pgDatabasesCreated = 0;

/** The PostgreSQL server URL when the tests run against PostgreSQL, else null. */
function postgresBase() {
  const raw = (process.env[POSTGRES_ENV] || "").trim();
  if (!raw) return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error(`${POSTGRES_ENV} must be a postgres:// URL, not ${raw}`);
  return raw;
}

/** The URL of database `name` on the server of `base` (query parameters kept). */
function pgUrlOf(base, name) {
  const url = new URL(base);
  url.pathname = "/" + name;
  return url.toString();
}

/** Where to create and drop databases: the URL's database, else `postgres`. */
function pgAdminUrl(base) {
  return new URL(base).pathname.replace(/\//g, "") ? base : pgUrlOf(base, "postgres");
}

function psql(base, ...statements) {
  const args = [pgAdminUrl(base), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"];
  for (const sql of statements) args.push("-c", sql);
  return new Promise((resolve, reject) => {
    execFile("psql", args, { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) {
        const why = error.code === "ENOENT" ? "psql not found: install the PostgreSQL client" : stderr.trim();
        reject(new Error(`psql ${JSON.stringify(statements)} failed (${error.code ?? error.signal}): ${why}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * The `--database-url` of a PostgreSQL database of `workdir`'s own, or null when
 * TRUSTHUB_TEST_POSTGRES is unset. The first call creates it (the server migrates it as
 * it starts) and writes its name to `workdir/pg-database`; a server restarted on the
 * same directory finds it there. Named `th_<pid>_c<n>_<random>`: scripts/test-postgres.sh
 * (and the Rust harness) drop the `th_<pid>_…` databases of processes that are gone.
 */
async function databaseUrl(workdir) {
  const base = postgresBase();
  if (base === null) return null;
  const nameFile = path.join(workdir, PG_NAME_FILE);
  if (fs.existsSync(nameFile)) return pgUrlOf(base, fs.readFileSync(nameFile, "utf8").trim());
  const name = `th_${process.pid}_c${pgDatabasesCreated++}_${crypto.randomBytes(4).toString("hex")}`;
  await psql(
    base,
    `CREATE DATABASE "${name}"`,
    // Test data need not survive a crash of the machine (as in the Rust harness).
    `ALTER DATABASE "${name}" SET synchronous_commit = off`,
  );
  fs.writeFileSync(nameFile, name);
  return pgUrlOf(base, name);
}

/** Drop `workdir`'s PostgreSQL database, if it has one (its servers must be stopped). */
async function dropDatabase(workdir) {
  const base = postgresBase();
  const nameFile = path.join(workdir, PG_NAME_FILE);
  if (base === null || !fs.existsSync(nameFile)) return;
  await psql(base, `DROP DATABASE IF EXISTS "${fs.readFileSync(nameFile, "utf8").trim()}" WITH (FORCE)`);
  fs.rmSync(nameFile);
}

/** Remove a server directory (its servers stopped), and drop its PostgreSQL database if it has one. */
async function removeWorkdir(workdir) {
  await dropDatabase(workdir);
  fs.rmSync(workdir, { recursive: true, force: true });
}

function binaryPath() {
  const configured = process.env.TRUSTHUB_BIN;
  const p = configured || path.join(REPO_ROOT, "target", "debug", "trusthub");
  return path.resolve(process.cwd(), p);
}

function healthStatus(base) {
  return new Promise((resolve) => {
    const req = http.get(base + "/healthz", { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(null));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * An official client pointed at `base`, exactly as documented: twilio(accountSid, authToken),
 * or with an API key twilio(keySid, secret, { accountSid }).
 */
function officialClient(base, username, password, httpClient, { accountSid } = {}) {
  const client = twilio(username, password, accountSid ? { httpClient, accountSid } : { httpClient });
  client.trusthub.baseUrl = base;
  client.api.baseUrl = base;
  client.messaging.baseUrl = base;
  return client;
}

/** The operator API of one server: /admin/v1, form-encoded requests, JSON answers. */
class Operator {
  constructor(base, token = ADMIN_TOKEN) {
    this.base = base;
    this.token = token;
  }

  /** One request; resolves to { status, body } (body: decoded JSON, or the text). */
  async request(method, pathname, form = {}) {
    const entries = Object.entries(form).filter(([, v]) => v !== undefined && v !== null);
    const init = { method, headers: { Authorization: `Bearer ${this.token}` } };
    if (entries.length > 0) init.body = new URLSearchParams(entries.map(([k, v]) => [k, String(v)]));
    const res = await fetch(this.base + pathname, init);
    const text = await res.text();
    let body = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: res.status, body };
  }

  async call(method, pathname, expect = 200, form = {}) {
    const { status, body } = await this.request(method, pathname, form);
    assert.equal(status, expect, `${method} ${pathname} ${JSON.stringify(form)} -> ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  createAccount(friendlyName) {
    return this.call("POST", "/admin/v1/Accounts", 201, { FriendlyName: friendlyName });
  }

  /** A CustomerProfile for an account, as the Console would create it (console-only policies allowed). */
  createCustomerProfile(accountSid, { friendlyName, email, policySid, statusCallback }) {
    return this.call("POST", `/admin/v1/Accounts/${accountSid}/CustomerProfiles`, 201, {
      FriendlyName: friendlyName,
      Email: email,
      PolicySid: policySid,
      StatusCallback: statusCallback,
    });
  }

  async reviews() {
    return (await this.call("GET", "/admin/v1/Reviews")).reviews;
  }

  /** POST /admin/v1/Reviews/{sid}; resolves to { status, body } so callers can look at a refusal. */
  decide(bundleSid, decision, { failureReason, errorCodes } = {}) {
    return this.request("POST", `/admin/v1/Reviews/${bundleSid}`, {
      Decision: decision,
      FailureReason: failureReason,
      ErrorCodes: errorCodes,
    });
  }

  async events(bundleSid, type) {
    const { events } = await this.call("GET", `/admin/v1/Bundles/${bundleSid}/Events`);
    return events.filter((e) => type === undefined || e.type === type);
  }

  clock() {
    return this.call("GET", "/admin/v1/Clock");
  }

  advanceClock(seconds) {
    return this.call("POST", "/admin/v1/Clock", 200, { AdvanceSeconds: seconds });
  }

  /** /healthz worker.idle_polls: times the job worker found nothing due and nothing running. */
  async idlePolls() {
    const body = await (await fetch(this.base + "/healthz")).json();
    return (body.worker || body.checks.worker).idle_polls;
  }

  /**
   * Resolves once every job due before the call has run: the worker was idle twice since
   * (a poll counted as the call began may have read the store earlier).
   */
  async workerCaughtUp() {
    const want = (await this.idlePolls()) + 2;
    await waitUntil(() => this.idlePolls(), (n) => n >= want, "the job worker to be idle");
  }
}

/** An Address of the client's account (client.addresses.create); resolves to its SID. */
async function createAddress(client, friendlyName = "Acme Inc headquarters") {
  const address = await client.addresses.create({
    customerName: "Acme Inc",
    friendlyName,
    street: "1 Main St",
    city: "San Francisco",
    region: "CA",
    postalCode: "94105",
    isoCountry: "US",
  });
  assert.match(address.sid, /^AD[0-9a-f]{32}$/);
  return address.sid;
}

/** A new IncomingPhoneNumber of the client's account (a random +1555 number); resolves to its SID. */
async function createPhoneNumber(client) {
  const phoneNumber = "+1555" + String(crypto.randomInt(10 ** 7)).padStart(7, "0");
  const number = await client.incomingPhoneNumbers.create({ phoneNumber });
  assert.match(number.sid, /^PN[0-9a-f]{32}$/);
  return number.sid;
}

/** Call `probe` every 25 ms until `done(value)`; reject after `timeoutMs`. */
async function waitUntil(probe, done, what, timeoutMs = POLL_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`waited ${timeoutMs / 1000} s for ${what}; last value: ${JSON.stringify(value)}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Fetch `resource` (a client context: client.trusthub.v1.customerProfiles(sid)) until
 * its status is `status`; resolves to the fetched instance. Fails at once if the
 * bundle is decided otherwise, and after `timeoutMs`.
 */
async function waitForStatus(resource, status, timeoutMs = POLL_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const instance = await resource.fetch();
    if (instance.status === status) return instance;
    if (DECIDED.includes(instance.status)) {
      throw new Error(
        `${instance.sid} became ${instance.status} (errors ${JSON.stringify(instance.errors)}) while waiting for ${status}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Error(`${instance.sid} is still ${instance.status} after ${timeoutMs / 1000} s; expected ${status}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Start `trusthub serve` and wait until /healthz answers 200.
 * Pass the `workdir`, `accountSid` and `authToken` of a previous server to restart on
 * its database (the log is appended to). With TRUSTHUB_TEST_POSTGRES set, the database
 * is the directory's PostgreSQL database (databaseUrl), unless the server runs
 * `--ephemeral` (in memory).
 */
async function startServer({ args = [], workdir, accountSid, authToken } = {}) {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) throw new Error(`server binary ${bin} not found (build it or set TRUSTHUB_BIN)`);
  accountSid = accountSid || "AC" + crypto.randomBytes(16).toString("hex");
  authToken = authToken || crypto.randomBytes(16).toString("hex");
  workdir = workdir || fs.mkdtempSync(path.join(os.tmpdir(), "trusthub-node-"));
  const logPath = path.join(workdir, "server.log");
  const logStart = fs.existsSync(logPath) ? fs.statSync(logPath).size : 0;
  const hadDatabase = fs.existsSync(path.join(workdir, PG_NAME_FILE));
  const pgUrl = args.includes("--ephemeral") ? null : await databaseUrl(workdir);
  const logFd = fs.openSync(logPath, "a");
  const env = {
    ...process.env,
    TRUSTHUB_ACCOUNT_SID: accountSid,
    TRUSTHUB_AUTH_TOKEN: authToken,
    TRUSTHUB_ADMIN_TOKEN: ADMIN_TOKEN,
  };
  delete env.TWILIO_EDGE;
  delete env.TWILIO_REGION;
  const command = ["serve", "--listen", "127.0.0.1:0", "--database-url", pgUrl || `sqlite://${workdir}/th.db`, ...args];
  const child = spawn(bin, command, { env, stdio: ["ignore", logFd, logFd] });
  fs.closeSync(logFd);
  let exited = null;
  const gone = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const thisRunsLog = () => fs.readFileSync(logPath).subarray(logStart).toString("utf8");

  // The first stdout line names the port the kernel picked.
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let base = null;
  let status = null;
  while (Date.now() < deadline && exited === null) {
    if (base === null) {
      const match = LISTENING_RE.exec(thisRunsLog());
      if (match) base = match[1];
    }
    if (base !== null) {
      status = await healthStatus(base);
      if (status === 200) break;
    }
    await sleep(50);
  }
  if (status !== 200) {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    await gone;
    // Created for this server, which nobody will stop.
    if (pgUrl !== null && !hadDatabase) await dropDatabase(workdir);
    throw new Error(
      `trusthub server (${[bin, ...command].join(" ")}) did not become healthy at ${base} ` +
        `(exit=${JSON.stringify(exited)}, last /healthz status ${status}); log:\n${thisRunsLog().slice(-4000)}`,
    );
  }

  const httpClient = new ValidatingRequestClient(new OpenApiChecker());
  const makeClient = (sid = accountSid, token = authToken) => officialClient(base, sid, token, httpClient);

  /** SIGKILL, as a crash would: no graceful shutdown. The workdir (database) stays. */
  const kill = async () => {
    process.off("exit", killOnExit);
    if (exited === null) child.kill("SIGKILL");
    await gone;
  };
  /** SIGTERM (SIGKILL after 10 s), then remove the workdir (and drop its database) unless keepWorkdir. */
  const stop = async ({ keepWorkdir = false } = {}) => {
    process.off("exit", killOnExit);
    if (exited === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    }
    if (!keepWorkdir) await removeWorkdir(workdir);
  };

  return {
    base,
    accountSid,
    authToken,
    args,
    workdir,
    logPath,
    httpClient,
    makeClient,
    client: makeClient(),
    operator: new Operator(base),
    kill,
    stop,
  };
}

/**
 * Register the per-file server hooks; the returned object is filled in by `before`.
 * `useServer(setup)` or `useServer({ args, setup })`: `args` are extra serve flags;
 * `setup(ctx)`, if given, runs in the same hook once the server is up (node 20 runs
 * separate top-level `before` hooks concurrently, so a second hook could not rely on ctx).
 */
function useServer(options = {}) {
  const { args = [], setup } = typeof options === "function" ? { setup: options } : options;
  const ctx = {};
  before(async () => {
    Object.assign(ctx, await startServer({ args }));
    if (setup) await setup(ctx);
  });
  after(async () => {
    if (ctx.stop) await ctx.stop();
  });
  afterEach(() => {
    if (!ctx.httpClient) return;
    const violations = ctx.httpClient.takeViolations();
    ctx.httpClient.exchanges.length = 0;
    assert.deepEqual(violations, [], "responses that do not match the OpenAPI spec:\n" + violations.join("\n"));
  });
  return ctx;
}

module.exports = {
  ADMIN_TOKEN,
  Operator,
  createAddress,
  createPhoneNumber,
  officialClient,
  removeWorkdir,
  startServer,
  useServer,
  waitForStatus,
  waitUntil,
};
