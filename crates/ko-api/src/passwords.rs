//! Password hashing for local users (argon2id, PHC strings).

use crate::{ApiError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use ko_secrets::Sensitive;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 8;

/// Checks a new password and hashes it.
pub fn hash(password: &Sensitive<String>) -> Result<String> {
    if password.expose().chars().count() < MIN_LENGTH {
        return Err(ApiError::invalid(
            "user.password_short",
            "password",
            format!("the password must have at least {MIN_LENGTH} characters"),
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing a password failed: {e}")))
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify(password: &Sensitive<String>, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.expose().as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let pw = Sensitive::new("correct horse".to_string());
        let h = hash(&pw).unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify(&pw, &h));
        assert!(!verify(&Sensitive::new("wrong horse!".into()), &h));
        assert!(!verify(&pw, "not a hash"));
        assert_ne!(hash(&pw).unwrap(), h, "salted");
    }

    #[test]
    fn short_passwords_are_refused() {
        let e = hash(&Sensitive::new("short".into())).unwrap_err();
        assert_eq!(e.code(), "user.password_short");
    }
}
