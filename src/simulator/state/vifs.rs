//! The Direct Connect writes: the lifecycle of virtual interfaces and BGP peers, and the documented rules that guard it.
//!
//! The rules: one peer per address family; the last peer cannot be deleted; IPv6 peer
//! addresses are assigned by the service; a public VIF's peer needs a private (or the
//! VIF's own) ASN; VLANs are unique per connection; allocated VIFs wait in `confirming`
//! for their owner; new VIFs and peers settle after [`SETTLE_DELAY_MS`]; deleted VIFs stay
//! visible for [`DELETED_RETENTION_MS`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::describe::{no_gateway, no_vif};
use super::{Action, Home, State, asn_field, render, required, str_field};
use crate::simulator::protocol::{ApiError, Caller, OpResult};
use crate::simulator::scenario::{
    Link, PeerSpec, VifSpec, fnv, peer_addresses, router_config, secret_key,
};

/// Simulated delay before a new VIF or peer leaves pending/verifying, in milliseconds.
pub const SETTLE_DELAY_MS: u64 = 10_000;
/// How long a deleted (or rejected) VIF stays visible, in milliseconds.
pub const DELETED_RETENTION_MS: u64 = 15 * 60_000;

/// Private-use ASNs (RFC 6996): 64512–65534 and 4200000000–4294967294.
pub fn is_private_asn(asn: u64) -> bool {
    (64_512..=65_534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

/// A VIF on its way out (or refused), which takes no new peers and frees its VLAN.
pub(super) fn inactive_vif(state: &str) -> bool {
    matches!(state, "deleting" | "deleted" | "rejected")
}

/// A peer on its way out, which frees its address family.
fn inactive_peer(state: &str) -> bool {
    matches!(state, "deleting" | "deleted")
}

/// The state a new peer or confirmed VIF starts in: public ones are verified first.
fn initial_state(vif_type: &str) -> &'static str {
    if vif_type == "public" {
        "verifying"
    } else {
        "pending"
    }
}

/// The VIF types a caller creates, allocates and confirms through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VifType {
    /// To a VPC, through a virtual private or Direct Connect gateway.
    Private,
    /// To AWS public endpoints.
    Public,
}

impl VifType {
    fn as_str(self) -> &'static str {
        match self {
            VifType::Private => "private",
            VifType::Public => "public",
        }
    }

    /// The request member carrying a new VIF of this type.
    fn new_key(self) -> &'static str {
        match self {
            VifType::Private => "newPrivateVirtualInterface",
            VifType::Public => "newPublicVirtualInterface",
        }
    }

    /// The request member carrying a VIF of this type allocated for another account.
    fn allocation_key(self) -> &'static str {
        match self {
            VifType::Private => "newPrivateVirtualInterfaceAllocation",
            VifType::Public => "newPublicVirtualInterfaceAllocation",
        }
    }

    /// Whether a VIF of this type accepts `mtu`.
    fn allows_mtu(self, mtu: u32) -> bool {
        match self {
            VifType::Private => matches!(mtu, 1500 | 8500 | 9001),
            VifType::Public => mtu == 1500,
        }
    }
}

/// The address family and addresses a new peer asks for.
struct PeerRequest<'a> {
    family: &'a str,
    amazon: Option<&'a str>,
    customer: Option<&'a str>,
}

