//! Prometheus exporter and alerting sidecar for AWS Direct Connect.
//!
//! Data moves one way, left to right:
//!
//! ```text
//! AWS ──> aws ──> model::Snapshot ──> store (+ metrics pieces) ──> server ──> HTTP
//!          ^ collector (scheduler) drives aws on each job's interval
//! ```
//!
//! The scheduler ([`collector`]) runs one task per job of the [`config::Plan`]; each cycle
//! calls AWS through [`aws`] (retries, pacing, pagination, mapping into [`model`] types with
//! secrets dropped) and writes the result into the [`store`], which encodes it into metric
//! pieces ([`metrics`]) at once. The [`server`] only reads what the store published; it
//! never reaches into collection. The [`simulator`] is a peer of the exporter that speaks
//! the AWS wire protocols on loopback, for `--demo` and the tests.
#![forbid(unsafe_code)]

/// Wiring: flags and files into a running application.
pub mod app;
/// AWS clients, the call policy (retries, pacing, counting) and the mapping into model types.
pub mod aws;
/// Command-line flags, one struct per concern.
pub mod cli;
/// The scheduler: one supervised task per job, each on its own interval.
pub mod collector;
/// The YAML config file (bounded before parsing) and the validated plan of collector jobs.
pub mod config;
/// Prometheus-style durations.
pub mod duration;
/// Recent VIF state and BGP peer status changes, and since when each holds.
pub mod history;
/// Log setup (logfmt or JSON).
pub mod logging;
/// Escaping for HTML and XML.
pub mod markup;
/// Metric families (one file per domain), the exposition formats and compression.
pub mod metrics;
/// The plain domain types a collection produces.
pub mod model;
/// Reloading the config file on SIGHUP or change.
pub mod reload;
/// The HTTP server, its endpoints and its connection limits.
pub mod server;
/// The Direct Connect, STS and CloudWatch API simulator.
pub mod simulator;
/// The status page and `/api/v1/status`: a view of the published snapshot, problems first.
pub mod status;
/// The published snapshot and its encodings, between collecting and serving.
pub mod store;
/// RFC 3339 time formatting.
pub mod timefmt;
/// The `--web.config.file`: TLS and basic auth, reloaded when the files change.
pub mod web_config;

/// Version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Git revision of this build (see `build.rs`), or `unknown`.
pub const REVISION: &str = env!("DX_EXPORTER_GIT_REVISION");
