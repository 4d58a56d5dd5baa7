//! The SSH layer: everything the product does to a host goes through here.
//!
//! * [`Target`] says where a host is, who to log in as, how ([`Auth`]), which host key to expect
//!   ([`HostKeyPolicy`]) and through which jump hosts.
//! * [`Session::connect`] opens one connection (through any chain of bastions, each with its own
//!   credential and pinned key) on which many commands run at once; [`SshPool`] keeps one per host
//!   and reconnects after a drop.
//! * [`Session::exec`] streams output as timestamped lines, becomes root through `sudo` when asked
//!   (the password goes to sudo's stdin only after sudo's own prompt appears), enforces a timeout
//!   and really stops the remote command on cancel.
//! * [`Session::upload`] / [`Session::download`] resume from what the far side already has, verify
//!   SHA-256 before an atomic rename, and report progress.
//! * [`fan_out`] runs one operation on many hosts with a bound; [`gather_facts`] reads a host.

mod connect;
mod error;
mod exec;
mod facts;
mod fanout;
mod host_key;
mod pool;
mod quote;
mod target;
mod transfer;

pub use connect::{ConnectOptions, Session};
pub use error::{Result, SshError};
pub use exec::{ExecOptions, ExecOutcome, OutputLine, Stream};
pub use facts::{HostFacts, gather_facts};
pub use fanout::{DEFAULT_PARALLELISM, fan_out};
pub use host_key::{HostKey, HostKeyPolicy, known_hosts_lookup, scan_host_key};
pub use pool::SshPool;
pub use quote::shell_quote;
pub use target::{Auth, Target};
pub use tokio_util::sync::CancellationToken;
pub use transfer::{Download, REMOTE_SHA, TransferOutcome, TransferProgress, Upload};
