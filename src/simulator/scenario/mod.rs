//! Scenario files for the simulator: loading and parsing, and the derived values (ids, keys, addresses) a fleet is filled with.
//!
//! # YAML format
//!
//! A scenario is a fleet (per account, per region) plus a timeline of events. Unknown keys
//! are errors; parse errors name the line and column, validation errors name the path of
//! the offending field. Durations use the Prometheus style (`45s`, `4m`, `1h30m`) and are
//! measured in simulated time from the simulator's start. Every state is a plain string,
//! so values outside the API enums (e.g. `flux`) can be used to test unknown-enum handling.
//!
//! ```yaml
//! accounts:
//!   - id: "111111111111"              # 12 digits; the access key id selects the account
//!     deny_assume_role: false          # true: STS AssumeRole into this account is denied
//!     support_plan: business           # basic or developer: AWS Health answers
//!                                      #   SubscriptionRequiredException
//!     maintenance:                     # AWS Health scheduled changes (DIRECTCONNECT)
//!       - {region: us-east-1, resources: [dxcon-aaaa0001], starts_in: 30h, duration: 4h}
//!     gateways:                        # Direct Connect gateways are global per account
//!       - id: 5f294f92-bafb-4011-916d-9b0bec0bd6ab
//!         name: core-dxgw
//!         amazon_side_asn: 64512
//!         state: available
//!     associations:
//!       - id: 6a7b8c9d-0000-4000-8000-000000000001
//!         gateway_id: 5f294f92-bafb-4011-916d-9b0bec0bd6ab
//!         associated_gateway: {id: tgw-0a1b2c3d, type: transitGateway, region: us-east-1}
//!         allowed_prefixes: [10.0.0.0/16]
//!         state_change_error: "..."          # stateChangeError, when a change failed
//!     regions:
//!       us-east-1:
//!         connections:
//!           - {id: dxcon-aaaa0001, name: nyc-1, location: EqDC2, bandwidth: 10Gbps,
//!              mac_sec_capable: true, encryption_mode: must_encrypt,   # MACsec (a key is
//!              port_encryption_status: Encryption Up}                  #  generated)
//!           - id: dxcon-aaaa0004
//!             name: nyc-100g
//!             location: EqDC2
//!             bandwidth: 100Gbps           # 4 optical lanes in CloudWatch (1 below 100G)
//!             optics: {tx_dbm: 1.1, rx_dbm: -3.0}   # every lane; healthy defaults when unset
//!         lags:
//!           - id: dxlag-aaaa0001
//!             name: lag-1
//!             location: EqDC2
//!             bandwidth: 10Gbps            # connectionsBandwidth
//!             minimum_links: 1
//!             connections:                 # member connections (also in DescribeConnections)
//!               - {id: dxcon-aaaa0002, name: lag-1-a}
//!               - {id: dxcon-aaaa0003, name: lag-1-b}
//!         virtual_interfaces:
//!           - id: dxvif-aaaa0001
//!             name: prod-vpc
//!             type: private                # private | public | transit
//!             connection: dxcon-aaaa0001   # a connection or LAG id in the same region
//!             vlan: 101
//!             asn: 4200000000              # 4-byte ASNs are sent as asn 0 + asnLong
//!             gateway: 5f294f92-bafb-4011-916d-9b0bec0bd6ab   # attachment is derived
//!             attachment_state_change_error: "..."   # the attachment's stateChangeError
//!             failover_tests:              # BGP failover test history, before the start
//!               - {ago: 30d, duration: 5m, status: completed}   # status: any string
//!             tags: {Name: prod-vpc, env: prod}
//!             traffic_bps: 2.5e9           # CloudWatch egress while up (ingress 60 %)
//!             peers:
//!               - {family: ipv4, status: up}
//!               - {family: ipv6, status: up, state: available}
//! timeline:                            # each entry has `at` and exactly one event
//!   - {at: 45s, peer: {virtual_interface_id: dxvif-aaaa0001, address_family: ipv4, bgp_status: down}}
//!   - {at: 1m45s, peer: {virtual_interface_id: dxvif-aaaa0001, address_family: ipv4, bgp_status: up}}
//!   - {at: 0s, flap: {virtual_interface_id: dxvif-aaaa0001, address_family: ipv6, every: 4m, down_for: 60s}}
//!   - {at: 3m, virtual_interface: {id: dxvif-aaaa0001, state: down}}
//!   - {at: 3m, connection: {id: dxcon-aaaa0001, state: down}}
//!   - {at: 3m, lag: {id: dxlag-aaaa0001, state: down}}
//!   - {at: 4m, encryption: {connection_id: dxcon-aaaa0001, port_encryption_status: Encryption Down}}
//!   - {at: 5m, failover_test: {virtual_interface_id: dxvif-aaaa0001, for: 2m}}   # testing, peers down
//!   - {at: 4m, optics: {connection_id: dxcon-aaaa0004, rx_dbm: -12.5}}
//!   - {at: 10m, fault: {kind: throttle, for: 30s, operation: DescribeVirtualInterfaces, account: "111111111111", region: us-east-1}}
//! ```
//!
//! Omitted fields get realistic defaults: peer ids, peer addresses (IPv6 from the
//! service pool), auth keys, router configs, locations and device ids (from the
//! connection), MACsec keys on MACsec-capable connections. A flap is down while
//! `(now - at) mod every < down_for`; a `peer` event never cancels a flap.
//!
//! The serde types are in `spec/` (one file per part of the fleet, and the timeline), the
//! validation passes in `validate.rs`, the large-fleet generator in `generate.rs`.

