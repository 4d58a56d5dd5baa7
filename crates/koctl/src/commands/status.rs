//! `koctl status`

use crate::cli::Format;
use crate::output::print_json;
use anyhow::Result;
use ko_api::{Actor, Api, StoreState};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format) -> Result<ExitCode> {
    let s = api.status(actor).await?;
    if f == Format::Json {
        print_json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let c = &s.counts;
    println!("KubeOperator Desktop {} (koctl)", s.version);
    println!("data dir    {}", s.data_dir.display());
    println!("database    {} (schema version {})", s.database.display(), s.schema_version);
    let secrets = &s.secrets;
    match (secrets.state, &secrets.problem) {
        (StoreState::New, _) => {
            println!("secrets     {}: new — its passphrase is asked when a secret is first kept", secrets.backend)
        }
        (StoreState::Sealed, _) => {
            println!("secrets     {}: sealed — its passphrase is asked when a secret is needed", secrets.backend)
        }
        (_, None) => println!("secrets     {}: ready", secrets.backend),
        (state, Some(e)) => {
            let state = serde_json::to_value(state)?.as_str().unwrap_or_default().to_uppercase();
            println!("secrets     {}: {state} — {e}", secrets.backend)
        }
    }
    println!("acting as   {}", s.actor);
    println!(
        "objects     {} projects, {} users, {} credentials, {} hosts, {} clusters, {} running tasks, {} enabled versions",
        c.projects, c.users, c.credentials, c.hosts, c.clusters, c.active_tasks, c.enabled_versions
    );
    println!();
    println!("Next steps:");
    if c.credentials == 0 {
        println!(
            "  add an SSH credential:   koctl credential add --name root-key --username root --key-file ~/.ssh/id_ed25519"
        );
    }
    println!("  see Kubernetes versions: koctl version list");
    println!("  check a cluster file:    koctl cluster validate -f cluster.yaml");
    println!("  see who did what:        koctl audit list");
    Ok(ExitCode::SUCCESS)
}
