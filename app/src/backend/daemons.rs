use crate::api::{daemons::*, PortalError};

#[async_trait::async_trait]
pub trait DaemonsBackend {
    async fn list_daemons(&self, cluster: &str) -> Result<Vec<DaemonRow>, PortalError>;
    async fn daemon_detail(&self, cluster: &str, name: &str) -> Result<DaemonDetail, PortalError>;
    async fn deploy_options(&self, cluster: &str) -> Result<DeployOptions, PortalError>;
}
