//! The "ceiling" for bench/run.sh: an axum server on the same runtime setup as trusthub
//! (tokio multi-threaded, default worker count) that answers every GET with a fixed JSON
//! body read from a file at start-up. No auth, no store, no middleware: what the machine
//! can do for a response of that size.
//!
//! Usage: ceiling LISTEN_ADDR BODY_FILE   (first stdout line: "ceiling listening on http://ADDR")

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use std::io::Write;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let file = args.next().expect("usage: ceiling LISTEN_ADDR BODY_FILE");
    let body = Bytes::from(std::fs::read(&file).expect("read body file"));
    let handler = move || {
        let body = body.clone();
        async move { ([(CONTENT_TYPE, "application/json")], body) }
    };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback(get(handler));
    let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind");
    let addr = listener.local_addr().unwrap();
    println!("ceiling listening on http://{addr}");
    std::io::stdout().flush().ok();
    axum::serve(listener, app).await.unwrap();
}
