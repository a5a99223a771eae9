//! Connection management: a cap that makes room instead of refusing, per-connection
//! phase tracking, header/idle/write-stall/age limits, and counts of why connections
//! were closed.
//!
//! At the cap a new connection is always admitted: the oldest connection that is idle or
//! still reading its request head (nothing in flight) is closed to make room, and when
//! every connection is answering a request, the oldest of them. So clients that merely
//! hold sockets open cannot starve probes or scrapes; a client must keep the server busy
//! to hold a slot, and one that stops reading its response is closed after
//! [`Limits::write_stall_timeout`].

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio::time::Sleep;

use crate::metrics::ResponseBody;

/// The server's limits. [`Limits::default`] is what the exporter runs with; the values and
/// the reasons for them are in `docs/security.md`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections held at once; at the cap the oldest idle one makes room for a new one.
    pub max_connections: usize,
    /// Time a client has to send a request head, counted from the connection's start or
    /// the end of the previous response (so it also bounds idle keep-alive).
    pub header_read_timeout: Duration,
    /// Time a TLS handshake may take.
    pub tls_handshake_timeout: Duration,
    /// Time a response may make no progress because the client does not read it.
    pub write_stall_timeout: Duration,
    /// Age after which a connection is closed: at once when idle, else after the response
    /// in flight (sent with `Connection: close`).
    pub max_age: Duration,
    /// Time the response in flight at [`Limits::max_age`] gets before the connection is
    /// dropped.
    pub max_age_grace: Duration,
    /// Time responses in flight get at shutdown.
    pub shutdown_grace: Duration,
    /// Largest request head, in bytes.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            tls_handshake_timeout: Duration::from_secs(10),
            write_stall_timeout: Duration::from_secs(30),
            max_age: Duration::from_secs(300),
            max_age_grace: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(5),
            max_header_bytes: 16 * 1024,
        }
    }
}

/// Why the server closed a connection (the `reason` label of
/// `http_connections_closed_total`). Connections the client closes are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Closed at the cap to admit a newer connection.
    Evicted,
    /// A request head (or TLS handshake) did not arrive in time.
    HeaderTimeout,
    /// No new request arrived in time after the previous response.
    IdleTimeout,
    /// The connection reached its maximum age.
    MaxAge,
    /// A protocol or I/O error, a failed TLS handshake, or a client that stopped reading.
    Error,
}

impl CloseReason {
    /// Every reason, in label order.
    pub const ALL: [CloseReason; 5] = [
        CloseReason::Evicted,
        CloseReason::HeaderTimeout,
        CloseReason::IdleTimeout,
        CloseReason::MaxAge,
        CloseReason::Error,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Evicted => "evicted",
            CloseReason::HeaderTimeout => "header_timeout",
            CloseReason::IdleTimeout => "idle_timeout",
            CloseReason::MaxAge => "max_age",
            CloseReason::Error => "error",
        }
    }

    fn index(self) -> usize {
        match self {
            CloseReason::Evicted => 0,
            CloseReason::HeaderTimeout => 1,
            CloseReason::IdleTimeout => 2,
            CloseReason::MaxAge => 3,
            CloseReason::Error => 4,
        }
    }
}

/// Hitting the cap is logged at most this often (with a count of what happened since).
const CAP_WARN_EVERY: Duration = Duration::from_secs(60);

/// The open connections of every listener, and counts of closed ones.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    inner: Mutex<Inner>,
    closed: [AtomicU64; 5],
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    /// By id, so by age: the first entry is the oldest.
    open: BTreeMap<u64, Arc<Conn>>,
    warned_at: Option<Instant>,
    evicted_since_warning: u64,
}

