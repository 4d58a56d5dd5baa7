//! The built-in playbooks: each parses, and the precheck plans and runs as it should.

use ko_core::Stage;
use ko_deploy::builtin_playbook;
use ko_playbook::testing::inventory;
use ko_playbook::{Mode, Renderer, plan, render_plan};
use std::collections::BTreeMap;

#[test]
fn the_precheck_plan_is_what_it_was() {
    let precheck = builtin_playbook(Stage::Precheck).unwrap();
    let renderer = Renderer::new(serde_json::json!({}), BTreeMap::new(), Mode::Plan);
    let phases = plan(&precheck, &inventory(), &renderer).unwrap();
    insta::assert_snapshot!("precheck_plan", render_plan(&phases));
}

#[test]
fn the_rendered_precheck_scripts_run_and_fail_where_they_should() {
    let precheck = builtin_playbook(Stage::Precheck).unwrap();
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
    for stage in Stage::ALL {
        let p = builtin_playbook(*stage).unwrap_or_else(|e| panic!("{stage}: {e}"));
        assert_eq!(p.name, stage.as_str(), "a playbook's name is its file's");
    }
}
