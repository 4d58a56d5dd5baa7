//! The hosts a playbook runs on, and how steps select them.

use serde::Serialize;

/// A host of the cluster as playbooks see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvHost {
    /// Host name.
    pub name: String,
    /// Address.
    pub address: String,
    /// `master`, `etcd`, `worker`.
    pub roles: Vec<String>,
    /// Joining (or leaving) in this operation: a scale-up's new nodes, a removed node; every host
    /// on a create. With [`Inventory::only_new`] the broad selectors pick only these.
    pub new: bool,
    /// Facts gathered from the host (JSON of ko-ssh's `HostFacts`).
    pub facts: serde_json::Value,
    /// Known to be down for good (a dead master being replaced): no step runs on it and no
    /// selector picks it; templates still see it (its name, its address) in `hosts`.
    #[serde(default)]
    pub down: bool,
}

impl InvHost {
    fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// `debian` or `rhel` from the facts' os id and family.
    pub fn os_family(&self) -> Option<crate::OsFamily> {
        let id = self.facts["os_id"].as_str().unwrap_or_default();
        let like = self.facts["os_like"].as_str().unwrap_or_default();
        let any = |names: &[&str]| names.iter().any(|n| id == *n || like.split_whitespace().any(|l| l == *n));
        if any(&["debian", "ubuntu"]) {
            Some(crate::OsFamily::Debian)
        } else if any(&["rhel", "centos", "fedora", "rocky", "almalinux", "openEuler", "kylin"]) {
            Some(crate::OsFamily::Rhel)
        } else {
            None
        }
    }
}

/// The hosts of an operation, in a stable order (the first master first among masters).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inventory {
    /// Every host of the cluster.
    pub hosts: Vec<InvHost>,
    /// A Day-2 operation on some nodes (add or remove): `all`, `masters`, `workers`, `nodes` and
    /// `etcd` pick only the `new` hosts, so the node playbooks of a create run on those alone;
    /// `first_master`, `first_etcd` and `host:<name>` still mean the cluster's own (a join token
    /// comes from the cluster's first master), and templates still see every host in `hosts`.
    pub only_new: bool,
    /// The `new` hosts are leaving the cluster in this operation (a removal): `first_master`,
    /// `first_etcd` and whole-cluster phases never pick them.
    pub leaving: bool,
}

/// Which hosts a step runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every host.
    All,
    /// Hosts with the master role.
    Masters,
    /// Hosts with the worker role.
    Workers,
    /// Kubernetes nodes: masters and workers (not hosts that only run etcd).
    Nodes,
    /// etcd members (the masters when no host has the etcd role).
    Etcd,
    /// The first master only.
    FirstMaster,
    /// The first etcd member only.
    FirstEtcd,
    /// Hosts joining in this operation.
    NewNodes,
    /// One host by name.
    Host(String),
}

impl Selector {
    /// Parses `all`, `masters`, `workers`, `nodes`, `etcd`, `first_master`, `first_etcd`, `new_nodes`,
    /// `host:<name>`.
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "all" => Self::All,
            "masters" => Self::Masters,
            "workers" => Self::Workers,
            "nodes" => Self::Nodes,
            "etcd" => Self::Etcd,
            "first_master" => Self::FirstMaster,
            "first_etcd" => Self::FirstEtcd,
            "new_nodes" => Self::NewNodes,
            other => match other.strip_prefix("host:") {
                Some(name) if !name.is_empty() => Self::Host(name.into()),
                _ => {
                    return Err(format!(
                        "'{other}' is not a host selector (all, masters, workers, nodes, etcd, first_master, first_etcd, new_nodes, host:<name>)"
                    ));
                }
            },
        })
    }
}

impl Inventory {
    /// The hosts `selector` picks, in inventory order (see [`Inventory::only_new`]).
    pub fn select(&self, selector: &Selector) -> Vec<&InvHost> {
        self.select_in(selector, false)
    }

    /// Whether `h` stays in the cluster (it is not leaving in this operation).
    fn stays(&self, h: &InvHost) -> bool {
        !(self.leaving && h.new)
    }