mod generate;
mod spec;
mod validate;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

pub use generate::{GENERATED_REGIONS, GenerateSpec};
pub use spec::{
    AccountSpec, AssociatedGatewaySpec, AssociationSpec, ConnectionSpec, EncryptionEvent,
    FailoverTestEvent, FailoverTestSpec, FaultWindow, Flap, FlapEvent, GatewaySpec, LagSpec,
    MacSecKeySpec, MaintenanceSpec, Optics, OpticsEvent, PeerEvent, PeerSpec, PerFamily,
    RegionSpec, RouteCounts, RoutesEvent, Scenario, StateEvent, TimelineEvent, VifRoutes, VifSpec,
};
use validate::Validator;
pub(crate) use validate::{Invalid, failover_test_id};

/// Why a scenario was rejected. The message names the file and the line or field path.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        /// The path given to [`Scenario::load`].
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed or has unknown/mistyped fields (message has line and column).
    #[error("{origin}: {source}")]
    Parse {
        /// File name or other origin label.
        origin: String,
        /// The YAML error, which carries the location.
        source: serde_yaml_ng::Error,
    },
    /// The YAML parsed but breaks a rule (duplicate id, unknown reference, ...).
    #[error("{origin}{}: {path}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// File name or other origin label.
        origin: String,
        /// Best-effort 1-based line: the last line mentioning the offending value.
        line: Option<usize>,
        /// Field path, e.g. `accounts[0].regions.us-east-1.virtual_interfaces[2].vlan`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// A bounded label for metrics/logs.
    pub fn label(&self) -> &'static str {
        match self {
            ScenarioError::Read { .. } => "read",
            ScenarioError::Parse { .. } => "parse",
            ScenarioError::Invalid { .. } => "invalid",
        }
    }
}

const DEMO_YAML: &str = include_str!("demo.yaml");

impl Scenario {
    /// The bundled demo fleet (`src/simulator/scenario/demo.yaml`): two accounts, two regions, a
    /// LAG, private/public/transit VIFs, a 4-byte ASN, a gateway, and a timeline that moves.
    #[allow(
        clippy::expect_used,
        reason = "a compile-time constant covered by a unit test, not input"
    )]
    pub fn demo() -> Scenario {
        // The bundled file is a compile-time constant covered by a unit test.
        Scenario::from_yaml(DEMO_YAML, "demo.yaml").expect("bundled demo.yaml is valid")
    }

    /// Parses and validates a scenario; `origin` names it in errors (e.g. the file path).
    pub fn from_yaml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        crate::config::check_bounds(text, crate::config::SCENARIO_LIMITS).map_err(|e| {
            ScenarioError::Invalid {
                origin: origin.to_owned(),
                line: None,
                path: "document".to_owned(),
                message: e.to_string(),
            }
        })?;
        let mut scenario: Scenario =
            serde_yaml_ng::from_str(text).map_err(|source| ScenarioError::Parse {
                origin: origin.to_owned(),
                source,
            })?;
        scenario
            .validate()
            .map_err(|Invalid { path, message }| ScenarioError::Invalid {
                origin: origin.to_owned(),
                line: offending_line(text, &message),
                path,
                message,
            })?;
        Ok(scenario)
    }

    /// Reads, parses and validates a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let max = crate::config::SCENARIO_LIMITS.max_bytes;
        let text = crate::config::read_to_string_bounded(path, max).map_err(|source| {
            ScenarioError::Read {
                path: path.display().to_string(),
                source,
            }
        })?;
        Scenario::from_yaml(&text, &path.display().to_string())
    }

    /// Account ids in scenario order.
    pub fn accounts(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.id.clone()).collect()
    }

    /// All region names used by any account, sorted and deduplicated.
    pub fn regions(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .accounts
            .iter()
            .flat_map(|a| a.regions.keys())
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Validates references and uniqueness and fills derived fields (see `validate.rs`).
    pub(crate) fn validate(&mut self) -> Result<(), Invalid> {
        Validator::run(self)
    }
}

