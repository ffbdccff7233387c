"use strict";
/**
 * Validate every response our server sends against Twilio's own OpenAPI spec.
 *
 * The spec (openapi/twilio_trusthub_v1.json at the repo root) is turned into
 * plain JSON Schema once, with the stricter reading these tests want (the same
 * rules as tests/clients/python/openapi_check.py):
 *
 *  - every `$ref` is inlined;
 *  - `nullable: true` lets the value be null (and nothing else does);
 *  - every property listed in an object's `properties` is required;
 *  - `format: date-time` must match ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$;
 *  - `format: uri` must be an absolute http(s) URL, and `format: uri-map`
 *    (`links`) an object whose values are such URLs.
 *
 * Error responses (HTTP >= 400) must carry Twilio's legacy error body
 * {code:int, message:str, more_info:str, status:int == HTTP status} without
 * `type`/`title` keys (which would route it to TwilioServiceException).
 *
 * ValidatingRequestClient plugs this into twilio-node as a custom httpClient
 * (a twilio.RequestClient subclass): it records violations and every exchange
 * instead of throwing, so a test can fail at its end with the full list.
 */

const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv");
const twilio = require("twilio");

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SPEC_PATH = path.join(REPO_ROOT, "openapi", "twilio_trusthub_v1.json");
// The 2010-04-01 API (Addresses, IncomingPhoneNumbers: prerequisites of the guides) has
// other conventions (relative `uri`s, RFC 2822 dates) than these strict TrustHub rules;
// its successful responses are not schema-checked here (error bodies still are).
const UNCHECKED_PATH_PREFIXES = ["/2010-04-01/"];
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const HTTP_METHODS = ["get", "post", "delete", "put", "patch"];
const DROPPED_KEYS = new Set(["description", "title", "example", "examples", "x-twilio", "nullable"]);

// --------------------------------------------------------------------------
// Schema preparation
// --------------------------------------------------------------------------

function resolveRef(spec, ref) {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported: ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .reduce((node, part) => node[part.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
}

function prepareSchema(spec, schema, stack = []) {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  if (schema.$ref) {
    if (stack.includes(schema.$ref)) throw new Error(`recursive $ref ${schema.$ref}`);
    const { $ref, ...rest } = schema;
    return prepareSchema(spec, { ...resolveRef(spec, $ref), ...rest }, [...stack, $ref]);
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, prepareSchema(spec, sub, stack)]),
      );
    } else if ((key === "items" || key === "additionalProperties") && value && typeof value === "object") {
      out[key] = prepareSchema(spec, value, stack);
    } else if (key === "allOf" || key === "anyOf" || key === "oneOf") {
      out[key] = value.map((sub) => prepareSchema(spec, sub, stack));
    } else {
      out[key] = structuredClone(value);
    }
  }
  if (out.format === "uri-map") {
    delete out.format;
    out.additionalProperties = { type: "string", format: "uri" };
  }
  if (out.properties) out.required = Object.keys(out.properties);
  if (schema.nullable === true) {
    if (out.type !== undefined) {
      const types = Array.isArray(out.type) ? out.type : [out.type];
      out.type = types.includes("null") ? types : [...types, "null"];
    }
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function isAbsoluteHttpUrl(value) {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}

function makeAjv() {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  ajv.addFormat("date-time", DATE_TIME_RE);
  ajv.addFormat("uri", isAbsoluteHttpUrl);
  return ajv;
}

// --------------------------------------------------------------------------
// Operations
// --------------------------------------------------------------------------

function templateRegex(template) {
  let literal = 0;
  const parts = template
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .map((segment) => {
      if (segment.startsWith("{") && segment.endsWith("}")) return "[^/]+";
      literal += 1;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    });
  return { regex: new RegExp("^/" + parts.join("/") + "$"), literal };
}

function isInteger(v) {
  return typeof v === "number" && Number.isInteger(v);
}

/** Twilio's legacy error body, as the libraries need it. */
function errorBodyViolations(status, body) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return [`error body is not a JSON object: ${JSON.stringify(body)}`];
  }
  const problems = [];
  if (!isInteger(body.code)) problems.push(`error body 'code' must be an integer, got ${JSON.stringify(body.code)}`);
  for (const key of ["message", "more_info"]) {
    if (typeof body[key] !== "string") {
      problems.push(`error body '${key}' must be a string, got ${JSON.stringify(body[key])}`);
    }
  }
  if (!isInteger(body.status)) {
    problems.push(`error body 'status' must be an integer, got ${JSON.stringify(body.status)}`);
  } else if (body.status !== status) {
    problems.push(`error body 'status' ${body.status} != HTTP status ${status}`);
  }
  for (const key of ["type", "title"]) {
    if (key in body) problems.push(`error body must not carry '${key}' (RFC-9457 trap)`);
  }
  if ("details" in body && (body.details === null || typeof body.details !== "object" || Array.isArray(body.details))) {
    problems.push("error body 'details' must be an object when present");
  }
  return problems;
}

class OpenApiChecker {
  constructor(specPath = SPEC_PATH) {
    this.spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
    this.ajv = makeAjv();
    const ops = [];
    for (const [template, item] of Object.entries(this.spec.paths)) {
      for (const method of HTTP_METHODS) {
        if (item[method]) {
          const { regex, literal } = templateRegex(template);
          ops.push({ method: method.toUpperCase(), template, regex, literal, responses: item[method].responses, validators: {} });
        }
      }
    }
    // Most literal segments first: /Customers/Initialize beats /Customers/{Id}.
    this.operations = ops.sort((a, b) => b.literal - a.literal);
  }

