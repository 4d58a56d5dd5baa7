//! The runner's hosts, reached over SSH: pinned keys, jump chains and sudo from the host registry,
//! one pooled connection per host, the bundle's store, and the cluster's directory for files
//! fetched from or sent to hosts.

use crate::bundle_push::{HOST_STORE, PushProgress, PushTally};
use crate::cluster_secrets::ClusterSecrets;
use crate::{DeployError, Deployer};
use ko_playbook::{HostError, InvHost, Transport};
use ko_ssh::{ExecOptions, ExecOutcome, OutputLine, SshError, SshPool, Target};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// SSH to the hosts of one run.
pub(crate) struct SshTransport<'a> {
    pub deployer: &'a Deployer,
    pub pool: SshPool,
    pub targets: HashMap<String, Target>,
    pub bundle: Option<crate::RunBundle>,
    /// The cluster the run is for.
    pub cluster: String,
    /// `DATA_DIR/clusters/<name>`: fetched files land here, sent files come from here.
    pub cluster_dir: PathBuf,
}

fn host_error(e: &SshError) -> HostError {
    HostError { code: e.code().into(), message: e.to_string() }
}

fn deploy_error(e: &DeployError) -> HostError {
    HostError { code: e.code().into(), message: e.to_string() }
}

impl SshTransport<'_> {
    async fn session(&self, host: &InvHost) -> Result<Arc<ko_ssh::Session>, HostError> {
        let target = self.targets.get(&host.name).ok_or_else(|| HostError {
            code: "not_found".into(),
            message: format!("host '{}' is not registered", host.name),
        })?;
        self.pool.session(target).await.map_err(|e| host_error(&e))
    }

    /// A local path inside the cluster's directory; `..` and absolute paths are refused.
    fn local(&self, rel: &str) -> Result<PathBuf, HostError> {
        ko_bundle::check_entry_path(rel).map_err(|e| HostError { code: "invalid".into(), message: e.to_string() })?;
        Ok(self.cluster_dir.join(rel))
    }

    async fn settle<T>(&self, host: &InvHost, r: ko_ssh::Result<T>) -> Result<T, HostError> {
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.is_transient() {
                    self.pool.forget(&host.name).await;
                }
                Err(host_error(&e))
            }
        }
    }
}

impl Transport for SshTransport<'_> {
    async fn exec(
        &self,
        host: &InvHost,
        script: &str,
        opts: &ExecOptions,
        on_line: &mut (dyn FnMut(OutputLine) + Send),
    ) -> Result<ExecOutcome, HostError> {
        let session = self.session(host).await?;
        let r = session.exec(script, opts, on_line).await;
        self.settle(host, r).await
    }

    async fn write_file(
        &self,
        host: &InvHost,
        dest: &str,
        content: Vec<u8>,
        mode: u32,
        sudo: bool,
    ) -> Result<(), HostError> {
        let session = self.session(host).await?;
        let r = session.write_file(dest, content, mode, sudo).await;
        self.settle(host, r).await
    }

    fn store_path(&self, src: &str) -> Result<String, HostError> {
        let bundle = self.bundle.as_ref().ok_or_else(|| HostError {
            code: "bundle.none".into(),
            message: format!("the step needs '{src}' from a bundle, and this operation has none"),
        })?;
        let file = bundle.manifest.files.iter().find(|f| f.path == src).ok_or_else(|| HostError {
            code: "bundle.missing_file".into(),
            message: format!("bundle '{}' has no file '{src}'", bundle.manifest.name),
        })?;
        Ok(format!("{HOST_STORE}/{}", file.sha256))
    }

    async fn send_file(
        &self,
        host: &InvHost,
        src: &str,
        dest: &str,
        mode: u32,
        sudo: bool,
    ) -> Result<String, HostError> {
        let local = self.local(src)?;
        let session = self.session(host).await?;
        let up = ko_ssh::Upload { local, remote: dest.into(), mode, owner: None, sudo, sha256: None };
        let r = session.upload(&up, |_| {}).await;
        let o = self.settle(host, r).await?;
        Ok(format!("sent {src} to {dest} ({} bytes, sha256 {})", o.size, o.sha256))
    }

    async fn fetch(&self, host: &InvHost, src: &str, dest: &str, sudo: bool) -> Result<String, HostError> {
        let local = self.local(dest)?;
        if let Some(parent) = local.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| HostError { code: "local".into(), message: format!("{}: {e}", parent.display()) })?;
        }
        let session = self.session(host).await?;
        let down = ko_ssh::Download { remote: src.into(), local, sudo };
        let r = session.download(&down, |_| {}).await;
        let o = self.settle(host, r).await?;
        Ok(format!("fetched {src} to {dest} ({} bytes, sha256 {})", o.size, o.sha256))
    }

    async fn keep_secret(&self, host: &InvHost, name: &str, value: &str) -> Result<String, HostError> {
        let (store, cluster) = (self.deployer.secrets.clone(), self.cluster.clone());
        let (name2, value) = (name.to_string(), ko_secrets::Sensitive::new(value.to_string()));
        let hosts: Vec<String> = self.targets.keys().cloned().collect();
        tokio::task::spawn_blocking(move || {
            let mut s = ClusterSecrets::load(&store, &cluster, &hosts)?;
            s.keep(&name2, value)?;
            s.save(&store, &cluster)
        })
        .await
        .map_err(|e| HostError { code: "internal".into(), message: e.to_string() })?
        .map_err(|e| deploy_error(&e))?;
        Ok(format!("{name} from {} kept in the secret store", host.name))
    }

    async fn push_bundle(
        &self,
        host: &InvHost,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<String, HostError> {
        let bundle = self.bundle.as_ref().ok_or_else(|| HostError {
            code: "bundle.none".into(),
            message: "this operation has no bundle to push".into(),
        })?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
        let report = Arc::new(move |p: PushProgress| {
            let _ = tx.send((p.bytes_done, p.bytes_total));
        });
        let push = self.deployer.push_one(&host.name, &bundle.manifest, &bundle.dir, PushTally::new(), report);
        tokio::pin!(push);
        let outcome = loop {
            tokio::select! {
                r = &mut push => break r,
                Some((done, total)) = rx.recv() => progress(done, total),
            }
        };
        let r = outcome.map_err(|e| deploy_error(&e))?;
        Ok(format!("{} files sent ({} bytes), {} already on the host", r.files_sent, r.bytes_sent, r.files_present))
    }
}
