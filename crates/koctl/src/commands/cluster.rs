//! `koctl cluster ...`

use crate::EXIT_INVALID;
use crate::cli::{ClusterCmd, Format};
use crate::output::{InputError, Table, emit};
use anyhow::Result;
use ko_api::{Actor, Api, ClusterValidation};
use std::io::Read;
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: ClusterCmd) -> Result<ExitCode> {
    let ClusterCmd::Validate { file } = cmd;
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| InputError(format!("cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(&file).map_err(|e| InputError(format!("cannot read {}: {e}", file.display())))?
    };
    let v = api.cluster_validate(actor, &text).await?;
    emit(f, &v, |v: &ClusterValidation| {
        let mut t = Table::new(&["FIELD", "PROBLEM", "CODE"]);
        for p in &v.problems {
            t.row([p.field.as_str(), &p.message, p.code]);
        }
        t
    })?;
    if f == Format::Table {
        match (&v.spec, v.is_valid()) {
            (Some(s), true) => println!(
                "{}: valid — cluster '{}', Kubernetes {}, {} nodes, {} etcd members, {} {}",
                file.display(),
                s.name,
                s.version,
                s.nodes.len(),
                s.etcd_member_count(),
                s.network.plugin,
                s.network.effective_mode()
            ),
            _ => eprintln!("{}: {} problem(s); fix them all and validate again", file.display(), v.problems.len()),
        }
    }
    Ok(if v.is_valid() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}