/// What the server knows about one connection, shared between its task, its I/O and its
/// requests.
#[derive(Debug, Default)]
pub struct Conn {
    id: u64,
    /// A request is being answered: from the service call until the response is written.
    busy: AtomicBool,
    /// The response body was handed to the connection in full (not necessarily written).
    body_done: AtomicBool,
    /// Bytes arrived since the connection was accepted or its last response finished.
    read_since_idle: AtomicBool,
    /// Past its maximum age or shutting down: responses carry `Connection: close`.
    closing: AtomicBool,
    /// The client stopped reading for [`Limits::write_stall_timeout`].
    stalled: AtomicBool,
    evict: Notify,
}

impl Conn {
    /// True while a request is being answered.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire)
    }

    /// True once responses should carry `Connection: close`.
    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// A request arrived and is being answered.
    pub fn start_request(&self) {
        self.body_done.store(false, Ordering::Release);
        self.busy.store(true, Ordering::Release);
    }

    fn body_finished(&self) {
        self.body_done.store(true, Ordering::Release);
    }

    /// Called when the connection has flushed everything it was given: a response handed
    /// over in full is then written, and the connection idle.
    fn settle(&self) {
        if self.body_done.swap(false, Ordering::AcqRel) {
            self.read_since_idle.store(false, Ordering::Release);
            self.busy.store(false, Ordering::Release);
        }
    }
}

impl Connections {
    /// No connections yet; at most `max` are held at once (at least one).
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Connections {
            max: max.max(1),
            inner: Mutex::new(Inner::default()),
            closed: Default::default(),
        })
    }

    /// Open connections.
    pub fn open(&self) -> usize {
        self.inner.lock().map(|i| i.open.len()).unwrap_or(0)
    }

    /// Connections closed for `reason` so far.
    pub fn closed(&self, reason: CloseReason) -> u64 {
        self.closed[reason.index()].load(Ordering::Relaxed)
    }

    /// Registers a new connection. At the cap, the oldest connection with nothing in
    /// flight (else the oldest of all) is told to close first; the new one is never refused.
    pub fn admit(self: &Arc<Self>) -> Admitted {
        let conn = {
            let Ok(mut inner) = self.inner.lock() else {
                // A poisoned lock means a panic elsewhere; serve without bookkeeping.
                return Admitted::untracked(self.clone());
            };
            if inner.open.len() >= self.max {
                self.evict_oldest(&mut inner);
            }
            inner.next_id += 1;
            let conn = Arc::new(Conn {
                id: inner.next_id,
                ..Conn::default()
            });
            inner.open.insert(conn.id, conn.clone());
            conn
        };
        Admitted {
            conns: self.clone(),
            conn,
            finished: false,
        }
    }

    /// Closes the oldest idle (else oldest) connection to free a file descriptor, when
    /// accepting fails for lack of them.
    pub fn make_room(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            self.evict_oldest(&mut inner);
        }
    }

    fn evict_oldest(&self, inner: &mut Inner) {
        let victim = inner
            .open
            .values()
            .find(|c| !c.is_busy())
            .map(|c| (c.id, false))
            .or_else(|| inner.open.values().next().map(|c| (c.id, true)));
        let Some((id, busy)) = victim else {
            return;
        };
        if let Some(conn) = inner.open.remove(&id) {
            conn.evict.notify_one();
            self.count(CloseReason::Evicted);
        }
        inner.evicted_since_warning += 1;
        let now = Instant::now();
        if inner
            .warned_at
            .is_none_or(|t| now.duration_since(t) >= CAP_WARN_EVERY)
        {
            tracing::warn!(
                limit = self.max,
                evicted = inner.evicted_since_warning,
                oldest_was_busy = busy,
                "HTTP connection limit reached: closing the oldest idle connection to admit \
                 a new one (logged at most once a minute; evicted counts since the last line)"
            );
            inner.warned_at = Some(now);
            inner.evicted_since_warning = 0;
        }
    }

    fn count(&self, reason: CloseReason) {
        self.closed[reason.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets connection `id`; counts `reason` when it was still registered (an evicted
    /// connection was counted when it was evicted).
    fn remove(&self, id: u64, reason: Option<CloseReason>) {
        let present = self
            .inner
            .lock()
            .map(|mut i| i.open.remove(&id).is_some())
            .unwrap_or(false);
        if let (true, Some(reason)) = (present, reason) {
            self.count(reason);
        }
    }
}

/// A registered connection; dropping it unregisters the connection.
#[derive(Debug)]
pub struct Admitted {
    conns: Arc<Connections>,
    conn: Arc<Conn>,
    finished: bool,
}

impl Admitted {
    fn untracked(conns: Arc<Connections>) -> Admitted {
        Admitted {
            conns,
            conn: Arc::new(Conn::default()),
            finished: true,
        }
    }

    /// The shared state of this connection.
    pub fn conn(&self) -> &Arc<Conn> {
        &self.conn
    }

    /// Completes when this connection is evicted to make room for another.
    pub async fn evicted(&self) {
        self.conn.evict.notified().await
    }

    /// Unregisters the connection, counting `reason` when the server closed it.
    pub fn finish(mut self, reason: Option<CloseReason>) {
        self.finished = true;
        self.conns.remove(self.conn.id, reason);
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if !self.finished {
            self.conns.remove(self.conn.id, None);
        }
    }
}

/// A plain or TLS stream.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Stream::Plain($s) => {
                let $s = Pin::new($s);
                $e
            }
            Stream::Tls($s) => {
                let $s = Pin::new($s.as_mut());
                $e
            }
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => s.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => s.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_shutdown(cx))
    }
}

