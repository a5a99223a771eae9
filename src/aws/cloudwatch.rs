//! The cloudwatch collector: the `AWS/DX` series of the inventory's connections and VIFs, fetched with batched, paginated GetMetricData, the newest datapoint of each kept.
//!
//! One query per series, built from the published inventory (no ListMetrics): every
//! `available` or `down` connection gets its light levels per optical lane (4 lanes at
//! 100G and above, else 1), traffic both ways in bits and packets, errors, and MACsec
//! encryption state when it is MACsec capable; every `available`, `down` or `testing` VIF
//! gets its traffic, and per address family of its peers the BGP status and prefixes. The
//! dimension sets are exactly those AWS publishes (CloudWatch finds nothing for any
//! other): connection metrics `ConnectionId` (light levels add `OpticalLaneNumber`), VIF
//! metrics `ConnectionId` + `VirtualInterfaceId` (BGP metrics add `IpAddressFamily`,
//! `IPv4`/`IPv6`); the simulator's `state/cloudwatch/mod.rs` lists them with their sources.
//!
//! Each call carries at most [`MAX_QUERIES`] queries and follows `NextToken`. The period
//! is the collector's interval rounded up to whole minutes (so consecutive cycles cover
//! all the time between them, and the BGP status Minimum misses no flap), and the window
//! reaches [`LOOKBACK`] further back than one period, because `AWS/DX` datapoints are
//! published minutes after their period ends.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use super::{CallError, Session};
use crate::model::{CloudwatchData, Connection, DxDatapoint, DxFigure, DxSeries, VirtualInterface};

/// The CloudWatch operation this collector calls.
pub const OPERATION: &str = "GetMetricData";
/// Queries one GetMetricData call may carry (the API's limit).
pub const MAX_QUERIES: usize = 500;
/// How much further back than one period the window reaches, for publication delay.
pub const LOOKBACK: Duration = Duration::from_secs(15 * 60);
/// Shortest and longest period asked for.
const MIN_PERIOD: Duration = Duration::from_secs(60);
const MAX_PERIOD: Duration = Duration::from_secs(3600);
/// Upper bound on the pages of one batch: a loop guard.
const MAX_PAGES: usize = 100;
/// The namespace of Direct Connect metrics.
const NAMESPACE: &str = "AWS/DX";
/// Connection states that have CloudWatch data worth asking for.
const CONNECTION_STATES: [&str; 2] = ["available", "down"];
/// VIF states that have CloudWatch data worth asking for.
const VIF_STATES: [&str; 3] = ["available", "down", "testing"];
/// Address families as the `IpAddressFamily` dimension spells them.
const FAMILIES: [(&str, &str); 2] = [("ipv4", "IPv4"), ("ipv6", "IPv6")];

/// Where a figure comes from: the CloudWatch metric, the statistic, and what the value is
/// divided by (8 for bits per second → bytes).
pub fn source(figure: DxFigure) -> (&'static str, &'static str, f64) {
    use DxFigure::*;
    match figure {
        LightLevelTx => ("ConnectionLightLevelTx", "Average", 1.0),
        LightLevelRx => ("ConnectionLightLevelRx", "Average", 1.0),
        ConnectionEgressBytes => ("ConnectionBpsEgress", "Average", 8.0),
        ConnectionIngressBytes => ("ConnectionBpsIngress", "Average", 8.0),
        ConnectionEgressPackets => ("ConnectionPpsEgress", "Average", 1.0),
        ConnectionIngressPackets => ("ConnectionPpsIngress", "Average", 1.0),
        ConnectionErrors => ("ConnectionErrorCount", "Sum", 1.0),
        ConnectionEncryptionUp => ("ConnectionEncryptionState", "Minimum", 1.0),
        VifEgressBytes => ("VirtualInterfaceBpsEgress", "Average", 8.0),
        VifIngressBytes => ("VirtualInterfaceBpsIngress", "Average", 8.0),
        VifEgressPackets => ("VirtualInterfacePpsEgress", "Average", 1.0),
        VifIngressPackets => ("VirtualInterfacePpsIngress", "Average", 1.0),
        VifBgpStatusMin => ("VirtualInterfaceBgpStatus", "Minimum", 1.0),
        VifPrefixesAccepted => ("VirtualInterfaceBgpPrefixesAccepted", "Maximum", 1.0),
        VifPrefixesAdvertised => ("VirtualInterfaceBgpPrefixesAdvertised", "Maximum", 1.0),
    }
}

/// The period asked for at collector interval `interval`: whole minutes, 1 to 60.
pub fn period(interval: Duration) -> Duration {
    let minutes = interval.as_secs().div_ceil(60).max(1);
    Duration::from_secs(minutes * 60).clamp(MIN_PERIOD, MAX_PERIOD)
}

