//! `Audit::record`: appends an entry for the signed-in user, from the request's address.

use crate::auth::CurrentUser;

use super::{log as audit, Audit, AuditError};

impl Audit {
    pub async fn record(
        &self,
        user: &CurrentUser,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), AuditError> {
        let ip = crate::auth::client_ip();
        Ok(audit::record(&self.db, &user.username, &ip, action, target, &detail).await?)
    }
}
