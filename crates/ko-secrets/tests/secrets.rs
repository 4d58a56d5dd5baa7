//! ko-secrets against the real OS keychain and keys made by the real `ssh-keygen`.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_secrets::testing::keychain_or_skip;
use ko_secrets::{CredentialSecret, SecretError, Sensitive, inspect_private_key};
use std::process::Command;

fn unique_key() -> String {
    format!("test/{}", uuid::Uuid::new_v4())
}

#[test]
fn keychain_round_trip_and_delete() {
    let Some(kc) = keychain_or_skip("keychain_round_trip_and_delete") else { return };
    let key = unique_key();
    let secret = CredentialSecret {
        password: Some(Sensitive::new("pw with spaces & 'quotes' 密码".into())),
        sudo_password: Some(Sensitive::new("sudo-pw".into())),
        ..Default::default()
    };
    kc.put(&key, &secret.to_entry()).unwrap();
    let back = CredentialSecret::from_entry(&key, &kc.get(&key).unwrap()).unwrap();
    assert_eq!(back, secret);
    // replacing keeps one entry with the new value
    kc.put(&key, &Sensitive::new("{\"v\":1}".to_string())).unwrap();
    assert_eq!(CredentialSecret::from_entry(&key, &kc.get(&key).unwrap()).unwrap(), CredentialSecret::default());
    kc.delete(&key).unwrap();
    assert!(matches!(kc.get(&key), Err(SecretError::Missing(k)) if k == key));
    kc.delete(&key).expect("deleting twice is fine");
}

/// An item exactly as the `keyring` crate made them for earlier releases.
#[cfg(target_os = "linux")]
fn keyring_crate_item(key: &str, secret: &str) {
    use dbus_secret_service::{EncryptionType, SecretService};
    use std::collections::HashMap;
    let ss = SecretService::connect(EncryptionType::Dh).unwrap();
    let attributes = HashMap::from([
        ("service", ko_secrets::SERVICE),
        ("username", key),
        ("target", "default"),
        ("application", "rust-keyring"),
    ]);
    let label = format!("{key}@{}:default (keyring v3.6.3)", ko_secrets::SERVICE);
    ss.get_default_collection()
        .unwrap()
        .create_item(&label, attributes, secret.as_bytes(), true, "text/plain")
        .unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn an_entry_an_earlier_release_wrote_is_read_replaced_and_removed() {
    let Some(kc) = keychain_or_skip("an_entry_an_earlier_release_wrote_is_read_replaced_and_removed") else { return };
    let key = unique_key();
    keyring_crate_item(&key, "old secret");
    assert_eq!(kc.get(&key).unwrap().expose(), "old secret");
    kc.put(&key, &Sensitive::new("new secret".into())).unwrap();
    assert_eq!(kc.get(&key).unwrap().expose(), "new secret");
    // replaced, not added beside it: one delete leaves none
    kc.delete(&key).unwrap();
    assert!(matches!(kc.get(&key), Err(SecretError::Missing(_))));
}

#[test]
fn a_cached_store_asks_the_keychain_once_per_entry() {
    let Some(kc) = keychain_or_skip("a_cached_store_asks_the_keychain_once_per_entry") else { return };
    let key = unique_key();
    kc.put(&key, &Sensitive::new("v".into())).unwrap();
    let task = kc.with_read_cache();
    let before = kc.backend_calls();
    for _ in 0..20 {
        assert_eq!(task.get(&key).unwrap().expose(), "v");
    }
    // one search and one read of the secret, on the connection already open
    assert_eq!(kc.backend_calls() - before, 2);
    kc.delete(&key).unwrap();
}

/// Generates a key with ssh-keygen: `format` is RFC4716 (OpenSSH), PEM or PKCS8.
fn keygen(dir: &std::path::Path, kind: &str, bits: Option<&str>, format: &str, pass: &str) -> (String, String) {
    let path = dir.join(format!("{kind}-{format}-{}", pass.len()));
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind, "-N", pass, "-C", "test", "-f"]).arg(&path);
    if let Some(b) = bits {
        cmd.args(["-b", b]);
    }
    if format != "RFC4716" {
        cmd.args(["-m", format]);
    }
    assert!(cmd.status().unwrap().success());
    let text = std::fs::read_to_string(&path).unwrap();
    let out =
        Command::new("ssh-keygen").args(["-l", "-E", "sha256", "-f"]).arg(path.with_extension("pub")).output().unwrap();
    let fp = String::from_utf8(out.stdout).unwrap().split_whitespace().nth(1).unwrap().to_string();
    (text, fp)
}

#[test]
fn reads_every_key_format_with_the_fingerprint_ssh_keygen_prints() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("ed25519", None, "RFC4716", "ssh-ed25519"),
        ("ecdsa", Some("256"), "RFC4716", "ecdsa-sha2-nistp256"),
        ("ecdsa", Some("384"), "PEM", "ecdsa-sha2-nistp384"),
        ("rsa", Some("2048"), "PEM", "ssh-rsa"),
        ("rsa", Some("2048"), "PKCS8", "ssh-rsa"),
        ("ecdsa", Some("256"), "PKCS8", "ecdsa-sha2-nistp256"),
    ];
    for (kind, bits, format, algorithm) in cases {
        for pass in ["", "correct horse"] {
            let (text, fp) = keygen(dir.path(), kind, bits, format, pass);
            let what = format!("{kind} {format} pass={pass:?}");
            let key = Sensitive::new(text);
            if kind == "ecdsa" && format == "PEM" && !pass.is_empty() {
                let e = inspect_private_key(&key, Some(&Sensitive::new(pass.to_string()))).unwrap_err();
                assert!(e.to_string().contains("ssh-keygen -p -f"), "{what}: {e}");
                continue;
            }
            let passphrase = Sensitive::new(pass.to_string());
            let info = inspect_private_key(&key, Some(&passphrase)).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(info.fingerprint, fp, "{what}");
            assert_eq!(info.algorithm, algorithm, "{what}");
            assert_eq!(info.encrypted, !pass.is_empty(), "{what}");
            if !pass.is_empty() {
                let e = inspect_private_key(&key, None).unwrap_err();
                assert!(matches!(e, SecretError::PassphraseNeeded), "{what}: {e}");
                let wrong = Sensitive::new("wrong".to_string());
                let e = inspect_private_key(&key, Some(&wrong)).unwrap_err();
                assert!(matches!(e, SecretError::WrongPassphrase), "{what}: {e}");
            }
        }
    }
}

#[test]
fn garbage_is_not_a_key_and_the_error_does_not_quote_it() {
    for text in ["hunter2", "-----BEGIN OPENSSH PRIVATE KEY-----\nhunter2hunter2\n-----END OPENSSH PRIVATE KEY-----\n"]
    {
        let e = inspect_private_key(&Sensitive::new(text.to_string()), None).unwrap_err();
        assert!(matches!(e, SecretError::KeyUnreadable(_)), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
