//! Connections and LAGs of a region as a scenario declares them: the ports, their MACsec keys and their optics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PerFamily;

/// A MACsec key (a secret: the exporter must drop it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MacSecKeySpec {
    /// ARN of the Secrets Manager secret.
    pub secret_arn: String,
    /// Connectivity association key name.
    pub ckn: String,
    /// associated | associating | disassociated | disassociating
    pub state: String,
    /// ISO 8601 start date.
    pub start_on: String,
}

/// A dedicated or hosted connection (standalone or a LAG member).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionSpec {
    /// `dxcon-...`
    pub id: String,
    /// connectionName
    pub name: String,
    /// connectionState (any string)
    pub state: String,
    /// Location code, e.g. `EqDC2`; LAG members inherit the LAG's.
    pub location: String,
    /// "10Gbps", "500Mbps"; LAG members inherit the LAG's.
    pub bandwidth: String,
    /// VLAN of a hosted connection; 0 = none.
    pub vlan: u32,
    /// Partner of a hosted connection.
    pub partner_name: Option<String>,
    /// Service provider.
    pub provider_name: Option<String>,
    /// Set for LAG members (filled from the enclosing LAG).
    pub lag_id: Option<String>,
    /// Legacy device name; derived from the location when empty.
    pub aws_device: String,
    /// Device name; derived when empty.
    pub aws_device_v2: String,
    /// Logical device id; derived when empty.
    pub aws_logical_device_id: String,
    /// jumboFrameCapable
    pub jumbo_frame_capable: bool,
    /// yes | no | unknown
    pub has_logical_redundancy: String,
    /// macSecCapable; when true and `mac_sec_keys` is empty a key is generated.
    pub mac_sec_capable: bool,
    /// e.g. "Encryption Up"
    pub port_encryption_status: Option<String>,
    /// no_encrypt | should_encrypt | must_encrypt
    pub encryption_mode: Option<String>,
    /// MACsec keys (secrets).
    pub mac_sec_keys: Vec<MacSecKeySpec>,
    /// Prefix pool per address family (`prefixPoolSizeIpv4/6`); unallocated is derived
    /// from the allocations of the VIFs on the connection.
    pub prefix_pool_size: PerFamily,
    /// Rate limiters the port allows (`rateLimiterStatus.maxAllowed`); in use is the
    /// number of VIFs on it with a `rate_limit`.
    pub rate_limiters: Option<u32>,
    /// Light levels CloudWatch reports for every optical lane; healthy values for the
    /// port speed when unset.
    pub optics: Optics,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
}

/// A port's light levels, in dBm (`ConnectionLightLevelTx/Rx` in CloudWatch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Optics {
    /// Transmit level of every lane; unset: a healthy level for the port speed.
    pub tx_dbm: Option<f64>,
    /// Receive level of every lane; unset: a healthy level for the port speed.
    pub rx_dbm: Option<f64>,
}

impl Default for ConnectionSpec {
    fn default() -> Self {
        ConnectionSpec {
            id: String::new(),
            name: String::new(),
            state: "available".into(),
            location: String::new(),
            bandwidth: String::new(),
            vlan: 0,
            partner_name: None,
            provider_name: None,
            lag_id: None,
            aws_device: String::new(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            jumbo_frame_capable: true,
            has_logical_redundancy: "unknown".into(),
            mac_sec_capable: false,
            port_encryption_status: None,
            encryption_mode: None,
            mac_sec_keys: Vec::new(),
            prefix_pool_size: PerFamily::default(),
            rate_limiters: None,
            optics: Optics::default(),
            tags: BTreeMap::new(),
            owner_account: String::new(),
            region: String::new(),
        }
    }
}

/// A link aggregation group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LagSpec {
    /// `dxlag-...`
    pub id: String,
    /// lagName
    pub name: String,
    /// lagState (any string)
    pub state: String,
    /// Location code.
    pub location: String,
    /// connectionsBandwidth, e.g. "10Gbps".
    pub bandwidth: String,
    /// minimumLinks
    pub minimum_links: u32,
    /// Legacy device name; derived when empty.
    pub aws_device: String,
    /// Device name; derived when empty.
    pub aws_device_v2: String,
    /// Logical device id; derived when empty.
    pub aws_logical_device_id: String,
    /// jumboFrameCapable
    pub jumbo_frame_capable: bool,
    /// yes | no | unknown
    pub has_logical_redundancy: String,
    /// Service provider.
    pub provider_name: Option<String>,
    /// macSecCapable; when true and `mac_sec_keys` is empty a key is generated.
    pub mac_sec_capable: bool,
    /// no_encrypt | should_encrypt | must_encrypt
    pub encryption_mode: Option<String>,
    /// MACsec keys (secrets).
    pub mac_sec_keys: Vec<MacSecKeySpec>,
    /// Prefix pool per address family (`prefixPoolSizeIpv4/6`); unallocated is derived
    /// from the allocations of the VIFs on the LAG.
    pub prefix_pool_size: PerFamily,
    /// Rate limiters the LAG allows (`rateLimiterStatus.maxAllowed`).
    pub rate_limiters: Option<u32>,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Member connections; moved into the region's connections with `lag_id` set.
    pub connections: Vec<ConnectionSpec>,
    /// Owner (filled from the account).
    pub owner_account: String,
    /// Region (filled from the region key).
    pub region: String,
}

impl Default for LagSpec {
    fn default() -> Self {
        LagSpec {
            id: String::new(),
            name: String::new(),
            state: "available".into(),
            location: String::new(),
            bandwidth: "10Gbps".into(),
            minimum_links: 1,
            aws_device: String::new(),
            aws_device_v2: String::new(),
            aws_logical_device_id: String::new(),
            jumbo_frame_capable: true,
            has_logical_redundancy: "unknown".into(),
            provider_name: None,
            mac_sec_capable: false,
            encryption_mode: None,
            mac_sec_keys: Vec::new(),
            prefix_pool_size: PerFamily::default(),
            rate_limiters: None,
            tags: BTreeMap::new(),
            connections: Vec::new(),
            owner_account: String::new(),
            region: String::new(),
        }
    }
}
