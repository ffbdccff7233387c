//! Loading the catalog: the JSON files built into the binary, or a directory of them.

use anyhow::Context;
use std::path::Path;

use crate::domain::policy::Catalog;

const POLICIES: &str = include_str!("../catalog/policies.json");
const END_USER_TYPES: &str = include_str!("../catalog/end_user_types.json");
const DOCUMENT_TYPES: &str = include_str!("../catalog/supporting_document_types.json");
const REJECTION_CODES: &str = include_str!("../catalog/rejection_codes.json");
const PHONE_NUMBERS: &str = include_str!("../catalog/phone_numbers.json");
const A2P_USECASES: &str = include_str!("../catalog/a2p_usecases.json");

/// Parses the catalog files without checking their cross-references.
pub fn parse(
    policies: &str,
    end_user_types: &str,
    document_types: &str,
    rejection_codes: &str,
    phone_numbers: &str,
    a2p_usecases: &str,
) -> anyhow::Result<Catalog> {
    let codes = serde_json::from_str(rejection_codes).context("rejection_codes.json")?;
    let numbers = serde_json::from_str(phone_numbers).context("phone_numbers.json")?;
    let usecases = serde_json::from_str(a2p_usecases).context("a2p_usecases.json")?;
    Ok(Catalog::new(
        serde_json::from_str(policies).context("policies.json")?,
        serde_json::from_str(end_user_types).context("end_user_types.json")?,
        serde_json::from_str(document_types).context("supporting_document_types.json")?,
    )
    .with_rejection_codes(codes)
    .with_numbers(numbers)
    .with_usecases(usecases))
}

/// Reads a catalog directory (or the built-in one) and refuses an inconsistent catalog.
pub fn load(dir: Option<&Path>) -> anyhow::Result<Catalog> {
    let catalog = match dir {
        None => parse(
            POLICIES,
            END_USER_TYPES,
            DOCUMENT_TYPES,
            REJECTION_CODES,
            PHONE_NUMBERS,
            A2P_USECASES,
        )?,
        Some(dir) => {
            let read = |name: &str| {
                std::fs::read_to_string(dir.join(name))
                    .with_context(|| format!("reading {}", dir.join(name).display()))
            };
            // Rejection codes, phone numbers and A2P use cases are optional in a custom catalog: when a file
            // is absent the built-in one applies; a file that is there but unreadable is an
            // error.
            let optional = |name: &str, built_in: &str| {
                if dir.join(name).exists() {
                    read(name)
                } else {
                    Ok(built_in.to_string())
                }
            };
            parse(
                &read("policies.json")?,
                &read("end_user_types.json")?,
                &read("supporting_document_types.json")?,
                &optional("rejection_codes.json", REJECTION_CODES)?,
                &optional("phone_numbers.json", PHONE_NUMBERS)?,
                &optional("a2p_usecases.json", A2P_USECASES)?,
            )?
        }
    };
    let problems = catalog.problems();
    if !problems.is_empty() {
        anyhow::bail!("the catalog is inconsistent:\n  {}", problems.join("\n  "));
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use std::fs;

    /// A custom catalog: the built-in files copied into a fresh directory.
    fn custom_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("policies.json"), super::POLICIES).unwrap();
        fs::write(
            dir.path().join("end_user_types.json"),
            super::END_USER_TYPES,
        )
        .unwrap();
        let docs = dir.path().join("supporting_document_types.json");
        fs::write(docs, super::DOCUMENT_TYPES).unwrap();
        dir
    }

    #[test]
    fn absent_rejection_codes_fall_back_but_unreadable_ones_are_an_error() {
        let dir = custom_dir();
        assert!(super::load(Some(dir.path())).is_ok());
        // A directory where the file should be cannot be read as one.
        fs::create_dir(dir.path().join("rejection_codes.json")).unwrap();
        let err = super::load(Some(dir.path())).unwrap_err();
        assert!(
            format!("{err:#}").contains("rejection_codes.json"),
            "{err:#}"
        );
    }

    #[test]
    fn the_built_in_catalog_is_consistent() {
        let c = super::load(None).expect("built-in catalog loads");
        assert!(c.policy("RNdfbf3fae0e1107f8aded0e7cead80bf5").is_some());
        assert!(c.policy("RN5b3660f9598883b1df4e77f77acefba0").is_some());
    }
}
