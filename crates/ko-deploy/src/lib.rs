//! The deployment of a cluster, apart from who may ask for it: what a run of an operation on a
//! cluster's hosts is given (the variables its playbooks see: the cluster, its load balancer, its
//! bundle, the Kubernetes settings) and what its bundle must hold for it. ko-api's run machinery
//! (tasks, journal, SSH transport, secrets of a run) moves here next (issue 15).

mod bundle_needs;
mod cluster_vars;
mod kube_vars;

pub use bundle_needs::check_bundle_covers;
pub use cluster_vars::{API_SERVER_PORT, LB_PORT, LB_STATS_PORT, RunBundle, bundle_vars, lb_vars, runtime_packages};
pub use kube_vars::{assign_node_names, kube_vars};