impl<'a> PeerRequest<'a> {
    /// Reads `addressFamily` (default ipv4), `amazonAddress` and `customerAddress` from
    /// `body`. IPv6 addresses are the service's to assign: giving one is refused with
    /// `ipv6_refusal`.
    fn read(body: &'a Value, ipv6_refusal: &'static str) -> Result<PeerRequest<'a>, ApiError> {
        let family = str_field(body, "addressFamily").unwrap_or("ipv4");
        if !matches!(family, "ipv4" | "ipv6") {
            return Err(ApiError::client(format!(
                "addressFamily must be ipv4 or ipv6, got {family:?}"
            )));
        }
        let amazon = str_field(body, "amazonAddress");
        let customer = str_field(body, "customerAddress");
        if family == "ipv6" && (amazon.is_some() || customer.is_some()) {
            return Err(ApiError::client(ipv6_refusal));
        }
        Ok(PeerRequest {
            family,
            amazon,
            customer,
        })
    }

    /// A new peer with the given addresses, or service-assigned ones, on the VIF's
    /// device.
    fn peer(
        &self,
        id: String,
        asn: u64,
        auth_key: String,
        state: &str,
        device: &str,
        logical_device: &str,
    ) -> PeerSpec {
        let (amazon, customer) = peer_addresses(self.family, fnv(&id));
        PeerSpec {
            family: self.family.to_owned(),
            asn,
            auth_key,
            amazon_address: self.amazon.map_or(amazon, str::to_owned),
            customer_address: self.customer.map_or(customer, str::to_owned),
            state: state.into(),
            status: "down".into(),
            aws_device_v2: device.to_owned(),
            aws_logical_device_id: logical_device.to_owned(),
            flap: None,
            id,
        }
    }
}

impl State {
    /// CreateBGPPeer: a second peer (the other address family) on the caller's VIF.
    pub(crate) fn create_bgp_peer(&mut self, caller: &Caller, input: &Value) -> OpResult {
        let now = self.now_ms();
        let vif_id = required(input, "virtualInterfaceId")?.to_owned();
        let new = object_field(input, "newBGPPeer")?;
        let request = PeerRequest::read(
            new,
            "When creating an IPv6 BGP peer, the Amazon address and customer address fields must be left blank; IPv6 addresses are assigned by the service",
        )?;
        let peer_id = self.new_id("dxpeer-");
        let vif = self.caller_vif_mut(caller, &vif_id)?;
        if inactive_vif(&vif.state) {
            return Err(ApiError::client(format!(
                "Virtual interface {vif_id} is {} and cannot take a new BGP peer",
                vif.state
            )));
        }
        let family = request.family;
        if vif
            .peers
            .iter()
            .any(|p| p.family == family && !inactive_peer(&p.state))
        {
            return Err(ApiError::client(format!(
                "Virtual interface {vif_id} already has a BGP peer in address family {family}; only one peer per address family is allowed"
            )));
        }
        let asn = asn_field(new).unwrap_or(vif.asn);
        if vif.vif_type == "public" && !is_private_asn(asn) && asn != vif.asn {
            return Err(ApiError::client(format!(
                "ASN {asn} is neither private nor whitelisted for public virtual interface {vif_id}"
            )));
        }
        let auth_key =
            str_field(new, "authKey").map_or_else(|| secret_key(&peer_id), str::to_owned);
        let peer = request.peer(
            peer_id.clone(),
            asn,
            auth_key,
            initial_state(&vif.vif_type),
            &vif.aws_device_v2,
            &vif.aws_logical_device_id,
        );
        vif.peers.push(peer);
        let body = json!({"virtualInterface": render::vif(vif, now)});
        let home = Home::of(caller);
        let settle = Action::SettlePeer {
            home,
            vif: vif_id,
            peer: peer_id,
        };
        self.schedule(now + SETTLE_DELAY_MS, settle);
        Ok(body)
    }

    /// DeleteBGPPeer, by `bgpPeerId` or by `asn` and `customerAddress`; never the last.
    pub(crate) fn delete_bgp_peer(&mut self, caller: &Caller, input: &Value) -> OpResult {
        let now = self.now_ms();
        let vif_id = required(input, "virtualInterfaceId")?.to_owned();
        let peer_id = str_field(input, "bgpPeerId");
        let asn = asn_field(input);
        let customer = str_field(input, "customerAddress");
        if peer_id.is_none() && (asn.is_none() || customer.is_none()) {
            return Err(ApiError::client(
                "Specify bgpPeerId, or asn and customerAddress",
            ));
        }
        let vif = self.caller_vif_mut(caller, &vif_id)?;
        let active = vif
            .peers
            .iter()
            .filter(|p| !inactive_peer(&p.state))
            .count();
        let Some(peer) = vif.peers.iter_mut().find(|p| {
            !inactive_peer(&p.state)
                && match peer_id {
                    Some(id) => p.id == id,
                    None => Some(p.asn) == asn && Some(p.customer_address.as_str()) == customer,
                }
        }) else {
            return Err(ApiError::client(format!(
                "No matching BGP peer on virtual interface {vif_id}"
            )));
        };
        if active <= 1 {
            return Err(ApiError::client(format!(
                "You cannot delete the last BGP peer from virtual interface {vif_id}"
            )));
        }
        peer.state = "deleting".into();
        peer.status = "down".into();
        peer.flap = None;
        let removed = peer.id.clone();
        let body = json!({"virtualInterface": render::vif(vif, now)});
        let remove = Action::RemovePeer {
            home: Home::of(caller),
            vif: vif_id,
            peer: removed,
        };
        self.schedule(now + SETTLE_DELAY_MS, remove);
        Ok(body)
    }