/// One planned query: the series it fetches and its CloudWatch dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// What the answer is.
    pub series: DxSeries,
    /// `(Name, Value)` dimensions, exactly AWS's set for the metric.
    pub dimensions: Vec<(&'static str, String)>,
}

/// Optical lanes of a port at `bandwidth` (`100Gbps` → 4, `10Gbps` → 1).
fn lanes(bandwidth: &str) -> u8 {
    let gbps = bandwidth
        .trim()
        .strip_suffix("Gbps")
        .and_then(|n| n.trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    if gbps >= 100.0 { 4 } else { 1 }
}

/// Every series of `conns` and `vifs` worth a query, in a stable order.
pub fn plan(conns: &[Connection], vifs: &[VirtualInterface]) -> Vec<Planned> {
    use DxFigure::*;
    let mut out = Vec::new();
    let mut add = |figure, id: &str, lane: Option<u8>, family, dimensions| {
        out.push(Planned {
            series: DxSeries {
                figure,
                resource_id: id.to_owned(),
                optical_lane: lane,
                address_family: family,
            },
            dimensions,
        })
    };
    for c in conns
        .iter()
        .filter(|c| CONNECTION_STATES.contains(&c.state.as_str()))
    {
        let conn = || vec![("ConnectionId", c.id.clone())];
        for lane in 1..=lanes(&c.bandwidth) {
            for figure in [LightLevelTx, LightLevelRx] {
                let mut dims = conn();
                dims.push(("OpticalLaneNumber", lane.to_string()));
                add(figure, &c.id, Some(lane), None, dims);
            }
        }
        for figure in [
            ConnectionEgressBytes,
            ConnectionIngressBytes,
            ConnectionEgressPackets,
            ConnectionIngressPackets,
            ConnectionErrors,
        ] {
            add(figure, &c.id, None, None, conn());
        }
        if c.mac_sec_capable == Some(true) {
            add(ConnectionEncryptionUp, &c.id, None, None, conn());
        }
    }
    for v in vifs
        .iter()
        .filter(|v| VIF_STATES.contains(&v.state.as_str()))
    {
        let vif = || {
            vec![
                ("ConnectionId", v.connection_id.clone()),
                ("VirtualInterfaceId", v.id.clone()),
            ]
        };
        for figure in [
            VifEgressBytes,
            VifIngressBytes,
            VifEgressPackets,
            VifIngressPackets,
        ] {
            add(figure, &v.id, None, None, vif());
        }
        for (family, dimension) in FAMILIES {
            if !v.bgp_peers.iter().any(|p| p.address_family == family) {
                continue;
            }
            for figure in [VifBgpStatusMin, VifPrefixesAccepted, VifPrefixesAdvertised] {
                let mut dims = vif();
                dims.insert(1, ("IpAddressFamily", dimension.to_owned()));
                add(figure, &v.id, None, Some(family), dims);
            }
        }
    }
    out
}

/// The SDK query of planned series number `n`.
fn query(n: usize, planned: &Planned, period: Duration) -> MetricDataQuery {
    let (metric, stat, _) = source(planned.series.figure);
    let dimensions = planned
        .dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(*name).value(value).build())
        .collect();
    MetricDataQuery::builder()
        .id(format!("q{n}"))
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(NAMESPACE)
                        .metric_name(metric)
                        .set_dimensions(Some(dimensions))
                        .build(),
                )
                .period(period.as_secs() as i32)
                .stat(stat)
                .build(),
        )
        .return_data(true)
        .build()
}

