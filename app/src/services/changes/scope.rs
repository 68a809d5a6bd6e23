//! Where a change request acts: the capacity providers its daemon runs on now, read from ECS.
//! With the providers it will run on, they make the request's `domain::policy::Scope`, which
//! decides its policies and freeze windows (a delete or a move is governed by the providers it
//! leaves too).

use super::error::ChangeError;
use crate::services::gateway::error::GatewayError;

use super::ChangeEngine;
use crate::services::gateway::ecs_queries::short_name;

impl ChangeEngine {
    /// The capacity providers of daemon `name`'s current revisions on `cluster` (empty when
    /// there is no such daemon or cluster: a new daemon runs nowhere yet).
    ///
    /// Read fresh, not from the short-lived cache: a policy decision must not rest on what the
    /// daemon looked like a few seconds ago. The answer refills the cache, so the preparation
    /// of the request that follows reads the same state without another call.
    pub(crate) async fn providers_now(&self, cluster: &str, name: &str) -> Result<Vec<String>, ChangeError> {
        let summary = match self.gateway.cluster_summary(cluster).await {
            Ok(s) => s,
            Err(GatewayError::NotFound(_)) => return Ok(vec![]),
            Err(e) => return Err(e.into()),
        };
        let prefix = summary.arn.split(":cluster/").next().unwrap_or(&summary.arn);
        let arn = format!("{prefix}:daemon/{cluster}/{name}");
        self.gateway.cache.daemons.remove_where(|a| *a == arn);
        let Some(daemon) = self.gateway.describe_daemon(&arn).await? else { return Ok(vec![]) };
        let mut providers: Vec<String> = daemon
            .current_revisions
            .unwrap_or_default()
            .into_iter()
            .flat_map(|r| r.capacity_providers.unwrap_or_default())
            .filter_map(|p| p.arn.map(|a| short_name(&a)))
            .collect();
        providers.sort();
        providers.dedup();
        Ok(providers)
    }
}