/// A stream that tells its [`Conn`] what happens (bytes read, responses written) and fails
/// writes that make no progress for the write-stall timeout.
#[derive(Debug)]
pub struct TrackedIo {
    inner: Stream,
    conn: Arc<Conn>,
    stall_timeout: Duration,
    stall: Option<Pin<Box<Sleep>>>,
}

impl TrackedIo {
    /// Wraps `inner` for `conn`.
    pub fn new(inner: Stream, conn: Arc<Conn>, stall_timeout: Duration) -> Self {
        TrackedIo {
            inner,
            conn,
            stall_timeout,
            stall: None,
        }
    }

    /// Applies the stall timeout to a write-side poll result.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => {
                let timeout = self.stall_timeout;
                let stall = self
                    .stall
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if stall.as_mut().poll(cx).is_ready() {
                    self.conn.stalled.store(true, Ordering::Release);
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "client stopped reading the response",
                    )));
                }
                Poll::Pending
            }
            ready => {
                self.stall = None;
                ready
            }
        }
    }
}

impl AsyncRead for TrackedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.conn.read_since_idle.store(true, Ordering::Release);
        }
        polled
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        let polled = self.watch(cx, polled);
        if matches!(polled, Poll::Ready(Ok(()))) {
            self.conn.settle();
        }
        polled
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, polled)
    }
}

/// A response body that marks its connection's response as handed over when dropped.
#[derive(Debug)]
pub struct TrackedBody {
    inner: ResponseBody,
    conn: Arc<Conn>,
}

impl TrackedBody {
    /// Wraps `inner`, a response on `conn`.
    pub fn new(inner: ResponseBody, conn: Arc<Conn>) -> Self {
        TrackedBody { inner, conn }
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        self.conn.body_finished();
    }
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A served HTTP/1 connection that can be asked to finish gracefully.
pub trait GracefulConnection: Future<Output = hyper::Result<()>> {
    /// Stop keep-alive: finish the response in flight, then close.
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<I, S> GracefulConnection for hyper::server::conn::http1::Connection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S::ResBody: 'static,
    <S::ResBody as Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http1::Connection::graceful_shutdown(self)
    }
}