/// One cycle: every series of the inventory's `conns` and `vifs`, in batches of
/// [`MAX_QUERIES`], the newest datapoint of each. A failed call fails the cycle.
pub async fn collect_cloudwatch(
    session: &Session,
    (conns, vifs): (&[Connection], &[VirtualInterface]),
    interval: Duration,
    deadline: Instant,
) -> Result<CloudwatchData, CallError> {
    let planned = plan(conns, vifs);
    let period = period(interval);
    let asked_at = SystemTime::now();
    let end = DateTime::from(asked_at);
    let start = DateTime::from(asked_at - period - LOOKBACK);
    let mut newest: HashMap<usize, (SystemTime, f64)> = HashMap::new();
    for (b, batch) in planned.chunks(MAX_QUERIES).enumerate() {
        let first = b * MAX_QUERIES;
        let queries: Vec<MetricDataQuery> = batch
            .iter()
            .enumerate()
            .map(|(i, p)| query(first + i, p, period))
            .collect();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(CallError::Pagination {
                    operation: OPERATION,
                    reason: "more pages than the loop guard allows",
                });
            }
            let out = session
                .call(OPERATION, deadline, || {
                    session
                        .cloudwatch()
                        .get_metric_data()
                        .set_metric_data_queries(Some(queries.clone()))
                        .start_time(start)
                        .end_time(end)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            for r in out.metric_data_results() {
                let Some(n) = r
                    .id()
                    .and_then(|id| id.strip_prefix('q')?.parse::<usize>().ok())
                else {
                    continue;
                };
                let points = r.timestamps().iter().zip(r.values());
                for (ts, value) in points {
                    let Ok(ts) = SystemTime::try_from(*ts) else {
                        continue;
                    };
                    let slot = newest.entry(n).or_insert((ts, *value));
                    if ts > slot.0 {
                        *slot = (ts, *value);
                    }
                }
            }
            match out.next_token().filter(|t| !t.is_empty()) {
                None => break,
                Some(next) if Some(next) == token.as_deref() => {
                    return Err(CallError::Pagination {
                        operation: OPERATION,
                        reason: "the same NextToken came back twice",
                    });
                }
                Some(next) => token = Some(next.to_owned()),
            }
        }
    }
    let datapoints = planned
        .iter()
        .enumerate()
        .filter_map(|(n, p)| {
            let (timestamp, value) = *newest.get(&n)?;
            let (_, _, divisor) = source(p.series.figure);
            Some(DxDatapoint {
                series: p.series.clone(),
                value: value / divisor,
                timestamp,
            })
        })
        .collect();
    Ok(CloudwatchData {
        datapoints,
        queries: planned.len(),
        asked_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(id: &str, bandwidth: &str, state: &str, macsec: bool) -> Connection {
        Connection {
            id: id.into(),
            bandwidth: bandwidth.into(),
            state: state.into(),
            mac_sec_capable: Some(macsec),
            ..Connection::default()
        }
    }

    fn vif(id: &str, state: &str, families: &[&str]) -> VirtualInterface {
        VirtualInterface {
            connection_id: "dxlag-1".into(),
            state: state.into(),
            ..VirtualInterface::with_peers(id, families)
        }
    }

    #[test]
    fn a_100g_port_has_four_lanes_and_macsec_adds_the_encryption_state() {
        let p = plan(&[conn("dxcon-1", "100Gbps", "available", true)], &[]);
        // 4 lanes × Tx/Rx, 4 traffic figures, errors, encryption.
        assert_eq!(p.len(), 8 + 4 + 1 + 1);
        let lane4 = p.iter().find(|q| q.series.optical_lane == Some(4)).unwrap();
        assert_eq!(
            lane4.dimensions,
            [
                ("ConnectionId", "dxcon-1".to_owned()),
                ("OpticalLaneNumber", "4".to_owned())
            ]
        );
        assert_eq!(
            plan(&[conn("dxcon-2", "10Gbps", "available", false)], &[]).len(),
            7
        );
        assert_eq!(lanes("400Gbps"), 4);
        assert_eq!(lanes("500Mbps"), 1);
    }

    #[test]
    fn vif_queries_carry_their_connection_and_one_set_per_peer_family() {
        let p = plan(&[], &[vif("dxvif-1", "available", &["ipv4", "ipv6"])]);
        assert_eq!(p.len(), 4 + 3 + 3);
        let bgp = p
            .iter()
            .find(|q| q.series.figure == DxFigure::VifBgpStatusMin)
            .unwrap();
        assert_eq!(
            bgp.dimensions,
            [
                ("ConnectionId", "dxlag-1".to_owned()),
                ("IpAddressFamily", "IPv4".to_owned()),
                ("VirtualInterfaceId", "dxvif-1".to_owned())
            ]
        );
        assert_eq!(bgp.series.address_family, Some("ipv4"));
    }

    #[test]
    fn resources_without_data_are_not_asked_for() {
        let p = plan(
            &[conn("dxcon-1", "10Gbps", "ordering", false)],
            &[
                vif("dxvif-1", "deleted", &["ipv4"]),
                vif("dxvif-2", "confirming", &["ipv4"]),
            ],
        );
        assert!(p.is_empty());
    }

    #[test]
    fn the_period_is_the_interval_in_whole_minutes() {
        assert_eq!(period(Duration::from_secs(15)), Duration::from_secs(60));
        assert_eq!(period(Duration::from_secs(300)), Duration::from_secs(300));
        assert_eq!(period(Duration::from_secs(301)), Duration::from_secs(360));
        assert_eq!(
            period(Duration::from_secs(86_400)),
            Duration::from_secs(3600)
        );
    }

    #[test]
    fn bits_become_bytes_and_statistics_match_the_figure() {
        assert_eq!(source(DxFigure::ConnectionEgressBytes).2, 8.0);
        assert_eq!(source(DxFigure::VifIngressBytes).2, 8.0);
        assert_eq!(source(DxFigure::ConnectionErrors).1, "Sum");
        assert_eq!(source(DxFigure::VifBgpStatusMin).1, "Minimum");
        assert_eq!(source(DxFigure::LightLevelRx).0, "ConnectionLightLevelRx");
    }
}
