//! Phone numbers as data: the built-in inventory that `AvailablePhoneNumbers` searches and
//! `AreaCode` purchases draw from (`catalog/phone_numbers.json`), a number's type (local,
//! toll-free, mobile) read from the number itself, and Twilio's search filters — the
//! `Contains` pattern language included. Pure: which numbers are already owned is the
//! service's question to the store.

use regex::Regex;
use serde::Deserialize;

use super::policy::is_us_toll_free;

/// `phone_numbers.json`: the countries numbers are offered in, each a list of blocks of
/// consecutive numbers sharing their locality and capabilities.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Inventory {
    pub countries: Vec<Country>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Country {
    /// ISO-3166-1 alpha-2, e.g. `US`.
    pub country_code: String,
    /// The country's name, e.g. `United States`.
    pub country: String,
    /// The E.164 country calling code with its `+`, e.g. `+1`.
    pub dial_prefix: String,
    /// Whether all of the country's numbers are new to the platform (Twilio's `beta`).
    #[serde(default)]
    pub beta: bool,
    /// The type of this country's numbers outside any block, by E.164 prefix (longest
    /// wins; default local). North American toll-free numbers need no entry.
    #[serde(default)]
    pub type_prefixes: Vec<TypePrefix>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TypePrefix {
    pub prefix: String,
    #[serde(rename = "type")]
    pub kind: NumberType,
}

/// `count` consecutive numbers from `first` (the digits counted up, their length kept).
#[derive(Debug, Clone, Deserialize)]
pub struct Block {
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// E.164, e.g. `+14155550100`.
    pub first: String,
    pub count: u64,
    pub locality: Option<String>,
    /// State or province abbreviation (US/CA), region name elsewhere.
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub rate_center: Option<String>,
    pub lata: Option<String>,
    /// Degrees.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub capabilities: Capabilities,
    /// `none`, `any`, `local` or `foreign` (Twilio's address requirement).
    #[serde(default = "no_address")]
    pub address_requirements: String,
    #[serde(default)]
    pub beta: bool,
}

fn no_address() -> String {
    "none".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Capabilities {
    pub voice: bool,
    pub sms: bool,
    pub mms: bool,
    #[serde(default)]
    pub fax: bool,
}

/// What a number outside the inventory can do: everything but fax.
pub const DEFAULT_CAPABILITIES: Capabilities = Capabilities {
    voice: true,
    sms: true,
    mms: true,
    fax: false,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberType {
    Local,
    TollFree,
    Mobile,
}

pub const NUMBER_TYPES: [NumberType; 3] =
    [NumberType::Local, NumberType::TollFree, NumberType::Mobile];

impl NumberType {
    /// The IncomingPhoneNumber `type` value: `local`, `toll-free`, `mobile`.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberType::Local => "local",
            NumberType::TollFree => "toll-free",
            NumberType::Mobile => "mobile",
        }
    }

    /// The path segment of the typed resources: `Local`, `TollFree`, `Mobile`.
    pub fn segment(self) -> &'static str {
        match self {
            NumberType::Local => "Local",
            NumberType::TollFree => "TollFree",
            NumberType::Mobile => "Mobile",
        }
    }

    /// The key in a country's `subresource_uris`: `local`, `toll_free`, `mobile`.
    pub fn key(self) -> &'static str {
        match self {
            NumberType::Local => "local",
            NumberType::TollFree => "toll_free",
            NumberType::Mobile => "mobile",
        }
    }

    pub fn from_segment(s: &str) -> Option<NumberType> {
        NUMBER_TYPES.into_iter().find(|t| t.segment() == s)
    }
}

/// The digits of an E.164 number as an integer with their count (leading zeros kept).
fn digits(e164: &str) -> Option<(u64, usize)> {
    let d = e164.strip_prefix('+')?;
    if d.is_empty() || d.len() > 15 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, d.len()))
}

impl Block {
    /// The `i`th number of the block (`i < count`).
    pub fn number(&self, i: u64) -> Option<String> {
        let (first, width) = digits(&self.first)?;
        Some(format!("+{:0width$}", first + i))
    }

    pub fn contains(&self, e164: &str) -> bool {
        match (digits(&self.first), digits(e164)) {
            (Some((first, w)), Some((n, w2))) => w == w2 && n >= first && n - first < self.count,
            _ => false,
        }
    }

    pub fn numbers(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.count).filter_map(|i| self.number(i))
    }
}

/// The item with the longest prefix; of equally long ones the first listed.
fn longest<'a, T>(items: impl Iterator<Item = &'a T>, len: impl Fn(&T) -> usize) -> Option<&'a T> {
    items.fold(None, |best: Option<&'a T>, t| match best {
        Some(b) if len(b) >= len(t) => Some(b),
        _ => Some(t),
    })
}

/// A North American number's area code (its NPA): the three digits after `+1`.
pub fn area_code(e164: &str) -> Option<&str> {
    e164.strip_prefix("+1")
        .filter(|rest| rest.len() == 10)
        .map(|rest| &rest[..3])
}

/// A valid North American area code: three digits, the first 2–9 (Twilio 21451 otherwise).
pub fn is_area_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) && s.as_bytes()[0] >= b'2'
}