/// What a VIF inherits from the connection or LAG it sits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// Location code.
    pub location: String,
    /// `awsDeviceV2`.
    pub device: String,
    /// `awsLogicalDeviceId`.
    pub logical_device: String,
    /// `jumboFrameCapable`.
    pub jumbo: bool,
}

impl Link {
    /// The facts of a connection (standalone or a LAG member).
    pub(crate) fn of_connection(c: &ConnectionSpec) -> Link {
        Link {
            location: c.location.clone(),
            device: c.aws_device_v2.clone(),
            logical_device: c.aws_logical_device_id.clone(),
            jumbo: c.jumbo_frame_capable,
        }
    }

    /// The facts of a LAG.
    pub(crate) fn of_lag(l: &LagSpec) -> Link {
        Link {
            location: l.location.clone(),
            device: l.aws_device_v2.clone(),
            logical_device: l.aws_logical_device_id.clone(),
            jumbo: l.jumbo_frame_capable,
        }
    }
}

/// The last line of `text` that mentions the first quoted value of `message` (validation
/// messages quote the offending id or value), as a 1-based line number.
fn offending_line(text: &str, message: &str) -> Option<usize> {
    let needle = message.split('"').nth(1).filter(|n| !n.is_empty())?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .last()
        .map(|(i, _)| i + 1)
}

/// FNV-1a, for deterministic derived ids and addresses.
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A realistic-looking BGP MD5 key derived from `seed` (a secret by design).
pub(crate) fn secret_key(seed: &str) -> String {
    format!("0x{:016x}SiMsecret", fnv(seed))
}

/// Service-assigned peer addresses: a /30 in 169.254.0.0/16 for IPv4, a /125 from an
/// Amazon IPv6 pool for IPv6. Returns (amazon, customer).
pub(crate) fn peer_addresses(family: &str, seed: u64) -> (String, String) {
    if family == "ipv6" {
        let a = (seed >> 16) as u16;
        let b = seed as u16;
        (
            format!("2600:1f18:{a:x}:{b:x}::1/125"),
            format!("2600:1f18:{a:x}:{b:x}::2/125"),
        )
    } else {
        let third = (seed >> 8) as u8;
        let fourth = (seed as u8) & 0xfc;
        (
            format!("169.254.{third}.{}/30", fourth + 1),
            format!("169.254.{third}.{}/30", fourth + 2),
        )
    }
}

/// Fills empty device fields from the location and the resource id.
fn fill_devices(
    location: &str,
    id: &str,
    dev: &mut String,
    dev_v2: &mut String,
    logical: &mut String,
) {
    let h = fnv(id);
    if dev.is_empty() {
        *dev = format!("{location}-{:x}", h as u32);
    }
    if dev_v2.is_empty() {
        *dev_v2 = dev.clone();
    }
    if logical.is_empty() {
        *logical = format!("{location}-{:x}", (h >> 32) as u32);
    }
}

