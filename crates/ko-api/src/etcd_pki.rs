//! The certificates of a cluster's etcd: a CA made once per cluster, and one certificate per
//! member (server, peer and client use). Private keys live in the OS keychain, never in SQLite;
//! they reach hosts only over SSH, into root-only files.

use crate::{ApiError, Result};
use ko_secrets::{Keychain, Sensitive};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// Years a CA is valid.
const CA_YEARS: i64 = 10;

/// A certificate with its private key, as kept in the keychain.
#[derive(Serialize, Deserialize)]
pub(crate) struct CertAndKey {
    /// Certificate (PEM).
    pub cert: String,
    /// Private key (PEM).
    pub key: String,
}

fn ca_entry(cluster: &str) -> String {
    format!("cluster/{cluster}/etcd-ca")
}

fn member_entry(cluster: &str, host: &str) -> String {
    format!("cluster/{cluster}/etcd-member/{host}")
}

fn pki_err(e: rcgen::Error) -> ApiError {
    ApiError::Internal(format!("making etcd certificates: {e}"))
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

fn get_json<T: for<'de> Deserialize<'de>>(keychain: &Keychain, key: &str) -> Result<Option<T>> {
    match keychain.get(key) {
        Ok(v) => serde_json::from_str(v.expose())
            .map(Some)
            .map_err(|e| ApiError::Internal(format!("keychain entry {key} is not readable: {e}"))),
        Err(ko_secrets::SecretError::Missing(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn put_json<T: Serialize>(keychain: &Keychain, key: &str, value: &T) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    keychain.put(key, &Sensitive::new(text))?;
    Ok(())
}

/// The cluster's etcd CA, made (and kept in the keychain) on first use.
pub(crate) fn ca(keychain: &Keychain, cluster: &str) -> Result<CertAndKey> {
    if let Some(ca) = get_json(keychain, &ca_entry(cluster))? {
        return Ok(ca);
    }
    let key = KeyPair::generate().map_err(pki_err)?;
    let cert = ca_params(cluster, OffsetDateTime::now_utc()).self_signed(&key).map_err(pki_err)?;
    let ca = CertAndKey { cert: cert.pem(), key: key.serialize_pem() };
    put_json(keychain, &ca_entry(cluster), &ca)?;
    Ok(ca)
}

/// The certificate of member `host` (names and addresses in its SANs), signed by the cluster's
/// CA, made on first use and kept in the keychain so a retried task uses the same one.
pub(crate) fn member(
    keychain: &Keychain,
    cluster: &str,
    host: &str,
    addresses: &[IpAddr],
    validity_days: u32,
) -> Result<CertAndKey> {
    let mut names = vec![SanType::DnsName(dns(host)?), SanType::DnsName(dns("localhost")?)];
    names.extend(addresses.iter().copied().chain([IpAddr::from([127, 0, 0, 1])]).map(SanType::IpAddress));
    let usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    issue(keychain, cluster, &member_entry(cluster, host), host, names, usages, validity_days)
}

/// The client certificate the API servers reach etcd with (`kube-apiserver-etcd-client`), made on
/// first use and kept in the keychain like a member's.
pub(crate) fn apiserver_client(keychain: &Keychain, cluster: &str, validity_days: u32) -> Result<CertAndKey> {
    let usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    issue(keychain, cluster, &client_entry(cluster), APISERVER_CLIENT, Vec::new(), usages, validity_days)
}

/// Common name of the API servers' etcd client certificate.
const APISERVER_CLIENT: &str = "kube-apiserver-etcd-client";

fn client_entry(cluster: &str) -> String {
    format!("cluster/{cluster}/etcd-client/{APISERVER_CLIENT}")
}

fn dns(name: &str) -> Result<rcgen::string::Ia5String> {
    rcgen::string::Ia5String::try_from(name).map_err(pki_err)
}

/// A certificate signed by the cluster's CA, kept in the keychain under `entry` (the kept one when
/// there is one).
fn issue(
    keychain: &Keychain,
    cluster: &str,
    entry: &str,
    common_name: &str,
    names: Vec<SanType>,
    usages: Vec<ExtendedKeyUsagePurpose>,
    validity_days: u32,
) -> Result<CertAndKey> {
    if let Some(m) = get_json(keychain, entry)? {
        return Ok(m);
    }
    let ca = ca(keychain, cluster)?;
    let ca_key = KeyPair::from_pem(&ca.key).map_err(pki_err)?;
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
    let m = CertAndKey { cert: cert.pem(), key: key.serialize_pem() };
    put_json(keychain, entry, &m)?;
    Ok(m)
}

/// Forgets the certificates the CA issued — the API servers' client certificate and those of
/// `hosts` — so the next run issues new ones (a renewal).
pub(crate) fn forget_issued(keychain: &Keychain, cluster: &str, hosts: &[String]) -> Result<()> {
    for key in hosts.iter().map(|h| member_entry(cluster, h)).chain([client_entry(cluster)]) {
        keychain.delete(&key)?;
    }
    Ok(())
}

/// Forgets the cluster's CA and everything it issued (when the cluster is deleted).
pub(crate) fn forget(keychain: &Keychain, cluster: &str, hosts: &[String]) -> Result<()> {
    forget_issued(keychain, cluster, hosts)?;
    keychain.delete(&ca_entry(cluster))?;
    Ok(())
}
