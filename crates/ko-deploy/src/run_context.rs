//! What one attempt of a cluster task runs with: the cluster's hosts and their fresh facts, the
//! bundle, the variables and secrets of the playbooks, the SSH transport — and what a finished task
//! means for its cluster.

use crate::cluster_secrets::ClusterSecrets;
use crate::cluster_vars::lb_image_refs;
use crate::ssh_transport::SshTransport;
use crate::task_run::TaskOutcome;
use crate::{DeployError, Deployer, HostRefusal, Result, RunBundle, bundle_vars, lb_vars};
use ko_core::{ClusterSpec, Operation, Segment, Stage};
use ko_playbook::{InvHost, Inventory, Mode, Renderer, RunOptions};
use ko_ssh::{CancellationToken, SshPool};
use ko_store::clusters::{self, Cluster};
use ko_store::tasks::{TaskKind, TaskStatus};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

/// The sandbox (pause) image containerd is configured with when the bundle brings none.
const SANDBOX_IMAGE: &str = "registry.k8s.io/pause:3.10";

/// The sandbox image the runtime is configured with: the bundle's pause image (the one kubeadm
/// of its Kubernetes minor expects), else [`SANDBOX_IMAGE`].
fn sandbox_image(bundle: Option<&RunBundle>) -> String {
    let pause = bundle
        .and_then(|b| b.manifest.files.iter().find(|f| f.component == "pause" && f.kind == ko_bundle::FileKind::Image));
    match pause {
        Some(f) => format!("registry.k8s.io/pause:{}", f.version),
        None => SANDBOX_IMAGE.to_string(),
    }
}

/// A registered cluster's spec.
pub fn spec_of(cluster: &Cluster) -> Result<ClusterSpec> {
    serde_json::from_str(&cluster.spec)
        .map_err(|e| DeployError::Internal(format!("cluster {} has an unreadable spec: {e}", cluster.name)))
}

/// Which of the cluster's secrets a run needs.
#[derive(Clone, Copy)]
struct SecretNeeds {
    /// Each etcd member's certificate.
    members: bool,
    /// The API servers' etcd client certificate.
    client: bool,
    /// The key for encryption at rest.
    encryption: bool,
}

impl Deployer {
    /// The spec of registered cluster `name`.
    pub async fn cluster_spec(&self, name: &str) -> Result<ClusterSpec> {
        let n = name.to_string();
        let row = self
            .db
            .read(move |c| clusters::get(c, &n))
            .await?
            .ok_or_else(|| DeployError::NotFound { kind: "cluster", name: name.into() })?;
        spec_of(&row)
    }

    /// What `op` would run on `spec`'s hosts (its nodes named as a run would name them), segment
    /// by segment, rendered with secrets redacted, after the bundle coverage check.
    pub async fn plan(&self, spec: &mut ClusterSpec, op: &Operation) -> Result<String> {
        let bundle = self.bundle_of(&spec.name, op).await?;
        self.plan_with(spec, op, bundle).await
    }

    /// [`Deployer::plan`] with `bundle` as the operation's bundle: one of the library, or what a
    /// build of a recipe would hold (`BundleSource::planned_manifest`).
    pub async fn plan_with(&self, spec: &mut ClusterSpec, op: &Operation, bundle: Option<RunBundle>) -> Result<String> {
        op.apply_to(spec);
        let (inv, run_bundle) = self.checked_inventory_with(spec, op, bundle).await?;
        let mut out = String::new();
        for seg in op.segments() {
            let playbooks = self.playbooks_of(op, &seg)?;
            let seg_inv = Self::limited_to(&inv, &seg);
            let (vars, secrets) = self.run_vars(spec, &seg_inv, run_bundle.as_ref(), op, &seg, 0, Mode::Plan).await?;
            let renderer = Renderer::new(vars, secrets, Mode::Plan);
            for p in &playbooks {
                let planned = ko_playbook::plan(p, &seg_inv, &renderer)?;
                out += &ko_playbook::render_plan(&planned);
            }
        }
        Ok(out)
    }

