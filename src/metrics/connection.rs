//! Connection families.

use super::{Family, Samples, bool_label};
use crate::model::{CollectorKey, Connection};

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

const CONNECTION: &[&str] = &["aws_account_id", "aws_region", "connection_id"];

pub static INFO: Family = Family::info(
    "connection",
    "Connection attributes and tags.",
    &[
        "aws_account_id",
        "aws_region",
        "connection_id",
        "connection_name",
        "location",
        "bandwidth",
        "partner_name",
        "provider_name",
        "lag_id",
        "aws_logical_device_id",
        "has_logical_redundancy",
        "encryption_mode",
        "mac_sec_capable",
        "jumbo_frame_capable",
    ],
)
.tagged();
pub static STATE: Family = Family::state_set(
    "connection_state",
    "State of the connection (1 for the current state).",
    CONNECTION,
    "state",
);
pub static BANDWIDTH: Family = Family::gauge(
    "connection_bandwidth_bytes_per_second",
    "Port speed of the connection in bytes per second (AWS states it in bits: 10Gbps is 1.25e9).",
    CONNECTION,
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[&INFO, &STATE, &BANDWIDTH];

/// Parses a bandwidth as AWS writes it (`10Gbps`, `500Mbps`, `1.5Gbps`) into bits per
/// second; `None` for anything else.
///
/// ```
/// use directconnect_exporter::metrics::parse_bandwidth;
/// assert_eq!(parse_bandwidth("10Gbps"), Some(10e9));
/// assert_eq!(parse_bandwidth("500Mbps"), Some(500e6));
/// assert_eq!(parse_bandwidth(" 1.5gbps "), Some(1.5e9));
/// assert_eq!(parse_bandwidth("fast"), None);
/// assert_eq!(parse_bandwidth("-1Gbps"), None);
/// ```
pub fn parse_bandwidth(s: &str) -> Option<f64> {
    let lower = s.trim().to_ascii_lowercase();
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

/// Writes the samples of one collector's connections.
pub fn write(key: &CollectorKey, conns: &[Connection], out: &mut Samples<'_>) {
    let (acct, region) = (key.account_id.as_str(), key.region.as_str());
    let mut info = out.family(&INFO);
    for c in conns {
        info.tagged(
            &[
                acct,
                region,
                &c.id,
                &c.name,
                &c.location,
                &c.bandwidth,
                &c.partner_name,
                &c.provider_name,
                &c.lag_id,
                &c.aws_logical_device_id,
                &c.has_logical_redundancy,
                &c.encryption_mode,
                bool_label(c.mac_sec_capable),
                bool_label(c.jumbo_frame_capable),
            ],
            &c.tags,
            1.0,
        );
    }
    let mut state = out.family(&STATE);
    for c in conns {
        state.state_set(&[acct, region, &c.id], &c.state, &CONNECTION_STATES);
    }
    let mut bandwidth = out.family(&BANDWIDTH);
    for c in conns {
        if let Some(bits) = parse_bandwidth(&c.bandwidth) {
            bandwidth.sample(&[acct, region, &c.id], bits / 8.0);
        }
    }
}
