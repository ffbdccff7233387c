"use strict";
/**
 * Validate every response our server sends against Twilio's own OpenAPI specs.
 *
 * Three specs at the repo root are used: openapi/twilio_trusthub_v1.json for /v1/...,
 * openapi/twilio_messaging_v1.json for the /v1 paths Twilio serves on
 * messaging.twilio.com (MESSAGING_V1) and openapi/twilio_api_v2010.json for
 * /2010-04-01/.... Of the 2010 and Messaging specs only the operations of the resources
 * the server implements are loaded (2010: Accounts.json, Accounts/{Sid}.json and
 * Accounts/{AccountSid}/ + Keys, Addresses, IncomingPhoneNumbers as .json or
 * /{Sid}.json, the typed IncomingPhoneNumbers/Local|TollFree|Mobile.json and
 * AvailablePhoneNumbers; Messaging: Services and their PhoneNumbers). Each response schema is turned
 * into plain JSON Schema once, with the stricter reading these tests want (the
 * same rules as tests/clients/python/openapi_check.py):
 *
 *  - every `$ref` is inlined;
 *  - `nullable: true` lets the value be null (and nothing else does);
 *  - every property listed in an object's `properties` is required;
 *  - `format: date-time` must match ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$;
 *  - `format: date-time-rfc-2822` (2010) must match `Tue, 18 Aug 2015 17:07:30 +0000`
 *    exactly (RFC_2822_RE);
 *  - TrustHub: `format: uri` must be an absolute http(s) URL, and `format: uri-map`
 *    (`links`) an object whose values are such URLs. 2010: the same formats are URI
 *    *references* (Twilio sends relative `uri`s such as
 *    /2010-04-01/Accounts/AC.../Addresses/AD....json, and "" for unset URLs).
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
const SPEC_2010_PATH = path.join(REPO_ROOT, "openapi", "twilio_api_v2010.json");
const SPEC_MESSAGING_PATH = path.join(REPO_ROOT, "openapi", "twilio_messaging_v1.json");
const API_2010_PREFIX = "/2010-04-01/";
// The top-level /v1 collections Twilio serves on messaging.twilio.com (the server's
// crate::format::twilio_host holds the same list).
const MESSAGING_V1 = ["/v1/Services", "/v1/a2p", "/v1/Tollfree", "/v1/LinkShortening", "/v1/Deactivations"];
// The 2010 operations the server implements (the spec has hundreds more; loading only
// these keeps start-up fast): Accounts.json, Accounts/{Sid}.json, and the Keys,
// Addresses and IncomingPhoneNumbers lists and instances of an account, the typed
// IncomingPhoneNumbers lists, and AvailablePhoneNumbers.
const API_2010_TEMPLATE_RE =
  /^\/2010-04-01\/Accounts(?:\.json|\/\{[^/{}]+\}\.json|\/\{[^/{}]+\}\/(?:Keys|Addresses|IncomingPhoneNumbers)(?:\.json|\/\{[^/{}]+\}\.json)|\/\{[^/{}]+\}\/IncomingPhoneNumbers\/(?:Local|TollFree|Mobile)\.json|\/\{[^/{}]+\}\/AvailablePhoneNumbers(?:\.json|\/\{[^/{}]+\}\.json|\/\{[^/{}]+\}\/(?:Local|TollFree|Mobile)\.json))$/;
// The Messaging operations the server implements: Services and their PhoneNumbers, their
// A2P campaigns (Compliance/Usa2p) and use cases, brands (a2p/BrandRegistrations) with
// their SmsOtp and Vettings, and toll-free verifications.
const MESSAGING_TEMPLATE_RE = new RegExp(
  "^/v1/(?:Services(?:/Usecases|/\\{[^/{}]+\\}(?:/PhoneNumbers(?:/\\{[^/{}]+\\})?" +
    "|/Compliance/Usa2p(?:/Usecases|/\\{[^/{}]+\\})?)?)?" +
    "|a2p/BrandRegistrations(?:/\\{[^/{}]+\\}(?:/SmsOtp|/Vettings(?:/\\{[^/{}]+\\})?)?)?" +
    "|Tollfree/Verifications(?:/\\{[^/{}]+\\})?)$",
);

function isMessaging(pathname) {
  return MESSAGING_V1.some((p) => pathname === p || pathname.startsWith(p + "/"));
}
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const RFC_2822_RE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
// RFC 3986 URI-reference characters (percent-escapes well formed); "" is a valid reference.
const URI_REFERENCE_RE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
// Formats the specs use that are not checked (registered so Ajv does not warn about them).
const UNCHECKED_FORMATS = ["http-method", "phone-number", "iso-country-code", "phone-number-capabilities"];
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

/**
 * Formats checked: date-time, date-time-rfc-2822 and uri (an absolute http(s) URL, or
 * with `relativeUris` a URI reference); others are not checked.
 */
function makeAjv({ relativeUris = false } = {}) {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  ajv.addFormat("date-time", DATE_TIME_RE);
  ajv.addFormat("date-time-rfc-2822", RFC_2822_RE);
  ajv.addFormat("uri", relativeUris ? URI_REFERENCE_RE : isAbsoluteHttpUrl);
  for (const name of UNCHECKED_FORMATS) ajv.addFormat(name, true);
  return ajv;
}