    /// The cluster's hosts with `spec`'s nodes named for good and the hosts `op` knows to be down
    /// marked, after checking that its bundle covers what each of its segments installs on the
    /// hosts it runs on — so a missing file stops it before any task exists.
    pub async fn checked_inventory(
        &self,
        spec: &mut ClusterSpec,
        op: &Operation,
    ) -> Result<(Inventory, Option<RunBundle>)> {
        let bundle = self.bundle_of(&spec.name, op).await?;
        self.checked_inventory_with(spec, op, bundle).await
    }

    async fn checked_inventory_with(
        &self,
        spec: &mut ClusterSpec,
        op: &Operation,
        run_bundle: Option<RunBundle>,
    ) -> Result<(Inventory, Option<RunBundle>)> {
        let mut inv = self.stored_inventory(spec).await?;
        crate::assign_node_names(spec, &inv);
        if let Some(b) = &run_bundle {
            for seg in op.segments() {
                let seg_inv = Self::limited_to(&inv, &seg);
                crate::check_bundle_covers(spec, &seg_inv, &b.manifest.name, &b.manifest, &seg.stages)?;
            }
        }
        Self::mark_down(&mut inv, op);
        Ok((inv, run_bundle))
    }

    /// The cluster's hosts with roles and the facts stored when they were added or refreshed.
    pub async fn stored_inventory(&self, spec: &ClusterSpec) -> Result<Inventory> {
        let mut hosts = Vec::new();
        for n in &spec.nodes {
            let name = n.host.clone();
            let row = self
                .db
                .read(move |c| ko_store::hosts::get_by_name(c, &name))
                .await?
                .ok_or_else(|| DeployError::NotFound { kind: "host", name: n.host.clone() })?;
            let facts = row.facts.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_else(|| json!({}));
            hosts.push(InvHost {
                name: row.name,
                address: row.address,
                roles: n.roles.iter().map(|r| r.as_str().to_string()).collect(),
                new: true,
                facts,
                down: false,
            });
        }
        Ok(Inventory { hosts, ..Inventory::default() })
    }

    /// `inv` as a segment of a Day-2 operation sees it, limited to the segment's `nodes` (the
    /// hosts it adds or removes): only they are `new`, and the broad selectors pick only them (but
    /// in whole-cluster playbooks). Without nodes the inventory stays whole.
    pub(crate) fn limited_to(inv: &Inventory, seg: &Segment) -> Inventory {
        let mut inv = inv.clone();
        if !seg.nodes.is_empty() {
            inv.only_new = true;
            inv.leaving = seg.leaving;
            for h in &mut inv.hosts {
                h.new = seg.nodes.contains(&h.name);
                h.down = seg.down.contains(&h.name);
            }
        }
        inv
    }

    /// Marks the hosts `op` knows to be down for good: they are never contacted.
    pub(crate) fn mark_down(inv: &mut Inventory, op: &Operation) {
        let down = op.down();
        for h in &mut inv.hosts {
            h.down = down.contains(&h.name);
        }
    }

    /// Connects to every host of the inventory (but those known to be down) and gathers its facts
    /// again: the pool and the targets a run goes on with. Fails, naming every host that cannot
    /// be reached, before anything was changed.
    pub async fn reach(&self, inv: &mut Inventory) -> Result<(SshPool, HashMap<String, ko_ssh::Target>)> {
        let mut targets = HashMap::new();
        for h in &inv.hosts {
            let target = self.target_of(&h.name).await.map_err(|e| match e {
                // a keychain gone or locked, a sealed vault: its own error (and code) says what to fix
                e if e.is_secret_store_down() => e,
                e => HostRefusal::Unusable { host: h.name.clone(), cause: Box::new(e) }.into(),
            })?;
            targets.insert(h.name.clone(), target);
        }
        let pool = SshPool::new(self.connect_options());
        self.gather(&pool, &targets, inv).await?;
        Ok((pool, targets))
    }

