use std::path::Path;
use std::time::Duration;

use super::*;
use crate::cli::Cli;
use crate::model::CollectorKind;
use clap::Parser;

fn cli(args: &[&str]) -> Cli {
    let mut all = vec!["directconnect-exporter"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).unwrap()
}

fn parse_str(text: &str) -> Result<FileConfig, ConfigError> {
    parse(text, Path::new("dx.yml"))
}

#[test]
fn the_spec_example_parses_into_a_plan() {
    let file = parse_str(
        "interval: 60s\ntimeout: 10s\nmax_staleness: 5m\n\
         collectors: [virtual_interfaces, connections, lags, gateways]\n\
         tag_labels: [Name, env]\n\
         targets:\n  - regions: [us-east-1, eu-west-1]\n\
         \x20 - role_arn: arn:aws:iam::222222222222:role/dx-read\n    external_id: optional-string\n    regions: [us-east-1]\n",
    )
    .unwrap();
    let plan = build_plan(&cli(&[]), Some(&file), None).unwrap();
    assert_eq!(plan.interval, Duration::from_secs(60));
    assert_eq!(plan.max_staleness, Duration::from_secs(300));
    assert_eq!(plan.collectors.len(), 4);
    assert_eq!(plan.tag_labels, vec!["Name", "env"]);
    assert_eq!(plan.targets.len(), 2);
    match &plan.targets[1].credentials {
        Credentials::AssumeRole {
            role_arn,
            external_id,
        } => {
            assert_eq!(role_arn.account_id(), "222222222222");
            assert_eq!(external_id.as_deref(), Some("optional-string"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(plan.describe().contains("gateways via us-east-1"));
}

#[test]
fn unknown_keys_are_errors_with_file_line_and_field() {
    let err = parse_str("interval: 60s\ntargets:\n  - regions: [us-east-1]\n    rolearn: x\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("dx.yml:4:"), "{err}");
    assert!(err.contains("rolearn"), "{err}");
    assert!(!err.contains('\n'), "{err}");
}

#[test]
fn bad_values_name_their_field() {
    for (text, needle) in [
        ("interval: soon\n", "invalid duration"),
        ("collectors: [vifs]\n", "unknown collector"),
        (
            "targets:\n  - role_arn: arn:aws:iam::12:role/x\n",
            "invalid role ARN",
        ),
        ("targets:\n  - regions: [US_EAST]\n", "invalid AWS region"),
    ] {
        let err = parse_str(text).unwrap_err().to_string();
        assert!(err.contains(needle), "{text}: {err}");
        assert!(err.starts_with("dx.yml:"), "{err}");
    }
}

#[test]
fn flags_give_the_default_target_its_regions() {
    let plan = build_plan(&cli(&["--aws.region", "us-east-1,eu-west-1"]), None, None).unwrap();
    assert_eq!(plan.targets.len(), 1);
    assert_eq!(plan.targets[0].credentials, Credentials::Default);
    assert_eq!(plan.targets[0].regions.len(), 2);
}

#[test]
fn a_target_without_any_region_is_an_error() {
    let err = build_plan(&cli(&[]), None, None).unwrap_err().to_string();
    assert!(err.contains("targets[0].regions"), "{err}");
    let plan = build_plan(&cli(&[]), None, Some("eu-west-1".into())).unwrap();
    assert_eq!(plan.targets[0].regions[0].as_str(), "eu-west-1");
}

#[test]
fn config_interval_overrides_the_flag() {
    let file = parse_str("interval: 5s\n").unwrap();
    let plan = build_plan(
        &cli(&["--collector.interval", "2m", "--aws.region", "us-east-1"]),
        Some(&file),
        None,
    )
    .unwrap();
    assert_eq!(plan.interval, Duration::from_secs(5));
}

#[test]
fn tag_keys_become_safe_label_names() {
    assert_eq!(tag_label_name("Name"), "tag_Name");
    assert_eq!(
        tag_label_name("aws:cloudformation:stack-name"),
        "tag_aws_cloudformation_stack_name"
    );
    let file = parse_str("tag_labels: [a-b, a_b]\n").unwrap();
    let err = build_plan(&cli(&["--aws.region", "us-east-1"]), Some(&file), None).unwrap_err();
    assert!(err.to_string().contains("tag_labels"));
}

#[test]
fn global_collectors_get_one_job_per_target_and_the_others_one_per_region() {
    let file = parse_str(
        "targets:\n  - regions: [us-east-1, eu-west-1]\n\
         \x20 - role_arn: arn:aws:iam::222222222222:role/dx-read\n    regions: [us-west-2]\n",
    )
    .unwrap();
    let plan = build_plan(&cli(&[]), Some(&file), None).unwrap();
    let jobs = plan.jobs();
    // Target 0: 3 regional × 2 regions + gateways once; target 1: 3 + 1.
    assert_eq!(jobs.len(), 7 + 4);
    let gateways: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind == CollectorKind::Gateways)
        .collect();
    assert_eq!(gateways.len(), 2);
    assert_eq!(gateways[0].region.as_str(), "us-east-1");
    assert!(
        plan.describe().contains("(6 collectors)"),
        "{}",
        plan.describe()
    );
}

#[test]
fn opt_in_collectors_run_only_when_listed_each_on_its_own_interval() {
    let plan = build_plan(
        &cli(&["--aws.region", "us-east-1"]),
        Some(&parse_str("routes_interval: 15m\n").unwrap()),
        None,
    )
    .unwrap();
    assert!(
        !plan.collectors.contains(&CollectorKind::Routes),
        "not listed, not run"
    );
    let file = parse_str(
        "interval: 30s\nroutes_interval: 15m\ncollectors: [virtual_interfaces, routes]\n",
    )
    .unwrap();
    let plan = build_plan(&cli(&["--aws.region", "us-east-1"]), Some(&file), None).unwrap();
    assert_eq!(
        plan.interval_of(CollectorKind::Routes),
        Duration::from_secs(900)
    );
    assert_eq!(
        plan.interval_of(CollectorKind::VirtualInterfaces),
        Duration::from_secs(30)
    );
    let text = plan.describe();
    assert!(text.contains("routes_interval: 15m"), "{text}");
    let budget = plan.describe_budget(crate::config::FleetSize::EXAMPLE);
    assert!(budget.contains("routes"), "{budget}");
    assert!(budget.contains("13.3/min"), "200 calls every 15m: {budget}");
    let err = parse_str("routes_interval: 50ms\ncollectors: [routes]\n")
        .and_then(|f| build_plan(&cli(&["--aws.region", "us-east-1"]), Some(&f), None))
        .unwrap_err()
        .to_string();
    assert!(err.contains("routes_interval"), "{err}");
}

#[test]
fn external_id_without_role_is_an_error() {
    let file = parse_str("targets:\n  - external_id: x\n    regions: [us-east-1]\n").unwrap();
    let err = build_plan(&cli(&[]), Some(&file), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("targets[0].external_id"), "{err}");
}
