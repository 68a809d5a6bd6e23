//! Writes a request's rollout into the history (`server::history` reads it).

use super::error::ChangeError;
use sqlx::Row;

use super::ChangeEngine;
use super::{store, store::StoredRequest};
use crate::services::{
    clock::now_ms,
    history::store::{finish_rollout, insert_rollout, NewRollout},
};

/// Adds the request's rollout with `status` (IN_PROGRESS, or FAILED when ECS refused the call).
pub async fn start(
    state: &ChangeEngine,
    r: &StoredRequest,
    deployment_arn: &str,
    status: &str,
    reason: &str,
) -> Result<(), ChangeError> {
    // Once per request, even if a resumed execution gets here again.
    let exists = sqlx::query("SELECT id FROM rollouts WHERE request_id = $1")
        .bind(&r.row.id)
        .fetch_optional(state.db.pool())
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let approvers = store::approvers(&state.db, &r.row.id, r.version).await?;
    let now = now_ms();
    let id = insert_rollout(
        &state.db,
        &NewRollout {
            request_id: Some(r.row.id.clone()),
            source: "portal".into(),
            kind: r.row.kind.as_str().into(),
            cluster: r.row.cluster.clone(),
            daemon: r.row.daemon.clone(),
            team: r.row.team.clone(),
            requester: r.row.requester.clone(),
            approvers,
            from_revision: r.row.from_revision.clone(),
            to_revision: r.row.to_revision.clone(),
            diff: r.diff.clone(),
            deployment_arn: Some(deployment_arn.to_string()).filter(|a| !a.is_empty()),
            status: status.to_string(),
            reason: String::new(),
            started_at: r.executed_at.unwrap_or(now),
            environment: r.environment.clone(),
        },
    )
    .await?;
    if status != "IN_PROGRESS" {
        finish_rollout(&state.db, &id, status, reason, now).await?;
    }
    Ok(())
}

/// Records how the request's rollout ended.
pub async fn finish(
    state: &ChangeEngine,
    request_id: &str,
    status: &str,
    reason: &str,
) -> Result<(), ChangeError> {
    let row = sqlx::query("SELECT id FROM rollouts WHERE request_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(request_id)
        .fetch_optional(state.db.pool())
        .await?;
    if let Some(row) = row {
        let id: String = row.try_get("id")?;
        finish_rollout(&state.db, &id, status, reason, now_ms()).await?;
    }
    Ok(())
}
