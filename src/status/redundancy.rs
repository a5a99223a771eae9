//! Redundancy at a glance: healthy paths out of provisioned paths per Direct Connect
//! gateway and per virtual private gateway, by AWS logical device and location, counted
//! exactly as the recording rules in `alerts/src/directconnect.rules.yml` count them.
//!
//! - A *path* is a virtual interface in state `available`, `down` or `testing` that names
//!   the gateway (`directConnectGatewayId` / `virtualGatewayId`).
//! - A path is *healthy* when the VIF is `available` and at least one of its BGP peers has
//!   `bgpStatus` `up` (whatever the peer's state).
//! - A path in `testing` (an AWS BGP failover test) is counted apart and silences every
//!   redundancy alert of its gateway, so it gets the neutral status [`Redundancy::Testing`].
//! - Direct Connect gateways are global: their paths are summed over every account and
//!   region. Virtual private gateways are regional: keyed by account, region and id.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::VirtualInterface;

/// VIF states that make a provisioned path (the rules' `state=~"available|down|testing"`).
pub const PROVISIONED_STATES: [&str; 3] = ["available", "down", "testing"];

/// The redundancy verdict of one gateway, worst first. Each matches an alert of the rules
/// (with its `for:` duration not applied: the page shows the current state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Redundancy {
    /// No healthy path (DirectConnectGatewayNoHealthyPaths).
    NoHealthyPaths,
    /// One healthy path out of two or more (DirectConnectGatewayRedundancyLost).
    RedundancyLost,
    /// Two or more healthy paths, all on one AWS logical device although the paths span
    /// several (DirectConnectGatewayPathsOnSingleDevice).
    SingleDevice,
    /// Two or more healthy paths, all in one location although the paths span several
    /// (DirectConnectGatewayPathsInSingleLocation).
    SingleLocation,
    /// A path is in a failover test: the rules raise no redundancy alert meanwhile.
    Testing,
    /// One path, and it is healthy: nothing is lost, but there is no redundancy to lose.
    SinglePath,
    /// Redundant and healthy.
    Ok,
}

impl Redundancy {
    /// The JSON value.
    pub fn label(self) -> &'static str {
        match self {
            Redundancy::NoHealthyPaths => "no_healthy_paths",
            Redundancy::RedundancyLost => "redundancy_lost",
            Redundancy::SingleDevice => "single_device",
            Redundancy::SingleLocation => "single_location",
            Redundancy::Testing => "testing",
            Redundancy::SinglePath => "single_path",
            Redundancy::Ok => "ok",
        }
    }

    /// True for the verdicts an alert fires on.
    pub fn at_risk(self) -> bool {
        self < Redundancy::Testing
    }
}

/// Which kind of gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayKind {
    /// A Direct Connect gateway (global).
    DirectConnectGateway,
    /// A virtual private gateway (regional).
    VirtualGateway,
}

/// Healthy paths out of paths for one AWS logical device or one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathGroup {
    /// The device id or location code (empty when AWS reports none).
    pub name: String,
    /// Healthy paths in the group.
    pub healthy_paths: usize,
    /// Provisioned paths in the group.
    pub paths: usize,
}

/// One path of a gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    /// The VIF's account.
    pub account_id: String,
    /// The VIF's region.
    pub region: String,
    /// `virtualInterfaceId`.
    pub virtual_interface_id: String,
    /// `virtualInterfaceName`.
    pub virtual_interface_name: String,
    /// `awsLogicalDeviceId` of the VIF.
    pub aws_logical_device_id: String,
    /// `location` of the VIF.
    pub location: String,
    /// The VIF's state.
    pub state: String,
    /// Available with a BGP peer up.
    pub healthy: bool,
}

