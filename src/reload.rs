//! Reloading `--config.file` while running, as Prometheus does: on SIGHUP, and when the
//! file's content changes (checked every `--config.reload-interval`). A good file is
//! applied to the scheduler (tasks of removed targets stop and their series go; unchanged
//! tasks keep running); a bad one keeps the running config, logs one line, and sets
//! `config_reload_success` to 0.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::collector::Scheduler;
use crate::config::Plan;
use crate::store::Store;

/// Time the scheduler's tasks get to stop at shutdown.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Builds the plan from the file again; an error is one line naming file and field.
pub type Planner = Box<dyn Fn() -> Result<Plan, String> + Send + Sync>;

/// What to watch and how to re-plan.
pub struct Reloader {
    /// The config file, when there is one; nothing is reloaded without it.
    pub path: Option<PathBuf>,
    /// How often to look for a changed file; zero turns the check off (SIGHUP still works).
    pub poll: Duration,
    /// Builds a plan from the current file and flags.
    pub planner: Planner,
}

/// Runs the scheduler until `shutdown`, reloading the config on SIGHUP or a change.
pub async fn run(
    mut scheduler: Scheduler,
    reloader: Reloader,
    store: Arc<Store>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut hangup = hangup_signal();
    let mut seen = reloader.path.as_ref().and_then(|p| std::fs::read(p).ok());
    let poll = if reloader.poll.is_zero() || reloader.path.is_none() {
        // Never fires: a day at a time.
        Duration::from_secs(86_400)
    } else {
        reloader.poll
    };
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        let why = tokio::select! {
            _ = shutdown.changed() => break,
            Some(()) = recv(&mut hangup) => "SIGHUP",
            _ = tick.tick() => {
                let now = reloader.path.as_ref().and_then(|p| std::fs::read(p).ok());
                if now.is_none() || now == seen {
                    continue;
                }
                seen = now;
                "file changed"
            }
        };
        if reloader.path.is_none() {
            tracing::info!(reason = why, "no --config.file to reload");
            continue;
        }
        match (reloader.planner)() {
            Ok(plan) => {
                let (stopped, started) = scheduler.apply(&plan).await;
                store.retag(&plan.tag_labels).await;
                store.set_config_reload(true);
                tracing::info!(
                    reason = why,
                    stopped,
                    started,
                    running = scheduler.len(),
                    "configuration reloaded"
                );
            }
            Err(e) => {
                store.set_config_reload(false);
                tracing::error!(reason = why, error = %e, "configuration reload failed; keeping the running configuration");
            }
        }
    }
    scheduler.stop(STOP_GRACE).await;
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = Option<()>;

#[cfg(unix)]
fn hangup_signal() -> Hangup {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup()).ok()
}

#[cfg(not(unix))]
fn hangup_signal() -> Hangup {
    None
}

/// The next SIGHUP; pending forever where there is none.
async fn recv(hangup: &mut Hangup) -> Option<()> {
    #[cfg(unix)]
    if let Some(h) = hangup {
        return h.recv().await;
    }
    let _ = hangup;
    std::future::pending().await
}
