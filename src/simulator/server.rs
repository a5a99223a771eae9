//! The HTTP/1.1 server: accepting connections, bounding headers and bodies, and handing each request to the control endpoint or the AWS protocols.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinSet;

use super::protocol::{self, BodyError};
use super::state::State;
use super::{Limits, control};

/// What every request handler shares.
pub(super) struct Shared {
    /// The simulated world, locked briefly per request.
    pub state: Mutex<State>,
    /// Bounds on connections, headers, bodies and faults.
    pub limits: Limits,
}

/// The server's answer to one request.
pub(crate) enum Reply {
    /// An HTTP response.
    Response(Response<Full<Bytes>>),
    /// Close the connection without answering (the `reset` fault).
    Reset,
}

/// A response with a status (500 if out of range), a content type and a body.
pub(crate) fn response(
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

/// Accepts and serves connections until `shutdown` fires, then closes them all. At most
/// `max_connections` are open at once: past that, accepting waits for one to close.
pub(super) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = accept_within(&listener, &slots, shared.limits.max_connections) => match accepted {
                Ok((stream, slot)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        let header_read_timeout = shared.limits.header_read_timeout;
                        let service = service_fn(move |req| respond(Arc::clone(&shared), req));
                        let result = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(header_read_timeout)
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "simulator connection ended");
                        }
                        drop(slot);
                    });
                }
                Err(e) => {
                    // E.g. too many open files: back off instead of spinning.
                    tracing::warn!(error = %e, "simulator accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    connections.abort_all();
}

/// The next connection, once a slot is free for it. Cancel-safe: a slot taken by a
/// cancelled call is released.
async fn accept_within(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    max_connections: usize,
) -> std::io::Result<(TcpStream, OwnedSemaphorePermit)> {
    let slot = match Arc::clone(slots).try_acquire_owned() {
        Ok(slot) => slot,
        Err(_) => {
            tracing::warn!(
                max_connections,
                "simulator at its connection limit; new connections wait"
            );
            Arc::clone(slots)
                .acquire_owned()
                .await
                .map_err(|_| std::io::Error::other("connection slots closed"))?
        }
    };
    let (stream, _peer) = listener.accept().await?;
    Ok((stream, slot))
}

/// One request: the body read within its limit, then `/_sim/` to the control endpoint
/// and everything else to the AWS protocols.
async fn respond(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let (head, body) = req.into_parts();
    let request_id = protocol::request_id();
    let path = head.uri.path();
    let reply = if control::owns(path) {
        // Refused requests are answered before their body is read.
        match control::admit(&head) {
            Err(refusal) => control_reply(refusal),
            Ok(()) => match read_body(body, &shared.limits).await {
                Err(e) => protocol::unreadable_body(e, &request_id),
                Ok(body) => {
                    control_reply(control::handle(&shared.state, &head.method, path, &body))
                }
            },
        }
    } else {
        match read_body(body, &shared.limits).await {
            Err(e) => protocol::unreadable_body(e, &request_id),
            Ok(body) => protocol::answer(&shared.state, &head, &body, &request_id).await,
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

/// A control answer: its status and JSON.
fn control_reply((status, value): (StatusCode, serde_json::Value)) -> Reply {
    Reply::Response(response(
        status.as_u16(),
        "application/json",
        value.to_string(),
    ))
}

/// The whole body, within the size and time limits.
async fn read_body(body: Incoming, limits: &Limits) -> Result<Bytes, BodyError> {
    let collect = Limited::new(body, limits.max_body_bytes).collect();
    match tokio::time::timeout(limits.body_read_timeout, collect).await {
        Err(_) => Err(BodyError::TimedOut(limits.body_read_timeout)),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge(limits.max_body_bytes))
        }
        Ok(Err(e)) => Err(BodyError::Broken(e.to_string())),
    }
}
