//! Identity and access at the HTTP edge: the middleware that turns a session cookie, an API
//! token or a trusted proxy's headers into an `app::auth::CurrentUser` for every request, and
//! the security headers. Accounts, sessions and tokens are stored by `app::services::accounts`.

pub mod headers;
pub mod middleware;
pub mod proxy;

// The stores moved to the services layer; these names keep `server::auth::…` working.
pub use app::services::{
    accounts::{demo, password, rate_limit, sessions, tokens, users},
    audit::log as audit,
};

/// What the HTTP layers need from the configuration (sign-in itself: `LoginSettings`).
#[derive(Clone, Debug, Default)]
pub struct AuthSettings {
    /// Always mark the session cookie `Secure` (`PORTAL_SECURE_COOKIES`), not only when the
    /// request says it came over HTTPS.
    pub secure_cookies: bool,
    /// Trusted-proxy single sign-on (`PORTAL_TRUSTED_PROXIES`, …); off when it trusts no one.
    pub proxy: proxy::ProxySettings,
    /// The emulator's control API is served, to admins (`PORTAL_SIM_CONTROL=on`, embedded).
    pub sim_control: bool,
    /// `PORTAL_PUBLIC_URL` is `https://`: every cookie is `Secure`.
    pub public_https: bool,
}

pub use app::services::{
    clock::now_ms,
    random::{hex, random_hex},
};