// --------------------------------------------------------------------------
// Operations
// --------------------------------------------------------------------------

const PARAM_RE = /\{[^/{}]+\}/;
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A path regex for the template and its number of parameter-free segments. A parameter
 * may be a whole segment (/CustomerProfiles/{Sid}) or part of one (2010's /Addresses/{Sid}.json).
 */
function templateRegex(template) {
  let literal = 0;
  const parts = template
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .map((segment) => {
      const pieces = segment.split(PARAM_RE);
      if (pieces.length === 1) literal += 1;
      return pieces.map(escapeRegex).join("[^/]+");
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

const specCache = new Map();
/** Each spec file is parsed once per process. */
function loadSpec(specPath) {
  if (!specCache.has(specPath)) specCache.set(specPath, JSON.parse(fs.readFileSync(specPath, "utf8")));
  return specCache.get(specPath);
}

/** The operations of one spec file, with the format rules of that API. */
class ApiSpec {
  constructor(specPath, { keep = () => true, relativeUris = false } = {}) {
    this.spec = loadSpec(specPath);
    this.ajv = makeAjv({ relativeUris });
    const ops = [];
    for (const [template, item] of Object.entries(this.spec.paths)) {
      if (!keep(template)) continue;
      for (const method of HTTP_METHODS) {
        if (item[method]) {
          const { regex, literal } = templateRegex(template);
          ops.push({ method: method.toUpperCase(), template, regex, literal, responses: item[method].responses, validators: {}, api: this });
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
}

/**
 * Checks (method, url, status, body) against the TrustHub spec (/v1/...) or the
 * implemented part of the 2010-04-01 spec (/2010-04-01/...).
 */
class OpenApiChecker {
  constructor(specPath = SPEC_PATH, spec2010Path = SPEC_2010_PATH, specMessagingPath = SPEC_MESSAGING_PATH) {
    this.trusthub = new ApiSpec(specPath);
    this.api2010 = new ApiSpec(spec2010Path, { keep: (t) => API_2010_TEMPLATE_RE.test(t), relativeUris: true });
    this.messaging = new ApiSpec(specMessagingPath, { keep: (t) => MESSAGING_TEMPLATE_RE.test(t) });
    this.spec = this.trusthub.spec;
    this.operations = [...this.trusthub.operations, ...this.api2010.operations, ...this.messaging.operations];
  }

  apiFor(pathname) {
    if (pathname.startsWith(API_2010_PREFIX)) return this.api2010;
    return isMessaging(pathname) ? this.messaging : this.trusthub;
  }

  findOperation(method, pathname) {
    return this.apiFor(pathname).findOperation(method, pathname);
  }

  validator(op, status) {
    if (!(status in op.validators)) {
      const schema = op.responses[status]?.content?.["application/json"]?.schema;
      op.validators[status] = schema ? op.api.ajv.compile(prepareSchema(op.api.spec, schema)) : null;
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

// Twilio's own 2010 examples send "" for an unset Application SID, while the schema
// (which our server follows) says a 34-character AP... SID or null. The self-test reads
// those "" as null instead of loosening the schema.
const EXAMPLE_ERRATA_EMPTY_AS_NULL = new Set(["sms_application_sid", "voice_application_sid"]);

// Twilio's AvailablePhoneNumbers examples send coordinates as strings ("19.720000") where
// the schema (which our server follows) says number, and show only `uri` and the list
// where the schema lists the whole 2010 envelope (which our server sends); its typed
// number examples leave `fax` out of `capabilities`, which the schema lists: the
// self-test reads the strings as numbers, completes the envelope and adds `fax: false`.
const EXAMPLE_ERRATA_NUMBERS = new Set(["latitude", "longitude"]);
const AVAILABLE_ENVELOPE = { end: 0, next_page_uri: null, page: 0, page_size: 50, previous_page_uri: null, start: 0 };

function applyExampleErrata(value) {
  if (Array.isArray(value)) return value.map(applyExampleErrata);
  if (value !== null && typeof value === "object") {
    const out = Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (EXAMPLE_ERRATA_EMPTY_AS_NULL.has(k) && v === "") return [k, null];
        if (EXAMPLE_ERRATA_NUMBERS.has(k) && typeof v === "string") return [k, Number(v)];
        return [k, applyExampleErrata(v)];
      }),
    );
    if (out.capabilities !== null && typeof out.capabilities === "object" && !Array.isArray(out.capabilities)) {
      out.capabilities = { fax: false, ...out.capabilities };
    }
    if (Array.isArray(out.available_phone_numbers)) {
      return { ...AVAILABLE_ENVELOPE, first_page_uri: out.uri, ...out };
    }
    return out;
  }
  return value;
}

/**
 * Validate every example response in the specs against its own schema (self-test):
 * both specs (of the 2010 one, the operations the server implements), with the errata
 * of EXAMPLE_ERRATA_EMPTY_AS_NULL applied to the 2010 examples.
 */
// Twilio's brand vetting examples give a 10-character SID ("VT12445353") where the schema (which
// our server follows) says VT and 32 hex digits, and its pending sole-proprietor brand example an
// identity_status of null, which the schema's enum does not allow: the self-test reads the SID
// padded to its length and the pending identity as UNVERIFIED, a value of that enum.
function applyMessagingErrata(value) {
  if (Array.isArray(value)) return value.map(applyMessagingErrata);
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = applyMessagingErrata(v);
    if (typeof out.brand_vetting_sid === "string" && out.brand_vetting_sid.length < 34) {
      out.brand_vetting_sid = out.brand_vetting_sid.padEnd(34, "0");
    }
    if ("identity_status" in out && out.identity_status === null) out.identity_status = "UNVERIFIED";
    return out;
  }
  return value;
}

function checkSpecExamples(checker = new OpenApiChecker()) {
  const problems = [];
  for (const op of checker.operations) {
    const is2010 = op.template.startsWith(API_2010_PREFIX);
    for (const [status, response] of Object.entries(op.responses)) {
      const examples = response.content?.["application/json"]?.examples || {};
      for (const [name, example] of Object.entries(examples)) {
        const value = is2010
          ? applyExampleErrata(example.value)
          : isMessaging(op.template)
            ? applyMessagingErrata(example.value)
            : example.value;
        for (const p of checker.validateBody(op, Number(status), value)) {
          problems.push(`${op.method} ${op.template} ${status} example ${name}: ${p}`);
        }
      }
    }
  }
  return problems;
}

const setKey = (key, value) => (body) => {
  body[key] = value;
};
const deleteKey = (key) => (body) => {
  delete body[key];
};

// Mutated copies of Twilio's examples that the strict rules must reject.
const MUST_REJECT = [
  ["GET", "/v1/CustomerProfiles/{Sid}", 200, "missing property", deleteKey("errors")],
  ["GET", "/v1/CustomerProfiles/{Sid}", 200, "relative url", setKey("url", "/v1/CustomerProfiles/BU1")],
  ["GET", "/v1/CustomerProfiles/{Sid}", 200, "RFC 2822 date", setKey("date_created", "Tue, 18 Aug 2015 17:07:30 +0000")],
  ["GET", "/v1/CustomerProfiles", 200, "null, not nullable", (body) => { body.meta.url = null; }],
  ["POST", "/2010-04-01/Accounts/{AccountSid}/Addresses.json", 201, "ISO date", setKey("date_created", "2015-08-18T17:07:30Z")],
  ["POST", "/2010-04-01/Accounts/{AccountSid}/Addresses.json", 201, "offset", setKey("date_updated", "Tue, 18 Aug 2015 17:07:30 -0700")],
  ["POST", "/2010-04-01/Accounts/{AccountSid}/Addresses.json", 201, "missing property", deleteKey("street_secondary")],
  ["GET", "/2010-04-01/Accounts/{AccountSid}/Addresses.json", 200, "not a URI reference", setKey("first_page_uri", "/2010-04-01/a b.json")],
  ["GET", "/2010-04-01/Accounts/{AccountSid}/Addresses.json", 200, "null, not nullable", setKey("uri", null)],
  ["POST", "/2010-04-01/Accounts/{AccountSid}/Keys.json", 201, "bad SID", setKey("sid", "SK123")],
  ["GET", "/2010-04-01/Accounts/{Sid}.json", 200, "bad enum", setKey("status", "deleted")],
  ["GET", "/v1/Services/{Sid}", 200, "missing property", deleteKey("usecase")],
  ["GET", "/v1/Services/{Sid}", 200, "relative url", setKey("url", "/v1/Services/MG1")],
  [
    "GET",
    "/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json",
    200,
    "coordinate as text",
    (body) => {
      body.available_phone_numbers[0].latitude = "19.72";
    },
  ],
];

/** The other half of the self-test: each MUST_REJECT case must be reported. */
function checkRejections(checker = new OpenApiChecker()) {
  const problems = [];
  for (const [method, template, status, what, mutate] of MUST_REJECT) {
    const op = checker.operations.find((o) => o.method === method && o.template === template);
    const examples = op.responses[String(status)].content["application/json"].examples;
    const body = applyExampleErrata(structuredClone(Object.values(examples)[0].value));
    mutate(body);
    if (checker.validateBody(op, status, body).length === 0) {
      problems.push(`${method} ${template} ${status}: ${what} was not rejected`);
    }
  }
  return problems;
}

module.exports = {
  REPO_ROOT,
  SPEC_PATH,
  SPEC_2010_PATH,
  SPEC_MESSAGING_PATH,
  DATE_TIME_RE,
  RFC_2822_RE,
  prepareSchema,
  errorBodyViolations,
  headerValue,
  OpenApiChecker,
  ValidatingRequestClient,
  checkSpecExamples,
  checkRejections,
};

if (require.main === module) {
  const found = [...checkSpecExamples(), ...checkRejections()];
  console.log(found.length ? found.join("\n") : "openapi_check.js: all spec examples validate; all mutated examples are rejected");
  process.exitCode = found.length ? 1 : 0;
}
