//! The notification hook: when a request needs approval and when it ends, a JSON message is
//! POSTed to the configured webhook URL (`PORTAL_WEBHOOK_URL`). Messages go through an outbox
//! table first, so a message survives a restart and exactly one replica sends each.

use serde_json::json;
use sqlx::Row;

use super::store;
use super::ChangeEngine;
use crate::services::clock::now_ms;

/// Give up on a message after this many failed attempts.
const MAX_ATTEMPTS: i64 = 8;
const LEASE_MS: i64 = 30_000;

/// Queues `event` (`approval_needed` or `request_ended`) about request `id`, if a webhook is set.
/// Failures are logged: the change itself has happened.
pub async fn enqueue(state: &ChangeEngine, event: &str, id: &str) {
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
                "environment": r.row.environment,
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
        sqlx::query("INSERT INTO notifications (event, payload, created_at, id) VALUES ($1, $2, $3, $4)")
            .bind(event)
            .bind(payload.to_string())
            .bind(now_ms())
            .bind(crate::services::ids::new_id())
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
pub async fn deliver_due(state: &ChangeEngine) -> Result<(), sqlx::Error> {
    let Some(url) = state.webhook_url.clone() else { return Ok(()) };
    let now = now_ms();
    let due: Vec<String> = sqlx::query(
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
        .bind(&id)
        .bind(now)
        .execute(state.db.pool())
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue;
        }
        let payload: String = sqlx::query("SELECT payload FROM notifications WHERE id = $1")
            .bind(&id)
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
            .map_err(delivery_error)
            .and_then(|r| if r.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", r.status())) });
        match sent {
            Ok(()) => {
                sqlx::query("UPDATE notifications SET sent_at = $1, lease_until = 0 WHERE id = $2")
                    .bind(now_ms())
                    .bind(&id)
                    .execute(state.db.pool())
                    .await?;
            }
            Err(e) => {
                tracing::warn!(notification = %id, error = %e, "webhook delivery failed; will retry");
                sqlx::query(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = $1, lease_until = 0, \
                     next_attempt_at = $2 + 1000 * (attempts + 1) * (attempts + 1) WHERE id = $3",
                )
                .bind(e)
                .bind(now_ms())
                .bind(&id)
                .execute(state.db.pool())
                .await?;
            }
        }
    }
    Ok(())
}

/// A delivery failure as text for the log and `notifications.last_error`, without the URL:
/// a Slack-style webhook URL is itself the secret that lets anyone post.
fn delivery_error(e: reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    format!("webhook request {what}: {}", e.without_url())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn delivery_errors_do_not_name_the_url() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let url = format!("http://127.0.0.1:{port}/services/T000/B000/s3cr3tt0ken");
        let e = reqwest::Client::new().post(&url).send().await.unwrap_err();
        assert!(e.to_string().contains("s3cr3tt0ken"), "reqwest names it: {e}");
        let text = super::delivery_error(e);
        assert!(!text.contains("s3cr3tt0ken") && !text.contains(&port.to_string()), "{text}");
        assert!(text.contains("could not connect"), "{text}");
    }
}
