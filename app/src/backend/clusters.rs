#[async_trait::async_trait]
pub trait ClustersBackend {}
