//! The scenario file's types, as serde reads them: the scenario, its accounts and regions (here); connections and LAGs (`ports.rs`), virtual interfaces (`vifs.rs`), gateways (`gateways.rs`) and the timeline (`timeline.rs`).
//!
//! Every field has a default (see the `Default` impls) so a scenario names only what it
//! cares about; [`super::validate`] fills what is derived and rejects what is inconsistent.

mod gateways;
mod ports;
mod timeline;
mod vifs;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::duration::PromDuration;
pub use gateways::{AssociatedGatewaySpec, AssociationSpec, GatewaySpec};
pub use ports::{ConnectionSpec, LagSpec, MacSecKeySpec, Optics};
pub use timeline::{
    EncryptionEvent, FailoverTestEvent, FaultWindow, FlapEvent, OpticsEvent, PeerEvent,
    RoutesEvent, StateEvent, TimelineEvent,
};
pub use vifs::{FailoverTestSpec, Flap, PeerSpec, RouteCounts, VifRoutes, VifSpec};

/// A validated scenario: the fleet and its timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Accounts with their regional and global resources.
    #[serde(default)]
    pub accounts: Vec<AccountSpec>,
    /// Events applied lazily as simulated time passes.
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
}

/// One AWS account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSpec {
    /// 12-digit account id.
    pub id: String,
    /// When true, STS AssumeRole into this account answers `AccessDenied`.
    pub deny_assume_role: bool,
    /// The account's AWS Support plan: basic | developer | business (default) |
    /// enterprise_on_ramp | enterprise. The AWS Health API answers
    /// `SubscriptionRequiredException` on basic and developer.
    pub support_plan: String,
    /// AWS Health scheduled maintenance of the account's Direct Connect resources.
    pub maintenance: Vec<MaintenanceSpec>,
    /// Direct Connect gateways (global: visible from every region).
    pub gateways: Vec<GatewaySpec>,
    /// Gateway associations (virtual private or transit gateways).
    pub associations: Vec<AssociationSpec>,
    /// Regional resources keyed by region name.
    pub regions: BTreeMap<String, RegionSpec>,
}

/// An AWS Health scheduled change of Direct Connect (a maintenance window). Its status
/// follows the simulated clock: upcoming before the window, open in it, closed after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MaintenanceSpec {
    /// Event id (the end of its ARN); derived when empty.
    pub id: String,
    /// The event's region.
    pub region: String,
    /// `eventTypeCode`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Connections, LAGs and VIFs it affects (ids of this account).
    pub resources: Vec<String>,
    /// When the window starts, after the simulator's start.
    pub starts_in: PromDuration,
    /// How long the window lasts.
    pub duration: PromDuration,
}

impl Default for MaintenanceSpec {
    fn default() -> Self {
        MaintenanceSpec {
            id: String::new(),
            region: "us-east-1".into(),
            event_type: "AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED".into(),
            resources: Vec::new(),
            starts_in: PromDuration::default(),
            duration: PromDuration(std::time::Duration::from_secs(4 * 3600)),
        }
    }
}

impl MaintenanceSpec {
    /// The event's ARN, as AWS Health writes it.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:health:{}::event/DIRECTCONNECT/{}/{}",
            self.region, self.event_type, self.id
        )
    }
}

/// Regional resources of one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSpec {
    /// Standalone connections.
    pub connections: Vec<ConnectionSpec>,
    /// LAGs with their member connections.
    pub lags: Vec<LagSpec>,
    /// Virtual interfaces with their BGP peers.
    pub virtual_interfaces: Vec<VifSpec>,
}

/// A value per address family; absent when AWS would not report it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerFamily {
    /// IPv4.
    pub ipv4: Option<u32>,
    /// IPv6.
    pub ipv6: Option<u32>,
}

impl PerFamily {
    /// The value of `family` (`ipv4` or `ipv6`).
    pub fn get(&self, family: &str) -> Option<u32> {
        match family {
            "ipv4" => self.ipv4,
            "ipv6" => self.ipv6,
            _ => None,
        }
    }
}
