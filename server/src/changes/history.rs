//! Writes a request's rollout into the history (`server::history` reads it).

use app::api::PortalError;
use sqlx::Row;

use super::{store, store::StoredRequest};
use crate::{
    auth::{db_error, now_ms},
    history::store::{finish_rollout, insert_rollout, NewRollout},
    state::AppState,
};

/// Adds the request's rollout with `status` (IN_PROGRESS, or FAILED when ECS refused the call).
pub async fn start(
    state: &AppState,
    r: &StoredRequest,
    deployment_arn: &str,
    status: &str,
    reason: &str,
) -> Result<(), PortalError> {
    // Once per request, even if a resumed execution gets here again.
    let exists = sqlx::query("SELECT id FROM rollouts WHERE request_id = $1")
        .bind(&r.row.id)
        .fetch_optional(state.db.pool())
        .await
        .map_err(db_error)?;
    if exists.is_some() {
        return Ok(());
    }
    let approvers = store::approvers(&state.db, &r.row.id, r.version).await.map_err(db_error)?;
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
        },
    )
    .await
    .map_err(db_error)?;
    if status != "IN_PROGRESS" {
        finish_rollout(&state.db, &id, status, reason, now).await.map_err(db_error)?;
    }
    Ok(())
}

/// Records how the request's rollout ended.
pub async fn finish(
    state: &AppState,
    request_id: &str,
    status: &str,
    reason: &str,
) -> Result<(), PortalError> {
    let row = sqlx::query("SELECT id FROM rollouts WHERE request_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(request_id)
        .fetch_optional(state.db.pool())
        .await
        .map_err(db_error)?;
    if let Some(row) = row {
        let id: String = row.try_get("id").map_err(db_error)?;
        finish_rollout(&state.db, &id, status, reason, now_ms()).await.map_err(db_error)?;
    }
    Ok(())
}
