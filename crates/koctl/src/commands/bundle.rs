//! `koctl bundle ...`

use crate::cli::{BundleCmd, Format, TrustCmd};
use crate::output::{Table, done, emit};
use anyhow::Result;
use ko_api::{Actor, Api, LibraryBundle, Signature, TrustedBundleKey, VerifyReport};
use std::process::ExitCode;
use std::time::Instant;

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1048576.0)
}

fn signature_text(s: &Signature) -> String {
    match s {
        Signature::Trusted(k) => format!("signed by trusted key '{k}'"),
        Signature::Unsigned => "NOT signed by a trusted key (accepted with --allow-unsigned)".into(),
    }
}

fn report_table(r: &VerifyReport) -> Table {
    let mut t = Table::new(&["PATH", "COMPONENT", "VERSION", "ARCH", "SIZE", "SHA256"]);
    for f in &r.manifest.files {
        t.row([
            f.path.clone(),
            f.component.clone(),
            f.version.clone(),
            f.arch.clone(),
            mib(f.size),
            f.sha256[..16].to_string(),
        ]);
    }
    t
}

/// Progress on stderr: bytes, files, percentage, rate and ETA, at most every 200 ms.
fn progress_printer() -> impl FnMut(&ko_api::WriteProgress) + Send + 'static {
    let start = Instant::now();
    let mut last = Instant::now();
    move |p: &ko_api::WriteProgress| {
        if p.file.is_empty() {
            eprintln!("building: {} in {} file(s) to add", mib(p.total), p.files);
            return;
        }
        if last.elapsed().as_millis() < 200 && p.files_done < p.files {
            return;
        }
        last = Instant::now();
        let secs = start.elapsed().as_secs_f64().max(0.001);
        let rate = p.done as f64 / secs;
        let eta = if rate > 0.0 { (p.total.saturating_sub(p.done)) as f64 / rate } else { 0.0 };
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(100);
        eprintln!(
            "  {pct:>3}%  {} / {}  files {}/{}  {:.0} MiB/s  ETA {eta:.0}s  {}",
            mib(p.done),
            mib(p.total),
            p.files_done,
            p.files,
            rate / 1048576.0,
            p.file
        );
    }
}

/// Download progress on stderr.
fn download_printer() -> impl Fn(ko_api::FetchProgress) + Send + Sync + 'static {
    let start = Instant::now();
    let last = std::sync::Mutex::new(Instant::now());
    move |p| match p {
        ko_api::FetchProgress::Planned { total, files } => eprintln!("downloading: {files} file(s), {}", mib(total)),
        ko_api::FetchProgress::Bytes { done, total, files_done, files } => {
            let mut last = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.elapsed().as_millis() < 500 && files_done < files {
                return;
            }
            *last = Instant::now();
            let rate = done as f64 / start.elapsed().as_secs_f64().max(0.001);
            let eta = if rate > 0.0 { total.saturating_sub(done) as f64 / rate } else { 0.0 };
            eprintln!(
                "  {} / {}  files {files_done}/{files}  {:.1} MiB/s  ETA {eta:.0}s",
                mib(done),
                mib(total),
                rate / 1048576.0
            );
        }
    }
}

