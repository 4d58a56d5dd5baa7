//! The certificate chain an API server presents, read with the same trust the client has (for
//! the serving certificate's expiry in the health probe).

use crate::access::{certificates_der, install_crypto_provider};
use crate::{CONNECT_TIMEOUT, ClusterAccess, Error, Result};
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;

/// The DER certificates the API server of `access` presents, leaf first; empty when the access
/// trusts the system's roots (no CA of its own to check them with here).
pub async fn serving_chain(access: &ClusterAccess) -> Result<Vec<Vec<u8>>> {
    let Some(ca) = &access.ca_pem else { return Ok(Vec::new()) };
    install_crypto_provider();
    let server = access.server.as_str();
    let uri: http::Uri =
        server.parse().map_err(|e| Error::BadServer { server: server.into(), reason: format!("{e}") })?;
    let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = uri.port_u16().unwrap_or(443);
    let mut roots = rustls::RootCertStore::empty();
    for der in certificates_der(ca, "the CA")? {
        roots.add(CertificateDer::from(der)).map_err(|e| Error::BadCertificate(format!("the CA: {e}")))?;
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let name = access.tls_server_name.clone().unwrap_or_else(|| host.clone());
    let name = ServerName::try_from(name)
        .map_err(|e| Error::BadServer { server: server.into(), reason: format!("no usable TLS name: {e}") })?;
    let unreachable = |reason: String| Error::Unreachable { server: server.into(), reason };
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| unreachable("connection timed out".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.map_err(|e| {
        match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(t) => Error::TlsUntrusted { server: server.into(), reason: t.to_string() },
            None => unreachable(e.to_string()),
        }
    })?;
    let chain = tls.get_ref().1.peer_certificates().unwrap_or_default();
    Ok(chain.iter().map(|c| c.as_ref().to_vec()).collect())
}
