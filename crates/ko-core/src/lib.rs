//! Domain types and validation rules of KubeOperator Desktop.
//!
//! Everything here is pure: no I/O, no clock, no randomness. Other crates hand in what the rules
//! need to know about the world (known hosts, enabled versions) through [`ClusterContext`].
//! Every rule reports a [`Problem`] with a stable code, the field it concerns and a message that
//! says what to change.

mod cidr;
mod cluster_rules;
mod cluster_spec;
mod ip_pool;
mod kinds;
mod names;
mod next_step;
mod operation;
mod problem;
mod stored_names;

pub use cidr::{node_mask_for_max_pods, parse_cidr, parse_ip};
pub use cluster_rules::{ClusterContext, HostRef, VersionState};
pub use cluster_spec::{
    Arch, ClusterSpec, Components, EtcdSettings, IngressKind, LoadBalancer, LoadBalancerMode, LoadBalancerSource,
    NetworkPlugin, NetworkSettings, NodeArch, NodeNameRule, NodeRole, NodeSpec, Provider, ProxyMode, RepoMode,
    RuntimeKind, RuntimeSettings, TimeSync,
};
pub use ip_pool::{IpPool, IpRange, compress_ranges, validate_ip_pools};
pub use kinds::{ClusterStatus, CredentialKind, TaskKind, TaskStatus};
pub use names::{validate_dns1123_label, validate_host_address, validate_object_name};
pub use next_step::NextStep;
pub use operation::{
    ADD_MASTER_STAGES, ADD_WORKER_STAGES, Admission, After, Operation, REMOVE_MASTER_STAGES, REMOVE_WORKER_STAGES,
    Segment, Stage, UPGRADE_STAGES, added_master_roles,
};
pub use problem::{Invalid, Problem};
pub use stored_names::UnknownName;
