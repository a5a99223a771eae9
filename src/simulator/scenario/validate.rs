//! Scenario validation: ids unique, references resolved, derived fields filled, in three passes whose errors name the field path.
//!
//! Pass 1 reads accounts, gateways, LAGs and connections; pass 2 the VIFs (with their
//! peers) and gateway associations, which may reference resources of any account; pass 3
//! the timeline, whose events reference everything before. A pass stops at the first
//! broken rule.

use std::collections::{BTreeSet, HashMap};

use super::spec::{
    AccountSpec, AssociationSpec, ConnectionSpec, LagSpec, MacSecKeySpec, PeerSpec, RegionSpec,
    Scenario, TimelineEvent, VifSpec,
};
use super::{Link, fill_devices, fnv, peer_addresses, router_config, secret_key};

/// AWS Support plans an account may have (AWS Health needs one of the last three).
const SUPPORT_PLANS: [&str; 5] = [
    "basic",
    "developer",
    "business",
    "enterprise_on_ramp",
    "enterprise",
];

/// Location given to connections and LAGs that name none.
const DEFAULT_LOCATION: &str = "EqDC2";
/// Amazon side ASN of a VIF without a gateway that says otherwise.
const DEFAULT_AMAZON_SIDE_ASN: u64 = 64512;

/// A broken rule: the field path and what is wrong. Messages quote the offending value,
/// which is how [`super::Scenario::from_yaml`] finds its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// Field path, e.g. `accounts[0].regions.us-east-1.virtual_interfaces[2].vlan`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        path: path.into(),
        message: message.into(),
    }
}

/// A connection or LAG as VIFs reference it: by id, within one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LinkKey {
    region: String,
    id: String,
}

/// A VLAN as VIFs take it: unique per connection or LAG.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct VlanKey {
    connection: String,
    vlan: u32,
}

/// A peer as timeline events select it: by id, or by address family.
#[derive(Debug, Clone)]
struct PeerRef {
    id: String,
    family: String,
}

/// What one pass learns for the next.
#[derive(Debug, Default)]
pub(crate) struct Validator {
    /// Every id declared so far → the path that declared it (ids are scenario-wide).
    ids: HashMap<String, String>,
    /// Account ids declared so far.
    accounts: BTreeSet<String>,
    /// Connections and LAGs, for the VIFs on them to inherit from.
    links: HashMap<LinkKey, Link>,
    /// Gateway id → its Amazon side ASN.
    gateways: HashMap<String, u64>,
    /// VIF id → its peers.
    vif_peers: HashMap<String, Vec<PeerRef>>,
}

impl Validator {
    /// Validates `scenario` and fills its derived fields in place.
    pub(crate) fn run(scenario: &mut Scenario) -> Result<(), Invalid> {
        let mut v = Validator::default();
        v.accounts_and_links(&mut scenario.accounts)?;
        v.vifs_and_associations(&mut scenario.accounts)?;
        v.maintenance(&mut scenario.accounts)?;
        v.timeline(&scenario.timeline)
    }

