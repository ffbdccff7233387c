//! Form fields generated from the catalog's field rules, and their server-side check
//! through `domain::validate::check` (the same rules the evaluation applies).

use maud::{html, Markup};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::domain::policy::{Field, Format, ObjectType};
use crate::domain::validate::{check, FieldProblem};

/// Input name → message shown next to it.
pub type Errors = BTreeMap<String, String>;

/// Submitted form values, repeated names kept (checkbox groups).
#[derive(Default, Clone)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.0.push((name.to_string(), value.to_string()));
    }

    /// Fills `prefix.field` from an end user's stored attributes (for the edit form).
    pub fn from_attributes(prefix: &str, t: &ObjectType, attributes: &Value) -> Values {
        let mut v = Values::default();
        for f in &t.fields {
            let name = input_name(prefix, f);
            let items: Vec<String> = match attributes.get(&f.machine_name) {
                Some(Value::Array(a)) => a.iter().map(plain).collect(),
                Some(Value::Null) | None => vec![],
                Some(other) if checkboxes(f) => plain(other)
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect(),
                Some(other) => vec![plain(other)],
            };
            for i in items {
                v.set(&name, &i);
            }
        }
        v
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn input_name(prefix: &str, f: &Field) -> String {
    format!("{prefix}.{}", f.machine_name)
}

pub fn input_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '_'], "-"))
}

/// Several allowed values that may be combined: a group of checkboxes.
fn checkboxes(f: &Field) -> bool {
    f.values.is_some() && (f.multiple || f.constraint == "List")
}

/// "Email "x" is not a valid email address." — the console's wording of a field problem;
/// `console.js` words its live checks the same way.
pub fn problem_text(f: &Field, p: FieldProblem) -> String {
    match p {
        FieldProblem::Missing => format!("{} is required.", f.friendly_name),
        FieldProblem::Invalid(why) => format!("{} {why}.", f.friendly_name),
    }
}

/// The constraint in words, shown under the field.
fn constraint_text(f: &Field) -> String {
    let mut parts = vec![if f.required { "Required." } else { "Optional." }.to_string()];
    match f.format {
        Some(Format::Email) => parts.push("An email address.".into()),
        Some(Format::Url) => parts.push("A web address, e.g. https://www.example.com.".into()),
        Some(Format::E164) => {
            parts.push("E.164 format: + and 7 to 15 digits, e.g. +15555550100.".into())
        }
        Some(Format::Integer) => parts.push("A whole number.".into()),
        Some(Format::PositiveInteger) => parts.push("A whole number, 1 or more.".into()),
        Some(Format::AddressSids) => parts.push("Address SIDs (AD…).".into()),
        None => {}
    }
    if f.multiple && f.values.is_none() {
        parts.push("Several values may be separated by commas.".into());
    }
    if checkboxes(f) {
        parts.push("Choose one or more.".into());
    }
    match (f.min_length, f.max_length) {
        (Some(a), Some(b)) if a > 1 => parts.push(format!("{a} to {b} characters.")),
        (_, Some(b)) => parts.push(format!("At most {b} characters.")),
        (Some(a), None) if a > 1 => parts.push(format!("At least {a} characters.")),
        _ => {}
    }
    if let Some(d) = &f.description {
        // Some catalog descriptions repeat "Optional." themselves.
        let d = if f.required {
            d
        } else {
            d.trim_start_matches("Optional.").trim_start()
        };
        parts.push(d.to_string());
    }
    parts.join(" ")
}

fn html_type(f: &Field) -> &'static str {
    match f.format {
        Some(Format::Email) => "email",
        Some(Format::Url) if !f.multiple => "url",
        Some(Format::E164) => "tel",
        _ => "text",
    }
}

