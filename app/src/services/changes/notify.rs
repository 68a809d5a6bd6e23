//! The notification hook: when a request needs approval and when it ends, a message is POSTed
//! to the configured webhook URL (`PORTAL_WEBHOOK_URL`). Messages go through an outbox table
//! first, so a message survives a restart and exactly one replica sends each.
//!
//! The outbox keeps the portal's own JSON message; at delivery it is sent as it is
//! (`PORTAL_WEBHOOK_FORMAT=json`) or turned into a Slack Block Kit message (`slack`: a `text`
//! fallback and a section block with the summary, state and a link to the request page).
//! With `PORTAL_WEBHOOK_SECRET` set, every delivery is signed: see [`signature`].

use std::fmt;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::Row;

use super::store;
use super::ChangeEngine;
use crate::services::clock::now_ms;

/// Give up on a message after this many failed attempts.
pub const MAX_ATTEMPTS: i64 = 8;
const LEASE_MS: i64 = 30_000;

/// The signature header: `sha256=<hex HMAC-SHA256>` (see [`signature`]).
pub const SIGNATURE_HEADER: &str = "X-Daemon-Portal-Signature";
/// The delivery time, in Unix seconds, that the signature covers.
pub const TIMESTAMP_HEADER: &str = "X-Daemon-Portal-Timestamp";

/// The shape of the body POSTed to the webhook.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebhookFormat {
    /// The portal's own JSON message (`event`, `request`).
    #[default]
    Json,
    /// A Slack incoming-webhook message (Block Kit); also what Mattermost and others accept.
    Slack,
}

/// Where and how change request notifications are sent.
#[derive(Clone, Default)]
pub struct WebhookSettings {
    /// None: no messages.
    pub url: Option<String>,
    pub format: WebhookFormat,
    /// The HMAC key that signs every delivery; None: unsigned.
    pub secret: Option<String>,
    /// The portal's public address (`PORTAL_PUBLIC_URL`), for links to the request page.
    pub public_url: Option<String>,
}

