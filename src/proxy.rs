//! Transparent mode (`serve --proxy-listen ADDR`): an HTTP proxy through which unmodified
//! programs (twilio-cli, the helper libraries, Twilio's MCP server) reach this server while
//! they believe they talk to Twilio.
//!
//! - `CONNECT host:443` is accepted only for the Twilio hosts this server implements
//!   ([`HOSTS`]); the tunnel's TLS is terminated here (rustls) with a certificate for those
//!   names issued by a local CA ([`Ca`], rcgen), and the requests inside are served by the
//!   same router as the normal listener.
//! - Plain-HTTP proxy requests (`GET http://api.twilio.com/…`) for the same hosts, port 80,
//!   are served too.
//! - Everything else — other hosts, other ports, IP addresses, `user@` targets — is
//!   refused with 403 and the reason (400 for a request that is no proxy request at all):
//!   never an open proxy.
//! - Routed by host, as at Twilio ([`serves`]): a host serves only its own API; the
//!   operator API, console and health are not Twilio's and are 404 here. The TLS server
//!   name and each request's `Host` must name the tunnel's host (else 421).
//! - Connections are served by [`server::accept`], with the API listener's connection
//!   limit and deadlines; a tunnel stays on (and counts as) its proxy connection.
//! - Responses name Twilio's hosts in their URLs (`crate::format::TWILIO_HOSTS`).
//!
//! The CA: `trusthub-proxy-ca.pem` (give it to clients: `NODE_EXTRA_CA_CERTS`,
//! `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`) and `trusthub-proxy-ca-key.pem` (mode 0600,
//! refused at start if group or others may read it), created at first start in
//! `--proxy-ca-dir`. The CA certificate is name-constrained to the Twilio hosts, so even
//! its key can vouch for nothing else. The server certificate is issued at each start.

use anyhow::{bail, Context};
use axum::body::Body;
use axum::http::header::HOST;
use axum::http::uri::Authority;
use axum::http::{Method, Request, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, PublicKeyData,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::error::Error;
use crate::format::TWILIO_HOSTS;
use crate::server::{self, Accepted, ConnLimits, Counted};

/// The Twilio API hosts this server implements.
pub const HOSTS: [&str; 3] = [
    "trusthub.twilio.com",
    "api.twilio.com",
    "messaging.twilio.com",
];

pub const CA_CERT_FILE: &str = "trusthub-proxy-ca.pem";
pub const CA_KEY_FILE: &str = "trusthub-proxy-ca-key.pem";

/// The local certificate authority of transparent mode.
pub struct Ca {
    pub cert_path: PathBuf,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// The CA's parameters: constant, so the issuer can be rebuilt from the stored key alone.
fn ca_params() -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name
        .push(DnType::CommonName, "TrustHub sandbox local CA");
    p.distinguished_name.push(
        DnType::OrganizationName,
        "trusthub serve --proxy-listen (this machine only)",
    );
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: HOSTS
            .iter()
            .map(|h| GeneralSubtree::DnsName(h.to_string()))
            .collect(),
        // No IP address at all: the permitted DNS names do not constrain IP SANs.
        excluded_subtrees: vec![
            GeneralSubtree::IpAddress(CidrSubnet::V4([0; 4], [0; 4])),
            GeneralSubtree::IpAddress(CidrSubnet::V6([0; 16], [0; 16])),
        ],
    });
    p
}

