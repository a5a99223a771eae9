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
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::protocol::{self, BodyError};
use super::state::State;
use super::{HEADER_READ_TIMEOUT, MAX_BODY_BYTES, control};

/// What every request handler shares.
pub(super) struct Shared {
    /// The simulated world, locked briefly per request.
    pub state: Mutex<State>,
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

/// Accepts and serves connections until `shutdown` fires, then closes them all.
pub(super) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
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
            Ok(()) => match read_body(body).await {
                Err(e) => protocol::unreadable_body(e, &request_id),
                Ok(body) => {
                    control_reply(control::handle(&shared.state, &head.method, path, &body))
                }
            },
        }
    } else {
        match read_body(body).await {
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

/// The whole body, at most [`MAX_BODY_BYTES`].
async fn read_body(body: Incoming) -> Result<Bytes, BodyError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(BodyError::TooLarge(MAX_BODY_BYTES))
        }
        Err(e) => Err(BodyError::Broken(e.to_string())),
    }
}
