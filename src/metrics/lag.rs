//! Link aggregation group (LAG) families.

use super::{Family, Samples};
use crate::model::{CollectorKey, Lag};

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

const LAG: &[&str] = &["aws_account_id", "aws_region", "lag_id"];

pub static INFO: Family = Family::info(
    "lag",
    "LAG attributes and tags.",
    &[
        "aws_account_id",
        "aws_region",
        "lag_id",
        "lag_name",
        "location",
        "connections_bandwidth",
        "aws_logical_device_id",
        "has_logical_redundancy",
    ],
)
.tagged();
pub static STATE: Family = Family::state_set(
    "lag_state",
    "State of the LAG (1 for the current state).",
    LAG,
    "state",
);
pub static MINIMUM_LINKS: Family = Family::gauge(
    "lag_minimum_links",
    "Minimum number of available connections for the LAG to be up.",
    LAG,
);
pub static CONNECTIONS: Family = Family::gauge("lag_connections", "Connections in the LAG.", LAG);
pub static CONNECTIONS_AVAILABLE: Family = Family::gauge(
    "lag_connections_available",
    "Connections in the LAG in state available.",
    LAG,
);

const LAG_FAMILY: &[&str] = &["aws_account_id", "aws_region", "lag_id", "address_family"];
pub static PREFIX_POOL_SIZE: Family = Family::gauge(
    "lag_prefix_pool_size",
    "Size of the LAG's prefix pool, from which its VIFs' route allocations are drawn.",
    LAG_FAMILY,
);
pub static PREFIX_POOL_UNALLOCATED: Family = Family::gauge(
    "lag_prefix_pool_unallocated",
    "Prefixes of the LAG's pool not allocated to any VIF.",
    LAG_FAMILY,
);
pub static RATE_LIMITERS_MAX: Family = Family::gauge(
    "lag_rate_limiters_max",
    "Rate limiters the LAG allows (rateLimiterStatus maxAllowed).",
    LAG,
);
pub static RATE_LIMITERS_IN_USE: Family = Family::gauge(
    "lag_rate_limiters_in_use",
    "Rate limiters of the LAG in use (rateLimiterStatus inUse).",
    LAG,
);

pub static MACSEC_KEYS: Family = Family::gauge(
    "lag_macsec_keys",
    "MACsec keys of the LAG in each key state (never the key material). Only for MACsec-capable LAGs and LAGs with keys.",
    &["aws_account_id", "aws_region", "lag_id", "state"],
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[
    &INFO,
    &STATE,
    &MINIMUM_LINKS,
    &CONNECTIONS,
    &CONNECTIONS_AVAILABLE,
    &PREFIX_POOL_SIZE,
    &PREFIX_POOL_UNALLOCATED,
    &RATE_LIMITERS_MAX,
    &RATE_LIMITERS_IN_USE,
    &MACSEC_KEYS,
];

/// Writes the samples of one collector's LAGs.
pub fn write(key: &CollectorKey, lags: &[Lag], out: &mut Samples<'_>) {
    let (acct, region) = (key.account_id.as_str(), key.region.as_str());
    let mut info = out.family(&INFO);
    for l in lags {
        info.tagged(
            &[
                acct,
                region,
                &l.id,
                &l.name,
                &l.location,
                &l.connections_bandwidth,
                &l.aws_logical_device_id,
                &l.has_logical_redundancy,
            ],
            &l.tags,
            1.0,
        );
    }
    let mut state = out.family(&STATE);
    for l in lags {
        state.state_set(&[acct, region, &l.id], &l.state, &LAG_STATES);
    }
    type Count = fn(&Lag) -> i64;
    let counts: [(&'static Family, Count); 3] = [
        (&MINIMUM_LINKS, |l| l.minimum_links),
        (&CONNECTIONS, |l| l.connections),
        (&CONNECTIONS_AVAILABLE, |l| l.connections_available),
    ];
    for (family, count) in counts {
        let mut w = out.family(family);
        for l in lags {
            w.sample(&[acct, region, &l.id], count(l) as f64);
        }
    }
    let capacity = lags
        .iter()
        .map(|l| (l.id.as_str(), &l.prefix_pool, &l.rate_limiters));
    super::connection::write_capacity(
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
    let keys = lags
        .iter()
        .filter(|l| l.mac_sec_capable == Some(true) || !l.mac_sec_key_states.is_empty())
        .map(|l| (l.id.as_str(), l.mac_sec_key_states.as_slice()));
    super::connection::write_macsec_keys([acct, region], keys, &MACSEC_KEYS, out);
}
