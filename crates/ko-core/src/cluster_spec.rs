//! The declarative cluster file: every create option of the reference system, with its defaults.
//!
//! The desktop wizard produces this document and `koctl cluster create -f` takes it; it is stored
//! with the cluster as JSON. Unknown keys are refused so that a typo never silently falls back to
//! a default.

use crate::Problem;
use serde::{Deserialize, Serialize};

/// A whole cluster as the user declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    /// Cluster name: a DNS-1123 label.
    pub name: String,
    /// Project the cluster belongs to.
    #[serde(default = "default_project")]
    pub project: String,
    /// Where the nodes come from.
    #[serde(default)]
    pub provider: Provider,
    /// Deployment plan (auto mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Number of workers the plan creates (auto mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_count: Option<u32>,
    /// Kubernetes version, e.g. `v1.34.1`.
    pub version: String,
    /// The library bundle the hosts get their files from (default: the bundle of `version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// CPU architecture of the nodes.
    #[serde(default)]
    pub arch: Arch,
    /// How node names are derived.
    #[serde(default)]
    pub node_name_rule: NodeNameRule,
    /// What to do with the hosts' package repositories.
    #[serde(default)]
    pub repo_mode: RepoMode,
    /// How the hosts keep time: chrony from the bundle (when it carries it), or their own NTP client.
    #[serde(default)]
    pub time_sync: TimeSync,
    /// Container runtime.
    #[serde(default)]
    pub runtime: RuntimeSettings,
    /// Container network and service network.
    #[serde(default)]
    pub network: NetworkSettings,
    /// Optional components.
    #[serde(default)]
    pub components: Components,
    /// etcd tuning.
    #[serde(default)]
    pub etcd: EtcdSettings,
    /// Kubernetes API audit log.
    #[serde(default)]
    pub audit_log: bool,
    /// Encrypt Secrets at rest in etcd.
    #[serde(default = "yes")]
    pub encryption_at_rest: bool,
    /// Validity of the certificates the app issues, in days.
    #[serde(default = "default_cert_days")]
    pub certificate_validity_days: u32,
    /// How clients reach the API servers.
    #[serde(default)]
    pub load_balancer: LoadBalancer,
    /// Whether ordinary pods may run on masters.
    #[serde(default)]
    pub masters_schedulable: bool,
    /// The nodes (manual mode).
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
}

fn default_project() -> String {
    "default".into()
}
fn yes() -> bool {
    true
}
fn default_cert_days() -> u32 {
    3650
}

impl ClusterSpec {
    /// Parses a cluster file (YAML or JSON). A syntax error or an unknown key becomes one
    /// [`Problem`] that names the line and column.
    pub fn from_yaml(text: &str) -> Result<Self, Problem> {
        serde_yaml_ng::from_str(text).map_err(|e| {
            let at = e.location().map(|l| format!(" (line {}, column {})", l.line(), l.column())).unwrap_or_default();
            Problem::new("spec.syntax", "", format!("the cluster file cannot be read{at}: {e}"))
        })
    }

    /// The cluster file as YAML, defaults filled in.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).unwrap_or_default()
    }

    /// A cluster file with every default filled in and nothing chosen yet (no name, version or
    /// nodes): what the create wizard starts from.
    pub fn blank() -> Self {
        Self::from_yaml("name: ''\nversion: ''\n").unwrap_or_else(|p| unreachable!("the blank cluster file reads: {p}"))
    }
}

macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant,)+
        }
        impl $name {
            /// Every choice, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The spelling used in the cluster file.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

choice!(
    /// Where a cluster's nodes come from.
    Provider { /// Hosts the user registered (bare metal or existing VMs).
        #[default] Manual = "manual", /// VMs created from a deployment plan (auto mode).
        Plan = "plan" });
choice!(
    /// CPU architecture of a cluster.
    Arch { /// x86_64
        #[default] Amd64 = "amd64", /// aarch64
        Arm64 = "arm64", /// both; each node gets files for its own arch
        Mixed = "mixed" });
choice!(
    /// CPU architecture of one host.
    NodeArch { /// x86_64
        #[default] Amd64 = "amd64", /// aarch64
        Arm64 = "arm64" });
choice!(
    /// How Kubernetes node names are derived.
    NodeNameRule { /// `<cluster>-master-1`, `<cluster>-worker-1`...
        #[default] Default = "default", /// the host's own host name
        Hostname = "hostname", /// the host's IP address
        Ip = "ip" });
choice!(
    /// What happens to the package repositories already configured on the hosts.
    RepoMode { /// back them up and use only the app's repository
        Replace = "replace", /// keep them and add the app's repository
        #[default] Coexist = "coexist", /// leave the hosts' repositories alone
        None = "none" });
choice!(
    /// How the hosts keep time.
    TimeSync { /// chrony from the bundle, the first master serving the others unless NTP servers are set
        #[default] Chrony = "chrony", /// left to the hosts' own NTP client (an existing time service)
        Host = "host" });
choice!(
    /// Container runtime.
    RuntimeKind { /// containerd with runc
        #[default] Containerd = "containerd", /// Docker Engine (with cri-dockerd)
        Docker = "docker" });
choice!(
    /// CNI plugin.
    NetworkPlugin { /// flannel: vxlan or host-gw
        Flannel = "flannel", /// calico: ipip or bgp
        #[default] Calico = "calico", /// cilium: vxlan, geneve or native routing
        Cilium = "cilium" });
choice!(
    /// kube-proxy mode.
    ProxyMode { /// iptables rules
        Iptables = "iptables", /// IPVS virtual servers
        #[default] Ipvs = "ipvs" });
choice!(
    /// Ingress controller.
    IngressKind { /// ingress-nginx
        #[default] Nginx = "nginx", /// Traefik
        Traefik = "traefik", /// no ingress controller
        None = "none" });
choice!(
    /// How clients reach the API servers.
    LoadBalancerMode { /// haproxy on every node in front of all API servers
        #[default] Internal = "internal", /// a virtual IP on chosen hosts
        External = "external" });
choice!(
    /// Where the load balancer's haproxy and keepalived come from.
    LoadBalancerSource { /// the bundle's images, run by the container runtime (any distribution)
        #[default] Image = "image", /// packages: the bundle's when it carries them, else the host's own repositories
        Package = "package" });
choice!(
    /// What a node does in the cluster.
    NodeRole { /// runs the control plane
        Master = "master", /// runs an etcd member
        Etcd = "etcd", /// runs workloads
        #[default] Worker = "worker" });

impl RuntimeKind {
    /// The runtime's usual data directory.
    pub fn default_data_dir(self) -> &'static str {
        match self {
            Self::Containerd => "/var/lib/containerd",
            Self::Docker => "/var/lib/docker",
        }
    }
}

impl NetworkPlugin {
    /// The modes this plugin supports; the first is its default.
    pub fn modes(self) -> &'static [&'static str] {
        match self {
            Self::Flannel => &["vxlan", "host-gw"],
            Self::Calico => &["ipip", "bgp"],
            Self::Cilium => &["vxlan", "geneve", "native"],
        }
    }
}

/// Container runtime settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuntimeSettings {
    /// containerd or docker.
    #[serde(rename = "type", default)]
    pub kind: RuntimeKind,
    /// Runtime data directory; defaults to the runtime's usual one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<String>,
    /// Address and prefix of the container bridge (docker0 / the runtime's default bridge).
    #[serde(default = "default_bridge")]
    pub bridge_cidr: String,
}

fn default_bridge() -> String {
    "172.17.0.1/16".into()
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        Self { kind: RuntimeKind::default(), data_dir: None, bridge_cidr: default_bridge() }
    }
}

/// Container network and service network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// CNI plugin.
    #[serde(default)]
    pub plugin: NetworkPlugin,
    /// Plugin mode; defaults to the plugin's first mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// NIC the CNI uses on multi-NIC hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Pod network.
    #[serde(default = "default_pod_cidr")]
    pub pod_cidr: String,
    /// Service network.
    #[serde(default = "default_service_cidr")]
    pub service_cidr: String,
    /// Most pods one node runs.
    #[serde(default = "default_256")]
    pub max_pods_per_node: u32,
    /// Most services in the cluster.
    #[serde(default = "default_256")]
    pub max_services: u32,
    /// kube-proxy mode.
    #[serde(default)]
    pub proxy_mode: ProxyMode,
    /// Install NodeLocal DNSCache.
    #[serde(default)]
    pub nodelocal_dns: bool,
    /// Cluster DNS domain.
    #[serde(default = "default_dns_domain")]
    pub dns_domain: String,
}

fn default_pod_cidr() -> String {
    "10.244.0.0/16".into()
}
fn default_service_cidr() -> String {
    "10.96.0.0/16".into()
}
fn default_256() -> u32 {
    256
}
fn default_dns_domain() -> String {
    "cluster.local".into()
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Self {
            plugin: NetworkPlugin::default(),
            mode: None,
            interface: None,
            pod_cidr: default_pod_cidr(),
            service_cidr: default_service_cidr(),
            max_pods_per_node: 256,
            max_services: 256,
            proxy_mode: ProxyMode::default(),
            nodelocal_dns: false,
            dns_domain: default_dns_domain(),
        }
    }
}

impl NetworkSettings {
    /// The mode in force: the one given or the plugin's default.
    pub fn effective_mode(&self) -> &str {
        self.mode.as_deref().unwrap_or(self.plugin.modes()[0])
    }
}

