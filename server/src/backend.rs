//! The server's implementation of `app::backend::Backend`: what server functions call.

use crate::state::AppState;

#[async_trait::async_trait]
impl app::backend::Backend for AppState {}