/// One catalog field as a labelled control with its constraint and its error slot.
/// `kind` and the type name let `console.js` find the same rule in `field-rules.json`.
pub fn field(t: &ObjectType, prefix: &str, f: &Field, values: &Values, errors: &Errors) -> Markup {
    let name = input_name(prefix, f);
    let id = input_id(&name);
    let error = errors.get(&name);
    let described = format!("{id}-hint {id}-error");
    let invalid = error.map(|_| "true");
    let chosen = values.all(&name);
    html! {
        div.field.invalid[error.is_some()] data-rule-type=(t.machine_name) data-rule-field=(f.machine_name) {
            @if let (true, Some(options)) = (checkboxes(f), &f.values) {
                fieldset #(id) aria-describedby=(described) aria-invalid=[invalid] {
                    legend { (f.friendly_name) @if f.required { span.req aria-hidden="true" { " *" } } }
                    div.choices {
                        @for (i, o) in options.iter().enumerate() {
                            @let oid = format!("{id}-{i}");
                            label.choice for=(oid) {
                                input #(oid) type="checkbox" name=(name) value=(o) checked[chosen.contains(&o.as_str())];
                                " " (o)
                            }
                        }
                    }
                }
            } @else {
                label for=(id) { (f.friendly_name) @if f.required { span.req aria-hidden="true" { " *" } } }
                @if let Some(options) = &f.values {
                    select #(id) name=(name) required[f.required] aria-describedby=(described) aria-invalid=[invalid] {
                        option value="" { "Choose…" }
                        @for o in options {
                            option value=(o) selected[values.get(&name) == o] { (o) }
                        }
                    }
                } @else {
                    input #(id) type=(html_type(f)) name=(name) value=(values.get(&name))
                        required[f.required] aria-describedby=(described) aria-invalid=[invalid]
                        spellcheck=[f.format.is_some().then_some("false")];
                }
            }
            p.hint #{ (id) "-hint" } { (constraint_text(f)) }
            p.field-error #{ (id) "-error" } aria-live="polite" { @if let Some(e) = error { (e) } }
        }
    }
}

/// All fields of an end-user (or document) type.
pub fn fields(t: &ObjectType, prefix: &str, values: &Values, errors: &Errors) -> Markup {
    html! {
        @for f in &t.fields { (field(t, prefix, f, values, errors)) }
    }
}

/// Whether the person typed anything into this type's fields (an optional section).
pub fn any_value(t: &ObjectType, prefix: &str, values: &Values) -> bool {
    t.fields
        .iter()
        .any(|f| !values.all(&input_name(prefix, f)).is_empty())
}

/// Checks every field with the domain's rules and builds the attributes object.
pub fn attributes(
    t: &ObjectType,
    prefix: &str,
    values: &Values,
    errors: &mut Errors,
) -> Map<String, Value> {
    let mut attrs = Map::new();
    for f in &t.fields {
        let name = input_name(prefix, f);
        let items = values.all(&name);
        let text = if checkboxes(f) {
            items.join(", ")
        } else {
            items.first().copied().unwrap_or("").to_string()
        };
        let value = (!text.is_empty()).then(|| Value::String(text));
        if let Err(p) = check(f, value.as_ref()) {
            errors.insert(name, problem_text(f, p));
        }
        if let Some(v) = value {
            attrs.insert(f.machine_name.clone(), v);
        }
    }
    attrs
}

/// "There are 2 problems" with links to each field, shown above the form.
pub fn error_summary(errors: &Errors) -> Markup {
    if errors.is_empty() {
        return html! {};
    }
    html! {
        div.error-summary role="alert" tabindex="-1" #error-summary {
            h2 { @if errors.len() == 1 { "There is 1 problem" } @else { "There are " (errors.len()) " problems" } }
            ul {
                @for (name, msg) in errors {
                    li { a href={ "#" (input_id(name)) } { (msg) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::ObjectType;

    fn business() -> ObjectType {
        let catalog = crate::catalog::load(None).expect("catalog");
        catalog
            .end_user_type("customer_profile_business_information")
            .expect("type")
            .clone()
    }

    #[test]
    fn checkbox_groups_join_and_split() {
        let t = business();
        let p = "bi";
        let mut v = Values::default();
        v.set("bi.business_regions_of_operation", "ASIA");
        v.set("bi.business_regions_of_operation", "EUROPE");
        let mut errors = Errors::new();
        let attrs = attributes(&t, p, &v, &mut errors);
        assert_eq!(attrs["business_regions_of_operation"], "ASIA, EUROPE");
        assert!(!errors.contains_key("bi.business_regions_of_operation"));
        let back = Values::from_attributes(p, &t, &Value::Object(attrs));
        assert_eq!(
            back.all("bi.business_regions_of_operation"),
            ["ASIA", "EUROPE"]
        );
    }

    #[test]
    fn problems_use_the_domain_rules() {
        let t = business();
        let mut v = Values::default();
        v.set("bi.website_url", "not a url");
        v.set("bi.business_type", "Spaceship");
        let mut errors = Errors::new();
        attributes(&t, "bi", &v, &mut errors);
        assert_eq!(errors["bi.business_name"], "Business Name is required.");
        assert_eq!(
            errors["bi.website_url"],
            "Website URL \"not a url\" is not a valid URL."
        );
        assert!(errors["bi.business_type"].starts_with("Business Type has the value \"Spaceship\""));
        // Optional fields left empty are fine.
        assert!(!errors.contains_key("bi.social_media_profile_urls"));
    }
}
