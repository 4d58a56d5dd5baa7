//! Connecting: TCP (or a channel through a bastion), key exchange with the host-key check, and
//! authentication.

use crate::host_key::KeyCheck;
use crate::{Auth, HostKey, HostKeyPolicy, Result, SshError, Target};
use russh::client::{self, AuthResult, Handle, KeyboardInteractiveAuthResponse};
use russh::keys::{PrivateKeyWithHashAlg, decode_secret_key};
use russh::{MethodKind, MethodSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Timeouts and keepalives of a connection.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// TCP connect plus key exchange plus authentication.
    pub connect_timeout: Duration,
    /// How often to check that the peer is alive.
    pub keepalive_interval: Duration,
    /// Unanswered keepalives before the connection counts as lost.
    pub keepalive_max: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { connect_timeout: Duration::from_secs(15), keepalive_interval: Duration::from_secs(10), keepalive_max: 3 }
    }
}

impl ConnectOptions {
    /// A dead link while data is being sent blocks the SSH session's writes, and with them its
    /// keepalives, until TCP gives up (about 15 minutes). Where the OS allows, data left
    /// unacknowledged for as long as the keepalives allow drops the connection instead.
    fn bound_unacknowledged_data(&self, tcp: &tokio::net::TcpStream) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let limit = self.keepalive_interval * (self.keepalive_max.max(1) as u32 + 1);
            if let Err(e) = socket2::SockRef::from(tcp).set_tcp_user_timeout(Some(limit)) {
                tracing::debug!(error = %e, "TCP_USER_TIMEOUT not set");
            }
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = tcp;
    }

    fn russh_config(&self, policy: &HostKeyPolicy) -> Arc<client::Config> {
        let mut config = client::Config {
            keepalive_interval: Some(self.keepalive_interval),
            keepalive_max: self.keepalive_max,
            inactivity_timeout: None,
            window_size: 8 * 1024 * 1024,
            nodelay: true,
            ..Default::default()
        };
        // AES-GCM first: with AES-NI it is the fastest AEAD cipher, and bulk uploads are CPU-bound
        config.preferred.cipher = std::borrow::Cow::Owned(vec![
            russh::cipher::AES_256_GCM,
            russh::cipher::AES_128_GCM,
            russh::cipher::CHACHA20_POLY1305,
            russh::cipher::AES_256_CTR,
            russh::cipher::AES_128_CTR,
        ]);
        // ask for the pinned key's type so a server with several keys presents the right one
        if let HostKeyPolicy::Pinned { algorithm: Some(a), .. } = policy
            && let Ok(alg) = a.parse::<russh::keys::Algorithm>()
        {
            let mut keys: Vec<_> = config.preferred.key.to_vec();
            keys.retain(|k| *k == alg);
            if !keys.is_empty() {
                config.preferred.key = keys.into();
            }
        }
        Arc::new(config)
    }
}

/// An authenticated connection to one host, on which many commands can run at once.
pub struct Session {
    pub(crate) target: Target,
    pub(crate) handle: Handle<KeyCheck>,
    /// The key the host presented.
    host_key: HostKey,
    /// Bastion connections this one runs through; kept alive as long as it.
    _via: Option<Box<Session>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("host", &self.target.name)
            .field("host_key", &self.host_key.fingerprint)
            .finish()
    }
}

type Transport = (Handle<KeyCheck>, HostKey, Option<Box<Session>>);

