//! Field constraints of end-user and document attributes: required (always, or when
//! another field has a value), allowed values, formats (email, URL, E.164, integer,
//! Address SIDs), patterns and lengths.

use serde_json::Value;

use super::policy::{Condition, Field, Format};

/// How deeply an input JSON value (Attributes) may nest: a top-level object is depth 1.
/// Responses wrap attributes in two or three more levels, and every reader (the request
/// inspector, serde_json and most client libraries) stops at 128.
pub const MAX_JSON_DEPTH: usize = 32;

/// The nesting depth of `v`: 0 for a scalar, 1 for `{}` or `[]`, 1 + the deepest child else.
pub fn json_depth(v: &Value) -> usize {
    // Iterative: the input may be as deep as the parser allowed.
    let mut deepest = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        let children: Vec<&Value> = match v {
            Value::Object(m) => m.values().collect(),
            Value::Array(a) => a.iter().collect(),
            _ => continue,
        };
        deepest = deepest.max(d);
        stack.extend(children.into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

#[derive(Debug, PartialEq, Eq)]
pub enum FieldProblem {
    Missing,
    /// A phrase that completes "The <Field> of <Object> …", e.g. "is not a valid email address".
    Invalid(String),
}

/// Checks a field of an object against its rules, conditions included: `attributes` is
/// the whole object (a JSON object; anything else has no fields).
pub fn check_in(field: &Field, attributes: &Value) -> Result<(), FieldProblem> {
    let value = attributes.get(&field.machine_name);
    let holds = |c: &Condition| {
        let other = attributes.get(&c.field).and_then(as_text);
        // As stored, like every other rule (QA F7): " public " is not "public".
        other.is_some_and(|v| c.values.contains(&v))
    };
    let required = field.required || field.required_when.as_ref().is_some_and(holds);
    if let Some(c) = field.allowed_when.as_ref().filter(|c| !holds(c)) {
        if present(value) {
            return Err(FieldProblem::Invalid(format!(
                "must be empty unless {} is {}",
                c.field,
                quoted_list(&c.values)
            )));
        }
    }
    check_value(field, required, value)
}

/// Checks one attribute value against its field's own rules (conditions need the whole
/// object: see [`check_in`]).
pub fn check(field: &Field, value: Option<&Value>) -> Result<(), FieldProblem> {
    check_value(field, field.required, value)
}

fn present(value: Option<&Value>) -> bool {
    value
        .and_then(as_text)
        .is_some_and(|t| !t.trim().is_empty())
}

/// `"a"` or `"a" or "b"`.
fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn check_value(field: &Field, required: bool, value: Option<&Value>) -> Result<(), FieldProblem> {
    if !present(value) {
        return if required {
            Err(FieldProblem::Missing)
        } else {
            Ok(())
        };
    }
    let text = value.and_then(as_text).unwrap_or_default();
    // Every rule applies to the value as stored (QA F7): " Acme" is not a name that starts
    // with a letter, and its length counts the blank. Only list items are trimmed, since
    // ", " is how people separate them.
    let chars = text.chars().count();
    if let Some(min) = field.min_length.filter(|&m| chars < m) {
        return Err(FieldProblem::Invalid(format!(
            "is too short (at least {min} characters)"
        )));
    }
    if let Some(max) = field.max_length.filter(|&m| chars > m) {
        return Err(FieldProblem::Invalid(format!(
            "is too long (at most {max} characters)"
        )));
    }
    let list = field.multiple || field.constraint == "List";
    let items: Vec<&str> = if list {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        vec![text.as_str()]
    };
    for item in items {
        if let Some(values) = &field.values {
            if !values.iter().any(|v| v == item) {
                return Err(FieldProblem::Invalid(format!(
                    "has the value {}, which is not one of the allowed values ({})",
                    shown(item),
                    values.join(", ")
                )));
            }
        }
        if let Some(format) = field.format {
            if !format_ok(format, item) {
                return Err(FieldProblem::Invalid(format_phrase(format, item)));
            }
        }
        if let Some(p) = field.pattern.as_ref().filter(|p| !p.is_match(item)) {
            let why = match &field.pattern_description {
                Some(d) => d.clone(),
                None => format!("does not match the pattern {}", p.source()),
            };
            return Err(FieldProblem::Invalid(format!("{} {why}", shown(item))));
        }
    }
    Ok(())
}

/// Longest value a failure reason quotes in full (QA F10: a 900 KB attribute must not make
/// a 1.8 MB evaluation).
pub const SHOWN_CHARS: usize = 100;

/// `item` in quotes for a failure reason, cut after [`SHOWN_CHARS`] characters with "…".
pub fn shown(item: &str) -> String {
    match item.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("\"{}…\"", &item[..cut]),
        None => format!("\"{item}\""),
    }
}

/// The SIDs an `address_sids` value names: a comma-separated string or a list.
pub fn address_sids(v: &Value) -> Vec<String> {
    as_text(v)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Attributes arrive as JSON: strings, numbers, or lists of them (joined with commas).
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(as_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(_) => Some(v.to_string()),
    }
}

fn format_ok(format: Format, s: &str) -> bool {
    match format {
        Format::Email => is_email(s),
        Format::Url => is_url(s),
        Format::E164 => is_e164(s),
        Format::Integer => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        Format::PositiveInteger => format_ok(Format::Integer, s) && s.bytes().any(|b| b != b'0'),
        Format::AddressSids => crate::sid::is_valid(s, crate::sid::ADDRESS),
    }
}

fn format_phrase(format: Format, item: &str) -> String {
    let v = shown(item);
    match format {
        Format::Email => format!("{v} is not a valid email address"),
        Format::Url => format!("{v} is not a valid URL"),
        Format::E164 => format!(
            "{v} is not a phone number in E.164 format (a + followed by 7 to 15 digits, e.g. +15555550100)"
        ),
        Format::Integer => format!("{v} is not a whole number"),
        Format::PositiveInteger => format!("{v} is not a positive whole number (1 or more)"),
        Format::AddressSids => {
            format!("{v} is not an Address SID (AD followed by 32 hex digits)")
        }
    }
}

pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Accepts `https://acme.com/x` and a bare `www.acme.com`, as people type them.
pub fn is_url(s: &str) -> bool {
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let parsed = if s.contains("://") {
        url::Url::parse(s)
    } else {
        url::Url::parse(&format!("https://{s}"))
    };
    match parsed {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https")
                && u.host_str()
                    .is_some_and(|h| h.contains('.') && !h.ends_with('.'))
        }
        Err(_) => false,
    }
}

pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_depth_counts_containers() {
        use serde_json::json;
        assert_eq!(json_depth(&json!("x")), 0);
        assert_eq!(json_depth(&json!({})), 1);
        assert_eq!(json_depth(&json!({"a": [1, {"b": []}], "c": 2})), 4);
    }

    use super::*;
    use serde_json::json;

    fn field(required: bool, format: Option<Format>, values: Option<Vec<&str>>) -> Field {
        Field {
            machine_name: "f".into(),
            friendly_name: "F".into(),
            constraint: "String".into(),
            required,
            values: values.map(|v| v.into_iter().map(String::from).collect()),
            multiple: false,
            format,
            max_length: Some(10),
            ..Field::default()
        }
    }

    #[test]
    fn required_and_optional() {
        let f = field(true, None, None);
        assert_eq!(check(&f, None), Err(FieldProblem::Missing));
        assert_eq!(check(&f, Some(&json!("  "))), Err(FieldProblem::Missing));
        assert!(check(&f, Some(&json!("x"))).is_ok());
        assert!(check(&field(false, None, None), None).is_ok());
        assert!(matches!(
            check(&f, Some(&json!("12345678901"))),
            Err(FieldProblem::Invalid(_))
        ));
    }

    #[test]
    fn formats() {
        let email = field(true, Some(Format::Email), None);
        assert!(check(&email, Some(&json!("a@b.co"))).is_ok());
        assert!(check(&email, Some(&json!("a@b"))).is_err());
        assert!(is_url("https://acme.example.com/about"));
        assert!(is_url("www.acme.com"));
        assert!(!is_url("not a url"));
        assert!(!is_url("ftp://acme.com"));
        assert!(is_e164("+15555550100"));
        assert!(!is_e164("5555550100"));
        assert!(!is_e164("+1555"));
        let int = field(true, Some(Format::Integer), None);
        assert!(check(&int, Some(&json!(10))).is_ok());
        assert!(check(&int, Some(&json!("ten"))).is_err());
        assert!(check(&int, Some(&json!("0"))).is_ok());
        let positive = field(true, Some(Format::PositiveInteger), None);
        for ok in ["1", "10", "007"] {
            assert!(check(&positive, Some(&json!(ok))).is_ok(), "{ok}");
        }
        for bad in ["0", "00", "-1", "1.5", "ten"] {
            assert_eq!(
                check(&positive, Some(&json!(bad))),
                Err(FieldProblem::Invalid(format!(
                    "\"{bad}\" is not a positive whole number (1 or more)"
                ))),
                "{bad}"
            );
        }
        assert!(check(&positive, Some(&json!(3))).is_ok());
    }

    #[test]
    fn a_minimum_length_above_one_refuses_shorter_values() {
        let mut f = field(true, None, None);
        f.min_length = Some(3);
        assert_eq!(
            check(&f, Some(&json!("ab"))),
            Err(FieldProblem::Invalid(
                "is too short (at least 3 characters)".into()
            ))
        );
        assert_eq!(check(&f, Some(&json!("abc"))), Ok(()));
        assert_eq!(
            check(&f, Some(&json!("abcdefghijk"))),
            Err(FieldProblem::Invalid(
                "is too long (at most 10 characters)".into()
            ))
        );
        // Characters, not bytes.
        assert!(check(&f, Some(&json!("éé"))).is_err());
        assert_eq!(check(&f, Some(&json!("ééé"))), Ok(()));
        assert_eq!(check(&f, Some(&json!("éééééééééé"))), Ok(()));
    }

    #[test]
    fn url_hosts_need_a_dot_inside() {
        for bad in [
            "https://localhost",
            "http://intranet/x",
            "localhost",
            "https://acme.",
            "https://acme.com./x",
            "https:// acme.com",
            "https://",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
        for ok in ["http://acme.com", "https://a.b/x?y=1", "acme.co.uk/about"] {
            assert!(is_url(ok), "{ok}");
        }
    }

    #[test]
    fn emails_need_each_part() {
        for ok in ["a@b.co", "first.last+tag@sub.example.com"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "@b.co", "a b@c.co", "a@b@c.co", "a@bco", "a@.co", "a@co.", "ab.co", "a@b.co\n",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn e164_is_a_plus_and_7_to_15_digits_not_starting_with_0() {
        for ok in ["+1234567", "+123456789012345"] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in [
            "+123456",
            "+1234567890123456",
            "+0123456789",
            "+12345a78",
            "1234567",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn each_format_says_what_is_wrong() {
        let cases = [
            (Format::Email, "x", "\"x\" is not a valid email address"),
            (Format::Url, "x", "\"x\" is not a valid URL"),
            (
                Format::E164,
                "x",
                "\"x\" is not a phone number in E.164 format (a + followed by 7 to 15 digits, e.g. +15555550100)",
            ),
            (Format::Integer, "1a", "\"1a\" is not a whole number"),
            (
                Format::AddressSids,
                "AD1",
                "\"AD1\" is not an Address SID (AD followed by 32 hex digits)",
            ),
        ];
        for (format, value, why) in cases {
            let mut f = field(true, Some(format), None);
            f.max_length = None;
            assert_eq!(
                check(&f, Some(&json!(value))),
                Err(FieldProblem::Invalid(why.into())),
                "{format:?}"
            );
        }
        let sids = field(true, Some(Format::AddressSids), None);
        let ad = format!("AD{}", "0".repeat(32));
        let mut sids = sids;
        sids.max_length = None;
        assert_eq!(check(&sids, Some(&json!(ad))), Ok(()));
    }

    #[test]
    fn values_outside_the_list_are_named_with_the_allowed_ones() {
        let f = field(true, None, Some(vec!["A", "B"]));
        assert_eq!(
            check(&f, Some(&json!("C"))),
            Err(FieldProblem::Invalid(
                "has the value \"C\", which is not one of the allowed values (A, B)".into()
            ))
        );
        // A List constraint splits like `multiple`.
        let mut list = field(true, None, Some(vec!["A", "B"]));
        list.constraint = "List".into();
        assert_eq!(check(&list, Some(&json!("A, B"))), Ok(()));
    }

    #[test]
    fn attribute_values_read_as_text() {
        assert_eq!(as_text(&json!(null)), None);
        assert_eq!(as_text(&json!(12)).as_deref(), Some("12"));
        assert_eq!(as_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(as_text(&json!(["a", 1, null])).as_deref(), Some("a,1"));
        assert_eq!(as_text(&json!({"a": 1})).as_deref(), Some("{\"a\":1}"));
        assert_eq!(
            address_sids(&json!(" AD1, ,AD2 ")),
            vec!["AD1".to_string(), "AD2".to_string()]
        );
        assert_eq!(address_sids(&json!(["AD1", "AD2"])), vec!["AD1", "AD2"]);
        assert!(address_sids(&json!(null)).is_empty());
        // A value of blanks is absent; a number is present.
        assert!(!present(Some(&json!(" "))));
        assert!(!present(None));
        assert!(present(Some(&json!(0))));
    }

    #[test]
    fn lengths_count_the_value_as_stored() {
        let f = field(true, None, None);
        assert!(check(&f, Some(&json!("0123456789"))).is_ok());
        assert!(check(&f, Some(&json!(" 0123456789"))).is_err());
    }

    #[test]
    fn failure_reasons_quote_at_most_100_characters() {
        assert_eq!(shown("abc"), "\"abc\"");
        let long = "é".repeat(900_000);
        let s = shown(&long);
        assert_eq!(
            s.chars().count(),
            SHOWN_CHARS + 3,
            "quotes and the ellipsis"
        );
        assert!(s.ends_with("…\""));
        let mut email = field(true, Some(Format::Email), None);
        email.max_length = None;
        let Err(FieldProblem::Invalid(why)) = check(&email, Some(&json!(long))) else {
            panic!("a long non-email is invalid");
        };
        assert!(why.len() < 400, "{} bytes", why.len());
        let mut values = field(true, None, Some(vec!["a"]));
        values.max_length = None;
        let Err(FieldProblem::Invalid(why)) = check(&values, Some(&json!("x".repeat(50)))) else {
            panic!()
        };
        assert!(
            why.contains(&"x".repeat(50)),
            "short values stay whole: {why}"
        );
    }

    #[test]
    fn allowed_values_and_lists() {
        let mut f = field(true, None, Some(vec!["ASIA", "EUROPE"]));
        f.max_length = None;
        assert!(check(&f, Some(&json!("ASIA"))).is_ok());
        assert!(check(&f, Some(&json!("ASIA,EUROPE"))).is_err());
        f.multiple = true;
        assert!(check(&f, Some(&json!("ASIA, EUROPE"))).is_ok());
        assert!(check(&f, Some(&json!(["ASIA", "EUROPE"]))).is_ok());
        assert!(check(&f, Some(&json!("ASIA,MARS"))).is_err());
    }

    /// The CNAM display-name rule as the catalog states it.
    fn cnam() -> Field {
        Field {
            machine_name: "cnam_display_name".into(),
            friendly_name: "CNAM Display Name".into(),
            required: true,
            min_length: Some(1),
            max_length: Some(15),
            pattern: Some(crate::policy::Pattern::new("[A-Za-z][A-Za-z0-9 .,]*").unwrap()),
            pattern_description: Some("must start with a letter".into()),
            ..Field::default()
        }
    }

    #[test]
    fn a_pattern_matches_the_whole_value_as_stored() {
        let f = cnam();
        for ok in ["BLUEFIN", "Blue Fin Co.", "A", "ACME, INC.", "Acme 24"] {
            assert_eq!(check(&f, Some(&json!(ok))), Ok(()), "{ok}");
        }
        for bad in [
            "1BLUEFIN",
            "BLUE-FIN!",
            "BLUEFIN & CO",
            " 9",
            ".ACME",
            "ACME_CO",
            " BLUEFIN",
            "BLUE\tFIN",
        ] {
            assert_eq!(
                check(&f, Some(&json!(bad))),
                Err(FieldProblem::Invalid(format!(
                    "\"{bad}\" must start with a letter"
                ))),
                "{bad}"
            );
        }
        // Exactly 15 characters pass, 16 do not (the length rule runs first).
        assert!(check(&f, Some(&json!("ABCDEFGHIJKLMNO"))).is_ok());
        assert!(matches!(
            check(&f, Some(&json!("ABCDEFGHIJKLMNOP"))),
            Err(FieldProblem::Invalid(why)) if why.contains("at most 15")
        ));
        // Without a description the message names the pattern.
        let mut plain = cnam();
        plain.pattern_description = None;
        assert_eq!(
            check(&plain, Some(&json!("1A"))),
            Err(FieldProblem::Invalid(
                "\"1A\" does not match the pattern [A-Za-z][A-Za-z0-9 .,]*".into()
            ))
        );
        // The pattern is anchored even when the catalog's source is not.
        assert!(!crate::policy::Pattern::new("[a-z]+")
            .unwrap()
            .is_match("abc1"));
        assert!(crate::policy::Pattern::new("^[a-z]+$")
            .unwrap()
            .is_match("abc"));
    }

    fn condition(values: &[&str]) -> Condition {
        Condition {
            field: "company_type".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn required_when_applies_only_while_the_other_field_has_the_value() {
        let f = Field {
            machine_name: "stock_ticker".into(),
            required_when: Some(condition(&["public"])),
            ..Field::default()
        };
        let public = json!({"company_type": "public"});
        assert_eq!(check_in(&f, &public), Err(FieldProblem::Missing));
        let blank = json!({"company_type": "public", "stock_ticker": "  "});
        assert_eq!(check_in(&f, &blank), Err(FieldProblem::Missing));
        let padded = json!({"company_type": " public "});
        assert_eq!(check_in(&f, &padded), Ok(()), "\" public \" is not public");
        for other in [json!({"company_type": "private"}), json!({}), json!(null)] {
            assert_eq!(check_in(&f, &other), Ok(()), "{other}");
        }
        // Case matters, as for allowed values.
        assert_eq!(check_in(&f, &json!({"company_type": "PUBLIC"})), Ok(()));
        // Several values: any one triggers it.
        let g = Field {
            required_when: Some(condition(&["public", "government"])),
            ..f.clone()
        };
        assert_eq!(
            check_in(&g, &json!({"company_type": "government"})),
            Err(FieldProblem::Missing)
        );
        // An always-required field stays required whatever the condition says.
        let always = Field {
            required: true,
            ..f
        };
        assert_eq!(
            check_in(&always, &json!({"company_type": "private"})),
            Err(FieldProblem::Missing)
        );
    }

    #[test]
    fn allowed_when_refuses_a_value_while_the_condition_does_not_hold() {
        let f = Field {
            machine_name: "stock_exchange".into(),
            allowed_when: Some(condition(&["public"])),
            values: Some(vec!["NYSE".into()]),
            ..Field::default()
        };
        assert_eq!(
            check_in(
                &f,
                &json!({"company_type": "private", "stock_exchange": "NYSE"})
            ),
            Err(FieldProblem::Invalid(
                "must be empty unless company_type is \"public\"".into()
            ))
        );
        assert_eq!(check_in(&f, &json!({"company_type": "private"})), Ok(()));
        assert_eq!(
            check_in(
                &f,
                &json!({"company_type": "private", "stock_exchange": ""})
            ),
            Ok(())
        );
        assert_eq!(
            check_in(
                &f,
                &json!({"company_type": "public", "stock_exchange": "NYSE"})
            ),
            Ok(())
        );
        // When allowed, the field's other rules still apply.
        assert!(matches!(
            check_in(
                &f,
                &json!({"company_type": "public", "stock_exchange": "MARS"})
            ),
            Err(FieldProblem::Invalid(_))
        ));
        assert_eq!(quoted_list(&["a".into(), "b".into()]), "\"a\" or \"b\"");
    }
}