  findOperation(method, pathname) {
    method = method.toUpperCase();
    return this.operations.find((op) => op.method === method && op.regex.test(pathname)) || null;
  }

  validator(op, status) {
    if (!(status in op.validators)) {
      const schema = op.responses[status]?.content?.["application/json"]?.schema;
      op.validators[status] = schema ? this.ajv.compile(prepareSchema(this.spec, schema)) : null;
    }
    return op.validators[status];
  }

  validateBody(op, status, body) {
    const validate = this.validator(op, String(status));
    if (!validate || validate(body)) return [];
    return validate.errors.map((e) => `${e.instancePath || "<root>"}: ${e.message}${e.params && e.params.allowedValues ? " " + JSON.stringify(e.params.allowedValues) : ""}`);
  }

  /**
   * @param {string} method
   * @param {string} url absolute URL
   * @param {number} status
   * @param {unknown} body parsed JSON, or the raw string when it was not JSON ('' when empty)
   * @param {Record<string,string>} [headers]
   * @returns {string[]} violations
   */
  check(method, url, status, body, headers) {
    method = method.toUpperCase();
    const pathname = new URL(url).pathname;
    const isEmpty = body === undefined || body === null || body === "";
    let parsed = body;
    let isJson = typeof body !== "string";
    if (typeof body === "string" && body !== "") {
      try {
        parsed = JSON.parse(body);
        isJson = true;
      } catch {
        isJson = false;
      }
    }
    if (status >= 400) {
      const problems = isJson && !isEmpty ? errorBodyViolations(status, parsed) : [`error body is not JSON: ${JSON.stringify(body)}`];
      if (status >= 500) problems.push(`server error ${status}`);
      return problems;
    }
    if (UNCHECKED_PATH_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return [];
    const op = this.findOperation(method, pathname);
    if (!op) return [`no operation ${method} ${pathname} in the spec`];
    if (!(String(status) in op.responses)) {
      return [`status ${status} is not in the spec (expected one of ${JSON.stringify(Object.keys(op.responses))})`];
    }
    if (!op.responses[String(status)].content) {
      return isEmpty ? [] : [`status ${status} must have an empty body, got ${JSON.stringify(body).slice(0, 200)}`];
    }
    if (isEmpty || !isJson) return [`body is not JSON: ${JSON.stringify(body).slice(0, 200)}`];
    const problems = [];
    if (headers) {
      const contentType = headerValue(headers, "content-type");
      if (!String(contentType).toLowerCase().startsWith("application/json")) {
        problems.push(`Content-Type ${JSON.stringify(contentType)} is not application/json`);
      }
    }
    return problems.concat(this.validateBody(op, status, parsed));
  }
}

function headerValue(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === "function") {
    const v = headers.get(name);
    if (v !== undefined && v !== null) return v;
  }
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

// --------------------------------------------------------------------------
// twilio-node integration
// --------------------------------------------------------------------------

/**
 * A twilio.RequestClient that validates every response against the spec.
 * `violations` collects problems (never thrown here); `exchanges` logs every
 * request/response so tests can look at what went over the wire.
 */
class ValidatingRequestClient extends twilio.RequestClient {
  constructor(checker = new OpenApiChecker(), opts = {}) {
    super(opts);
    this.checker = checker;
    this.violations = [];
    this.exchanges = [];
  }

  async request(opts) {
    const response = await super.request(opts);
    const url = new URL(opts.uri);
    for (const [k, v] of Object.entries(opts.params || {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const method = String(opts.method).toUpperCase();
    let body = response.body;
    if (typeof body === "string" && body !== "") {
      try {
        body = JSON.parse(body);
      } catch {
        /* keep the raw string */
      }
    }
    this.exchanges.push({
      method,
      uri: opts.uri,
      query: Object.fromEntries(url.searchParams),
      statusCode: response.statusCode,
      body,
      headers: response.headers,
    });
    for (const problem of this.checker.check(method, opts.uri, response.statusCode, response.body, response.headers)) {
      this.violations.push(`${method} ${opts.uri} -> ${response.statusCode}: ${problem}`);
    }
    return response;
  }

  takeViolations() {
    const taken = this.violations;
    this.violations = [];
    return taken;
  }
}

/** Validate every example response in the spec against its own schema (self-test). */
function checkSpecExamples(checker = new OpenApiChecker()) {
  const problems = [];
  for (const op of checker.operations) {
    for (const [status, response] of Object.entries(op.responses)) {
      const examples = response.content?.["application/json"]?.examples || {};
      for (const [name, example] of Object.entries(examples)) {
        for (const p of checker.validateBody(op, Number(status), example.value)) {
          problems.push(`${op.method} ${op.template} ${status} example ${name}: ${p}`);
        }
      }
    }
  }
  return problems;
}

module.exports = {
  REPO_ROOT,
  SPEC_PATH,
  DATE_TIME_RE,
  prepareSchema,
  errorBodyViolations,
  headerValue,
  OpenApiChecker,
  ValidatingRequestClient,
  checkSpecExamples,
};

if (require.main === module) {
  const found = checkSpecExamples();
  console.log(found.length ? found.join("\n") : "openapi_check.js: all spec examples validate");
  process.exitCode = found.length ? 1 : 0;
}
