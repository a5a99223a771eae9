//! The Direct Connect + STS API simulator: public API and the HTTP/1.1 server loop.
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

mod control;
pub mod scenario;
mod state;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

pub use scenario::{FaultKind, GenerateSpec, Scenario, ScenarioError};
pub use state::{DELETED_RETENTION_MS, MAX_PAGE, REQUEST_LOG_CAPACITY, SETTLE_DELAY_MS};

use state::State;
use wire::{ApiError, Caller, StsError};

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

struct Shared {
    state: Mutex<State>,
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
        let task = tokio::spawn(serve(listener, shared, rx));
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

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut shutdown: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        let service = service_fn(move |req| respond(Arc::clone(&shared), req));
                        let result = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_READ_TIMEOUT)
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "simulator connection ended");
                        }
                    });
                }
                Err(e) => {
                    // E.g. too many open files: back off instead of spinning.
                    tracing::warn!(error = %e, "simulator accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

/// The server's answer to one request, decided under the state lock.
enum Reply {
    Response(Response<Full<Bytes>>),
    /// Close the connection without answering (the `reset` fault).
    Reset,
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(|e| e.into_inner())
}

fn response(
    status: u16,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

fn dx_response(
    status: u16,
    body: Vec<u8>,
    request_id: &str,
    error_code: Option<&'static str>,
) -> Response<Full<Bytes>> {
    let mut resp = response(status, wire::JSON_CONTENT_TYPE, body);
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    if let Some(code) = error_code {
        resp.headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(code));
    }
    resp
}

fn dx_error(e: &ApiError, request_id: &str) -> Response<Full<Bytes>> {
    dx_response(e.status, e.json_body(), request_id, Some(e.code))
}

async fn respond(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header(AUTHORIZATION.as_str());
    let target = header("x-amz-target");
    let request_id = wire::request_id();
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let too_big = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            let err = if too_big {
                ApiError {
                    status: 413,
                    code: "SerializationException",
                    message: format!("request body exceeds {MAX_BODY_BYTES} bytes"),
                }
            } else {
                ApiError::serialization(format!("cannot read request body: {e}"))
            };
            return Ok(dx_error(&err, &request_id));
        }
    };

    if path == "/_sim" || path.starts_with("/_sim/") {
        let (status, value) = control::handle(&shared.state, &method, &path, &body);
        return Ok(response(
            status.as_u16(),
            "application/json",
            value.to_string(),
        ));
    }
    if method != Method::POST {
        let mut resp = dx_error(
            &ApiError {
                status: 405,
                code: "UnknownOperationException",
                message: format!(
                    "{method} {path}: the simulator answers POST / (AWS JSON 1.1 or STS query) and /_sim/"
                ),
            },
            &request_id,
        );
        resp.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static("POST"));
        return Ok(resp);
    }
    let caller = Caller::from_authorization(authorization.as_deref());
    let reply = match target {
        Some(target) => dx_request(&shared, &caller, &target, &body, &request_id).await,
        None => {
            let params = wire::parse_form(&body);
            if params.contains_key("Action") {
                sts_request(&shared, &caller, &params, &request_id).await
            } else {
                let err =
                    ApiError::unknown_operation("(missing X-Amz-Target header and STS Action)");
                lock(&shared).record("unknown", &caller, err.status, Some(err.code));
                Reply::Response(dx_error(&err, &request_id))
            }
        }
    };
    match reply {
        Reply::Response(resp) => Ok(resp),
        Reply::Reset => Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        )),
    }
}

/// A Direct Connect call: faults first, then the operation, all under one short lock.
async fn dx_request(
    shared: &Shared,
    caller: &Caller,
    target: &str,
    body: &[u8],
    request_id: &str,
) -> Reply {
    let operation = wire::dx_operation(target).unwrap_or(target).to_owned();
    let (latency, reply) = {
        let mut st = lock(shared);
        let outcome = st.take_fault(&operation, false, &caller.account, &caller.region);
        let (status, code, reply) = match outcome.kind {
            Some(FaultKind::Reset) => (0, Some("reset"), Reply::Reset),
            Some(FaultKind::Malformed) => (
                200,
                None,
                Reply::Response(dx_response(
                    200,
                    br#"{"virtualInterfaces":[{"virtualInterfaceId":"dxvif-tr"#.to_vec(),
                    request_id,
                    None,
                )),
            ),
            Some(
                kind @ (FaultKind::Throttle | FaultKind::ServerError | FaultKind::AccessDenied),
            ) => {
                let err = match kind {
                    FaultKind::Throttle => ApiError::throttling(),
                    FaultKind::ServerError => ApiError::server("Simulated internal failure"),
                    _ => ApiError::access_denied(&operation),
                };
                (
                    err.status,
                    Some(err.code),
                    Reply::Response(dx_error(&err, request_id)),
                )
            }
            Some(FaultKind::Latency) | None => {
                let result = if wire::dx_operation(target).is_none() {
                    Err(ApiError::unknown_operation(target))
                } else {
                    parse_input(body).and_then(|input| st.dx(caller, &operation, &input))
                };
                match result {
                    Ok(v) => (
                        200,
                        None,
                        Reply::Response(dx_response(
                            200,
                            v.to_string().into_bytes(),
                            request_id,
                            None,
                        )),
                    ),
                    Err(err) => (
                        err.status,
                        Some(err.code),
                        Reply::Response(dx_error(&err, request_id)),
                    ),
                }
            }
        };
        st.record(&operation, caller, status, code);
        (outcome.latency, reply)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    reply
}

/// The JSON body as an object; an empty body counts as `{}`.
fn parse_input(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::serialization(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::serialization(format!("malformed JSON: {e}"))),
    }
}

/// An STS call (query protocol). Faults apply only when they name the STS action.
async fn sts_request(
    shared: &Shared,
    caller: &Caller,
    params: &std::collections::HashMap<String, String>,
    request_id: &str,
) -> Reply {
    let action = params.get("Action").cloned().unwrap_or_default();
    let xml_error = |e: &StsError| response(e.status, "text/xml", e.xml_body(request_id));
    let (latency, reply) = {
        let mut st = lock(shared);
        let outcome = st.take_fault(&action, true, &caller.account, &caller.region);
        let (status, code, reply) = match outcome.kind {
            Some(FaultKind::Reset) => (0, Some("reset"), Reply::Reset),
            Some(FaultKind::Malformed) => (
                200,
                None,
                Reply::Response(response(
                    200,
                    "text/xml",
                    "<AssumeRoleResponse><AssumeRoleRes",
                )),
            ),
            Some(
                kind @ (FaultKind::Throttle | FaultKind::ServerError | FaultKind::AccessDenied),
            ) => {
                let err = match kind {
                    FaultKind::Throttle => StsError {
                        status: 400,
                        code: "Throttling",
                        message: "Rate exceeded".into(),
                    },
                    FaultKind::ServerError => StsError {
                        status: 500,
                        code: "InternalFailure",
                        message: "Simulated internal failure".into(),
                    },
                    _ => StsError {
                        status: 403,
                        code: "AccessDenied",
                        message: format!("Access denied (simulated) for sts:{action}"),
                    },
                };
                (err.status, Some(err.code), Reply::Response(xml_error(&err)))
            }
            Some(FaultKind::Latency) | None => match st.sts(caller, params, request_id) {
                Ok(xml) => (200, None, Reply::Response(response(200, "text/xml", xml))),
                Err(err) => (err.status, Some(err.code), Reply::Response(xml_error(&err))),
            },
        };
        st.record(&action, caller, status, code);
        (outcome.latency, reply)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    reply
}
