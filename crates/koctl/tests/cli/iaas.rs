//! Auto mode's infrastructure through koctl: IP pools (real SQLite, no keychain needed), and
//! regions against a vSphere simulator (`tests/vcsim`: govmomi's simulator library speaking the
//! real SOAP API; `VCSIM` names its binary, `./dev test` builds it).

use crate::support::{Koctl, text};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};

/// A running vSphere simulator: the process and the JSON line it printed.
struct Vcsim {
    child: Child,
    info: serde_json::Value,
}

impl Drop for Vcsim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the simulator with three standalone hosts, or says why the test is skipped (fails when
/// KO_REQUIRE_VCSIM is set).
fn vcsim(test: &str) -> Option<Vcsim> {
    let Some(bin) = std::env::var_os("VCSIM") else {
        assert!(std::env::var_os("KO_REQUIRE_VCSIM").is_none(), "{test}: KO_REQUIRE_VCSIM is set but VCSIM is not");
        eprintln!("\n!!! SKIPPED {test}: no vSphere simulator (VCSIM); run the tests with ./dev test\n");
        return None;
    };
    let mut child = Command::new(bin)
        .args(["-listen", "127.0.0.1:0", "-host", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("the simulator said {line:?}: {e}"));
    Some(Vcsim { child, info })
}

#[test]
fn ip_pools_are_checked_whole_and_against_each_other_and_show_each_addresss_state() {
    let k = Koctl::new();
    let add = |args: &[&str]| {
        let mut all = vec!["ip-pool", "add"];
        all.extend_from_slice(args);
        k.run(&all)
    };
    let out = add(&[
        "dc1",
        "--subnet",
        "10.1.0.0/24",
        "--gateway",
        "10.1.0.1",
        "--range",
        "10.1.0.10-10.1.0.19",
        "--dns",
        "10.1.0.2",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("10 addresses (10.1.0.10-10.1.0.19)"), "{}", text(&out.stdout));

    // bad input: each a clear error, nothing stored
    for (args, says) in [
        (
            vec!["bad", "--subnet", "10.2.0.0/24", "--gateway", "10.3.0.1", "--range", "10.2.0.10-10.2.0.20"],
            "gateway 10.3.0.1 is not in the subnet 10.2.0.0/24",
        ),
        (
            vec!["bad", "--subnet", "10.2.0.0/24", "--gateway", "10.2.0.1", "--range", "10.2.0.20-10.2.0.10"],
            "ends before it starts",
        ),
        (
            vec!["bad", "--subnet", "10.2.0.0/24", "--gateway", "10.2.0.1", "--range", "10.2.0.1-10.2.0.9"],
            "contains the gateway 10.2.0.1",
        ),
        (
            vec!["bad", "--subnet", "10.1.0.0/24", "--gateway", "10.1.0.1", "--range", "10.1.0.15-10.1.0.30"],
            "10.1.0.15 is already in pool dc1",
        ),
        (
            vec!["bad", "--subnet", "10.0.0.0/8", "--gateway", "10.0.0.1", "--range", "10.0.0.2-10.2.0.2"],
            "a pool holds at most 65536",
        ),
    ] {
        let out = add(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stdout));
        assert!(text(&out.stderr).contains(says), "{says} in {}", text(&out.stderr));
    }
    let pools = k.json(&["ip-pool", "list"]);
    assert_eq!(pools.as_array().unwrap().len(), 1, "nothing of the refused pools was stored: {pools}");

    // a range added reads back with the first as the fewest ranges; locked addresses are counted
    assert_eq!(k.run(&["ip-pool", "add-range", "dc1", "10.1.0.20-10.1.0.24"]).status.code(), Some(0));
    assert_eq!(k.run(&["ip-pool", "add-range", "dc1", "10.1.0.100"]).status.code(), Some(0));
    let out = k.run(&["ip-pool", "add-range", "dc1", "10.9.0.5"]);
    assert!(text(&out.stderr).contains("not inside the subnet 10.1.0.0/24"), "{}", text(&out.stderr));
    assert_eq!(k.run(&["ip-pool", "lock", "dc1", "10.1.0.12"]).status.code(), Some(0));
    let out = k.run(&["ip-pool", "lock", "dc1", "10.1.0.99"]);
    assert_eq!(out.status.code(), Some(2), "not in the pool: {}", text(&out.stderr));
    let pool = &k.json(&["ip-pool", "list"])[0];
    assert_eq!(pool["ranges"], serde_json::json!(["10.1.0.10-10.1.0.24", "10.1.0.100"]));
    assert_eq!((pool["counts"]["total"].as_u64(), pool["counts"]["locked"].as_u64()), (Some(16), Some(1)));
    assert_eq!(pool["counts"]["available"].as_u64(), Some(15));
    let shown = text(&k.run(&["ip-pool", "show", "dc1"]).stdout);
    assert!(shown.lines().any(|l| l.split_whitespace().eq(["10.1.0.12", "locked", "-"])), "{shown}");
    assert_eq!(k.run(&["ip-pool", "unlock", "dc1", "10.1.0.12"]).status.code(), Some(0));
    assert_eq!(k.json(&["ip-pool", "list"])[0]["counts"]["locked"].as_u64(), Some(0));

    assert_eq!(k.run(&["ip-pool", "rm", "dc1"]).status.code(), Some(0));
    assert_eq!(k.json(&["ip-pool", "list"]), serde_json::json!([]));
    let audit = text(&k.run(&["audit", "list"]).stdout);
    for action in ["ip_pool.add", "ip_pool.add_range", "ip_pool.lock", "ip_pool.unlock", "ip_pool.rm"] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
}

#[test]
fn a_region_is_added_only_with_its_pinned_certificate_the_right_password_and_an_existing_datacenter() {
    let test = "a_region_is_added_only_with_its_pinned_certificate";
    if ko_secrets::testing::keychain_or_skip(test).is_none() {
        return;
    }
    let Some(sim) = vcsim(test) else { return };
    let k = Koctl::new();
    let server = sim.info["server"].as_str().unwrap();
    let (host, port) = server.rsplit_once(':').unwrap();
    let password = sim.info["password"].as_str().unwrap();
    let user = sim.info["username"].as_str().unwrap();
    let out = k.run(&["region", "fingerprint", host, "--port", port]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fingerprint = text(&out.stdout).trim().to_string();
    assert_eq!(fingerprint.split(':').count(), 32, "a SHA-256 fingerprint: {fingerprint}");
    let add = |fp: &str, pass: &str, dc: &str| {
        k.run_with(
            &[
                "region",
                "add",
                "dc1",
                "--host",
                host,
                "--port",
                port,
                "--user",
                user,
                "--password-stdin",
                "--fingerprint",
                fp,
                "--datacenter",
                dc,
            ],
            &format!("{pass}\n"),
            &[],
        )
    };
    let other = format!("00{}", &fingerprint[2..]);
    for (out, says) in [
        (add(&fingerprint, "not-the-password", "DC0"), "refused the login"),
        (
            add(&other, password, "DC0"),
            &format!("presented a certificate with fingerprint {fingerprint}, not the trusted {other}") as &str,
        ),
        (add(&fingerprint, password, "DC9"), "has no datacenter 'DC9'; it has: DC0"),
    ] {
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{says} in {}", text(&out.stderr));
    }
    assert_eq!(k.json(&["region", "list"]), serde_json::json!([]), "nothing stored by a refused add");
    let out = add(&fingerprint, password, "DC0");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let regions = k.json(&["region", "list"]);
    assert_eq!(regions[0]["endpoint"]["fingerprint"], fingerprint.as_str());
    assert!(
        !std::fs::read_dir(k.data_dir()).unwrap().flatten().any(|f| {
            std::fs::read(f.path()).map(|b| String::from_utf8_lossy(&b).contains(password)).unwrap_or(false)
        }),
        "the password is in no file of the data dir"
    );

    // the check reads what the datacenter offers a zone, from the simulator itself
    let check = k.json(&["region", "check", "dc1"]);
    let inv = &check["inventory"];
    assert_eq!(check["about"]["datacenters"], serde_json::json!(["DC0"]));
    assert_eq!(inv["compute"], serde_json::json!(["DC0_H0", "DC0_H1", "DC0_H2"]));
    assert_eq!(inv["resource_pools"], serde_json::json!(["DC0_H0/Resources", "DC0_H1/Resources", "DC0_H2/Resources"]));
    assert_eq!(inv["datastores"], serde_json::json!(["LocalDS_0"]));
    let networks: Vec<&str> = inv["networks"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(networks.contains(&"VM Network") && networks.contains(&"DC0_DVPG0"), "{inv}");
    let templates: Vec<&str> = sim.info["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(inv["templates"], serde_json::json!(templates));

    assert_eq!(k.run(&["region", "rm", "dc1"]).status.code(), Some(0));
    assert_eq!(k.json(&["region", "list"]), serde_json::json!([]));
    let audit = text(&k.run(&["audit", "list"]).stdout);
    assert!(audit.contains("region.add") && audit.contains("region.rm"), "{audit}");
}
