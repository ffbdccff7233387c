"use strict";
/**
 * One real trusthub server per test file, and an official twilio-node client for it.
 *
 *   const { useServer } = require("./server");
 *   const ctx = useServer();   // registers before/after/afterEach hooks
 *   test("...", async () => { await ctx.client.trusthub.v1.policies.list(); });
 *
 * The server listens on a free 127.0.0.1 port with a fresh SQLite database in a
 * temp dir and is killed after the file's tests. The binary comes from
 * $TRUSTHUB_BIN (default: <repo>/target/debug/trusthub). Every response goes
 * through ValidatingRequestClient; afterEach fails a test that received a
 * response not matching the OpenAPI spec.
 */

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { before, after, afterEach } = require("node:test");
const twilio = require("twilio");
const { REPO_ROOT, OpenApiChecker, ValidatingRequestClient } = require("./openapi_check");

// The library rewrites hostnames when these are set (see wire.md 6.1).
delete process.env.TWILIO_EDGE;
delete process.env.TWILIO_REGION;

const STARTUP_TIMEOUT_MS = 60_000;

function binaryPath() {
  const configured = process.env.TRUSTHUB_BIN;
  const p = configured || path.join(REPO_ROOT, "target", "debug", "trusthub");
  return path.resolve(process.cwd(), p);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
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

async function startServer() {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) throw new Error(`server binary ${bin} not found (build it or set TRUSTHUB_BIN)`);
  const accountSid = "AC" + crypto.randomBytes(16).toString("hex");
  const authToken = crypto.randomBytes(16).toString("hex");
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const base = `http://${listen}`;
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "trusthub-node-"));
  const logPath = path.join(workdir, "server.log");
  const logFd = fs.openSync(logPath, "w");
  const env = { ...process.env, TRUSTHUB_ACCOUNT_SID: accountSid, TRUSTHUB_AUTH_TOKEN: authToken };
  delete env.TWILIO_EDGE;
  delete env.TWILIO_REGION;
  const child = spawn(bin, ["serve", "--listen", listen, "--database-url", `sqlite://${workdir}/th.db`], {
    env,
    stdio: ["ignore", logFd, logFd],
  });
  fs.closeSync(logFd);
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = { code, signal };
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let status = null;
  while (Date.now() < deadline && exited === null) {
    status = await healthStatus(base);
    if (status === 200) break;
    await sleep(100);
  }
  if (status !== 200) {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    const tail = fs.readFileSync(logPath, "utf8").slice(-4000);
    fs.rmSync(workdir, { recursive: true, force: true });
    throw new Error(
      `trusthub server at ${base} did not become healthy (exit=${JSON.stringify(exited)}, last /healthz status ${status}); log tail:\n${tail}`,
    );
  }

  const httpClient = new ValidatingRequestClient(new OpenApiChecker());
  /** Build an official client pointed at our server, exactly as documented. */
  const makeClient = (sid = accountSid, token = authToken) => {
    const client = twilio(sid, token, { httpClient });
    client.trusthub.baseUrl = base;
    client.api.baseUrl = base;
    return client;
  };

  const stop = async () => {
    process.off("exit", killOnExit);
    if (exited === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(workdir, { recursive: true, force: true });
  };

  return { base, accountSid, authToken, httpClient, makeClient, client: makeClient(), stop, logPath };
}

/**
 * Register the per-file server hooks; the returned object is filled in by `before`.
 * `setup(ctx)`, if given, runs in the same hook once the server is up (node 20 runs
 * separate top-level `before` hooks concurrently, so a second hook could not rely on ctx).
 */
function useServer(setup) {
  const ctx = {};
  before(async () => {
    Object.assign(ctx, await startServer());
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

module.exports = { useServer, startServer };
