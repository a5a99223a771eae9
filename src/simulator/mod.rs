//! The Direct Connect + STS API simulator: its public API, and the map of its modules.
//!
//! One loopback port serves three things:
//! - Direct Connect over AWS JSON 1.1 (`POST /`, `X-Amz-Target: OvertureService.<Op>`),
//!   accepting SigV4-signed requests from the real SDK without verifying signatures; the
//!   account is the first run of 12 digits in the access key id, the region comes from
//!   the credential scope, and state is kept per account and region;
//! - STS `GetCallerIdentity` / `AssumeRole` (query protocol, XML answers);
//! - the control endpoint under `/_sim/` (its endpoints are listed in `control.rs`).
//!
//! Bodies are limited to [`MAX_BODY_BYTES`] and request headers must arrive within
//! [`HEADER_READ_TIMEOUT`], so a slow or hostile client cannot hang the server.
//!
//! A request flows `server` → `protocol` (decode, faults, operation, encode) → `state`,
//! or `server` → `control` → `state`. Where a change goes:
//! - a Direct Connect operation: a line in the table in `protocol/mod.rs`, its handler in
//!   `state/describe.rs` (reads) or `state/vifs.rs` (the VIF and peer lifecycle);
//! - a Describe field: the spec in `scenario/spec.rs`, its wire name in `state/render.rs`;
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
pub use state::{DELETED_RETENTION_MS, MAX_PAGE, REQUEST_LOG_CAPACITY, SETTLE_DELAY_MS};

use server::Shared;
use state::State;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Time allowed for a client to send the request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// shut down. Logs `simulator listening endpoint=http://...` at info level.
    pub async fn start(
        addr: SocketAddr,
        scenario: Scenario,
    ) -> Result<SimulatorHandle, SimulatorError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimulatorError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimulatorError::Bind { addr, source })?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(scenario)),
        });
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, shared, rx));
        let handle = SimulatorHandle {
            addr: local,
            shutdown: Some(tx),
            task: Some(task),
        };
        tracing::info!(endpoint = %handle.endpoint_url(), "simulator listening");
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
