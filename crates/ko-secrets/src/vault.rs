//! The encrypted vault: where a data dir keeps its secrets when there is no OS keychain (a
//! headless Linux machine: a jump box, a team server, CI).
//!
//! One file, `secrets.vault`, private to its owner:
//!
//! ```json
//! {"format":"ko-secrets-vault","version":1,
//!  "kdf":{"algorithm":"argon2id","memory_kib":65536,"iterations":3,"parallelism":1,"salt":"…"},
//!  "cipher":"chacha20-poly1305","nonce":"…","ciphertext":"…"}
//! ```
//!
//! The key is derived from a passphrase with argon2id; every entry is inside one ChaCha20-Poly1305
//! ciphertext whose associated data is the header above, so neither the entries nor the key
//! derivation's parameters can be changed unnoticed. A new random nonce is drawn for every write;
//! writes go to a temporary file that is synced and renamed into place, under a lock file, so two
//! processes never lose each other's writes and a crash leaves the old or the new vault, whole.
//! The vault is sealed until its passphrase is given: by a [`PassphraseSource`] (a file, a systemd
//! credential, a terminal prompt) when a secret is first needed, or through the app
//! ([`crate::SecretStore::unlock_vault`]). The derived key stays in memory as [`Sensitive`] only.

use crate::{Result, SecretError, Sensitive, from_stored_json, to_stored_json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use zeroize::Zeroizing;

/// The vault's file name in the data dir.
pub const VAULT_FILE: &str = "secrets.vault";

/// The fewest characters a new vault's passphrase may have.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

const FORMAT: &str = "ko-secrets-vault";
const CIPHER: &str = "chacha20-poly1305";
const KDF: &str = "argon2id";
/// argon2id cost of new vaults: 64 MiB, 3 passes (about half a second on a laptop core).
const MEMORY_KIB: u32 = 64 * 1024;
const ITERATIONS: u32 = 3;
/// Bounds a vault file's parameters must keep (a changed file must not make the app hash for hours).
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;

/// Where a process gets the vault's passphrase when a secret is first needed.
pub trait PassphraseSource: Send + Sync {
    /// The passphrase for the vault at `path`, or `None` when this source has none. `creating`: no
    /// vault exists yet and this passphrase makes one (a terminal asks twice).
    fn passphrase(&self, path: &Path, creating: bool) -> Result<Option<Sensitive<String>>>;

    /// How to give the passphrase where this source runs, for the error of a sealed vault.
    fn hint(&self) -> String;
}

/// How a sealed vault is opened when no source gave its passphrase.
const DEFAULT_HINT: &str = "unlock it in the app (a system administrator, on the overview), or start with \
    --vault-passphrase-file FILE (or KO_VAULT_PASSPHRASE_FILE, or the systemd credential ko-vault-passphrase)";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Kdf {
    algorithm: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
}

/// What the ciphertext is bound to (its associated data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    kdf: Kdf,
    cipher: String,
}

#[derive(Serialize, Deserialize)]
struct VaultFile {
    #[serde(flatten)]
    header: Header,
    nonce: String,
    ciphertext: String,
}

/// The plaintext: every entry.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct Entries {
    entries: BTreeMap<String, Sensitive<String>>,
}

impl Entries {
    pub(crate) fn insert(&mut self, key: String, value: Sensitive<String>) {
        self.entries.insert(key, value);
    }