/// TCP (or bastion channel) + key exchange, checking the host key.
fn handshake<'a>(
    target: &'a Target,
    opts: &'a ConnectOptions,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Transport>> + Send + 'a>> {
    Box::pin(async move {
        let seen = Arc::new(Mutex::new(None));
        let handler = KeyCheck { policy: target.host_key.clone(), seen: seen.clone() };
        let config = opts.russh_config(&target.host_key);
        let (connected, via) = match &target.jump {
            None => {
                let tcp =
                    tokio::net::TcpStream::connect((target.address.as_str(), target.port)).await.map_err(|e| {
                        SshError::Unreachable { host: target.name.clone(), addr: target.addr(), cause: e.to_string() }
                    })?;
                let _ = tcp.set_nodelay(true);
                opts.bound_unacknowledged_data(&tcp);
                (client::connect_stream(config, tcp, handler).await, None)
            }
            Some(jump) => {
                let bastion = Session::connect_inner(jump, opts).await?;
                let channel = bastion
                    .handle
                    .channel_open_direct_tcpip(target.address.clone(), u32::from(target.port), "127.0.0.1", 0)
                    .await
                    .map_err(|e| SshError::Unreachable {
                        host: target.name.clone(),
                        addr: format!("{} via {}", target.addr(), jump.name),
                        cause: e.to_string(),
                    })?;
                (client::connect_stream(config, channel.into_stream(), handler).await, Some(Box::new(bastion)))
            }
        };
        let presented = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match connected {
            Ok(handle) => {
                let key = presented.ok_or_else(|| SshError::Protocol {
                    host: target.name.clone(),
                    cause: "no host key was presented".into(),
                })?;
                Ok((handle, key, via))
            }
            Err(russh::Error::UnknownKey) => {
                let pinned = match &target.host_key {
                    HostKeyPolicy::Pinned { fingerprint, .. } => fingerprint.clone(),
                    HostKeyPolicy::TrustOnFirstUse => String::new(),
                };
                Err(SshError::HostKeyChanged {
                    host: target.name.clone(),
                    pinned,
                    presented: presented.map(|k| k.fingerprint).unwrap_or_else(|| "(none)".into()),
                })
            }
            Err(e) => Err(protocol(&target.name, &e)),
        }
    })
}

pub(crate) fn protocol(host: &str, e: &russh::Error) -> SshError {
    match e {
        russh::Error::Disconnect
        | russh::Error::HUP
        | russh::Error::ConnectionTimeout
        | russh::Error::KeepaliveTimeout => SshError::Disconnected { host: host.into(), cause: e.to_string() },
        russh::Error::IO(io) => SshError::Disconnected { host: host.into(), cause: io.to_string() },
        _ => SshError::Protocol { host: host.into(), cause: e.to_string() },
    }
}

fn methods(set: &MethodSet) -> String {
    let names: Vec<&str> = set.iter().map(<&str>::from).collect();
    if names.is_empty() { "(none)".into() } else { names.join(", ") }
}

async fn keyboard_interactive(handle: &mut Handle<KeyCheck>, user: &str, answer: &str, host: &str) -> Result<bool> {
    let err = |e: russh::Error| protocol(host, &e);
    let mut reply = handle.authenticate_keyboard_interactive_start(user, None).await.map_err(err)?;
    for _ in 0..5 {
        match reply {
            KeyboardInteractiveAuthResponse::Success => return Ok(true),
            KeyboardInteractiveAuthResponse::Failure { .. } => return Ok(false),
            KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. } => {
                let answers = prompts.iter().map(|_| answer.to_string()).collect();
                reply = handle.authenticate_keyboard_interactive_respond(answers).await.map_err(err)?;
            }
        }
    }
    Ok(false)
}

async fn authenticate(handle: &mut Handle<KeyCheck>, target: &Target) -> Result<()> {
    let host = target.name.as_str();
    let user = target.user.as_str();
    let err = |e: russh::Error| protocol(host, &e);
    let failed = |method: &str, accepted: &MethodSet| SshError::AuthFailed {
        host: host.into(),
        user: user.into(),
        method: method.into(),
        accepted: methods(accepted),
    };
    match &target.auth {
        Auth::Password(password) => {
            let result = handle.authenticate_password(user, password.expose().as_str()).await.map_err(err)?;
            match result {
                AuthResult::Success => Ok(()),
                AuthResult::Failure { remaining_methods, .. } => {
                    if remaining_methods.contains(&MethodKind::KeyboardInteractive)
                        && keyboard_interactive(handle, user, password.expose(), host).await?
                    {
                        return Ok(());
                    }
                    Err(failed("password and keyboard-interactive", &remaining_methods))
                }
            }
        }
        Auth::KeyboardInteractive(password) => {
            if keyboard_interactive(handle, user, password.expose(), host).await? {
                Ok(())
            } else {
                Err(failed("keyboard-interactive", &MethodSet::empty()))
            }
        }
        Auth::Key { key, passphrase } => {
            let decoded =
                decode_secret_key(key.expose(), passphrase.as_ref().map(|p| p.expose().as_str())).map_err(|e| {
                    SshError::Credential { host: host.into(), cause: format!("the private key cannot be used: {e}") }
                })?;
            let hash = handle.best_supported_rsa_hash().await.map_err(err)?.flatten();
            let key = PrivateKeyWithHashAlg::new(Arc::new(decoded), hash);
            match handle.authenticate_publickey(user, key).await.map_err(err)? {
                AuthResult::Success => Ok(()),
                AuthResult::Failure { remaining_methods, .. } => Err(failed("public key", &remaining_methods)),
            }
        }
        Auth::Agent { socket } => agent_auth(handle, target, socket.as_deref()).await,
    }
}