    /// Connects to every host of the inventory and gathers its facts again (stored with the host),
    /// with the clock skew against this machine (`clock_skew_ms`: host minus laptop, measured
    /// around the read). Fails naming every host that cannot be reached.
    async fn gather(
        &self,
        pool: &SshPool,
        targets: &HashMap<String, ko_ssh::Target>,
        inv: &mut Inventory,
    ) -> Result<()> {
        // a host known to be down keeps the facts stored when it was last reached
        let names: Vec<String> = inv.hosts.iter().filter(|h| !h.down).map(|h| h.name.clone()).collect();
        let results = ko_ssh::fan_out(names, ko_ssh::DEFAULT_PARALLELISM, |name| async move {
            let target =
                targets.get(&name).ok_or_else(|| DeployError::NotFound { kind: "host", name: name.clone() })?;
            let session = pool.session(target).await?;
            let before = now_ms();
            let facts = ko_ssh::gather_facts(&session).await?;
            let after = now_ms();
            let skew = facts.clock_ms as i64 - ((before + after) / 2) as i64;
            Ok::<_, DeployError>((facts, skew))
        })
        .await;
        let mut failures = Vec::new();
        for (name, r) in results {
            match r {
                Ok((facts, skew)) => {
                    self.record_facts(&name, &facts).await?;
                    let mut value = serde_json::to_value(&facts)?;
                    value["clock_skew_ms"] = json!(skew);
                    if let Some(h) = inv.hosts.iter_mut().find(|h| h.name == name) {
                        h.facts = value;
                    }
                }
                Err(e) => failures.push((name, e.to_string())),
            }
        }
        if failures.is_empty() { Ok(()) } else { Err(HostRefusal::Unreachable { failures }.into()) }
    }

    /// The bundle a run of `op` on cluster `cluster` uses: the operation's own, else (a removal,
    /// a renewal, a backup...) the one the cluster's hosts run — while it is still in the library.
    async fn bundle_of(&self, cluster: &str, op: &Operation) -> Result<Option<RunBundle>> {
        if let Some(b) = op.bundle() {
            return self.run_bundle(b).map(Some);
        }
        let n = cluster.to_string();
        let Some(row) = self.db.read(move |c| clusters::get(c, &n)).await? else { return Ok(None) };
        Ok(self.cluster_bundle(row.id).await?.and_then(|b| self.run_bundle(&b).ok()))
    }

    /// The bundle cluster `cluster_id` was last created or upgraded with (its newest create or
    /// upgrade task's), which its hosts run.
    pub async fn cluster_bundle(&self, cluster_id: i64) -> Result<Option<String>> {
        let tasks = self.db.read(move |c| ko_store::tasks::list(c, Some(cluster_id), 1000)).await?;
        Ok(tasks
            .into_iter()
            .filter(|t| matches!(t.kind, TaskKind::Create | TaskKind::Upgrade))
            .find_map(|t| Some(t.operation().ok()?.bundle()?.to_string())))
    }

    /// Library bundle `name`: its manifest and its directory.
    pub fn run_bundle(&self, name: &str) -> Result<RunBundle> {
        let dir = self.library().join(name);
        let bytes = std::fs::read(dir.join(ko_bundle::MANIFEST_NAME))
            .map_err(|_| DeployError::NotFound { kind: "bundle", name: name.into() })?;
        Ok(RunBundle { manifest: ko_bundle::BundleManifest::parse(&bytes)?, dir })
    }