impl Inventory {
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries.iter().find(|c| c.country_code == code)
    }

    /// The block a number belongs to, with its country.
    pub fn lookup(&self, e164: &str) -> Option<(&Country, &Block)> {
        self.countries
            .iter()
            .find_map(|c| c.blocks.iter().find(|b| b.contains(e164)).map(|b| (c, b)))
    }

    /// The number's country: its block's, else the first whose calling code it has
    /// (`+1` numbers outside a block are the United States').
    pub fn country_of(&self, e164: &str) -> Option<&Country> {
        if let Some((c, _)) = self.lookup(e164) {
            return Some(c);
        }
        longest(
            self.countries
                .iter()
                .filter(|c| e164.starts_with(&c.dial_prefix)),
            |c| c.dial_prefix.len(),
        )
    }

    /// A number's type, read from the number: a North American `+1 8xx` toll-free area
    /// code is toll-free; otherwise its block's type, else its country's `type_prefixes`,
    /// else local.
    pub fn number_type(&self, e164: &str) -> NumberType {
        if is_us_toll_free(e164) {
            return NumberType::TollFree;
        }
        if let Some((_, b)) = self.lookup(e164) {
            return b.kind;
        }
        self.country_of(e164)
            .and_then(|c| {
                longest(
                    c.type_prefixes
                        .iter()
                        .filter(|p| e164.starts_with(&p.prefix)),
                    |p| p.prefix.len(),
                )
            })
            .map(|p| p.kind)
            .unwrap_or(NumberType::Local)
    }

    /// What a number is, read from the number and the inventory: type, capabilities,
    /// address requirement, beta and country (an unknown number: local or by its prefix,
    /// [`DEFAULT_CAPABILITIES`], `none`, not beta, the country of its calling code).
    pub fn facts(&self, e164: &str) -> Facts {
        let block = self.lookup(e164);
        let country = self.country_of(e164);
        Facts {
            kind: self.number_type(e164),
            capabilities: block
                .map(|(_, b)| b.capabilities)
                .unwrap_or(DEFAULT_CAPABILITIES),
            address_requirements: block
                .map(|(_, b)| b.address_requirements.clone())
                .unwrap_or_else(no_address),
            beta: block.is_some_and(|(c, b)| b.beta || c.beta),
            iso_country: country.map(|c| c.country_code.clone()),
        }
    }

    /// A geographic search filter given as a phone number ("search within the same region
    /// as that number"): the inventory's value for that number, `None` if it has none.
    pub fn attribute_of(&self, e164: &str, field: Geo) -> Option<String> {
        let (_, b) = self.lookup(e164)?;
        match field {
            Geo::Region => b.region.clone(),
            Geo::PostalCode => b.postal_code.clone(),
            Geo::Locality => b.locality.clone(),
            Geo::Lata => b.lata.clone(),
            Geo::RateCenter => b.rate_center.clone(),
        }
    }

    /// A number's coordinates, for `NearNumber`.
    pub fn position(&self, e164: &str) -> Option<(f64, f64)> {
        let (_, b) = self.lookup(e164)?;
        Some((b.latitude?, b.longitude?))
    }

    /// Every inventory number of `country`'s `kind` that `search` accepts, in inventory
    /// order (blocks as listed, numbers ascending): the same request always sees the same
    /// numbers, less those owned meanwhile.
    pub fn candidates<'a>(
        &'a self,
        country: &'a Country,
        kind: NumberType,
        search: &'a Search,
    ) -> impl Iterator<Item = Candidate<'a>> + 'a {
        country
            .blocks
            .iter()
            .filter(move |b| b.kind == kind && search.accepts_block(country, b))
            .flat_map(move |b| {
                b.numbers()
                    .filter(move |n| search.accepts_number(n))
                    .map(move |n| Candidate {
                        phone_number: n,
                        country,
                        block: b,
                    })
            })
    }

    /// Numbers in a North American area code, local and toll-free, for an `AreaCode`
    /// purchase on the generic resource.
    pub fn in_area_code<'a>(&'a self, area: &'a str) -> impl Iterator<Item = String> + 'a {
        self.countries
            .iter()
            .filter(|c| c.dial_prefix == "+1")
            .flat_map(|c| c.blocks.iter())
            .filter(move |b| area_code(&b.first) == Some(area))
            .flat_map(|b| b.numbers())
    }

    /// Everything wrong with the inventory, as sentences; empty when it is sound.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut blocks: Vec<(&str, &Block)> = Vec::new();
        for (i, c) in self.countries.iter().enumerate() {
            let code = &c.country_code;
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                out.push(format!(
                    "phone numbers: country {code:?} is not an ISO-3166 alpha-2 code"
                ));
            }
            if self.countries[..i].iter().any(|o| o.country_code == *code) {
                out.push(format!("phone numbers: country {code} is listed twice"));
            }
            if digits(&c.dial_prefix).is_none() {
                out.push(format!(
                    "phone numbers: {code}: dial_prefix {:?} is not + and digits",
                    c.dial_prefix
                ));
            }
            for p in &c.type_prefixes {
                if !p.prefix.starts_with(&c.dial_prefix) || digits(&p.prefix).is_none() {
                    out.push(format!(
                        "phone numbers: {code}: type prefix {:?} is not + and digits starting with {}",
                        p.prefix, c.dial_prefix
                    ));
                }
            }
            for b in &c.blocks {
                let first = &b.first;
                let last = (b.count > 0).then(|| b.number(b.count - 1)).flatten();
                if !super::validate::is_e164(first) || !first.starts_with(&c.dial_prefix) {
                    out.push(format!("phone numbers: {code}: block {first} is not an E.164 number starting with {}", c.dial_prefix));
                } else if b.count == 0 {
                    out.push(format!(
                        "phone numbers: {code}: block {first} has no numbers (count 0)"
                    ));
                } else if last.as_ref().is_none_or(|l| l.len() != first.len()) {
                    out.push(format!(
                        "phone numbers: {code}: block {first} runs past its last digit (count {})",
                        b.count
                    ));
                }
                if let Some(last) = &last {
                    // A +1 8xx toll-free area is toll-free whatever the data says.
                    if (b.kind == NumberType::TollFree) != is_us_toll_free(first)
                        && first.starts_with("+1")
                    {
                        out.push(format!(
                            "phone numbers: {code}: block {first} is {} but its area code says otherwise",
                            b.kind.as_str()
                        ));
                    }
                    if let Some((other, _)) = blocks.iter().find(|(_, o)| {
                        o.contains(first) || o.contains(last) || b.contains(&o.first)
                    }) {
                        out.push(format!(
                            "phone numbers: {code}: block {first} overlaps a block of {other}"
                        ));
                    }
                }
                if !["none", "any", "local", "foreign"].contains(&b.address_requirements.as_str()) {
                    out.push(format!(
                        "phone numbers: {code}: block {first}: address_requirements {:?} is not none, any, local or foreign",
                        b.address_requirements
                    ));
                }
                if b.latitude.is_some() != b.longitude.is_some() {
                    out.push(format!("phone numbers: {code}: block {first} has only one of latitude and longitude"));
                }
                blocks.push((code, b));
            }
        }
        out
    }
}