/// A Cisco-style customer router config carrying the auth key (a secret by design).
pub(crate) fn router_config(vif: &VifSpec) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "! AWS Direct Connect virtual interface {}", vif.id);
    let _ = writeln!(out, "interface GigabitEthernet0/1.{}", vif.vlan);
    let _ = writeln!(out, " encapsulation dot1Q {}", vif.vlan);
    for peer in &vif.peers {
        let _ = writeln!(out, "router bgp {}", peer.asn);
        let _ = writeln!(
            out,
            " neighbor {} remote-as {}",
            peer.amazon_address.split('/').next().unwrap_or_default(),
            vif.amazon_side_asn
        );
        let _ = writeln!(
            out,
            " neighbor {} password {}",
            peer.amazon_address.split('/').next().unwrap_or_default(),
            peer.auth_key
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_bundled_demo_parses_and_has_two_accounts_and_two_regions() {
        let s = Scenario::demo();
        assert_eq!(s.accounts(), vec!["111111111111", "222222222222"]);
        assert_eq!(s.regions(), vec!["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn the_demo_has_everything_the_dashboards_and_alerts_need() {
        let s = Scenario::demo();
        let regions: Vec<&RegionSpec> =
            s.accounts.iter().flat_map(|a| a.regions.values()).collect();
        let conns: Vec<&ConnectionSpec> = regions.iter().flat_map(|r| &r.connections).collect();
        let lags: Vec<&LagSpec> = regions.iter().flat_map(|r| &r.lags).collect();
        let vifs: Vec<&VifSpec> = regions.iter().flat_map(|r| &r.virtual_interfaces).collect();
        assert!(conns.len() >= 3);
        assert!(lags.iter().any(|l| {
            l.minimum_links == 1
                && conns
                    .iter()
                    .filter(|c| c.lag_id.as_deref() == Some(l.id.as_str()))
                    .count()
                    == 2
        }));
        assert!(vifs.len() >= 8);
        for t in ["private", "public", "transit"] {
            assert!(vifs.iter().any(|v| v.vif_type == t), "{t}");
        }
        for f in ["ipv4", "ipv6"] {
            assert!(
                vifs.iter().flat_map(|v| &v.peers).any(|p| p.family == f),
                "{f}"
            );
        }
        assert!(vifs.iter().any(|v| v.asn == 4_200_000_000));
        assert!(
            vifs.iter()
                .all(|v| v.tags.contains_key("Name") && v.tags.contains_key("env"))
        );
        // A redundant pair: same gateway, different logical devices and locations.
        let gw = "5f294f92-bafb-4011-916d-9b0bec0bd6ab";
        let on_gw: Vec<&&VifSpec> = vifs
            .iter()
            .filter(|v| v.gateway.as_deref() == Some(gw))
            .collect();
        assert!(on_gw.iter().any(|a| on_gw.iter().any(
            |b| a.location != b.location && a.aws_logical_device_id != b.aws_logical_device_id
        )));
        assert!(!s.accounts[0].associations.is_empty());
        // A healthy baseline at t=0 and movement within two minutes.
        assert!(vifs.iter().all(|v| v.state == "available"));
        assert!(
            vifs.iter()
                .flat_map(|v| &v.peers)
                .all(|p| p.status == "up" && p.state == "available")
        );
        assert!(s.timeline.iter().any(|e| {
            e.at.0 < Duration::from_secs(60)
                && e.peer
                    .as_ref()
                    .is_some_and(|p| p.bgp_status.as_deref() == Some("down"))
        }));
        assert!(s.timeline.iter().any(|e| e.flap.is_some()));
        assert!(s.timeline.iter().any(|e| e.virtual_interface.is_some()));
        // CloudWatch: optics that degrade below the 10G band, a 100G port (four lanes).
        assert!(s.timeline.iter().any(|e| {
            e.optics
                .as_ref()
                .and_then(|o| o.rx_dbm)
                .is_some_and(|rx| rx < -14.4)
        }));
        assert!(conns.iter().any(|c| c.bandwidth == "100Gbps"));
    }

    #[test]
    fn unknown_fields_are_rejected_with_a_line_number() {
        let err = Scenario::from_yaml(
            "accounts:\n  - id: \"111111111111\"\n    colour: red\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("x.yaml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn the_example_in_the_module_docs_is_a_valid_scenario() {
        let source = include_str!("mod.rs");
        let yaml: String = source
            .lines()
            .skip_while(|l| !l.starts_with("//! ```yaml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| {
                format!(
                    "{}\n",
                    l.strip_prefix("//!")
                        .unwrap_or(l)
                        .strip_prefix(' ')
                        .unwrap_or("")
                )
            })
            .collect();
        assert!(yaml.contains("timeline:"), "{yaml}");
        let s = Scenario::from_yaml(&yaml, "docs").unwrap();
        assert_eq!(s.timeline.len(), 10);
        assert_eq!(s.accounts[0].regions["us-east-1"].connections.len(), 4);
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_the_path() {
        let err = Scenario::load("/nonexistent/scenario.yaml").unwrap_err();
        assert_eq!(err.label(), "read");
        assert!(err.to_string().contains("/nonexistent/scenario.yaml"));
    }
}