impl Ca {
    /// Loads the CA kept in `dir`, or creates it there (the directory too).
    pub fn load_or_create(dir: &Path) -> anyhow::Result<Ca> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating --proxy-ca-dir {}", dir.display()))?;
        // Absolute: the printed paths are pasted into other programs' shells.
        let dir = &std::fs::canonicalize(dir)?;
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if key_path.exists() {
            check_owner_only(&key_path)?;
            let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path)?)
                .with_context(|| format!("reading {}", key_path.display()))?;
            let pem = std::fs::read(&cert_path)
                .with_context(|| format!("reading {}", cert_path.display()))?;
            let cert_der = rustls_pemfile_cert(&pem)
                .with_context(|| format!("no certificate in {}", cert_path.display()))?;
            // DER is canonical: the certificate holds its key's SubjectPublicKeyInfo verbatim.
            let spki = key.subject_public_key_info();
            if !cert_der.windows(spki.len()).any(|w| w == spki.as_slice()) {
                bail!(
                    "{} is not the certificate of the key {}: restore the pair the clients \
                     trust, or remove both to make a new CA (clients must then trust it)",
                    cert_path.display(),
                    key_path.display()
                );
            }
            // A CA made before a host joined `HOSTS` is name-constrained without it, and
            // clients would refuse that host's certificate: re-issue it with the same key
            // and subject (clients reading the file take it at their next start; a copy
            // made elsewhere must be refreshed).
            let missing: Vec<&str> = HOSTS
                .into_iter()
                .filter(|h| !cert_der.windows(h.len()).any(|w| w == h.as_bytes()))
                .collect();
            let cert_der = if missing.is_empty() {
                cert_der
            } else {
                let cert = ca_params().self_signed(&key)?;
                std::fs::write(&cert_path, cert.pem())
                    .with_context(|| format!("writing {}", cert_path.display()))?;
                tracing::warn!(
                    cert = %cert_path.display(),
                    "the proxy CA certificate was re-issued (same key) to also name {}; copies of the old certificate must be replaced",
                    missing.join(", ")
                );
                cert.der().clone()
            };
            return Ok(Ca {
                cert_path,
                cert_der,
                issuer: Issuer::new(ca_params(), key),
            });
        }
        if cert_path.exists() {
            bail!(
                "{} exists but its key {} does not: restore the key, or remove the certificate \
                 to make a new CA (clients must then trust the new one)",
                cert_path.display(),
                key_path.display()
            );
        }
        let key = KeyPair::generate()?;
        let cert = ca_params().self_signed(&key)?;
        write_private(&key_path, key.serialize_pem().as_bytes())?;
        std::fs::write(&cert_path, cert.pem())
            .with_context(|| format!("writing {}", cert_path.display()))?;
        Ok(Ca {
            cert_path,
            cert_der: cert.der().clone(),
            issuer: Issuer::new(ca_params(), key),
        })
    }

    /// A TLS configuration presenting a fresh certificate for [`HOSTS`], valid for a year.
    pub fn server_config(&self) -> anyhow::Result<rustls::ServerConfig> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(HOSTS.map(String::from).to_vec())?;
        params.distinguished_name.push(DnType::CommonName, HOSTS[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(365);
        let cert = params.signed_by(&key, &self.issuer)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), self.cert_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

fn rustls_pemfile_cert(pem: &[u8]) -> anyhow::Result<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    Ok(CertificateDer::from_pem_slice(pem)?)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(std::fs::write(path, bytes)?)
}

