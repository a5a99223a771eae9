//! Metric names, HELP texts and state lists, and the encoding of a snapshot into the
//! Prometheus text (0.0.4) and OpenMetrics (1.0) formats, plain and gzipped.

use std::io::Write as _;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use bytes::Bytes;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use crate::config::tag_label_name;
use crate::model::{CollectorData, Snapshot, Tags};

/// Prefix of every metric name.
pub const PREFIX: &str = "aws_directconnect_";

/// `state` values of `virtual_interface_state`.
pub const VIRTUAL_INTERFACE_STATES: [&str; 10] = [
    "confirming",
    "verifying",
    "pending",
    "available",
    "down",
    "testing",
    "deleting",
    "deleted",
    "rejected",
    "unknown",
];
/// `status` values of `bgp_peer_status`.
pub const BGP_PEER_STATUSES: [&str; 3] = ["up", "down", "unknown"];
/// `state` values of `bgp_peer_state`.
pub const BGP_PEER_STATES: [&str; 6] = [
    "verifying",
    "pending",
    "available",
    "deleting",
    "deleted",
    "unknown",
];
/// `state` values of `connection_state`.
pub const CONNECTION_STATES: [&str; 9] = [
    "ordering",
    "requested",
    "pending",
    "available",
    "down",
    "deleting",
    "deleted",
    "rejected",
    "unknown",
];
/// `state` values of `lag_state`.
pub const LAG_STATES: [&str; 7] = [
    "requested",
    "pending",
    "available",
    "down",
    "deleting",
    "deleted",
    "unknown",
];
/// `state` values of `gateway_state`.
pub const GATEWAY_STATES: [&str; 4] = ["pending", "available", "deleting", "deleted"];
/// `state` values of `gateway_attachment_state`.
pub const GATEWAY_ATTACHMENT_STATES: [&str; 4] = ["attaching", "attached", "detaching", "detached"];
/// `state` values of `gateway_association_state`.
pub const GATEWAY_ASSOCIATION_STATES: [&str; 5] = [
    "associating",
    "associated",
    "disassociating",
    "disassociated",
    "updating",
];

const CACHED: &str = "Refreshed every collection interval and served from cache.";

/// The metric families: name (without prefix), type, HELP.
mod families {
    pub const VIF_INFO: &str = "virtual_interface";
    pub const VIF_STATE: &str = "virtual_interface_state";
    pub const VIF_MTU: &str = "virtual_interface_mtu_bytes";
    pub const PEER_UP: &str = "bgp_peer_up";
    pub const PEER_STATUS: &str = "bgp_peer_status";
    pub const PEER_STATE: &str = "bgp_peer_state";
    pub const PEER_INFO: &str = "bgp_peer";
    pub const PEER_CHANGES: &str = "bgp_peer_status_changes";
    pub const CONN_INFO: &str = "connection";
    pub const CONN_STATE: &str = "connection_state";
    pub const CONN_BANDWIDTH: &str = "connection_bandwidth_bits_per_second";
    pub const LAG_INFO: &str = "lag";
    pub const LAG_STATE: &str = "lag_state";
    pub const LAG_MIN_LINKS: &str = "lag_minimum_links";
    pub const LAG_CONNECTIONS: &str = "lag_connections";
    pub const LAG_CONNECTIONS_AVAILABLE: &str = "lag_connections_available";
    pub const GW_INFO: &str = "gateway";
    pub const GW_STATE: &str = "gateway_state";
    pub const GW_ATTACHMENT_STATE: &str = "gateway_attachment_state";
    pub const GW_ASSOCIATION_STATE: &str = "gateway_association_state";
    pub const COLLECTOR_SUCCESS: &str = "collector_success";
    pub const COLLECTOR_DURATION: &str = "collector_duration_seconds";
    pub const COLLECTOR_LAST_SUCCESS: &str = "collector_last_success_timestamp_seconds";
    pub const API_REQUESTS: &str = "api_requests";
    pub const BUILD_INFO: &str = "exporter_build";
}

