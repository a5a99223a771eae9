//! The built binary before it serves: exit codes and one-line errors for bad flags and
//! config files, YAML size and alias bounds, `--check-config` and `--version`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;

#[test]
fn bad_flags_exit_64_with_one_clear_line() {
    for args in [
        &["--collector.interval", "soon"][..],
        &["--web.listen-address", "nowhere"],
        &["--log.level", "loud"],
        &["--no-such-flag"],
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 64, "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_bad_config_file_names_file_line_and_field_and_exits_64() {
    let path = temp_file(
        "bad.yml",
        "interval: 30s\ntargets:\n  - regions: [us-east-1]\n    role: x\n",
    );
    let (code, _, err) = run(&["--config.file", path.to_str().unwrap()]);
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("bad.yml:4:"), "{err}");
    assert!(err.contains("role"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let (code, _, err) = run(&["--config.file", "/nonexistent/dx.yml"]);
    assert_eq!(code, 64);
    assert!(err.contains("/nonexistent/dx.yml"), "{err}");

    let (code, _, err) = run(&[
        "--web.config.file",
        path.to_str().unwrap(),
        "--aws.region",
        "us-east-1",
    ]);
    assert_eq!(code, 64, "web config with wrong keys: {err}");
}

/// A "billion laughs": ~50 KB of YAML whose aliases expand to 10^30 nodes.
fn alias_bomb(first_key: &str) -> String {
    let mut doc = format!("{first_key}: &a0 [{}]\n", vec!["lol"; 1000].join(", "));
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        doc.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![prev.as_str(); 1000].join(", ")
        ));
    }
    doc
}

/// A config every node of which is valid: 2 500 targets referring to one list of 1 500
/// regions (57 KB; before the bound, 2.7 s and 430 MiB to find the duplicate targets).
fn typed_alias_bomb() -> String {
    let regions = vec!["us-east-1"; 1500].join(", ");
    let copies = vec!["{regions: *rs}"; 2500].join(", ");
    format!("targets: [{{regions: &rs [{regions}]}}, {copies}]\n")
}

#[test]
fn yaml_alias_bombs_are_refused_at_once_with_exit_64() {
    let config = temp_file("bomb.yml", &typed_alias_bomb());
    let scenario = temp_file("bomb-scenario.yaml", &alias_bomb("accounts"));
    let web = temp_file("bomb-web.yml", &alias_bomb("basic_auth_users"));
    for (args, file) in [
        (vec!["--config.file", config.to_str().unwrap()], &config),
        (
            vec!["--demo", "--simulator.scenario", scenario.to_str().unwrap()],
            &scenario,
        ),
        (
            vec![
                "--web.config.file",
                web.to_str().unwrap(),
                "--aws.region",
                "us-east-1",
            ],
            &web,
        ),
    ] {
        let started = std::time::Instant::now();
        let mut all = vec!["--check-config"];
        all.extend(args);
        let (code, _, err) = run(&all);
        assert_eq!(code, 64, "{err}");
        assert!(err.contains(file.to_str().unwrap()), "{err}");
        assert!(err.contains("expands to more than"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    let huge = temp_file("huge.yml", &format!("# {}\n", "x".repeat(2 * 1024 * 1024)));
    let (code, _, err) = run(&["--check-config", "--config.file", huge.to_str().unwrap()]);
    assert_eq!(code, 64, "{err}");
    assert!(
        err.contains("huge.yml") && err.contains("larger than"),
        "{err}"
    );
}

#[test]
fn check_config_prints_the_collection_plan() {
    let path = temp_file(
        "ok.yml",
        "collectors: [virtual_interfaces, gateways]\ntargets:\n  - regions: [us-east-1, eu-west-1]\n  - role_arn: arn:aws:iam::222222222222:role/dx-read\n",
    );
    let (code, out, err) = run(&[
        "--check-config",
        "--config.file",
        path.to_str().unwrap(),
        "--aws.region",
        "ap-south-1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("configuration OK"), "{out}");
    assert!(
        out.contains("role arn:aws:iam::222222222222:role/dx-read in [ap-south-1]"),
        "{out}"
    );
    assert!(out.contains("gateways via us-east-1"), "{out}");
}

#[test]
fn check_config_refuses_a_bcrypt_cost_above_16() {
    let hash = HASH_COST_16.replacen("$16$", "$31$", 1);
    let web = temp_file("web.yml", &format!("basic_auth_users:\n  slow: '{hash}'\n"));
    let (code, _, err) = run(&[
        "--check-config",
        "--web.config.file",
        web.to_str().unwrap(),
        "--aws.region",
        "us-east-1",
    ]);
    assert_eq!(code, 64, "{err}");
    assert!(
        err.contains("web.yml") && err.contains("basic_auth_users.slow"),
        "{err}"
    );
    assert!(
        err.contains("bcrypt cost 31 is above the limit of 16"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn build_info_carries_the_version_and_a_revision() {
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out}");
    assert!(!directconnect_exporter::REVISION.is_empty());
    assert!(
        directconnect_exporter::REVISION == "unknown"
            || directconnect_exporter::REVISION
                .bytes()
                .all(|b| b.is_ascii_hexdigit()),
        "{}",
        directconnect_exporter::REVISION
    );
}
