use crate::api::{clusters::*, PortalError};

#[async_trait::async_trait]
pub trait ClustersBackend {
    async fn list_clusters(&self) -> Result<Vec<ClusterSummary>, PortalError>;
    async fn cluster_detail(&self, cluster: &str) -> Result<ClusterDetail, PortalError>;
}