#[cfg(unix)]
fn check_owner_only(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        bail!(
            "{} is readable by others (mode {:o}): chmod 600 it, or remove it to create a new CA",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// The lines a user pastes to send programs through the proxy: both spellings of the
/// proxy variables (twilio-node reads `HTTP_PROXY` even for https, curl only the
/// lowercase `http_proxy`), loopback left direct, and the CA for Node, Python requests,
/// OpenSSL and curl.
pub fn env_lines(proxy: &str, ca: &Path) -> Vec<String> {
    let ca = ca.display();
    let p = format!("http://{proxy}");
    vec![
        format!("export HTTPS_PROXY={p} HTTP_PROXY={p} https_proxy={p} http_proxy={p}"),
        "export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost".to_string(),
        format!(
            "export NODE_EXTRA_CA_CERTS={ca} REQUESTS_CA_BUNDLE={ca} SSL_CERT_FILE={ca} CURL_CA_BUNDLE={ca}"
        ),
    ]
}

/// Serves proxy connections until `shutdown`, under the same connection limit, idle and
/// header deadlines as the API listener ([`server::accept`]); a TLS handshake inside a
/// tunnel has `limits.idle` to complete. Requests reach `router`, so they share its
/// admission budgets too. After `shutdown`, requests in flight get until `drain` to be
/// answered, as on the API listener (`--shutdown-timeout`).
pub async fn run(
    listener: TcpListener,
    router: Router,
    tls: rustls::ServerConfig,
    limits: ConnLimits,
    drain: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let tls = TlsAcceptor::from(Arc::new(tls));
    let in_flight = InFlight::default();
    server::accept(listener, limits, shutdown, |conn| {
        serve_client(
            conn,
            router.clone(),
            tls.clone(),
            limits.idle,
            in_flight.clone(),
        )
    })
    .await;
    let until = tokio::time::Instant::now() + drain;
    while in_flight.0.load(Ordering::SeqCst) > 0 {
        if tokio::time::Instant::now() >= until {
            tracing::warn!("shutdown deadline reached with proxy requests still in flight");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Requests being answered through the proxy (connections serve on their own tasks, so
/// shutdown counts requests rather than joining connections).
#[derive(Clone, Default)]
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    async fn count<F: std::future::Future>(self, f: F) -> F::Output {
        struct Done(Arc<AtomicUsize>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.0.fetch_add(1, Ordering::SeqCst);
        let _done = Done(self.0);
        f.await
    }
}

/// A tunnel asked for by `CONNECT`: the connection once hyper hands it over, and the host.
type Tunnel = Arc<std::sync::Mutex<Option<(hyper::upgrade::OnUpgrade, &'static str)>>>;

/// One client connection: proxy requests, and once a `CONNECT` is accepted, the TLS
/// tunnel on the same connection (so it stays within the connection's limit and watchdog).
async fn serve_client(
    conn: Accepted,
    router: Router,
    tls: TlsAcceptor,
    idle: Duration,
    in_flight: InFlight,
) {
    let tunnel: Tunnel = Default::default();
    let (r, t, n) = (router.clone(), tunnel.clone(), in_flight.clone());
    let service = Counted::new(
        tower::service_fn(move |req| n.clone().count(proxy_request(req, r.clone(), t.clone()))),
        &conn,
    );
    let counted = service.wrap(());
    let _ = server::http1(idle)
        .serve_connection(TokioIo::new(conn.io), TowerToHyperService::new(service))
        .with_upgrades()
        .await;
    let taken = tunnel.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some((upgrade, host)) = taken else { return };
    let upgraded = match upgrade.await {
        Ok(u) => u,
        Err(e) => return tracing::debug!(error = %e, "proxy: upgrade failed"),
    };
    // A client that never completes the handshake must not hold the connection.
    let stream = match tokio::time::timeout(idle, tls.accept(TokioIo::new(upgraded))).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return tracing::info!(error = %e, "proxy: TLS handshake failed"),
        Err(_) => return tracing::info!("proxy: TLS handshake timed out"),
    };
    let sni: Option<String> = stream
        .get_ref()
        .1
        .server_name()
        .map(str::to_ascii_lowercase);
    let service = tower::service_fn(move |req: Request<Incoming>| {
        let misdirected = match &sni {
            Some(name) if name == host => None,
            Some(name) => Some(format!(
                "The TLS server name (SNI) {name} is not the CONNECT target {host}"
            )),
            None => Some(format!(
                "The TLS handshake named no server (SNI); this tunnel is for {host}"
            )),
        };
        let answer = serve_for_host(req, host, 443, misdirected, router.clone());
        in_flight.clone().count(answer)
    });
    let _ = server::http1(idle)
        .serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(counted.wrap(service)),
        )
        .await;
}

fn refuse(status: StatusCode, message: String) -> Response<Body> {
    tracing::info!(%message, "proxy request refused");
    let message = format!(
        "{message}. This proxy serves only {} (the TrustHub sandbox); it is not an open proxy",
        HOSTS.join(", ")
    );
    let e = match status {
        StatusCode::FORBIDDEN => Error::Forbidden {
            code: 20403,
            message,
        },
        _ => Error::invalid(20001, message),
    };
    e.into_response()
}

/// Which of [`HOSTS`] a proxy target names, or why it is refused. `port` is the one the
/// scheme implies (443 for `CONNECT`, 80 for plain HTTP).
fn target(authority: &Authority, port: u16) -> Result<&'static str, String> {
    if authority.as_str().contains('@') {
        return Err(format!(
            "{authority}: a proxy target carries no user information (user@)"
        ));
    }
    let host = authority.host();
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!(
            "{authority}: an IP address is refused; name the Twilio host"
        ));
    }
    let Some(known) = HOSTS.iter().copied().find(|h| h.eq_ignore_ascii_case(host)) else {
        return Err(format!("{host} is not served here"));
    };
    match authority.port_u16() {
        Some(p) if p == port => Ok(known),
        None if port == 80 => Ok(known),
        None => Err(format!("{authority} has no port; use {known}:{port}")),
        Some(p) => Err(format!("{known} port {p} is refused; use {known}:{port}")),
    }
}

/// A request to the proxy itself: `CONNECT` (the tunnel is served once hyper hands the
/// connection over, see [`serve_client`]) or a plain-HTTP proxy request.
async fn proxy_request(
    mut req: Request<Incoming>,
    router: Router,
    tunnel: Tunnel,
) -> Result<Response<Body>, std::convert::Infallible> {
    if req.method() == Method::CONNECT {
        let Some(authority) = req.uri().authority().cloned() else {
            return Ok(refuse(
                StatusCode::BAD_REQUEST,
                "CONNECT needs a target host:port".into(),
            ));
        };
        let host = match target(&authority, 443) {
            Ok(h) => h,
            Err(why) => return Ok(refuse(StatusCode::FORBIDDEN, format!("CONNECT {why}"))),
        };
        let upgrade = hyper::upgrade::on(&mut req);
        *tunnel.lock().unwrap_or_else(|e| e.into_inner()) = Some((upgrade, host));
        return Ok(Response::new(Body::empty()));
    }
    // A plain-HTTP proxy request names the absolute URL.
    let Some(authority) = req.uri().authority().cloned() else {
        return Ok(refuse(
            StatusCode::BAD_REQUEST,
            "This is the TrustHub proxy: send proxy requests (CONNECT or absolute URLs)".into(),
        ));
    };
    if req.uri().scheme_str() != Some("http") {
        return Ok(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "{}: only http:// URLs are proxied as such; https goes through CONNECT",
                req.uri()
            ),
        ));
    }
    match target(&authority, 80) {
        Ok(host) => serve_for_host(req, host, 80, None, router).await,
        Err(why) => Ok(refuse(
            StatusCode::FORBIDDEN,
            format!("Proxy request {why}"),
        )),
    }
}

