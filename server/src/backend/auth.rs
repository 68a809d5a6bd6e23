//! `AuthBackend`: login and logout against the database.

use std::sync::LazyLock;

use app::{api::PortalError, auth::CurrentUser, backend::AuthBackend};
use serde_json::json;

use crate::{
    auth::{audit, db_error, now_ms, password, rate_limit, sessions, users},
    state::AppState,
};

/// Longest username or password looked at; longer ones fail without hashing.
const MAX_USERNAME: usize = 100;
const MAX_PASSWORD: usize = 1024;

/// Verified against when the account does not exist, so the answer takes as long either way.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("not-a-real-password").unwrap_or_default());

#[async_trait::async_trait]
impl AuthBackend for AppState {
    async fn login(
        &self,
        username: &str,
        password: &str,
        ip: &str,
    ) -> Result<(String, CurrentUser), PortalError> {
        let db = &self.db;
        let username = username.trim();
        let now = now_ms();
        let account = rate_limit::account_key(username, ip);
        let address = rate_limit::address_key(ip);
        // The attempt is counted before the password is looked at (see rate_limit.rs), first
        // against the (account, address) pair, then the address; a refusal by the address
        // gives the pair's attempt back.
        let refused_by = if !rate_limit::take(db, &account, rate_limit::MAX_PER_ACCOUNT, now)
            .await
            .map_err(db_error)?
        {
            Some(&account)
        } else if !rate_limit::take(db, &address, rate_limit::MAX_PER_ADDRESS, now).await.map_err(db_error)? {
            rate_limit::give_back(db, &account).await.map_err(db_error)?;
            Some(&address)
        } else {
            None
        };
        if let Some(key) = refused_by {
            audit::record(db, username, ip, "login.refused", username, &json!({"reason": "rate_limited"}))
                .await
                .map_err(db_error)?;
            let until = rate_limit::retry_at(db, key).await.map_err(db_error)?.unwrap_or(now);
            let minutes = ((until - now) as f64 / 60_000.0).ceil().max(1.0) as i64;
            return Err(PortalError::TooManyAttempts(format!(
                "Too many failed sign-in attempts. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )));
        }

        let record = if username.is_empty() || username.len() > MAX_USERNAME || password.len() > MAX_PASSWORD
        {
            None
        } else {
            users::find_by_username(db, username).await.map_err(db_error)?
        };
        self.auth.password_checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
            audit::record(db, username, ip, "login.failed", username, &json!({})).await.map_err(db_error)?;
            return Err(PortalError::WrongCredentials);
        };

        // A success does not count against the address (an office behind one address signs
        // in all day) and wipes the pair's failures.
        rate_limit::give_back(db, &address).await.map_err(db_error)?;
        rate_limit::clear(db, &account).await.map_err(db_error)?;
        // Housekeeping; a failure here must not stop the login.
        if let Err(e) = sessions::purge_expired(db).await {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
        if let Err(e) = rate_limit::purge_expired(db, now).await {
            tracing::warn!(error = %e, "purging old login attempts failed");
        }
        let token = sessions::create(db, &record.id, ip).await.map_err(db_error)?;
        let user = users::current_user(db, &record.id)
            .await
            .map_err(db_error)?
            .ok_or(PortalError::WrongCredentials)?;
        audit::record(db, &user.username, ip, "login", &user.username, &json!({})).await.map_err(db_error)?;
        Ok((token, user))
    }

    async fn logout(&self, token: &str, ip: &str) -> Result<(), PortalError> {
        if let Some(username) = sessions::delete(&self.db, token).await.map_err(db_error)? {
            audit::record(&self.db, &username, ip, "logout", &username, &json!({}))
                .await
                .map_err(db_error)?;
        }
        Ok(())
    }

    fn demo_accounts(&self) -> bool {
        self.auth.demo_users
    }

    fn always_secure_cookies(&self) -> bool {
        self.auth.secure_cookies
    }
}
