//! `koctl credential ...`

use crate::cli::{CredentialCmd, Format};
use crate::output::{InputError, Table, done, emit, yes_no};
use crate::secrets_input::StdinSecrets;
use anyhow::Result;
use ko_api::{Actor, Api, Credential, CredentialAuth, KeychainState, NewCredential, Sensitive};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: CredentialCmd) -> Result<ExitCode> {
    match cmd {
        CredentialCmd::Add {
            name,
            username,
            password_stdin,
            key_file,
            agent,
            agent_socket,
            passphrase_stdin,
            sudo_password_stdin,
        } => {
            let mut wanted = Vec::new();
            if password_stdin {
                wanted.push("login password");
            }
            if passphrase_stdin {
                wanted.push("key passphrase");
            }
            if sudo_password_stdin {
                wanted.push("sudo password");
            }
            let mut stdin = StdinSecrets::read(&wanted)?;
            let auth = match key_file {
                None if agent => CredentialAuth::Agent { socket: agent_socket },
                None => CredentialAuth::Password(stdin.next()),
                Some(path) => {
                    let key = std::fs::read_to_string(&path)
                        .map_err(|e| InputError(format!("cannot read the key file {}: {e}", path.display())))?;
                    let passphrase = passphrase_stdin.then(|| stdin.next());
                    CredentialAuth::PrivateKey { key: Sensitive::new(key), passphrase }
                }
            };
            let sudo_password = sudo_password_stdin.then(|| stdin.next());
            let c = api.credential_add(actor, NewCredential { name, username, auth, sudo_password }).await?;
            emit(f, &c, |c| {
                let mut t = Table::new(&["ADDED", "KIND", "USER", "FINGERPRINT"]);
                t.row([c.name.as_str(), c.kind.as_str(), &c.username, c.key_fingerprint.as_deref().unwrap_or("-")]);
                t
            })?;
        }
        CredentialCmd::List => {
            let all = api.credential_list(actor).await?;
            emit(f, &all, |all: &Vec<Credential>| {
                let mut t =
                    Table::new(&["NAME", "KIND", "USER", "ALGORITHM", "FINGERPRINT", "PASSPHRASE", "SUDO PASSWORD"]);
                for c in all {
                    t.row([
                        c.name.as_str(),
                        c.kind.as_str(),
                        &c.username,
                        c.key_algorithm.as_deref().unwrap_or("-"),
                        c.key_fingerprint.as_deref().unwrap_or("-"),
                        yes_no(c.has_passphrase),
                        yes_no(c.has_sudo_password),
                    ]);
                }
                t
            })?;
        }
        CredentialCmd::Show { name } => {
            let d = api.credential_show(actor, &name).await?;
            emit(f, &d, |d| {
                let c = &d.credential;
                let keychain = match &d.keychain {
                    KeychainState::Present => "present".to_string(),
                    KeychainState::Missing => "MISSING — add the credential again".to_string(),
                    KeychainState::Unavailable(e) => format!("unavailable — {e}"),
                };
                let mut t = Table::new(&["FIELD", "VALUE"]);
                t.row(["name", c.name.as_str()]);
                t.row(["kind", c.kind.as_str()]);
                t.row(["username", &c.username]);
                t.row(["algorithm", c.key_algorithm.as_deref().unwrap_or("-")]);
                t.row(["fingerprint", c.key_fingerprint.as_deref().unwrap_or("-")]);
                t.row(["passphrase", yes_no(c.has_passphrase)]);
                t.row(["sudo password", yes_no(c.has_sudo_password)]);
                t.row(["keychain", &keychain]);
                t.row(["used by", &if d.used_by.is_empty() { "-".into() } else { d.used_by.join(", ") }]);
                t.row(["created", &c.created_at]);
                t
            })?;
        }
        CredentialCmd::Rm { name } => {
            api.credential_rm(actor, &name).await?;
            done(f, &format!("credential '{name}' removed (database row and keychain entry)"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
