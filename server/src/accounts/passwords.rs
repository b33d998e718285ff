//! Password hashing with argon2id (RFC 9106; the `argon2` crate's default parameters:
//! m = 19 MiB, t = 2, p = 1, as OWASP recommends), stored as PHC strings.
//!
//! Hashing and verification are CPU-heavy (tens of milliseconds): they run on the blocking
//! thread pool. An unknown e-mail is verified against [`dummy_hash`] so that a wrong password
//! and an unknown account cost the same work.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use super::AccountsError;

/// Shortest accepted password (Twenty's `PASSWORD_REGEX` is `^.{8,50}$`).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password (longer than Twenty's 50, so passphrases fit).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks the password rule. Errors: [`AccountsError::WeakPassword`].
pub fn check_password_rule(password: &str) -> Result<(), AccountsError> {
    let n = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        Ok(())
    } else {
        Err(AccountsError::WeakPassword)
    }
}

fn hash_blocking(password: &str) -> Result<String, AccountsError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountsError::Internal(format!("password hashing failed: {e}")))
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid argon2id hash of a random password, computed once: the hash unknown e-mails are
/// checked against.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = hex::encode(rand::random::<[u8; 16]>());
        hash_blocking(&random).unwrap_or_default()
    })
}

/// The argon2id PHC string of `password` (fresh random salt), computed off the async
/// runtime. Errors: [`AccountsError::Internal`].
pub async fn hash_password(password: String) -> Result<String, AccountsError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AccountsError::Internal(format!("hashing task failed: {e}")))?
}

/// Whether `password` matches the PHC string `phc` (`None`: checks against [`dummy_hash`]
/// and answers `false`), computed off the async runtime.
pub async fn verify_password(password: String, phc: Option<String>) -> bool {
    let known = phc.is_some();
    let result = tokio::task::spawn_blocking(move || {
        let phc = phc.unwrap_or_else(|| dummy_hash().to_owned());
        verify_blocking(&password, &phc)
    })
    .await
    .unwrap_or(false);
    known && result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse".into(), Some(hash)).await);
        assert!(!verify_password("correct horse".into(), None).await);
        assert!(dummy_hash().starts_with("$argon2id$"));
    }

    #[test]
    fn password_rule() {
        assert!(check_password_rule("1234567").is_err());
        assert!(check_password_rule("12345678").is_ok());
        assert!(check_password_rule(&"x".repeat(129)).is_err());
    }
}
