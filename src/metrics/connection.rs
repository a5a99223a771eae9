//! Connection families.

use super::{Family, Samples, bool_label};
use crate::model::{CollectorKey, Connection, PerFamily, PrefixPool, RateLimiters};

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

/// `status` values of `connection_encryption_status`.
pub const ENCRYPTION_STATUSES: [&str; 3] = ["up", "down", "unknown"];
/// `state` values of `connection_macsec_keys` and `lag_macsec_keys` (MACsec key states).
pub const MACSEC_KEY_STATES: [&str; 5] = [
    "associating",
    "associated",
    "disassociating",
    "disassociated",
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

const CONNECTION_FAMILY: &[&str] = &[
    "aws_account_id",
    "aws_region",
    "connection_id",
    "address_family",
];
pub static PREFIX_POOL_SIZE: Family = Family::gauge(
    "connection_prefix_pool_size",
    "Size of the connection's prefix pool, from which its VIFs' route allocations are drawn.",
    CONNECTION_FAMILY,
);
pub static PREFIX_POOL_UNALLOCATED: Family = Family::gauge(
    "connection_prefix_pool_unallocated",
    "Prefixes of the connection's pool not allocated to any VIF.",
    CONNECTION_FAMILY,
);
pub static RATE_LIMITERS_MAX: Family = Family::gauge(
    "connection_rate_limiters_max",
    "Rate limiters the connection allows (rateLimiterStatus maxAllowed).",
    CONNECTION,
);
pub static RATE_LIMITERS_IN_USE: Family = Family::gauge(
    "connection_rate_limiters_in_use",
    "Rate limiters of the connection in use (rateLimiterStatus inUse).",
    CONNECTION,
);

pub static ENCRYPTION_STATUS: Family = Family::state_set(
    "connection_encryption_status",
    "MACsec encryption of the connection's port from portEncryptionStatus (Encryption Up: up, Encryption Down: down, else unknown; 1 for the current status). Only for connections that are MACsec-capable, report a status or have an encryption mode that asks for encryption.",
    CONNECTION,
    "status",
);
pub static MACSEC_KEYS: Family = Family::gauge(
    "connection_macsec_keys",
    "MACsec keys of the connection in each key state (never the key material). Only for MACsec-capable connections and connections with keys.",
    &["aws_account_id", "aws_region", "connection_id", "state"],
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[
    &INFO,
    &STATE,
    &BANDWIDTH,
    &PREFIX_POOL_SIZE,
    &PREFIX_POOL_UNALLOCATED,
    &RATE_LIMITERS_MAX,
    &RATE_LIMITERS_IN_USE,
    &ENCRYPTION_STATUS,
    &MACSEC_KEYS,
];

/// The `status` of `connection_encryption_status` for a `portEncryptionStatus`.
///
/// ```
/// use directconnect_exporter::metrics::encryption_status;
/// assert_eq!(encryption_status("Encryption Up"), "up");
/// assert_eq!(encryption_status("Encryption Down"), "down");
/// assert_eq!(encryption_status(""), "unknown");
/// assert_eq!(encryption_status("Encryption Sideways"), "unknown");
/// ```
pub fn encryption_status(port_encryption_status: &str) -> &'static str {
    match port_encryption_status {
        "Encryption Up" => "up",
        "Encryption Down" => "down",
        _ => "unknown",
    }
}

/// Whether a connection's MACsec posture is exported: it is MACsec-capable, reports a
/// port encryption status, or its encryption mode asks for encryption. Other connections
/// have no MACsec to speak of and get no series.
pub fn has_macsec(c: &Connection) -> bool {
    c.mac_sec_capable == Some(true)
        || !c.port_encryption_status.is_empty()
        || !c.mac_sec_key_states.is_empty()
        || matches!(
            c.encryption_mode.as_str(),
            "should_encrypt" | "must_encrypt"
        )
}

/// Writes one series per MACsec key state with the number of keys in it, for each item
/// (id, key states) of a connection or LAG.
pub(super) fn write_macsec_keys<'a>(
    [acct, region]: [&str; 2],
    items: impl Iterator<Item = (&'a str, &'a [String])>,
    family: &'static Family,
    out: &mut Samples<'_>,
) {
    let mut w = out.family(family);
    for (id, states) in items {
        for state in MACSEC_KEY_STATES {
            let n = states
                .iter()
                .filter(|s| super::normalize(s, &MACSEC_KEY_STATES) == state)
                .count();
            w.sample(&[acct, region, id, state], n as f64);
        }
    }
}

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
    let capacity = conns
        .iter()
        .map(|c| (c.id.as_str(), &c.prefix_pool, &c.rate_limiters));
    write_capacity(
        [acct, region],
        capacity,
        [
            &PREFIX_POOL_SIZE,
            &PREFIX_POOL_UNALLOCATED,
            &RATE_LIMITERS_MAX,
            &RATE_LIMITERS_IN_USE,
        ],
        out,
    );
    let mut encryption = out.family(&ENCRYPTION_STATUS);
    for c in conns.iter().filter(|c| has_macsec(c)) {
        encryption.state_set(
            &[acct, region, &c.id],
            encryption_status(&c.port_encryption_status),
            &ENCRYPTION_STATUSES,
        );
    }
    let keys = conns
        .iter()
        .filter(|c| c.mac_sec_capable == Some(true) || !c.mac_sec_key_states.is_empty())
        .map(|c| (c.id.as_str(), c.mac_sec_key_states.as_slice()));
    write_macsec_keys([acct, region], keys, &MACSEC_KEYS, out);
}

/// Writes the prefix pool and rate limiter samples of connections or LAGs: `families`
/// are the pool size, pool unallocated, limiters max and limiters in use families of
/// the domain; `items` are (id, pool, limiters).
pub(super) fn write_capacity<'a>(
    [acct, region]: [&str; 2],
    items: impl Iterator<Item = (&'a str, &'a PrefixPool, &'a Option<RateLimiters>)> + Clone,
    [size, unallocated, max, in_use]: [&'static Family; 4],
    out: &mut Samples<'_>,
) {
    for (family, pick) in [
        (
            size,
            (|p: &PrefixPool| p.size) as fn(&PrefixPool) -> PerFamily,
        ),
        (unallocated, |p| p.unallocated),
    ] {
        let mut w = out.family(family);
        for (id, pool, _) in items.clone() {
            for (af, n) in pick(pool).present() {
                w.sample(&[acct, region, id, af], n as f64);
            }
        }
    }
    for (family, pick) in [
        (
            max,
            (|r: &RateLimiters| r.max_allowed) as fn(&RateLimiters) -> i64,
        ),
        (in_use, |r| r.in_use),
    ] {
        let mut w = out.family(family);
        for (id, _, limiters) in items.clone() {
            if let Some(r) = limiters {
                w.sample(&[acct, region, id], pick(r) as f64);
            }
        }
    }
}
