//! The real recipes (`bundles/kubernetes-*.toml`): every entry pinned by a published checksum or
//! digest — or said to have none, and why — with its source; every arch-specific component for
//! both arches; and what a build of each would hold covers what a create installs, for every
//! supported shape (CNI x runtime x ingress x arch).

use ko_bundle::{BundleSource, UpstreamChecksum};
use ko_core::{ClusterSpec, IngressKind, LoadBalancerMode, LoadBalancerSource, NetworkPlugin, RuntimeKind, Stage};
use ko_deploy::check_bundle_covers;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn recipes() -> Vec<(PathBuf, BundleSource)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bundles");
    let mut out: Vec<(PathBuf, BundleSource)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let s = BundleSource::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, s)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_entry_of_every_recipe_is_pinned_or_says_why_not() {
    let all = recipes();
    let names: Vec<&str> = all.iter().map(|(_, s)| s.name.as_str()).collect();
    assert_eq!(names, ["kubernetes-v1.34.7", "kubernetes-v1.35.4", "kubernetes-v1.36.0"]);
    for (path, s) in &all {
        let at = |what: &str| format!("{}: {what}", path.display());
        let version = s.kubernetes_version.clone().unwrap();
        assert_eq!(s.name, format!("kubernetes-{version}"));
        let mut arches: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in &s.files {
            assert!(f.url.starts_with("https://"), "{}", at(&f.path));
            assert!(f.checksum_source.len() > 30, "{}: name where the checksum was published", at(&f.path));
            match f.checksum() {
                Some(UpstreamChecksum::Sha256(_) | UpstreamChecksum::Sha512(_)) => assert!(!f.unpublished),
                None => {
                    assert!(f.unpublished, "{}", at(&f.path));
                    assert!(f.checksum_source.contains("publish"), "{}: say why there is none", at(&f.path));
                }
            }
            if f.component == "kubernetes-server" {
                assert_eq!(f.version, version, "{}", at(&f.path));
            }
            arches.entry(f.component.clone()).or_default().insert(f.arch.clone());
        }
        for i in &s.images {
            assert_eq!(i.digest.is_some(), !i.unpublished, "{}", at(&i.name));
            assert!(i.checksum_source.len() > 30, "{}", at(&i.name));
            arches.entry(format!("image {}", i.name)).or_default().insert(i.arch.clone());
        }
        for (component, a) in &arches {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let expected: &[&str] =
                if SINGLE_ARCH.contains(&component.as_str()) { &["amd64"] } else { &["amd64", "arm64"] };
            assert!(a == ["all"] || a == expected, "{}: {a:?}", at(component));
        }
    }
}

/// Entries upstream publishes for amd64 only (the recipe says so; a create on arm64 is told what
/// to choose instead).
const SINGLE_ARCH: &[&str] = &["image docker.io/osixia/keepalived:2.0.20"];

/// Three hosts (two masters with etcd, one worker) of the given arches.
fn inventory(arches: [&str; 3]) -> ko_playbook::Inventory {
    let mut inv = ko_playbook::testing::inventory();
    for (h, arch) in inv.hosts.iter_mut().zip(arches) {
        h.facts["arch"] = serde_json::json!(arch);
    }
    inv
}

#[test]
fn a_build_of_each_recipe_covers_every_supported_shape() {
    for (_, recipe) in recipes() {
        let manifest = recipe.planned_manifest(&["amd64".into(), "arm64".into()]);
        for arches in [["amd64"; 3], ["arm64"; 3], ["amd64", "arm64", "arm64"]] {
            for (plugin, runtime) in
                NetworkPlugin::ALL.iter().flat_map(|p| RuntimeKind::ALL.iter().map(move |r| (p, r)))
            {
                for ingress in [IngressKind::Nginx, IngressKind::Traefik] {
                    let mut spec = ClusterSpec::blank();
                    spec.runtime.kind = *runtime;
                    spec.network.plugin = *plugin;
                    spec.network.nodelocal_dns = true;
                    spec.components.ingress = ingress;
                    spec.components.metrics_server = true;
                    spec.components.helm = true;
                    spec.components.gpu = true;
                    let r = check_bundle_covers(&spec, &inventory(arches), &recipe.name, &manifest, Stage::DEPLOYMENT);
                    assert!(
                        r.is_ok(),
                        "{} with {plugin:?}, {ingress:?} on {arches:?}: {:?}",
                        recipe.name,
                        r.unwrap_err()
                    );
                }
            }
            // a VIP: keepalived's image exists for amd64 only; arm64 hosts are told to use packages
            let mut spec = ClusterSpec::blank();
            spec.load_balancer.mode = LoadBalancerMode::External;
            spec.load_balancer.vip = Some("10.0.0.250".into());
            let r = check_bundle_covers(&spec, &inventory(arches), &recipe.name, &manifest, Stage::DEPLOYMENT);
            if arches[..2] == ["amd64", "amd64"] {
                assert!(r.is_ok(), "{} external on {arches:?}: {:?}", recipe.name, r.unwrap_err());
            } else {
                let problems = r.expect_err("no arm64 keepalived image").0;
                assert_eq!(problems.len(), 1, "{problems:?}");
                let message = &problems[0].message;
                assert!(message.contains("no keepalived image for arm64"), "{message}");
                assert!(message.contains("load_balancer.from: package"), "{message}");
                spec.load_balancer.from = LoadBalancerSource::Package;
                let r = check_bundle_covers(&spec, &inventory(arches), &recipe.name, &manifest, Stage::DEPLOYMENT);
                assert!(r.is_ok(), "{} external with packages on {arches:?}: {:?}", recipe.name, r.unwrap_err());
            }
        }
    }
}