/// A unit enum value (a file's kind, a pin) by the name it has in JSON.
fn json_name(value: impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: BundleCmd) -> Result<ExitCode> {
    match cmd {
        BundleCmd::Build { recipe, arch, from, out, mirror, base } => {
            let req = ko_api::BuildRequest { recipe, arches: arch, from, out, mirrors: mirror, base };
            let r = api.bundle_build(actor, req, download_printer(), progress_printer()).await?;
            emit(f, &r.manifest, |m| {
                let mut t = Table::new(&["BUNDLE", "KUBERNETES", "ARCHES", "FILES", "CONTENT", "ZIP"]);
                t.row([
                    m.name.clone(),
                    m.kubernetes_version.clone().unwrap_or_else(|| "-".into()),
                    m.arches.join(","),
                    m.files.len().to_string(),
                    mib(m.total_size()),
                    mib(r.zip_size),
                ]);
                t
            })?;
            if let (Format::Table, Some(b)) = (f, &r.manifest.base) {
                let carried = r.manifest.files.len() - b.omitted.len();
                println!("delta on top of {}: {carried} of {} files in the zip", b.name, r.manifest.files.len());
            }
        }
        BundleCmd::Diff { old, new, out, allow_unsigned } => {
            let m = api.bundle_diff(actor, &old, &new, &out, allow_unsigned).await?;
            let omitted = m.base.as_ref().map_or(0, |b| b.omitted.len());
            let size = std::fs::metadata(&out).map(|md| md.len()).unwrap_or_default();
            done(
                f,
                &format!(
                    "{}: delta of {} on top of {} — {} of {} files, {} (sign it before you carry it)",
                    out.display(),
                    m.name,
                    m.base.as_ref().map_or("-", |b| b.name.as_str()),
                    m.files.len() - omitted,
                    m.files.len(),
                    mib(size)
                ),
            );
        }
        BundleCmd::Plan { recipe, arch } => {
            let entries = api.bundle_plan(actor, &recipe, &arch).await?;
            emit(f, &entries, |entries| {
                let mut t = Table::new(&["PATH", "COMPONENT", "VERSION", "ARCH", "KIND", "PINNED BY"]);
                for e in entries {
                    t.row([
                        e.file.path.clone(),
                        e.file.component.clone(),
                        e.file.version.clone(),
                        e.file.arch.clone(),
                        json_name(e.file.kind),
                        json_name(e.pin),
                    ]);
                }
                t
            })?;
            if f == Format::Table {
                let unpublished = entries.iter().filter(|e| e.pin == ko_api::Pin::Unpublished).count();
                println!(
                    "{} entries; {unpublished} without a published checksum (the build pins what it gets)",
                    entries.len()
                );
            }
        }
        BundleCmd::Keygen { name } => {
            let k = api.bundle_keygen(actor, &name).await?;
            emit(f, &k, |k| {
                let mut t = Table::new(&["KEY", "PUBLIC KEY (give this to whoever imports your bundles)"]);
                t.row([k.name.as_str(), &k.public_key]);
                t
            })?;
        }
        BundleCmd::Sign { file, key } => {
            api.bundle_sign(actor, &file, &key).await?;
            done(f, &format!("{} signed with '{key}'", file.display()));
        }
        BundleCmd::Verify { file, allow_unsigned } => {
            let r = api.bundle_verify(actor, &file, allow_unsigned).await?;
            emit(f, &r, report_table)?;
            if f == Format::Table {
                println!(
                    "{}: valid, {} files, {} checked, {}",
                    file.display(),
                    r.manifest.files.len(),
                    mib(r.bytes_checked),
                    signature_text(&r.signature)
                );
            }
        }
        BundleCmd::Import { file, allow_unsigned } => {
            let (entry, r) = api.bundle_import(actor, &file, allow_unsigned).await?;
            emit(f, &entry, |e| library_table(std::slice::from_ref(e)))?;
            if f == Format::Table {
                println!("imported: {}", signature_text(&r.signature));
            }
        }
        BundleCmd::Push { name, hosts, relay } => {
            let start = Instant::now();
            let last = std::sync::Mutex::new(Instant::now());
            let report = api
                .bundle_push(actor, &name, hosts, relay, move |p| {
                    let mut last = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    if last.elapsed().as_millis() < 200 && p.bytes_done < p.bytes_total {
                        return;
                    }
                    *last = Instant::now();
                    let rate = p.bytes_done as f64 / start.elapsed().as_secs_f64().max(0.001);
                    let eta = if rate > 0.0 { p.bytes_total.saturating_sub(p.bytes_done) as f64 / rate } else { 0.0 };
                    eprintln!(
                        "  {} / {}  files {}/{}  {:.0} MiB/s  ETA {eta:.0}s  {}: {}",
                        mib(p.bytes_done),
                        mib(p.bytes_total),
                        p.files_done,
                        p.files_total,
                        rate / 1048576.0,
                        p.host,
                        p.file
                    );
                })
                .await?;
            emit(f, &report, |all: &Vec<ko_api::HostPush>| {
                let mut t = Table::new(&["HOST", "FROM", "SENT", "ALREADY THERE", "BYTES", "RESULT"]);
                for r in all {
                    t.row([
                        r.host.clone(),
                        r.via.clone().unwrap_or_else(|| "this machine".into()),
                        r.files_sent.to_string(),
                        r.files_present.to_string(),
                        mib(r.bytes_sent),
                        r.error.clone().map_or_else(|| "ok".into(), |e| format!("FAILED: {e}")),
                    ]);
                }
                t
            })?;
            if report.iter().any(|r| r.error.is_some()) {
                return Ok(ExitCode::from(crate::EXIT_FAILED));
            }
        }
        BundleCmd::List => {
            let all = api.bundle_list(actor).await?;
            emit(f, &all, |all: &Vec<LibraryBundle>| library_table(all))?;
        }
        BundleCmd::Rm { name } => {
            let versions = api.bundle_rm(actor, &name).await?;
            let also =
                if versions.is_empty() { String::new() } else { format!(" (and versions {})", versions.join(", ")) };
            done(f, &format!("bundle '{name}' removed{also}"));
        }
        BundleCmd::Trust(TrustCmd::Add { name, public_key }) => {
            api.bundle_trust_add(actor, &name, &public_key).await?;
            done(f, &format!("bundles signed by '{name}' are trusted"));
        }
        BundleCmd::Trust(TrustCmd::List) => {
            let keys = api.bundle_trust_list(actor).await?;
            emit(f, &keys, |keys: &Vec<TrustedBundleKey>| {
                let mut t = Table::new(&["NAME", "PUBLIC KEY", "ADDED"]);
                for k in keys {
                    t.row([k.name.as_str(), &k.public_key, &k.created_at]);
                }
                t
            })?;
        }
        BundleCmd::Trust(TrustCmd::Rm { name }) => {
            api.bundle_trust_rm(actor, &name).await?;
            done(f, &format!("key '{name}' is no longer trusted"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn library_table(all: &[LibraryBundle]) -> Table {
    let mut t = Table::new(&["NAME", "KUBERNETES", "ARCHES", "FILES", "SIZE", "SIGNED"]);
    for b in all {
        t.row([
            b.name.clone(),
            b.kubernetes_version.clone().unwrap_or_else(|| "-".into()),
            b.arches.join(","),
            b.files.to_string(),
            mib(b.size),
            if b.signed { "yes".into() } else { "no".into() },
        ]);
    }
    t
}
