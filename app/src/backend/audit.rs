use crate::{api::PortalError, auth::CurrentUser};

/// The append-only audit log: only ever written to, never edited or deleted.
#[async_trait::async_trait]
pub trait AuditBackend {
    /// Records that `user` did `action` on `target` (from this request's address).
    async fn audit(
        &self,
        user: &CurrentUser,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), PortalError>;
}
