//! CloudWatch `AWS/DX` as the simulator publishes it: GetMetricData over series derived from the fleet's state at each sample time.
//!
//! The namespace, as AWS documents it (Direct Connect User Guide, "Monitor with Amazon
//! CloudWatch", and the CloudWatch OpenTelemetry enrichment tables, which list each
//! metric's dimension set; read December 2026). A query matches a series only with
//! exactly that dimension set, as in CloudWatch, where any other set finds no data:
//!
//! | metric | dimensions | unit |
//! |---|---|---|
//! | `ConnectionBpsEgress`, `ConnectionBpsIngress` | `ConnectionId` | bits/s |
//! | `ConnectionPpsEgress`, `ConnectionPpsIngress` | `ConnectionId` | packets/s |
//! | `ConnectionErrorCount` | `ConnectionId` | count since the last sample (MAC errors, CRC included) |
//! | `ConnectionEncryptionState` | `ConnectionId` | 1 up, 0 down (MACsec connections only) |
//! | `ConnectionState` | `ConnectionId` | 1 up, 0 down |
//! | `ConnectionLightLevelTx`, `ConnectionLightLevelRx` | `ConnectionId`, `OpticalLaneNumber` | dBm |
//! | `VirtualInterfaceBpsEgress`, `…BpsIngress`, `…PpsEgress`, `…PpsIngress` | `ConnectionId`, `VirtualInterfaceId` | bits/s, packets/s |
//! | `VirtualInterfaceBgpStatus` | `ConnectionId`, `IpAddressFamily`, `VirtualInterfaceId` | 1 up, 0 down |
//! | `VirtualInterfaceBgpPrefixesAccepted`, `…Advertised` | `ConnectionId`, `IpAddressFamily`, `VirtualInterfaceId` | count |
//!
//! `ConnectionId` of a VIF metric is the VIF's connection or LAG id. `OpticalLaneNumber` is
//! `1` below 100G and `1`..`4` at 100G and above. `IpAddressFamily` is `IPv4` or `IPv6`
//! (AWS's user guide does not list the values; the values seen in the wild are these).
//!
//! How the series are derived (AWS sends a sample every 30 s; a datapoint aggregates the
//! samples of its period with the query's statistic):
//! - traffic: a VIF carries its `traffic_bps` (else a share of the port speed taken from
//!   its id) egress and 60 % of it ingress, waving ±15 % over an hour, while it is
//!   `available` with a peer up, else 0; a connection carries the sum of its VIFs' (a LAG
//!   member an equal share of the LAG's VIFs'), 0 unless `available`; packets are bytes
//!   ÷ 700;
//! - light: the connection's `optics` (else healthy for the port speed), a little apart
//!   per lane; receive falls to −40 dBm while the connection is `down`;
//! - errors: 0 while the receive level is within the normal band for the port speed
//!   (≥ −14.4 dBm below 100G, ≥ −10.6 dBm per lane at 100G), then more the further below;
//! - BGP status per family from the peer's status at each sample (a flap shows in the
//!   Minimum), prefixes from the VIF's route counts while that peer is up (else 0).
//!
//! State other than flaps has no history: every sample of a window sees the current
//! state. A period is published [`PUBLICATION_DELAY_SECONDS`] after it ends, as AWS/DX
//! data lands minutes late; so the newest datapoint is always at least that old.
//! Pages hold at most [`MAX_METRIC_RESULTS_PAGE`] results and `MaxDatapoints` values.

use std::collections::BTreeMap;
use std::f64::consts::TAU;

use serde_json::{Map, Value, json};

use super::{RegionState, State, render};
use crate::simulator::protocol::cbor::{epoch_seconds, timestamp};
use crate::simulator::protocol::{ApiError, Caller, OpResult};
use crate::simulator::scenario::{ConnectionSpec, VifSpec};

