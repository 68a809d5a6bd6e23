//! Logging: `tracing` to stderr, human or JSON, filtered like `RUST_LOG`.

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber. Safe to call more than once (tests): later calls are no-ops.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Human => registry.with(fmt::layer().with_writer(std::io::stderr)).try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer().json().flatten_event(true).with_current_span(true).with_writer(std::io::stderr),
            )
            .try_init(),
    };
}
