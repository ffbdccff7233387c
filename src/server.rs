//! Serving connections, the same way on every listener (API, transparent-mode proxy,
//! metrics): a limit on open connections, hyper with a header-read timeout (slow-loris
//! clients are cut off), an idle timeout for connections with no request in flight
//! (HTTP/1 keep-alive and HTTP/2 alike), a back-off when accepting fails (out of file
//! descriptors), and for the API a graceful shutdown that lets in-flight requests finish
//! within a deadline.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Wait after a failed accept (e.g. EMFILE) before trying again, instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Concurrent HTTP/2 streams per connection.
const H2_STREAMS: u32 = 128;

/// How every listener (API, transparent-mode proxy, metrics) treats its connections.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// How long a connection may sit with no request in flight and no bytes moving; also
    /// the deadline for a request's headers and for a TLS handshake (`--header-timeout`).
    pub idle: Duration,
    /// Connections open at once on one listener (`--max-connections`); a connection
    /// accepted beyond it is closed at once, before anything is read.
    pub max_connections: usize,
}

/// A connection accepted within the limits.
pub struct Accepted {
    /// The TCP stream, its reads and writes counted as activity.
    pub io: Watched,
    pub peer: std::net::SocketAddr,
    pub activity: Arc<Activity>,
}

/// An HTTP/1 connection builder with the header-read deadline every listener uses.
pub fn http1(idle: Duration) -> hyper::server::conn::http1::Builder {
    let mut b = hyper::server::conn::http1::Builder::new();
    b.timer(TokioTimer::new()).header_read_timeout(idle);
    b
}

/// Serves the API (or any router) on `listener` until `shutdown`, then lets in-flight
/// requests finish within `shutdown_deadline`.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown_deadline: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle);
    builder
        .http2()
        .timer(TokioTimer::new())
        // No keep-alive pings: they would count as activity; the idle watchdog
        // closes idle connections, dead peers included.
        .max_concurrent_streams(H2_STREAMS);
    let graceful = GracefulShutdown::new();
    accept(listener, limits, shutdown, |conn| {
        let service = TowerToHyperService::new(Counted::new(router.clone(), &conn));
        let conn = builder
            .serve_connection(TokioIo::new(conn.io), service)
            .into_owned();
        let watched = graceful.watch(conn);
        async move {
            let _ = watched.await;
        }
    })
    .await;
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(shutdown_deadline) => {
            tracing::warn!("shutdown deadline reached with requests still in flight");
        }
    }
}

/// The accept loop every listener shares: the connection limit, a back-off when
/// accepting fails (out of file descriptors), and the idle watchdog. `serve` turns a
/// connection into the future that serves it; the connection is closed (dropped) when
/// that future ends or the connection has been idle for `limits.idle`. Returns, dropping
/// the listener, once `shutdown` resolves.
pub async fn accept<F, Fut>(
    listener: TcpListener,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
    mut serve: F,
) where
    F: FnMut(Accepted) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    let started = Instant::now();
    let mut failing = false;
    let mut full = false;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => {
                        failing = false;
                        accepted
                    }
                    Err(e) => {
                        if !failing {
                            tracing::warn!(error = %e, "accepting connections fails; retrying every 100 ms");
                        }
                        failing = true;
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    if !full {
                        tracing::warn!(
                            limit = limits.max_connections,
                            "connection limit reached: closing new connections until one ends"
                        );
                    }
                    full = true;
                    drop(stream);
                    continue;
                };
                full = false;
                let _ = stream.set_nodelay(true);
                let activity = Arc::new(Activity { started, last_ms: AtomicU64::new(0), in_flight: AtomicUsize::new(0) });
                activity.touch();
                let io = Watched { inner: stream, activity: activity.clone() };
                let conn = serve(Accepted { io, peer, activity: activity.clone() });
                let idle = limits.idle;
                tokio::spawn(async move {
                    tokio::select! {
                        _ = conn => {}
                        _ = activity.idle_for(idle) => {}
                    }
                    drop(slot);
                });
            }
            _ = &mut shutdown => break,
        }
    }
}

/// When a connection last moved bytes, and how many of its requests are being answered.
pub struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let ms = self.started.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Resolves once the connection has been idle (nothing in flight, nothing moving)
    /// for `idle`; dropping the connection then closes it.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let quiet = self.started.elapsed().saturating_sub(last);
            if quiet >= idle && self.in_flight.load(Ordering::Relaxed) == 0 {
                return;
            }
            tokio::time::sleep(idle.saturating_sub(quiet).max(Duration::from_millis(250))).await;
        }
    }
}

/// The TCP stream, noting each read and write.
pub struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A service (the router, or the proxy's), counting the connection's requests in flight.
#[derive(Clone)]
pub struct Counted<S> {
    inner: S,
    activity: Arc<Activity>,
    /// The client's address, for handlers as `ConnectInfo` (failed-login throttling).
    peer: std::net::SocketAddr,
}

struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

impl<S> Counted<S> {
    pub fn new(inner: S, conn: &Accepted) -> Self {
        Counted {
            inner,
            activity: conn.activity.clone(),
            peer: conn.peer,
        }
    }

    /// Another service counted on the same connection (a proxy's tunnel).
    pub fn wrap<T>(&self, inner: T) -> Counted<T> {
        Counted {
            inner,
            activity: self.activity.clone(),
            peer: self.peer,
        }
    }
}

impl<S, B> tower::Service<axum::http::Request<B>> for Counted<S>
where
    S: tower::Service<axum::http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: axum::http::Request<B>) -> Self::Future {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(self.peer));
        self.activity.in_flight.fetch_add(1, Ordering::Relaxed);
        let guard = InFlight(self.activity.clone());
        let fut = self.inner.call(req);
        Box::pin(async move {
            let r = fut.await;
            drop(guard);
            r
        })
    }
}
