use crate::api::{
    history::{AuditPage, HistoryPage},
    PortalError,
};
use crate::domain::history::{AuditFilter, HistoryFilter, PageAt};

/// Reads of the rollout history and the audit log (both only ever appended to).
#[async_trait::async_trait]
pub trait HistoryBackend {
    async fn list_history(
        &self,
        filter: &HistoryFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<HistoryPage, PortalError>;
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<AuditPage, PortalError>;
}
