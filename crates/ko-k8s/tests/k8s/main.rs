//! ko-k8s against a stand-in API server (`ko-kube-standin`: HTTPS, real API types; a real
//! kube-apiserver cannot run here).

mod actions;
mod exec;
mod health;
mod import;
mod logs;
mod terminal;
mod watch;

use ko_k8s::{ClusterAccess, KubeconfigOrigin, access_from_kubeconfig};
use ko_kube_standin::{Options, StandIn};

/// A stand-in with the default shape (1 master, 2 workers, 3 pods of an app).
fn standin() -> StandIn {
    StandIn::start(Options::default()).unwrap_or_else(|e| panic!("starting the stand-in: {e}"))
}

/// The access its own kubeconfig describes.
fn access_of(s: &StandIn) -> ClusterAccess {
    access_from_kubeconfig(&s.kubeconfig("standin"), None, &KubeconfigOrigin::Pasted)
        .unwrap_or_else(|e| panic!("reading the stand-in's kubeconfig: {e}"))
}
