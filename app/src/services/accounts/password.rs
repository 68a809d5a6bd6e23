//! Password hashing: Argon2id with the crate's default parameters, PHC strings in the database.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

/// Hashes a password (Argon2id, random salt). Slow on purpose: call from a blocking task.
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Argon2 evaluations running at once in this process. Each takes about 19 MiB and a core
/// for a moment; without a cap, a burst of logins (every replica admits its own) could take
/// the memory of hundreds. Callers beyond it wait their turn.
pub const MAX_CONCURRENT_HASHES: usize = 4;

static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_HASHES);

/// [`hash`] on the blocking pool, within the process's cap on concurrent hashes.
pub async fn hash_async(password: String) -> Result<String, String> {
    let _permit = HASH_PERMITS.acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || hash(&password)).await.map_err(|e| e.to_string())?
}

/// [`verify`] on the blocking pool, within the process's cap on concurrent hashes.
pub async fn verify_async(password: String, stored: String) -> bool {
    let Ok(_permit) = HASH_PERMITS.acquire().await else { return false };
    tokio::task::spawn_blocking(move || verify(&password, &stored)).await.unwrap_or(false)
}

/// Hashes running now (for tests).
pub fn hashes_in_flight() -> usize {
    MAX_CONCURRENT_HASHES - HASH_PERMITS.available_permits()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("demo-password").unwrap();
        let b = hash("demo-password").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify("demo-password", &a));
        assert!(!verify("demo-passwore", &a));
        assert!(!verify("demo-password", "not a hash"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_hashes_are_capped() {
        let stored = hash("x").unwrap();
        let watcher = tokio::spawn(async {
            let mut most = 0;
            for _ in 0..400 {
                most = most.max(hashes_in_flight());
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            most
        });
        let checks: Vec<_> =
            (0..12).map(|_| tokio::spawn(verify_async("y".into(), stored.clone()))).collect();
        for c in checks {
            assert!(!c.await.unwrap());
        }
        let most = watcher.await.unwrap();
        assert!(most <= MAX_CONCURRENT_HASHES, "{most} at once");
        assert!(most >= 1, "the watcher saw the hashes run");
    }
}
