//! Do a field's words and its rules agree? A description that promises a check the rules
//! do not make misleads people and lets bad data through (issue 12), so `catalog check`
//! refuses it. The heuristic is deliberately narrow: it reads only phrases with one clear
//! meaning, and each phrase names the rule that must back it.
//!
//! | The description says | The field must have |
//! |---|---|
//! | "at most N characters" | `max_length` N |
//! | "at least N characters" | `min_length` N |
//! | `when <other field> is "v"` | `required_when` or `allowed_when` on that field, including "v" |
//! | "starting with" / "starts with" / "only letters" | `pattern` |
//! | "E.164" | `format: e164` |
//! | "URL" (a word) | `format: url` |
//! | "whole number" | `format: integer` |
//! | "email" in a field whose name contains `email` | `format: email` |
//! | "comma-separated" / "separated by commas" | `multiple` or `format: address_sids` |
//! | a quoted value (`"v"`, not an elision with `...`), when the field has `values` | "v" among them |

use regex::Regex;
use std::sync::LazyLock;

use super::policy::{Field, Format};

static AT_MOST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)at most (\d+) characters").unwrap());
static AT_LEAST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)at least (\d+) characters").unwrap());
static WHEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)when ([a-z][a-z0-9_]*) is "([^"]+)""#).unwrap());
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""([^"]+)""#).unwrap());
static URL_WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bURLs?\b").unwrap());

/// What `field`'s description promises that its rules do not do; `siblings` are the machine
/// names of the other fields of the same type (conditions may only name those).
pub fn problems(field: &Field, siblings: &[&str]) -> Vec<String> {
    let Some(d) = field.description.as_deref() else {
        return vec![];
    };
    let lower = d.to_lowercase();
    let mut out = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };
    for (re, rule, have) in [
        (&*AT_MOST, "max_length", field.max_length),
        (&*AT_LEAST, "min_length", field.min_length),
    ] {
        for c in re.captures_iter(d) {
            let n: usize = c[1].parse().unwrap_or(usize::MAX);
            need(
                have == Some(n),
                format!("says \"{}\" but {rule} is {have:?}", &c[0]),
            );
        }
    }
    for c in WHEN.captures_iter(d) {
        let (other, value) = (&c[1], &c[2]);
        if !siblings.contains(&other) {
            continue;
        }
        let covered = [&field.required_when, &field.allowed_when]
            .into_iter()
            .flatten()
            .any(|cond| cond.field == other && cond.values.iter().any(|v| v == value));
        need(
            covered,
            format!(
                "says \"{}\" but no required_when/allowed_when names {other} = \"{value}\"",
                &c[0]
            ),
        );
    }
    let has_format = |f: Format| field.format == Some(f);
    let phrase_rules: [(bool, bool, &str); 6] = [
        (
            ["starting with", "starts with", "only letters"]
                .iter()
                .any(|p| lower.contains(p)),
            field.pattern.is_some(),
            "a character rule (pattern)",
        ),
        (
            lower.contains("e.164"),
            has_format(Format::E164),
            "format e164",
        ),
        (URL_WORD.is_match(d), has_format(Format::Url), "format url"),
        (
            lower.contains("whole number"),
            has_format(Format::Integer),
            "format integer",
        ),
        (
            lower.contains("email") && field.machine_name.contains("email"),
            has_format(Format::Email),
            "format email",
        ),
        (
            lower.contains("comma-separated") || lower.contains("separated by commas"),
            field.multiple || has_format(Format::AddressSids),
            "multiple (a comma-separated list)",
        ),
    ];
    for (said, backed, rule) in phrase_rules {
        need(
            !said || backed,
            format!("promises {rule}, which its rules lack"),
        );
    }
    // Values quoted in a condition belong to the other field.
    let condition_values: Vec<String> = WHEN.captures_iter(d).map(|c| c[2].to_string()).collect();
    if let Some(values) = &field.values {
        for c in QUOTED.captures_iter(d) {
            let v = &c[1];
            let skip = v.contains("...")
                || siblings.contains(&v)
                || *v == field.machine_name
                || condition_values.iter().any(|w| w == v);
            if skip {
                continue;
            }
            need(
                values.iter().any(|a| a == v),
                format!("quotes \"{v}\", which is not one of its values"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{Condition, Pattern};

    fn described(d: &str) -> Field {
        Field {
            machine_name: "name".into(),
            description: Some(d.into()),
            ..Field::default()
        }
    }

    #[test]
    fn no_description_no_promise() {
        assert!(problems(&Field::default(), &[]).is_empty());
        assert!(problems(&described("Free text."), &[]).is_empty());
    }

    #[test]
    fn lengths_must_match_exactly() {
        let mut f = described("At most 15 characters, at least 2 characters.");
        assert_eq!(problems(&f, &[]).len(), 2);
        f.max_length = Some(15);
        assert_eq!(problems(&f, &[]).len(), 1);
        f.min_length = Some(2);
        assert!(problems(&f, &[]).is_empty());
        f.max_length = Some(16);
        assert!(problems(&f, &[])[0].contains("max_length is Some(16)"));
        f.max_length = Some(14);
        assert_eq!(problems(&f, &[]).len(), 1);
    }

    #[test]
    fn a_stated_condition_needs_a_conditional_rule_on_that_field_and_value() {
        let mut f = described(r#"Needed when company_type is "public"."#);
        let siblings = ["company_type"];
        assert_eq!(problems(&f, &siblings).len(), 1);
        // A word that is not a sibling field is prose, not a condition.
        assert!(problems(&f, &["other"]).is_empty());
        let cond = |field: &str, v: &str| {
            Some(Condition {
                field: field.into(),
                values: vec![v.into()],
            })
        };
        f.required_when = cond("company_type", "private");
        assert_eq!(problems(&f, &siblings).len(), 1, "wrong value");
        f.required_when = cond("business_type", "public");
        assert_eq!(problems(&f, &siblings).len(), 1, "wrong field");
        f.required_when = cond("company_type", "public");
        assert!(problems(&f, &siblings).is_empty());
        f.required_when = None;
        f.allowed_when = cond("company_type", "public");
        assert!(problems(&f, &siblings).is_empty());
    }

    #[test]
    fn each_phrase_needs_its_rule() {
        type Fix = fn(&mut Field);
        let cases: [(&str, Fix); 6] = [
            ("Starting with a letter.", |f| {
                f.pattern = Some(Pattern::new("[A-Z].*").unwrap())
            }),
            ("Only letters and digits.", |f| {
                f.pattern = Some(Pattern::new("[A-Z0-9]*").unwrap())
            }),
            ("In E.164.", |f| f.format = Some(Format::E164)),
            ("The website URL.", |f| f.format = Some(Format::Url)),
            ("A positive whole number.", |f| {
                f.format = Some(Format::Integer)
            }),
            ("Several, comma-separated.", |f| f.multiple = true),
        ];
        for (text, fix) in cases {
            let mut f = described(text);
            assert_eq!(problems(&f, &[]).len(), 1, "{text}");
            fix(&mut f);
            assert!(problems(&f, &[]).is_empty(), "{text}");
        }
        // Address SIDs are lists by nature.
        let mut f = described("One SID or several separated by commas.");
        f.format = Some(Format::AddressSids);
        assert!(problems(&f, &[]).is_empty());
        // "URL" is a word: "curl" or "urlencoded" are not promises.
        assert!(problems(&described("Use curl."), &[]).is_empty());
    }

    #[test]
    fn email_is_a_promise_only_on_email_fields() {
        let mut f = described("Receives the verification email.");
        assert!(problems(&f, &[]).is_empty(), "not an email field");
        f.machine_name = "verification_email".into();
        assert_eq!(problems(&f, &[]).len(), 1);
        f.format = Some(Format::Email);
        assert!(problems(&f, &[]).is_empty());
    }

    #[test]
    fn quoted_values_must_be_allowed_values() {
        let mut f =
            described(r#"Government organisations use "government"; the "USA: ..." labels too."#);
        assert!(
            problems(&f, &[]).is_empty(),
            "no values: quotes are examples"
        );
        f.values = Some(vec!["private".into()]);
        let p = problems(&f, &[]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("\"government\""));
        f.values = Some(vec!["private".into(), "government".into()]);
        assert!(problems(&f, &[]).is_empty(), "elisions are skipped");
        // Quoting a sibling field's name, or the other field's value in a condition, is not
        // a value of this field.
        let mut g = described(r#"Set with "company_type"; needed when company_type is "public"."#);
        g.values = Some(vec!["x".into()]);
        g.required_when = Some(Condition {
            field: "company_type".into(),
            values: vec!["public".into()],
        });
        assert!(problems(&g, &["company_type"]).is_empty());
        g.description = Some(r#"Use "public"."#.into());
        assert_eq!(problems(&g, &["company_type"]).len(), 1);
    }
}