    /// The hosts steps may run on: not down.
    fn up(&self) -> impl Iterator<Item = &InvHost> {
        self.hosts.iter().filter(|h| !h.down)
    }

    /// The hosts `selector` picks; with `whole_cluster`, the broad selectors pick from the whole
    /// cluster (but the hosts leaving) even in a Day-2 operation. `first_master` and `first_etcd`
    /// are always the cluster's own, never a leaving host.
    pub fn select_in(&self, selector: &Selector, whole_cluster: bool) -> Vec<&InvHost> {
        let etcd_role = self.hosts.iter().any(|h| h.has("etcd"));
        let etcd = |h: &InvHost| if etcd_role { h.has("etcd") } else { h.has("master") };
        let first = |pick: &dyn Fn(&InvHost) -> bool| {
            self.up().filter(|h| self.stays(h) && pick(h)).take(1).collect::<Vec<_>>()
        };
        let in_scope = |h: &&InvHost| match (whole_cluster, self.only_new) {
            (true, _) => self.stays(h),
            (false, true) => h.new,
            (false, false) => true,
        };
        match selector {
            Selector::FirstMaster => first(&|h| h.has("master")),
            Selector::FirstEtcd => first(&etcd),
            Selector::Host(n) => self.up().filter(|h| h.name == *n).collect(),
            broad => self
                .up()
                .filter(in_scope)
                .filter(|h| match broad {
                    Selector::Masters => h.has("master"),
                    Selector::Workers => h.has("worker"),
                    Selector::Nodes => h.has("master") || h.has("worker"),
                    Selector::Etcd => etcd(h),
                    Selector::NewNodes => h.new,
                    _ => true,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str, roles: &[&str], new: bool) -> InvHost {
        InvHost {
            name: name.into(),
            address: String::new(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            new,
            facts: serde_json::json!({}),
            down: false,
        }
    }

    #[test]
    fn selectors_pick_the_right_hosts() {
        let inv = Inventory {
            hosts: vec![host("w1", &["worker"], true), host("m1", &["master"], false), host("m2", &["master"], false)],
            only_new: false,
            leaving: false,
        };
        let names =
            |s: &str| inv.select(&Selector::parse(s).unwrap()).iter().map(|h| h.name.clone()).collect::<Vec<_>>();
        assert_eq!(names("all"), ["w1", "m1", "m2"]);
        assert_eq!(names("masters"), ["m1", "m2"]);
        assert_eq!(names("etcd"), ["m1", "m2"], "no etcd role: the masters carry etcd");
        assert_eq!(names("first_master"), ["m1"]);
        assert_eq!(names("first_etcd"), ["m1"]);
        assert_eq!(names("new_nodes"), ["w1"]);
        assert_eq!(names("host:m2"), ["m2"]);
        // a Day-2 operation on w1: the broad selectors pick it alone, the cluster's roles stay
        let day2 = Inventory { only_new: true, ..inv.clone() };
        let whole = |s: &str| {
            day2.select_in(&Selector::parse(s).unwrap(), true).iter().map(|h| h.name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(whole("masters"), ["m1", "m2"], "a whole-cluster phase sees the cluster");
        // w1 leaving: whole-cluster phases and the first roles never pick it
        let leaving = Inventory {
            only_new: true,
            leaving: true,
            hosts: vec![host("m1", &["master"], true), host("m2", &["master"], false)],
        };
        assert_eq!(leaving.select(&Selector::FirstMaster)[0].name, "m2");
        assert_eq!(leaving.select_in(&Selector::Masters, true).len(), 1);
        assert_eq!(leaving.select(&Selector::All)[0].name, "m1", "the operation's own phases act on it");
        let names =
            |s: &str| day2.select(&Selector::parse(s).unwrap()).iter().map(|h| h.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            (names("all"), names("nodes"), names("masters")),
            (vec!["w1".to_string()], vec!["w1".into()], vec![])
        );
        assert_eq!(
            (names("first_master"), names("first_etcd"), names("host:m2")),
            (vec!["m1".to_string()], vec!["m1".into()], vec!["m2".into()])
        );
        assert!(Selector::parse("everyone").is_err());
        assert!(Selector::parse("host:").is_err());
    }
}