/// What [`Inventory::facts`] tells about a number.
#[derive(Debug, Clone)]
pub struct Facts {
    pub kind: NumberType,
    pub capabilities: Capabilities,
    pub address_requirements: String,
    pub beta: bool,
    /// ISO-3166 alpha-2, when the calling code is one the inventory knows.
    pub iso_country: Option<String>,
}

/// The geographic attributes a search can filter on.
#[derive(Debug, Clone, Copy)]
pub enum Geo {
    Region,
    PostalCode,
    Locality,
    Lata,
    RateCenter,
}

/// One number a search offers, with what describes it.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub phone_number: String,
    pub country: &'a Country,
    pub block: &'a Block,
}

/// Twilio's `Contains` pattern, compiled: 2–16 characters of digits, letters (read as the
/// keypad digits they are on: `STORM` is 78676) and the meta-characters `*` (any one
/// digit), `%` (any digits), a leading `+` (the number starts so) and a trailing `$` (the
/// number ends so). Wildcards stand only at the pattern's ends, with at least two other
/// characters when used; `+`/`$` touch no wildcard and `%` no other wildcard. It is matched
/// against the number's E.164 digits, country code included (`+1415` finds San Francisco).
#[derive(Debug, Clone)]
pub struct Pattern(Regex);

fn keypad(c: char) -> Option<char> {
    let d = match c.to_ascii_uppercase() {
        '0'..='9' => return Some(c),
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    };
    Some(d)
}

impl Pattern {
    /// `Err` says what is wrong with the pattern.
    pub fn parse(p: &str) -> Result<Pattern, String> {
        let n = p.chars().count();
        if !(2..=16).contains(&n) {
            return Err(format!("must be 2 to 16 characters long; it has {n}"));
        }
        if let Some(bad) = p
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && !"*%+$".contains(*c))
        {
            return Err(format!(
                "may hold only digits, letters and the meta-characters * % + $; it has {bad:?}"
            ));
        }
        let start = p.starts_with('+');
        let end = p.ends_with('$');
        let body = &p[usize::from(start)..p.len() - usize::from(end)];
        if body.contains(['+', '$']) {
            return Err("may start with + and end with $, and use them nowhere else".into());
        }
        let core = body.trim_matches(['*', '%']);
        if core.contains(['*', '%']) {
            return Err(
                "may use the wildcards * and % only at its beginning or end, not between other characters"
                    .into(),
            );
        }
        if core.is_empty() {
            return Err("needs at least one digit or letter".into());
        }
        let lead = &body[..body.len() - body.trim_start_matches(['*', '%']).len()];
        let trail = &body[body.trim_end_matches(['*', '%']).len()..];
        if (!lead.is_empty() || !trail.is_empty()) && core.chars().count() < 2 {
            return Err("needs at least two digits or letters when it uses wildcards".into());
        }
        if (start && !lead.is_empty()) || (end && !trail.is_empty()) {
            return Err("may not put + or $ next to a wildcard".into());
        }
        for w in [lead, trail] {
            if w.contains('%') && w.len() > 1 {
                return Err("may not put % next to another wildcard".into());
            }
        }
        let wild = |w: &str| {
            w.chars()
                .map(|c| if c == '*' { r"\d" } else { r"\d*" })
                .collect::<String>()
        };
        let digits: String = core.chars().filter_map(keypad).collect();
        let re = format!(
            "{}{}{digits}{}{}",
            if start { "^" } else { "" },
            wild(lead),
            wild(trail),
            if end { "$" } else { "" }
        );
        Regex::new(&re)
            .map(Pattern)
            .map_err(|e| format!("cannot be compiled ({e})"))
    }

    /// Whether the E.164 number matches.
    pub fn matches(&self, e164: &str) -> bool {
        self.0.is_match(e164.trim_start_matches('+'))
    }
}

