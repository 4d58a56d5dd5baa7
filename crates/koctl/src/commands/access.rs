//! `koctl project ...`, `koctl user ...`, `koctl member ...`: who may do what.

use crate::cli::{Format, MemberCmd, ProjectCmd, UserCmd};
use crate::output::{Table, done, emit, yes_no};
use crate::secrets_input::StdinSecrets;
use anyhow::Result;
use ko_api::{Actor, Api, Membership, NewUserRequest, Project, User};
use std::process::ExitCode;

pub async fn project(api: &Api, actor: &Actor, f: Format, cmd: ProjectCmd) -> Result<ExitCode> {
    match cmd {
        ProjectCmd::Add { name, description } => {
            let p = api.project_add(actor, &name, &description).await?;
            emit(f, &p, |p| projects_table(std::slice::from_ref(p)))?;
        }
        ProjectCmd::List => {
            let all = api.project_list(actor).await?;
            emit(f, &all, |all: &Vec<Project>| projects_table(all))?;
        }
        ProjectCmd::Show { name } => {
            let d = api.project_show(actor, &name).await?;
            emit(f, &d, |d| {
                let mut t = projects_table(std::slice::from_ref(&d.project));
                t.row(["", "", ""]);
                t.row(["MEMBERS", "ROLE", ""]);
                for m in &d.members {
                    t.row([m.user.as_str(), &m.role, ""]);
                }
                t.row(["", "", ""]);
                t.row(["CLUSTERS", "", ""]);
                for c in &d.clusters {
                    t.row([c.as_str(), "", ""]);
                }
                t
            })?;
        }
        ProjectCmd::Rm { name } => {
            api.project_rm(actor, &name).await?;
            done(f, &format!("project '{name}' deleted"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn projects_table(all: &[Project]) -> Table {
    let mut t = Table::new(&["NAME", "DESCRIPTION", "CREATED"]);
    for p in all {
        t.row([p.name.as_str(), &p.description, &p.created_at]);
    }
    t
}

pub async fn user(api: &Api, actor: &Actor, f: Format, cmd: UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Add { name, email, admin, password_stdin: _ } => {
            let password = StdinSecrets::read(&["password"])?.next();
            let u = api.user_add(actor, NewUserRequest { name, email, admin, password }).await?;
            emit(f, &u, |u| users_table(std::slice::from_ref(u)))?;
        }
        UserCmd::List => {
            let all = api.user_list(actor).await?;
            emit(f, &all, |all: &Vec<User>| users_table(all))?;
        }
        UserCmd::Rm { name } => {
            api.user_rm(actor, &name).await?;
            done(f, &format!("user '{name}' removed"));
        }
        UserCmd::Enable { name } => {
            api.user_set_active(actor, &name, true).await?;
            done(f, &format!("user '{name}' enabled"));
        }
        UserCmd::Disable { name } => {
            api.user_set_active(actor, &name, false).await?;
            done(f, &format!("user '{name}' disabled"));
        }
        UserCmd::Passwd { name, password_stdin: _ } => {
            let password = StdinSecrets::read(&["password"])?.next();
            api.user_set_password(actor, &name, password).await?;
            done(f, &format!("password of '{name}' changed"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn users_table(all: &[User]) -> Table {
    let mut t = Table::new(&["NAME", "EMAIL", "SOURCE", "ADMIN", "ACTIVE", "CREATED"]);
    for u in all {
        t.row([u.name.as_str(), &u.email, &u.source, yes_no(u.is_admin), yes_no(u.active), &u.created_at]);
    }
    t
}

pub async fn member(api: &Api, actor: &Actor, f: Format, cmd: MemberCmd) -> Result<ExitCode> {
    match cmd {
        MemberCmd::Add { project, user, role } => {
            api.member_add(actor, &project, &user, &role).await?;
            done(f, &format!("'{user}' is {role} of project '{project}'"));
        }
        MemberCmd::List { project } => {
            let all = api.member_list(actor, &project).await?;
            emit(f, &all, |all: &Vec<Membership>| {
                let mut t = Table::new(&["USER", "ROLE", "PROJECT"]);
                for m in all {
                    t.row([m.user.as_str(), &m.role, &m.project]);
                }
                t
            })?;
        }
        MemberCmd::Rm { project, user } => {
            api.member_rm(actor, &project, &user).await?;
            done(f, &format!("'{user}' removed from project '{project}'"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