    /// Pass 1: account ids, gateways, LAGs (whose members join the connections) and
    /// connections.
    fn accounts_and_links(&mut self, accounts: &mut [AccountSpec]) -> Result<(), Invalid> {
        for (ai, account) in accounts.iter_mut().enumerate() {
            let ap = format!("accounts[{ai}]");
            if account.id.len() != 12 || !account.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    format!("{ap}.id"),
                    format!("{:?} is not a 12-digit account id", account.id),
                ));
            }
            if !self.accounts.insert(account.id.clone()) {
                return Err(invalid(
                    format!("{ap}.id"),
                    format!("duplicate account {:?}", account.id),
                ));
            }
            for (gi, gw) in account.gateways.iter_mut().enumerate() {
                self.unique(&gw.id, &format!("{ap}.gateways[{gi}]"), "")?;
                gw.owner_account = account.id.clone();
                if gw.name.is_empty() {
                    gw.name = format!("dxgw-{gi}");
                }
                self.gateways.insert(gw.id.clone(), gw.amazon_side_asn);
            }
            for (region, rs) in account.regions.iter_mut() {
                let rp = format!("{ap}.regions.{region}");
                if region.is_empty() {
                    return Err(invalid(rp, "empty region name"));
                }
                self.region_links(&rp, &account.id, region, rs)?;
            }
        }
        Ok(())
    }

    /// The LAGs and connections of one account × region.
    fn region_links(
        &mut self,
        rp: &str,
        account: &str,
        region: &str,
        rs: &mut RegionSpec,
    ) -> Result<(), Invalid> {
        let mut members = Vec::new();
        for (li, lag) in rs.lags.iter_mut().enumerate() {
            self.unique(&lag.id, &format!("{rp}.lags[{li}]"), "dxlag-")?;
            fill_lag(lag, account, region);
            self.add_link(region, &lag.id, Link::of_lag(lag));
            members.extend(take_members(lag));
        }
        // Members are listed after the standalone connections (paths count them so).
        rs.connections.extend(members);
        for (ci, conn) in rs.connections.iter_mut().enumerate() {
            self.unique(&conn.id, &format!("{rp}.connections[{ci}]"), "dxcon-")?;
            fill_connection(conn, account, region);
            self.add_link(region, &conn.id, Link::of_connection(conn));
        }
        Ok(())
    }

    /// Pass 2: gateway associations and VIFs (references may point into any account).
    fn vifs_and_associations(&mut self, accounts: &mut [AccountSpec]) -> Result<(), Invalid> {
        for (ai, account) in accounts.iter_mut().enumerate() {
            let ap = format!("accounts[{ai}]");
            for (si, assoc) in account.associations.iter_mut().enumerate() {
                self.association(&format!("{ap}.associations[{si}]"), &account.id, assoc)?;
            }
            for (region, rs) in account.regions.iter_mut() {
                let mut vlans = HashMap::new();
                for (vi, vif) in rs.virtual_interfaces.iter_mut().enumerate() {
                    let vp = format!("{ap}.regions.{region}.virtual_interfaces[{vi}]");
                    self.vif(&vp, &account.id, region, &mut vlans, vif)?;
                    self.peers(&vp, vif)?;
                }
            }
        }
        Ok(())
    }

    fn association(
        &mut self,
        sp: &str,
        account: &str,
        assoc: &mut AssociationSpec,
    ) -> Result<(), Invalid> {
        self.unique(&assoc.id, sp, "")?;
        if !self.gateways.contains_key(&assoc.gateway_id) {
            return Err(invalid(
                format!("{sp}.gateway_id"),
                format!("unknown gateway {:?}", assoc.gateway_id),
            ));
        }
        assoc.gateway_owner_account = account.to_owned();
        let other = &mut assoc.associated_gateway;
        if other.owner_account.is_empty() {
            other.owner_account = account.to_owned();
        }
        if other.gateway_type.is_empty() {
            other.gateway_type = "transitGateway".into();
        }
        Ok(())
    }

    /// A VIF's id, type, link, VLAN and gateway; fills what it inherits. `vlans` holds
    /// the VLANs taken so far in the VIF's account and region.
    fn vif(
        &mut self,
        vp: &str,
        account: &str,
        region: &str,
        vlans: &mut HashMap<VlanKey, String>,
        vif: &mut VifSpec,
    ) -> Result<(), Invalid> {
        self.unique(&vif.id, vp, "dxvif-")?;
        if !matches!(vif.vif_type.as_str(), "private" | "public" | "transit") {
            return Err(invalid(
                format!("{vp}.type"),
                format!("{:?} is not private, public or transit", vif.vif_type),
            ));
        }
        let key = LinkKey {
            region: region.to_owned(),
            id: vif.connection.clone(),
        };
        let Some(link) = self.links.get(&key) else {
            return Err(invalid(
                format!("{vp}.connection"),
                format!("unknown connection or LAG {:?} in {region}", vif.connection),
            ));
        };
        if vif.vlan == 0 || vif.vlan > 4094 {
            return Err(invalid(format!("{vp}.vlan"), "vlan must be 1..=4094"));
        }
        let taken = VlanKey {
            connection: vif.connection.clone(),
            vlan: vif.vlan,
        };
        if let Some(other) = vlans.insert(taken, vif.id.clone()) {
            return Err(invalid(
                format!("{vp}.vlan"),
                format!(
                    "vlan {} already used by {other} on {}",
                    vif.vlan, vif.connection
                ),
            ));
        }
        inherit(vif, link);
        if let Some(gw) = &vif.gateway {
            match self.gateways.get(gw) {
                Some(asn) if vif.amazon_side_asn == 0 => vif.amazon_side_asn = *asn,
                Some(_) => {}
                None => {
                    return Err(invalid(
                        format!("{vp}.gateway"),
                        format!("unknown gateway {gw:?}"),
                    ));
                }
            }
        }
        if vif.amazon_side_asn == 0 {
            vif.amazon_side_asn = DEFAULT_AMAZON_SIDE_ASN;
        }
        vif.owner_account = account.to_owned();
        vif.region = region.to_owned();
        Ok(())
    }

    /// A VIF's peers (one per address family, a default IPv4 one when none is given),
    /// its auth key and router config.
    fn peers(&mut self, vp: &str, vif: &mut VifSpec) -> Result<(), Invalid> {
        if vif.auth_key.is_empty() {
            vif.auth_key = secret_key(&vif.id);
        }
        if vif.peers.is_empty() {
            vif.peers.push(PeerSpec::default());
        }
        let mut families = BTreeSet::new();
        for (pi, peer) in vif.peers.iter_mut().enumerate() {
            let pp = format!("{vp}.peers[{pi}]");
            if !matches!(peer.family.as_str(), "ipv4" | "ipv6") {
                return Err(invalid(
                    format!("{pp}.family"),
                    format!("{:?} is not ipv4 or ipv6", peer.family),
                ));
            }
            if !families.insert(peer.family.clone()) {
                return Err(invalid(
                    format!("{pp}.family"),
                    format!("a VIF has at most one {} peer", peer.family),
                ));
            }
            if peer.id.is_empty() {
                peer.id = format!(
                    "dxpeer-{:08x}",
                    fnv(&format!("{}/{}", vif.id, peer.family)) as u32
                );
            }
            self.unique(&peer.id, &pp, "dxpeer-")?;
            if peer.asn == 0 {
                peer.asn = vif.asn;
            }
            if peer.auth_key.is_empty() {
                peer.auth_key = vif.auth_key.clone();
            }
            if peer.amazon_address.is_empty() && peer.customer_address.is_empty() {
                let (amazon, customer) = peer_addresses(&peer.family, fnv(&peer.id));
                peer.amazon_address = amazon;
                peer.customer_address = customer;
            }
            if peer.aws_device_v2.is_empty() {
                peer.aws_device_v2 = vif.aws_device_v2.clone();
            }
            if peer.aws_logical_device_id.is_empty() {
                peer.aws_logical_device_id = vif.aws_logical_device_id.clone();
            }
        }
        if vif.customer_router_config.is_empty() {
            vif.customer_router_config = router_config(vif);
        }
        for (ti, test) in vif.failover_tests.iter_mut().enumerate() {
            if test.id.is_empty() {
                test.id = failover_test_id(&vif.id, ti);
            }
            self.unique(&test.id, &format!("{vp}.failover_tests[{ti}]"), "")?;
            test.start_ms = -i64::try_from(test.ago.0.as_millis()).unwrap_or(i64::MAX);
        }
        let peers = vif
            .peers
            .iter()
            .map(|p| PeerRef {
                id: p.id.clone(),
                family: p.family.clone(),
            })
            .collect();
        self.vif_peers.insert(vif.id.clone(), peers);
        Ok(())
    }

    /// Each account's support plan is known, and its maintenance events name resources
    /// of the scenario (connections, LAGs, VIFs); their ids are derived when empty.
    fn maintenance(&mut self, accounts: &mut [AccountSpec]) -> Result<(), Invalid> {
        for (ai, account) in accounts.iter_mut().enumerate() {
            let ap = format!("accounts[{ai}]");
            if account.support_plan.is_empty() {
                account.support_plan = "business".into();
            }
            if !SUPPORT_PLANS.contains(&account.support_plan.as_str()) {
                return Err(invalid(
                    format!("{ap}.support_plan"),
                    format!(
                        "{:?} is not one of {}",
                        account.support_plan,
                        SUPPORT_PLANS.join(", ")
                    ),
                ));
            }
            for (mi, m) in account.maintenance.iter_mut().enumerate() {
                let mp = format!("{ap}.maintenance[{mi}]");
                if m.id.is_empty() {
                    m.id = format!(
                        "{}_{:08X}",
                        m.event_type,
                        fnv(&format!("{}/{mi}", account.id)) as u32
                    );
                }
                self.unique(&m.id, &mp, "")?;
                for (ri, r) in m.resources.iter().enumerate() {
                    let known = ["dxcon-", "dxlag-", "dxvif-"]
                        .iter()
                        .any(|p| r.starts_with(p))
                        && self.ids.contains_key(r);
                    if !known {
                        return Err(invalid(
                            format!("{mp}.resources[{ri}]"),
                            format!("unknown connection, LAG or VIF {r:?}"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Pass 3: each timeline entry has exactly one event, and the event names resources
    /// that exist.
    fn timeline(&self, timeline: &[TimelineEvent]) -> Result<(), Invalid> {
        for (ti, event) in timeline.iter().enumerate() {
            let tp = format!("timeline[{ti}]");
            let kinds = [
                event.peer.is_some(),
                event.flap.is_some(),
                event.virtual_interface.is_some(),
                event.connection.is_some(),
                event.lag.is_some(),
                event.fault.is_some(),
                event.routes.is_some(),
                event.encryption.is_some(),
                event.failover_test.is_some(),
                event.optics.is_some(),
            ];
            if kinds.iter().filter(|set| **set).count() != 1 {
                return Err(invalid(
                    tp,
                    "needs exactly one of peer, flap, virtual_interface, connection, lag, fault, routes, encryption, failover_test, optics",
                ));
            }
            if let Some(f) = &event.failover_test {
                if !self.vif_peers.contains_key(&f.virtual_interface_id) {
                    return Err(invalid(
                        format!("{tp}.failover_test.virtual_interface_id"),
                        format!("unknown virtual interface {:?}", f.virtual_interface_id),
                    ));
                }
                if f.duration.0.is_zero() {
                    return Err(invalid(
                        format!("{tp}.failover_test.for"),
                        "must be more than 0s",
                    ));
                }
            }
            if let Some(e) = &event.encryption
                && (!e.connection_id.starts_with("dxcon-")
                    || !self.ids.contains_key(&e.connection_id))
            {
                return Err(invalid(
                    format!("{tp}.encryption.connection_id"),
                    format!("unknown connection {:?}", e.connection_id),
                ));
            }
            if let Some(o) = &event.optics {
                let id = &o.connection_id;
                if !id.starts_with("dxcon-") || !self.ids.contains_key(id) {
                    return Err(invalid(
                        format!("{tp}.optics.connection_id"),
                        format!("unknown connection {id:?}"),
                    ));
                }
            }
            if let Some(r) = &event.routes {
                if !self.vif_peers.contains_key(&r.virtual_interface_id) {
                    return Err(invalid(
                        format!("{tp}.routes.virtual_interface_id"),
                        format!("unknown virtual interface {:?}", r.virtual_interface_id),
                    ));
                }
                if !matches!(r.address_family.as_str(), "ipv4" | "ipv6") {
                    return Err(invalid(
                        format!("{tp}.routes.address_family"),
                        "must be ipv4 or ipv6",
                    ));
                }
            }
            if let Some(p) = &event.peer {
                self.peer_ref(
                    &p.virtual_interface_id,
                    p.address_family.as_deref(),
                    p.bgp_peer_id.as_deref(),
                    &format!("{tp}.peer"),
                )?;
            }
            if let Some(f) = &event.flap {
                self.peer_ref(
                    &f.virtual_interface_id,
                    f.address_family.as_deref(),
                    f.bgp_peer_id.as_deref(),
                    &format!("{tp}.flap"),
                )?;
                if f.every.0.is_zero() || f.down_for.0 >= f.every.0 {
                    return Err(invalid(format!("{tp}.flap"), "need 0 < down_for < every"));
                }
            }
            for (what, ev, prefix) in [
                ("virtual_interface", &event.virtual_interface, "dxvif-"),
                ("connection", &event.connection, "dxcon-"),
                ("lag", &event.lag, "dxlag-"),
            ] {
                if let Some(ev) = ev
                    && (!ev.id.starts_with(prefix) || !self.ids.contains_key(&ev.id))
                {
                    return Err(invalid(
                        format!("{tp}.{what}.id"),
                        format!("unknown {what} {:?}", ev.id),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The peer a timeline event selects: by id when given, else by address family.
    fn peer_ref(
        &self,
        vif: &str,
        family: Option<&str>,
        id: Option<&str>,
        path: &str,
    ) -> Result<(), Invalid> {
        let Some(peers) = self.vif_peers.get(vif) else {
            return Err(invalid(
                format!("{path}.virtual_interface_id"),
                format!("unknown VIF {vif:?}"),
            ));
        };
        let found = peers.iter().any(|p| match id {
            Some(id) => id == p.id,
            None => family == Some(p.family.as_str()),
        });
        if found {
            Ok(())
        } else {
            Err(invalid(
                path,
                format!("no such peer on {vif} (give address_family or bgp_peer_id)"),
            ))
        }
    }

    /// Records `id` (declared at `path`), which must be non-empty, start with `prefix`
    /// and be new.
    fn unique(&mut self, id: &str, path: &str, prefix: &str) -> Result<(), Invalid> {
        if id.is_empty() {
            return Err(invalid(format!("{path}.id"), "an id is required"));
        }
        if !prefix.is_empty() && !id.starts_with(prefix) {
            return Err(invalid(
                format!("{path}.id"),
                format!("{id:?} must start with {prefix:?}"),
            ));
        }
        if let Some(other) = self.ids.insert(id.to_owned(), path.to_owned()) {
            return Err(invalid(
                format!("{path}.id"),
                format!("duplicate id {id:?} (also at {other})"),
            ));
        }
        Ok(())
    }

    fn add_link(&mut self, region: &str, id: &str, link: Link) {
        let key = LinkKey {
            region: region.to_owned(),
            id: id.to_owned(),
        };
        self.links.insert(key, link);
    }
}

fn fill_lag(lag: &mut LagSpec, account: &str, region: &str) {
    lag.owner_account = account.to_owned();
    lag.region = region.to_owned();
    if lag.mac_sec_capable && lag.mac_sec_keys.is_empty() {
        lag.mac_sec_keys.push(mac_sec_key(&lag.id, account, region));
    }
    if lag.name.is_empty() {
        lag.name = lag.id.clone();
    }
    if lag.location.is_empty() {
        lag.location = DEFAULT_LOCATION.into();
    }
    fill_devices(
        &lag.location,
        &lag.id,
        &mut lag.aws_device,
        &mut lag.aws_device_v2,
        &mut lag.aws_logical_device_id,
    );
}

/// Moves a LAG's member connections out, each marked with the LAG and inheriting its
/// location, bandwidth and devices unless the scenario says otherwise.
fn take_members(lag: &mut LagSpec) -> Vec<ConnectionSpec> {
    let mut members = std::mem::take(&mut lag.connections);
    for member in &mut members {
        member.lag_id = Some(lag.id.clone());
        for (field, from) in [
            (&mut member.location, &lag.location),
            (&mut member.bandwidth, &lag.bandwidth),
            (&mut member.aws_device, &lag.aws_device),
            (&mut member.aws_device_v2, &lag.aws_device_v2),
            (
                &mut member.aws_logical_device_id,
                &lag.aws_logical_device_id,
            ),
        ] {
            if field.is_empty() {
                field.clone_from(from);
            }
        }
    }
    members
}

fn fill_connection(conn: &mut ConnectionSpec, account: &str, region: &str) {
    conn.owner_account = account.to_owned();
    conn.region = region.to_owned();
    if conn.name.is_empty() {
        conn.name = conn.id.clone();
    }
    if conn.location.is_empty() {
        conn.location = DEFAULT_LOCATION.into();
    }
    if conn.bandwidth.is_empty() {
        conn.bandwidth = "10Gbps".into();
    }
    fill_devices(
        &conn.location,
        &conn.id,
        &mut conn.aws_device,
        &mut conn.aws_device_v2,
        &mut conn.aws_logical_device_id,
    );
    if conn.mac_sec_capable && conn.mac_sec_keys.is_empty() {
        conn.mac_sec_keys
            .push(mac_sec_key(&conn.id, account, region));
    }
}

/// The testId of the `n`th failover test of VIF `vif` (UUID-shaped, deterministic).
pub(crate) fn failover_test_id(vif: &str, n: usize) -> String {
    let h = fnv(&format!("{vif}/test/{n}"));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 4) & 0xfff,
        h & 0xffff_ffff_ffff
    )
}

/// A generated MACsec key of connection or LAG `id` (a secret by design).
fn mac_sec_key(id: &str, account: &str, region: &str) -> MacSecKeySpec {
    MacSecKeySpec {
        secret_arn: format!(
            "arn:aws:secretsmanager:{region}:{account}:secret:directconnect!{id}-mkS3cr3t"
        ),
        ckn: format!("{:064x}", fnv(id) as u128 * 0x9e37_79b9),
        state: "associated".into(),
        start_on: "2026-01-15T00:00:00Z".into(),
    }
}

/// What a VIF takes from its connection or LAG when the scenario leaves it empty.
fn inherit(vif: &mut VifSpec, link: &Link) {
    if vif.name.is_empty() {
        vif.name = vif.id.clone();
    }
    if vif.location.is_empty() {
        vif.location = link.location.clone();
    }
    if vif.aws_device_v2.is_empty() {
        vif.aws_device_v2 = link.device.clone();
    }
    if vif.aws_logical_device_id.is_empty() {
        vif.aws_logical_device_id = link.logical_device.clone();
    }
    if vif.jumbo_frame_capable.is_none() {
        vif.jumbo_frame_capable = Some(link.jumbo);
    }
}

#[cfg(test)]
mod tests {
    use crate::simulator::scenario::Scenario;

    /// The error `from_yaml` gives for `yaml`, named `x.yaml`.
    fn rejection(yaml: &str) -> String {
        match Scenario::from_yaml(yaml, "x.yaml") {
            Ok(_) => panic!("accepted: {yaml}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_vif_on_an_unknown_connection_is_rejected_with_its_path() {
        let yaml = "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        virtual_interfaces:\n          - {id: dxvif-a, connection: dxcon-nope, vlan: 5}\n";
        let err = rejection(yaml);
        assert!(err.contains("virtual_interfaces[0].connection"), "{err}");
        assert!(err.starts_with("x.yaml:6: "), "{err}");
    }

    #[test]
    fn two_peers_of_one_family_are_rejected() {
        let yaml = "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        connections: [{id: dxcon-a}]\n        virtual_interfaces:\n          - {id: dxvif-a, connection: dxcon-a, vlan: 5, peers: [{family: ipv4}, {family: ipv4}]}\n";
        let err = rejection(yaml);
        assert!(err.contains("at most one ipv4"), "{err}");
    }

    #[test]
    fn a_timeline_event_needs_exactly_one_kind() {
        let err = rejection("accounts: []\ntimeline:\n  - {at: 5s}\n");
        assert!(err.contains("exactly one"), "{err}");
        let err = rejection("timeline:\n  - {at: 5 seconds}\n");
        assert!(err.contains("line 2"), "{err}");
    }
}
