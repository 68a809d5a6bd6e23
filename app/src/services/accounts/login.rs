//! `AuthBackend`: login and logout against the database.

use std::sync::LazyLock;

use crate::auth::CurrentUser;
use serde_json::json;

use super::{error::AccountsError, password, rate_limit, sessions, users, Accounts};
use crate::services::{audit::log as audit, clock::now_ms};

/// Longest username or password looked at; longer ones fail without hashing.
const MAX_USERNAME: usize = 100;
const MAX_PASSWORD: usize = 1024;

/// Verified against when the account does not exist, so the answer takes as long either way.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("not-a-real-password").unwrap_or_default());

impl Accounts {
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: &str,
    ) -> Result<(String, CurrentUser), AccountsError> {
        let db = &self.db;
        let username = username.trim();
        let now = now_ms();
        let account = rate_limit::account_key(username, ip);
        let address = rate_limit::address_key(ip);
        // The attempt is counted before the password is looked at (see rate_limit.rs), first
        // against the (account, address) pair, then the address; a refusal by the address
        // gives the pair's attempt back.
        let refused_by = if !rate_limit::take(db, &account, rate_limit::MAX_PER_ACCOUNT, now).await? {
            Some(&account)
        } else if !rate_limit::take(db, &address, rate_limit::MAX_PER_ADDRESS, now).await? {
            rate_limit::give_back(db, &account).await?;
            Some(&address)
        } else {
            None
        };
        if let Some(key) = refused_by {
            audit::record(db, username, ip, "login.refused", username, &json!({"reason": "rate_limited"}))
                .await?;
            let until = rate_limit::retry_at(db, key).await?.unwrap_or(now);
            let minutes = ((until - now) as f64 / 60_000.0).ceil().max(1.0) as i64;
            return Err(AccountsError::TooManyAttempts { minutes });
        }

        let record = if username.is_empty() || username.len() > MAX_USERNAME || password.len() > MAX_PASSWORD
        {
            None
        } else {
            users::find_by_username(db, username).await?
        };
        self.login.password_checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ok = match &record {
            Some(r) if !r.disabled && password.len() <= MAX_PASSWORD => {
                password::verify_async(password.to_string(), r.password_hash.clone()).await
            }
            _ => {
                let dummy = DUMMY_HASH.clone();
                let _ = password::verify_async(password.chars().take(MAX_PASSWORD).collect(), dummy).await;
                false
            }
        };
        let Some(record) = record.filter(|_| ok) else {
            // Already counted against both keys.
            audit::record(db, username, ip, "login.failed", username, &json!({})).await?;
            return Err(AccountsError::WrongCredentials);
        };

        // A success does not count against the address (an office behind one address signs
        // in all day) and wipes the pair's failures.
        rate_limit::give_back(db, &address).await?;
        rate_limit::clear(db, &account).await?;
        // Housekeeping; a failure here must not stop the login.
        if let Err(e) = sessions::purge_expired(db).await {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
        if let Err(e) = rate_limit::purge_expired(db, now).await {
            tracing::warn!(error = %e, "purging old login attempts failed");
        }
        let token = sessions::create(db, &record.id, ip).await?;
        let user = users::current_user(db, &record.id).await?.ok_or(AccountsError::WrongCredentials)?;
        audit::record(db, &user.username, ip, "login", &user.username, &json!({})).await?;
        Ok((token, user))
    }

    pub async fn logout(&self, token: &str, ip: &str) -> Result<(), AccountsError> {
        if let Some(username) = sessions::delete(&self.db, token).await? {
            audit::record(&self.db, &username, ip, "logout", &username, &json!({})).await?;
        }
        Ok(())
    }

    pub fn demo_accounts(&self) -> bool {
        self.login.demo_users
    }

    pub fn always_secure_cookies(&self) -> bool {
        self.login.secure_cookies
    }
}
