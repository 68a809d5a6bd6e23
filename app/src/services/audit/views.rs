//! The audit log viewer's views of audit rows.

use crate::{
    api::history::{AuditPage, AuditView},
    domain::history::{AuditFilter, PageAt},
};

use super::{query as audit, Audit, AuditError};

pub fn audit_filter(f: &AuditFilter) -> audit::AuditFilter {
    audit::AuditFilter { actor: f.actor.clone(), action: f.action.clone(), from: f.from_ms, to: f.to_ms }
}

pub fn audit_view(r: audit::AuditRow) -> AuditView {
    AuditView {
        id: r.id,
        at: r.at,
        actor: r.actor,
        ip: r.ip,
        action: r.action,
        target: r.target,
        detail: r.detail,
    }
}

impl Audit {
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<AuditPage, AuditError> {
        let page = audit::list_audit(&self.db, &audit_filter(filter), at, limit).await?;
        Ok(AuditPage {
            rows: page.rows.into_iter().map(audit_view).collect(),
            older: page.older.map(|c| c.encode()),
            newer: page.newer.map(|c| c.encode()),
        })
    }
}