/// Optional components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Components {
    /// Install helm 3.
    #[serde(default = "yes")]
    pub helm: bool,
    /// Ingress controller.
    #[serde(default)]
    pub ingress: IngressKind,
    /// Install metrics-server.
    #[serde(default = "yes")]
    pub metrics_server: bool,
    /// Install the GPU kit (NVIDIA device plugin).
    #[serde(default)]
    pub gpu: bool,
}

impl Default for Components {
    fn default() -> Self {
        Self { helm: true, ingress: IngressKind::default(), metrics_server: true, gpu: false }
    }
}

/// etcd tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EtcdSettings {
    /// Data directory on etcd members.
    #[serde(default = "default_etcd_dir")]
    pub data_dir: String,
    /// Backend quota in GiB (etcd's `--quota-backend-bytes`).
    #[serde(default = "default_quota")]
    pub quota_backend_gib: u32,
    /// Hours of history kept by auto-compaction.
    #[serde(default = "default_compaction")]
    pub compaction_retention_hours: u32,
    /// Number of committed transactions that trigger a snapshot to disk.
    #[serde(default = "default_snapshot_count")]
    pub snapshot_count: u32,
    /// Heartbeat interval in milliseconds.
    #[serde(default = "default_heartbeat")]
    pub heartbeat_interval_ms: u32,
    /// Election timeout in milliseconds (at least 5x the heartbeat).
    #[serde(default = "default_election")]
    pub election_timeout_ms: u32,
}

fn default_etcd_dir() -> String {
    "/var/lib/etcd".into()
}
fn default_quota() -> u32 {
    8
}
fn default_compaction() -> u32 {
    1
}
fn default_snapshot_count() -> u32 {
    10_000
}
fn default_heartbeat() -> u32 {
    250
}
fn default_election() -> u32 {
    2_500
}

impl Default for EtcdSettings {
    fn default() -> Self {
        Self {
            data_dir: default_etcd_dir(),
            quota_backend_gib: default_quota(),
            compaction_retention_hours: default_compaction(),
            snapshot_count: default_snapshot_count(),
            heartbeat_interval_ms: default_heartbeat(),
            election_timeout_ms: default_election(),
        }
    }
}

/// How clients reach the API servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// internal or external.
    #[serde(default)]
    pub mode: LoadBalancerMode,
    /// Virtual IP (external mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<String>,
    /// Hosts that carry the VIP (external mode); empty means the masters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Where haproxy and keepalived come from (image, the default, or package).
    #[serde(default)]
    pub from: LoadBalancerSource,
}

/// One node of a manual-mode cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Name of a registered host.
    pub host: String,
    /// What the node does.
    pub roles: Vec<NodeRole>,
    /// Availability zone (failure domain) the host sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Extra Kubernetes node labels.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Kubernetes node name. Usually left out: the app names the node by `node_name_rule` when the
    /// cluster is created (or the node added) and keeps that name for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl NodeSpec {
    /// Whether the node has `role`.
    pub fn has(&self, role: NodeRole) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_file_gets_the_reference_defaults() {
        let s = ClusterSpec::from_yaml("name: a\nversion: v1.34.1\nnodes: [{host: h1, roles: [master]}]\n").unwrap();
        assert_eq!(s.project, "default");
        assert_eq!(s.provider, Provider::Manual);
        assert_eq!(s.repo_mode, RepoMode::Coexist);
        assert_eq!(s.runtime.bridge_cidr, "172.17.0.1/16");
        assert_eq!(s.network.max_pods_per_node, 256);
        assert_eq!(s.network.max_services, 256);
        assert_eq!(s.network.effective_mode(), "ipip");
        assert_eq!(s.load_balancer.mode, LoadBalancerMode::Internal);
        assert!(s.components.helm && s.components.metrics_server && !s.components.gpu);
    }

    #[test]
    fn unknown_key_is_refused_with_its_line() {
        let p = ClusterSpec::from_yaml("name: a\nversion: v1\nnetwork:\n  pod_cdir: 10.0.0.0/8\n").unwrap_err();
        assert_eq!(p.code, "spec.syntax");
        assert!(p.message.contains("pod_cdir") && p.message.contains("line 4"), "{}", p.message);
    }

    #[test]
    fn bad_choice_names_the_choices() {
        let p = ClusterSpec::from_yaml("name: a\nversion: v1\nnetwork: {plugin: weave}\n").unwrap_err();
        assert!(p.message.contains("weave") && p.message.contains("calico"), "{}", p.message);
    }

    #[test]
    fn yaml_round_trip() {
        let s = ClusterSpec::from_yaml(
            "name: a\nversion: v1.34.1\nnodes: [{host: h1, roles: [master, etcd], zone: az1}]\n",
        )
        .unwrap();
        assert_eq!(ClusterSpec::from_yaml(&s.to_yaml()).unwrap(), s);
    }
}
