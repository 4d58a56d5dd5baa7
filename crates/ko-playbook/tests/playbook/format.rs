//! Playbooks parsed, checked and planned; plans are snapshot-tested.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_playbook::testing::inventory;
use ko_playbook::{Mode, Playbook, Renderer, plan, render_plan, schema};
use std::collections::BTreeMap;

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
