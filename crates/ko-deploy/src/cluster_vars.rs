//! The variables a run's templates see about the cluster as a whole: its load balancer and its
//! bundle (what it carries, per component and arch).

use ko_core::ClusterSpec;
use ko_playbook::Inventory;
use serde_json::{Value, json};
use std::path::PathBuf;

/// Where each node reaches the API servers through its own haproxy (internal load balancer).
pub const LB_PORT: u16 = 8443;

/// The API servers' port.
pub const API_SERVER_PORT: u16 = 6443;

/// haproxy's statistics page on each node (loopback only).
pub const LB_STATS_PORT: u16 = 8404;

/// A bundle of the library, as a run uses it.
pub struct RunBundle {
    /// Its directory in the library.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: ko_bundle::BundleManifest,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The bundle as templates see it: components, packages and images.
pub fn bundle_vars(b: &RunBundle) -> Value {
    use ko_bundle::FileKind;
    let m = &b.manifest;
    let mut components: Vec<&str> = m.files.iter().map(|f| f.component.as_str()).collect();
    components.sort_unstable();
    components.dedup();
    let packages: Vec<Value> = m
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Package)
        .map(|f| {
            json!({"component": f.component, "version": f.version, "arch": f.arch, "file": file_name(&f.path),
                   "sha256": f.sha256, "size": f.size})
        })
        .collect();
    let images: Vec<Value> = m
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Image)
        .map(|f| json!({"component": f.component, "arch": f.arch, "path": f.path, "sha256": f.sha256, "reference": f.reference}))
        .collect();
    let mut binaries = serde_json::Map::new();
    let mut manifests = serde_json::Map::new();
    let mut charts = serde_json::Map::new();
    for f in &m.files {
        let entry = json!({"path": f.path, "sha256": f.sha256, "version": f.version});
        match f.kind {
            FileKind::Binary => {
                let by_arch = binaries.entry(f.component.clone()).or_insert_with(|| json!({}));
                by_arch[f.arch.as_str()] = entry;
            }
            FileKind::Manifest => {
                manifests.entry(f.component.clone()).or_insert(entry);
            }
            FileKind::Chart => {
                charts.entry(f.component.clone()).or_insert(entry);
            }
            _ => {}
        }
    }
    json!({"name": m.name, "components": components, "packages": packages, "images": images,
           "binaries": binaries, "manifests": manifests, "charts": charts})
}

/// The components the load balancer runs from images.
pub const LB_IMAGES: [&str; 2] = ["haproxy", "keepalived"];

/// The load balancer's variables: which nodes run haproxy (internal: every node; external: the
/// chosen hosts, else the masters) with the interface holding each one's address (keepalived puts
/// the VIP there), the masters behind it, the endpoint nodes reach the API servers at, and where
/// haproxy and keepalived come from (`from`; a run adds the images' references, [`lb_image_refs`]).
pub fn lb_vars(spec: &ClusterSpec, inv: &Inventory) -> Value {
    let external = spec.load_balancer.mode == ko_core::LoadBalancerMode::External;
    let masters = inv.select_in(&ko_playbook::Selector::Masters, true);
    let all = inv.select_in(&ko_playbook::Selector::All, true);
    let carriers: Vec<&ko_playbook::InvHost> = match (external, spec.load_balancer.hosts.is_empty()) {
        (false, _) => all,
        (true, true) => masters.clone(),
        (true, false) => all.into_iter().filter(|h| spec.load_balancer.hosts.contains(&h.name)).collect(),
    };
    let hosts: Vec<Value> = carriers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let prefix = format!("{}/", h.address);
            let nic = h.facts["nics"].as_array().into_iter().flatten().find_map(|n| {
                let cidr =
                    n["addresses"].as_array()?.iter().filter_map(Value::as_str).find(|a| a.starts_with(&prefix))?;
                Some((n["name"].as_str()?.to_string(), cidr.trim_start_matches(&prefix).to_string()))
            });
            let (nic, bits) = nic.unwrap_or_else(|| ("<the interface of ".to_string() + &h.address + ">", "32".into()));
            // the VIP's preferred holder is the first host; the others follow in order
            json!({"name": h.name, "address": h.address, "nic": nic, "prefix": bits, "priority": 150 - i.min(100)})
        })
        .collect();
    let vip = spec.load_balancer.vip.clone().filter(|_| external);
    // one VRRP router per cluster on a shared network: an id from its name
    let router_id = 1 + spec.name.bytes().fold(0u32, |a, b| (a * 31 + u32::from(b)) % 254);
    json!({
        "mode": spec.load_balancer.mode.as_str(),
        "port": LB_PORT,
        "backend_port": API_SERVER_PORT,
        "stats_port": LB_STATS_PORT,
        "bind": if external { "*" } else { "127.0.0.1" },
        "masters": masters.iter().map(|h| json!({"name": h.name, "address": h.address})).collect::<Vec<_>>(),
        "hosts": hosts,
        "host_names": carriers.iter().map(|h| h.name.clone()).collect::<Vec<_>>(),
        "vip": vip,
        "router_id": router_id,
        "endpoint": format!("{}:{LB_PORT}", vip.as_deref().unwrap_or("127.0.0.1")),
        "from": spec.load_balancer.from.as_str(),
    })
}