    /// The caller's connection or LAG, usable for a new VIF.
    fn link(&self, caller: &Caller, id: &str) -> Result<Link, ApiError> {
        let region = self.region_of(caller);
        if let Some(c) = region.connections.get(id) {
            return Ok(Link::of_connection(c));
        }
        if let Some(l) = region.lags.get(id) {
            return Ok(Link::of_lag(l));
        }
        Err(ApiError::client(format!("Connection {id} does not exist")))
    }

    /// Whether an active VIF of any account already uses `vlan` on `connection`.
    fn vlan_in_use(&self, region: &str, connection: &str, vlan: u32) -> bool {
        self.accounts
            .values()
            .filter_map(|a| a.regions.get(region))
            .flat_map(|r| r.vifs.values())
            .any(|v| v.connection == connection && v.vlan == vlan && !inactive_vif(&v.state))
    }

    /// Validates a new VIF request body and builds the VIF (not yet stored).
    fn build_vif(
        &self,
        caller: &Caller,
        connection: &str,
        owner: &str,
        vif_type: VifType,
        body: &Value,
    ) -> Result<VifSpec, ApiError> {
        let link = self.link(caller, connection)?;
        let name = str_field(body, "virtualInterfaceName")
            .ok_or_else(|| ApiError::client("virtualInterfaceName is required"))?;
        let vlan = body
            .get("vlan")
            .and_then(Value::as_u64)
            .filter(|v| (1..=4094).contains(v))
            .ok_or_else(|| ApiError::client("vlan is required and must be 1..=4094"))?
            as u32;
        if self.vlan_in_use(&caller.region, connection, vlan) {
            return Err(ApiError::client(format!(
                "VLAN {vlan} is already in use on {connection}"
            )));
        }
        let asn = asn_field(body).ok_or_else(|| ApiError::client("asn is required"))?;
        let request = PeerRequest::read(
            body,
            "For IPv6 the Amazon address and customer address fields must be left blank; IPv6 addresses are assigned by the service",
        )?;
        let mtu = body.get("mtu").and_then(Value::as_u64).unwrap_or(1500) as u32;
        if !vif_type.allows_mtu(mtu) {
            return Err(ApiError::client(format!(
                "mtu {mtu} is not valid for a {} virtual interface",
                vif_type.as_str()
            )));
        }
        let gateway = str_field(body, "directConnectGatewayId").map(str::to_owned);
        if let Some(g) = &gateway
            && !self.gateway_exists(g)
        {
            return Err(no_gateway(g));
        }
        let tags = tags(body)?;
        let id = self.new_id("dxvif-");
        let peer_id = self.new_id("dxpeer-");
        let auth_key = str_field(body, "authKey").map_or_else(|| secret_key(&id), str::to_owned);
        let initial = initial_state(vif_type.as_str());
        let mut vif = VifSpec {
            name: name.to_owned(),
            vif_type: vif_type.as_str().to_owned(),
            connection: connection.to_owned(),
            vlan,
            asn,
            amazon_side_asn: 64512,
            state: initial.into(),
            mtu,
            jumbo_frame_capable: Some(link.jumbo),
            gateway,
            attachment_state: "attached".into(),
            attachment_state_change_error: None,
            failover_tests: Vec::new(),
            virtual_gateway_id: str_field(body, "virtualGatewayId").map(str::to_owned),
            route_filter_prefixes: body
                .get("routeFilterPrefixes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| str_field(p, "cidr").map(str::to_owned))
                .collect(),
            peers: vec![request.peer(
                peer_id,
                asn,
                auth_key.clone(),
                initial,
                &link.device,
                &link.logical_device,
            )],
            auth_key,
            customer_router_config: String::new(),
            site_link_enabled: body
                .get("enableSiteLink")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            tags,
            routes: Default::default(),
            prefix_pool_allocated: Default::default(),
            rate_limit: None,
            traffic_bps: None,
            owner_account: owner.to_owned(),
            region: caller.region.clone(),
            location: link.location,
            aws_device_v2: link.device,
            aws_logical_device_id: link.logical_device,
            id,
        };
        vif.customer_router_config = router_config(&vif);
        Ok(vif)
    }

    fn store_vif(&mut self, vif: VifSpec) {
        let home = Home {
            account: vif.owner_account.clone(),
            region: vif.region.clone(),
        };
        self.index.insert(vif.id.clone(), home.clone());
        self.region_mut(&home).vifs.insert(vif.id.clone(), vif);
    }

    /// AllocatePrivate/PublicVirtualInterface: a VIF on the caller's connection for
    /// `ownerAccount`, waiting in `confirming` until its owner confirms it.
    pub(crate) fn allocate_vif(&mut self, caller: &Caller, input: &Value, t: VifType) -> OpResult {
        let now = self.now_ms();
        let connection = required(input, "connectionId")?;
        let owner = required(input, "ownerAccount")?;
        if owner.len() != 12 || !owner.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::client(format!(
                "ownerAccount {owner:?} is not a 12-digit account id"
            )));
        }
        let body = object_field(input, t.allocation_key())?;
        let mut vif = self.build_vif(caller, connection, owner, t, body)?;
        vif.state = "confirming".into();
        for p in &mut vif.peers {
            p.state = "pending".into();
        }
        let out = render::vif(&vif, now);
        self.store_vif(vif);
        Ok(out)
    }

    /// CreatePrivate/PublicVirtualInterface: a VIF of the caller's, settling after
    /// [`SETTLE_DELAY_MS`].
    pub(crate) fn create_vif(&mut self, caller: &Caller, input: &Value, t: VifType) -> OpResult {
        let now = self.now_ms();
        let connection = required(input, "connectionId")?;
        let body = object_field(input, t.new_key())?;
        let vif = self.build_vif(caller, connection, &caller.account, t, body)?;
        let out = render::vif(&vif, now);
        let id = vif.id.clone();
        self.store_vif(vif);
        let settle = Action::SettleVif {
            home: Home::of(caller),
            vif: id,
        };
        self.schedule(now + SETTLE_DELAY_MS, settle);
        Ok(out)
    }

    /// ConfirmPrivate/PublicVirtualInterface: the owner accepts an allocated VIF of the
    /// matching type, optionally naming its gateway.
    pub(crate) fn confirm_vif(&mut self, caller: &Caller, input: &Value, t: VifType) -> OpResult {
        let now = self.now_ms();
        let id = required(input, "virtualInterfaceId")?.to_owned();
        let vgw = str_field(input, "virtualGatewayId").map(str::to_owned);
        let dxgw = str_field(input, "directConnectGatewayId").map(str::to_owned);
        if let Some(g) = &dxgw
            && !self.gateway_exists(g)
        {
            return Err(no_gateway(g));
        }
        let vif = self.caller_vif_mut(caller, &id)?;
        let vif_type = t.as_str();
        if vif.vif_type != vif_type {
            return Err(ApiError::client(format!(
                "Virtual interface {id} is a {} virtual interface, not {vif_type}",
                vif.vif_type
            )));
        }
        if vif.state != "confirming" {
            return Err(ApiError::client(format!(
                "Virtual interface {id} is {}, only a confirming virtual interface can be confirmed",
                vif.state
            )));
        }
        let next = initial_state(vif_type);
        vif.state = next.into();
        if vgw.is_some() {
            vif.virtual_gateway_id = vgw;
        }
        if dxgw.is_some() {
            vif.gateway = dxgw;
        }
        for p in &mut vif.peers {
            p.state = next.into();
        }
        let settle = Action::SettleVif {
            home: Home::of(caller),
            vif: id,
        };
        self.schedule(now + SETTLE_DELAY_MS, settle);
        Ok(json!({"virtualInterfaceState": next}))
    }

    /// DeleteVirtualInterface: `deleting`, then `deleted` after [`SETTLE_DELAY_MS`]; a
    /// `confirming` VIF is `rejected` at once. Either is purged after
    /// [`DELETED_RETENTION_MS`].
    pub(crate) fn delete_vif(&mut self, caller: &Caller, input: &Value) -> OpResult {
        let now = self.now_ms();
        let id = required(input, "virtualInterfaceId")?.to_owned();
        let vif = self.caller_vif_mut(caller, &id)?;
        if inactive_vif(&vif.state) {
            return Err(ApiError::client(format!(
                "Virtual interface {id} is already {}",
                vif.state
            )));
        }
        // Deleting a VIF still waiting for confirmation rejects it (documented).
        let rejected = vif.state == "confirming";
        let (next, peer_state) = if rejected {
            ("rejected", "deleted")
        } else {
            ("deleting", "deleting")
        };
        vif.state = next.into();
        for p in &mut vif.peers {
            p.state = peer_state.into();
            p.status = "down".into();
            p.flap = None;
        }
        let home = Home::of(caller);
        if !rejected {
            let finish = Action::FinishVifDelete {
                home: home.clone(),
                vif: id.clone(),
            };
            self.schedule(now + SETTLE_DELAY_MS, finish);
        }
        let purge = Action::PurgeVif { home, vif: id };
        self.schedule(now + DELETED_RETENTION_MS, purge);
        Ok(json!({"virtualInterfaceState": next}))
    }

    /// The caller's own VIF (same account and region), or a client error.
    fn caller_vif_mut(&mut self, caller: &Caller, id: &str) -> Result<&mut VifSpec, ApiError> {
        self.vif_at_mut(&Home::of(caller), id)
            .ok_or_else(|| no_vif(id))
    }
}