/// Great-circle distance in statute miles.
pub fn miles(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 3958.8 * h.sqrt().asin()
}

/// What an `AvailablePhoneNumbers` search asks for, parsed and resolved (a filter given as a
/// phone number already replaced by that number's value). `None` means no constraint.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub area_code: Option<String>,
    pub contains: Option<Pattern>,
    pub sms: Option<bool>,
    pub mms: Option<bool>,
    pub voice: Option<bool>,
    pub fax: Option<bool>,
    pub exclude_all_address: bool,
    pub exclude_local_address: bool,
    pub exclude_foreign_address: bool,
    /// `Beta=false` leaves out numbers new to the platform (Twilio's default is true).
    pub include_beta: bool,
    /// (latitude, longitude, miles).
    pub near: Option<(f64, f64, f64)>,
    pub in_region: Option<String>,
    pub in_postal_code: Option<String>,
    pub in_locality: Option<String>,
    pub in_lata: Option<String>,
    pub in_rate_center: Option<String>,
    /// A geographic filter named a number the inventory does not know: nothing matches.
    pub unresolvable: bool,
}

fn same(want: &Option<String>, have: &Option<String>) -> bool {
    match want {
        None => true,
        Some(w) => have.as_ref().is_some_and(|h| h.eq_ignore_ascii_case(w)),
    }
}

impl Search {
    fn accepts_block(&self, country: &Country, b: &Block) -> bool {
        let cap = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        let c = b.capabilities;
        let address = b.address_requirements.as_str();
        !self.unresolvable
            && cap(self.sms, c.sms)
            && cap(self.mms, c.mms)
            && cap(self.voice, c.voice)
            && cap(self.fax, c.fax)
            && !(self.exclude_all_address && address == "any")
            && !(self.exclude_local_address && address == "local")
            && !(self.exclude_foreign_address && address == "foreign")
            && (self.include_beta || !(b.beta || country.beta))
            && self
                .area_code
                .as_deref()
                .is_none_or(|a| area_code(&b.first) == Some(a))
            && same(&self.in_region, &b.region)
            && same(&self.in_postal_code, &b.postal_code)
            && same(&self.in_locality, &b.locality)
            && same(&self.in_lata, &b.lata)
            && same(&self.in_rate_center, &b.rate_center)
            && self
                .near
                .is_none_or(|(lat, long, within)| match (b.latitude, b.longitude) {
                    (Some(la), Some(lo)) => miles((lat, long), (la, lo)) <= within,
                    _ => false,
                })
    }

