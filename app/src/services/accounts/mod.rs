//! `Accounts`: local users (Argon2id passwords), teams and memberships, database sessions,
//! login rate limiting, API tokens, and the first-start demo accounts.
//!
//! The SQL lives in one file per table (`users`, `teams`, `sessions`, `tokens`,
//! `rate_limit`); the actions the pages call are `login`, `admin` and `token_actions`.

pub mod admin;
pub mod demo;
pub mod error;
pub mod login;
pub mod password;
pub mod rate_limit;
pub mod sessions;
pub mod teams;
pub mod token_actions;
pub mod token_rows;
pub mod tokens;
pub mod users;

use std::sync::{atomic::AtomicU64, Arc};

use super::Db;

pub use error::AccountsError;

/// What sign-in needs from the configuration.
#[derive(Clone, Debug, Default)]
pub struct LoginSettings {
    /// Demo accounts are enabled (embedded mode, `PORTAL_DEMO_USERS` not `off`): the login
    /// page mentions them.
    pub demo_users: bool,
    /// Always mark the session cookie `Secure` (`PORTAL_SECURE_COOKIES`), not only when the
    /// request says it came over HTTPS.
    pub secure_cookies: bool,
    /// Passwords checked by this process (one per Argon2 evaluation), so tests can see that the
    /// rate limit stops attempts before the expensive part.
    pub password_checks: Arc<AtomicU64>,
}

#[derive(Clone)]
pub struct Accounts {
    pub db: Db,
    pub login: LoginSettings,
}
