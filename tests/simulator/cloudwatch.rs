//! CloudWatch GetMetricData over Smithy RPC v2 CBOR, through the real aws-sdk-cloudwatch: `AWS/DX` series derived from the demo fleet, dimensions, pagination, errors.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch as cw;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use serde_json::json;

use super::*;
use crate::common::*;

/// A `MetricStat` query of `AWS/DX` `metric` with `dims`, 5-minute periods.
fn query(id: &str, metric: &str, dims: &[(&str, &str)], stat: &str) -> MetricDataQuery {
    let mut m = Metric::builder().namespace("AWS/DX").metric_name(metric);
    for (name, value) in dims {
        m = m.dimensions(Dimension::builder().name(*name).value(*value).build());
    }
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(m.build())
                .period(300)
                .stat(stat)
                .build(),
        )
        .build()
}

/// The demo fleet and a CloudWatch client as its first account in us-east-1.
async fn demo_cloudwatch() -> (SimulatorHandle, cw::Client) {
    let h = common::start_simulator(Scenario::demo()).await;
    let c = common::sim_sdk(&h).cloudwatch().await;
    (h, c)
}

/// The last half hour.
fn window() -> (DateTime, DateTime) {
    let now = SystemTime::now();
    (
        DateTime::from(now - Duration::from_secs(1800)),
        DateTime::from(now),
    )
}

async fn get(
    c: &cw::Client,
    queries: Vec<MetricDataQuery>,
) -> cw::operation::get_metric_data::GetMetricDataOutput {
    let (start, end) = window();
    bounded(
        c.get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(start)
            .end_time(end)
            .send(),
    )
    .await
    .expect("GetMetricData")
}

#[tokio::test]
async fn the_sdk_reads_demo_series_with_timestamps_over_cbor() {
    let (_h, c) = demo_cloudwatch().await;
    let vif = [
        ("ConnectionId", NYC_PRIMARY),
        ("VirtualInterfaceId", TRANSIT_A),
    ];
    let bgp = [
        ("ConnectionId", NYC_PRIMARY),
        ("IpAddressFamily", "IPv4"),
        ("VirtualInterfaceId", TRANSIT_A),
    ];
    let lane = [("ConnectionId", NYC_PRIMARY), ("OpticalLaneNumber", "1")];
    let out = get(
        &c,
        vec![
            query("bps", "VirtualInterfaceBpsEgress", &vif, "Average"),
            query("status", "VirtualInterfaceBgpStatus", &bgp, "Minimum"),
            query(
                "accepted",
                "VirtualInterfaceBgpPrefixesAccepted",
                &bgp,
                "Average",
            ),
            query("rx", "ConnectionLightLevelRx", &lane, "Average"),
            query(
                "encryption",
                "ConnectionEncryptionState",
                &[("ConnectionId", NYC_PRIMARY)],
                "Minimum",
            ),
        ],
    )
    .await;
    let results = out.metric_data_results();
    assert_eq!(results.len(), 5);
    let now = DateTime::from(SystemTime::now()).secs();
    for r in results {
        assert!(!r.values().is_empty(), "{r:?}");
        assert_eq!(r.timestamps().len(), r.values().len());
        let newest = r.timestamps()[0].secs();
        assert!(
            newest % 300 == 0 && newest < now - 300 && newest > now - 1800,
            "{r:?}"
        );
    }
    let value = |id: &str| {
        results
            .iter()
            .find(|r| r.id() == Some(id))
            .map(|r| r.values()[0])
            .unwrap()
    };
    assert!(value("bps") > 0.0);
    assert_eq!(value("accepted"), 152.0);
    assert!((-6.0..-3.0).contains(&value("rx")), "{}", value("rx"));
    assert_eq!(
        value("encryption"),
        1.0,
        "nyc-primary runs MACsec, encryption up"
    );
}

#[tokio::test]
async fn a_degraded_optic_and_a_down_vif_show_in_the_next_datapoints() {
    let (h, c) = demo_cloudwatch().await;
    control_ok(
        &h,
        "/_sim/optics",
        json!({"connection_id": NYC_PRIMARY, "rx_dbm": -16.2}),
    )
    .await;
    control_ok(
        &h,
        "/_sim/virtual-interface",
        json!({"virtual_interface_id": TRANSIT_A, "state": "down"}),
    )
    .await;
    let lane = [("ConnectionId", NYC_PRIMARY), ("OpticalLaneNumber", "1")];
    let vif = [
        ("ConnectionId", NYC_PRIMARY),
        ("VirtualInterfaceId", TRANSIT_A),
    ];
    let out = get(
        &c,
        vec![
            query("rx", "ConnectionLightLevelRx", &lane, "Average"),
            query(
                "errors",
                "ConnectionErrorCount",
                &[("ConnectionId", NYC_PRIMARY)],
                "Sum",
            ),
            query("bps", "VirtualInterfaceBpsIngress", &vif, "Average"),
        ],
    )
    .await;
    let newest = |i: usize| out.metric_data_results()[i].values()[0];
    assert!(newest(0) < -16.0, "{}", newest(0));
    assert!(newest(1) > 0.0, "low light brings errors");
    assert_eq!(newest(2), 0.0, "a down VIF carries no traffic");
}

#[tokio::test]
async fn wrong_dimensions_find_no_data_as_in_cloudwatch() {
    let (_h, c) = demo_cloudwatch().await;
    let out = get(
        &c,
        vec![query(
            "nodims",
            "VirtualInterfaceBpsEgress",
            &[("VirtualInterfaceId", TRANSIT_A)],
            "Average",
        )],
    )
    .await;
    assert!(out.metric_data_results()[0].values().is_empty());
}

#[tokio::test]
async fn more_results_than_a_page_come_back_through_next_token() {
    let (_h, c) = demo_cloudwatch().await;
    let queries: Vec<MetricDataQuery> = (0..250)
        .map(|i| {
            query(
                &format!("q{i}"),
                "ConnectionState",
                &[("ConnectionId", NYC_PRIMARY)],
                "Minimum",
            )
        })
        .collect();
    let (start, end) = window();
    let pages: Vec<_> = bounded(
        c.get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(start)
            .end_time(end)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await
    .expect("pages");
    let results: usize = pages.iter().map(|p| p.metric_data_results().len()).sum();
    assert_eq!((pages.len(), results), (3, 250));
}

#[tokio::test]
async fn throttling_reaches_the_sdk_as_the_query_code_and_bad_input_as_invalid_parameter() {
    let (h, c) = demo_cloudwatch().await;
    inject_fault(
        &h,
        json!({"kind": "throttle", "operation": "GetMetricData", "count": 1}),
    )
    .await;
    let (start, end) = window();
    let lane = [("ConnectionId", NYC_PRIMARY), ("OpticalLaneNumber", "1")];
    let err = bounded(
        c.get_metric_data()
            .metric_data_queries(query("rx", "ConnectionLightLevelRx", &lane, "Average"))
            .start_time(start)
            .end_time(end)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), Some("Throttling"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
    let err = bounded(
        c.get_metric_data()
            .metric_data_queries(query("rx", "ConnectionLightLevelRx", &lane, "p99"))
            .start_time(start)
            .end_time(end)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), Some("InvalidParameterValue"));
}
