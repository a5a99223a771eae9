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
//! Nothing here calls AWS: every response is built from the published snapshot.

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
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::metrics::{Format, ResponseBody, Samples};
use crate::status::{StatusCache, html as status_html};
use crate::store::{Published, Store};
use crate::web_config::WebConfig;

/// Connections served at once; more are closed at accept so scrapes are never starved.
pub const MAX_CONNECTIONS: usize = 256;
/// Time a client has to send a request's headers (also bounds idle keep-alive).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a TLS handshake may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest life of one connection.
const CONNECTION_MAX_AGE: Duration = Duration::from_secs(300);
/// Largest request head accepted.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// What the handlers need.
#[derive(Debug)]
pub struct ServerContext {
    /// Where the published snapshot is read from.
    pub store: Arc<Store>,
    /// The metrics path (`--web.telemetry-path`).
    pub telemetry_path: String,
    /// TLS and basic auth, when configured.
    pub web: Option<Arc<WebConfig>>,
    /// Grafana's base URL for the status page's dashboard links (`--web.grafana-url`).
    pub grafana_url: Option<String>,
    /// The status page and JSON, built at most once a second.
    pub status: StatusCache,
}

/// Serves `listener` until `shutdown` fires, then lets open requests finish (bounded).
pub async fn serve(
    listener: TcpListener,
    ctx: Arc<ServerContext>,
    mut shutdown: watch::Receiver<bool>,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let tls = ctx.web.as_ref().and_then(|w| w.tls_acceptor());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "connection limit reached; closing");
            continue;
        };
        let ctx = ctx.clone();
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_buf_size(MAX_HEADER_BYTES);
        let service = service_fn(move |req| {
            let ctx = ctx.clone();
            async move { Ok::<_, Infallible>(handle(req, &ctx, peer).await) }
        });
        match &tls {
            None => {
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_MAX_AGE, conn).await;
                    drop(permit);
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let stream =
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(s)) => s,
                            Ok(Err(e)) => {
                                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                                return;
                            }
                            Err(_) => return,
                        };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = tokio::time::timeout(CONNECTION_MAX_AGE, watcher.watch(conn)).await;
                    drop(permit);
                });
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

/// Binds a listener; a clear error names the address.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, std::io::Error> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}

async fn handle(
    req: Request<Incoming>,
    ctx: &ServerContext,
    peer: SocketAddr,
) -> Response<ResponseBody> {
    if let Some(web) = &ctx.web
        && let Some(denied) = web.authorize(req.headers()).await
    {
        tracing::debug!(%peer, path = req.uri().path(), "unauthorized request");
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
        _ => metrics_response(&published, headers),
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

fn metrics_response(published: &Published, headers: &hyper::HeaderMap) -> Response<ResponseBody> {
    let accept = header_str(headers, header::ACCEPT);
    let encoding = header_str(headers, header::ACCEPT_ENCODING);
    let openmetrics = prefers_openmetrics(accept);
    let gzip = accepts_gzip(encoding);
    let format = if openmetrics {
        Format::OpenMetrics
    } else {
        Format::Text
    };
    let body = published.exposition.body(format, gzip, Samples::new(&[]));
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
