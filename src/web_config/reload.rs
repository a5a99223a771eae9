//! The live web configuration: the last good [`WebConfig`], re-read when the file or a
//! certificate, key or CA it names changes.
//!
//! Change detection reads the files' contents every [`RELOAD_CHECK_EVERY`] and compares
//! a hash of them, rather than re-reading them on every TLS handshake as exporter-toolkit
//! does: the cost stays a few small reads a second however many clients connect (a flood
//! of handshakes is not a flood of file reads and PEM parses), the reload gauge is right
//! even without traffic, and content (not mtime) is what is compared, so a `cp -p` or a
//! Kubernetes secret update (a symlink swap) is seen as well as an edit. A change is loaded
//! once the files read the same on two checks in a row, so a certificate copied a moment
//! before its key is not reported as a broken pair. A broken new file keeps the last good
//! configuration, logs one error and sets `web_config_reload_success` to 0 until a
//! later change loads.

use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::watch;

use super::{Authenticator, WebConfig};
use crate::config::{CONFIG_LIMITS, ConfigError, read_to_string_bounded};

/// How often the web config and the files it names are checked for changes.
pub const RELOAD_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The web configuration in force, its reload status, and the credential checker.
#[derive(Debug)]
pub struct WebState {
    path: PathBuf,
    current: ArcSwap<WebConfig>,
    reload_success: AtomicBool,
    auth: Authenticator,
}

impl WebState {
    /// Loads `path`; errors (for start-up and `--check-config`) name the file and field.
    pub fn load(path: &Path) -> Result<Arc<WebState>, ConfigError> {
        let config = WebConfig::load(path)?;
        Ok(Arc::new(WebState {
            path: path.to_owned(),
            current: ArcSwap::from_pointee(config),
            reload_success: AtomicBool::new(true),
            auth: Authenticator::default(),
        }))
    }

    /// The configuration in force (read once per connection or request).
    pub fn current(&self) -> Arc<WebConfig> {
        self.current.load_full()
    }

    /// Whether the last (re)load succeeded (`web_config_reload_success`).
    pub fn reload_success(&self) -> bool {
        self.reload_success.load(Ordering::Relaxed)
    }

    /// The credential checker (its pool and cache outlive reloads).
    pub fn authenticator(&self) -> &Authenticator {
        &self.auth
    }

    /// Re-reads the file and what it names; on success the new configuration is used
    /// for every new connection and request, else the last good one stays.
    pub fn reload(&self) -> Result<(), ConfigError> {
        match WebConfig::load(&self.path) {
            Ok(config) => {
                self.current.store(Arc::new(config));
                self.auth.clear_cache();
                self.reload_success.store(true, Ordering::Relaxed);
                tracing::info!(file = %self.path.display(), "web config reloaded");
                Ok(())
            }
            Err(e) => {
                self.reload_success.store(false, Ordering::Relaxed);
                tracing::error!(
                    error = %e,
                    "web config reload failed; keeping the last good configuration"
                );
                Err(e)
            }
        }
    }

    /// A hash of the contents of the file and of every file the configuration in force
    /// names (an unreadable file hashes as its error).
    fn fingerprint(&self) -> u64 {
        let mut h = DefaultHasher::new();
        let current = self.current();
        for path in std::iter::once(&self.path).chain(current.files()) {
            match read_to_string_bounded(path, CONFIG_LIMITS.max_bytes) {
                Ok(text) => text.hash(&mut h),
                Err(e) => e.kind().hash(&mut h),
            }
        }
        h.finish()
    }

    /// Checks for changes every [`RELOAD_CHECK_EVERY`] until `shutdown`; stops answering
    /// pending credential checks at shutdown.
    pub async fn watch(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut loaded = self.fingerprint();
        let mut seen = loaded;
        let mut failed = None;
        let mut tick = tokio::time::interval(RELOAD_CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.wait_for(|stop| *stop) => break,
            }
            let state = self.clone();
            let Ok(now) = tokio::task::spawn_blocking(move || state.fingerprint()).await else {
                continue;
            };
            // Load only what read the same twice in a row, and each broken version once.
            let settled = now == seen;
            seen = now;
            if !settled || now == loaded || failed == Some(now) {
                continue;
            }
            let before = self.current();
            let state = self.clone();
            let reloaded = tokio::task::spawn_blocking(move || state.reload().is_ok()).await;
            if !matches!(reloaded, Ok(true)) {
                failed = Some(now);
                continue;
            }
            failed = None;
            loaded = if self.current().files() == before.files() {
                now
            } else {
                // The new configuration names other files: they are part of the fingerprint.
                self.fingerprint()
            };
            seen = loaded;
        }
        self.auth.close();
    }

    /// Stops answering credential checks that would need bcrypt (at shutdown).
    pub fn close(&self) {
        self.auth.close();
    }
}