    /// The variables and secrets of a run of segment `seg` of `op` (see the playbook reference in
    /// the README).
    #[allow(clippy::too_many_arguments)]
    async fn run_vars(
        &self,
        spec: &ClusterSpec,
        inv: &Inventory,
        bundle: Option<&RunBundle>,
        op: &Operation,
        seg: &Segment,
        task: i64,
        mode: Mode,
    ) -> Result<(Value, BTreeMap<String, String>)> {
        let ntp: Vec<String> = self
            .db
            .read(ko_store::settings::ntp_servers)
            .await?
            .into_iter()
            .filter(|s| s.enabled)
            .map(|s| s.address)
            .collect();
        // the cluster as a whole, the hosts leaving it aside: a Day-2 operation's limit is for
        // choosing where steps run, not for the cluster's etcd members, masters and load balancer
        let etcd_hosts = inv.select_in(&ko_playbook::Selector::Etcd, true);
        let initial_cluster: Vec<String> =
            etcd_hosts.iter().map(|h| format!("{}=https://{}:2380", h.name, h.address)).collect();
        let endpoints: Vec<String> = etcd_hosts.iter().map(|h| format!("https://{}:2379", h.address)).collect();
        let time_source = inv
            .select(&ko_playbook::Selector::FirstMaster)
            .first()
            .map(|h| json!({"name": h.name, "address": h.address}));
        let mut vars = json!({
            "cluster": spec,
            "store": crate::HOST_STORE,
            "bundle": bundle.map(bundle_vars).unwrap_or_else(|| json!({"name": null, "components": [], "packages": [], "images": [],
                                                                       "binaries": {}, "manifests": {}, "charts": {}})),
            "ntp_servers": ntp,
            "time_source": time_source,
            "sandbox_image": sandbox_image(bundle),
            "etcd": {
                "initial_cluster": initial_cluster.join(","),
                "endpoints": endpoints.join(","),
                "token": format!("ko-{}", spec.name),
                "members": etcd_hosts.len(),
                // members join a running etcd in a Day-2 operation that adds nodes
                "state": if seg.nodes.is_empty() || seg.leaving { "new" } else { "existing" },
            },
            "lb": lb_vars(spec, inv),
            // the operation's nodes are leaving the cluster (a removal)
            "leaving": seg.leaving,
            "task": {"id": task},
        });
        vars["lb"]["images"] = lb_image_refs(bundle.map(|b| &b.manifest));
        if let Some(b) = op.backup_file() {
            vars["backup"] = json!({"name": b});
        }
        vars["kube"] = crate::kube_vars(spec, inv, vars["lb"]["endpoint"].as_str().unwrap_or_default());
        let runs = |stage| seg.runs(stage);
        let mut secrets = BTreeMap::new();
        // etcd members' certificates for etcd (and a renewal), the API servers' client certificate
        // for the control plane (and a renewal)
        let (members, client) =
            (runs(Stage::Etcd) || runs(Stage::RenewCerts), runs(Stage::ControlPlane) || runs(Stage::RenewCerts));
        let encryption = runs(Stage::ControlPlane) && spec.encryption_at_rest;
        if members || client || encryption {
            let needs = SecretNeeds { members, client, encryption };
            vars["pki"] = self.cluster_secret_vars(spec, &etcd_hosts, needs, mode, &mut secrets).await?;
        }
        Ok((vars, secrets))
    }

