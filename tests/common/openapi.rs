//! Validates JSON response bodies against the response schemas of Twilio's OpenAPI
//! specs: TrustHub v1 (`openapi/twilio_trusthub_v1.json`), Messaging v1
//! (`twilio_messaging_v1.json`, for the paths Twilio serves on messaging.twilio.com) and
//! the 2010 API (`twilio_api_v2010.json`).
//!
//! The OpenAPI 3.0 schemas are translated to plain JSON Schema (2020-12) once:
//! `$ref`s are inlined, `nullable` becomes a `null` type, docs/vendor keys are
//! dropped, `date-time` strings must look exactly like `2019-07-30T22:29:24Z`,
//! and every listed property becomes required (our server must emit all of them).
#![allow(dead_code)]

use jsonschema::{Draft, Validator};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/openapi/twilio_trusthub_v1.json"
);

const RFC_2822_PATTERN: &str = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$";

const SPEC_2010_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/twilio_api_v2010.json");

const SPEC_MESSAGING_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/openapi/twilio_messaging_v1.json"
);

/// The 2010 paths the server implements (the spec has hundreds more).
const PATHS_2010: [&str; 5] = [
    "/Keys",
    "/Addresses",
    "/IncomingPhoneNumbers",
    "/AvailablePhoneNumbers",
    "/Accounts",
];

/// Twilio's wire format for timestamps; `format: date-time` alone would also accept
/// fractional seconds and offsets, which our clients do not parse.
const DATE_TIME_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$";

pub struct Spec {
    operations: Vec<Operation>,
}

struct Operation {
    method: String,
    template: String,
    /// `None` for a `{Param}` segment, `Some(literal)` otherwise.
    segments: Vec<Option<String>>,
    /// Status code -> compiled body schema (`None` when the spec lists no body, e.g. 204).
    responses: Vec<(u16, Option<Validator>)>,
}

/// The spec, loaded and compiled once per test binary.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(Spec::load)
}

/// The 2010-04-01 spec, limited to the resources the server implements.
pub fn spec_2010() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::load_from(
            SPEC_2010_PATH,
            |t| {
                let rest = t.trim_start_matches("/2010-04-01/Accounts");
                rest == ".json"
                    || rest == "/{Sid}.json"
                    || PATHS_2010.iter().any(|p| {
                        rest.strip_prefix("/{AccountSid}")
                            .is_some_and(|r| r.starts_with(p) && r.matches('/').count() <= 3)
                    })
            },
            true,
        )
    })
}

/// The Messaging v1 spec (paths the server serves for messaging.twilio.com).
pub fn spec_messaging() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load_from(SPEC_MESSAGING_PATH, |_| true, false))
}

fn relax_uris(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("format") == Some(&json!("uri")) {
                m.insert("format".into(), json!("uri-reference"));
            }
            m.values_mut().for_each(relax_uris);
        }
        Value::Array(a) => a.iter_mut().for_each(relax_uris),
        _ => {}
    }
}

/// Panics with every violation if `body` does not match the spec.
pub fn assert_valid(method: &str, path: &str, status: u16, body: &Value) {
    let spec = match trusthub::format::twilio_host(path) {
        Some("api.twilio.com") => spec_2010(),
        Some("messaging.twilio.com") => spec_messaging(),
        _ => spec(),
    };
    if let Err(e) = spec.validate(method, path, status, body) {
        panic!(
            "response to {method} {path} ({status}) violates the OpenAPI spec:\n{e}\nbody: {}",
            serde_json::to_string_pretty(body).unwrap_or_default()
        );
    }
}

impl Spec {
    /// Reads the spec and compiles one validator per (operation, status).
    pub fn load() -> Spec {
        Spec::load_from(SPEC_PATH, |_| true, false)
    }

    /// Reads a spec, keeping the operations whose path template `keep` accepts.
    /// `relative_uris`: 2010's `uri` properties are paths (`/2010-04-01/…`), so `format:
    /// uri` is read as a URI reference there.
    pub fn load_from(file: &str, keep: impl Fn(&str) -> bool, relative_uris: bool) -> Spec {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        let doc: Value = serde_json::from_str(&text).expect("spec is not valid JSON");
        let components = &doc["components"]["schemas"];
        let mut operations = Vec::new();
        for (template, item) in doc["paths"].as_object().expect("spec has no paths") {
            if !keep(template) {
                continue;
            }
            let segments = template
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                .collect::<Vec<_>>();
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                    continue; // not an operation (e.g. `servers`, `x-twilio`)
                };
                let responses = responses
                    .iter()
                    .filter_map(|(code, resp)| Some((code.parse::<u16>().ok()?, resp)))
                    .map(|(code, resp)| {
                        let schema = resp.pointer("/content/application~1json/schema");
                        let validator = schema.map(|s| {
                            let mut schema = translate(s, components, &mut Vec::new());
                            if relative_uris {
                                relax_uris(&mut schema);
                            }
                            compile(&schema)
                                .unwrap_or_else(|e| panic!("{method} {template} {code}: {e}"))
                        });
                        (code, validator)
                    })
                    .collect();
                operations.push(Operation {
                    method: method.to_uppercase(),
                    template: template.clone(),
                    segments: segments.clone(),
                    responses,
                });
            }
        }
        Spec { operations }
    }

    /// Checks a response body for `method path` (query string ignored) against the
    /// schema for `status`; `Err` lists every violation with its instance path.
    pub fn validate(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let op = self.find(method, path)?;
        let listed = op.responses.iter().find(|(code, _)| *code == status);
        match listed {
            Some((_, Some(validator))) => check(validator, body),
            // Listed without a body (204): the caller passes `Value::Null` for an empty body.
            Some((_, None)) if body.is_null() => Ok(()),
            Some((_, None)) => Err(format!(
                "{} {}: status {status} has no body in the spec, got {body}",
                op.method, op.template
            )),
            // The spec documents no error responses; Twilio's error shape applies.
            None if status >= 400 => check(&compile(&error_schema(status))?, body),
            None => Err(format!(
                "{} {}: status {status} is not listed (spec lists {:?})",
                op.method,
                op.template,
                op.responses.iter().map(|(c, _)| *c).collect::<Vec<_>>()
            )),
        }
    }

    /// The operation whose template matches `path`; the one with the most literal
    /// segments wins (so `/Foo/Initialize` beats `/Foo/{Sid}`).
    fn find(&self, method: &str, path: &str) -> Result<&Operation, String> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let parts: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter(|op| {
                op.segments.len() == parts.len()
                    && op.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                        Some(lit) => lit == part,
                        None => !part.is_empty(),
                    })
            })
            .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
            .ok_or_else(|| format!("no operation in the spec matches {method} {path}"))
    }
}