/// The namespace of Direct Connect metrics.
const NAMESPACE: &str = "AWS/DX";
/// Seconds between two samples of a series.
const SAMPLE_SECONDS: i64 = 30;
/// Seconds after the end of a period before its datapoint is published.
pub const PUBLICATION_DELAY_SECONDS: i64 = 120;
/// Queries one GetMetricData call may carry (AWS's limit).
const MAX_QUERIES: usize = 500;
/// Results per page. AWS pages by datapoints only; the simulator also cuts pages at this
/// many results so that clients' `NextToken` handling is exercised.
pub const MAX_METRIC_RESULTS_PAGE: usize = 100;
/// Values per page when the request sets no `MaxDatapoints` (AWS's default).
const DEFAULT_MAX_DATAPOINTS: usize = 100_800;
/// Average packet size the packet rates are derived with, in bytes.
const PACKET_BYTES: f64 = 700.0;
/// Receive level of a port with no light (the connection is down), dBm.
const NO_LIGHT_DBM: f64 = -40.0;
/// Prefix of the simulator's `NextToken` values.
const TOKEN_PREFIX: &str = "dxsim-cw-";

/// A value sampled at a wall-clock time (epoch seconds); `None`: no sample then.
type Sampler<'a> = Box<dyn Fn(i64) -> Option<f64> + 'a>;

/// One MetricDataQuery, as far as the simulator answers it.
struct Query {
    id: String,
    label: String,
    stat: String,
    period: Option<i64>,
    metric: String,
    namespace: String,
    dims: BTreeMap<String, String>,
    return_data: bool,
}

