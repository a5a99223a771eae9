//! Route families (the opt-in `routes` collector): accepted and advertised routes per VIF
//! and address family, and the accepted-route limit over which AWS puts the session down.

use super::{Family, Samples};
use crate::model::{CollectorKey, VifRoutes};

const VIF_FAMILY: &[&str] = &[
    "aws_account_id",
    "aws_region",
    "virtual_interface_id",
    "address_family",
];

/// `direction` values of `bgp_routes`.
pub const ROUTE_DIRECTIONS: [&str; 2] = ["accepted", "advertised"];

pub static ROUTES: Family = Family::gauge(
    "bgp_routes",
    "Routes of the virtual interface's BGP session in the address family: accepted from the customer, or advertised by AWS.",
    &[
        "aws_account_id",
        "aws_region",
        "virtual_interface_id",
        "address_family",
        "direction",
    ],
);
pub static ROUTE_LIMIT: Family = Family::gauge(
    "bgp_route_limit",
    "Accepted routes the session allows: the VIF's prefix pool allocation when reported, else 100 (private, transit) or 1000 (public). Over it, AWS puts the session down.",
    VIF_FAMILY,
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[&ROUTES, &ROUTE_LIMIT];

/// Writes the samples of one routes collector.
pub fn write(key: &CollectorKey, vifs: &[VifRoutes], out: &mut Samples<'_>) {
    let (acct, region) = (key.account_id.as_str(), key.region.as_str());
    let mut routes = out.family(&ROUTES);
    for v in vifs {
        for f in &v.families {
            let base = [acct, region, &v.virtual_interface_id, &f.address_family];
            for (direction, n) in ROUTE_DIRECTIONS.iter().zip([f.accepted, f.advertised]) {
                let mut labels = base.to_vec();
                labels.push(direction);
                routes.sample(&labels, n as f64);
            }
        }
    }
    let mut limit = out.family(&ROUTE_LIMIT);
    for v in vifs {
        for f in &v.families {
            limit.sample(
                &[acct, region, &v.virtual_interface_id, &f.address_family],
                f.limit as f64,
            );
        }
    }
}
