//! Where a host is and how to log in.

use crate::HostKeyPolicy;
use ko_secrets::Sensitive;
use std::path::PathBuf;

/// How to authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A password (tried as `password`, then as `keyboard-interactive`).
    Password(Sensitive<String>),
    /// A password given only through `keyboard-interactive` (servers with password auth off).
    KeyboardInteractive(Sensitive<String>),
    /// A private key, OpenSSH or PEM, optionally encrypted.
    Key {
        /// The key text.
        key: Sensitive<String>,
        /// Its passphrase.
        passphrase: Option<Sensitive<String>>,
    },
    /// Keys held by an ssh-agent (`SSH_AUTH_SOCK` when `socket` is `None`; on Windows Pageant or
    /// the OpenSSH agent's named pipe).
    Agent {
        /// Agent socket (Unix) or pipe name (Windows).
        socket: Option<PathBuf>,
    },
}

/// One host to connect to.
#[derive(Debug, Clone)]
pub struct Target {
    /// Name used in messages and as the pool key.
    pub name: String,
    /// Address or DNS name.
    pub address: String,
    /// SSH port.
    pub port: u16,
    /// Login user.
    pub user: String,
    /// How to authenticate.
    pub auth: Auth,
    /// Password for sudo; `None` uses the login password when there is one.
    pub sudo_password: Option<Sensitive<String>>,
    /// Which host key to accept.
    pub host_key: HostKeyPolicy,
    /// The bastion to go through (which may itself have one).
    pub jump: Option<Box<Target>>,
}

impl Target {
    /// The password sudo gets: the sudo password, else the login password.
    pub(crate) fn sudo_secret(&self) -> Option<&Sensitive<String>> {
        self.sudo_password.as_ref().or(match &self.auth {
            Auth::Password(p) | Auth::KeyboardInteractive(p) => Some(p),
            _ => None,
        })
    }

    /// `address:port` for messages.
    pub fn addr(&self) -> String {
        if self.address.contains(':') {
            format!("[{}]:{}", self.address, self.port)
        } else {
            format!("{}:{}", self.address, self.port)
        }
    }
}