/// The paths of one gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayPaths {
    /// Which kind of gateway.
    pub kind: GatewayKind,
    /// `directConnectGatewayId` or `virtualGatewayId`.
    pub id: String,
    /// The Direct Connect gateway's name when a gateways collector reported it.
    pub name: String,
    /// For virtual private gateways, the account; empty for Direct Connect gateways.
    pub account_id: String,
    /// For virtual private gateways, the region; empty for Direct Connect gateways.
    pub region: String,
    /// The verdict.
    pub status: Redundancy,
    /// Healthy paths.
    pub healthy_paths: usize,
    /// Provisioned paths.
    pub paths: usize,
    /// Paths in a failover test.
    pub testing_paths: usize,
    /// By AWS logical device, in name order.
    pub by_device: Vec<PathGroup>,
    /// By location, in name order.
    pub by_location: Vec<PathGroup>,
    /// The paths themselves, unhealthy first.
    pub virtual_interfaces: Vec<Path>,
}

/// True when `v` is a provisioned path.
pub fn is_provisioned(v: &VirtualInterface) -> bool {
    PROVISIONED_STATES.contains(&v.state.as_str())
}

/// True when `v` is a healthy path: available with at least one BGP peer up.
pub fn is_healthy(v: &VirtualInterface) -> bool {
    v.state == "available" && v.bgp_peers.iter().any(|p| p.status == "up")
}

/// The gateways' paths from every VIF (with its account and region), at-risk gateways
/// first; `names` maps Direct Connect gateway ids to names.
pub fn gateway_paths<'a>(
    vifs: impl IntoIterator<Item = (&'a str, &'a str, &'a VirtualInterface)>,
    names: &BTreeMap<String, String>,
) -> Vec<GatewayPaths> {
    // (kind, account, region, id) → paths; accounts and regions empty for DX gateways.
    let mut gateways: BTreeMap<(GatewayKind, &str, &str, &str), Vec<Path>> = BTreeMap::new();
    for (account_id, region, v) in vifs {
        if !is_provisioned(v) {
            continue;
        }
        let path = || Path {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            virtual_interface_id: v.id.clone(),
            virtual_interface_name: v.name.clone(),
            aws_logical_device_id: v.aws_logical_device_id.clone(),
            location: v.location.clone(),
            state: v.state.clone(),
            healthy: is_healthy(v),
        };
        if !v.direct_connect_gateway_id.is_empty() {
            gateways
                .entry((
                    GatewayKind::DirectConnectGateway,
                    "",
                    "",
                    &v.direct_connect_gateway_id,
                ))
                .or_default()
                .push(path());
        }
        if !v.virtual_gateway_id.is_empty() {
            gateways
                .entry((
                    GatewayKind::VirtualGateway,
                    account_id,
                    region,
                    &v.virtual_gateway_id,
                ))
                .or_default()
                .push(path());
        }
    }
    let mut out: Vec<GatewayPaths> = gateways
        .into_iter()
        .map(|((kind, account_id, region, id), mut paths)| {
            paths.sort_by(|a, b| {
                (a.healthy, &a.account_id, &a.region, &a.virtual_interface_id).cmp(&(
                    b.healthy,
                    &b.account_id,
                    &b.region,
                    &b.virtual_interface_id,
                ))
            });
            let by_device = group(&paths, |p| &p.aws_logical_device_id);
            let by_location = group(&paths, |p| &p.location);
            let healthy_paths = paths.iter().filter(|p| p.healthy).count();
            let testing_paths = paths.iter().filter(|p| p.state == "testing").count();
            GatewayPaths {
                kind,
                id: id.to_owned(),
                name: names.get(id).cloned().unwrap_or_default(),
                account_id: account_id.to_owned(),
                region: region.to_owned(),
                status: verdict(
                    healthy_paths,
                    paths.len(),
                    testing_paths,
                    &by_device,
                    &by_location,
                ),
                healthy_paths,
                paths: paths.len(),
                testing_paths,
                by_device,
                by_location,
                virtual_interfaces: paths,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.status, a.kind, &a.account_id, &a.region, &a.id).cmp(&(
            b.status,
            b.kind,
            &b.account_id,
            &b.region,
            &b.id,
        ))
    });
    out
}

