//! How EndUser and SupportingDocument attributes are stored: JSON text, or — with
//! `--encryption-key` — AES-256-GCM ciphertext tagged with the key's id, so old keys
//! can still decrypt after a rotation. Process-wide: the keys are set once at start, and
//! every server sharing a database must be given the same keys.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const PREFIX: &str = "enc:v1:";

struct Keyring {
    /// Encrypts new writes.
    current: (String, Aes256Gcm),
    /// Decrypts older values after a rotation (the current key included).
    all: Vec<(String, Aes256Gcm)>,
}

static KEYS: OnceLock<Keyring> = OnceLock::new();

fn key_id(raw: &[u8]) -> String {
    hex::encode(&Sha256::digest(raw)[..4])
}

fn parse_key(b64: &str) -> anyhow::Result<(String, Aes256Gcm)> {
    let raw = STANDARD
        .decode(b64.trim())
        .context("an encryption key must be base64")?;
    if raw.len() != 32 {
        bail!(
            "an encryption key must be 32 bytes (base64 of 32 random bytes), got {}",
            raw.len()
        );
    }
    Ok((
        key_id(&raw),
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&raw)),
    ))
}

/// Turns encryption on for this process. `old` keys only decrypt.
pub fn configure(current: &str, old: &[String]) -> anyhow::Result<()> {
    let current = parse_key(current)?;
    let mut all = vec![current.clone()];
    for k in old.iter().filter(|k| !k.trim().is_empty()) {
        all.push(parse_key(k)?);
    }
    KEYS.set(Keyring { current, all })
        .map_err(|_| anyhow::anyhow!("encryption is already configured"))
}

pub fn encrypting() -> bool {
    KEYS.get().is_some()
}

/// The stored text of `value`: its JSON, or with `--encryption-key` that JSON encrypted.
/// A failed encryption is an error (from aes-gcm), so the write fails: nothing is stored in
/// the value's place, neither the plaintext nor a stand-in.
pub fn encode(value: &Value) -> anyhow::Result<String> {
    let json = value.to_string();
    let Some(keys) = KEYS.get() else {
        return Ok(json);
    };
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let (id, cipher) = &keys.current;
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), json.as_bytes())
        .map_err(|_| anyhow::anyhow!("encrypting a value with key {id} failed"))?;
    let mut blob = nonce.to_vec();
    blob.extend(ct);
    Ok(format!("{PREFIX}{id}:{}", STANDARD.encode(blob)))
}

pub fn decode(stored: &str) -> anyhow::Result<Value> {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return serde_json::from_str(stored).context("bad attributes JSON in store");
    };
    let (id, b64) = rest.split_once(':').context("bad encrypted attributes")?;
    let keys = KEYS
        .get()
        .context("attributes are encrypted but no --encryption-key is configured")?;
    let (_, cipher) = keys.all.iter().find(|(k, _)| k == id).with_context(|| {
        format!("attributes were encrypted with key {id}, which is not configured")
    })?;
    let blob = STANDARD.decode(b64).context("bad encrypted attributes")?;
    if blob.len() < 12 {
        bail!("bad encrypted attributes");
    }
    let plain = cipher
        .decrypt(Nonce::from_slice(&blob[..12]), &blob[12..])
        .map_err(|_| anyhow::anyhow!("attributes failed to decrypt with key {id}"))?;
    serde_json::from_slice(&plain).context("bad attributes JSON after decryption")
}
