//! Do a field's words and its rules agree? A description that promises a check the rules
//! do not make misleads people and lets bad data through (issue 12), so `catalog check`
//! refuses it. Matching is case-insensitive and knows the usual synonyms (QA F5); numbers may
//! be digits or words ("ten").
//!
//! | The description says | The field must have |
//! |---|---|
//! | "at most / up to / no more than / a maximum of / maximum N [characters]" | `max_length` N |
//! | "at least / no fewer than / a minimum of / minimum N [characters]" | `min_length` N |
//! | "between A and B [characters]" | `min_length` A and `max_length` B |
//! | "N characters" / "N chars" (otherwise) | `max_length` or `min_length` N |
//! | `when/if <other field> is [“]v[”]` | `required_when` or `allowed_when` on that field, including v |
//! | "omit", "only when/if", "empty unless", "leave … empty" | `allowed_when` |
//! | "start(s/ing) with", "begin(s/ning) with", "only letters", "letters only", "only digits", "digits only", "alphanumeric" | `pattern` |
//! | "E.164" / "e164" | `format: e164` |
//! | "URL" (a word, any case) | `format: url` |
//! | "positive" with "number"/"integer" | `format: positive_integer` |
//! | "whole number" / "integer" | `format: integer` or `positive_integer` |
//! | "email address" (any field), "email" in a field whose name contains `email` | `format: email` |
//! | "comma-separated" / "separated by commas" | `multiple` or `format: address_sids` |
//! | "one of a, b or c" | `values`, holding each listed value |
//! | a quoted value (`"v"`, not an elision with `...`), when the field has `values` | "v" among them |
//!
//! Independent of the words: `min_length` may not exceed `max_length`.

use regex::Regex;
use std::sync::LazyLock;

use super::policy::{Field, Format};

/// A count in digits or in words (one to ninety-nine, hundred).
const NUM: &str = r"(\d+|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine)\b)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred)";
/// What may follow a count for it to be a length: a character unit or nothing (a unit of
/// something else, "10 digits", "3 URLs", is not a length claim).
const UNIT: &str =
    r"(?:\s*(characters?|chars?|letters?|symbols?)\b|\s*(?:[).,;:]|$)|\s+(?:long|in length)\b)";

/// Compiles one of this module's constant patterns (each compiled by the unit tests).
#[allow(clippy::unwrap_used)]
fn re(s: &str) -> Regex {
    Regex::new(&format!("(?i){s}")).unwrap()
}

static AT_MOST: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:at most|up to|no more than|not more than|a maximum of|maximum of|maximum|max\.?|fewer than or equal to)\s+{NUM}{UNIT}"
    ))
});
static AT_LEAST: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:at least|no fewer than|no less than|not less than|a minimum of|minimum of|minimum|min\.?)\s+{NUM}{UNIT}"
    ))
});
static BETWEEN: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\bbetween\s+{NUM}\s+and\s+{NUM}{UNIT}")));
static BARE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b{NUM}[- ]?(?:characters?|chars?)\b")));
static WHEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"\b(?:when|if|unless|while)\s+([a-z][a-z0-9_]*)\s+(?:is|=|==|equals)\s+(?:"([^"]+)"|“([^”]+)”|'([^']+)'|([A-Za-z0-9_\-]+))"#,
    )
});
static OMIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bomit(?:ted)?\b|\bonly (?:when|if)\b|\bempty unless\b|\bleave (?:it )?(?:empty|blank)\b|\bnot allowed unless\b",
    )
});
static PATTERN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:start(?:s|ing)?|begin(?:s|ning)?) with\b|\bonly (?:letters|digits|numbers|numerals)\b|\b(?:letters|digits|numbers|numerals) only\b|\balphanumeric\b",
    )
});
static E164: LazyLock<Regex> = LazyLock::new(|| re(r"\be\.?\s?164\b"));
static URL_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"\burls?\b"));
static POSITIVE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bpositive\s+(?:whole\s+)?(?:number|integer|count)s?\b"));
static WHOLE: LazyLock<Regex> = LazyLock::new(|| re(r"\bwhole numbers?\b|\bintegers?\b"));
static EMAIL_ADDRESS: LazyLock<Regex> = LazyLock::new(|| re(r"\be-?mail address(?:es)?\b"));
static EMAIL_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"\be-?mail\b"));
static LIST: LazyLock<Regex> =
    LazyLock::new(|| re(r"comma-separated|separated by commas|comma separated"));
