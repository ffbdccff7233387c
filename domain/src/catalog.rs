//! The catalog's files: the built-in ones (compiled in from `catalog/` at the repository's
//! root) and how six JSON texts make one [`Catalog`]. Reading a directory of them is the
//! server's (`trusthub::catalog::load`).

use crate::policy::Catalog;

/// The built-in catalog's files, as `trusthub serve` uses them without `--catalog`.
pub mod built_in {
    pub const POLICIES: &str = include_str!("../../catalog/policies.json");
    pub const END_USER_TYPES: &str = include_str!("../../catalog/end_user_types.json");
    pub const DOCUMENT_TYPES: &str = include_str!("../../catalog/supporting_document_types.json");
    pub const REJECTION_CODES: &str = include_str!("../../catalog/rejection_codes.json");
    pub const PHONE_NUMBERS: &str = include_str!("../../catalog/phone_numbers.json");
    pub const A2P_USECASES: &str = include_str!("../../catalog/a2p_usecases.json");
}

/// A catalog file that is not what its schema says: which file, and serde's account of
/// where and why.
#[derive(Debug)]
pub struct ParseError {
    /// The file's name, e.g. `policies.json`.
    pub file: &'static str,
    pub error: serde_json::Error,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.error)
    }
}

impl std::error::Error for ParseError {}

/// Parses the catalog files without checking their cross-references
/// ([`Catalog::problems`] does).
pub fn parse(
    policies: &str,
    end_user_types: &str,
    document_types: &str,
    rejection_codes: &str,
    phone_numbers: &str,
    a2p_usecases: &str,
) -> Result<Catalog, ParseError> {
    fn json<T: serde::de::DeserializeOwned>(
        file: &'static str,
        text: &str,
    ) -> Result<T, ParseError> {
        serde_json::from_str(text).map_err(|error| ParseError { file, error })
    }
    let codes = json("rejection_codes.json", rejection_codes)?;
    let numbers = json("phone_numbers.json", phone_numbers)?;
    let usecases = json("a2p_usecases.json", a2p_usecases)?;
    Ok(Catalog::new(
        json("policies.json", policies)?,
        json("end_user_types.json", end_user_types)?,
        json("supporting_document_types.json", document_types)?,
    )
    .with_rejection_codes(codes)
    .with_numbers(numbers)
    .with_usecases(usecases))
}

/// The built-in catalog, parsed (not checked: the server's start-up and this crate's tests
/// check it).
pub fn built_in() -> Result<Catalog, ParseError> {
    use built_in::*;
    parse(
        POLICIES,
        END_USER_TYPES,
        DOCUMENT_TYPES,
        REJECTION_CODES,
        PHONE_NUMBERS,
        A2P_USECASES,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalog_parses_and_is_consistent() {
        let c = built_in().expect("the built-in catalog parses");
        assert_eq!(c.problems(), Vec::<String>::new());
        assert!(c.policy("RNdfbf3fae0e1107f8aded0e7cead80bf5").is_some());
        assert!(!c.rejection_codes.is_empty());
        let code = c.rejection_code(18602).expect("18602 is a rejection code");
        assert_eq!(code.code, 18602);
        assert!(code.description.contains("registration number"));
        assert!(c.rejection_code(18600).is_none());
        assert!(!c.end_user_types.is_empty());
        assert!(!c.supporting_document_types.is_empty());
        assert!(!c.numbers.countries.is_empty());
    }

    #[test]
    fn a_malformed_file_is_named() {
        use built_in::*;
        let files = [
            ("policies.json", POLICIES),
            ("end_user_types.json", END_USER_TYPES),
            ("supporting_document_types.json", DOCUMENT_TYPES),
            ("rejection_codes.json", REJECTION_CODES),
            ("phone_numbers.json", PHONE_NUMBERS),
            ("a2p_usecases.json", A2P_USECASES),
        ];
        for (i, (file, _)) in files.iter().enumerate() {
            let t: Vec<&str> = files
                .iter()
                .enumerate()
                .map(|(j, (_, text))| if i == j { "{" } else { *text })
                .collect();
            let err = parse(t[0], t[1], t[2], t[3], t[4], t[5]).unwrap_err();
            assert_eq!(err.file, *file);
            assert!(err.to_string().starts_with(&format!("{file}: ")), "{err}");
        }
    }
}