impl fmt::Debug for WebhookSettings {
    /// Neither the URL (a Slack webhook URL lets anyone post) nor the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url.as_ref().map(|_| "***"))
            .field("format", &self.format)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// The signature of a delivery: `sha256=` and the lowercase hex HMAC-SHA256, keyed with the
/// secret's UTF-8 bytes, of the timestamp (decimal Unix seconds, as sent in
/// [`TIMESTAMP_HEADER`]), a `.`, and the exact bytes of the body. A receiver recomputes it over
/// the raw body it read, compares in constant time, and refuses timestamps more than a few
/// minutes from its own clock (a replayed delivery keeps its old timestamp).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Escapes text for Slack's mrkdwn (`&`, `<`, `>` are its control characters).
fn mrkdwn(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The Slack Block Kit message for one of the portal's JSON messages: `text` (the fallback
/// shown in notifications) and one section block whose mrkdwn text has the summary, the
/// state and a link to the request page (a plain path when `PORTAL_PUBLIC_URL` is unset).
pub fn slack_message(message: &Value, public_url: Option<&str>) -> Value {
    let r = &message["request"];
    let text_of = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let (id, summary, state) = (text_of("id"), text_of("summary"), text_of("state"));
    let headline = match message["event"].as_str() {
        Some("approval_needed") => "Change request needs approval".to_string(),
        Some("request_ended") => format!("Change request {}", state.replace('_', " ")),
        Some(other) => format!("Change request: {other}"),
        None => "Change request".to_string(),
    };
    let path = r["path"].as_str().map(str::to_string).unwrap_or_else(|| format!("/approvals/{id}"));
    let link = match public_url {
        Some(base) => format!("<{}{}|{}>", base.trim_end_matches('/'), path, mrkdwn(&id)),
        None => format!("`{}`", mrkdwn(&path)),
    };
    let mut where_ = Vec::new();
    for (label, key) in [
        ("Requested by", "requester"),
        ("Environment", "environment"),
        ("Cluster", "cluster"),
        ("Daemon", "daemon"),
    ] {
        let v = text_of(key);
        if !v.is_empty() {
            where_.push(format!("*{label}:* {}", mrkdwn(&v)));
        }
    }
    let mut lines =
        vec![format!("*{headline}*: {}", mrkdwn(&summary)), format!("*State:* `{}`", mrkdwn(&state))];
    if !where_.is_empty() {
        lines.push(where_.join(" · "));
    }
    lines.push(format!("*Request:* {link}"));
    let section = lines.join("\n");
    json!({
        // Slack reads `text` as mrkdwn too.
        "text": format!("{headline}: {} ({})", mrkdwn(&summary), mrkdwn(&state)),
        "blocks": [
            { "type": "section", "text": { "type": "mrkdwn", "text": section } }
        ],
    })
}

/// Queues `event` (`approval_needed` or `request_ended`) about request `id`, if a webhook is set.
/// Failures are logged: the change itself has happened.
pub async fn enqueue(state: &ChangeEngine, event: &str, id: &str) {
    if state.webhook.url.is_none() {
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
                "url": state.webhook.public_url.as_ref().map(|u| format!("{u}/approvals/{}", r.row.id)),
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
    let Some(url) = state.webhook.url.clone() else { return Ok(()) };
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
        let body = match state.webhook.format {
            WebhookFormat::Json => payload,
            WebhookFormat::Slack => match serde_json::from_str::<Value>(&payload) {
                Ok(message) => slack_message(&message, state.webhook.public_url.as_deref()).to_string(),
                Err(_) => payload,
            },
        };
        let mut post = state
            .http
            .post(&url)
            .header("content-type", "application/json")
            .timeout(std::time::Duration::from_secs(10));
        if let Some(secret) = &state.webhook.secret {
            let timestamp = now_ms() / 1000;
            post = post
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(SIGNATURE_HEADER, signature(secret, timestamp, body.as_bytes()));
        }
        let sent = post.body(body).send().await.map_err(delivery_error).and_then(|r| {
            let status = r.status();
            if status.is_success() {
                Ok(())
            } else {
                let outcome = if status.is_client_error() { "http_4xx" } else { "http_5xx" };
                Err((outcome, format!("HTTP {status}")))
            }
        });
        crate::services::metrics::webhook_delivery(match &sent {
            Ok(()) => "delivered",
            Err((outcome, _)) => outcome,
        });
        match sent.map_err(|(_, text)| text) {
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

/// A delivery failure: its outcome label for `/metrics`, and its text for the log and
/// `notifications.last_error`, without the URL: a Slack-style webhook URL is itself the secret
/// that lets anyone post.
fn delivery_error(e: reqwest::Error) -> (&'static str, String) {
    let (outcome, what) = if e.is_timeout() {
        ("timeout", "timed out")
    } else if e.is_connect() {
        ("connection_error", "could not connect")
    } else {
        ("error", "failed")
    };
    (outcome, format!("webhook request {what}: {}", e.without_url()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// RFC 4231 test case 2 (key "Jefe"), through the same HMAC the signature uses.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    /// A known vector, computed independently (Python: `hmac.new(b"s3cret",
    /// b'1700000000.{"event":"approval_needed"}', hashlib.sha256).hexdigest()`).
    #[test]
    fn the_signature_covers_the_timestamp_a_dot_and_the_body() {
        let body = br#"{"event":"approval_needed"}"#;
        assert_eq!(
            super::signature("s3cret", 1_700_000_000, body),
            "sha256=1d84af1e772b7fee2d7ae5232fe4d7f42383f6a9e40a7b3d89a9097b82359a80"
        );
        assert_ne!(
            super::signature("s3cret", 1_700_000_001, body),
            super::signature("s3cret", 1_700_000_000, body)
        );
    }

    #[test]
    fn slack_messages_have_a_fallback_and_a_section_with_a_link() {
        let message = json!({
            "event": "approval_needed",
            "request": {"id": "r1", "state": "pending", "summary": "Deploy <agent> & co", "requester": "alice",
                        "cluster": "prod", "path": "/approvals/r1"}
        });
        let slack = super::slack_message(&message, Some("https://portal.example/"));
        assert_eq!(slack["text"], "Change request needs approval: Deploy &lt;agent&gt; &amp; co (pending)");
        let text = slack["blocks"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(slack["blocks"][0]["type"], "section");
        assert_eq!(slack["blocks"][0]["text"]["type"], "mrkdwn");
        assert!(text.contains("Deploy &lt;agent&gt; &amp; co"), "{text}");
        assert!(text.contains("*State:* `pending`"), "{text}");
        assert!(text.contains("<https://portal.example/approvals/r1|r1>"), "{text}");
        let unlinked = super::slack_message(&message, None);
        assert!(unlinked["blocks"][0]["text"]["text"].as_str().unwrap().contains("`/approvals/r1`"));
    }

    #[tokio::test]
    async fn delivery_errors_do_not_name_the_url() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let url = format!("http://127.0.0.1:{port}/services/T000/B000/s3cr3tt0ken");
        let e = reqwest::Client::new().post(&url).send().await.unwrap_err();
        assert!(e.to_string().contains("s3cr3tt0ken"), "reqwest names it: {e}");
        let (outcome, text) = super::delivery_error(e);
        assert_eq!(outcome, "connection_error");
        assert!(!text.contains("s3cr3tt0ken") && !text.contains(&port.to_string()), "{text}");
        assert!(text.contains("could not connect"), "{text}");
    }
}