/// `{component: {arch: reference}}` of the bundle's images of [`LB_IMAGES`] (`lb.images`).
pub fn lb_image_refs(bundle: Option<&ko_bundle::BundleManifest>) -> Value {
    let mut refs = serde_json::Map::new();
    for f in bundle.iter().flat_map(|m| &m.files) {
        if let (ko_bundle::FileKind::Image, Some(reference)) = (f.kind, &f.reference)
            && LB_IMAGES.contains(&f.component.as_str())
        {
            let by_arch = refs.entry(f.component.clone()).or_insert_with(|| json!({}));
            by_arch[f.arch.as_str()] = json!(reference);
        }
    }
    Value::Object(refs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ko_playbook::InvHost;

    fn host(name: &str, address: &str, roles: &[&str]) -> InvHost {
        let facts = json!({"nics": [{"name": "ens3", "addresses": [format!("{address}/24")]}]});
        let roles = roles.iter().map(|r| r.to_string()).collect();
        InvHost { name: name.into(), address: address.into(), roles, new: true, facts, down: false }
    }

    fn spec(yaml: &str) -> ClusterSpec {
        ClusterSpec::from_yaml(yaml).unwrap_or_else(|p| panic!("{p}"))
    }

    #[test]
    fn every_node_runs_its_own_haproxy_unless_a_vip_fronts_the_masters() {
        let inv = Inventory {
            hosts: vec![host("m1", "10.0.0.11", &["master", "etcd"]), host("w1", "10.0.0.21", &["worker"])],
            ..Inventory::default()
        };
        let internal = lb_vars(&spec("name: c\nversion: v1.34.1\n"), &inv);
        assert_eq!(internal["endpoint"], "127.0.0.1:8443");
        assert_eq!(internal["host_names"], json!(["m1", "w1"]));
        assert_eq!(internal["bind"], "127.0.0.1");
        let external =
            lb_vars(&spec("name: c\nversion: v1.34.1\nload_balancer: {mode: external, vip: 10.0.0.100}\n"), &inv);
        assert_eq!(external["endpoint"], "10.0.0.100:8443");
        assert_eq!(external["host_names"], json!(["m1"]), "the masters carry the VIP when no hosts are named");
        assert_eq!(external["hosts"][0]["nic"], "ens3");
        assert_eq!(external["hosts"][0]["prefix"], "24");
    }

    #[test]
    fn the_load_balancer_runs_the_bundles_haproxy_and_keepalived_images_by_reference_per_arch() {
        let file = |component: &str, arch: &str, kind, reference: Option<&str>| ko_bundle::BundleFile {
            path: format!("{component}-{arch}"),
            size: 1,
            sha256: "0".repeat(64),
            component: component.into(),
            version: "1".into(),
            arch: arch.into(),
            kind,
            reference: reference.map(String::from),
        };
        let manifest = ko_bundle::BundleManifest {
            format: 1,
            name: "b".into(),
            kubernetes_version: None,
            arches: vec!["amd64".into(), "arm64".into()],
            files: vec![
                file("haproxy", "amd64", ko_bundle::FileKind::Image, Some("h:1")),
                file("haproxy", "arm64", ko_bundle::FileKind::Image, Some("h:1-arm")),
                file("haproxy", "amd64", ko_bundle::FileKind::Package, None),
                file("keepalived", "amd64", ko_bundle::FileKind::Image, Some("k:2")),
                file("pause", "amd64", ko_bundle::FileKind::Image, Some("p:3")),
            ],
            base: None,
        };
        assert_eq!(
            lb_image_refs(Some(&manifest)),
            json!({"haproxy": {"amd64": "h:1", "arm64": "h:1-arm"}, "keepalived": {"amd64": "k:2"}})
        );
        assert_eq!(lb_image_refs(None), json!({}));
    }
}
