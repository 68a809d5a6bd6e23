//! `AuditBackend`: appends to the audit log.

use crate::{api::PortalError, auth::CurrentUser};

use super::{log as audit, Audit};

impl Audit {
    pub async fn record(
        &self,
        user: &CurrentUser,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), PortalError> {
        let ip = crate::auth::client_ip();
        Ok(audit::record(&self.db, &user.username, &ip, action, target, &detail).await?)
    }
}