impl State {
    /// GetMetricData: `MetricStat` queries over the caller's account and region, between
    /// `StartTime` and `EndTime`, per `Period`, newest first unless `ScanBy` is
    /// `TimestampAscending`; paginated by `NextToken`.
    pub(crate) fn get_metric_data(&mut self, caller: &Caller, input: &Value) -> OpResult {
        self.tick();
        let queries = queries(input)?;
        let start = time_field(input, "StartTime")?;
        let end = time_field(input, "EndTime")?;
        if end <= start {
            return Err(invalid("EndTime must be after StartTime"));
        }
        let ascending = input.get("ScanBy").and_then(Value::as_str) == Some("TimestampAscending");
        let max_points = input
            .get("MaxDatapoints")
            .and_then(Value::as_u64)
            .map_or(DEFAULT_MAX_DATAPOINTS, |n| n.max(1) as usize);
        let first = match input.get("NextToken").and_then(Value::as_str) {
            None => 0,
            Some(token) => token
                .strip_prefix(TOKEN_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n < queries.len())
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        "InvalidNextToken",
                        "The service couldn't process the token.",
                    )
                })?,
        };
        let published = self.clock.now_epoch_seconds() as i64 - PUBLICATION_DELAY_SECONDS;
        let region = self.region_of(caller);
        let mut results = Vec::new();
        let mut points = 0;
        let mut next = None;
        for (i, q) in queries.iter().enumerate().skip(first) {
            if !q.return_data {
                continue;
            }
            let (timestamps, values) = self.series(region, q, (start, end), published)?;
            let full = results.len() >= MAX_METRIC_RESULTS_PAGE
                || (!results.is_empty() && points + values.len() > max_points);
            if full {
                next = Some(format!("{TOKEN_PREFIX}{i}"));
                break;
            }
            points += values.len();
            let (mut timestamps, mut values) = (timestamps, values);
            if ascending {
                timestamps.reverse();
                values.reverse();
            }
            results.push(json!({
                "Id": q.id,
                "Label": q.label,
                "Timestamps": timestamps.into_iter().map(|t| timestamp(t as f64)).collect::<Vec<_>>(),
                "Values": values,
                "StatusCode": "Complete",
            }));
        }
        let mut out = Map::new();
        out.insert("MetricDataResults".into(), Value::Array(results));
        out.insert("Messages".into(), json!([]));
        if let Some(token) = next {
            out.insert("NextToken".into(), Value::String(token));
        }
        Ok(Value::Object(out))
    }

    /// The published datapoints of query `q` in `[start, end)`, newest first: period
    /// starts and the statistic over each period's samples.
    fn series(
        &self,
        region: &RegionState,
        q: &Query,
        (start, end): (f64, f64),
        published: i64,
    ) -> Result<(Vec<i64>, Vec<Value>), ApiError> {
        let period = period_of(q)?;
        let aggregate = statistic(&q.stat)?;
        let Some(sample) = self.sampler(region, q) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut p = (start as i64).div_euclid(period) * period;
        let mut points = Vec::new();
        while (p as f64) < end && p + period <= published {
            let samples: Vec<f64> = (0..period / SAMPLE_SECONDS)
                .filter_map(|k| sample(p + k * SAMPLE_SECONDS))
                .collect();
            if !samples.is_empty() {
                points.push((p, aggregate(&samples)));
            }
            p += period;
        }
        points.reverse();
        Ok(points.into_iter().map(|(t, v)| (t, json!(v))).unzip())
    }

    /// How the series query `q` names is sampled, if the caller's region has it.
    fn sampler<'a>(&'a self, region: &'a RegionState, q: &'a Query) -> Option<Sampler<'a>> {
        if q.namespace != NAMESPACE {
            return None;
        }
        let dim = |name: &str| q.dims.get(name).map(String::as_str);
        let names: Vec<&str> = q.dims.keys().map(String::as_str).collect();
        let conn_id = dim("ConnectionId")?;
        match (q.metric.as_str(), names.as_slice()) {
            (
                "ConnectionLightLevelTx" | "ConnectionLightLevelRx",
                ["ConnectionId", "OpticalLaneNumber"],
            ) => {
                let conn = region.connections.get(conn_id)?;
                let lane: u32 = dim("OpticalLaneNumber")?.parse().ok()?;
                if lane == 0 || lane > lanes(conn) {
                    return None;
                }
                let tx = q.metric.ends_with("Tx");
                Some(Box::new(move |t| Some(light(conn, lane, tx, t))))
            }
            (metric, ["ConnectionId"]) if metric.starts_with("Connection") => {
                let conn = region.connections.get(conn_id)?;
                self.connection_sampler(region, conn, metric)
            }
            (metric, ["ConnectionId", "VirtualInterfaceId"]) => {
                let vif = region.vifs.get(dim("VirtualInterfaceId")?)?;
                if vif.connection != conn_id {
                    return None;
                }
                let (packets, egress) = match metric {
                    "VirtualInterfaceBpsEgress" => (false, true),
                    "VirtualInterfaceBpsIngress" => (false, false),
                    "VirtualInterfacePpsEgress" => (true, true),
                    "VirtualInterfacePpsIngress" => (true, false),
                    _ => return None,
                };
                Some(Box::new(move |t| {
                    let bps = self.vif_bps(region, vif, egress, t);
                    Some(if packets {
                        bps / 8.0 / PACKET_BYTES
                    } else {
                        bps
                    })
                }))
            }
            (metric, ["ConnectionId", "IpAddressFamily", "VirtualInterfaceId"]) => {
                let vif = region.vifs.get(dim("VirtualInterfaceId")?)?;
                let family = match dim("IpAddressFamily")? {
                    "IPv4" => "ipv4",
                    "IPv6" => "ipv6",
                    _ => return None,
                };
                if vif.connection != conn_id || !vif.peers.iter().any(|p| p.family == family) {
                    return None;
                }
                let routes = vif.routes.of(family);
                let count = match metric {
                    "VirtualInterfaceBgpStatus" => None,
                    "VirtualInterfaceBgpPrefixesAccepted" => Some(routes.accepted),
                    "VirtualInterfaceBgpPrefixesAdvertised" => Some(routes.advertised),
                    _ => return None,
                };
                Some(Box::new(move |t| {
                    let up = self.bgp_up(vif, family, t);
                    Some(match count {
                        None => f64::from(u8::from(up)),
                        Some(n) if up => f64::from(n),
                        Some(_) => 0.0,
                    })
                }))
            }
            _ => None,
        }
    }

    /// The sampler of a connection metric with the `ConnectionId` dimension alone.
    fn connection_sampler<'a>(
        &'a self,
        region: &'a RegionState,
        conn: &'a ConnectionSpec,
        metric: &str,
    ) -> Option<Sampler<'a>> {
        let rate = |packets: bool, egress: bool| -> Sampler<'a> {
            Box::new(move |t| {
                let bps = self.connection_bps(region, conn, egress, t);
                Some(if packets {
                    bps / 8.0 / PACKET_BYTES
                } else {
                    bps
                })
            })
        };
        Some(match metric {
            "ConnectionBpsEgress" => rate(false, true),
            "ConnectionBpsIngress" => rate(false, false),
            "ConnectionPpsEgress" => rate(true, true),
            "ConnectionPpsIngress" => rate(true, false),
            "ConnectionState" => {
                let up = f64::from(u8::from(conn.state == "available"));
                Box::new(move |_| Some(up))
            }
            "ConnectionErrorCount" => Box::new(move |t| {
                let worst = (1..=lanes(conn))
                    .map(|lane| light(conn, lane, false, t))
                    .fold(f64::INFINITY, f64::min);
                let below = rx_floor(conn) - worst;
                Some(if below > 0.0 {
                    (below * 40.0).ceil()
                } else {
                    0.0
                })
            }),
            "ConnectionEncryptionState" => {
                if !conn.mac_sec_capable && conn.encryption_mode.is_none() {
                    return None;
                }
                let up = conn.port_encryption_status.as_deref() == Some("Encryption Up");
                let value = f64::from(u8::from(up));
                Box::new(move |_| Some(value))
            }
            _ => return None,
        })
    }

    /// Whether the peer of `family` on `vif` is up at wall-clock `t`.
    fn bgp_up(&self, vif: &VifSpec, family: &str, t: i64) -> bool {
        let at = self.clock.sim_ms_at(t as f64);
        vif.state == "available"
            && vif
                .peers
                .iter()
                .any(|p| p.family == family && render::effective_status(vif, p, at) == "up")
    }

    /// Traffic of `vif` at `t` in bits per second, one direction.
    fn vif_bps(&self, region: &RegionState, vif: &VifSpec, egress: bool, t: i64) -> f64 {
        let at = self.clock.sim_ms_at(t as f64);
        let carrying = vif.state == "available"
            && vif
                .peers
                .iter()
                .any(|p| render::effective_status(vif, p, at) == "up");
        if !carrying {
            return 0.0;
        }
        let seed = seed(&vif.id);
        let base = vif.traffic_bps.unwrap_or_else(|| {
            let port = port_bps(region, &vif.connection);
            port * (0.05 + 0.30 * (seed % 1000) as f64 / 1000.0)
        });
        let share = if egress { 1.0 } else { 0.6 };
        let phase = (seed % 360) as f64 / 360.0 + if egress { 0.0 } else { 0.25 };
        base * share * (1.0 + 0.15 * (TAU * (t as f64 / 3600.0 + phase)).sin())
    }

    /// Traffic of connection `conn` at `t`: its VIFs', a LAG member's share of the LAG's.
    fn connection_bps(
        &self,
        region: &RegionState,
        conn: &ConnectionSpec,
        egress: bool,
        t: i64,
    ) -> f64 {
        if conn.state != "available" {
            return 0.0;
        }
        let on = |id: &str| {
            region
                .vifs
                .values()
                .filter(|v| v.connection == id)
                .map(|v| self.vif_bps(region, v, egress, t))
                .sum::<f64>()
        };
        let own = on(&conn.id);
        match &conn.lag_id {
            None => own,
            Some(lag) => {
                let up = region
                    .lag_members(lag)
                    .iter()
                    .filter(|m| m.state == "available")
                    .count()
                    .max(1);
                own + on(lag) / up as f64
            }
        }
    }
}

