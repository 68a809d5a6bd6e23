use app::backend::ClustersBackend;

use crate::state::AppState;

#[async_trait::async_trait]
impl ClustersBackend for AppState {}
