//! The opt-in `cloudwatch` collector (CloudWatch `AWS/DX` through GetMetricData) through the real SDK against the simulator over loopback: families and labels, optics, traffic, throttling, batching.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::*;
use directconnect_exporter::simulator::{PUBLICATION_DELAY_SECONDS, Scenario};
use serde_json::json;

const P: &str = "aws_directconnect_";

/// One account, one region, the core collectors and `cloudwatch`, on short intervals.
const WITH_CLOUDWATCH: &str = "interval: 500ms\ntimeout: 2s\ncloudwatch_interval: 500ms\n\
collectors: [virtual_interfaces, connections, lags, gateways, cloudwatch]\n\
targets:\n  - regions: [us-east-1]\n";

async fn scrape_until(
    app: &directconnect_exporter::app::App,
    what: &str,
    check: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    eventually(Duration::from_secs(30), what, || async {
        let samples = parse(&scrape(app).await);
        check(&samples).then_some(samples)
    })
    .await
}

fn collected(s: &[Sample]) -> bool {
    !select(s, &format!("{P}cloudwatch_sample_age_seconds"), &[]).is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_exports_the_spec_families_with_exactly_their_labels() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_CLOUDWATCH, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until(&app, "cloudwatch collected", collected).await;
    let common = ["aws_account_id", "aws_region"];
    for (family, extra) in [
        (
            "connection_light_level_tx_dbm",
            &["connection_id", "optical_lane"][..],
        ),
        (
            "connection_light_level_rx_dbm",
            &["connection_id", "optical_lane"],
        ),
        ("connection_egress_bytes_per_second", &["connection_id"]),
        ("connection_ingress_bytes_per_second", &["connection_id"]),
        ("connection_egress_packets_per_second", &["connection_id"]),
        ("connection_ingress_packets_per_second", &["connection_id"]),
        ("connection_errors", &["connection_id"]),
        (
            "virtual_interface_egress_bytes_per_second",
            &["virtual_interface_id"],
        ),
        (
            "virtual_interface_ingress_bytes_per_second",
            &["virtual_interface_id"],
        ),
        (
            "virtual_interface_egress_packets_per_second",
            &["virtual_interface_id"],
        ),
        (
            "virtual_interface_ingress_packets_per_second",
            &["virtual_interface_id"],
        ),
        (
            "virtual_interface_bgp_status_min",
            &["virtual_interface_id", "address_family"],
        ),
        (
            "virtual_interface_bgp_prefixes",
            &["virtual_interface_id", "address_family", "direction"],
        ),
        ("cloudwatch_sample_age_seconds", &[]),
    ] {
        let found = select(&s, &format!("{P}{family}"), &[]);
        assert!(!found.is_empty(), "{family}");
        let mut want: Vec<&str> = common.iter().chain(extra).copied().collect();
        want.sort();
        for sample in found {
            let labels: Vec<&str> = sample.labels.keys().map(String::as_str).collect();
            assert_eq!(labels, want, "{family}");
        }
    }
    // The fixture's 10G connection has one lane; prod-vpc runs IPv4 and IPv6.
    let lane = |l| [("connection_id", "dxcon-test0001"), ("optical_lane", l)];
    assert!(value(&s, "connection_light_level_rx_dbm", &lane("1")).is_some());
    assert_eq!(value(&s, "connection_light_level_rx_dbm", &lane("2")), None);
    let prefixes = |af, dir| {
        value(
            &s,
            "virtual_interface_bgp_prefixes",
            &[
                ("virtual_interface_id", "dxvif-test0001"),
                ("address_family", af),
                ("direction", dir),
            ],
        )
    };
    assert_eq!(prefixes("ipv4", "accepted"), Some(250.0));
    assert_eq!(prefixes("ipv6", "advertised"), Some(3.0));
    let status = [
        ("virtual_interface_id", "dxvif-test0001"),
        ("address_family", "ipv6"),
    ];
    assert_eq!(
        value(&s, "virtual_interface_bgp_status_min", &status),
        Some(1.0)
    );
    // Bytes, not bits: bits ÷ 8 and packets of 700 bytes in the simulator.
    let vif = [("virtual_interface_id", "dxvif-test0001")];
    let bytes = value(&s, "virtual_interface_egress_bytes_per_second", &vif).unwrap();
    let packets = value(&s, "virtual_interface_egress_packets_per_second", &vif).unwrap();
    assert!(
        bytes > 0.0 && (bytes / packets - 700.0).abs() < 1.0,
        "{bytes} {packets}"
    );
    // The newest datapoint is at least a period plus the publication delay old.
    let age = value(
        &s,
        "cloudwatch_sample_age_seconds",
        &[("aws_region", "us-east-1")],
    )
    .unwrap();
    assert!(
        age >= (60 + PUBLICATION_DELAY_SECONDS) as f64 && age < 1200.0,
        "{age}"
    );
    let calls = value(
        &s,
        "api_requests_total",
        &[("operation", "GetMetricData"), ("result", "success")],
    );
    assert!(calls.unwrap_or(0.0) >= 1.0, "{calls:?}");
    assert_eq!(
        value(&s, "collector_success", &[("collector", "cloudwatch")]),
        Some(1.0)
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_degraded_optic_shows_and_a_down_vif_has_no_traffic() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_CLOUDWATCH, &[]).await;
    wait_ready(&app).await;
    let vif = [("virtual_interface_id", "dxvif-test0002")];
    let s = scrape_until(&app, "traffic on the public VIF", |s| {
        value(s, "virtual_interface_ingress_bytes_per_second", &vif).unwrap_or(0.0) > 0.0
    })
    .await;
    let rx = [("connection_id", "dxcon-test0001"), ("optical_lane", "1")];
    let healthy = value(&s, "connection_light_level_rx_dbm", &rx).unwrap();
    assert!(healthy > -8.0, "{healthy}");
    control_ok(
        &sim,
        "/_sim/optics",
        json!({"connection_id": "dxcon-test0001", "rx_dbm": -17.0}),
    )
    .await;
    control_ok(
        &sim,
        "/_sim/virtual-interface",
        json!({"virtual_interface_id": "dxvif-test0002", "state": "down"}),
    )
    .await;
    let s = scrape_until(&app, "low light and no traffic", |s| {
        value(s, "connection_light_level_rx_dbm", &rx).unwrap_or(0.0) < -16.5
            && value(s, "virtual_interface_ingress_bytes_per_second", &vif) == Some(0.0)
    })
    .await;
    assert_eq!(
        value(&s, "virtual_interface_egress_bytes_per_second", &vif),
        Some(0.0)
    );
    let errors = value(
        &s,
        "connection_errors",
        &[("connection_id", "dxcon-test0001")],
    );
    assert!(
        errors.unwrap_or(0.0) > 0.0,
        "low light brings errors: {errors:?}"
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_get_metric_data_fails_the_cloudwatch_collector_alone() {
    let sim = start_simulator(fleet()).await;
    inject_fault(
        &sim,
        json!({"kind": "throttle", "operation": "GetMetricData"}),
    )
    .await;
    let app = start_exporter(&sim, WITH_CLOUDWATCH, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until_it_fails_alone(&app, "cloudwatch").await;
    assert!(!collected(&s));
    let throttled = value(
        &s,
        "api_requests_total",
        &[("operation", "GetMetricData"), ("result", "throttled")],
    );
    assert!(throttled.unwrap_or(0.0) >= 1.0, "{throttled:?}");
    app.stop().await;
    sim.shutdown().await;
}

/// One account and region with `conns` 10G connections and `vifs` dual-stack VIFs spread
/// over them: 7 series per connection, 10 per VIF.
fn big_fleet(conns: usize, vifs: usize) -> String {
    let mut y = String::from(
        "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        connections:\n",
    );
    for c in 0..conns {
        let _ = writeln!(
            y,
            "          - {{id: dxcon-big{c:05}, location: EqDC2, bandwidth: 10Gbps}}"
        );
    }
    y.push_str("        virtual_interfaces:\n");
    for v in 0..vifs {
        let _ = writeln!(
            y,
            "          - {{id: dxvif-big{v:05}, connection: dxcon-big{:05}, vlan: {}, peers: [{{family: ipv4}}, {{family: ipv6}}]}}",
            v % conns,
            100 + v
        );
    }
    y
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_500_series_are_asked_in_batches_and_all_come_back() {
    // 10 × 7 + 60 × 10 = 670 series: two batches (the simulator refuses more than 500
    // queries in one call), each answered in pages of 100.
    let scenario = Scenario::from_yaml(&big_fleet(10, 60), "big").unwrap();
    let sim = start_simulator(scenario).await;
    let config = "interval: 1s\ntimeout: 2s\ncloudwatch_interval: 1s\n\
        collectors: [virtual_interfaces, connections, cloudwatch]\n\
        targets:\n  - regions: [us-east-1]\n";
    let app = start_exporter(&sim, config, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until(&app, "cloudwatch collected", collected).await;
    assert_eq!(
        value(&s, "collector_success", &[("collector", "cloudwatch")]),
        Some(1.0)
    );
    let cloudwatch_series = s
        .iter()
        .filter(|x| {
            x.name.ends_with("_dbm")
                || x.name.ends_with("gress_bytes_per_second")
                || x.name.ends_with("gress_packets_per_second")
                || x.name.ends_with("connection_errors")
                || x.name.contains("_bgp_status_min")
                || x.name.contains("_bgp_prefixes")
        })
        .count();
    assert_eq!(cloudwatch_series, 670);
    let requests = control_call(&sim, reqwest::Method::GET, "/_sim/requests", None)
        .await
        .1;
    let calls = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operation"] == "GetMetricData")
        .map(|r| (r["status"].as_u64(), r["error_code"].clone()))
        .collect::<Vec<_>>();
    assert!(
        calls
            .iter()
            .all(|c| *c == (Some(200), serde_json::Value::Null)),
        "{calls:?}"
    );
    // One cycle is 5 + 2 pages (500 then 170 queries).
    assert!(calls.len() >= 7, "{}", calls.len());
    app.stop().await;
    sim.shutdown().await;
}
