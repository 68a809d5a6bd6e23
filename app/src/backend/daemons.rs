#[async_trait::async_trait]
pub trait DaemonsBackend {}
