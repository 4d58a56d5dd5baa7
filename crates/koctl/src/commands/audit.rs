//! `koctl audit list`

use crate::cli::{AuditCmd, Format};
use crate::output::{Table, emit};
use anyhow::Result;
use ko_api::{Actor, Api, AuditEntry, AuditFilter};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: AuditCmd) -> Result<ExitCode> {
    let AuditCmd::List { limit, user, action } = cmd;
    let entries = api.audit_list(actor, AuditFilter { actor: user, action_prefix: action, limit }).await?;
    emit(f, &entries, |all: &Vec<AuditEntry>| {
        let mut t = Table::new(&["TIME", "USER", "ACTION", "TARGET", "RESULT", "DETAIL"]);
        for e in all {
            t.row([e.at.as_str(), &e.actor, &e.action, &e.target, &e.result, &e.detail]);
        }
        t
    })?;
    Ok(ExitCode::SUCCESS)
}
