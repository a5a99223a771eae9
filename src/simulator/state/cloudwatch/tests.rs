//! Unit tests of the simulated CloudWatch: the series each query finds, and GetMetricData's periods, pages and errors.

use serde_json::{Value, json};

use super::PUBLICATION_DELAY_SECONDS;
use crate::simulator::protocol::Caller;
use crate::simulator::protocol::cbor::{epoch_seconds, timestamp};
use crate::simulator::scenario::Scenario;
use crate::simulator::state::State;

const YAML: &str = "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        connections:\n          - {id: dxcon-a, bandwidth: 10Gbps, location: EqDC2}\n          - {id: dxcon-h, bandwidth: 100Gbps, location: EqDC2, optics: {rx_dbm: -11.5}}\n        virtual_interfaces:\n          - {id: dxvif-up, connection: dxcon-a, vlan: 1, traffic_bps: 8.0e8, peers: [{family: ipv4}, {family: ipv6}], routes: {ipv4: {accepted: 12, advertised: 3}}}\n          - {id: dxvif-down, connection: dxcon-a, vlan: 2, state: down, peers: [{family: ipv4, status: down}]}\n";

fn state() -> State {
    State::new(Scenario::from_yaml(YAML, "test").unwrap(), 10)
}

fn caller() -> Caller {
    Caller {
        access_key_id: String::new(),
        account: "111111111111".into(),
        region: "us-east-1".into(),
    }
}

fn query(id: &str, metric: &str, dims: &[(&str, &str)], stat: &str) -> Value {
    let dims: Vec<Value> = dims
        .iter()
        .map(|(n, v)| json!({"Name": n, "Value": v}))
        .collect();
    json!({"Id": id, "MetricStat": {"Metric": {"Namespace": "AWS/DX", "MetricName": metric, "Dimensions": dims}, "Period": 300, "Stat": stat}})
}

fn ask(s: &mut State, queries: Vec<Value>) -> Value {
    let now = s.clock.now_epoch_seconds();
    let input = json!({"MetricDataQueries": queries, "StartTime": timestamp(now - 1800.0), "EndTime": timestamp(now)});
    s.get_metric_data(&caller(), &input).unwrap()
}

fn newest(out: &Value, id: &str) -> Option<f64> {
    out["MetricDataResults"]
        .as_array()?
        .iter()
        .find(|r| r["Id"] == id)?["Values"][0]
        .as_f64()
}

#[test]
fn a_vif_carries_its_traffic_while_up_and_none_while_down() {
    let mut s = state();
    let out = ask(
        &mut s,
        vec![
            query(
                "up",
                "VirtualInterfaceBpsEgress",
                &[
                    ("ConnectionId", "dxcon-a"),
                    ("VirtualInterfaceId", "dxvif-up"),
                ],
                "Average",
            ),
            query(
                "down",
                "VirtualInterfaceBpsEgress",
                &[
                    ("ConnectionId", "dxcon-a"),
                    ("VirtualInterfaceId", "dxvif-down"),
                ],
                "Average",
            ),
            query(
                "conn",
                "ConnectionBpsEgress",
                &[("ConnectionId", "dxcon-a")],
                "Average",
            ),
        ],
    );
    let up = newest(&out, "up").unwrap();
    assert!((6.8e8..=9.2e8).contains(&up), "{up}");
    assert_eq!(newest(&out, "down"), Some(0.0));
    assert_eq!(
        newest(&out, "conn"),
        Some(up),
        "the connection sums its VIFs"
    );
}

#[test]
fn only_the_exact_dimension_set_finds_data() {
    let mut s = state();
    let out = ask(
        &mut s,
        vec![
            query(
                "novif",
                "VirtualInterfaceBpsEgress",
                &[("VirtualInterfaceId", "dxvif-up")],
                "Average",
            ),
            query(
                "lane5",
                "ConnectionLightLevelRx",
                &[("ConnectionId", "dxcon-h"), ("OpticalLaneNumber", "5")],
                "Average",
            ),
            query(
                "other",
                "VirtualInterfaceBgpStatus",
                &[
                    ("ConnectionId", "dxcon-h"),
                    ("IpAddressFamily", "IPv4"),
                    ("VirtualInterfaceId", "dxvif-up"),
                ],
                "Minimum",
            ),
        ],
    );
    for r in out["MetricDataResults"].as_array().unwrap() {
        assert_eq!(r["Values"], json!([]), "{r}");
        assert_eq!(r["StatusCode"], "Complete");
    }
}

#[test]
fn light_levels_are_per_lane_and_low_light_raises_errors() {
    let mut s = state();
    let lane = |n: &'static str| {
        query(
            &format!("rx{n}"),
            "ConnectionLightLevelRx",
            &[("ConnectionId", "dxcon-h"), ("OpticalLaneNumber", n)],
            "Average",
        )
    };
    let out = ask(
        &mut s,
        vec![
            lane("1"),
            lane("4"),
            query(
                "err",
                "ConnectionErrorCount",
                &[("ConnectionId", "dxcon-h")],
                "Sum",
            ),
            query(
                "ok",
                "ConnectionErrorCount",
                &[("ConnectionId", "dxcon-a")],
                "Sum",
            ),
        ],
    );
    let (l1, l4) = (newest(&out, "rx1").unwrap(), newest(&out, "rx4").unwrap());
    assert!(l1 < -11.0 && l4 > l1, "{l1} {l4}");
    assert!(newest(&out, "err").unwrap() > 0.0);
    assert_eq!(newest(&out, "ok"), Some(0.0));
    s.set_optics("dxcon-h", None, Some(-3.0)).unwrap();
    let out = ask(
        &mut s,
        vec![query(
            "err",
            "ConnectionErrorCount",
            &[("ConnectionId", "dxcon-h")],
            "Sum",
        )],
    );
    assert_eq!(newest(&out, "err"), Some(0.0), "healthy optics, no errors");
}

