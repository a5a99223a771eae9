//! The large-fleet generator: deterministic scenarios of any size for benchmarks and paging tests.

use std::collections::BTreeMap;
use std::time::Duration;

use super::spec::{
    AccountSpec, ConnectionSpec, FlapEvent, GatewaySpec, PeerSpec, RegionSpec, Scenario,
    TimelineEvent, VifSpec,
};
use crate::duration::PromDuration;

/// Parameters of [`Scenario::generate`]. Region names are taken, in order, from a fixed
/// list of 20 real regions ([`GENERATED_REGIONS`]); `regions` is capped at 20.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSpec {
    /// Number of accounts; the first is 111111111111, the second 222222222222.
    pub accounts: usize,
    /// Number of regions per account (1..=20).
    pub regions: usize,
    /// VIFs in each account × region.
    pub vifs_per_region: usize,
    /// 1 (IPv4) or 2 (IPv4 + IPv6).
    pub peers_per_vif: usize,
    /// Connections per account × region that the VIFs are spread over (at least 1).
    pub connections_per_region: usize,
    /// VIFs per account × region whose first peer flaps (every 4m, down 60s).
    pub flapping_vifs_per_region: usize,
    /// One Direct Connect gateway per account × region, holding that region's VIFs;
    /// otherwise one gateway per account holds the VIFs of every region.
    pub gateway_per_region: bool,
}

impl Default for GenerateSpec {
    fn default() -> Self {
        GenerateSpec {
            accounts: 1,
            regions: 1,
            vifs_per_region: 10,
            peers_per_vif: 1,
            connections_per_region: 4,
            flapping_vifs_per_region: 0,
            gateway_per_region: false,
        }
    }
}

/// Region names used by the generator.
pub const GENERATED_REGIONS: [&str; 20] = [
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "us-east-2",
    "eu-west-2",
    "ca-central-1",
    "sa-east-1",
    "ap-south-1",
    "eu-north-1",
    "us-west-1",
    "eu-west-3",
    "ap-northeast-2",
    "ap-southeast-1",
    "eu-south-1",
    "me-south-1",
    "af-south-1",
    "ap-east-1",
];

impl Scenario {
    /// Builds a large, deterministic fleet for benchmarks and pagination tests.
    pub fn generate(spec: &GenerateSpec) -> Scenario {
        let mut accounts = Vec::new();
        let mut timeline = Vec::new();
        let mut counter: u64 = 0;
        let regions = spec.regions.clamp(1, GENERATED_REGIONS.len());
        let conns = spec.connections_per_region.max(1);
        for a in 0..spec.accounts.max(1) {
            let id = match a {
                0 => "111111111111".to_owned(),
                1 => "222222222222".to_owned(),
                n => format!("{:012}", 300_000_000_000u64 + n as u64),
            };
            let gateway = |g: usize| GatewaySpec {
                id: format!("{a:08x}-0000-4000-8000-{g:012x}"),
                name: format!("dxgw-{a}-{g}"),
                ..GatewaySpec::default()
            };
            let mut account = AccountSpec {
                id: id.clone(),
                gateways: vec![gateway(0)],
                ..AccountSpec::default()
            };
            for (r, region) in GENERATED_REGIONS.iter().take(regions).enumerate() {
                if spec.gateway_per_region && r > 0 {
                    account.gateways.push(gateway(r));
                }
                let gw_id = account.gateways.last().map(|g| g.id.clone());
                let mut rs = RegionSpec::default();
                let mut conn_ids = Vec::new();
                for c in 0..conns {
                    counter += 1;
                    let cid = format!("dxcon-g{counter:07x}");
                    conn_ids.push(cid.clone());
                    rs.connections.push(ConnectionSpec {
                        id: cid,
                        name: format!("{region}-conn-{c}"),
                        location: format!("Loc{}", c % 3),
                        bandwidth: "10Gbps".into(),
                        ..ConnectionSpec::default()
                    });
                }
                for v in 0..spec.vifs_per_region {
                    counter += 1;
                    let vid = format!("dxvif-g{counter:07x}");
                    let vif_type = match v % 5 {
                        0 => "public",
                        1 => "transit",
                        _ => "private",
                    };
                    let asn = if v % 7 == 0 {
                        4_200_000_000 + v as u64
                    } else {
                        65000 + (v as u64 % 500)
                    };
                    let mut peers = vec![PeerSpec::default()];
                    if spec.peers_per_vif >= 2 {
                        peers.push(PeerSpec {
                            family: "ipv6".into(),
                            ..PeerSpec::default()
                        });
                    }
                    if v < spec.flapping_vifs_per_region {
                        timeline.push(TimelineEvent::flap(&vid, "ipv4", 240, 60));
                    }
                    rs.virtual_interfaces.push(VifSpec {
                        id: vid,
                        name: format!("{region}-vif-{v}"),
                        vif_type: vif_type.into(),
                        connection: conn_ids[v % conns].clone(),
                        vlan: 100 + (v as u32 % 3990),
                        asn,
                        gateway: gw_id.clone().filter(|_| vif_type != "public"),
                        tags: BTreeMap::from([
                            ("Name".to_owned(), format!("vif-{v}")),
                            (
                                "env".to_owned(),
                                if v % 2 == 0 { "prod" } else { "dev" }.into(),
                            ),
                        ]),
                        peers,
                        ..VifSpec::default()
                    });
                }
                account.regions.insert((*region).to_owned(), rs);
            }
            accounts.push(account);
        }
        let mut scenario = Scenario { accounts, timeline };
        // Generated data satisfies every rule by construction; validation fills defaults.
        if let Err(super::Invalid { path, message }) = scenario.validate() {
            tracing::error!(%path, %message, "generated scenario failed validation");
        }
        scenario
    }
}

