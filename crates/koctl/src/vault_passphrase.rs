//! Where koctl gets the secrets vault's passphrase when a secret is first needed: a file
//! (`--vault-passphrase-file`), the systemd credential `ko-vault-passphrase`
//! (`LoadCredential=ko-vault-passphrase:/path` in a unit), or — for commands, not for `serve` — a
//! prompt on the terminal that echoes nothing (asked twice for a new vault). Never an argument or
//! an environment variable holding the passphrase itself.

use ko_api::{PassphraseSource, SecretError, Sensitive};
use std::path::{Path, PathBuf};

/// The systemd credential's name.
const SYSTEMD_CREDENTIAL: &str = "ko-vault-passphrase";

/// koctl's sources, in order.
pub struct KoctlPassphrase {
    /// `--vault-passphrase-file`.
    pub file: Option<PathBuf>,
    /// Whether a terminal may be asked (not for `serve`).
    pub ask_terminal: bool,
}

impl KoctlPassphrase {
    fn from_file(path: &Path) -> ko_api::Result<Sensitive<String>, SecretError> {
        let text = Sensitive::new(std::fs::read_to_string(path).map_err(|e| SecretError::Vault {
            path: path.to_path_buf(),
            cause: format!("cannot read the passphrase file: {e}"),
        })?);
        Ok(Sensitive::new(text.expose().lines().next().unwrap_or_default().to_string()))
    }

    fn ask(vault: &Path, creating: bool) -> ko_api::Result<Option<Sensitive<String>>, SecretError> {
        if creating {
            let prompt = format!(
                "No OS keychain here: koctl keeps secrets in the encrypted vault {}.\nChoose its passphrase: ",
                vault.display()
            );
            return Self::ask_twice(&prompt);
        }
        // no terminal to ask (a script, a pipe): not this source's
        let prompt = format!("Passphrase of the secrets vault {}: ", vault.display());
        Ok(rpassword::prompt_password(prompt).ok().map(Sensitive::new))
    }

    /// A new passphrase typed twice on the terminal; `None` without a terminal.
    fn ask_twice(prompt: &str) -> ko_api::Result<Option<Sensitive<String>>, SecretError> {
        let Ok(first) = rpassword::prompt_password(prompt) else { return Ok(None) };
        let first = Sensitive::new(first);
        let again = Sensitive::new(rpassword::prompt_password("Again: ").unwrap_or_default());
        if again != first {
            return Err(SecretError::VaultNewPassphrase("the two passphrases differ; nothing was changed".into()));
        }
        Ok(Some(first))
    }

    /// The vault's new passphrase: from `file`, else typed twice on the terminal.
    pub fn new_passphrase(file: Option<&Path>) -> ko_api::Result<Sensitive<String>, SecretError> {
        match file {
            Some(f) => Self::from_file(f),
            None => Self::ask_twice("New passphrase of the secrets vault: ")?.ok_or_else(|| {
                SecretError::VaultNewPassphrase(
                    "no terminal to ask the new passphrase on: give it with --new-passphrase-file FILE".into(),
                )
            }),
        }
    }
}

impl PassphraseSource for KoctlPassphrase {
    fn passphrase(&self, vault: &Path, creating: bool) -> ko_api::Result<Option<Sensitive<String>>, SecretError> {
        if let Some(file) = &self.file {
            return Self::from_file(file).map(Some);
        }
        if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
            let file = Path::new(&dir).join(SYSTEMD_CREDENTIAL);
            if file.exists() {
                return Self::from_file(&file).map(Some);
            }
        }
        if self.ask_terminal { Self::ask(vault, creating) } else { Ok(None) }
    }

    fn hint(&self) -> String {
        let start = "give its passphrase with --vault-passphrase-file FILE (or KO_VAULT_PASSPHRASE_FILE, or the systemd \
                     credential ko-vault-passphrase)";
        if self.ask_terminal {
            format!("{start}, or run koctl on a terminal to be asked")
        } else {
            format!("unlock it in the web UI as an administrator (on the overview), or {start}")
        }
    }
}