type Agent = russh::keys::agent::client::AgentClient<Box<dyn russh::keys::agent::client::AgentStream + Send + Unpin>>;

/// The ssh-agent: a Unix socket (`SSH_AUTH_SOCK` when `socket` is `None`).
#[cfg(unix)]
async fn connect_agent(socket: Option<&std::path::Path>) -> Result<Agent, russh::keys::Error> {
    use russh::keys::agent::client::AgentClient;
    Ok(match socket {
        Some(path) => AgentClient::connect_uds(path).await?.dynamic(),
        None => AgentClient::connect_env().await?.dynamic(),
    })
}

/// The ssh-agent on Windows: the OpenSSH agent's named pipe, or Pageant when `socket` is `None`
/// (untested: only Linux is built and tested here).
#[cfg(windows)]
async fn connect_agent(socket: Option<&std::path::Path>) -> Result<Agent, russh::keys::Error> {
    use russh::keys::agent::client::AgentClient;
    Ok(match socket {
        Some(pipe) => AgentClient::connect_named_pipe(pipe).await?.dynamic(),
        None => AgentClient::connect_pageant().await?.dynamic(),
    })
}

async fn agent_auth(handle: &mut Handle<KeyCheck>, target: &Target, socket: Option<&std::path::Path>) -> Result<()> {
    use russh::keys::agent::AgentIdentity;
    let host = target.name.as_str();
    let no_agent = |e: russh::keys::Error| SshError::Credential {
        host: host.into(),
        cause: format!("cannot reach the ssh-agent: {e}"),
    };
    let mut agent = connect_agent(socket).await.map_err(no_agent)?;
    let identities = agent.request_identities().await.map_err(no_agent)?;
    let mut last = MethodSet::empty();
    for id in identities {
        let AgentIdentity::PublicKey { key, .. } = id else { continue };
        let hash = handle.best_supported_rsa_hash().await.map_err(|e| protocol(host, &e))?.flatten();
        match handle.authenticate_publickey_with(target.user.as_str(), key, hash, &mut agent).await {
            Ok(AuthResult::Success) => return Ok(()),
            Ok(AuthResult::Failure { remaining_methods, .. }) => last = remaining_methods,
            Err(e) => {
                return Err(SshError::Credential {
                    host: host.into(),
                    cause: format!("the ssh-agent could not sign: {e}"),
                });
            }
        }
    }
    Err(SshError::AuthFailed {
        host: host.into(),
        user: target.user.clone(),
        method: "ssh-agent keys".into(),
        accepted: methods(&last),
    })
}

impl Session {
    /// Connects to `target` (through its jump hosts), checks its host key and logs in.
    pub async fn connect(target: &Target, opts: &ConnectOptions) -> Result<Self> {
        Self::connect_inner(target, opts).await
    }

    async fn connect_inner(target: &Target, opts: &ConnectOptions) -> Result<Self> {
        let work = async {
            let (mut handle, host_key, via) = handshake(target, opts).await?;
            authenticate(&mut handle, target).await?;
            Ok(Session { target: target.clone(), handle, host_key, _via: via })
        };
        tokio::time::timeout(opts.connect_timeout, work).await.unwrap_or_else(|_| {
            Err(SshError::Timeout { host: target.name.clone(), what: "connecting".into(), after: opts.connect_timeout })
        })
    }

    /// The key the host presented (pin this after a trust-on-first-use connect).
    pub fn host_key(&self) -> &HostKey {
        &self.host_key
    }

    /// The target this session is connected to.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Whether the connection has gone away.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }
}

/// The key `target` presents, without logging in to it (jump hosts on the way are logged in to,
/// with their pinned keys). For showing a fingerprint to a person before trusting it.
pub async fn scan_host_key(target: &Target, opts: &ConnectOptions) -> Result<HostKey> {
    let mut probe = target.clone();
    probe.host_key = HostKeyPolicy::TrustOnFirstUse;
    let work = async {
        let (handle, key, _via) = handshake(&probe, opts).await?;
        let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
        Ok(key)
    };
    tokio::time::timeout(opts.connect_timeout, work).await.unwrap_or_else(|_| {
        Err(SshError::Timeout {
            host: target.name.clone(),
            what: "reading the host key".into(),
            after: opts.connect_timeout,
        })
    })
}
