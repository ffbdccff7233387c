//! Serving connections: hyper with a header-read timeout (slow-loris clients are cut
//! off), an idle timeout for connections with no request in flight (HTTP/1 keep-alive
//! and HTTP/2 alike), a back-off when accepting fails (out of file descriptors), and a
//! graceful shutdown that lets in-flight requests finish within a deadline.

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

/// Wait after a failed accept (e.g. EMFILE) before trying again, instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Concurrent HTTP/2 streams per connection.
const H2_STREAMS: u32 = 128;

/// `idle`: how long a connection may sit with no request in flight and no bytes moving
/// (the header timeout, as the idle time between keep-alive requests).
pub async fn run(
    listener: TcpListener,
    router: Router,
    idle: Duration,
    shutdown_deadline: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(idle);
    builder
        .http2()
        .timer(TokioTimer::new())
        // No keep-alive pings: they would count as activity; the idle watchdog below
        // closes idle connections, dead peers included.
        .max_concurrent_streams(H2_STREAMS);
    let graceful = GracefulShutdown::new();
    accept_loop(&listener, &router, idle, shutdown, |io, service| {
        let conn = builder
            .serve_connection(io, TowerToHyperService::new(service))
            .into_owned();
        let conn = graceful.watch(conn);
        async move {
            let _ = conn.await;
        }
    })
    .await;
    // Stop accepting; give in-flight requests until the deadline.
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(shutdown_deadline) => {
            tracing::warn!("shutdown deadline reached with requests still in flight");
        }
    }
}

/// The accept loop of every listener (the API's and the transparent proxy's): when
/// accepting fails (out of file descriptors, mostly) it waits `ACCEPT_BACKOFF` and tries
/// again instead of spinning, warning once per failing spell; each connection is watched
/// and closed after `idle` with no request in flight and no bytes moving. `serve` turns a
/// connection (its I/O and the router counting its requests) into the future serving it.
/// Returns when `shutdown` resolves.
pub(crate) async fn accept_loop<F, Fut>(
    listener: &TcpListener,
    router: &Router,
    idle: Duration,
    shutdown: impl Future<Output = ()>,
    mut serve: F,
) where
    F: FnMut(TokioIo<Watched>, Counted) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::pin!(shutdown);
    let started = Instant::now();
    let mut failing = false;
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
                let _ = stream.set_nodelay(true);
                let activity = Arc::new(Activity { started, last_ms: AtomicU64::new(0), in_flight: AtomicUsize::new(0) });
                activity.touch();
                let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
                let service = Counted { inner: router.clone(), activity: activity.clone(), peer };
                let conn = serve(io, service);
                tokio::spawn(async move {
                    tokio::select! {
                        _ = conn => {}
                        _ = activity.idle_for(idle) => {}
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
}

/// When a connection last moved bytes, and how many of its requests are being answered.
struct Activity {
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
pub(crate) struct Watched {
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

/// The router, counting the connection's requests in flight.
#[derive(Clone)]
pub(crate) struct Counted {
    inner: Router,
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

impl<B> tower::Service<axum::http::Request<B>> for Counted
where
    Router: tower::Service<axum::http::Request<B>>,
    <Router as tower::Service<axum::http::Request<B>>>::Future: Send + 'static,
{
    type Response = <Router as tower::Service<axum::http::Request<B>>>::Response;
    type Error = <Router as tower::Service<axum::http::Request<B>>>::Error;
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
