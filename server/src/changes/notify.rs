//! The notification hook: when a request needs approval and when it ends, a JSON message is
//! POSTed to the configured webhook URL (`PORTAL_WEBHOOK_URL`). Messages go through an outbox
//! table first, so a message survives a restart and exactly one replica sends each.

use serde_json::json;
use sqlx::Row;

use super::store;
use crate::{auth::now_ms, state::AppState};

/// Give up on a message after this many failed attempts.
const MAX_ATTEMPTS: i64 = 8;
const LEASE_MS: i64 = 30_000;

/// Queues `event` (`approval_needed` or `request_ended`) about request `id`, if a webhook is set.
/// Failures are logged: the change itself has happened.
pub async fn enqueue(state: &AppState, event: &str, id: &str) {
    if state.webhook_url.is_none() {
        return;
    }
    let result = async {
        let Some(r) = store::get(&state.db, id).await? else { return Ok(()) };
        let payload = json!({
            "event": event,
            "request": {
                "id": r.row.id,
                "kind": r.row.kind.as_str(),
                "state": r.row.state.as_str(),
                "summary": r.row.summary,
                "requester": r.row.requester,
                "team": r.row.team,
                "cluster": r.row.cluster,
                "daemon": r.row.daemon,
                "from_revision": r.row.from_revision,
                "to_revision": r.row.to_revision,
                "approvals": r.row.approvals,
                "approvals_required": r.row.approvals_required,
                "outcome": r.outcome,
                "path": format!("/approvals/{}", r.row.id),
            },
        });
        sqlx::query("INSERT INTO notifications (event, payload, created_at) VALUES ($1, $2, $3)")
            .bind(event)
            .bind(payload.to_string())
            .bind(now_ms())
            .execute(state.db.pool())
            .await
            .map(|_| ())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(request = id, event, error = %e, "queueing a webhook message failed");
    }
}

/// Sends the messages that are due (called by the worker).
pub async fn deliver_due(state: &AppState) -> Result<(), sqlx::Error> {
    let Some(url) = state.webhook_url.clone() else { return Ok(()) };
    let now = now_ms();
    let due: Vec<i64> = sqlx::query(
        "SELECT id FROM notifications WHERE sent_at = 0 AND attempts < $1 AND next_attempt_at <= $2 \
         AND lease_until < $2 ORDER BY id LIMIT 20",
    )
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .fetch_all(state.db.pool())
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    for id in due {
        let claimed = sqlx::query(
            "UPDATE notifications SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND sent_at = 0 AND lease_until < $4",
        )
        .bind(&state.instance)
        .bind(now + LEASE_MS)
        .bind(id)
        .bind(now)
        .execute(state.db.pool())
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue;
        }
        let payload: String = sqlx::query("SELECT payload FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_one(state.db.pool())
            .await?
            .try_get("payload")?;
        let sent = state
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(payload)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| if r.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", r.status())) });
        match sent {
            Ok(()) => {
                sqlx::query("UPDATE notifications SET sent_at = $1, lease_until = 0 WHERE id = $2")
                    .bind(now_ms())
                    .bind(id)
                    .execute(state.db.pool())
                    .await?;
            }
            Err(e) => {
                tracing::warn!(notification = id, error = %e, "webhook delivery failed; will retry");
                sqlx::query(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = $1, lease_until = 0, \
                     next_attempt_at = $2 + 1000 * (attempts + 1) * (attempts + 1) WHERE id = $3",
                )
                .bind(e)
                .bind(now_ms())
                .bind(id)
                .execute(state.db.pool())
                .await?;
            }
        }
    }
    Ok(())
}