    pub(crate) fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

/// The vault file of a data dir, sealed or unlocked.
pub(crate) struct Vault {
    path: PathBuf,
    key: RwLock<Option<Sensitive<[u8; 32]>>>,
    source: Option<Box<dyn PassphraseSource>>,
    calls: AtomicU64,
}

impl Vault {
    pub(crate) fn new(path: PathBuf, source: Option<Box<dyn PassphraseSource>>) -> Self {
        Self { path, key: RwLock::new(None), source, calls: AtomicU64::new(0) }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub(crate) fn exists(&self) -> bool {
        self.path.exists()
    }

    pub(crate) fn is_unlocked(&self) -> bool {
        self.key.read().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    fn unusable(&self, cause: impl Into<String>) -> SecretError {
        SecretError::Vault { path: self.path.clone(), cause: cause.into() }
    }

    /// The key, asking the passphrase source when the vault is still sealed.
    pub(crate) fn key(&self) -> Result<Sensitive<[u8; 32]>> {
        if let Some(k) = &*self.key.read().unwrap_or_else(PoisonError::into_inner) {
            return Ok(k.clone());
        }
        let sealed = |hint: String| SecretError::Sealed { path: self.path.clone(), hint };
        let Some(source) = &self.source else { return Err(sealed(DEFAULT_HINT.into())) };
        let creating = !self.exists();
        let Some(passphrase) = source.passphrase(&self.path, creating)? else { return Err(sealed(source.hint())) };
        if creating {
            self.create(&passphrase)?
        } else {
            self.unlock(&passphrase)?
        }
        self.key()
    }

    /// Opens the vault with `passphrase`; a passphrase that does not decrypt it is refused.
    pub(crate) fn unlock(&self, passphrase: &Sensitive<String>) -> Result<()> {
        let file = self.read()?;
        let key = derive(passphrase, &file.header.kdf).map_err(|e| self.unusable(e))?;
        self.open(&key, &file)?;
        *self.key.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
        tracing::info!(vault = %self.path.display(), "secrets vault unlocked");
        Ok(())
    }

    /// Makes a new, empty vault with `passphrase` (at least [`MIN_PASSPHRASE_CHARS`] characters);
    /// when another process made one meanwhile, opens that one with it instead.
    pub(crate) fn create(&self, passphrase: &Sensitive<String>) -> Result<()> {
        let _lock = self.lock()?;
        if self.exists() {
            return self.unlock(passphrase);
        }
        check_new_passphrase(passphrase)?;
        let header = new_header().map_err(|e| self.unusable(e))?;
        let key = derive(passphrase, &header.kdf).map_err(|e| self.unusable(e))?;
        self.write(&key, header, &Entries::default())?;
        *self.key.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
        tracing::info!(vault = %self.path.display(), "secrets vault created");
        Ok(())
    }

    /// Gives the (unlocked) vault a new passphrase: every entry re-encrypted under a key derived
    /// with a new salt, written whole; the old passphrase opens nothing afterwards.
    pub(crate) fn change_passphrase(&self, new: &Sensitive<String>) -> Result<()> {
        check_new_passphrase(new)?;
        let old_key = self.key()?;
        let _lock = self.lock()?;
        let file = self.read()?;
        let entries = self.open(&old_key, &file)?;
        let header = new_header().map_err(|e| self.unusable(e))?;
        let key = derive(new, &header.kdf).map_err(|e| self.unusable(e))?;
        self.write(&key, header, &entries)?;
        *self.key.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
        tracing::info!(vault = %self.path.display(), "secrets vault passphrase changed");
        Ok(())
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        let k = self.key()?;
        let file = self.read()?;
        Ok(self.open(&k, &file)?.entries.remove(key))
    }

    /// Changes the entries under the vault's lock: read, `change`, write back.
    pub(crate) fn update(&self, change: impl FnOnce(&mut Entries)) -> Result<()> {
        let k = self.key()?;
        let _lock = self.lock()?;
        let file = self.read()?;
        let mut entries = self.open(&k, &file)?;
        change(&mut entries);
        self.write(&k, file.header, &entries)
    }

    fn read(&self) -> Result<VaultFile> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let bytes = std::fs::read(&self.path).map_err(|e| self.unusable(e.to_string()))?;
        let file: VaultFile =
            serde_json::from_slice(&bytes).map_err(|e| self.unusable(format!("not a vault file: {e}")))?;
        let h = &file.header;
        let kdf = &h.kdf;
        if h.format != FORMAT || h.version != 1 || h.cipher != CIPHER || kdf.algorithm != KDF {
            return Err(self.unusable(format!(
                "written by an unknown version (format {} v{}, {}, {})",
                h.format, h.version, kdf.algorithm, h.cipher
            )));
        }
        if kdf.memory_kib > MAX_MEMORY_KIB || kdf.iterations > MAX_ITERATIONS || !(1..=16).contains(&kdf.parallelism) {
            return Err(self.unusable("its key derivation parameters are out of bounds"));
        }
        Ok(file)
    }

    /// Decrypts the entries; a wrong key (or a changed file) fails the tag check.
    fn open(&self, key: &Sensitive<[u8; 32]>, file: &VaultFile) -> Result<Entries> {
        let wrong = || SecretError::VaultPassphrase { path: self.path.clone() };
        let aad = serde_json::to_vec(&file.header).map_err(|e| self.unusable(e.to_string()))?;
        let nonce: [u8; NONCE_LEN] = B64
            .decode(&file.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| self.unusable("its nonce is malformed"))?;
        let mut buf = Zeroizing::new(B64.decode(&file.ciphertext).map_err(|_| wrong())?);
        let plain = sealing_key(key)?
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
            .map_err(|_| wrong())?;
        let text = Sensitive::new(String::from_utf8(plain.to_vec()).map_err(|_| wrong())?);
        from_stored_json(&self.path.display().to_string(), &text)
            .map_err(|_| self.unusable("its decrypted content is not the app's"))
    }

    fn write(&self, key: &Sensitive<[u8; 32]>, header: Header, entries: &Entries) -> Result<()> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let aad = serde_json::to_vec(&header).map_err(|e| self.unusable(e.to_string()))?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| self.unusable("the system's random source failed"))?;
        let mut buf = Zeroizing::new(to_stored_json(entries).expose().as_bytes().to_vec());
        sealing_key(key)?
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut *buf)
            .map_err(|_| self.unusable("encryption failed"))?;
        let file = VaultFile { header, nonce: B64.encode(nonce), ciphertext: B64.encode(&*buf) };
        let bytes = serde_json::to_vec(&file).map_err(|e| self.unusable(e.to_string()))?;
        crate::write_private_file(&self.path, &bytes).map_err(|e| self.unusable(e.to_string()))
    }

    /// The vault's write lock (a lock file beside it), held until dropped.
    fn lock(&self) -> Result<std::fs::File> {
        let mut name = self.path.clone().into_os_string();
        name.push(".lock");
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&name).map_err(|e| self.unusable(format!("its lock file: {e}")))?;
        file.lock().map_err(|e| self.unusable(format!("its lock file: {e}")))?;
        Ok(file)
    }
}

