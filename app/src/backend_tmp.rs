//! The seam between server functions (in this crate) and the IO that serves them (in
//! `server/`). Server functions take an [`BackendHandle`] from the Leptos context.

use std::sync::Arc;

/// Everything the UI's server functions need from storage and ECS.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {}

pub type BackendHandle = Arc<dyn Backend>;
