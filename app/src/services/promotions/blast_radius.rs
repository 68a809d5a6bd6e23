//! Each stage's blast radius, before a promotion starts: what its deployment will replace.

use super::{PromotionError, Promotions};
use crate::{
    api::promotions::StageBlast,
    domain::{
        blast_radius::{DurationEstimate, ProviderBlast},
        pipeline::StageSpec,
    },
    services::history::History,
};

impl Promotions {
    /// Every stage's preview; a stage whose cluster cannot be read says why instead.
    pub async fn blast_radius(&self, stages: &[StageSpec]) -> Vec<StageBlast> {
        let mut out = Vec::new();
        for s in stages {
            let providers = match self.stage_blast(s).await {
                Ok(p) => Ok(p),
                Err(e) => Err(crate::api::PortalError::from(e).to_string()),
            };
            out.push(StageBlast { stage: s.name.clone(), target: s.target_label(), providers });
        }
        out
    }

    async fn stage_blast(&self, s: &StageSpec) -> Result<Vec<ProviderBlast>, PromotionError> {
        let engine = self.engine_for(&s.environment).await?;
        engine.gateway.cluster_summary(&s.cluster).await?;
        let counts = engine.gateway.blast_counts(&s.cluster).await?;
        let history = History { db: self.db().clone() };
        let durations = history
            .provider_durations(&engine.environment.name, &s.cluster)
            .await
            .map_err(|e| PromotionError::Conflict(e.to_string()))?;
        Ok(s.capacity_providers
            .iter()
            .map(|name| {
                let (instances, app_tasks) = counts.get(name).copied().unwrap_or((0, 0));
                let estimate = durations.get(name).and_then(|d| DurationEstimate::from_samples(d));
                ProviderBlast::new(name, instances, app_tasks, s.drain_percent, estimate)
            })
            .collect())
    }
}