/// The object member `key` of `input`, required.
fn object_field<'a>(input: &'a Value, key: &str) -> Result<&'a Value, ApiError> {
    input
        .get(key)
        .filter(|v| v.is_object())
        .ok_or_else(|| ApiError::client(format!("{key} is required")))
}

/// `tags: [{key, value}]`, keys required and unique.
fn tags(body: &Value) -> Result<BTreeMap<String, String>, ApiError> {
    let mut tags = BTreeMap::new();
    for t in body
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = str_field(t, "key").ok_or_else(|| ApiError::client("every tag needs a key"))?;
        let value = str_field(t, "value").unwrap_or_default().to_owned();
        if tags.insert(key.to_owned(), value).is_some() {
            return Err(ApiError::client(format!("duplicate tag key {key:?}")));
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::simulator::scenario::Scenario;

    #[test]
    fn private_asn_ranges_follow_rfc_6996() {
        assert!(is_private_asn(64_512) && is_private_asn(65_534) && is_private_asn(4_200_000_000));
        assert!(!is_private_asn(7224) && !is_private_asn(65_535) && !is_private_asn(4_294_967_295));
    }

    #[test]
    fn deleted_vifs_are_purged_after_fifteen_simulated_minutes() {
        let mut s = State::new(Scenario::demo(), crate::simulator::MAX_FAULTS);
        let c = Caller::from_authorization(None);
        let one = json!({"virtualInterfaceId": "dxvif-fgy8b9n8"});
        s.delete_vif(&c, &one).unwrap();
        s.advance_clock(Duration::from_millis(DELETED_RETENTION_MS - 1_000));
        let v = s.describe_vifs(&c, &one).unwrap();
        assert_eq!(
            v["virtualInterfaces"][0]["virtualInterfaceState"],
            "deleted"
        );
        s.advance_clock(Duration::from_secs(2));
        assert!(s.describe_vifs(&c, &one).is_err());
    }
}
