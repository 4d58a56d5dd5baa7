//! One HTTP/1.1 request per TLS connection, with the server's certificate pinned by fingerprint
//! (or, for the first contact, only read): what the SOAP client needs, no more.

use crate::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long connecting and each read may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The SHA-256 fingerprint of a DER certificate, as `AB:CD:...`.
pub fn fingerprint_of(der: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(der))
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c))
        .collect::<Vec<_>>()
        .join(":")
}

/// Accepts exactly the certificate with the pinned fingerprint (any, when none is pinned: the
/// first contact, which only reads it); remembers what was presented.
#[derive(Debug)]
struct Pinned {
    want: Option<String>,
    seen: Mutex<Option<String>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let seen = fingerprint_of(end_entity.as_ref());
        let matches = self.want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(&seen));
        *self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(seen);
        if matches {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// An answer: status, the `Set-Cookie` values, the body.
pub struct Response {
    pub status: u16,
    pub cookies: Vec<String>,
    pub body: String,
}

/// Where requests go.
pub struct Endpoint {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The fingerprint the certificate must have (none: read it, trust nothing else).
    pub pinned: Option<String>,
}

impl Endpoint {
    /// `host:port`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    fn unreachable(&self, reason: impl ToString) -> Error {
        Error::Unreachable { endpoint: self.label(), reason: reason.to_string() }
    }

    /// Sends one request (`Connection: close`) and reads the whole answer; also the fingerprint
    /// the server presented.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<(Response, String)> {
        let verifier = Arc::new(Pinned {
            want: self.pinned.clone(),
            seen: Mutex::new(None),
            schemes: rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes(),
        });
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| self.unreachable(e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        let name =
            ServerName::try_from(self.host.clone()).map_err(|e| self.unreachable(format!("not a usable name: {e}")))?;
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| self.unreachable(e))?
            .next()
            .ok_or_else(|| self.unreachable("the name has no address"))?;
        let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| self.unreachable(e))?;
        tcp.set_read_timeout(Some(TIMEOUT)).map_err(|e| self.unreachable(e))?;
        let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| self.unreachable(e))?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.label(),
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let sent =
            tls.write_all(head.as_bytes()).and_then(|()| tls.write_all(body.as_bytes())).and_then(|()| tls.flush());
        let seen = || verifier.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Err(e) = sent {
            return Err(match (seen(), &self.pinned) {
                (Some(seen), Some(trusted)) if !trusted.eq_ignore_ascii_case(&seen) => {
                    Error::CertificateChanged { endpoint: self.label(), trusted: trusted.clone(), seen }
                }
                _ => self.unreachable(e),
            });
        }
        let mut raw = Vec::new();
        if let Err(e) = tls.read_to_end(&mut raw) {
            // servers that close without close_notify: what arrived is the answer
            if raw.is_empty() {
                return Err(self.unreachable(e));
            }
        }
        let response = parse(&raw)
            .ok_or_else(|| Error::Protocol { endpoint: self.label(), message: "the answer is not HTTP".into() })?;
        Ok((response, seen().unwrap_or_default()))
    }
}

/// Splits an HTTP/1.1 answer into status, cookies and body (chunked or not).
fn parse(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let (mut cookies, mut chunked) = (Vec::new(), false);
    for line in lines {
        let (k, v) = line.split_once(':')?;
        match k.trim().to_ascii_lowercase().as_str() {
            "set-cookie" => cookies.push(v.trim().split(';').next().unwrap_or_default().to_string()),
            "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    let rest = &raw[split + 4..];
    let body = if chunked { dechunk(rest)? } else { rest.to_vec() };
    Some(Response { status, cookies, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..end]).ok()?.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_whole_or_chunked_with_their_cookies() {
        let plain = b"HTTP/1.1 200 OK\r\nSet-Cookie: vmware_soap_session=\"abc\"; Path=/; HttpOnly\r\n\r\n<x/>";
        let r = parse(plain).expect("parsed");
        assert_eq!(
            (r.status, r.cookies.as_slice(), r.body.as_str()),
            (200, &["vmware_soap_session=\"abc\"".to_string()][..], "<x/>")
        );
        let chunked = b"HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<ab>\r\n3\r\ncd/\r\n0\r\n\r\n";
        let r = parse(chunked).expect("parsed");
        assert_eq!((r.status, r.body.as_str()), (500, "<ab>cd/"));
        assert!(parse(b"garbage").is_none());
    }

    #[test]
    fn a_fingerprint_reads_as_colon_separated_hex() {
        let f = fingerprint_of(b"certificate");
        assert_eq!(f.len(), 32 * 3 - 1);
        assert!(
            f.split(':').all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()))
        );
    }
}
