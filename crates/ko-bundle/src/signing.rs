//! ed25519 signatures of a bundle's manifest.

use crate::{BundleError, MANIFEST_NAME, Result, SIGNATURE_NAME};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

/// A private signing key (PKCS#8). Keep its text in the OS keychain, never in a file.
pub struct SigningKey {
    pkcs8: Vec<u8>,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public_key())
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self> {
        let doc = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|e| BundleError::BadKey(e.to_string()))?;
        Self::from_pkcs8(doc.as_ref().to_vec())
    }

    fn from_pkcs8(pkcs8: Vec<u8>) -> Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| BundleError::BadKey(e.to_string()))?;
        Ok(Self { pkcs8, pair })
    }

    /// Reads the text [`SigningKey::secret_text`] wrote.
    pub fn from_secret_text(text: &str) -> Result<Self> {
        Self::from_pkcs8(B64.decode(text.trim()).map_err(|e| BundleError::BadKey(e.to_string()))?)
    }

    /// The private key as text, for the keychain.
    pub fn secret_text(&self) -> String {
        B64.encode(&self.pkcs8)
    }

    /// The public key (base64 of the 32 key bytes): what others add to their trusted keys.
    pub fn public_key(&self) -> String {
        B64.encode(self.pair.public_key().as_ref())
    }
}

/// A public key whose signatures are trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// Name given to it.
    pub name: String,
    /// base64 of the 32 key bytes.
    pub public_key: String,
}

/// `manifest.sig`: who signed and the signature of `manifest.json`'s bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DetachedSignature {
    pub(crate) public_key: String,
    pub(crate) signature: String,
}

impl DetachedSignature {
    /// Checks the signature over `manifest` and returns the trusted key's name.
    pub(crate) fn check(&self, manifest: &[u8], trusted: &[TrustedKey]) -> Result<String> {
        let key = B64.decode(&self.public_key).map_err(|_| BundleError::BadSignature)?;
        let sig = B64.decode(&self.signature).map_err(|_| BundleError::BadSignature)?;
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &key)
            .verify(manifest, &sig)
            .map_err(|_| BundleError::BadSignature)?;
        trusted
            .iter()
            .find(|t| t.public_key == self.public_key)
            .map(|t| t.name.clone())
            .ok_or_else(|| BundleError::Untrusted(self.public_key.clone()))
    }
}

/// Signs the bundle at `path` (replacing an earlier signature): the zip is rewritten with every
/// entry copied as it is plus `manifest.sig`, then renamed over the original.
pub fn sign(path: &Path, key: &SigningKey) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| BundleError::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| BundleError::NotAZip(path.display().to_string(), e.to_string()))?;
    let mut manifest = Vec::new();
    archive
        .by_name(MANIFEST_NAME)
        .map_err(|_| BundleError::MissingManifest)?
        .read_to_end(&mut manifest)
        .map_err(|e| BundleError::io(path, e))?;
    crate::BundleManifest::parse(&manifest)?;
    let sig =
        DetachedSignature { public_key: key.public_key(), signature: B64.encode(key.pair.sign(&manifest).as_ref()) };
    let partial = path.with_extension("zip.signing");
    let out = std::fs::File::create(&partial).map_err(|e| BundleError::io(&partial, e))?;
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let result = (|| -> Result<()> {
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).map_err(|e| BundleError::io(path, e))?;
            if entry.name() != SIGNATURE_NAME {
                writer.raw_copy_file(entry).map_err(|e| BundleError::io(&partial, e))?;
            }
        }
        writer
            .start_file(SIGNATURE_NAME, zip::write::SimpleFileOptions::default())
            .map_err(|e| BundleError::io(&partial, e))?;
        writer.write_all(&serde_json::to_vec(&sig).unwrap_or_default()).map_err(|e| BundleError::io(&partial, e))?;
        writer.finish().map_err(|e| BundleError::io(&partial, e))?.flush().map_err(|e| BundleError::io(&partial, e))?;
        Ok(())
    })();
    match result {
        Ok(()) => std::fs::rename(&partial, path).map_err(|e| BundleError::io(path, e)),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}