fn group(paths: &[Path], by: impl Fn(&Path) -> &String) -> Vec<PathGroup> {
    let mut groups: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for p in paths {
        let g = groups.entry(by(p)).or_default();
        g.0 += usize::from(p.healthy);
        g.1 += 1;
    }
    groups
        .into_iter()
        .map(|(name, (healthy_paths, paths))| PathGroup {
            name: name.to_owned(),
            healthy_paths,
            paths,
        })
        .collect()
}

/// The rules' verdict, worst first; any path in testing silences the alerts.
fn verdict(
    healthy: usize,
    paths: usize,
    testing: usize,
    by_device: &[PathGroup],
    by_location: &[PathGroup],
) -> Redundancy {
    // Healthy paths all in one group although the paths span two or more groups.
    let concentrated = |groups: &[PathGroup]| {
        healthy > 1
            && groups.len() >= 2
            && groups.iter().filter(|g| g.healthy_paths > 0).count() == 1
    };
    if testing > 0 {
        Redundancy::Testing
    } else if healthy == 0 {
        Redundancy::NoHealthyPaths
    } else if healthy == 1 && paths >= 2 {
        Redundancy::RedundancyLost
    } else if concentrated(by_device) {
        Redundancy::SingleDevice
    } else if concentrated(by_location) {
        Redundancy::SingleLocation
    } else if paths == 1 {
        Redundancy::SinglePath
    } else {
        Redundancy::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BgpPeer;

    fn peer(status: &str) -> BgpPeer {
        BgpPeer {
            bgp_peer_id: format!("p-{status}"),
            status: status.into(),
            state: "available".into(),
            ..BgpPeer::default()
        }
    }

    /// A VIF on DX gateway `gw` in `state`, on `device` at `location`, with peers.
    fn vif(
        id: &str,
        state: &str,
        device: &str,
        location: &str,
        peers: &[&str],
    ) -> VirtualInterface {
        VirtualInterface {
            id: id.into(),
            state: state.into(),
            direct_connect_gateway_id: "gw".into(),
            aws_logical_device_id: device.into(),
            location: location.into(),
            bgp_peers: peers.iter().map(|s| peer(s)).collect(),
            ..VirtualInterface::default()
        }
    }

    fn one_gateway(vifs: &[VirtualInterface]) -> GatewayPaths {
        let mut all = gateway_paths(
            vifs.iter().map(|v| ("111111111111", "us-east-1", v)),
            &BTreeMap::new(),
        );
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    #[test]
    fn a_path_is_healthy_when_available_with_any_peer_up() {
        let g = one_gateway(&[
            vif("a", "available", "d1", "L1", &["down", "up"]),
            vif("b", "available", "d2", "L2", &["down", "down"]),
            vif("c", "down", "d2", "L2", &["up"]),
        ]);
        assert_eq!((g.healthy_paths, g.paths), (1, 3));
        assert_eq!(g.status, Redundancy::RedundancyLost);
        // Unhealthy paths are listed first.
        assert!(!g.virtual_interfaces[0].healthy);
        assert!(g.virtual_interfaces[2].healthy);
    }

    #[test]
    fn only_available_down_and_testing_vifs_are_paths() {
        let g = one_gateway(&[
            vif("a", "available", "d1", "L1", &["up"]),
            vif("b", "pending", "d2", "L2", &["down"]),
            vif("c", "deleting", "d2", "L2", &["down"]),
            vif("d", "confirming", "d2", "L2", &[]),
        ]);
        assert_eq!((g.healthy_paths, g.paths), (1, 1));
        assert_eq!(g.status, Redundancy::SinglePath);
    }

    #[test]
    fn a_path_in_testing_counts_as_unhealthy_and_silences_the_verdict() {
        let g = one_gateway(&[
            vif("a", "available", "d1", "L1", &["up"]),
            vif("b", "testing", "d2", "L2", &["up"]),
        ]);
        assert_eq!((g.healthy_paths, g.paths, g.testing_paths), (1, 2, 1));
        assert_eq!(g.status, Redundancy::Testing);
    }

    #[test]
    fn no_healthy_path_is_the_worst_verdict() {
        let g = one_gateway(&[
            vif("a", "down", "d1", "L1", &["down"]),
            vif("b", "available", "d2", "L2", &["down"]),
        ]);
        assert_eq!(g.status, Redundancy::NoHealthyPaths);
        assert!(g.status.at_risk());
    }

    #[test]
    fn healthy_paths_on_one_device_of_several_lose_device_redundancy() {
        let g = one_gateway(&[
            vif("a", "available", "d1", "L1", &["up"]),
            vif("b", "available", "d1", "L2", &["up"]),
            vif("c", "down", "d2", "L2", &["down"]),
        ]);
        assert_eq!(g.status, Redundancy::SingleDevice);
        assert_eq!(
            g.by_device,
            vec![
                PathGroup {
                    name: "d1".into(),
                    healthy_paths: 2,
                    paths: 2
                },
                PathGroup {
                    name: "d2".into(),
                    healthy_paths: 0,
                    paths: 1
                },
            ]
        );
        assert_eq!(g.by_location.len(), 2);
    }

    #[test]
    fn healthy_paths_in_one_location_of_several_lose_location_redundancy() {
        let g = one_gateway(&[
            vif("a", "available", "d1", "L1", &["up"]),
            vif("b", "available", "d2", "L1", &["up"]),
            vif("c", "down", "d3", "L2", &["down"]),
        ]);
        assert_eq!(g.status, Redundancy::SingleLocation);
        assert!(g.status.at_risk());
    }

    #[test]
    fn two_healthy_paths_on_two_devices_and_locations_are_ok() {
        let g = one_gateway(&[
            vif("a", "available", "d1", "L1", &["up"]),
            vif("b", "available", "d2", "L2", &["up", "down"]),
        ]);
        assert_eq!(g.status, Redundancy::Ok);
        assert!(!g.status.at_risk());
    }

    #[test]
    fn direct_connect_gateways_span_accounts_and_virtual_gateways_do_not() {
        let mut a = vif("a", "available", "d1", "L1", &["up"]);
        a.virtual_gateway_id = "vgw-1".into();
        let mut b = vif("b", "available", "d2", "L2", &["up"]);
        b.virtual_gateway_id = "vgw-1".into();
        let names = [("gw".to_owned(), "core".to_owned())].into();
        let all = gateway_paths(
            [
                ("111111111111", "us-east-1", &a),
                ("222222222222", "us-east-1", &b),
            ],
            &names,
        );
        assert_eq!(all.len(), 3);
        let dx: Vec<_> = all
            .iter()
            .filter(|g| g.kind == GatewayKind::DirectConnectGateway)
            .collect();
        assert_eq!((dx[0].paths, dx[0].name.as_str()), (2, "core"));
        let vgw: Vec<_> = all
            .iter()
            .filter(|g| g.kind == GatewayKind::VirtualGateway)
            .map(|g| (g.account_id.as_str(), g.paths, g.status))
            .collect();
        assert_eq!(
            vgw,
            vec![
                ("111111111111", 1, Redundancy::SinglePath),
                ("222222222222", 1, Redundancy::SinglePath)
            ]
        );
    }

    #[test]
    fn gateways_at_risk_are_listed_first() {
        let mut ok1 = vif("a", "available", "d1", "L1", &["up"]);
        ok1.direct_connect_gateway_id = "gw-a".into();
        let mut ok2 = vif("b", "available", "d2", "L2", &["up"]);
        ok2.direct_connect_gateway_id = "gw-a".into();
        let mut bad = vif("c", "down", "d1", "L1", &["down"]);
        bad.direct_connect_gateway_id = "gw-z".into();
        let all = gateway_paths([&ok1, &ok2, &bad].map(|v| ("1", "r", v)), &BTreeMap::new());
        let order: Vec<_> = all.iter().map(|g| (g.id.as_str(), g.status)).collect();
        assert_eq!(
            order,
            vec![
                ("gw-z", Redundancy::NoHealthyPaths),
                ("gw-a", Redundancy::Ok)
            ]
        );
    }
}
