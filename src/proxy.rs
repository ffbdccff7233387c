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
//! - Everything else — other hosts, other ports, requests that are not proxy requests —
//!   is refused with 403 (400 for a non-proxy request): never an open proxy.
//! - Responses name Twilio's hosts in their URLs (`crate::format::TWILIO_HOSTS`).
//!
//! The CA: `trusthub-proxy-ca.pem` (give it to clients: `NODE_EXTRA_CA_CERTS`,
//! `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`) and `trusthub-proxy-ca-key.pem` (mode 0600,
//! refused at start if group or others may read it), created at first start in
//! `--proxy-ca-dir`. The CA certificate is name-constrained to the Twilio hosts, so even
//! its key can vouch for nothing else. The server certificate is issued at each start.

use anyhow::{bail, Context};
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, Uri};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::format::TWILIO_HOSTS;

/// The Twilio API hosts this server implements (`messaging.twilio.com` joins once served).
pub const HOSTS: [&str; 2] = ["trusthub.twilio.com", "api.twilio.com"];

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
            return Ok(Ca {
                cert_path,
                cert_der,
                issuer: Issuer::new(ca_params(), key),
            });
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

/// Serves proxy connections until the process ends; `header_timeout` as `--header-timeout`
/// (for the proxy request, for each request inside a tunnel, and as the idle time of a
/// connection). The accept loop is the API listener's (`server::accept_loop`): the same
/// back-off on accept errors and the same idle watchdog, tunnels included.
pub async fn run(
    listener: TcpListener,
    router: Router,
    tls: rustls::ServerConfig,
    header_timeout: Duration,
) {
    let tls = TlsAcceptor::from(Arc::new(tls));
    let never = std::future::pending::<()>();
    crate::server::accept_loop(&listener, &router, header_timeout, never, |io, service| {
        let tls = tls.clone();
        let service = hyper::service::service_fn(move |req| {
            handle(req, service.clone(), tls.clone(), header_timeout)
        });
        async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(io, service)
                .with_upgrades()
                .await;
        }
    })
    .await;
}

fn allowed(host: &str) -> bool {
    HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
}

fn refuse(status: StatusCode, why: &str) -> Response<Body> {
    tracing::info!(why, "proxy request refused");
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::from(format!(
            "{why}\nThis proxy serves only {} (the TrustHub sandbox); it is not an open proxy.\n",
            HOSTS.join(", ")
        )))
        .unwrap_or_default()
}

async fn handle(
    req: Request<Incoming>,
    router: crate::server::Counted,
    tls: TlsAcceptor,
    header_timeout: Duration,
) -> Result<Response<Body>, std::convert::Infallible> {
    if req.method() == Method::CONNECT {
        let Some(authority) = req.uri().authority().cloned() else {
            return Ok(refuse(StatusCode::BAD_REQUEST, "CONNECT needs host:port"));
        };
        if !allowed(authority.host()) || authority.port_u16() != Some(443) {
            return Ok(refuse(
                StatusCode::FORBIDDEN,
                &format!("CONNECT {authority} refused"),
            ));
        }
        tokio::spawn(async move {
            let upgraded = match hyper::upgrade::on(req).await {
                Ok(u) => u,
                Err(e) => return tracing::debug!(error = %e, "proxy: upgrade failed"),
            };
            // A client that never completes the handshake must not hold the connection.
            let handshake = tls.accept(TokioIo::new(upgraded));
            let stream = match tokio::time::timeout(header_timeout, handshake).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => return tracing::info!(error = %e, "proxy: TLS handshake failed"),
                Err(_) => return tracing::info!("proxy: TLS handshake timed out"),
            };
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder
                .http1_only()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(router))
                .into_owned();
            let _ = TWILIO_HOSTS.scope(true, conn).await;
        });
        return Ok(Response::new(Body::empty()));
    }
    // A plain-HTTP proxy request names the absolute URL.
    let uri = req.uri().clone();
    let Some(authority) = uri.authority() else {
        return Ok(refuse(
            StatusCode::BAD_REQUEST,
            "This is the TrustHub proxy: send proxy requests (CONNECT or absolute URLs)",
        ));
    };
    if uri.scheme_str() != Some("http")
        || !allowed(authority.host())
        || authority.port_u16().is_some_and(|p| p != 80)
    {
        return Ok(refuse(
            StatusCode::FORBIDDEN,
            &format!("proxy request for {uri} refused"),
        ));
    }
    let (mut parts, body) = req.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    parts.uri = Uri::try_from(path).unwrap_or_default();
    let req = Request::from_parts(parts, Body::new(body));
    let resp = TWILIO_HOSTS.scope(true, router.oneshot(req)).await;
    Ok(resp.unwrap_or_else(|e| match e {}))
}