static ONE_OF: LazyLock<Regex> = LazyLock::new(|| re(r"\bone of:?\s+([^.;()]+)"));
static QUOTED: LazyLock<Regex> = LazyLock::new(|| re(r#""([^"]+)""#));

/// "10" → 10, "ten" → 10, "thirty-two" → 32.
fn number(word: &str) -> Option<usize> {
    if let Ok(n) = word.parse() {
        return Some(n);
    }
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let w = word.to_lowercase();
    if w == "hundred" {
        return Some(100);
    }
    let mut parts = w.split(['-', ' ']);
    let first = parts.next()?;
    if let Some(u) = UNITS.iter().position(|u| *u == first) {
        return Some(u);
    }
    let tens = TENS.iter().position(|t| *t == first)? * 10 + 20;
    let unit = match parts.next() {
        Some(u) => UNITS.iter().position(|x| *x == u).filter(|&u| u < 10)?,
        None => 0,
    };
    Some(tens + unit)
}

/// A length rule in words: "is 20", "is not set".
fn shown(rule: &str, have: Option<usize>) -> String {
    match have {
        Some(n) => format!("{rule} is {n}"),
        None => format!("{rule} is not set"),
    }
}

/// What `field`'s description promises that its rules do not do; `siblings` are the machine
/// names of the other fields of the same type (conditions may only name those).
pub fn problems(field: &Field, siblings: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(min), Some(max)) = (field.min_length, field.max_length) {
        if min > max {
            out.push(format!(
                "min_length {min} exceeds max_length {max}: no value can pass"
            ));
        }
    }
    let Some(d) = field.description.as_deref() else {
        return out;
    };
    let mut need = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };
    let (min, max) = (field.min_length, field.max_length);
    let mut claimed = Vec::new();
    for c in AT_MOST.captures_iter(d) {
        claimed.push(c.get_match().range());
        let n = number(&c[1]);
        need(
            n.is_some() && max == n,
            format!("says \"{}\" but {}", c[0].trim(), shown("max_length", max)),
        );
    }
    for c in AT_LEAST.captures_iter(d) {
        claimed.push(c.get_match().range());
        let n = number(&c[1]);
        need(
            n.is_some() && min == n,
            format!("says \"{}\" but {}", c[0].trim(), shown("min_length", min)),
        );
    }
    for c in BETWEEN.captures_iter(d) {
        claimed.push(c.get_match().range());
        let (a, b) = (number(&c[1]), number(&c[2]));
        need(
            a.is_some() && b.is_some() && min == a && max == b,
            format!(
                "says \"{}\" but {} and {}",
                c[0].trim(),
                shown("min_length", min),
                shown("max_length", max)
            ),
        );
    }
    for c in BARE.captures_iter(d) {
        let at = c.get_match().start();
        if claimed.iter().any(|r| r.contains(&at)) {
            continue;
        }
        let n = number(&c[1]);
        need(
            n.is_some() && (max == n || min == n),
            format!(
                "says \"{}\" but {} and {}",
                c[0].trim(),
                shown("min_length", min),
                shown("max_length", max)
            ),
        );
    }
    let mut condition_values = Vec::new();
    for c in WHEN.captures_iter(d) {
        let other = c[1].to_string();
        let Some(value) = (2..=5).find_map(|i| c.get(i)) else {
            continue;
        };
        let value = value.as_str().to_string();
        if !siblings.contains(&other.as_str()) {
            continue;
        }
        let covered = [&field.required_when, &field.allowed_when]
            .into_iter()
            .flatten()
            .any(|cond| cond.field == other && cond.values.contains(&value));
        need(
            covered,
            format!(
                "says \"{}\" but no required_when/allowed_when names {other} = \"{value}\"",
                c[0].trim()
            ),
        );
        condition_values.push(value);
    }
    let has_format = |f: &[Format]| field.format.is_some_and(|have| f.contains(&have));
    let email_promised = EMAIL_ADDRESS.is_match(d)
        || (EMAIL_WORD.is_match(d) && field.machine_name.to_lowercase().contains("email"));
    let positive = POSITIVE.is_match(d);
    let phrase_rules: [(bool, bool, &str); 8] = [
        (
            OMIT.is_match(d),
            field.allowed_when.is_some(),
            "a condition under which the field may be given (allowed_when)",
        ),
        (
            PATTERN_WORDS.is_match(d),
            field.pattern.is_some(),
            "a character rule (pattern)",
        ),
        (E164.is_match(d), has_format(&[Format::E164]), "format e164"),
        (
            URL_WORD.is_match(d),
            has_format(&[Format::Url]),
            "format url",
        ),
        (
            positive,
            has_format(&[Format::PositiveInteger]),
            "format positive_integer",
        ),
        (
            !positive && WHOLE.is_match(d),
            has_format(&[Format::Integer, Format::PositiveInteger]),
            "format integer",
        ),
        (email_promised, has_format(&[Format::Email]), "format email"),
        (
            LIST.is_match(d),
            field.multiple || has_format(&[Format::AddressSids]),
            "multiple (a comma-separated list)",
        ),
    ];
    for (said, backed, rule) in phrase_rules {
        need(
            !said || backed,
            format!("promises {rule}, which its rules lack"),
        );
    }
    for c in ONE_OF.captures_iter(d) {
        let listed: Vec<String> = c[1]
            .split(',')
            .flat_map(|p| p.split(" or "))
            .flat_map(|p| p.split(" and "))
            .map(|p| p.trim().trim_matches(['"', '“', '”', '\'', '`']).trim())
            .filter(|p| !p.is_empty() && !p.contains("...") && !p.contains('…'))
            .filter(|p| !["etc", "others", "other values"].contains(&p.to_lowercase().as_str()))
            .map(str::to_string)
            .collect();
        match &field.values {
            None => need(
                false,
                format!("says \"{}\" but the field has no values", c[0].trim()),
            ),
            Some(values) => {
                for v in listed {
                    need(
                        values.contains(&v),
                        format!("lists \"{v}\" after \"one of\", which is not one of its values"),
                    );
                }
            }
        }
    }
    // Values quoted in a condition belong to the other field.
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
    use crate::policy::{Condition, Pattern};

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
        assert!(problems(&f, &[])[0].contains("max_length is 16"));
        f.max_length = Some(14);
        assert_eq!(problems(&f, &[]).len(), 1);
    }

    #[test]
    fn between_needs_both_bounds() {
        let mut f = described("Between 2 and 10 characters.");
        assert_eq!(problems(&f, &[]).len(), 1);
        f.max_length = Some(10);
        assert_eq!(problems(&f, &[]).len(), 1, "no min_length");
        f.min_length = Some(3);
        assert_eq!(problems(&f, &[]).len(), 1, "the wrong min_length");
        f.min_length = Some(2);
        assert!(problems(&f, &[]).is_empty());
        f.max_length = Some(11);
        assert_eq!(problems(&f, &[]).len(), 1, "the wrong max_length");
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
                f.format = Some(Format::PositiveInteger)
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

    /// QA F5: each phrasing that slipped past the first checker, with the rule that backs it.
    #[test]
    fn synonyms_and_case_do_not_bypass_the_check() {
        type Fix = fn(&mut Field);
        let max10: Fix = |f| f.max_length = Some(10);
        let pattern: Fix = |f| f.pattern = Some(Pattern::new("[A-Z][A-Z0-9]*").unwrap());
        let cases: Vec<(&str, Fix)> = vec![
            ("Up to 10 characters.", max10),
            ("A maximum of 10.", max10),
            ("No more than 10 characters.", max10),
            ("MAXIMUM 10 CHARS", max10),
            ("10 chars.", max10),
            ("At most ten characters.", max10),
            ("Up to Ten.", max10),
            ("Between 1 and 10 characters.", |f| {
                f.min_length = Some(1);
                f.max_length = Some(10);
            }),
            ("At most thirty-two characters.", |f| {
                f.max_length = Some(32)
            }),
            ("At least two characters.", |f| f.min_length = Some(2)),
            ("A minimum of 2.", |f| f.min_length = Some(2)),
            ("Must start with a letter.", pattern),
            ("Begins with a letter.", pattern),
            ("Letters only.", pattern),
            ("Digits only.", pattern),
            ("Alphanumeric.", pattern),
            ("In e164.", |f| f.format = Some(Format::E164)),
            ("The website url.", |f| f.format = Some(Format::Url)),
            ("A valid email address.", |f| f.format = Some(Format::Email)),
            ("A positive integer.", |f| {
                f.format = Some(Format::PositiveInteger)
            }),
            ("An integer.", |f| f.format = Some(Format::Integer)),
            ("Omit unless the brand is listed.", |f| {
                f.allowed_when = Some(Condition {
                    field: "kind".into(),
                    values: vec!["x".into()],
                })
            }),
            ("Given only when the brand is listed.", |f| {
                f.allowed_when = Some(Condition {
                    field: "kind".into(),
                    values: vec!["x".into()],
                })
            }),
            ("One of a, b or c.", |f| {
                f.values = Some(vec!["a".into(), "b".into(), "c".into()])
            }),
        ];
        for (text, fix) in cases {
            let mut f = described(text);
            let before = problems(&f, &[]);
            assert_eq!(before.len(), 1, "{text}: {before:?}");
            fix(&mut f);
            let after = problems(&f, &[]);
            assert!(after.is_empty(), "{text}: {after:?}");
        }
        // A count of something else is not a length.
        assert!(problems(&described("An EIN has 9 digits."), &[]).is_empty());
        assert!(
            problems(&described("Up to 3 URLs per line."), &[]).len() == 1,
            "url"
        );
    }

    #[test]
    fn an_unquoted_condition_is_still_a_condition() {
        let mut f = described("Needed when company_type is public.");
        assert_eq!(problems(&f, &["company_type"]).len(), 1);
        f.required_when = Some(Condition {
            field: "company_type".into(),
            values: vec!["public".into()],
        });
        assert!(problems(&f, &["company_type"]).is_empty());
        let g = described("Required if COMPANY_TYPE is private.");
        assert!(
            problems(&g, &["company_type"]).is_empty(),
            "not a sibling's spelling"
        );
    }

    #[test]
    fn one_of_lists_only_allowed_values() {
        let mut f = described("One of a, b, c.");
        f.values = Some(vec!["a".into(), "b".into()]);
        let p = problems(&f, &[]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("\"c\""), "{p:?}");
        f.values = Some(vec!["a".into(), "b".into(), "c".into()]);
        assert!(problems(&f, &[]).is_empty());
        f.description = Some("One of \"a\", \"b\", ... (see the guide).".into());
        assert!(problems(&f, &[]).is_empty(), "elisions are skipped");
    }

    #[test]
    fn lengths_must_be_satisfiable_and_messages_are_plain() {
        let mut f = Field {
            min_length: Some(20),
            max_length: Some(10),
            ..Field::default()
        };
        let p = problems(&f, &[]);
        assert_eq!(
            p,
            vec!["min_length 20 exceeds max_length 10: no value can pass"]
        );
        f.min_length = Some(10);
        assert!(problems(&f, &[]).is_empty());
        let mut g = described("At most 15 characters.");
        g.max_length = Some(20);
        let p = problems(&g, &[]);
        assert_eq!(
            p,
            vec!["says \"At most 15 characters\" but max_length is 20"]
        );
        assert!(!p[0].contains("Some("));
        g.max_length = None;
        assert!(problems(&g, &[])[0].ends_with("max_length is not set"));
    }
}