/// The queries of a GetMetricData input.
fn queries(input: &Value) -> Result<Vec<Query>, ApiError> {
    let list = input
        .get("MetricDataQueries")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| invalid("MetricDataQueries is required"))?;
    if list.len() > MAX_QUERIES {
        return Err(invalid(format!(
            "The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )));
    }
    let mut seen = std::collections::HashSet::new();
    list.iter()
        .map(|q| {
            let id = q.get("Id").and_then(Value::as_str).unwrap_or_default();
            let id_ok = id.starts_with(|c: char| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !id_ok || !seen.insert(id.to_owned()) {
                return Err(invalid(format!("invalid or repeated query Id {id:?}")));
            }
            let stat = q.get("MetricStat").ok_or_else(|| {
                invalid(format!(
                    "query {id}: the simulator answers MetricStat queries only"
                ))
            })?;
            let metric = stat.get("Metric").cloned().unwrap_or(Value::Null);
            let text = |v: &Value, k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let dims = metric
                .get("Dimensions")
                .and_then(Value::as_array)
                .map(|ds| {
                    ds.iter()
                        .map(|d| (text(d, "Name"), text(d, "Value")))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default();
            let name = text(&metric, "MetricName");
            Ok(Query {
                id: id.to_owned(),
                label: q
                    .get("Label")
                    .and_then(Value::as_str)
                    .map_or_else(|| name.clone(), str::to_owned),
                stat: text(stat, "Stat"),
                period: stat.get("Period").and_then(Value::as_i64),
                metric: name,
                namespace: text(&metric, "Namespace"),
                dims,
                return_data: q.get("ReturnData").and_then(Value::as_bool).unwrap_or(true),
            })
        })
        .collect()
}

/// The period of a query, in seconds: a multiple of 60.
fn period_of(q: &Query) -> Result<i64, ApiError> {
    let period = q
        .period
        .ok_or_else(|| invalid(format!("query {}: MetricStat.Period is required", q.id)))?;
    if period < 60 || period % 60 != 0 {
        return Err(invalid(format!(
            "query {}: the period must be a multiple of 60 seconds for AWS/DX, got {period}",
            q.id
        )));
    }
    Ok(period)
}

/// The aggregation a statistic names.
fn statistic(stat: &str) -> Result<fn(&[f64]) -> f64, ApiError> {
    Ok(match stat {
        "Average" => |s| s.iter().sum::<f64>() / s.len() as f64,
        "Minimum" => |s| s.iter().copied().fold(f64::INFINITY, f64::min),
        "Maximum" => |s| s.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "Sum" => |s| s.iter().sum(),
        "SampleCount" => |s| s.len() as f64,
        other => {
            return Err(invalid(format!(
                "the simulator answers Average, Minimum, Maximum, Sum and SampleCount, not {other:?}"
            )));
        }
    })
}

/// A required timestamp member, in epoch seconds.
fn time_field(input: &Value, key: &str) -> Result<f64, ApiError> {
    input
        .get(key)
        .and_then(epoch_seconds)
        .ok_or_else(|| invalid(format!("{key} is required")))
}

/// CloudWatch's `InvalidParameterValue` (400).
fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameterValue", message)
}

/// Port speed in bits per second ("10Gbps", "500Mbps"); 0 when unparseable.
fn bandwidth_bps(bandwidth: &str) -> f64 {
    let (number, scale) = if let Some(n) = bandwidth.strip_suffix("Gbps") {
        (n, 1e9)
    } else if let Some(n) = bandwidth.strip_suffix("Mbps") {
        (n, 1e6)
    } else {
        (bandwidth, 0.0)
    };
    number.trim().parse::<f64>().map_or(0.0, |n| n * scale)
}

/// The port speed of the connection or LAG `id` (a LAG: its members' total).
fn port_bps(region: &RegionState, id: &str) -> f64 {
    if let Some(c) = region.connections.get(id) {
        return bandwidth_bps(&c.bandwidth);
    }
    region.lags.get(id).map_or(0.0, |l| {
        bandwidth_bps(&l.bandwidth) * region.lag_members(id).len().max(1) as f64
    })
}

/// Optical lanes of a port: 4 at 100G and above, else 1.
fn lanes(conn: &ConnectionSpec) -> u32 {
    if bandwidth_bps(&conn.bandwidth) >= 100e9 {
        4
    } else {
        1
    }
}

/// The lowest normal receive level of a port (per lane at 100G), dBm.
fn rx_floor(conn: &ConnectionSpec) -> f64 {
    if lanes(conn) > 1 { -10.6 } else { -14.4 }
}

/// Light level of one lane at `t`, dBm: the set or healthy level, a fixed offset per
/// lane and a small wave.
fn light(conn: &ConnectionSpec, lane: u32, tx: bool, t: i64) -> f64 {
    if !tx && conn.state == "down" {
        return NO_LIGHT_DBM;
    }
    let multi = lanes(conn) > 1;
    let level = match (tx, multi) {
        (true, _) => conn.optics.tx_dbm.unwrap_or(if multi { 0.9 } else { -1.8 }),
        (false, _) => conn
            .optics
            .rx_dbm
            .unwrap_or(if multi { -2.6 } else { -4.2 }),
    };
    let offset = 0.15 * f64::from(lane) - 0.3;
    let wave = 0.05 * (TAU * (t as f64 / 900.0 + f64::from(lane) / 4.0)).sin();
    ((level + offset + wave) * 100.0).round() / 100.0
}

/// A stable number from an id, to set VIFs apart.
fn seed(id: &str) -> u64 {
    id.bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::scenario::Scenario;

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
        let mut input =
            json!({"MetricDataQueries": many, "StartTime": now - 900.0, "EndTime": now});
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
}
