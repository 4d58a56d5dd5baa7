//! The stand-in's certificates (a CA and a serving certificate for 127.0.0.1 / localhost, kept in
//! a directory so that a restarted stand-in presents the same ones) and its TLS listener.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The PEM files of the stand-in's identity.
#[derive(Clone)]
pub struct Identity {
    /// The CA certificate clients trust.
    pub ca_pem: String,
    /// The serving certificate followed by the CA.
    pub chain_pem: String,
    /// The serving certificate's key.
    pub key_pem: String,
}

fn err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl Identity {
    /// A new CA and a serving certificate for `127.0.0.1`, `::1` and `localhost`, valid `days`.
    pub fn generate(days: i64) -> io::Result<Self> {
        let now = time::OffsetDateTime::now_utc();
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name.push(DnType::CommonName, "kube-standin CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
        ca.not_before = now - time::Duration::hours(1);
        ca.not_after = now + time::Duration::days(3650);
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = KeyPair::generate().map_err(err)?;
        let mut p = CertificateParams::default();
        p.distinguished_name.push(DnType::CommonName, "kube-apiserver");
        p.subject_alt_names = vec![
            SanType::IpAddress([127, 0, 0, 1].into()),
            SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
            SanType::DnsName("localhost".try_into().map_err(err)?),
            SanType::DnsName("kubernetes.default.svc".try_into().map_err(err)?),
        ];
        p.not_before = now - time::Duration::hours(1);
        p.not_after = now + time::Duration::days(days);
        let cert = p.signed_by(&key, &issuer).map_err(err)?;
        Ok(Self { ca_pem: ca_cert.pem(), chain_pem: cert.pem() + &ca_cert.pem(), key_pem: key.serialize_pem() })
    }

    /// The identity kept in `dir` (`ca.crt`, `apiserver.crt`, `apiserver.key`), made there first
    /// when it has none.
    pub fn in_dir(dir: &Path, days: i64) -> io::Result<Self> {
        let (ca, chain, key) = (dir.join("ca.crt"), dir.join("apiserver.crt"), dir.join("apiserver.key"));
        if key.exists() {
            return Ok(Self {
                ca_pem: std::fs::read_to_string(ca)?,
                chain_pem: std::fs::read_to_string(chain)?,
                key_pem: std::fs::read_to_string(key)?,
            });
        }
        let id = Self::generate(days)?;
        std::fs::write(&ca, &id.ca_pem)?;
        std::fs::write(&chain, &id.chain_pem)?;
        std::fs::write(&key, &id.key_pem)?;
        Ok(id)
    }

    /// A TLS acceptor presenting this identity (HTTP/1.1).
    pub fn acceptor(&self) -> io::Result<TlsAcceptor> {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(self.chain_pem.as_bytes()).collect::<Result<_, _>>().map_err(err)?;
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).map_err(err)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(err)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(err)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// A TCP listener whose connections are TLS (failed handshakes are dropped, not returned).
pub struct TlsListener {
    /// The TCP side.
    pub tcp: TcpListener,
    /// The TLS side.
    pub acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else { continue };
            // a client that rejects the certificate (a wrong CA) ends here
            if let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(5), self.acceptor.accept(tcp)).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
