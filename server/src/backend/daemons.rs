use app::backend::DaemonsBackend;

use crate::state::AppState;

#[async_trait::async_trait]
impl DaemonsBackend for AppState {}