fn compile(schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true) // only `uri` and `date-time` survive `translate`
        .build(schema)
        .map_err(|e| format!("invalid schema: {e}"))
}

/// Collects every violation as `<instance path>: <message>` lines.
fn check(validator: &Validator, body: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| {
            format!(
                "  at /{}: {e}",
                e.instance_path.to_string().trim_start_matches('/')
            )
        })
        .collect();
    errors.is_empty().then_some(()).ok_or(errors.join("\n"))
}

/// Twilio's error body, e.g. `{"code":20404,"message":"...","more_info":"...","status":404}`.
fn error_schema(status: u16) -> Value {
    json!({
        "type": "object",
        "required": ["code", "message", "more_info", "status"],
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "more_info": {"type": "string"},
            "status": {"type": "integer", "const": status},
            // Twilio errors are not RFC 7807 problem documents.
            "type": false,
            "title": false,
        },
    })
}

/// Translates an OpenAPI 3.0 schema into JSON Schema, inlining
/// `#/components/schemas/...` refs; `stack` holds the refs being inlined.
fn translate(schema: &Value, components: &Value, stack: &mut Vec<String>) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone(); // boolean schemas
    };
    if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unsupported $ref {target}"));
        if stack.iter().any(|n| n == name) {
            panic!("recursive $ref {target} (via {stack:?}) cannot be inlined");
        }
        let mut merged = components[name]
            .as_object()
            .unwrap_or_else(|| panic!("dangling $ref {target}"))
            .clone();
        // Siblings such as `nullable` next to a `$ref` apply to the referenced schema.
        merged.extend(
            obj.iter()
                .filter(|(k, _)| *k != "$ref")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        stack.push(name.to_string());
        let out = translate(&Value::Object(merged), components, stack);
        stack.pop();
        return out;
    }

    let mut out = Map::new();
    for (key, value) in obj {
        let mut tr = |s: &Value| translate(s, components, stack);
        let value = match (key.as_str(), value) {
            ("description" | "example" | "examples" | "nullable" | "format", _) => continue,
            (k, _) if k.starts_with("x-") => continue,
            ("properties", Value::Object(props)) => {
                Value::Object(props.iter().map(|(k, s)| (k.clone(), tr(s))).collect())
            }
            ("allOf" | "anyOf" | "oneOf", Value::Array(list)) => list.iter().map(tr).collect(),
            ("items" | "additionalProperties" | "not", _) => tr(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }

    // Other formats (`uri-map`, `int64`, `phone-number`) are not checked.
    match obj.get("format").and_then(Value::as_str) {
        Some(f @ ("uri" | "date-time")) => {
            out.insert("format".into(), json!(f));
            if f == "date-time" {
                out.insert("pattern".into(), json!(DATE_TIME_PATTERN));
            }
        }
        // 2010 dates: `Tue, 18 Aug 2015 17:07:30 +0000` (twilio-python returns None otherwise).
        Some("date-time-rfc-2822") => {
            out.insert("pattern".into(), json!(RFC_2822_PATTERN));
        }
        _ => {}
    }
    // Every property the spec lists must be present in our responses.
    if let Some(props) = out.get("properties").and_then(Value::as_object) {
        let names: Vec<&String> = props.keys().collect();
        out.insert("required".into(), json!(names));
    }

    if obj.get("nullable") == Some(&Value::Bool(true)) {
        return allow_null(out);
    }
    Value::Object(out)
}

/// Makes a schema accept `null`. Extending `type`/`enum` in place (rather than
/// wrapping in `anyOf`) keeps error messages specific, e.g. a pattern mismatch.
fn allow_null(mut schema: Map<String, Value>) -> Value {
    match schema.get("type").cloned() {
        Some(Value::String(t)) if !schema.contains_key("const") => {
            schema.insert("type".into(), json!([t, "null"]));
            // A nullable enum must list null too, or `enum` alone rejects it.
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            Value::Object(schema)
        }
        _ => json!({"anyOf": [schema, {"type": "null"}]}),
    }
}