    /// The etcd CA (`pki.ca_cert`), each member's certificate (`pki.certs`, keys as secrets
    /// `etcd-key:<host>`) when the run installs etcd, the API servers' etcd client certificate
    /// (`pki.apiserver_client_cert`, key as secret `etcd-client-key`) when it builds the control
    /// plane, and the key for encryption at rest (secret `encryption-key`). All from one read of
    /// the cluster's secrets, and at most one write of what had to be made. A plan shows
    /// placeholders and never touches the secret store.
    async fn cluster_secret_vars(
        &self,
        spec: &ClusterSpec,
        etcd_hosts: &[&ko_playbook::InvHost],
        needs: SecretNeeds,
        mode: Mode,
        secrets: &mut BTreeMap<String, String>,
    ) -> Result<Value> {
        let member_hosts: Vec<(String, Vec<std::net::IpAddr>)> = match needs.members {
            true => etcd_hosts.iter().map(|h| (h.name.clone(), h.address.parse().into_iter().collect())).collect(),
            false => Vec::new(),
        };
        if mode == Mode::Plan {
            let mut certs = serde_json::Map::new();
            for (h, _) in &member_hosts {
                certs.insert(h.clone(), json!(format!("<etcd certificate of {h}>")));
                secrets.insert(format!("etcd-key:{h}"), String::new());
            }
            if needs.client {
                secrets.insert("etcd-client-key".into(), String::new());
            }
            if needs.encryption {
                secrets.insert("encryption-key".into(), String::new());
            }
            return Ok(json!({
                "ca_cert": "<the cluster's etcd CA certificate>",
                "certs": certs,
                "apiserver_client_cert": "<the API servers' etcd client certificate>",
            }));
        }
        let (store, name, days) = (self.secrets.clone(), spec.name.clone(), spec.certificate_validity_days);
        let nodes: Vec<String> = spec.nodes.iter().map(|n| n.host.clone()).collect();
        let (ca, issued, client_cert, encryption_key) = tokio::task::spawn_blocking(move || {
            let mut s = ClusterSecrets::load(&store, &name, &nodes)?;
            let ca = s.etcd_ca(&name)?;
            let issued = member_hosts
                .iter()
                .map(|(h, ips)| Ok((h.clone(), s.etcd_member(&name, h, ips, days)?)))
                .collect::<Result<Vec<_>>>()?;
            let client_cert = needs.client.then(|| s.etcd_client(&name, days)).transpose()?;
            let encryption_key = needs.encryption.then(|| s.encryption_key()).transpose()?;
            s.save(&store, &name)?;
            Ok::<_, DeployError>((ca.cert, issued, client_cert, encryption_key))
        })
        .await??;
        let mut certs = serde_json::Map::new();
        for (h, m) in issued {
            certs.insert(h.clone(), json!(m.cert));
            secrets.insert(format!("etcd-key:{h}"), m.key.expose().clone());
        }
        let client_pem = client_cert.map(|c| {
            secrets.insert("etcd-client-key".into(), c.key.expose().clone());
            c.cert
        });
        if let Some(k) = encryption_key {
            secrets.insert("encryption-key".into(), k.expose().clone());
        }
        Ok(json!({"ca_cert": ca, "certs": certs, "apiserver_client_cert": client_pem}))
    }

    /// One attempt of a task: facts, then each segment of its operation — its variables, its
    /// playbooks over SSH — until one does not end `ok`.
    pub(crate) async fn run_attempt(
        &self,
        id: i64,
        cluster: &str,
        op: &Operation,
        attempt: i64,
        sink: &impl ko_playbook::EventSink,
        cancel: CancellationToken,
    ) -> Result<TaskOutcome> {
        let mut spec = self.cluster_spec(cluster).await?;
        op.apply_to(&mut spec);
        let segments =
            op.segments().into_iter().map(|seg| Ok((self.playbooks_of(op, &seg)?, seg))).collect::<Result<Vec<_>>>()?;
        let all: Vec<ko_playbook::Playbook> = segments.iter().flat_map(|(p, _)| p.clone()).collect();
        let mut inv = self.stored_inventory(&spec).await?;
        Self::mark_down(&mut inv, op);
        let (pool, targets) = self.reach(&mut inv).await?;
        let bundle = self.bundle_of(cluster, op).await?;
        let resume = self.resume_of(id, &all).await?;
        let transport = SshTransport {
            deployer: self,
            pool,
            targets,
            bundle,
            cluster: cluster.to_string(),
            cluster_dir: self.cluster_dir(cluster),
        };
        let mut first_phase = 0;
        for (playbooks, seg) in &segments {
            let seg_inv = Self::limited_to(&inv, seg);
            let (vars, secrets) =
                self.run_vars(&spec, &seg_inv, transport.bundle.as_ref(), op, seg, id, Mode::Run).await?;
            let renderer = Renderer::new(vars, secrets, Mode::Run);
            let opts = RunOptions {
                parallelism: ko_ssh::DEFAULT_PARALLELISM,
                cancel: cancel.clone(),
                label: format!("task={id} attempt={attempt}"),
                first_phase,
            };
            let outcome = ko_playbook::run(playbooks, &seg_inv, &renderer, &transport, sink, &resume, &opts).await;
            first_phase += playbooks.iter().map(|p| p.phases.len()).sum::<usize>();
            let status = match outcome.status {
                ko_playbook::Status::Ok => continue,
                ko_playbook::Status::Cancelled => TaskStatus::Cancelled,
                _ => TaskStatus::Failed,
            };
            return Ok(TaskOutcome { task_id: id, status, error: outcome.error });
        }
        Ok(TaskOutcome { task_id: id, status: TaskStatus::Ok, error: None })
    }
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default()
}
