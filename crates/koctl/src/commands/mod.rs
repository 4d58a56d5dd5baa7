//! One module per noun; each turns its subcommand into one API call and renders the result.

mod access;
mod audit;
mod bundle;
mod cluster;
mod credential;
mod host;
mod ip_pool;
mod kube;
mod region;
mod secrets;
mod setting;
mod status;
mod task;
mod task_progress;
mod version;

use crate::cli::{Cli, Command};
use crate::vault_passphrase::KoctlPassphrase;
use anyhow::Result;
use ko_api::{Api, SecretsConfig};
use std::path::Path;
use std::process::ExitCode;

/// Opens the data dir, resolves who is acting, and runs the command.
pub async fn run(cli: Cli, data_dir: &Path) -> Result<ExitCode> {
    let serving = matches!(cli.command, Command::Serve { .. });
    let passphrase = KoctlPassphrase { file: cli.global.vault_passphrase_file.clone(), ask_terminal: !serving };
    let config = SecretsConfig { choice: cli.global.secrets, passphrase: Some(Box::new(passphrase)) };
    let api = Api::open_with(data_dir, config)?;
    if let Command::Serve { listen, ui, health_every } = cli.command {
        let health_every = (health_every > 0).then(|| std::time::Duration::from_secs(health_every));
        return ko_server::run(api, listen, ui, health_every).await;
    }
    // one command, one process: each secret is read once
    let api = api.with_secret_cache();
    let actor = match &cli.global.act_as {
        Some(name) => api.actor_named(name).await?,
        None => api.local_actor().await?,
    };
    let f = cli.global.output;
    match cli.command {
        Command::Status => status::run(&api, &actor, f).await,
        Command::Credential(c) => credential::run(&api, &actor, f, c).await,
        Command::Host(c) => host::run(&api, &actor, f, c).await,
        Command::Bundle(c) => bundle::run(&api, &actor, f, c).await,
        Command::Project(c) => access::project(&api, &actor, f, c).await,
        Command::User(c) => access::user(&api, &actor, f, c).await,
        Command::Member(c) => access::member(&api, &actor, f, c).await,
        Command::Setting(c) => setting::run(&api, &actor, f, c).await,
        Command::Secrets(c) => secrets::run(&api, &actor, f, c).await,
        Command::Version(c) => version::run(&api, &actor, f, c).await,
        Command::IpPool(c) => ip_pool::run(&api, &actor, f, c).await,
        Command::Region(c) => region::run(&api, &actor, f, c).await,
        Command::Cluster(c) => cluster::run(&api, &actor, f, c).await,
        Command::Kube { cluster, cmd } => kube::run(&api, &actor, f, &cluster, cmd).await,
        Command::Audit(c) => audit::run(&api, &actor, f, c).await,
        Command::Task(c) => task::run(&api, &actor, f, c).await,
        Command::Serve { .. } => unreachable!("served above"),
    }
}
