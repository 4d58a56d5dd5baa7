//! The built-in playbooks: one per [`Stage`], in `playbooks/NAME.yaml` at the top of the
//! repository (described by `playbooks/schema.json`), compiled into the binary. An operator's
//! `DATA_DIR/playbooks/NAME.yaml` replaces one (see [`crate::Deployer`]).

use ko_core::Stage;
use ko_playbook::{Playbook, PlaybookError};

/// The playbook shipped in the binary for `stage`.
pub fn builtin_playbook(stage: Stage) -> Result<Playbook, PlaybookError> {
    let yaml = match stage {
        Stage::Precheck => include_str!("../../../playbooks/precheck.yaml"),
        Stage::Bundle => include_str!("../../../playbooks/bundle.yaml"),
        Stage::Base => include_str!("../../../playbooks/base.yaml"),
        Stage::Runtime => include_str!("../../../playbooks/runtime.yaml"),
        Stage::LoadBalancer => include_str!("../../../playbooks/loadbalancer.yaml"),
        Stage::Etcd => include_str!("../../../playbooks/etcd.yaml"),
        Stage::Kubernetes => include_str!("../../../playbooks/kubernetes.yaml"),
        Stage::ControlPlane => include_str!("../../../playbooks/control-plane.yaml"),
        Stage::Join => include_str!("../../../playbooks/join.yaml"),
        Stage::Network => include_str!("../../../playbooks/network.yaml"),
        Stage::Addons => include_str!("../../../playbooks/addons.yaml"),
        Stage::Post => include_str!("../../../playbooks/post.yaml"),
        Stage::RemoveNode => include_str!("../../../playbooks/remove-node.yaml"),
        Stage::EtcdLeave => include_str!("../../../playbooks/etcd-leave.yaml"),
        Stage::Certs => include_str!("../../../playbooks/certs.yaml"),
        Stage::RenewCerts => include_str!("../../../playbooks/renew-certs.yaml"),
        Stage::Upgrade => include_str!("../../../playbooks/upgrade.yaml"),
        Stage::Backup => include_str!("../../../playbooks/backup.yaml"),
        Stage::Restore => include_str!("../../../playbooks/restore.yaml"),
        Stage::Reset => include_str!("../../../playbooks/reset.yaml"),
    };
    Playbook::parse(stage.as_str(), yaml)
}