    fn accepts_number(&self, n: &str) -> bool {
        self.contains.as_ref().is_none_or(|p| p.matches(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory() -> Inventory {
        serde_json::from_str(crate::catalog::built_in::PHONE_NUMBERS).unwrap()
    }

    #[test]
    fn the_built_in_inventory_is_sound() {
        assert_eq!(inventory().problems(), Vec::<String>::new());
    }

    #[test]
    fn a_number_type_has_twilios_names_on_the_wire() {
        // (type, IncomingPhoneNumber `type` and the catalog's spelling, path segment,
        // subresource_uris key)
        let names = [
            (NumberType::Local, "local", "Local", "local"),
            (NumberType::TollFree, "toll-free", "TollFree", "toll_free"),
            (NumberType::Mobile, "mobile", "Mobile", "mobile"),
        ];
        for (t, value, segment, key) in names {
            assert_eq!(t.as_str(), value);
            assert_eq!(t.segment(), segment);
            assert_eq!(t.key(), key);
            assert_eq!(NumberType::from_segment(segment), Some(t));
            assert_eq!(
                serde_json::from_value::<NumberType>(value.into()).unwrap(),
                t
            );
        }
        assert_eq!(NumberType::from_segment("local"), None);
    }

    #[test]
    fn e164_is_a_plus_and_one_to_fifteen_digits() {
        assert_eq!(digits("+1"), Some((1, 1)));
        assert_eq!(digits("+0041"), Some((41, 4)));
        assert_eq!(digits("+123456789012345"), Some((123456789012345, 15)));
        for bad in [
            "",
            "+",
            "14155550100",
            "+1234567890123456",
            "++14155550100",
            "+1415555-0100",
            "+1 415",
        ] {
            assert_eq!(digits(bad), None, "{bad}");
        }
    }

    /// A block as `phone_numbers.json` may give it, with only the required keys.
    fn block(first: &str, count: u64) -> Block {
        serde_json::from_value(serde_json::json!({
            "type": "local",
            "first": first,
            "count": count,
            "locality": null, "region": null, "postal_code": null, "rate_center": null,
            "lata": null, "latitude": null, "longitude": null,
            "capabilities": {"voice": true, "sms": true, "mms": true},
        }))
        .unwrap()
    }

    #[test]
    fn a_block_without_an_address_requirement_needs_none() {
        let b = block("+14155550100", 1);
        assert_eq!(b.address_requirements, "none");
        assert!(!b.beta);
    }

    #[test]
    fn a_block_is_count_numbers_from_its_first_of_the_same_length() {
        let b = block("+14155550198", 3);
        let all: Vec<_> = b.numbers().collect();
        assert_eq!(all, ["+14155550198", "+14155550199", "+14155550200"]);
        for n in &all {
            assert!(b.contains(n), "{n}");
        }
        for n in [
            "+14155550197",
            "+14155550201",
            "+014155550198",
            "+1415555019",
        ] {
            assert!(!b.contains(n), "{n}");
        }
        // Leading zeros are digits of the number: the width is kept.
        assert_eq!(block("+0099", 2).number(1).as_deref(), Some("+0100"));
    }

    #[test]
    fn the_longest_prefix_wins_and_of_equals_the_first() {
        let pick = |items: &[&'static str]| *longest(items.iter(), |s| s.len()).unwrap();
        assert_eq!(pick(&["+4", "+44"]), "+44");
        assert_eq!(pick(&["+44", "+4"]), "+44");
        assert_eq!(pick(&["+44", "+45"]), "+44");
        assert_eq!(longest(std::iter::empty::<&&str>(), |s| s.len()), None);
    }

    #[test]
    fn an_area_code_is_three_digits_the_first_two_to_nine() {
        for good in ["415", "200", "999"] {
            assert!(is_area_code(good), "{good}");
        }
        for bad in ["199", "041", "41", "4155", "4a5", "", "41 "] {
            assert!(!is_area_code(bad), "{bad}");
        }
        assert_eq!(area_code("+14155550100"), Some("415"));
        assert_eq!(area_code("+1415555010"), None);
        assert_eq!(area_code("+447700900123"), None);
    }

    #[test]
    fn a_number_type_comes_from_the_number() {
        let inv = inventory();
        assert_eq!(inv.number_type("+18885550100"), NumberType::TollFree);
        // Outside the inventory too: a +1 8xx toll-free area code is toll-free.
        assert_eq!(inv.number_type("+18449990000"), NumberType::TollFree);
        assert_eq!(inv.number_type("+14155550123"), NumberType::Local);
        assert_eq!(inv.number_type("+15555550100"), NumberType::Local);
        assert_eq!(inv.number_type("+447700900123"), NumberType::Mobile);
        assert_eq!(inv.number_type("+447911123456"), NumberType::Mobile);
        assert_eq!(inv.number_type("+448081570001"), NumberType::TollFree);
        assert_eq!(inv.number_type("+442079460001"), NumberType::Local);
        assert_eq!(inv.country_of("+14165550150").unwrap().country_code, "CA");
        assert_eq!(inv.country_of("+19995550150").unwrap().country_code, "US");
    }

    #[test]
    fn patterns_follow_twilios_rules() {
        let m = |p: &str, n: &str| Pattern::parse(p).unwrap().matches(n);
        assert!(m("555", "+14155550100"));
        assert!(m("+1415", "+14155550100"));
        assert!(!m("+415", "+14155550100"));
        assert!(m("0100$", "+14155550100"));
        assert!(!m("0101$", "+14155550100"));
        assert!(m("*0100", "+14155550100"));
        assert!(m("+1415%", "+14155550100"));
        assert!(m("555****", "+14155550100"));
        assert!(m("+1415555****", "+141555501000"));
        // `*` is exactly one digit, `%` any number of them.
        assert!(!m("0100*", "+14155550100"));
        assert!(m("01%", "+14155550100"));
        assert!(!m("+14155550100**", "+14155550100"));
        // Every character counts, the last one too.
        assert!(!m("0109", "+14155550100"));
        // Wildcards need two other characters; without wildcards one is enough.
        assert!(m("*00", "+14155550100"));
        assert!(m("+1", "+14155550100"));
        assert!(m("0$", "+14155550100"));
        // Letters are keypad digits: JKL=5.
        assert!(m("+1415jkl", "+14155550100"));
        for bad in [
            "5*",
            "5%",
            "5",
            "12345678901234567",
            "5-5",
            "5*5",
            "+*55",
            "55*$",
            "%%55",
            "*%55",
            "**",
            "5+5",
            "*5",
            "+1415555****$",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn letters_are_the_keypad_digits_they_are_on() {
        let keys: String = ('a'..='z').filter_map(keypad).collect();
        assert_eq!(keys, "22233344455566677778889999");
        let keys: String = ('A'..='Z').filter_map(keypad).collect();
        assert_eq!(keys, "22233344455566677778889999");
        let digits: String = ('0'..='9').filter_map(keypad).collect();
        assert_eq!(digits, "0123456789");
        assert_eq!(keypad('*'), None);
    }

    #[test]
    fn searches_filter_the_inventory_in_order() {
        let inv = inventory();
        let us = inv.country("US").unwrap();
        let all = Search {
            include_beta: true,
            ..Search::default()
        };
        let first = inv.candidates(us, NumberType::Local, &all).next().unwrap();
        assert_eq!(first.phone_number, "+14155550100");
        let area = Search {
            area_code: Some("510".into()),
            ..all.clone()
        };
        assert!(inv
            .candidates(us, NumberType::Local, &area)
            .all(|c| c.phone_number.starts_with("+1510")));
        let no_sms = Search {
            sms: Some(false),
            ..all.clone()
        };
        assert!(inv
            .candidates(us, NumberType::Local, &no_sms)
            .all(|c| c.phone_number.starts_with("+1646")));
        let near = Search {
            near: Some((37.7749, -122.4194, 25.0)),
            ..all.clone()
        };
        let areas: std::collections::BTreeSet<_> = inv
            .candidates(us, NumberType::Local, &near)
            .map(|c| c.phone_number[..5].to_string())
            .collect();
        assert_eq!(areas.into_iter().collect::<Vec<_>>(), ["+1415", "+1510"]);
        let no_beta = Search::default();
        assert!(inv
            .candidates(us, NumberType::Local, &no_beta)
            .all(|c| !c.phone_number.starts_with("+1720")));
        assert_eq!(inv.in_area_code("888").next().unwrap(), "+18885550100");
    }

    #[test]
    fn miles_are_great_circle_statute_miles() {
        let close = |a, b, want: f64| {
            let got = miles(a, b);
            assert!(
                (got - want).abs() < 0.5,
                "{a:?} to {b:?}: {got}, not {want}"
            );
        };
        // One degree of a great circle: 3958.8 mi x pi / 180.
        close((0.0, 0.0), (0.0, 1.0), 69.09);
        close((0.0, 0.0), (1.0, 0.0), 69.09);
        close((10.0, 0.0), (11.0, 0.0), 69.09);
        // A degree of longitude at 60 degrees north is half as long.
        close((60.0, 0.0), (60.0, 1.0), 34.55);
        // San Francisco to Los Angeles.
        close((37.7749, -122.4194), (34.0522, -118.2437), 347.4);
        close((37.7749, -122.4194), (37.7749, -122.4194), 0.0);
    }

    #[test]
    fn a_search_accepts_a_block_only_when_every_filter_does() {
        let mut country = inventory().countries[0].clone();
        country.beta = false;
        let mut b = block("+14155550100", 10);
        b.capabilities = Capabilities {
            voice: true,
            sms: false,
            mms: true,
            fax: false,
        };
        b.address_requirements = "local".into();
        b.region = Some("CA".into());
        b.postal_code = Some("94105".into());
        b.locality = Some("San Francisco".into());
        b.lata = Some("722".into());
        b.rate_center = Some("SNFC".into());
        (b.latitude, b.longitude) = (Some(37.7749), Some(-122.4194));
        let all = Search {
            include_beta: true,
            ..Search::default()
        };
        let with = |change: fn(&mut Search)| {
            let mut s = all.clone();
            change(&mut s);
            s
        };
        fn some(v: &str) -> Option<String> {
            Some(v.to_string())
        }
        let cases: [(&str, Search, bool); 33] = [
            ("nothing asked", all.clone(), true),
            ("sms", with(|s| s.sms = Some(true)), false),
            ("no sms", with(|s| s.sms = Some(false)), true),
            ("mms", with(|s| s.mms = Some(true)), true),
            ("no mms", with(|s| s.mms = Some(false)), false),
            ("voice", with(|s| s.voice = Some(true)), true),
            ("no voice", with(|s| s.voice = Some(false)), false),
            ("fax", with(|s| s.fax = Some(true)), false),
            ("no fax", with(|s| s.fax = Some(false)), true),
            (
                "exclude local",
                with(|s| s.exclude_local_address = true),
                false,
            ),
            ("exclude any", with(|s| s.exclude_all_address = true), true),
            (
                "exclude foreign",
                with(|s| s.exclude_foreign_address = true),
                true,
            ),
            ("area 415", with(|s| s.area_code = some("415")), true),
            ("area 510", with(|s| s.area_code = some("510")), false),
            ("region", with(|s| s.in_region = some("ca")), true),
            ("other region", with(|s| s.in_region = some("NY")), false),
            (
                "postal code",
                with(|s| s.in_postal_code = some("94105")),
                true,
            ),
            (
                "other postal code",
                with(|s| s.in_postal_code = some("94106")),
                false,
            ),
            (
                "locality",
                with(|s| s.in_locality = some("san francisco")),
                true,
            ),
            (
                "other locality",
                with(|s| s.in_locality = some("Oakland")),
                false,
            ),
            ("lata", with(|s| s.in_lata = some("722")), true),
            ("other lata", with(|s| s.in_lata = some("720")), false),
            (
                "rate center",
                with(|s| s.in_rate_center = some("snfc")),
                true,
            ),
            (
                "other rate center",
                with(|s| s.in_rate_center = some("OKLD")),
                false,
            ),
            ("near", with(|s| s.near = Some((37.8, -122.3, 10.0))), true),
            (
                "far",
                with(|s| s.near = Some((34.0522, -118.2437, 300.0))),
                false,
            ),
            (
                "far enough",
                with(|s| s.near = Some((34.0522, -118.2437, 400.0))),
                true,
            ),
            ("unresolvable", with(|s| s.unresolvable = true), false),
            (
                "contains",
                with(|s| s.contains = Pattern::parse("999").ok()),
                true,
            ),
            ("beta not excluded", all.clone(), true),
            ("default", Search::default(), true),
            ("exclude all", with(|s| s.exclude_all_address = true), true),
            (
                "exclude all, foreign",
                with(|s| s.exclude_foreign_address = true),
                true,
            ),
        ];
        for (what, search, accepted) in &cases {
            assert_eq!(search.accepts_block(&country, &b), *accepted, "{what}");
        }
        // Address requirements: each exclusion leaves out its own kind only.
        for (address, excluded) in [("any", "all"), ("local", "local"), ("foreign", "foreign")] {
            let mut b = b.clone();
            b.address_requirements = address.into();
            for (flag, search) in [
                ("all", with(|s| s.exclude_all_address = true)),
                ("local", with(|s| s.exclude_local_address = true)),
                ("foreign", with(|s| s.exclude_foreign_address = true)),
            ] {
                let accepted = search.accepts_block(&country, &b);
                assert_eq!(accepted, flag != excluded, "{address} excluding {flag}");
            }
        }
        // Beta numbers (the block's or the whole country's) only when asked for.
        let default = Search::default();
        let mut beta = b.clone();
        beta.beta = true;
        assert!(!default.accepts_block(&country, &beta));
        assert!(all.accepts_block(&country, &beta));
        let mut beta_country = country.clone();
        beta_country.beta = true;
        assert!(!default.accepts_block(&beta_country, &b));
        assert!(all.accepts_block(&beta_country, &b));
        // A block without the described attribute or a position does not match it.
        let mut bare = block("+14155550100", 10);
        bare.capabilities = b.capabilities;
        assert!(!with(|s| s.in_region = Some("CA".into())).accepts_block(&country, &bare));
        assert!(!with(|s| s.near = Some((37.8, -122.3, 10.0))).accepts_block(&country, &bare));
        // Contains filters numbers, not blocks.
        let search = with(|s| s.contains = Pattern::parse("0105$").ok());
        assert!(search.accepts_number("+14155550105"));
        assert!(!search.accepts_number("+14155550106"));
        assert!(all.accepts_number("+14155550106"));
    }

    #[test]
    fn a_numbers_facts_come_from_its_block_and_country() {
        let mut inv = inventory();
        let code = inv.countries[0].country_code.clone();
        inv.countries[0].beta = false;
        let b = &mut inv.countries[0].blocks[0];
        b.beta = false;
        b.address_requirements = "local".into();
        b.region = Some("CA".into());
        b.postal_code = Some("94105".into());
        b.locality = Some("San Francisco".into());
        b.lata = Some("722".into());
        b.rate_center = Some("SNFC".into());
        b.latitude = Some(37.5);
        b.longitude = Some(-122.25);
        let (n, kind, capabilities) = (b.first.clone(), b.kind, b.capabilities);

        let f = inv.facts(&n);
        assert_eq!((f.kind, f.capabilities), (kind, capabilities));
        assert_eq!(f.address_requirements, "local");
        assert!(!f.beta);
        assert_eq!(f.iso_country.as_deref(), Some(code.as_str()));
        let geo = [
            (Geo::Region, "CA"),
            (Geo::PostalCode, "94105"),
            (Geo::Locality, "San Francisco"),
            (Geo::Lata, "722"),
            (Geo::RateCenter, "SNFC"),
        ];
        for (field, value) in geo {
            assert_eq!(
                inv.attribute_of(&n, field).as_deref(),
                Some(value),
                "{field:?}"
            );
        }
        assert_eq!(inv.position(&n), Some((37.5, -122.25)));

        // Beta when the block is, or when its whole country is.
        inv.countries[0].blocks[0].beta = true;
        assert!(inv.facts(&n).beta);
        inv.countries[0].blocks[0].beta = false;
        inv.countries[0].beta = true;
        assert!(inv.facts(&n).beta);

        // Without coordinates, no position; outside every block, no attributes.
        inv.countries[0].blocks[0].longitude = None;
        assert_eq!(inv.position(&n), None);
        let outside = "+19995550150";
        assert!(inv.lookup(outside).is_none());
        assert_eq!(inv.attribute_of(outside, Geo::Region), None);
        assert_eq!(inv.position(outside), None);
        let f = inv.facts(outside);
        assert_eq!(f.capabilities, DEFAULT_CAPABILITIES);
        assert_eq!(f.address_requirements, "none");
        assert!(!f.beta);
    }

    #[test]
    fn malformed_countries_and_type_prefixes_are_problems() {
        for (code, bad) in [("USA", true), ("us", true), ("U", true), ("US", false)] {
            let mut inv = inventory();
            inv.countries[0].country_code = code.into();
            let p = inv.problems();
            let named = p
                .iter()
                .any(|p| p.contains("is not an ISO-3166 alpha-2 code"));
            assert_eq!(named, bad, "{code}: {p:?}");
        }
        let gb = |inv: &Inventory| inv.countries.iter().position(|c| c.dial_prefix == "+44");
        for (prefix, bad) in [("+447", false), ("+337", true), ("+44x", true)] {
            let mut inv = inventory();
            let i = gb(&inv).unwrap();
            inv.countries[i].type_prefixes = vec![TypePrefix {
                prefix: prefix.into(),
                kind: NumberType::Mobile,
            }];
            let p = inv.problems();
            let named = p.iter().any(|p| p.contains("type prefix"));
            assert_eq!(named, bad, "{prefix}: {p:?}");
        }
    }

    /// The problems naming the one block of a country (the built-in first country's,
    /// emptied and given `dial_prefix`) after `change` made that block.
    fn block_problems(dial_prefix: &str, change: impl Fn(&mut Block)) -> Vec<String> {
        let mut inv = inventory();
        let c = &mut inv.countries[0];
        c.dial_prefix = dial_prefix.into();
        c.type_prefixes.clear();
        let mut b = block("+14155550100", 1);
        change(&mut b);
        let first = b.first.clone();
        c.blocks = vec![b];
        let named = format!("block {first}");
        inv.problems()
            .into_iter()
            .filter(|p| p.contains(&named))
            .collect()
    }

    #[test]
    fn malformed_blocks_are_problems() {
        let sound = block_problems("+1", |_| {});
        assert_eq!(sound, Vec::<String>::new());
        // (dial prefix, first, count, the problem's words; "" when sound)
        let cases = [
            (
                "+1",
                "+447700900000",
                1,
                "is not an E.164 number starting with +1",
            ),
            ("+1", "+1415x550100", 1, "is not an E.164 number"),
            ("+1", "+14155550100", 0, "has no numbers (count 0)"),
            ("+99", "+9999999998", 2, ""),
            (
                "+99",
                "+9999999998",
                3,
                "runs past its last digit (count 3)",
            ),
        ];
        for (dial, first, count, words) in cases {
            let p = block_problems(dial, |b| {
                b.first = first.into();
                b.count = count;
            });
            if words.is_empty() {
                assert_eq!(p, Vec::<String>::new(), "{first} x{count}");
            } else {
                assert!(
                    p.iter().any(|p| p.contains(words)),
                    "{first} x{count}: {p:?}"
                );
            }
        }
        for ok in ["none", "any", "local", "foreign"] {
            let p = block_problems("+1", |b| b.address_requirements = ok.into());
            assert_eq!(p, Vec::<String>::new(), "{ok}");
        }
        let p = block_problems("+1", |b| b.address_requirements = "some".into());
        assert!(
            p.iter()
                .any(|p| p.contains("address_requirements \"some\"")),
            "{p:?}"
        );
        let p = block_problems("+1", |b| b.latitude = Some(1.0));
        assert!(
            p.iter().any(|p| p.contains("only one of latitude")),
            "{p:?}"
        );
        let p = block_problems("+1", |b| b.longitude = Some(1.0));
        assert!(
            p.iter().any(|p| p.contains("only one of latitude")),
            "{p:?}"
        );
        let p = block_problems("+1", |b| (b.latitude, b.longitude) = (Some(1.0), Some(2.0)));
        assert_eq!(p, Vec::<String>::new());
    }

    #[test]
    fn overlapping_or_mistyped_blocks_are_problems() {
        let mut inv = inventory();
        let b = inv.countries[0].blocks[0].clone();
        inv.countries[0].blocks.push(b);
        let mut tf = inv.countries[0].blocks[0].clone();
        tf.first = "+18005559000".into();
        inv.countries[0].blocks.push(tf);
        let p = inv.problems();
        assert!(p.iter().any(|p| p.contains("overlaps")), "{p:?}");
        assert!(
            p.iter().any(|p| p.contains("area code says otherwise")),
            "{p:?}"
        );
    }

    #[test]
    fn a_block_overlapping_another_at_either_end_or_around_it_is_a_problem() {
        // Against the block +14155550100 x10 (…0100 to …0109): (first, count, overlaps)
        let cases = [
            ("+14155550105", 10, true),
            ("+14155550095", 10, true),
            ("+14155550095", 20, true),
            ("+14155550102", 2, true),
            ("+14155550110", 5, false),
            ("+14155550090", 10, false),
        ];
        for (first, count, overlaps) in cases {
            let mut inv = inventory();
            let c = &mut inv.countries[0];
            c.blocks = vec![block("+14155550100", 10), block(first, count)];
            let p = inv.problems();
            let found = p
                .iter()
                .any(|p| p.contains(&format!("block {first} overlaps")));
            assert_eq!(found, overlaps, "{first} x{count}: {p:?}");
        }
    }
}
