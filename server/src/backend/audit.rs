//! `AuditBackend`: appends to the audit log.

use app::{api::PortalError, auth::CurrentUser, backend::AuditBackend};

use crate::{
    auth::{audit, db_error},
    state::AppState,
};

#[async_trait::async_trait]
impl AuditBackend for AppState {
    async fn audit(
        &self,
        user: &CurrentUser,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), PortalError> {
        let ip = app::auth::client_ip();
        audit::record(&self.db, &user.username, &ip, action, target, &detail).await.map_err(db_error)
    }
}