/// Parses a bandwidth such as `10Gbps`, `500Mbps`, `1.5Gbps` into bits per second.
pub fn parse_bandwidth(s: &str) -> Option<f64> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let (number, factor) = [
        ("tbps", 1e12),
        ("gbps", 1e9),
        ("mbps", 1e6),
        ("kbps", 1e3),
        ("bps", 1.0),
    ]
    .into_iter()
    .find_map(|(unit, f)| lower.strip_suffix(unit).map(|n| (n.trim().to_owned(), f)))?;
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * factor)
}

/// The value of `state` mapped onto `states`: itself if listed, else `unknown`
/// (or `None` when the list has no `unknown`, and the value is not in it).
fn normalize<'a>(value: &str, states: &[&'a str]) -> Option<&'a str> {
    states
        .iter()
        .find(|s| **s == value)
        .or_else(|| states.iter().find(|s| **s == "unknown"))
        .copied()
}

type Labels = Vec<(&'static str, String)>;

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "true".into(),
        Some(false) => "false".into(),
        None => String::new(),
    }
}

fn opt_num<T: ToString>(v: Option<T>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// Builds the metric families of a snapshot.
struct SnapshotCollector {
    snapshot: Arc<Snapshot>,
    version: &'static str,
    revision: &'static str,
}

/// One family, built once from a snapshot and then written in both formats.
#[derive(Debug)]
enum Part {
    Fixed(Family),
    /// An info family whose label names include the configured `tag_*` keys.
    Tagged {
        name: &'static str,
        help: &'static str,
        samples: Vec<(Vec<(String, String)>, f64)>,
    },
}

/// The families of one snapshot, as a prometheus-client [`Collector`].
#[derive(Debug)]
struct Prebuilt(Vec<Part>);

impl Collector for Prebuilt {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for part in &self.0 {
            match part {
                Part::Fixed(f) => f.encode(&mut encoder)?,
                Part::Tagged {
                    name,
                    help,
                    samples,
                } => encode_tagged(&mut encoder, name, help, samples)?,
            }
        }
        Ok(())
    }
}

/// Accumulates one family's samples before writing it, so each family is written once.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: String,
    kind: MetricType,
    samples: Vec<(Labels, f64)>,
}

impl Family {
    fn new(name: &'static str, kind: MetricType, help: &str) -> Self {
        Family {
            name,
            help: format!("{help} {CACHED}"),
            kind,
            samples: Vec::new(),
        }
    }

    fn push(&mut self, labels: Labels, value: f64) {
        self.samples.push((labels, value));
    }

