//! Identity and access: local accounts (Argon2id), database sessions behind an `HttpOnly`
//! cookie, login rate limiting, the append-only audit log, demo accounts, and the middleware
//! that turns a session cookie into an `app::auth::CurrentUser` for every request.

pub mod audit;
pub mod demo;
pub mod headers;
pub mod middleware;
pub mod password;
pub mod proxy;
pub mod rate_limit;
pub mod sessions;
pub mod token_rows;
pub mod tokens;
pub mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;

/// What the auth code needs from the configuration.
#[derive(Clone, Debug, Default)]
pub struct AuthSettings {
    /// Demo accounts are enabled (embedded mode, `PORTAL_DEMO_USERS` not `off`): the login
    /// page mentions them.
    pub demo_users: bool,
    /// Always mark the session cookie `Secure` (`PORTAL_SECURE_COOKIES`), not only when the
    /// request says it came over HTTPS.
    pub secure_cookies: bool,
    /// Trusted-proxy single sign-on (`PORTAL_TRUSTED_PROXIES`, …); off when it trusts no one.
    pub proxy: proxy::ProxySettings,
    /// The emulator's control API is served, to admins (`PORTAL_SIM_CONTROL=on`, embedded).
    pub sim_control: bool,
    /// `PORTAL_PUBLIC_URL` is `https://`: every cookie is `Secure`.
    pub public_https: bool,
    /// Passwords checked by this process's login (one per Argon2 evaluation), so tests can see
    /// that the rate limit stops attempts before the expensive part.
    pub password_checks: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes from the OS generator, as hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex(&buf)
}

/// A database error as the portal's error type (details go to the log, not the client).
pub fn db_error(e: sqlx::Error) -> app::api::PortalError {
    tracing::error!(error = %e, "database error");
    app::api::PortalError::Internal("the database did not answer".into())
}
