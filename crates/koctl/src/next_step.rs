//! The next steps the API names (data), worded as the koctl commands that take them.

use ko_api::NextStep;

/// The koctl command that takes `step`.
pub fn command(step: &NextStep) -> String {
    match step {
        NextStep::List { kind } => format!("koctl {kind} list"),
        NextStep::ProjectAdd { name } => format!("koctl project add {name}"),
        NextStep::VersionEnable { version } => format!("koctl version enable {version}"),
        NextStep::HostAdd { name } => format!("koctl host add --name {name} --address <IP> --credential <C>"),
        NextStep::HostTrust { host, fingerprint: Some(f) } => format!("koctl host trust {host} --fingerprint {f}"),
        NextStep::HostTrust { host, fingerprint: None } => format!("koctl host trust {host}"),
        NextStep::HostRefresh { hosts } => format!("koctl host refresh {}", hosts.join(" ")),
        NextStep::MarkDown { hosts } => format!(
            "koctl host refresh {}, then the same command again — or, for a node that is down for good, \
             with `--down HOST` (remove-worker, remove-master, add-master) or `--old-down` (replace-master)",
            hosts.join(" ")
        ),
        NextStep::BundleImport => "koctl bundle import FILE".into(),
        NextStep::BundleTrustAdd { fingerprint } => {
            format!("koctl bundle trust add NAME --public-key KEY (the key of fingerprint {fingerprint})")
        }
        NextStep::CredentialAdd { name } => {
            format!("koctl credential rm {name}; koctl credential add --name {name} ...")
        }
        NextStep::TaskList { cluster } => format!("koctl task list --cluster {cluster}, then koctl task retry ID"),
        NextStep::TaskCancel { cluster } => {
            format!("koctl task list --cluster {cluster}, then wait for it or koctl task cancel ID")
        }
        NextStep::TaskRetry { task } => format!("koctl task retry {task}"),
        NextStep::ClusterDeploy { cluster } => format!("koctl cluster deploy {cluster}"),
        NextStep::UserRemove { name } => format!("koctl --as <admin> user rm {name}"),
    }
}

/// `step` as a line under an error or a state: `next: <command>`.
pub fn line(step: &NextStep) -> String {
    format!("next: `{}`", command(step))
}