    /// One series per state, 1 for the current one (mapped with [`normalize`]).
    fn push_state_set(
        &mut self,
        base: &Labels,
        key: &'static str,
        current: &str,
        states: &[&'static str],
    ) {
        let current = normalize(current, states);
        for state in states {
            let mut labels = base.clone();
            labels.push((key, (*state).to_owned()));
            self.push(labels, if Some(*state) == current { 1.0 } else { 0.0 });
        }
    }

    fn encode(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let name = format!("{PREFIX}{}", self.name);
        let mut metric = encoder.encode_descriptor(&name, &self.help, None, self.kind)?;
        for (labels, value) in &self.samples {
            let sample = metric.encode_family(labels)?;
            match self.kind {
                MetricType::Counter => ConstCounter::new(*value).encode(sample)?,
                MetricType::Info => {
                    let mut sample = sample;
                    sample.encode_info(&Vec::<(&str, String)>::new())?
                }
                _ => ConstGauge::new(*value).encode(sample)?,
            }
        }
        Ok(())
    }
}

fn with_tags(mut labels: Labels, tags: &Tags, tag_labels: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = labels.drain(..).map(|(k, v)| (k.to_owned(), v)).collect();
    for key in tag_labels {
        out.push((
            tag_label_name(key),
            tags.get(key).cloned().unwrap_or_default(),
        ));
    }
    out
}

impl SnapshotCollector {
    fn build(&self) -> Vec<Part> {
        use MetricType::{Counter, Gauge, Info};
        use families::*;
        let snap = &self.snapshot;
        let tag_labels = &snap.tag_labels;

        let mut parts = Vec::with_capacity(32);
        let mut vif_info: Vec<(Vec<(String, String)>, f64)> = Vec::new();
        let mut vif_state = Family::new(
            VIF_STATE,
            Gauge,
            "State of the virtual interface (1 for the current state).",
        );
        let mut vif_mtu = Family::new(VIF_MTU, Gauge, "MTU of the virtual interface in bytes.");
        let mut peer_up = Family::new(
            PEER_UP,
            Gauge,
            "1 if the BGP peer's bgpStatus is up, else 0.",
        );
        let mut peer_status = Family::new(
            PEER_STATUS,
            Gauge,
            "bgpStatus of the BGP peer (1 for the current status).",
        );
        let mut peer_state = Family::new(
            PEER_STATE,
            Gauge,
            "bgpPeerState of the BGP peer (1 for the current state).",
        );
        let mut peer_info = Family::new(
            PEER_INFO,
            Info,
            "BGP peer addresses and AWS logical device.",
        );
        let mut peer_changes = Family::new(
            PEER_CHANGES,
            Counter,
            "bgpStatus changes of the BGP peer observed by the exporter between collections.",
        );
        let mut conn_info: Vec<(Vec<(String, String)>, f64)> = Vec::new();
        let mut conn_state = Family::new(
            CONN_STATE,
            Gauge,
            "State of the connection (1 for the current state).",
        );
        let mut conn_bw = Family::new(
            CONN_BANDWIDTH,
            Gauge,
            "Bandwidth of the connection in bits per second.",
        );
        let mut lag_info: Vec<(Vec<(String, String)>, f64)> = Vec::new();
        let mut lag_state = Family::new(
            LAG_STATE,
            Gauge,
            "State of the LAG (1 for the current state).",
        );
        let mut lag_min = Family::new(
            LAG_MIN_LINKS,
            Gauge,
            "Minimum number of available connections for the LAG to be up.",
        );
        let mut lag_conns = Family::new(LAG_CONNECTIONS, Gauge, "Connections in the LAG.");
        let mut lag_avail = Family::new(
            LAG_CONNECTIONS_AVAILABLE,
            Gauge,
            "Connections in the LAG in state available.",
        );
        let mut gw_info = Family::new(
            GW_INFO,
            Info,
            "Direct Connect gateway (global; no aws_region label).",
        );
        let mut gw_state = Family::new(
            GW_STATE,
            Gauge,
            "State of the Direct Connect gateway (1 for the current state).",
        );
        let mut gw_att = Family::new(
            GW_ATTACHMENT_STATE,
            Gauge,
            "State of a virtual interface's attachment to a Direct Connect gateway (1 for the current state).",
        );
        let mut gw_assoc = Family::new(
            GW_ASSOCIATION_STATE,
            Gauge,
            "State of a gateway association to a Direct Connect gateway (1 for the current state).",
        );
        let mut c_success = Family::new(
            COLLECTOR_SUCCESS,
            Gauge,
            "1 if the collector's last cycle succeeded, else 0.",
        );
        let mut c_duration = Family::new(
            COLLECTOR_DURATION,
            Gauge,
            "Wall time of the collector's last cycle in seconds.",
        );
        let mut c_last = Family::new(
            COLLECTOR_LAST_SUCCESS,
            Gauge,
            "Unix time of the collector's last successful cycle.",
        );

        // Gateways are global: if several collectors reach the same account, use the first.
        let mut gateway_accounts = std::collections::BTreeSet::new();

        for c in &snap.collectors {
            let account = c.key.account_id.clone();
            let region = c.key.region.clone();
            let common: Labels = vec![
                ("aws_account_id", account.clone()),
                ("aws_region", region.clone()),
            ];

            let mut l = common.clone();
            l.push(("collector", c.key.kind.name().to_owned()));
            c_success.push(l.clone(), if c.success { 1.0 } else { 0.0 });
            c_duration.push(l.clone(), c.duration.as_secs_f64());
            if let Some(t) = c
                .last_success
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            {
                c_last.push(l, t.as_secs_f64());
            }

            match &c.data {
                None => {}
                Some(CollectorData::VirtualInterfaces(vifs)) => {
                    for v in vifs {
                        let mut base = common.clone();
                        base.push(("virtual_interface_id", v.id.clone()));
                        let mut info = base.clone();
                        info.extend([
                            ("virtual_interface_name", v.name.clone()),
                            ("virtual_interface_type", v.vif_type.clone()),
                            ("connection_id", v.connection_id.clone()),
                            ("owner_account", v.owner_account.clone()),
                            ("location", v.location.clone()),
                            ("vlan", v.vlan.to_string()),
                            ("asn", v.asn.to_string()),
                            ("amazon_side_asn", opt_num(v.amazon_side_asn)),
                            ("address_family", v.address_family.clone()),
                            (
                                "direct_connect_gateway_id",
                                v.direct_connect_gateway_id.clone(),
                            ),
                            ("virtual_gateway_id", v.virtual_gateway_id.clone()),
                            ("aws_logical_device_id", v.aws_logical_device_id.clone()),
                            ("jumbo_frame_capable", yes_no(v.jumbo_frame_capable)),
                            ("site_link_enabled", yes_no(v.site_link_enabled)),
                        ]);
                        vif_info.push((with_tags(info, &v.tags, tag_labels), 1.0));
                        vif_state.push_state_set(
                            &base,
                            "state",
                            &v.state,
                            &VIRTUAL_INTERFACE_STATES,
                        );
                        if let Some(mtu) = v.mtu {
                            vif_mtu.push(base.clone(), mtu as f64);
                        }
                        for p in &v.bgp_peers {
                            let mut pl = base.clone();
                            pl.extend([
                                ("bgp_peer_id", p.bgp_peer_id.clone()),
                                ("asn", p.asn.to_string()),
                                ("address_family", p.address_family.clone()),
                            ]);
                            peer_up.push(pl.clone(), if p.status == "up" { 1.0 } else { 0.0 });
                            peer_status.push_state_set(
                                &pl,
                                "status",
                                &p.status,
                                &BGP_PEER_STATUSES,
                            );
                            peer_state.push_state_set(&pl, "state", &p.state, &BGP_PEER_STATES);
                            let key = crate::model::PeerKey {
                                virtual_interface_id: v.id.clone(),
                                bgp_peer_id: p.bgp_peer_id.clone(),
                            };
                            let changes = c.peer_status_changes.get(&key).copied().unwrap_or(0);
                            peer_changes.push(pl.clone(), changes as f64);
                            let mut il = pl;
                            il.extend([
                                ("amazon_address", p.amazon_address.clone()),
                                ("customer_address", p.customer_address.clone()),
                                ("aws_logical_device_id", p.aws_logical_device_id.clone()),
                            ]);
                            peer_info.push(il, 1.0);
                        }
                    }
                }
                Some(CollectorData::Connections(conns)) => {
                    for x in conns {
                        let mut base = common.clone();
                        base.push(("connection_id", x.id.clone()));
                        let mut info = base.clone();
                        info.extend([
                            ("connection_name", x.name.clone()),
                            ("location", x.location.clone()),
                            ("bandwidth", x.bandwidth.clone()),
                            ("partner_name", x.partner_name.clone()),
                            ("provider_name", x.provider_name.clone()),
                            ("lag_id", x.lag_id.clone()),
                            ("aws_logical_device_id", x.aws_logical_device_id.clone()),
                            ("has_logical_redundancy", x.has_logical_redundancy.clone()),
                            ("encryption_mode", x.encryption_mode.clone()),
                            ("mac_sec_capable", yes_no(x.mac_sec_capable)),
                            ("jumbo_frame_capable", yes_no(x.jumbo_frame_capable)),
                        ]);
                        conn_info.push((with_tags(info, &x.tags, tag_labels), 1.0));
                        conn_state.push_state_set(&base, "state", &x.state, &CONNECTION_STATES);
                        if let Some(bps) = parse_bandwidth(&x.bandwidth) {
                            conn_bw.push(base, bps);
                        }
                    }
                }
                Some(CollectorData::Lags(lags)) => {
                    for x in lags {
                        let mut base = common.clone();
                        base.push(("lag_id", x.id.clone()));
                        let mut info = base.clone();
                        info.extend([
                            ("lag_name", x.name.clone()),
                            ("location", x.location.clone()),
                            ("connections_bandwidth", x.connections_bandwidth.clone()),
                            ("aws_logical_device_id", x.aws_logical_device_id.clone()),
                            ("has_logical_redundancy", x.has_logical_redundancy.clone()),
                        ]);
                        lag_info.push((with_tags(info, &x.tags, tag_labels), 1.0));
                        lag_state.push_state_set(&base, "state", &x.state, &LAG_STATES);
                        lag_min.push(base.clone(), x.minimum_links as f64);
                        lag_conns.push(base.clone(), x.connections as f64);
                        lag_avail.push(base, x.connections_available as f64);
                    }
                }
                Some(CollectorData::Gateways(g)) => {
                    if !gateway_accounts.insert(account.clone()) {
                        continue;
                    }
                    let common: Labels = vec![("aws_account_id", account.clone())];
                    for x in &g.gateways {
                        let mut base = common.clone();
                        base.push(("direct_connect_gateway_id", x.id.clone()));
                        let mut info = base.clone();
                        info.extend([
                            ("direct_connect_gateway_name", x.name.clone()),
                            ("amazon_side_asn", opt_num(x.amazon_side_asn)),
                            ("owner_account", x.owner_account.clone()),
                        ]);
                        gw_info.push(info, 1.0);
                        gw_state.push_state_set(&base, "state", &x.state, &GATEWAY_STATES);
                    }
                    for a in &g.attachments {
                        let mut base = common.clone();
                        base.push(("direct_connect_gateway_id", a.gateway_id.clone()));
                        base.push(("virtual_interface_id", a.virtual_interface_id.clone()));
                        gw_att.push_state_set(&base, "state", &a.state, &GATEWAY_ATTACHMENT_STATES);
                    }
                    for a in &g.associations {
                        let mut base = common.clone();
                        base.extend([
                            ("direct_connect_gateway_id", a.gateway_id.clone()),
                            ("association_id", a.association_id.clone()),
                            ("associated_gateway_id", a.associated_gateway_id.clone()),
                            ("associated_gateway_type", a.associated_gateway_type.clone()),
                        ]);
                        gw_assoc.push_state_set(
                            &base,
                            "state",
                            &a.state,
                            &GATEWAY_ASSOCIATION_STATES,
                        );
                    }
                }
            }
        }

        parts.push(Part::Tagged {
            name: VIF_INFO,
            help: "Virtual interface attributes and tags.",
            samples: vif_info,
        });
        parts.extend(
            [
                vif_state,
                vif_mtu,
                peer_up,
                peer_status,
                peer_state,
                peer_info,
                peer_changes,
            ]
            .map(Part::Fixed),
        );
        parts.push(Part::Tagged {
            name: CONN_INFO,
            help: "Connection attributes and tags.",
            samples: conn_info,
        });
        parts.extend([conn_state, conn_bw].map(Part::Fixed));
        parts.push(Part::Tagged {
            name: LAG_INFO,
            help: "LAG attributes and tags.",
            samples: lag_info,
        });
        parts.extend(
            [
                lag_state, lag_min, lag_conns, lag_avail, gw_info, gw_state, gw_att, gw_assoc,
            ]
            .map(Part::Fixed),
        );
        parts.extend([c_success, c_duration, c_last].map(Part::Fixed));

        let mut api = Family::new(
            API_REQUESTS,
            Counter,
            "AWS API calls made by the exporter, by operation and result.",
        );
        for (k, n) in &snap.api_requests {
            api.push(
                vec![
                    ("aws_account_id", k.account_id.clone()),
                    ("aws_region", k.region.clone()),
                    ("operation", k.operation.to_owned()),
                    ("result", k.result.to_owned()),
                ],
                *n as f64,
            );
        }
        parts.push(Part::Fixed(api));

        let mut build = Family::new(
            BUILD_INFO,
            Info,
            "Version and git revision of the exporter.",
        );
        build.push(
            vec![
                ("version", self.version.to_owned()),
                ("revision", self.revision.to_owned()),
            ],
            1.0,
        );
        parts.push(Part::Fixed(build));
        parts
    }
}

/// Writes an info family whose label names include dynamic `tag_*` keys.
fn encode_tagged(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: &[(Vec<(String, String)>, f64)],
) -> Result<(), std::fmt::Error> {
    let full = format!("{PREFIX}{name}");
    let help = format!("{help} {CACHED}");
    let mut metric = encoder.encode_descriptor(&full, &help, None, MetricType::Info)?;
    for (labels, _) in samples {
        let mut sample = metric.encode_family(labels)?;
        sample.encode_info(&Vec::<(&str, String)>::new())?;
    }
    Ok(())
}

/// One snapshot encoded in every format `/metrics` serves.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    pub text: Bytes,
    pub text_gzip: Bytes,
    pub openmetrics: Bytes,
    pub openmetrics_gzip: Bytes,
}

