use super::error::GatewayError;
use super::EcsGateway;
use crate::api::clusters::*;

impl EcsGateway {
    pub async fn list_clusters(&self) -> Result<Vec<ClusterSummary>, GatewayError> {
        self.cluster_summaries(None).await
    }

    pub async fn cluster_detail(&self, cluster: &str) -> Result<ClusterDetail, GatewayError> {
        let summary = self.cluster_summary(cluster).await?;
        let (providers, instances) =
            tokio::try_join!(self.providers(&summary), self.instances(cluster, None))?;
        let providers = providers
            .into_iter()
            .map(|mut p| {
                p.instances = instances.iter().filter(|i| i.capacity_provider == p.name).count() as u32;
                p
            })
            .collect();
        Ok(ClusterDetail { summary, providers, instances })
    }
}