#[test]
fn bgp_metrics_follow_the_peer_of_each_family() {
    let mut s = state();
    let dims = |fam| {
        [
            ("ConnectionId", "dxcon-a"),
            ("IpAddressFamily", fam),
            ("VirtualInterfaceId", "dxvif-up"),
        ]
    };
    let out = ask(
        &mut s,
        vec![
            query("st4", "VirtualInterfaceBgpStatus", &dims("IPv4"), "Minimum"),
            query(
                "acc4",
                "VirtualInterfaceBgpPrefixesAccepted",
                &dims("IPv4"),
                "Average",
            ),
            query(
                "adv4",
                "VirtualInterfaceBgpPrefixesAdvertised",
                &dims("IPv4"),
                "Average",
            ),
        ],
    );
    assert_eq!(newest(&out, "st4"), Some(1.0));
    assert_eq!(newest(&out, "acc4"), Some(12.0));
    assert_eq!(newest(&out, "adv4"), Some(3.0));
    s.set_peer("dxvif-up", Some("ipv4"), None, Some("down"), None)
        .unwrap();
    let out = ask(
        &mut s,
        vec![query(
            "st4",
            "VirtualInterfaceBgpStatus",
            &dims("IPv4"),
            "Minimum",
        )],
    );
    assert_eq!(newest(&out, "st4"), Some(0.0));
}

#[test]
fn datapoints_are_periods_published_after_the_delay_newest_first() {
    let mut s = state();
    let out = ask(
        &mut s,
        vec![query(
            "st",
            "ConnectionState",
            &[("ConnectionId", "dxcon-a")],
            "Minimum",
        )],
    );
    let r = &out["MetricDataResults"][0];
    let ts: Vec<f64> = r["Timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| epoch_seconds(t).unwrap())
        .collect();
    assert!(
        ts.len() >= 4 && ts.windows(2).all(|w| w[0] - w[1] == 300.0),
        "{ts:?}"
    );
    let now = s.clock.now_epoch_seconds();
    assert!(
        ts[0] + 300.0 <= now - PUBLICATION_DELAY_SECONDS as f64,
        "{ts:?} {now}"
    );
    assert!(ts.iter().all(|t| t % 300.0 == 0.0));
}

#[test]
fn pages_hold_at_most_a_hundred_results_and_tokens_resume() {
    let mut s = state();
    let many: Vec<Value> = (0..250)
        .map(|i| {
            query(
                &format!("q{i}"),
                "ConnectionState",
                &[("ConnectionId", "dxcon-a")],
                "Minimum",
            )
        })
        .collect();
    let now = s.clock.now_epoch_seconds();
    let mut input = json!({"MetricDataQueries": many, "StartTime": now - 900.0, "EndTime": now});
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let out = s.get_metric_data(&caller(), &input).unwrap();
        pages += 1;
        for r in out["MetricDataResults"].as_array().unwrap() {
            ids.push(r["Id"].as_str().unwrap().to_owned());
        }
        match out.get("NextToken") {
            Some(t) => input["NextToken"] = t.clone(),
            None => break,
        }
    }
    assert_eq!((pages, ids.len()), (3, 250));
    input["NextToken"] = json!("bogus");
    assert_eq!(
        s.get_metric_data(&caller(), &input).unwrap_err().code,
        "InvalidNextToken"
    );
}

#[test]
fn bad_requests_are_invalid_parameter_values() {
    let mut s = state();
    let now = s.clock.now_epoch_seconds();
    let q = query(
        "a",
        "ConnectionState",
        &[("ConnectionId", "dxcon-a")],
        "Minimum",
    );
    let too_many: Vec<Value> = (0..501)
        .map(|i| query(&format!("q{i}"), "X", &[], "Sum"))
        .collect();
    let mut odd_period = q.clone();
    odd_period["MetricStat"]["Period"] = json!(90);
    let mut p99 = q.clone();
    p99["MetricStat"]["Stat"] = json!("p99");
    for input in [
        json!({"MetricDataQueries": [q.clone()], "EndTime": now}),
        json!({"MetricDataQueries": [q.clone(), q.clone()], "StartTime": now - 600.0, "EndTime": now}),
        json!({"MetricDataQueries": too_many, "StartTime": now - 600.0, "EndTime": now}),
        json!({"MetricDataQueries": [odd_period], "StartTime": now - 600.0, "EndTime": now}),
        json!({"MetricDataQueries": [p99], "StartTime": now - 600.0, "EndTime": now}),
    ] {
        let err = s.get_metric_data(&caller(), &input).unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (400, "InvalidParameterValue"),
            "{input}"
        );
    }
}
