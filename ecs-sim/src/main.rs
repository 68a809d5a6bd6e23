//! `ecs-sim`: serve the emulator standalone, like moto's server mode.

use clap::Parser;
use ecs_sim::{SimOptions, WorldSpec};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "ecs-sim", about = "Local emulator of the Amazon ECS Managed Daemons API")]
struct Args {
    /// Address to listen on (loopback only is recommended).
    #[arg(long, env = "ECS_SIM_ADDR", default_value = "127.0.0.1:4599")]
    addr: String,
    /// Simulated seconds per wall-clock second.
    #[arg(long, env = "ECS_SIM_SPEED", default_value_t = ecs_sim::DEFAULT_SPEED)]
    speed: f64,
    /// `default`, `empty`, or a world JSON file.
    #[arg(long, env = "ECS_SIM_WORLD", default_value = "default")]
    world: WorldSpec,
    /// Persist state to (and load it from) this file.
    #[arg(long, env = "ECS_SIM_STATE_FILE")]
    state_file: Option<PathBuf>,
    /// Time only moves via POST /_sim/clock/advance.
    #[arg(long, env = "ECS_SIM_MANUAL_CLOCK")]
    manual_clock: bool,
    /// Start the simulated clock this many seconds ahead of wall time (negative: behind),
    /// like an AWS clock the portal's host disagrees with.
    #[arg(long, env = "ECS_SIM_CLOCK_OFFSET_SECS", default_value_t = 0, allow_hyphen_values = true)]
    clock_offset_secs: i64,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(&args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ecs-sim: cannot listen on {}: {e}", args.addr);
            std::process::exit(2);
        }
    };
    let opts = SimOptions {
        world: args.world,
        speed: args.speed,
        manual_clock: args.manual_clock,
        state_file: args.state_file,
        clock_offset_ms: args.clock_offset_secs * 1000,
    };
    let handle = match ecs_sim::serve(listener, opts).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("ecs-sim: {e}");
            std::process::exit(2);
        }
    };
    println!("endpoint: {}", handle.endpoint());
    println!("ecs-sim ready on {}", handle.endpoint());
    wait_for_stop().await;
    // Saves the state file, if any.
    handle.shutdown().await;
}

/// Ctrl-C or SIGTERM (what `kill` and process supervisors send).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