/// Completes once `shutdown` is true (or its sender is gone).
pub async fn shutdown_signalled(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Drives one connection to its end: until the client is done, an error or timeout,
/// eviction, its maximum age or shutdown; records why it ended.
pub async fn drive<C: GracefulConnection>(
    conn: C,
    admitted: Admitted,
    limits: &Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conn = pin!(conn);
    let state = admitted.conn().clone();
    let reason = tokio::select! {
        result = conn.as_mut() => return admitted.finish(classify(result, &state)),
        () = admitted.evicted() => return,
        () = tokio::time::sleep(limits.max_age) => Some(CloseReason::MaxAge),
        () = shutdown_signalled(&mut shutdown) => None,
    };
    // From here on responses say `Connection: close`.
    state.closing.store(true, Ordering::Release);
    if !state.is_busy() {
        return admitted.finish(reason);
    }
    conn.as_mut().graceful_shutdown();
    let grace = if reason.is_some() {
        limits.max_age_grace
    } else {
        limits.shutdown_grace
    };
    tokio::select! {
        result = tokio::time::timeout(grace, conn.as_mut()) => {
            let failed = match result {
                Ok(r) => classify(r, &state),
                Err(_) => None,
            };
            admitted.finish(reason.or(failed));
        }
        () = admitted.evicted() => {}
    }
}

/// Why hyper ended a connection, from the server's point of view (`None`: the client
/// closed it, or it ended normally).
fn classify(result: hyper::Result<()>, state: &Conn) -> Option<CloseReason> {
    let error = result.err()?;
    if state.stalled.load(Ordering::Acquire) {
        Some(CloseReason::Error)
    } else if error.is_timeout() {
        Some(if state.read_since_idle.load(Ordering::Acquire) {
            CloseReason::HeaderTimeout
        } else {
            CloseReason::IdleTimeout
        })
    } else if error.is_incomplete_message() {
        // The client hung up in the middle of a request head.
        None
    } else {
        Some(CloseReason::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let conns = Connections::new(3);
        let a = conns.admit();
        let b = conns.admit();
        let c = conns.admit();
        a.conn().start_request();
        let d = conns.admit();
        assert_eq!(conns.open(), 3);
        assert_eq!(conns.closed(CloseReason::Evicted), 1);
        // b was the oldest idle one; a is busy and stays.
        let open: Vec<u64> = conns.inner.lock().unwrap().open.keys().copied().collect();
        assert_eq!(open, vec![a.conn().id, c.conn().id, d.conn().id]);
        drop(b);
        assert_eq!(
            conns.open(),
            3,
            "an evicted connection is not removed twice"
        );
        drop((a, c, d));
        assert_eq!(conns.open(), 0);
    }

    #[test]
    fn when_every_connection_is_busy_the_oldest_makes_room() {
        let conns = Connections::new(2);
        let a = conns.admit();
        let b = conns.admit();
        a.conn().start_request();
        b.conn().start_request();
        let _c = conns.admit();
        let open: Vec<u64> = conns.inner.lock().unwrap().open.keys().copied().collect();
        assert_eq!(open, vec![b.conn().id, 3]);
        a.finish(Some(CloseReason::Error));
        assert_eq!(
            conns.closed(CloseReason::Error),
            0,
            "counted once, as evicted"
        );
        assert_eq!(conns.closed(CloseReason::Evicted), 1);
    }

    #[test]
    fn a_response_leaves_the_connection_busy_until_it_is_written() {
        let conn = Conn::default();
        conn.start_request();
        conn.settle();
        assert!(conn.is_busy(), "the body is not handed over yet");
        conn.body_finished();
        assert!(conn.is_busy());
        conn.settle();
        assert!(!conn.is_busy());
    }

    #[test]
    fn reasons_have_distinct_labels_in_order() {
        let labels: Vec<&str> = CloseReason::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(
            labels,
            [
                "evicted",
                "header_timeout",
                "idle_timeout",
                "max_age",
                "error"
            ]
        );
        for (i, r) in CloseReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
    }
}
