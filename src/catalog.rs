//! Loading the catalog: the JSON files built into the binary (the domain's
//! `catalog::built_in`), or a directory of them.

use anyhow::Context;
use std::path::Path;

use crate::domain::catalog::built_in::{
    A2P_USECASES, DOCUMENT_TYPES, END_USER_TYPES, PHONE_NUMBERS, POLICIES, REJECTION_CODES,
};
use crate::domain::policy::Catalog;

/// Parses the catalog files without checking their cross-references (the domain's
/// `catalog::parse`; the error names the file).
fn parse(
    policies: &str,
    end_user_types: &str,
    document_types: &str,
    rejection_codes: &str,
    phone_numbers: &str,
    a2p_usecases: &str,
) -> anyhow::Result<Catalog> {
    crate::domain::catalog::parse(
        policies,
        end_user_types,
        document_types,
        rejection_codes,
        phone_numbers,
        a2p_usecases,
    )
    .map_err(|e| anyhow::Error::new(e.error).context(e.file))
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
