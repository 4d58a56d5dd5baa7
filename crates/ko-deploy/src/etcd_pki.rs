//! The certificates of a cluster's etcd: a CA made once per cluster, and one certificate per
//! member (server, peer and client use) plus the API servers' client certificate, signed by it.
//! They are kept with the cluster's other secrets ([`crate::cluster_secrets`]), never in SQLite;
//! private keys reach hosts only over SSH, into root-only files.

use crate::{DeployError, Result};
use ko_secrets::Sensitive;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// Years a CA is valid.
const CA_YEARS: i64 = 10;

/// A certificate with its private key.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct CertAndKey {
    /// Certificate (PEM).
    pub cert: String,
    /// Private key (PEM).
    pub key: Sensitive<String>,
}

fn pki_err(e: rcgen::Error) -> DeployError {
    DeployError::Internal(format!("making etcd certificates: {e}"))
}

fn ca_params(cluster: &str, from: OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("{cluster} etcd CA"));
    dn.push(DnType::OrganizationName, "KubeOperator Desktop");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    p.not_before = from;
    p.not_after = from + Duration::days(365 * CA_YEARS);
    p
}

/// A new etcd CA for `cluster`.
pub(crate) fn make_ca(cluster: &str) -> Result<CertAndKey> {
    let key = KeyPair::generate().map_err(pki_err)?;
    let cert = ca_params(cluster, OffsetDateTime::now_utc()).self_signed(&key).map_err(pki_err)?;
    Ok(CertAndKey { cert: cert.pem(), key: Sensitive::new(key.serialize_pem()) })
}

/// The certificate of member `host` (names and addresses in its SANs), signed by `ca`.
pub(crate) fn make_member(
    ca: &CertAndKey,
    cluster: &str,
    host: &str,
    addresses: &[IpAddr],
    validity_days: u32,
) -> Result<CertAndKey> {
    let mut names = vec![SanType::DnsName(dns(host)?), SanType::DnsName(dns("localhost")?)];
    names.extend(addresses.iter().copied().chain([IpAddr::from([127, 0, 0, 1])]).map(SanType::IpAddress));
    let usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    issue(ca, cluster, host, names, usages, validity_days)
}

/// The client certificate the API servers reach etcd with (`kube-apiserver-etcd-client`).
pub(crate) fn make_apiserver_client(ca: &CertAndKey, cluster: &str, validity_days: u32) -> Result<CertAndKey> {
    let usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    issue(ca, cluster, APISERVER_CLIENT, Vec::new(), usages, validity_days)
}

/// Common name of the API servers' etcd client certificate.
const APISERVER_CLIENT: &str = "kube-apiserver-etcd-client";

fn dns(name: &str) -> Result<rcgen::string::Ia5String> {
    rcgen::string::Ia5String::try_from(name).map_err(pki_err)
}

/// A certificate signed by the cluster's CA.
fn issue(
    ca: &CertAndKey,
    cluster: &str,
    common_name: &str,
    names: Vec<SanType>,
    usages: Vec<ExtendedKeyUsagePurpose>,
    validity_days: u32,
) -> Result<CertAndKey> {
    let ca_key = KeyPair::from_pem(ca.key.expose()).map_err(pki_err)?;
    let issuer = Issuer::new(ca_params(cluster, OffsetDateTime::now_utc()), ca_key);
    let mut p = CertificateParams::default();
    p.subject_alt_names = names;
    p.distinguished_name.push(DnType::CommonName, common_name);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = usages;
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::minutes(5);
    p.not_after = now + Duration::days(i64::from(validity_days));
    let key = KeyPair::generate().map_err(pki_err)?;
    let cert = p.signed_by(&key, &issuer).map_err(pki_err)?;
    Ok(CertAndKey { cert: cert.pem(), key: Sensitive::new(key.serialize_pem()) })
}
