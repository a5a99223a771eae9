//! directconnect-exporter: parse flags, set up logs, run until SIGTERM/SIGINT.

use std::process::ExitCode;

use clap::Parser;
use directconnect_exporter::{app, cli::Cli, logging};

/// jemalloc: it hands the memory of a collection cycle's temporaries back to the system
/// within seconds, where glibc's malloc keeps most of it resident (figures in
/// docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("directconnect-exporter: {first} (see --help)");
            return ExitCode::from(app::EX_USAGE);
        }
    };
    logging::init(&cli.log);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("directconnect-exporter: {e}");
            ExitCode::from(
                e.downcast_ref::<app::AppError>()
                    .map_or(app::EX_FAILURE, app::AppError::exit_code),
            )
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Handlers are installed before anything starts, so an early SIGTERM still stops
        // the process cleanly instead of killing it.
        let shutdown = shutdown_signal()?;
        app::run(cli, shutdown).await?;
        anyhow::Ok(())
    })
}

/// Registers SIGTERM and SIGINT now; the returned future completes on the first of them.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Ctrl-C where there are no Unix signals.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
