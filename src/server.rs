//! The HTTP server (hyper 1, HTTP/1.1, optional TLS and basic auth). Endpoints:
//! - `GET <telemetry path>` (default `/metrics`): the latest snapshot; OpenMetrics 1.0 when
//!   the `Accept` header prefers it, else text 0.0.4; gzip when accepted.
//! - `GET /-/healthy`: 200 while the process runs.
//! - `GET /-/ready`: 200 once every collector finished its first cycle, else 503.
//! - `GET /`: the status page (HTML): problems first, redundancy, recent changes, the
//!   fleet, collectors ([`crate::status`]).
//! - `GET /api/v1/status`: the same view as JSON.
//!
//! `HEAD` is accepted wherever `GET` is; other methods get 405 with `Allow`; other paths 404.
//! With basic auth configured, everything but the two probes needs credentials.
//! Nothing here calls AWS: every response is built from the published snapshot.
//! Connection limits (a cap that evicts instead of refusing, timeouts, maximum age) live
//! in [`connections`].

mod connections;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use connections::{Admitted, Stream, TrackedBody, TrackedIo};
pub use connections::{CloseReason, Connections, Limits};

use crate::metrics::{Format, LiveState, ResponseBody, Samples};
use crate::status::{StatusCache, html as status_html};
use crate::store::{Published, Store};
use crate::web_config::{self, WebState};

/// What the handlers need.
#[derive(Debug)]
pub struct ServerContext {
    /// Where the published snapshot is read from.
    pub store: Arc<Store>,
    /// The metrics path (`--web.telemetry-path`).
    pub telemetry_path: String,
    /// TLS and basic auth, when configured.
    pub web: Option<Arc<WebState>>,
    /// Grafana's base URL for the status page's dashboard links (`--web.grafana-url`).
    pub grafana_url: Option<String>,
    /// The status page and JSON, built at most once a second.
    pub status: StatusCache,
    /// Connection limits and timeouts.
    pub limits: Limits,
    /// The open connections of every listener.
    pub connections: Arc<Connections>,
}

impl ServerContext {
    /// A context with the default [`Limits`], no Grafana link and an empty status cache.
    pub fn new(store: Arc<Store>, telemetry_path: String, web: Option<Arc<WebState>>) -> Self {
        Self::with_limits(store, telemetry_path, web, Limits::default())
    }

    /// A context with other limits (tests use short ones).
    pub fn with_limits(
        store: Arc<Store>,
        telemetry_path: String,
        web: Option<Arc<WebState>>,
        limits: Limits,
    ) -> Self {
        ServerContext {
            store,
            telemetry_path,
            web,
            grafana_url: None,
            status: StatusCache::default(),
            connections: Connections::new(limits.max_connections),
            limits,
        }
    }
}

/// Serves `listener` until `shutdown` fires, then lets responses in flight finish
/// (bounded by [`Limits::shutdown_grace`]).
pub async fn serve(
    listener: TcpListener,
    ctx: Arc<ServerContext>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors: close an idle connection to make room.
                    if matches!(e.raw_os_error(), Some(EMFILE | ENFILE)) {
                        ctx.connections.make_room();
                    }
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = connections::shutdown_signalled(&mut shutdown) => break,
        };
        // A response ends in small writes (a gzip body's tail block and trailer); with
        // Nagle they wait for the ACK of the previous segment, which the client delays
        // by up to 40 ms. Hyper already coalesces writes, so nothing is gained by Nagle.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, error = %e, "cannot set TCP_NODELAY");
        }
        while tasks.try_join_next().is_some() {}
        let admitted = ctx.connections.admit();
        tasks.spawn(connection(
            stream,
            peer,
            admitted,
            ctx.clone(),
            shutdown.clone(),
        ));
    }
    drop(listener);
    // Credential checks still waiting are answered 503 at once rather than after bcrypt.
    if let Some(web) = &ctx.web {
        web.close();
    }
    // Each connection finishes on its own (idle ones at once, a response in flight within
    // the grace); this bound only guards against a stuck task.
    let drain = async { while tasks.join_next().await.is_some() {} };
    let bound = ctx.limits.shutdown_grace + Duration::from_secs(1);
    if tokio::time::timeout(bound, drain).await.is_err() {
        tasks.abort_all();
    }
}

