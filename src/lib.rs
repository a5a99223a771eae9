//! Prometheus exporter and alerting sidecar for AWS Direct Connect.
#![forbid(unsafe_code)]

pub mod app;
pub mod aws;
pub mod cli;
pub mod collector;
pub mod config;
pub mod duration;
pub mod logging;
pub mod markup;
pub mod metrics;
pub mod model;
pub mod server;
pub mod simulator;
pub mod timefmt;
pub mod web_config;

/// Version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Git revision of this build (see `build.rs`), or `unknown`.
pub const REVISION: &str = env!("DX_EXPORTER_GIT_REVISION");
