//! How long the portal's past deployments took, per capacity provider: the blast-radius
//! preview's estimate. Both ends of a duration are the portal's clock (the request started
//! executing; the worker saw the deployment end), never one of ECS's times against the portal's.

use std::collections::HashMap;

use super::{History, HistoryError};

/// Past deployments considered per provider (the newest).
const SAMPLES: usize = 20;

impl History {
    /// Provider name → durations (seconds) of the newest successful portal deployments on
    /// `cluster` in `environment` that touched it.
    pub async fn provider_durations(
        &self,
        environment: &str,
        cluster: &str,
    ) -> Result<HashMap<String, Vec<f64>>, HistoryError> {
        let rows = sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT c.capacity_providers, r.started_at, r.ended_at FROM rollouts r \
             JOIN change_requests c ON c.id = r.request_id \
             WHERE r.source = 'portal' AND r.status = 'SUCCESSFUL' AND r.cluster = $1 \
             AND COALESCE(r.environment, '') = $2 AND r.ended_at > r.started_at \
             ORDER BY r.id DESC LIMIT 500",
        )
        .bind(cluster)
        .bind(environment)
        .fetch_all(self.db.pool())
        .await?;
        let mut out: HashMap<String, Vec<f64>> = HashMap::new();
        for (providers, started, ended) in rows {
            let providers: Vec<String> = serde_json::from_str(&providers).unwrap_or_default();
            for p in providers {
                let list = out.entry(p).or_default();
                if list.len() < SAMPLES {
                    list.push((ended - started) as f64 / 1000.0);
                }
            }
        }
        Ok(out)
    }
}
