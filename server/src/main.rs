use std::process::ExitCode;

use clap::Parser;
use server::{config::Config, startup::Application, telemetry};

fn main() -> ExitCode {
    // More workers than the 2 cores: the embedded emulator shares this runtime, and a request
    // that waits on its state lock must not leave the portal without a free worker.
    // 8 MiB stacks: server-rendering a large page nests many futures, which in a debug build
    // overflowed tokio's default 2 MiB.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(8)
        .thread_stack_size(8 * 1024 * 1024)
        .enable_all()
        .build();
    match runtime {
        Ok(rt) => rt.block_on(serve()),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> ExitCode {
    let config = match Config::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // One line that names the setting, instead of clap's multi-line usage block.
            let first = e.to_string().lines().next().unwrap_or("invalid configuration").to_string();
            eprintln!("{first}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = config.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    telemetry::init(&config.log_level, config.log_format);
    config.log_effective();

    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(address = %app.address(), "Daemon Portal listening on http://{}", app.address());
    if let Some(metrics) = app.metrics_address() {
        tracing::info!(address = %metrics, "Prometheus metrics on http://{metrics}/metrics");
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
