use crate::{api::PortalError, auth::CurrentUser};

/// Local accounts and sessions.
#[async_trait::async_trait]
pub trait AuthBackend {
    /// Checks the password (rate-limited per account and per address), opens a new session and
    /// returns its token (for the cookie) and the user; records the attempt in the audit log.
    async fn login(
        &self,
        username: &str,
        password: &str,
        ip: &str,
    ) -> Result<(String, CurrentUser), PortalError>;

    /// Ends the session with this token (if it exists) and records the logout.
    async fn logout(&self, token: &str, ip: &str) -> Result<(), PortalError>;

    /// Whether the login page should mention the demo accounts.
    fn demo_accounts(&self) -> bool;

    /// Whether session cookies are always marked `Secure` (configured HTTPS).
    fn always_secure_cookies(&self) -> bool;
}
