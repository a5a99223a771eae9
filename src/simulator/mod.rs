//! The Direct Connect + STS API simulator: its public API, and the map of its modules.
//!
//! One loopback port serves four things:
//! - Direct Connect over AWS JSON 1.1 (`POST /`, `X-Amz-Target: OvertureService.<Op>`),
//!   accepting SigV4-signed requests from the real SDK without verifying signatures; the
//!   account is the first run of 12 digits in the access key id, the region comes from
//!   the credential scope, and state is kept per account and region;
//! - STS `GetCallerIdentity` / `AssumeRole` (query protocol, XML answers);
//! - services on Smithy RPC v2 CBOR (`POST /service/<Service>/operation/<Op>`): CloudWatch;
//! - the control endpoint under `/_sim/` (its endpoints are listed in `control.rs`).
//!
//! [`Limits`] bound what a slow, hostile or runaway client can make it hold: open
//! connections, the time to send headers and body, body size, and active faults.
//!
//! A request flows `server` → `protocol` (decode, faults, operation, encode) → `state`,
//! or `server` → `control` → `state`. Where a change goes:
//! - a Direct Connect operation: a line in the table in `protocol/mod.rs`, its handler in
//!   `state/describe.rs` (reads) or `state/vifs.rs` (the VIF and peer lifecycle);
//! - a CloudWatch `AWS/DX` metric: `state/cloudwatch/series.rs`;
//! - a Describe field: the spec in `scenario/spec/` (the file of its resource), its wire
//!   name in `state/render.rs`;
//! - a wire protocol or service: a codec beside `protocol/json.rs` (see `protocol/mod.rs`);
//! - a fault kind: `faults.rs`;
//! - a control endpoint: `control.rs`, and the change itself in `state/control.rs`;
//! - a scenario rule: `scenario/validate.rs`.

mod control;
mod faults;
mod protocol;
pub mod scenario;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::FaultKind;
pub use scenario::{GenerateSpec, Scenario, ScenarioError};
pub use state::{
    DELETED_RETENTION_MS, MAX_METRIC_RESULTS_PAGE, MAX_PAGE, PUBLICATION_DELAY_SECONDS,
    REQUEST_LOG_CAPACITY, SETTLE_DELAY_MS,
};

use server::Shared;
use state::State;

/// Largest accepted request body (the default of [`Limits::max_body_bytes`]).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Time allowed for a client to send the request headers (the default of
/// [`Limits::header_read_timeout`]).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a client to send a request body (the default of
/// [`Limits::body_read_timeout`]).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections at most (the default of [`Limits::max_connections`]).
pub const MAX_CONNECTIONS: usize = 256;
/// Faults the control endpoint may add (the default of [`Limits::max_faults`]).
pub const MAX_FAULTS: usize = 1_000;

/// Bounds on what clients can make the simulator hold. [`Limits::default`] is what
/// [`Simulator::start`] uses; tests shrink them to see them work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most. Past it, new connections wait in the listen backlog
    /// until one closes; idle ones close after `header_read_timeout`.
    pub max_connections: usize,
    /// Time a client has to send the request headers, and that an idle keep-alive
    /// connection stays open.
    pub header_read_timeout: Duration,
    /// Time a client has to send the whole body once the headers are in (408 after).
    pub body_read_timeout: Duration,
    /// Largest request body, in bytes (413 above).
    pub max_body_bytes: usize,
    /// Active faults past which `POST /_sim/faults` answers 409. Scenario fault windows
    /// always open (their number is bounded by the scenario) and count towards it.
    pub max_faults: usize,
    /// Items per page of a Direct Connect listing at most (1..=[`MAX_PAGE`]), whatever
    /// `maxResults` asks: a smaller page makes clients follow more `nextToken`s.
    pub max_page: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: MAX_CONNECTIONS,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            max_body_bytes: MAX_BODY_BYTES,
            max_faults: MAX_FAULTS,
            max_page: MAX_PAGE,
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// The listen address could not be bound.
    #[error("cannot bind simulator to {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl SimulatorError {
    /// A bounded label for metrics/logs.
    pub fn label(&self) -> &'static str {
        match self {
            SimulatorError::Bind { .. } => "bind",
        }
    }
}

/// Entry point: [`Simulator::start`].
#[derive(Debug)]
pub struct Simulator;

/// A running simulator. Dropping it stops the server as well; [`SimulatorHandle::shutdown`]
/// waits for the server task to end.
#[derive(Debug)]
pub struct SimulatorHandle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `addr` (use port 0 for an ephemeral port), loads `scenario` and serves until
    /// shut down, within the default [`Limits`]. Logs
    /// `simulator listening endpoint=http://...` at info level, and a warning when `addr`
    /// is not a loopback address.
    pub async fn start(
        addr: SocketAddr,
        scenario: Scenario,
    ) -> Result<SimulatorHandle, SimulatorError> {
        Simulator::start_with_limits(addr, scenario, Limits::default()).await
    }

    /// [`Simulator::start`] within `limits`.
    pub async fn start_with_limits(
        addr: SocketAddr,
        scenario: Scenario,
        limits: Limits,
    ) -> Result<SimulatorHandle, SimulatorError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimulatorError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimulatorError::Bind { addr, source })?;
        let mut state = State::new(scenario, limits.max_faults);
        state.set_page_cap(limits.max_page);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            limits,
        });
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, shared, rx));
        let handle = SimulatorHandle {
            addr: local,
            shutdown: Some(tx),
            task: Some(task),
        };
        tracing::info!(endpoint = %handle.endpoint_url(), "simulator listening");
        if !local.ip().to_canonical().is_loopback() {
            // The API hands out fake credentials and secrets in Describe answers; only the
            // control endpoint keeps refusing non-loopback Host names.
            tracing::warn!(
                endpoint = %handle.endpoint_url(),
                "simulator listens on a non-loopback address: other hosts can reach its AWS API; its control endpoint still answers loopback Host names only"
            );
        }
        Ok(handle)
    }
}

impl SimulatorHandle {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, for `endpoint_url` / `AWS_ENDPOINT_URL`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        tracing::info!(endpoint = %self.endpoint_url(), "simulator stopped");
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