impl TimelineEvent {
    /// A flap event starting at 0 (used by the generator).
    fn flap(vif: &str, family: &str, every_s: u64, down_s: u64) -> TimelineEvent {
        TimelineEvent {
            at: PromDuration(Duration::ZERO),
            peer: None,
            flap: Some(FlapEvent {
                virtual_interface_id: vif.to_owned(),
                address_family: Some(family.to_owned()),
                bgp_peer_id: None,
                every: PromDuration(Duration::from_secs(every_s)),
                down_for: PromDuration(Duration::from_secs(down_s)),
            }),
            virtual_interface: None,
            connection: None,
            lag: None,
            fault: None,
            routes: None,
            encryption: None,
            failover_test: None,
            optics: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_builds_the_requested_number_of_vifs_and_peers() {
        let s = Scenario::generate(&GenerateSpec {
            accounts: 2,
            regions: 3,
            vifs_per_region: 50,
            peers_per_vif: 2,
            ..GenerateSpec::default()
        });
        assert_eq!(s.accounts(), vec!["111111111111", "222222222222"]);
        assert_eq!(s.regions().len(), 3);
        let vifs: usize = s
            .accounts
            .iter()
            .flat_map(|a| a.regions.values())
            .map(|r| r.virtual_interfaces.len())
            .sum();
        assert_eq!(vifs, 300);
        assert!(
            s.accounts[0].regions["us-east-1"]
                .virtual_interfaces
                .iter()
                .all(|v| v.peers.len() == 2)
        );
    }

    #[test]
    fn twenty_regions_with_a_gateway_each_put_every_private_vif_on_its_regions_gateway() {
        let s = Scenario::generate(&GenerateSpec {
            regions: 25,
            vifs_per_region: 5,
            gateway_per_region: true,
            ..GenerateSpec::default()
        });
        assert_eq!(s.regions().len(), GENERATED_REGIONS.len());
        let account = &s.accounts[0];
        assert_eq!(account.gateways.len(), 20);
        for (region, gw) in GENERATED_REGIONS.iter().zip(&account.gateways) {
            let on_gateway: Vec<_> = account.regions[*region]
                .virtual_interfaces
                .iter()
                .filter_map(|v| v.gateway.as_deref())
                .collect();
            assert_eq!(on_gateway.len(), 4, "{region}");
            assert!(on_gateway.iter().all(|g| *g == gw.id), "{region}");
        }
    }

    #[test]
    fn generated_ids_survive_revalidation() {
        let s = Scenario::generate(&GenerateSpec {
            vifs_per_region: 20,
            flapping_vifs_per_region: 2,
            ..GenerateSpec::default()
        });
        let yaml = serde_yaml_ng::to_string(&s).unwrap();
        Scenario::from_yaml(&yaml, "generated").unwrap();
    }
}
