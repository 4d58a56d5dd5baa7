//! Playbooks parsed, checked and planned; plans are snapshot-tested.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_playbook::{InvHost, Inventory, Mode, Playbook, Renderer, builtin, plan, render_plan, schema};
use std::collections::BTreeMap;

fn facts(hostname: &str, os: &str, cpus: u32, mem: u64) -> serde_json::Value {
    serde_json::json!({
        "os_id": os, "os_version": "12", "os_name": format!("{os} 12"), "os_like": "", "kernel": "6.1.0-18-amd64",
        "arch": "amd64", "cpus": cpus, "memory_mib": mem, "swap_mib": 0, "disks": [], "firewall": [], "selinux": "disabled",
        "timezone": "Asia/Shanghai", "hostname": hostname, "nics": [], "gpus": 0, "runtimes": [], "clock_ms": 1_790_000_000_000u64
    })
}

fn inventory() -> Inventory {
    let h = |name: &str, ip: &str, roles: &[&str], f| InvHost {
        name: name.into(),
        address: ip.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        new: true,
        facts: f,
        down: false,
    };
    Inventory {
        hosts: vec![
            h("node-1", "10.0.0.11", &["master", "etcd"], facts("node-1", "debian", 4, 8192)),
            h("node-2", "10.0.0.12", &["master", "etcd"], facts("node-2", "rocky", 2, 4096)),
            h("node-3", "10.0.0.13", &["worker"], facts("node-3", "debian", 1, 2048)),
        ],
        ..Inventory::default()
    }
}

#[test]
fn the_schema_file_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../playbooks/schema.json");
    if std::env::var_os("KO_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, schema()).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == schema(),
        "playbooks/schema.json is stale: run `KO_UPDATE_SCHEMA=1 cargo test -p ko-playbook --test playbook` and commit it"
    );
}

#[test]
fn the_precheck_plan_is_what_it_was() {
    let precheck = builtin("precheck").unwrap();
    let renderer = Renderer::new(serde_json::json!({}), BTreeMap::new(), Mode::Plan);
    let phases = plan(&precheck, &inventory(), &renderer).unwrap();
    insta::assert_snapshot!("precheck_plan", render_plan(&phases));
}

const SAMPLE: &str = r#"
name: sample
phases:
  - name: prepare
    hosts: all
    steps:
      - name: install on debian
        os_family: debian
        run: apt-get install -y {{ packages | join(' ') }}
      - name: install on rhel
        os_family: rhel
        creates: /usr/bin/containerd
        run: dnf install -y {{ packages | join(' ') }}
      - name: make a token
        hosts: first_master
        register: token
        become: false
        run: kubeadm token create --ttl {{ ttl | q }} --password {{ secret('admin') | q }}
      - name: join
        hosts: workers
        serial: 1
        run: kubeadm join --token {{ registered.token['node-1'] | q }}
      - name: masters only, when big
        hosts: masters
        when: host.facts.cpus >= 4
        template:
          dest: /etc/ko/{{ host.name }}.conf
          content: "name = {{ host.name }}\n"
      - name: wait for the api
        hosts: first_master
        wait_for: { port: 6443, timeout: 120 }
"#;

#[test]
fn plans_expand_selectors_conditions_batches_registers_and_hide_secrets() {
    let p = Playbook::parse("sample", SAMPLE).unwrap();
    let vars = serde_json::json!({"packages": ["containerd", "runc"], "ttl": "2h"});
    let secrets = BTreeMap::from([("admin".to_string(), "hunter2".to_string())]);
    let phases = plan(&p, &inventory(), &Renderer::new(vars.clone(), secrets.clone(), Mode::Plan)).unwrap();
    let text = render_plan(&phases);
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("--password '<redacted>'"), "{text}");
    let at: Vec<(&str, &str)> = phases[0].steps.iter().map(|s| (s.step.as_str(), s.host.as_str())).collect();
    assert_eq!(
        at,
        [
            ("install on debian", "node-1"),
            ("install on debian", "node-3"),
            ("install on rhel", "node-2"),
            ("make a token", "node-1"),
            ("join", "node-3"),
            ("masters only, when big", "node-1"),
            ("wait for the api", "node-1"),
        ]
    );
    assert!(text.contains("kubeadm join --token '<output of '\\''make a token'\\'' on node-1>'"), "{text}");
    assert!(text.contains("(as root, batch 1)"), "{text}");
    assert!(text.contains("skip if /usr/bin/containerd exists"));
    // running mode renders the secret itself
    let run = plan(&p, &inventory(), &Renderer::new(vars, secrets, Mode::Run)).unwrap();
    assert!(render_plan(&run).contains("--password hunter2"));
}

#[test]
fn format_errors_name_the_step() {
    let two = "name: x\nphases:\n  - name: p\n    steps:\n      - name: both\n        run: 'true'\n        fetch: { src: a, dest: b }\n";
    let e = Playbook::parse("x", two).unwrap_err();
    assert!(e.to_string().contains("both") && e.to_string().contains("exactly one"), "{e}");
    let sel =
        "name: x\nphases:\n  - name: p\n    steps:\n      - name: s\n        hosts: everybody\n        run: 'true'\n";
    assert!(Playbook::parse("x", sel).unwrap_err().to_string().contains("not a host selector"));
    let typo = "name: x\nphases:\n  - name: p\n    steps:\n      - name: s\n        rn: 'true'\n";
    assert!(Playbook::parse("x", typo).unwrap_err().to_string().contains("unknown field `rn`"));
    let undefined = "name: x\nphases:\n  - name: p\n    steps:\n      - name: s\n        run: echo {{ nope }}\n";
    let p = Playbook::parse("x", undefined).unwrap();
    let e = plan(&p, &inventory(), &Renderer::new(serde_json::json!({}), BTreeMap::new(), Mode::Plan)).unwrap_err();
    assert!(e.to_string().contains("undefined"), "{e}");
}

#[test]
fn the_rendered_precheck_scripts_run_and_fail_where_they_should() {
    let precheck = builtin("precheck").unwrap();
    let renderer = Renderer::new(serde_json::json!({}), BTreeMap::new(), Mode::Run);
    let phases = plan(&precheck, &inventory(), &renderer).unwrap();
    for s in &phases[0].steps {
        let ko_playbook::PlannedAction::Run { script } = &s.action else { continue };
        let out = std::process::Command::new("sh").arg("-c").arg(script).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expect_fail = s.host == "node-3" && s.step == "cpu and memory";
        assert_eq!(
            out.status.success(),
            !expect_fail,
            "{} @ {}: {stdout}{}",
            s.step,
            s.host,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.lines().all(|l| l.starts_with("PASS ") || l.starts_with("WARN ") || l.starts_with("FAIL ")),
            "{stdout}"
        );
        if expect_fail {
            assert!(stdout.contains("FAIL resources") && stdout.contains("at least 2 CPU"), "{stdout}");
        }
    }
}

#[test]
fn every_shipped_playbook_parses() {
    for name in ko_playbook::BUILTIN {
        let p = builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&p.name, name, "a playbook's name is its file's");
    }
}
