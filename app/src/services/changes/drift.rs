//! Out-of-band changes: daemon deployments that no change request started (console, CLI,
//! infrastructure as code) are written into the history as `out_of_band`. One replica at a
//! time runs the check (a named lease in `worker_leases`), every `drift_interval`.

use super::error::ChangeError;
use sqlx::Row;

use super::ChangeEngine;
use crate::services::{
    clock::now_ms,
    gateway::ecs_queries::short_name,
    history::store::{finish_rollout, insert_rollout, NewRollout},
};

const TERMINAL: [&str; 4] = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];

pub async fn check_if_due(state: &ChangeEngine) -> Result<(), ChangeError> {
    let interval = state.worker.drift_interval.as_millis() as i64;
    if interval == 0 || !crate::services::leases::take(&state.db, &state.instance, "drift", interval).await? {
        return Ok(());
    }
    check(state).await
}

async fn known(state: &ChangeEngine, deployment_arn: &str) -> Result<bool, ChangeError> {
    let row = sqlx::query(
        "SELECT 1 AS k FROM change_requests WHERE deployment_arn = $1 \
         UNION ALL SELECT 1 AS k FROM rollouts WHERE deployment_arn = $1",
    )
    .bind(deployment_arn)
    .fetch_optional(state.db.pool())
    .await?;
    Ok(row.is_some())
}

/// A portal request on this daemon is between its ECS call and recording the result.
async fn portal_call_in_flight(
    state: &ChangeEngine,
    cluster: &str,
    daemon: &str,
) -> Result<bool, ChangeError> {
    let row = sqlx::query(
        "SELECT 1 AS k FROM change_requests WHERE cluster = $1 AND daemon = $2 AND state = 'executing' \
         AND deployment_arn IS NULL AND environment = $3",
    )
    .bind(cluster)
    .bind(daemon)
    .bind(&state.environment.name)
    .fetch_optional(state.db.pool())
    .await?;
    Ok(row.is_some())
}

/// One pass over every daemon of every cluster of every environment; an environment that
/// fails is logged and the others still checked.
pub async fn check(state: &ChangeEngine) -> Result<(), ChangeError> {
    for row in state.environments.list().await? {
        let engine = state.within(Some(&row.env.name)).await?;
        if let Err(e) = check_environment(&engine).await {
            tracing::warn!(environment = %row.env.name, error = ?e, "drift check failed");
        }
    }
    Ok(())
}

async fn check_environment(state: &ChangeEngine) -> Result<(), ChangeError> {
    for cluster in state.gateway.cluster_summaries(None).await? {
        for daemon_arn in state.gateway.daemon_arns(&cluster.name).await? {
            let Some(d) = state.gateway.describe_daemon(&daemon_arn).await? else { continue };
            let Some(deployment) = d.deployment_arn.clone().filter(|a| !a.is_empty()) else { continue };
            let name = daemon_arn.rsplit('/').next().unwrap_or_default().to_string();
            let last: Option<String> =
                sqlx::query("SELECT last_deployment_arn FROM daemon_watch WHERE daemon_arn = $1")
                    .bind(&daemon_arn)
                    .fetch_optional(state.db.pool())
                    .await?
                    .map(|r| r.try_get("last_deployment_arn"))
                    .transpose()?;
            if last.as_deref() == Some(deployment.as_str())
                || portal_call_in_flight(state, &cluster.name, &name).await?
            {
                continue;
            }
            state.gateway.cache.invalidate_cluster(&cluster.name); // a deployment this replica had not seen
            if !known(state, &deployment).await? {
                record(state, &cluster.name, &name, &deployment).await?;
            }
            sqlx::query(
                "INSERT INTO daemon_watch (daemon_arn, cluster, daemon, last_deployment_arn, checked_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (daemon_arn) DO UPDATE SET \
                 last_deployment_arn = excluded.last_deployment_arn, checked_at = excluded.checked_at",
            )
            .bind(&daemon_arn)
            .bind(&cluster.name)
            .bind(&name)
            .bind(&deployment)
            .bind(now_ms())
            .execute(state.db.pool())
            .await?;
        }
    }
    finish_open(state).await
}

/// `family:revision` of a daemon revision ARN's task definition.
async fn revision_name(state: &ChangeEngine, revision_arn: Option<String>) -> Result<String, ChangeError> {
    let Some(arn) = revision_arn else { return Ok(String::new()) };
    let revs = state.gateway.revisions(vec![arn.clone()]).await?;
    Ok(revs
        .get(&arn)
        .and_then(|r| r.daemon_task_definition_arn.as_deref())
        .map(short_name)
        .unwrap_or_default())
}

async fn record(
    state: &ChangeEngine,
    cluster: &str,
    daemon: &str,
    deployment_arn: &str,
) -> Result<(), ChangeError> {
    let Some(d) = state.gateway.deployments(vec![deployment_arn.to_string()]).await?.into_iter().next()
    else {
        return Ok(());
    };
    let to = revision_name(state, d.target_daemon_revision.as_ref().and_then(|t| t.arn.clone())).await?;
    let from = revision_name(
        state,
        d.source_daemon_revisions.as_ref().and_then(|s| s.first()).and_then(|s| s.arn.clone()),
    )
    .await?;
    let status = d.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default();
    let started_at = d.created_at.map(|t| (t.as_secs_f64() * 1000.0) as i64).unwrap_or_else(now_ms);
    let team = super::ownership::owner(&state.db, "daemon", &state.daemon_key(cluster, daemon))
        .await?
        .unwrap_or_default();
    let id = insert_rollout(
        &state.db,
        &NewRollout {
            request_id: None,
            source: "out_of_band".into(),
            kind: if from.is_empty() { "deploy" } else { "update" }.into(),
            cluster: cluster.into(),
            daemon: daemon.into(),
            team,
            requester: String::new(),
            approvers: vec![],
            from_revision: from,
            to_revision: to,
            diff: "(changed outside the portal)".into(),
            deployment_arn: Some(deployment_arn.into()),
            status: status.clone(),
            reason: d.status_reason.clone().unwrap_or_default(),
            started_at,
            environment: Some(state.environment.name.clone()),
        },
    )
    .await?;
    tracing::info!(cluster, daemon, deployment_arn, "recorded an out-of-band daemon change");
    if TERMINAL.contains(&status.as_str()) {
        let ended =
            d.finished_at.or(d.stopped_at).map(|t| (t.as_secs_f64() * 1000.0) as i64).unwrap_or_else(now_ms);
        finish_rollout(&state.db, &id, &status, d.status_reason.as_deref().unwrap_or_default(), ended)
            .await?;
    }
    Ok(())
}

/// Out-of-band rollouts seen while running: record how they ended.
async fn finish_open(state: &ChangeEngine) -> Result<(), ChangeError> {
    let open: Vec<(String, String)> = sqlx::query(
        "SELECT id, deployment_arn FROM rollouts WHERE source = 'out_of_band' AND ended_at IS NULL \
         AND deployment_arn IS NOT NULL AND environment = $1 LIMIT 100",
    )
    .bind(&state.environment.name)
    .fetch_all(state.db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("deployment_arn")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    for (id, arn) in open {
        if let Some(d) = state.gateway.deployments(vec![arn]).await?.into_iter().next() {
            let status = d.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default();
            if TERMINAL.contains(&status.as_str()) {
                finish_rollout(
                    &state.db,
                    &id,
                    &status,
                    d.status_reason.as_deref().unwrap_or_default(),
                    now_ms(),
                )
                .await?;
            }
        }
    }
    Ok(())
}