/// Content type of the Prometheus text format.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// Content type of OpenMetrics 1.0.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Why encoding failed (a bug, not an input problem: reported, never a panic).
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("formatting metrics failed")]
    Format(#[from] std::fmt::Error),
    #[error("gzip failed: {0}")]
    Gzip(#[from] std::io::Error),
}

/// Encodes a snapshot into both formats, plain and gzipped.
pub fn encode(
    snapshot: Arc<Snapshot>,
    version: &'static str,
    revision: &'static str,
) -> Result<Encoded, EncodeError> {
    let parts = SnapshotCollector {
        snapshot,
        version,
        revision,
    }
    .build();
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Prebuilt(parts)));
    let mut om = String::new();
    prometheus_client::encoding::text::encode(&mut om, &registry)?;
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)?;
    Ok(Encoded {
        text_gzip: gzip(text.as_bytes())?,
        openmetrics_gzip: gzip(om.as_bytes())?,
        text: Bytes::from(text),
        openmetrics: Bytes::from(om),
    })
}

fn gzip(data: &[u8]) -> Result<Bytes, std::io::Error> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 8),
        flate2::Compression::fast(),
    );
    enc.write_all(data)?;
    Ok(Bytes::from(enc.finish()?))
}

/// All metric family names this exporter can emit (as they appear in the text format).
pub fn family_names() -> Vec<String> {
    use families::*;
    let info = [
        VIF_INFO, PEER_INFO, CONN_INFO, LAG_INFO, GW_INFO, BUILD_INFO,
    ]
    .map(|n| format!("{PREFIX}{n}_info"));
    let counters = [PEER_CHANGES, API_REQUESTS].map(|n| format!("{PREFIX}{n}_total"));
    let gauges = [
        VIF_STATE,
        VIF_MTU,
        PEER_UP,
        PEER_STATUS,
        PEER_STATE,
        CONN_STATE,
        CONN_BANDWIDTH,
        LAG_STATE,
        LAG_MIN_LINKS,
        LAG_CONNECTIONS,
        LAG_CONNECTIONS_AVAILABLE,
        GW_STATE,
        GW_ATTACHMENT_STATE,
        GW_ASSOCIATION_STATE,
        COLLECTOR_SUCCESS,
        COLLECTOR_DURATION,
        COLLECTOR_LAST_SUCCESS,
    ]
    .map(|n| format!("{PREFIX}{n}"));
    info.into_iter().chain(counters).chain(gauges).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn bandwidths_parse_into_bits_per_second() {
        assert_eq!(parse_bandwidth("10Gbps"), Some(10e9));
        assert_eq!(parse_bandwidth("500Mbps"), Some(500e6));
        assert_eq!(parse_bandwidth("1.5Gbps"), Some(1.5e9));
        assert_eq!(parse_bandwidth("fast"), None);
        assert_eq!(parse_bandwidth("-1Gbps"), None);
    }

    #[test]
    fn unknown_values_map_to_unknown() {
        assert_eq!(
            normalize("available", &VIRTUAL_INTERFACE_STATES),
            Some("available")
        );
        assert_eq!(
            normalize("flux", &VIRTUAL_INTERFACE_STATES),
            Some("unknown")
        );
        assert_eq!(normalize("flux", &GATEWAY_STATES), None);
    }

    fn fleet() -> Snapshot {
        let vif = VirtualInterface {
            id: "dxvif-1".into(),
            state: "flux".into(),
            asn: 4_200_000_000,
            tags: [("Name".to_owned(), "edge \"a\"".to_owned())].into(),
            bgp_peers: vec![BgpPeer {
                bgp_peer_id: "dxpeer-1".into(),
                asn: 4_200_000_000,
                address_family: "ipv6".into(),
                status: "down".into(),
                state: "available".into(),
                ..BgpPeer::default()
            }],
            ..VirtualInterface::default()
        };
        let key = CollectorKey {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            kind: CollectorKind::VirtualInterfaces,
        };
        Snapshot {
            collectors: vec![CollectorSnapshot {
                key,
                success: true,
                duration: Duration::from_millis(1500),
                last_success: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
                data: Some(CollectorData::VirtualInterfaces(vec![vif])),
                peer_status_changes: [(
                    PeerKey {
                        virtual_interface_id: "dxvif-1".into(),
                        bgp_peer_id: "dxpeer-1".into(),
                    },
                    3,
                )]
                .into(),
            }],
            api_requests: Default::default(),
            tag_labels: vec!["Name".into()],
        }
    }

    #[test]
    fn a_snapshot_encodes_state_sets_with_one_active_state() {
        let e = encode(Arc::new(fleet()), "1.0.0", "abc").unwrap();
        let text = std::str::from_utf8(&e.text).unwrap();
        let active: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("aws_directconnect_virtual_interface_state{"))
            .filter(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) == Some(1.0))
            .collect();
        assert_eq!(active.len(), 1, "{text}");
        assert!(active[0].contains("state=\"unknown\""), "{text}");
        assert!(text.contains("aws_directconnect_bgp_peer_up{"), "{text}");
        assert!(text.contains("asn=\"4200000000\""), "{text}");
        assert!(
            text.contains("aws_directconnect_bgp_peer_status_changes_total{"),
            "{text}"
        );
        assert!(text.contains("tag_Name=\"edge \\\"a\\\"\""), "{text}");
        assert!(
            text.contains("# TYPE aws_directconnect_virtual_interface_info gauge"),
            "{text}"
        );
        assert!(text.contains(CACHED));
        let om = std::str::from_utf8(&e.openmetrics).unwrap();
        assert!(om.ends_with("# EOF\n"), "{om}");
        assert!(
            om.contains("# TYPE aws_directconnect_virtual_interface info"),
            "{om}"
        );
        assert!(
            om.contains("aws_directconnect_virtual_interface_info{"),
            "{om}"
        );
    }

    #[test]
    fn gzip_output_inflates_to_the_plain_text() {
        use std::io::Read;
        let e = encode(Arc::new(fleet()), "1.0.0", "abc").unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&e.text_gzip[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, e.text.to_vec());
    }

    #[test]
    fn every_family_name_appears_in_a_full_encoding() {
        let e = encode(Arc::new(fleet()), "1.0.0", "abc").unwrap();
        let text = std::str::from_utf8(&e.text).unwrap();
        for name in family_names() {
            assert!(text.contains(&format!("# TYPE {name} ")), "{name} missing");
        }
    }
}
