use crate::api::{daemons::*, PortalError};
use crate::domain::deployment::DeploySpec;

#[async_trait::async_trait]
pub trait DaemonsBackend {
    async fn list_daemons(&self, cluster: &str) -> Result<Vec<DaemonRow>, PortalError>;
    async fn daemon_detail(&self, cluster: &str, name: &str) -> Result<DaemonDetail, PortalError>;
    async fn deploy_options(&self, cluster: &str) -> Result<DeployOptions, PortalError>;
    /// Creates the daemon, or updates it when `spec.daemon_arn` is set; returns the deployment ARN.
    async fn deploy(&self, spec: DeploySpec) -> Result<String, PortalError>;
    async fn delete_daemon(&self, cluster: &str, name: &str) -> Result<String, PortalError>;
}
