//! When a promotion's stage may start: the freeze windows (deny) of where it runs.

use crate::services::{db::Db, promotions::gates::WindowGate};

/// The window gate of a stage in `environment` on `cluster` touching `providers` at `at_ms`.
pub async fn stage_gate(
    db: &Db,
    environment: &str,
    cluster: &str,
    providers: &[String],
    at_ms: i64,
) -> Result<WindowGate, sqlx::Error> {
    let freezes = super::freezes::freezes_for(db, environment, cluster, providers, at_ms).await?;
    if freezes.is_empty() {
        return Ok(WindowGate::Open);
    }
    let reasons: Vec<String> = freezes.iter().map(|f| f.reason.clone()).collect();
    match freezes.iter().filter_map(|f| f.next_end_after(at_ms)).max() {
        Some(end) => Ok(WindowGate::Until(end, format!("freeze: {}", reasons.join("; ")))),
        None => Ok(WindowGate::Closed(format!("freeze: {}", reasons.join("; ")))),
    }
}