/// A new vault's passphrase must be long enough.
fn check_new_passphrase(passphrase: &Sensitive<String>) -> Result<()> {
    if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(SecretError::VaultNewPassphrase(format!(
            "a secrets vault needs a passphrase of at least {MIN_PASSPHRASE_CHARS} characters"
        )));
    }
    Ok(())
}

/// The header of a vault (re)written under a new passphrase: today's key derivation, a new salt.
fn new_header() -> std::result::Result<Header, String> {
    let mut salt = [0u8; 16];
    SystemRandom::new().fill(&mut salt).map_err(|_| "the system's random source failed".to_string())?;
    let kdf = Kdf {
        algorithm: KDF.into(),
        memory_kib: MEMORY_KIB,
        iterations: ITERATIONS,
        parallelism: 1,
        salt: B64.encode(salt),
    };
    Ok(Header { format: FORMAT.into(), version: 1, kdf, cipher: CIPHER.into() })
}

fn sealing_key(key: &Sensitive<[u8; 32]>) -> Result<LessSafeKey> {
    UnboundKey::new(&CHACHA20_POLY1305, key.expose())
        .map(LessSafeKey::new)
        .map_err(|_| SecretError::VaultNewPassphrase("the vault key has the wrong length".into()))
}

fn derive(passphrase: &Sensitive<String>, kdf: &Kdf) -> std::result::Result<Sensitive<[u8; 32]>, String> {
    let salt = B64.decode(&kdf.salt).map_err(|_| "its salt is malformed".to_string())?;
    let params = argon2::Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| format!("its key derivation parameters are invalid: {e}"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Sensitive::new([0u8; 32]);
    let out: &mut [u8; 32] = key.expose_mut();
    argon.hash_password_into(passphrase.expose().as_bytes(), &salt, out).map_err(|e| format!("argon2id: {e}"))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> Sensitive<String> {
        Sensitive::new(s.to_string())
    }

    #[test]
    fn sealed_until_unlocked_and_a_wrong_passphrase_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VAULT_FILE);
        let v = Vault::new(path.clone(), None);
        assert!(matches!(v.get("a"), Err(SecretError::Sealed { .. })));
        assert!(matches!(v.create(&pass("short")), Err(SecretError::VaultNewPassphrase(_))));
        assert!(!path.exists(), "nothing written for a refused passphrase");
        v.create(&pass("correct horse battery")).unwrap();
        v.update(|e| e.insert("a".into(), pass("canary-3f9a"))).unwrap();
        assert_eq!(v.get("a").unwrap().unwrap().expose(), "canary-3f9a");

        let again = Vault::new(path.clone(), None);
        assert!(matches!(again.unlock(&pass("wrong horse battery")), Err(SecretError::VaultPassphrase { .. })));
        assert!(!again.is_unlocked());
        again.unlock(&pass("correct horse battery")).unwrap();
        assert_eq!(again.get("a").unwrap().unwrap().expose(), "canary-3f9a");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("canary"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_new_passphrase_opens_it_and_the_old_one_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VAULT_FILE);
        let v = Vault::new(path.clone(), None);
        v.create(&pass("correct horse battery")).unwrap();
        v.update(|e| e.insert("a".into(), pass("1"))).unwrap();
        assert!(matches!(v.change_passphrase(&pass("short")), Err(SecretError::VaultNewPassphrase(_))));
        v.change_passphrase(&pass("another horse battery")).unwrap();
        assert_eq!(v.get("a").unwrap().unwrap().expose(), "1", "still open with the new key");
        let old = Vault::new(path.clone(), None);
        assert!(matches!(old.unlock(&pass("correct horse battery")), Err(SecretError::VaultPassphrase { .. })));
        let new = Vault::new(path, None);
        new.unlock(&pass("another horse battery")).unwrap();
        assert_eq!(new.get("a").unwrap().unwrap().expose(), "1");
    }

    #[test]
    fn a_changed_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VAULT_FILE);
        let v = Vault::new(path.clone(), None);
        v.create(&pass("correct horse battery")).unwrap();
        v.update(|e| e.insert("a".into(), pass("x"))).unwrap();
        let original = std::fs::read_to_string(&path).unwrap();
        let mut file: serde_json::Value = serde_json::from_str(&original).unwrap();
        // a lighter key derivation would make guessing cheaper: it is bound to the ciphertext
        file["kdf"]["iterations"] = 1.into();
        std::fs::write(&path, file.to_string()).unwrap();
        let e = Vault::new(path.clone(), None).unlock(&pass("correct horse battery")).unwrap_err();
        assert!(matches!(e, SecretError::VaultPassphrase { .. }), "{e}");
        // so is a flipped bit of the ciphertext, for a vault already open
        let mut file: serde_json::Value = serde_json::from_str(&original).unwrap();
        let mut ct = B64.decode(file["ciphertext"].as_str().unwrap()).unwrap();
        ct[0] ^= 1;
        file["ciphertext"] = B64.encode(ct).into();
        std::fs::write(&path, file.to_string()).unwrap();
        assert!(matches!(v.get("a"), Err(SecretError::VaultPassphrase { .. })));
        std::fs::write(&path, "{\"format\":\"other\"}").unwrap();
        assert!(matches!(v.get("a"), Err(SecretError::Vault { .. })));
    }

    #[test]
    fn a_source_is_asked_when_a_secret_is_first_needed() {
        struct Fixed(&'static str);
        impl PassphraseSource for Fixed {
            fn passphrase(&self, _: &Path, _: bool) -> Result<Option<Sensitive<String>>> {
                Ok(Some(pass(self.0)))
            }
            fn hint(&self) -> String {
                "fixed".into()
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VAULT_FILE);
        let v = Vault::new(path.clone(), Some(Box::new(Fixed("correct horse battery"))));
        v.update(|e| e.insert("a".into(), pass("1"))).unwrap();
        assert!(path.exists(), "made on first use");
        let other = Vault::new(path, Some(Box::new(Fixed("wrong horse battery"))));
        assert!(matches!(other.get("a"), Err(SecretError::VaultPassphrase { .. })));
    }
}
