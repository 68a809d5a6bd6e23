//! Server functions and the types they exchange with the browser, one module per area.

mod error;
pub mod task_definitions;

pub use error::PortalError;