/// Whether `host` serves `path` at Twilio (`crate::format::twilio_host`): TrustHub's `/v1`
/// on trusthub.twilio.com, Messaging's `/v1` on messaging.twilio.com, the 2010 API on
/// api.twilio.com. Everything else this server has (operator API, console, health) is not
/// Twilio's and stays off the proxy.
fn serves(host: &str, path: &str) -> bool {
    crate::format::twilio_host(path) == Some(host)
}

/// Serves one request for `host` (reached on `port`): its URL and `Host` header must name
/// that host (else 421), and the path must be one `host` serves (else Twilio's 404).
async fn serve_for_host(
    req: Request<Incoming>,
    host: &'static str,
    port: u16,
    misdirected: Option<String>,
    router: Router,
) -> Result<Response<Body>, std::convert::Infallible> {
    let named = |a: &str| {
        let a: Option<Authority> = a.parse().ok();
        a.is_some_and(|a| {
            a.host().eq_ignore_ascii_case(host)
                && a.port_u16().is_none_or(|p| p == port)
                && !a.as_str().contains('@')
        })
    };
    let mismatch = misdirected.or_else(|| {
        let url_host = req.uri().authority().map(|a| a.as_str().to_string());
        let header = req
            .headers()
            .get(HOST)
            .map(|h| h.to_str().unwrap_or("(not text)").to_string());
        [url_host, header]
            .into_iter()
            .flatten()
            .find(|a| !named(a))
            .map(|a| format!("The request names {a}, but this connection is for {host}"))
    });
    if let Some(message) = mismatch {
        tracing::info!(%message, "proxy request misdirected");
        return Ok(Error::Limit {
            status: StatusCode::MISDIRECTED_REQUEST,
            code: 20421,
            message,
            retry_after: None,
        }
        .into_response());
    }
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if !serves(host, &path) {
        return Ok(Error::NotFound(path).into_response());
    }
    let origin = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    parts.uri = Uri::try_from(origin).unwrap_or_default();
    let req = Request::from_parts(parts, Body::new(body));
    let resp = TWILIO_HOSTS.scope(true, router.oneshot(req)).await;
    Ok(resp.unwrap_or_else(|e| match e {}))
}