/// `EMFILE` and `ENFILE` (the same on Linux, the BSDs and macOS).
const EMFILE: i32 = 24;
const ENFILE: i32 = 23;

/// One connection: the TLS handshake when configured, then HTTP/1.1 until it ends.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    admitted: Admitted,
    ctx: Arc<ServerContext>,
    mut shutdown: watch::Receiver<bool>,
) {
    let limits = &ctx.limits;
    let acceptor = ctx.web.as_ref().and_then(|w| w.current().tls_acceptor());
    let stream = match acceptor {
        None => Stream::Plain(tcp),
        Some(acceptor) => {
            let handshake =
                tokio::time::timeout(limits.tls_handshake_timeout, acceptor.accept(tcp));
            tokio::select! {
                done = handshake => match done {
                    Ok(Ok(s)) => Stream::Tls(Box::new(s)),
                    Ok(Err(e)) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                        return admitted.finish(Some(CloseReason::Error));
                    }
                    Err(_) => return admitted.finish(Some(CloseReason::HeaderTimeout)),
                },
                () = admitted.evicted() => return,
                () = connections::shutdown_signalled(&mut shutdown) => return,
            }
        }
    };
    let conn = admitted.conn().clone();
    let io = TokioIo::new(TrackedIo::new(
        stream,
        conn.clone(),
        limits.write_stall_timeout,
    ));
    let service_ctx = ctx.clone();
    let service = service_fn(move |req| {
        let ctx = service_ctx.clone();
        let conn = conn.clone();
        async move {
            conn.start_request();
            let mut resp = handle(req, &ctx, peer).await;
            if conn.is_closing() {
                resp.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, Infallible>(resp.map(|body| TrackedBody::new(body, conn)))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes);
    let served = builder.serve_connection(io, service);
    connections::drive(served, admitted, limits, shutdown).await;
}

/// Binds a listener; a clear error names the address.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, std::io::Error> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}

/// Paths that answer without credentials: probes carry none.
fn is_probe(path: &str) -> bool {
    matches!(path, "/-/healthy" | "/-/ready")
}

async fn handle(
    req: Request<Incoming>,
    ctx: &ServerContext,
    peer: SocketAddr,
) -> Response<ResponseBody> {
    if let Some(web) = &ctx.web
        && !is_probe(req.uri().path())
        && let Some(denied) =
            web_config::authorize(&web.current(), web.authenticator(), req.headers()).await
    {
        tracing::debug!(%peer, path = req.uri().path(), status = %denied.status(), "request not authorized");
        return denied;
    }
    route(req.method(), req.uri().path(), req.headers(), ctx)
}

/// Routes one request; pure over the published snapshot.
pub fn route(
    method: &Method,
    path: &str,
    headers: &hyper::HeaderMap,
    ctx: &ServerContext,
) -> Response<ResponseBody> {
    let known = path == ctx.telemetry_path
        || matches!(path, "/" | "/-/healthy" | "/-/ready" | STATUS_API_PATH);
    if !known {
        return plain(StatusCode::NOT_FOUND, "404 page not found\n");
    }
    if method != Method::GET && method != Method::HEAD {
        let mut resp = plain(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed\n");
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    let published = ctx.store.published();
    let mut resp = match path {
        "/-/healthy" => plain(StatusCode::OK, "Healthy.\n"),
        "/-/ready" if published.ready => plain(StatusCode::OK, "Ready.\n"),
        "/-/ready" => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not ready: first collection not finished.\n",
        ),
        "/" => html(ctx.status.html(
            &published,
            &status_html::Links {
                telemetry_path: &ctx.telemetry_path,
                grafana_url: ctx.grafana_url.as_deref(),
            },
            SystemTime::now(),
        )),
        STATUS_API_PATH => json(ctx.status.json(&published, SystemTime::now())),
        _ => metrics_response(&published, headers, &live_state(ctx)),
    };
    if method == Method::HEAD {
        *resp.body_mut() = ResponseBody::empty();
    }
    resp
}

fn plain(status: StatusCode, body: &'static str) -> Response<ResponseBody> {
    let mut resp = Response::new(ResponseBody::full(Bytes::from_static(body.as_bytes())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// The status view as JSON.
pub const STATUS_API_PATH: &str = "/api/v1/status";

fn html(body: Bytes) -> Response<ResponseBody> {
    let mut resp = Response::new(ResponseBody::full(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(status_html::content_security_policy())
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

fn json(body: Bytes) -> Response<ResponseBody> {
    let mut resp = Response::new(ResponseBody::full(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// The server's own state for the live families of `/metrics`.
fn live_state(ctx: &ServerContext) -> LiveState {
    LiveState {
        open_connections: ctx.connections.open(),
        closed_connections: CloseReason::ALL.map(|r| (r.label(), ctx.connections.closed(r))),
        web_config_reload_success: ctx.web.as_ref().map(|w| w.reload_success()),
    }
}

fn metrics_response(
    published: &Published,
    headers: &hyper::HeaderMap,
    live: &LiveState,
) -> Response<ResponseBody> {
    let accept = header_str(headers, header::ACCEPT);
    let encoding = header_str(headers, header::ACCEPT_ENCODING);
    let openmetrics = prefers_openmetrics(accept);
    let gzip = accepts_gzip(encoding);
    let format = if openmetrics {
        Format::OpenMetrics
    } else {
        Format::Text
    };
    let mut samples = Samples::new(&[]);
    crate::metrics::write_live(live, &mut samples);
    let body = published.exposition.body(format, gzip, samples);
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    resp
}

fn header_str(headers: &hyper::HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Media ranges of an `Accept`-style header as (value, q).
fn media_ranges(header: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    header.split(',').filter_map(|part| {
        let mut params = part.split(';');
        let value = params.next()?.trim().to_ascii_lowercase();
        if value.is_empty() {
            return None;
        }
        // Parameter names are case-insensitive (RFC 9110): `Q=0.5` is `q=0.5`.
        let q = params
            .filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim().eq_ignore_ascii_case("q").then_some(value)
            })
            .find_map(|q| q.trim().parse::<f32>().ok())
            .filter(|q| q.is_finite())
            .unwrap_or(1.0);
        Some((value, q))
    })
}

/// True when the client ranks OpenMetrics at least as high as the text format.
///
/// ```
/// use directconnect_exporter::server::prefers_openmetrics;
/// // What Prometheus sends:
/// assert!(prefers_openmetrics(
///     "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1"
/// ));
/// assert!(!prefers_openmetrics("text/plain"));
/// assert!(!prefers_openmetrics("application/openmetrics-text;Q=0"));
/// ```
pub fn prefers_openmetrics(accept: &str) -> bool {
    let mut om = 0.0f32;
    let mut text = 0.0f32;
    for (value, q) in media_ranges(accept) {
        match value.as_str() {
            "application/openmetrics-text" => om = om.max(q),
            "text/plain" | "text/*" | "*/*" => text = text.max(q),
            _ => {}
        }
    }
    om > 0.0 && om >= text
}

/// True when `Accept-Encoding` allows gzip.
///
/// ```
/// use directconnect_exporter::server::accepts_gzip;
/// assert!(accepts_gzip("gzip, deflate"));
/// assert!(accepts_gzip("GZIP;Q=0.5"));
/// assert!(!accepts_gzip("gzip;q=0"));
/// assert!(!accepts_gzip("identity"));
/// ```
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    media_ranges(accept_encoding).any(|(v, q)| (v == "gzip" || v == "x-gzip") && q > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openmetrics_is_chosen_only_when_preferred() {
        assert!(prefers_openmetrics(
            "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1"
        ));
        assert!(prefers_openmetrics("application/openmetrics-text"));
        assert!(!prefers_openmetrics("text/plain"));
        assert!(!prefers_openmetrics(""));
        assert!(!prefers_openmetrics(
            "application/openmetrics-text;q=0.2, text/plain"
        ));
        assert!(!prefers_openmetrics("application/openmetrics-text;q=0"));
    }

    #[test]
    fn gzip_is_used_only_when_accepted() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("deflate, gzip;q=0.5"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
    }
}
