//! Field constraints of end-user and document attributes: required, allowed values,
//! formats (email, URL, E.164, integer, Address SIDs) and lengths.

use serde_json::Value;

use super::policy::{Field, Format};

#[derive(Debug, PartialEq, Eq)]
pub enum FieldProblem {
    Missing,
    /// A phrase that completes "The <Field> of <Object> …", e.g. "is not a valid email address".
    Invalid(String),
}

/// Checks one attribute value against its field's rules.
pub fn check(field: &Field, value: Option<&Value>) -> Result<(), FieldProblem> {
    let Some(text) = value.and_then(as_text) else {
        return if field.required {
            Err(FieldProblem::Missing)
        } else {
            Ok(())
        };
    };
    if text.trim().is_empty() {
        return if field.required {
            Err(FieldProblem::Missing)
        } else {
            Ok(())
        };
    }
    // Lengths count what the person typed, not surrounding blanks.
    let chars = text.trim().chars().count();
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
        vec![text.trim()]
    };
    for item in items {
        if let Some(values) = &field.values {
            if !values.iter().any(|v| v == item) {
                return Err(FieldProblem::Invalid(format!(
                    "has the value \"{item}\", which is not one of the allowed values ({})",
                    values.join(", ")
                )));
            }
        }
        if let Some(format) = field.format {
            if !format_ok(format, item) {
                return Err(FieldProblem::Invalid(format_phrase(format, item)));
            }
        }
    }
    Ok(())
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
        Format::AddressSids => crate::sid::is_valid(s, crate::sid::ADDRESS),
    }
}

fn format_phrase(format: Format, item: &str) -> String {
    match format {
        Format::Email => format!("\"{item}\" is not a valid email address"),
        Format::Url => format!("\"{item}\" is not a valid URL"),
        Format::E164 => format!(
            "\"{item}\" is not a phone number in E.164 format (a + followed by 7 to 15 digits, e.g. +15555550100)"
        ),
        Format::Integer => format!("\"{item}\" is not a whole number"),
        Format::AddressSids => {
            format!("\"{item}\" is not an Address SID (AD followed by 32 hex digits)")
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
            min_length: None,
            max_length: Some(10),
            description: None,
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
}
