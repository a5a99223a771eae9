//! Fleet state per account and region, the documented Direct Connect and STS rules, the simulated clock, faults and the request log.
//!
//! Everything here is synchronous and bounded: the server locks [`State`], calls one
//! method and unlocks before any `.await`. Time-driven changes (timeline events, pending
//! → available, deleted → gone) sit in a priority queue and are applied lazily by
//! [`State::tick`] on each request, so idle simulators do no work.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde_json::{Value, json};

use super::scenario::{
    AssociationSpec, ConnectionSpec, FaultKind, Flap, GatewaySpec, LagSpec, PeerSpec, Scenario,
    TimelineEvent, VifSpec, fnv, peer_addresses, router_config, secret_key,
};
use super::wire::{self, ApiError, AssumedRole, Caller, StsError};

/// Simulated delay before a new VIF or peer leaves pending/verifying, in milliseconds.
pub const SETTLE_DELAY_MS: u64 = 10_000;
/// How long a deleted (or rejected) VIF stays visible, in milliseconds.
pub const DELETED_RETENTION_MS: u64 = 15 * 60_000;
/// Maximum number of entries kept in the request log (oldest dropped first).
pub const REQUEST_LOG_CAPACITY: usize = 10_000;
/// Default and maximum page size of every Describe operation.
pub const MAX_PAGE: usize = 100;
/// Temporary credentials remembered for GetCallerIdentity (cleared when full).
const ISSUED_KEYS_CAPACITY: usize = 10_000;

/// Simulated clock: real elapsed time plus an offset advanced by the control endpoint.
#[derive(Debug)]
pub struct Clock {
    started: Instant,
    offset: Duration,
}

impl Clock {
    /// A clock at zero.
    pub fn new() -> Clock {
        Clock {
            started: Instant::now(),
            offset: Duration::ZERO,
        }
    }
    /// Simulated milliseconds since start.
    pub fn now_ms(&self) -> u64 {
        (self.started.elapsed() + self.offset).as_millis() as u64
    }
    /// Moves simulated time forward.
    pub fn advance(&mut self, by: Duration) {
        self.offset += by;
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// Regional resources of one account, keyed (and paginated) by id.
#[derive(Debug, Default)]
pub struct RegionState {
    /// Connections, including LAG members.
    pub connections: BTreeMap<String, ConnectionSpec>,
    /// LAGs (members live in `connections` with `lag_id`).
    pub lags: BTreeMap<String, LagSpec>,
    /// Virtual interfaces.
    pub vifs: BTreeMap<String, VifSpec>,
}

/// One account: global gateways and associations, regional resources.
#[derive(Debug, Default)]
pub struct AccountState {
    /// AssumeRole into this account is denied.
    pub deny_assume_role: bool,
    /// Direct Connect gateways (global).
    pub gateways: BTreeMap<String, GatewaySpec>,
    /// Gateway associations (global).
    pub associations: BTreeMap<String, AssociationSpec>,
    /// Regional resources.
    pub regions: BTreeMap<String, RegionState>,
}

/// Where a regional resource lives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Home {
    account: String,
    region: String,
}

/// A time-driven change.
#[derive(Debug)]
enum Action {
    Timeline(Box<TimelineEvent>),
    SettleVif(Home, String),
    SettlePeer(Home, String, String),
    FinishVifDelete(Home, String),
    RemovePeer(Home, String, String),
    PurgeVif(Home, String),
}

#[derive(Debug)]
struct Scheduled {
    at_ms: u64,
    seq: u64,
    action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ms, self.seq) == (other.at_ms, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    // Reversed so that the max-heap pops the earliest entry first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at_ms, other.seq).cmp(&(self.at_ms, self.seq))
    }
}

/// An injected fault (control endpoint or timeline window).
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    /// Id returned by `POST /_sim/faults`.
    pub id: u64,
    /// What happens.
    pub kind: FaultKind,
    /// Only this operation; `None` matches every Direct Connect operation (STS
    /// operations must be named explicitly).
    pub operation: Option<String>,
    /// Only this account.
    pub account: Option<String>,
    /// Only this region.
    pub region: Option<String>,
    /// Requests left; `None` until cleared or the window ends.
    pub remaining: Option<u32>,
    /// Extra delay for `latency`, in milliseconds.
    pub latency_ms: u64,
    /// Active from this simulated time (ms).
    pub from_ms: u64,
    /// Active until this simulated time (ms), if a window.
    pub until_ms: Option<u64>,
}

impl Fault {
    fn matches(
        &self,
        operation: &str,
        is_sts: bool,
        account: &str,
        region: &str,
        now: u64,
    ) -> bool {
        let op_ok = match &self.operation {
            Some(op) => op == operation,
            None => !is_sts,
        };
        op_ok
            && self.account.as_deref().is_none_or(|a| a == account)
            && self.region.as_deref().is_none_or(|r| r == region)
            && now >= self.from_ms
            && self.until_ms.is_none_or(|u| now < u)
            && self.remaining != Some(0)
    }
}

/// What the matching faults do to one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultOutcome {
    /// Total added delay.
    pub latency: Duration,
    /// The first matching non-latency fault.
    pub kind: Option<FaultKind>,
}

/// One request in the log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogEntry {
    /// Increasing sequence number.
    pub seq: u64,
    /// Operation (`DescribeVirtualInterfaces`, `AssumeRole`, ...).
    pub operation: String,
    /// Caller account.
    pub account: String,
    /// Caller region.
    pub region: String,
    /// HTTP status sent (0 for a reset connection).
    pub status: u16,
    /// Error code sent, if any.
    pub error_code: Option<String>,
}

/// Why a control-endpoint change failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The resource id is unknown (404).
    #[error("{0}")]
    NotFound(String),
    /// The request is incomplete or contradictory (400).
    #[error("{0}")]
    Invalid(String),
}

/// The whole simulated world.
#[derive(Debug)]
pub struct State {
    clock: Clock,
    accounts: BTreeMap<String, AccountState>,
    /// VIF, connection and LAG ids → home.
    index: HashMap<String, Home>,
    queue: BinaryHeap<Scheduled>,
    seq: u64,
    faults: Vec<Fault>,
    next_fault_id: u64,
    log: VecDeque<LogEntry>,
    log_seq: u64,
    /// Temporary access key id → (ARN, user id) for GetCallerIdentity.
    issued: HashMap<String, (String, String)>,
}

fn str_field<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn required<'a>(input: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    str_field(input, key).ok_or_else(|| ApiError::client(format!("{key} is required")))
}

/// ASN from `asnLong` (preferred) or `asn`.
fn asn_field(input: &Value) -> Option<u64> {
    input
        .get("asnLong")
        .and_then(Value::as_u64)
        .filter(|a| *a > 0)
        .or_else(|| input.get("asn").and_then(Value::as_u64).filter(|a| *a > 0))
}

/// Private-use ASNs (RFC 6996): 64512–65534 and 4200000000–4294967294.
pub fn is_private_asn(asn: u64) -> bool {
    (64_512..=65_534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

fn inactive_vif(state: &str) -> bool {
    matches!(state, "deleting" | "deleted" | "rejected")
}

fn inactive_peer(state: &str) -> bool {
    matches!(state, "deleting" | "deleted")
}

/// `(asn, asnLong)` as sent on the wire: a 4-byte ASN above `i32::MAX` goes out as
/// `asn: 0` with the value in `asnLong`; otherwise both carry it.
pub fn asn_pair(asn: u64) -> (u64, u64) {
    if asn > i32::MAX as u64 {
        (0, asn)
    } else {
        (asn, asn)
    }
}

/// Drops null members of a JSON object (optional fields are omitted, as AWS does).
fn compact(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

fn tags_json(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
    )
}

/// The status a client sees: a flap in its down phase wins over the stored status.
fn effective_status(peer: &PeerSpec, now_ms: u64) -> &str {
    match peer.flap {
        Some(f) if f.is_down(now_ms) => "down",
        _ => &peer.status,
    }
}

/// A BGP peer in the API shape.
pub fn render_peer(peer: &PeerSpec, now_ms: u64) -> Value {
    let (asn, asn_long) = asn_pair(peer.asn);
    json!({
        "bgpPeerId": peer.id,
        "asn": asn,
        "asnLong": asn_long,
        "authKey": peer.auth_key,
        "addressFamily": peer.family,
        "amazonAddress": peer.amazon_address,
        "customerAddress": peer.customer_address,
        "bgpPeerState": peer.state,
        "bgpStatus": effective_status(peer, now_ms),
        "awsDeviceV2": peer.aws_device_v2,
        "awsLogicalDeviceId": peer.aws_logical_device_id,
    })
}

/// A virtual interface in the API shape (`VirtualInterface`).
pub fn render_vif(vif: &VifSpec, now_ms: u64) -> Value {
    let (asn, asn_long) = asn_pair(vif.asn);
    let first = vif.peers.first();
    compact(json!({
        "ownerAccount": vif.owner_account,
        "virtualInterfaceId": vif.id,
        "location": vif.location,
        "connectionId": vif.connection,
        "virtualInterfaceType": vif.vif_type,
        "virtualInterfaceName": vif.name,
        "vlan": vif.vlan,
        "asn": asn,
        "asnLong": asn_long,
        "amazonSideAsn": vif.amazon_side_asn,
        "authKey": vif.auth_key,
        "amazonAddress": first.map(|p| p.amazon_address.as_str()),
        "customerAddress": first.map(|p| p.customer_address.as_str()),
        "addressFamily": first.map(|p| p.family.as_str()),
        "virtualInterfaceState": vif.state,
        "customerRouterConfig": vif.customer_router_config,
        "mtu": vif.mtu,
        "jumboFrameCapable": vif.jumbo_frame_capable.unwrap_or(false),
        "virtualGatewayId": vif.virtual_gateway_id,
        "directConnectGatewayId": vif.gateway,
        "routeFilterPrefixes": vif.route_filter_prefixes.iter().map(|c| json!({"cidr": c})).collect::<Vec<_>>(),
        "bgpPeers": vif.peers.iter().map(|p| render_peer(p, now_ms)).collect::<Vec<_>>(),
        "region": vif.region,
        "awsDeviceV2": vif.aws_device_v2,
        "awsLogicalDeviceId": vif.aws_logical_device_id,
        "tags": tags_json(&vif.tags),
        "siteLinkEnabled": vif.site_link_enabled,
    }))
}

/// A connection in the API shape (`Connection`), MACsec keys included.
pub fn render_connection(c: &ConnectionSpec) -> Value {
    compact(json!({
        "ownerAccount": c.owner_account,
        "connectionId": c.id,
        "connectionName": c.name,
        "connectionState": c.state,
        "region": c.region,
        "location": c.location,
        "bandwidth": c.bandwidth,
        "vlan": (c.vlan > 0).then_some(c.vlan),
        "partnerName": c.partner_name,
        "lagId": c.lag_id,
        "awsDevice": c.aws_device,
        "awsDeviceV2": c.aws_device_v2,
        "awsLogicalDeviceId": c.aws_logical_device_id,
        "jumboFrameCapable": c.jumbo_frame_capable,
        "hasLogicalRedundancy": c.has_logical_redundancy,
        "tags": tags_json(&c.tags),
        "providerName": c.provider_name,
        "macSecCapable": c.mac_sec_capable,
        "portEncryptionStatus": c.port_encryption_status,
        "encryptionMode": c.encryption_mode,
        "macSecKeys": c.mac_sec_keys.iter().map(|k| json!({
            "secretARN": k.secret_arn, "ckn": k.ckn, "state": k.state, "startOn": k.start_on,
        })).collect::<Vec<_>>(),
    }))
}

/// A LAG in the API shape (`Lag`) with its member connections.
pub fn render_lag(lag: &LagSpec, members: &[&ConnectionSpec]) -> Value {
    compact(json!({
        "lagId": lag.id,
        "lagName": lag.name,
        "lagState": lag.state,
        "connectionsBandwidth": lag.bandwidth,
        "numberOfConnections": members.len(),
        "minimumLinks": lag.minimum_links,
        "location": lag.location,
        "region": lag.region,
        "ownerAccount": lag.owner_account,
        "awsDevice": lag.aws_device,
        "awsDeviceV2": lag.aws_device_v2,
        "awsLogicalDeviceId": lag.aws_logical_device_id,
        "connections": members.iter().map(|c| render_connection(c)).collect::<Vec<_>>(),
        "allowsHostedConnections": false,
        "jumboFrameCapable": lag.jumbo_frame_capable,
        "hasLogicalRedundancy": lag.has_logical_redundancy,
        "tags": tags_json(&lag.tags),
        "providerName": lag.provider_name,
        "macSecCapable": lag.mac_sec_capable,
        "encryptionMode": lag.encryption_mode,
    }))
}

/// A Direct Connect gateway in the API shape.
pub fn render_gateway(g: &GatewaySpec) -> Value {
    json!({
        "directConnectGatewayId": g.id,
        "directConnectGatewayName": g.name,
        "amazonSideAsn": g.amazon_side_asn,
        "ownerAccount": g.owner_account,
        "directConnectGatewayState": g.state,
    })
}

/// The gateway attachment derived from a VIF with a gateway.
pub fn render_attachment(vif: &VifSpec) -> Value {
    let state = match vif.state.as_str() {
        "deleting" => "detaching",
        "deleted" | "rejected" => "detached",
        "pending" | "verifying" | "confirming" => "attaching",
        _ => vif.attachment_state.as_str(),
    };
    let kind = if vif.vif_type == "transit" {
        "TransitVirtualInterface"
    } else {
        "PrivateVirtualInterface"
    };
    json!({
        "directConnectGatewayId": vif.gateway,
        "virtualInterfaceId": vif.id,
        "virtualInterfaceRegion": vif.region,
        "virtualInterfaceOwnerAccount": vif.owner_account,
        "attachmentState": state,
        "attachmentType": kind,
    })
}

/// A gateway association in the API shape.
pub fn render_association(a: &AssociationSpec) -> Value {
    let g = &a.associated_gateway;
    let mut v = json!({
        "directConnectGatewayId": a.gateway_id,
        "directConnectGatewayOwnerAccount": a.gateway_owner_account,
        "associationState": a.state,
        "associationId": a.id,
        "associatedGateway": {"id": g.id, "type": g.gateway_type, "ownerAccount": g.owner_account, "region": g.region},
        "allowedPrefixesToDirectConnectGateway": a.allowed_prefixes.iter().map(|c| json!({"cidr": c})).collect::<Vec<_>>(),
    });
    if g.gateway_type == "virtualPrivateGateway" {
        v["virtualGatewayId"] = json!(g.id);
        v["virtualGatewayRegion"] = json!(g.region);
        v["virtualGatewayOwnerAccount"] = json!(g.owner_account);
    }
    v
}

fn encode_token(kind: &str, last: &str) -> String {
    let raw = format!("{kind}|{last}");
    let hex: String = raw.bytes().map(|b| format!("{b:02x}")).collect();
    format!("v1.{hex}")
}

fn decode_token(token: &str, kind: &str) -> Option<String> {
    let hex = token.strip_prefix("v1.")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let raw = String::from_utf8(bytes).ok()?;
    let (k, last) = raw.split_once('|')?;
    (k == kind).then(|| last.to_owned())
}

/// Reads `maxResults` (1..=100, default 100) and `nextToken` (opaque, per listing kind).
pub fn page_params(input: &Value, kind: &str) -> Result<(usize, Option<String>), ApiError> {
    let max = match input.get("maxResults") {
        None | Some(Value::Null) => MAX_PAGE,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_PAGE as i64).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::client(format!(
                    "maxResults must be between 1 and {MAX_PAGE}, got {v}"
                )));
            }
        },
    };
    let after = match input.get("nextToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if t.is_empty() => None,
        Some(Value::String(t)) => Some(
            decode_token(t, kind)
                .ok_or_else(|| ApiError::client("The nextToken provided is invalid"))?,
        ),
        Some(_) => return Err(ApiError::client("The nextToken provided is invalid")),
    };
    Ok((max, after))
}

/// One page of `items` (sorted by a unique key) after the cursor; the token is set only
/// when more items follow.
pub fn paginate<K: AsRef<str>, R>(
    items: impl Iterator<Item = (K, R)>,
    input: &Value,
    kind: &str,
) -> Result<(Vec<R>, Option<String>), ApiError> {
    let (max, after) = page_params(input, kind)?;
    let mut out = Vec::new();
    let mut last: Option<String> = None;
    let mut more = false;
    for (key, item) in items {
        if after.as_deref().is_some_and(|a| key.as_ref() <= a) {
            continue;
        }
        if out.len() == max {
            more = true;
            break;
        }
        last = Some(key.as_ref().to_owned());
        out.push(item);
    }
    let token = match (more, last) {
        (true, Some(last)) => Some(encode_token(kind, &last)),
        _ => None,
    };
    Ok((out, token))
}

/// The entries of `map` after the page cursor in `input`, so that a page costs
/// O(page + log n) rather than a scan from the start.
fn after_cursor<'a, V>(
    map: &'a BTreeMap<String, V>,
    input: &Value,
    kind: &str,
) -> Result<std::collections::btree_map::Range<'a, String, V>, ApiError> {
    use std::ops::Bound;
    let (_, after) = page_params(input, kind)?;
    Ok(match after {
        Some(a) => map.range::<str, _>((Bound::Excluded(a.as_str()), Bound::Unbounded)),
        None => map.range::<str, _>(..),
    })
}

fn with_token(mut v: Value, token: Option<String>) -> Value {
    if let Some(t) = token {
        v["nextToken"] = Value::String(t);
    }
    v
}

/// Connection or LAG facts a new VIF inherits.
struct Link {
    location: String,
    device: String,
    logical: String,
    jumbo: bool,
}

impl State {
    /// Builds the world from a validated scenario; timeline events are queued.
    pub fn new(scenario: Scenario) -> State {
        let mut state = State {
            clock: Clock::new(),
            accounts: BTreeMap::new(),
            index: HashMap::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            faults: Vec::new(),
            next_fault_id: 1,
            log: VecDeque::new(),
            log_seq: 0,
            issued: HashMap::new(),
        };
        for account in scenario.accounts {
            let mut acc = AccountState {
                deny_assume_role: account.deny_assume_role,
                ..AccountState::default()
            };
            for g in account.gateways {
                acc.gateways.insert(g.id.clone(), g);
            }
            for a in account.associations {
                acc.associations.insert(a.id.clone(), a);
            }
            for (region, rs) in account.regions {
                let home = Home {
                    account: account.id.clone(),
                    region: region.clone(),
                };
                let mut reg = RegionState::default();
                for c in rs.connections {
                    state.index.insert(c.id.clone(), home.clone());
                    reg.connections.insert(c.id.clone(), c);
                }
                for l in rs.lags {
                    state.index.insert(l.id.clone(), home.clone());
                    reg.lags.insert(l.id.clone(), l);
                }
                for v in rs.virtual_interfaces {
                    state.index.insert(v.id.clone(), home.clone());
                    reg.vifs.insert(v.id.clone(), v);
                }
                acc.regions.insert(region, reg);
            }
            state.accounts.insert(account.id, acc);
        }
        for event in scenario.timeline {
            let at = event.at.0.as_millis() as u64;
            state.schedule(at, Action::Timeline(Box::new(event)));
        }
        state
    }

    /// Simulated milliseconds since start.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Advances the clock and applies what became due.
    pub fn advance_clock(&mut self, by: Duration) {
        self.clock.advance(by);
        self.tick();
    }

    fn schedule(&mut self, at_ms: u64, action: Action) {
        self.seq += 1;
        self.queue.push(Scheduled {
            at_ms,
            seq: self.seq,
            action,
        });
    }

    /// Applies every queued change that is due; work is proportional to what is due.
    pub fn tick(&mut self) {
        let now = self.now_ms();
        while self.queue.peek().is_some_and(|s| s.at_ms <= now) {
            let Some(item) = self.queue.pop() else { break };
            self.apply(item.at_ms, item.action);
        }
    }

    fn apply(&mut self, at_ms: u64, action: Action) {
        match action {
            Action::Timeline(event) => self.apply_event(at_ms, *event),
            Action::SettleVif(home, id) => {
                if let Some(vif) = self.vif_at_mut(&home, &id)
                    && matches!(vif.state.as_str(), "pending" | "verifying")
                {
                    vif.state = "available".into();
                    for p in &mut vif.peers {
                        if matches!(p.state.as_str(), "pending" | "verifying") {
                            p.state = "available".into();
                            p.status = "up".into();
                        }
                    }
                }
            }
            Action::SettlePeer(home, vif_id, peer_id) => {
                if let Some(vif) = self.vif_at_mut(&home, &vif_id)
                    && let Some(p) = vif.peers.iter_mut().find(|p| p.id == peer_id)
                    && matches!(p.state.as_str(), "pending" | "verifying")
                {
                    p.state = "available".into();
                    p.status = "up".into();
                }
            }
            Action::FinishVifDelete(home, id) => {
                if let Some(vif) = self.vif_at_mut(&home, &id)
                    && vif.state == "deleting"
                {
                    vif.state = "deleted".into();
                    for p in &mut vif.peers {
                        p.state = "deleted".into();
                        p.status = "down".into();
                        p.flap = None;
                    }
                }
            }
            Action::RemovePeer(home, vif_id, peer_id) => {
                if let Some(vif) = self.vif_at_mut(&home, &vif_id) {
                    vif.peers
                        .retain(|p| !(p.id == peer_id && p.state == "deleting"));
                }
            }
            Action::PurgeVif(home, id) => {
                let gone =
                    self.accounts
                        .get_mut(&home.account)
                        .and_then(|a| a.regions.get_mut(&home.region))
                        .is_some_and(|r| {
                            let purge = r.vifs.get(&id).is_some_and(|v| {
                                matches!(v.state.as_str(), "deleted" | "rejected")
                            });
                            if purge {
                                r.vifs.remove(&id);
                            }
                            purge
                        });
                if gone {
                    self.index.remove(&id);
                }
            }
        }
    }

    fn apply_event(&mut self, at_ms: u64, event: TimelineEvent) {
        if let Some(p) = event.peer {
            let _ = self.update_peer(
                &p.virtual_interface_id,
                p.address_family.as_deref(),
                p.bgp_peer_id.as_deref(),
                |peer| {
                    if let Some(s) = &p.bgp_status {
                        peer.status = s.clone();
                    }
                    if let Some(s) = &p.bgp_peer_state {
                        peer.state = s.clone();
                    }
                },
            );
        }
        if let Some(f) = event.flap {
            let flap = Flap {
                start_ms: at_ms,
                every_ms: f.every.0.as_millis() as u64,
                down_for_ms: f.down_for.0.as_millis() as u64,
            };
            let _ = self.update_peer(
                &f.virtual_interface_id,
                f.address_family.as_deref(),
                f.bgp_peer_id.as_deref(),
                |peer| peer.flap = Some(flap),
            );
        }
        if let Some(e) = event.virtual_interface {
            let _ = self.set_vif_state(&e.id, &e.state);
        }
        if let Some(e) = event.connection {
            let _ = self.set_connection_state(&e.id, &e.state);
        }
        if let Some(e) = event.lag {
            let _ = self.set_lag_state(&e.id, &e.state);
        }
        if let Some(w) = event.fault {
            let id = self.next_fault_id;
            self.next_fault_id += 1;
            self.faults.push(Fault {
                id,
                kind: w.kind,
                operation: w.operation,
                account: w.account,
                region: w.region,
                remaining: None,
                latency_ms: w.latency_ms.unwrap_or(0),
                from_ms: at_ms,
                until_ms: Some(at_ms + w.duration.0.as_millis() as u64),
            });
        }
    }

    fn vif_at_mut(&mut self, home: &Home, id: &str) -> Option<&mut VifSpec> {
        self.accounts
            .get_mut(&home.account)?
            .regions
            .get_mut(&home.region)?
            .vifs
            .get_mut(id)
    }

    fn region_mut(&mut self, home: &Home) -> &mut RegionState {
        self.accounts
            .entry(home.account.clone())
            .or_default()
            .regions
            .entry(home.region.clone())
            .or_default()
    }

    fn region_of(&self, caller: &Caller) -> Option<&RegionState> {
        self.accounts
            .get(&caller.account)?
            .regions
            .get(&caller.region)
    }

    fn home_of(caller: &Caller) -> Home {
        Home {
            account: caller.account.clone(),
            region: caller.region.clone(),
        }
    }

    /// The caller's own VIF (same account and region), or a client error.
    fn caller_vif_mut(&mut self, caller: &Caller, id: &str) -> Result<&mut VifSpec, ApiError> {
        let home = Self::home_of(caller);
        self.vif_at_mut(&home, id)
            .ok_or_else(|| ApiError::client(format!("Virtual interface {id} does not exist")))
    }

    fn new_id(&self, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}{}", wire::random_suffix(8));
            if !self.index.contains_key(&id) {
                return id;
            }
        }
    }

    // ---------------------------------------------------------------- Direct Connect

    /// Runs one Direct Connect operation for `caller` and returns the response body.
    pub fn dx(
        &mut self,
        caller: &Caller,
        operation: &str,
        input: &Value,
    ) -> Result<Value, ApiError> {
        self.tick();
        match operation {
            "DescribeVirtualInterfaces" => self.describe_vifs(caller, input),
            "DescribeConnections" => self.describe_connections(caller, input),
            "DescribeLags" => self.describe_lags(caller, input),
            "DescribeDirectConnectGateways" => self.describe_gateways(caller, input),
            "DescribeDirectConnectGatewayAttachments" => self.describe_attachments(caller, input),
            "DescribeDirectConnectGatewayAssociations" => self.describe_associations(caller, input),
            "CreateBGPPeer" => self.create_bgp_peer(caller, input),
            "DeleteBGPPeer" => self.delete_bgp_peer(caller, input),
            "AllocatePrivateVirtualInterface" => self.allocate_vif(caller, input, "private"),
            "AllocatePublicVirtualInterface" => self.allocate_vif(caller, input, "public"),
            "CreatePrivateVirtualInterface" => self.create_vif(caller, input, "private"),
            "CreatePublicVirtualInterface" => self.create_vif(caller, input, "public"),
            "ConfirmPrivateVirtualInterface" => self.confirm_vif(caller, input, "private"),
            "ConfirmPublicVirtualInterface" => self.confirm_vif(caller, input, "public"),
            "DeleteVirtualInterface" => self.delete_vif(caller, input),
            other => Err(ApiError::unknown_operation(other)),
        }
    }

    fn describe_vifs(&self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let now = self.now_ms();
        let conn = str_field(input, "connectionId");
        let only = str_field(input, "virtualInterfaceId");
        let empty = BTreeMap::new();
        let vifs = self.region_of(caller).map_or(&empty, |r| &r.vifs);
        if let Some(id) = only
            && !vifs.contains_key(id)
        {
            return Err(ApiError::client(format!(
                "Virtual interface {id} does not exist"
            )));
        }
        let items = after_cursor(vifs, input, "vifs")?.filter(|(_, v)| {
            conn.is_none_or(|c| v.connection == c) && only.is_none_or(|i| v.id == i)
        });
        let (page, token) = paginate(items, input, "vifs")?;
        let list: Vec<Value> = page.into_iter().map(|v| render_vif(v, now)).collect();
        Ok(with_token(json!({"virtualInterfaces": list}), token))
    }

    fn describe_connections(&self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let only = str_field(input, "connectionId");
        let empty = BTreeMap::new();
        let conns = self.region_of(caller).map_or(&empty, |r| &r.connections);
        if let Some(id) = only
            && !conns.contains_key(id)
        {
            return Err(ApiError::client(format!("Connection {id} does not exist")));
        }
        let items = after_cursor(conns, input, "connections")?
            .filter(|(_, c)| only.is_none_or(|i| c.id == i));
        let (page, token) = paginate(items, input, "connections")?;
        let list: Vec<Value> = page.into_iter().map(render_connection).collect();
        Ok(with_token(json!({"connections": list}), token))
    }

    fn describe_lags(&self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let only = str_field(input, "lagId");
        let Some(region) = self.region_of(caller) else {
            if let Some(id) = only {
                return Err(ApiError::client(format!("LAG {id} does not exist")));
            }
            page_params(input, "lags")?;
            return Ok(json!({"lags": []}));
        };
        if let Some(id) = only
            && !region.lags.contains_key(id)
        {
            return Err(ApiError::client(format!("LAG {id} does not exist")));
        }
        let items = after_cursor(&region.lags, input, "lags")?
            .filter(|(_, l)| only.is_none_or(|i| l.id == i));
        let (page, token) = paginate(items, input, "lags")?;
        let list: Vec<Value> = page
            .into_iter()
            .map(|lag| {
                let members: Vec<&ConnectionSpec> = region
                    .connections
                    .values()
                    .filter(|c| c.lag_id.as_deref() == Some(lag.id.as_str()))
                    .collect();
                render_lag(lag, &members)
            })
            .collect();
        Ok(with_token(json!({"lags": list}), token))
    }

    fn describe_gateways(&self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let only = str_field(input, "directConnectGatewayId");
        let empty = BTreeMap::new();
        let gws = self
            .accounts
            .get(&caller.account)
            .map_or(&empty, |a| &a.gateways);
        let items =
            after_cursor(gws, input, "gateways")?.filter(|(_, g)| only.is_none_or(|i| g.id == i));
        let (page, token) = paginate(items, input, "gateways")?;
        let list: Vec<Value> = page.into_iter().map(render_gateway).collect();
        Ok(with_token(json!({"directConnectGateways": list}), token))
    }

    fn describe_attachments(&self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let gw = str_field(input, "directConnectGatewayId");
        let vif = str_field(input, "virtualInterfaceId");
        if gw.is_none() && vif.is_none() {
            return Err(ApiError::client(
                "You must specify a directConnectGatewayId or a virtualInterfaceId",
            ));
        }
        if let Some(g) = gw
            && !self.accounts.values().any(|a| a.gateways.contains_key(g))
        {
            return Err(ApiError::client(format!(
                "Direct Connect gateway {g} does not exist"
            )));
        }
        if let Some(v) = vif
            && self
                .region_of(caller)
                .is_none_or(|r| !r.vifs.contains_key(v))
        {
            return Err(ApiError::client(format!(
                "Virtual interface {v} does not exist"
            )));
        }
        let mut found: Vec<(String, &VifSpec)> = self
            .accounts
            .values()
            .flat_map(|a| a.regions.values())
            .flat_map(|r| r.vifs.values())
            .filter(|v| {
                v.gateway.is_some()
                    && gw.is_none_or(|g| v.gateway.as_deref() == Some(g))
                    && vif.is_none_or(|i| v.id == i)
            })
            .map(|v| {
                (
                    format!("{}|{}", v.gateway.as_deref().unwrap_or_default(), v.id),
                    v,
                )
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let (page, token) = paginate(found.into_iter(), input, "attachments")?;
        let list: Vec<Value> = page.into_iter().map(render_attachment).collect();
        Ok(with_token(
            json!({"directConnectGatewayAttachments": list}),
            token,
        ))
    }

    fn describe_associations(&self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let gw = str_field(input, "directConnectGatewayId");
        let assoc = str_field(input, "associationId");
        let associated =
            str_field(input, "associatedGatewayId").or(str_field(input, "virtualGatewayId"));
        let empty = BTreeMap::new();
        let all = self
            .accounts
            .get(&caller.account)
            .map_or(&empty, |a| &a.associations);
        let items = after_cursor(all, input, "associations")?.filter(|(_, a)| {
            gw.is_none_or(|g| a.gateway_id == g)
                && assoc.is_none_or(|i| a.id == i)
                && associated.is_none_or(|i| a.associated_gateway.id == i)
        });
        let (page, token) = paginate(items, input, "associations")?;
        let list: Vec<Value> = page.into_iter().map(render_association).collect();
        Ok(with_token(
            json!({"directConnectGatewayAssociations": list}),
            token,
        ))
    }

    fn create_bgp_peer(&mut self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
        let now = self.now_ms();
        let vif_id = required(input, "virtualInterfaceId")?.to_owned();
        let new = input
            .get("newBGPPeer")
            .filter(|v| v.is_object())
            .ok_or_else(|| ApiError::client("newBGPPeer is required"))?;
        let family = str_field(new, "addressFamily").unwrap_or("ipv4");
        if !matches!(family, "ipv4" | "ipv6") {
            return Err(ApiError::client(format!(
                "addressFamily must be ipv4 or ipv6, got {family:?}"
            )));
        }
        let amazon = str_field(new, "amazonAddress");
        let customer = str_field(new, "customerAddress");
        if family == "ipv6" && (amazon.is_some() || customer.is_some()) {
            return Err(ApiError::client(
                "When creating an IPv6 BGP peer, the Amazon address and customer address fields must be left blank; IPv6 addresses are assigned by the service",
            ));
        }
        let peer_id = self.new_id("dxpeer-");
        let vif = self.caller_vif_mut(caller, &vif_id)?;
        if inactive_vif(&vif.state) {
            return Err(ApiError::client(format!(
                "Virtual interface {vif_id} is {} and cannot take a new BGP peer",
                vif.state
            )));
        }
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
        let (auto_amazon, auto_customer) = peer_addresses(family, fnv(&peer_id));
        let peer = PeerSpec {
            id: peer_id.clone(),
            family: family.to_owned(),
            asn,
            auth_key: str_field(new, "authKey").map_or_else(|| secret_key(&peer_id), str::to_owned),
            amazon_address: amazon.map_or(auto_amazon, str::to_owned),
            customer_address: customer.map_or(auto_customer, str::to_owned),
            state: if vif.vif_type == "public" {
                "verifying"
            } else {
                "pending"
            }
            .into(),
            status: "down".into(),
            aws_device_v2: vif.aws_device_v2.clone(),
            aws_logical_device_id: vif.aws_logical_device_id.clone(),
            flap: None,
        };
        vif.peers.push(peer);
        let body = json!({"virtualInterface": render_vif(vif, now)});
        self.schedule(
            now + SETTLE_DELAY_MS,
            Action::SettlePeer(Self::home_of(caller), vif_id, peer_id),
        );
        Ok(body)
    }

    fn delete_bgp_peer(&mut self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
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
        let body = json!({"virtualInterface": render_vif(vif, now)});
        self.schedule(
            now + SETTLE_DELAY_MS,
            Action::RemovePeer(Self::home_of(caller), vif_id, removed),
        );
        Ok(body)
    }

    /// The caller's connection or LAG, usable for a new VIF.
    fn link(&self, caller: &Caller, id: &str) -> Result<Link, ApiError> {
        let region = self.region_of(caller);
        if let Some(c) = region.and_then(|r| r.connections.get(id)) {
            return Ok(Link {
                location: c.location.clone(),
                device: c.aws_device_v2.clone(),
                logical: c.aws_logical_device_id.clone(),
                jumbo: c.jumbo_frame_capable,
            });
        }
        if let Some(l) = region.and_then(|r| r.lags.get(id)) {
            return Ok(Link {
                location: l.location.clone(),
                device: l.aws_device_v2.clone(),
                logical: l.aws_logical_device_id.clone(),
                jumbo: l.jumbo_frame_capable,
            });
        }
        Err(ApiError::client(format!("Connection {id} does not exist")))
    }

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
        vif_type: &str,
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
        let family = str_field(body, "addressFamily").unwrap_or("ipv4");
        if !matches!(family, "ipv4" | "ipv6") {
            return Err(ApiError::client(format!(
                "addressFamily must be ipv4 or ipv6, got {family:?}"
            )));
        }
        let amazon = str_field(body, "amazonAddress");
        let customer = str_field(body, "customerAddress");
        if family == "ipv6" && (amazon.is_some() || customer.is_some()) {
            return Err(ApiError::client(
                "For IPv6 the Amazon address and customer address fields must be left blank; IPv6 addresses are assigned by the service",
            ));
        }
        let mtu = body.get("mtu").and_then(Value::as_u64).unwrap_or(1500) as u32;
        let mtu_ok = match vif_type {
            "private" => matches!(mtu, 1500 | 8500 | 9001),
            "transit" => matches!(mtu, 1500 | 8500),
            _ => mtu == 1500,
        };
        if !mtu_ok {
            return Err(ApiError::client(format!(
                "mtu {mtu} is not valid for a {vif_type} virtual interface"
            )));
        }
        let gateway = str_field(body, "directConnectGatewayId").map(str::to_owned);
        if let Some(g) = &gateway
            && !self.accounts.values().any(|a| a.gateways.contains_key(g))
        {
            return Err(ApiError::client(format!(
                "Direct Connect gateway {g} does not exist"
            )));
        }
        let mut tags = BTreeMap::new();
        for t in body
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key =
                str_field(t, "key").ok_or_else(|| ApiError::client("every tag needs a key"))?;
            if tags
                .insert(
                    key.to_owned(),
                    str_field(t, "value").unwrap_or_default().to_owned(),
                )
                .is_some()
            {
                return Err(ApiError::client(format!("duplicate tag key {key:?}")));
            }
        }
        let id = self.new_id("dxvif-");
        let peer_id = self.new_id("dxpeer-");
        let auth_key = str_field(body, "authKey").map_or_else(|| secret_key(&id), str::to_owned);
        let (auto_amazon, auto_customer) = peer_addresses(family, fnv(&peer_id));
        let initial = if vif_type == "public" {
            "verifying"
        } else {
            "pending"
        };
        let mut vif = VifSpec {
            id,
            name: name.to_owned(),
            vif_type: vif_type.to_owned(),
            connection: connection.to_owned(),
            vlan,
            asn,
            amazon_side_asn: 64512,
            state: initial.into(),
            mtu,
            jumbo_frame_capable: Some(link.jumbo),
            gateway,
            attachment_state: "attached".into(),
            virtual_gateway_id: str_field(body, "virtualGatewayId").map(str::to_owned),
            route_filter_prefixes: body
                .get("routeFilterPrefixes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| str_field(p, "cidr").map(str::to_owned))
                .collect(),
            peers: vec![PeerSpec {
                id: peer_id,
                family: family.to_owned(),
                asn,
                auth_key: auth_key.clone(),
                amazon_address: amazon.map_or(auto_amazon, str::to_owned),
                customer_address: customer.map_or(auto_customer, str::to_owned),
                state: initial.into(),
                status: "down".into(),
                aws_device_v2: link.device.clone(),
                aws_logical_device_id: link.logical.clone(),
                flap: None,
            }],
            auth_key,
            customer_router_config: String::new(),
            location: link.location,
            aws_device_v2: link.device,
            aws_logical_device_id: link.logical,
            site_link_enabled: body
                .get("enableSiteLink")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            tags,
            owner_account: owner.to_owned(),
            region: caller.region.clone(),
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

    fn allocate_vif(
        &mut self,
        caller: &Caller,
        input: &Value,
        vif_type: &str,
    ) -> Result<Value, ApiError> {
        let now = self.now_ms();
        let connection = required(input, "connectionId")?;
        let owner = required(input, "ownerAccount")?;
        if owner.len() != 12 || !owner.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::client(format!(
                "ownerAccount {owner:?} is not a 12-digit account id"
            )));
        }
        let key = if vif_type == "public" {
            "newPublicVirtualInterfaceAllocation"
        } else {
            "newPrivateVirtualInterfaceAllocation"
        };
        let body = input
            .get(key)
            .filter(|v| v.is_object())
            .ok_or_else(|| ApiError::client(format!("{key} is required")))?;
        let mut vif = self.build_vif(caller, connection, owner, vif_type, body)?;
        // Allocated VIFs wait for their owner: ConfirmPrivate/PublicVirtualInterface.
        vif.state = "confirming".into();
        for p in &mut vif.peers {
            p.state = "pending".into();
        }
        let out = render_vif(&vif, now);
        self.store_vif(vif);
        Ok(out)
    }

    fn create_vif(
        &mut self,
        caller: &Caller,
        input: &Value,
        vif_type: &str,
    ) -> Result<Value, ApiError> {
        let now = self.now_ms();
        let connection = required(input, "connectionId")?;
        let key = if vif_type == "public" {
            "newPublicVirtualInterface"
        } else {
            "newPrivateVirtualInterface"
        };
        let body = input
            .get(key)
            .filter(|v| v.is_object())
            .ok_or_else(|| ApiError::client(format!("{key} is required")))?;
        let vif = self.build_vif(caller, connection, &caller.account, vif_type, body)?;
        let out = render_vif(&vif, now);
        let id = vif.id.clone();
        self.store_vif(vif);
        self.schedule(
            now + SETTLE_DELAY_MS,
            Action::SettleVif(Self::home_of(caller), id),
        );
        Ok(out)
    }

    fn confirm_vif(
        &mut self,
        caller: &Caller,
        input: &Value,
        vif_type: &str,
    ) -> Result<Value, ApiError> {
        let now = self.now_ms();
        let id = required(input, "virtualInterfaceId")?.to_owned();
        let vgw = str_field(input, "virtualGatewayId").map(str::to_owned);
        let dxgw = str_field(input, "directConnectGatewayId").map(str::to_owned);
        if let Some(g) = &dxgw
            && !self.accounts.values().any(|a| a.gateways.contains_key(g))
        {
            return Err(ApiError::client(format!(
                "Direct Connect gateway {g} does not exist"
            )));
        }
        let vif = self.caller_vif_mut(caller, &id)?;
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
        let next = if vif_type == "public" {
            "verifying"
        } else {
            "pending"
        };
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
        self.schedule(
            now + SETTLE_DELAY_MS,
            Action::SettleVif(Self::home_of(caller), id),
        );
        Ok(json!({"virtualInterfaceState": next}))
    }

    fn delete_vif(&mut self, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
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
        let next = if vif.state == "confirming" {
            "rejected"
        } else {
            "deleting"
        };
        vif.state = next.into();
        for p in &mut vif.peers {
            p.state = if next == "rejected" {
                "deleted"
            } else {
                "deleting"
            }
            .into();
            p.status = "down".into();
            p.flap = None;
        }
        let home = Self::home_of(caller);
        if next == "deleting" {
            self.schedule(
                now + SETTLE_DELAY_MS,
                Action::FinishVifDelete(home.clone(), id.clone()),
            );
        }
        self.schedule(now + DELETED_RETENTION_MS, Action::PurgeVif(home, id));
        Ok(json!({"virtualInterfaceState": next}))
    }

    // ---------------------------------------------------------------- STS

    /// Answers an STS query (`GetCallerIdentity`, `AssumeRole`) with the response XML.
    pub fn sts(
        &mut self,
        caller: &Caller,
        params: &HashMap<String, String>,
        request_id: &str,
    ) -> Result<String, StsError> {
        let action = params.get("Action").map(String::as_str).unwrap_or_default();
        match action {
            "GetCallerIdentity" => {
                let (arn, user_id) = self
                    .issued
                    .get(&caller.access_key_id)
                    .cloned()
                    .unwrap_or_else(|| {
                        (
                            format!("arn:aws:iam::{}:user/simulator", caller.account),
                            format!("AIDA{}SIMULATOR", caller.account),
                        )
                    });
                Ok(wire::caller_identity_xml(
                    &arn,
                    &user_id,
                    &caller.account,
                    request_id,
                ))
            }
            "AssumeRole" => {
                let invalid = |m: String| StsError {
                    status: 400,
                    code: "ValidationError",
                    message: m,
                };
                let role_arn = params
                    .get("RoleArn")
                    .ok_or_else(|| invalid("RoleArn is required".into()))?;
                let session = params
                    .get("RoleSessionName")
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| invalid("RoleSessionName is required".into()))?;
                let parts: Vec<&str> = role_arn.split(':').collect();
                let account = match parts.as_slice() {
                    ["arn", _, "iam", "", acct, res]
                        if acct.len() == 12
                            && acct.bytes().all(|b| b.is_ascii_digit())
                            && res.starts_with("role/") =>
                    {
                        (*acct).to_owned()
                    }
                    _ => return Err(invalid(format!("{role_arn} is not a valid role ARN"))),
                };
                let role_name = parts[5]
                    .trim_start_matches("role/")
                    .rsplit('/')
                    .next()
                    .unwrap_or_default();
                if self
                    .accounts
                    .get(&account)
                    .is_some_and(|a| a.deny_assume_role)
                {
                    return Err(StsError {
                        status: 403,
                        code: "AccessDenied",
                        message: format!(
                            "User: arn:aws:iam::{}:user/simulator is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                            caller.account
                        ),
                    });
                }
                let seconds: u64 = match params.get("DurationSeconds") {
                    None => 3600,
                    Some(s) => s
                        .parse()
                        .ok()
                        .filter(|d| (900..=43_200).contains(d))
                        .ok_or_else(|| {
                            invalid(format!("DurationSeconds {s} must be 900..=43200"))
                        })?,
                };
                let role_id = format!("AROA{}{}", account, wire::random_upper(6));
                let creds = AssumedRole {
                    access_key_id: format!("ASIA{account}{}", wire::random_upper(4)),
                    secret_access_key: wire::random_suffix(40),
                    session_token: format!("FwoGZXIvYXdzE{}", wire::random_suffix(120)),
                    expiration: wire::rfc3339(SystemTime::now() + Duration::from_secs(seconds)),
                    assumed_role_id: format!("{role_id}:{session}"),
                    arn: format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}"),
                };
                if self.issued.len() >= ISSUED_KEYS_CAPACITY {
                    self.issued.clear();
                }
                self.issued.insert(
                    creds.access_key_id.clone(),
                    (creds.arn.clone(), creds.assumed_role_id.clone()),
                );
                Ok(wire::assume_role_xml(&creds, request_id))
            }
            other => Err(StsError {
                status: 400,
                code: "InvalidAction",
                message: format!("The simulator does not support STS action {other:?}"),
            }),
        }
    }

    // ---------------------------------------------------------------- faults and log

    /// Adds a fault; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_fault(
        &mut self,
        kind: FaultKind,
        operation: Option<String>,
        account: Option<String>,
        region: Option<String>,
        count: Option<u32>,
        latency_ms: u64,
    ) -> u64 {
        let id = self.next_fault_id;
        self.next_fault_id += 1;
        self.faults.push(Fault {
            id,
            kind,
            operation,
            account,
            region,
            remaining: count,
            latency_ms,
            from_ms: 0,
            until_ms: None,
        });
        id
    }

    /// Removes every active fault; returns how many.
    pub fn clear_faults(&mut self) -> usize {
        let n = self.faults.len();
        self.faults.clear();
        n
    }

    /// Active faults.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// Consumes the faults matching one request: all latencies add up, the first other
    /// fault decides the outcome. Expired and used-up faults are dropped.
    pub fn take_fault(
        &mut self,
        operation: &str,
        is_sts: bool,
        account: &str,
        region: &str,
    ) -> FaultOutcome {
        self.tick();
        let now = self.now_ms();
        let mut outcome = FaultOutcome::default();
        for f in &mut self.faults {
            if !f.matches(operation, is_sts, account, region, now) {
                continue;
            }
            let used = match f.kind {
                FaultKind::Latency => {
                    outcome.latency += Duration::from_millis(f.latency_ms);
                    true
                }
                kind if outcome.kind.is_none() => {
                    outcome.kind = Some(kind);
                    true
                }
                _ => false,
            };
            if used && let Some(n) = &mut f.remaining {
                *n = n.saturating_sub(1);
            }
        }
        self.faults
            .retain(|f| f.remaining != Some(0) && f.until_ms.is_none_or(|u| now < u));
        outcome
    }

    /// Appends to the bounded request log.
    pub fn record(
        &mut self,
        operation: &str,
        caller: &Caller,
        status: u16,
        error_code: Option<&str>,
    ) {
        self.log_seq += 1;
        // Never the body: requests carry auth keys.
        tracing::debug!(
            operation,
            account = %caller.account,
            region = %caller.region,
            status,
            error_code = error_code.unwrap_or(""),
            "simulator request"
        );
        if self.log.len() >= REQUEST_LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(LogEntry {
            seq: self.log_seq,
            operation: operation.to_owned(),
            account: caller.account.clone(),
            region: caller.region.clone(),
            status,
            error_code: error_code.map(str::to_owned),
        });
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LogEntry> {
        self.log.iter().cloned().collect()
    }

    /// Empties the request log.
    pub fn clear_requests(&mut self) {
        self.log.clear();
    }

    // ---------------------------------------------------------------- control

    fn update_peer(
        &mut self,
        vif_id: &str,
        family: Option<&str>,
        peer_id: Option<&str>,
        change: impl FnOnce(&mut PeerSpec),
    ) -> Result<Value, ControlError> {
        if family.is_none() && peer_id.is_none() {
            return Err(ControlError::Invalid(
                "give address_family or bgp_peer_id".into(),
            ));
        }
        let now = self.now_ms();
        let home =
            self.index.get(vif_id).cloned().ok_or_else(|| {
                ControlError::NotFound(format!("unknown virtual interface {vif_id}"))
            })?;
        let vif = self
            .vif_at_mut(&home, vif_id)
            .ok_or_else(|| ControlError::NotFound(format!("unknown virtual interface {vif_id}")))?;
        let peer = vif
            .peers
            .iter_mut()
            .find(|p| match peer_id {
                Some(id) => p.id == id,
                None => Some(p.family.as_str()) == family,
            })
            .ok_or_else(|| ControlError::NotFound(format!("no such BGP peer on {vif_id}")))?;
        change(peer);
        Ok(render_vif(vif, now))
    }

    /// Sets a peer's status and/or state (any string) and stops its flap; returns the VIF.
    pub fn set_peer(
        &mut self,
        vif_id: &str,
        family: Option<&str>,
        peer_id: Option<&str>,
        status: Option<&str>,
        state: Option<&str>,
    ) -> Result<Value, ControlError> {
        self.tick();
        self.update_peer(vif_id, family, peer_id, |p| {
            p.flap = None;
            if let Some(s) = status {
                p.status = s.to_owned();
            }
            if let Some(s) = state {
                p.state = s.to_owned();
            }
        })
    }

    /// Sets a VIF state (any string); returns the VIF.
    pub fn set_vif_state(&mut self, id: &str, state: &str) -> Result<Value, ControlError> {
        let now = self.now_ms();
        let home = self.index.get(id).cloned();
        let vif = home
            .and_then(|h| self.vif_at_mut(&h, id))
            .ok_or_else(|| ControlError::NotFound(format!("unknown virtual interface {id}")))?;
        vif.state = state.to_owned();
        Ok(render_vif(vif, now))
    }

    /// Sets a connection state (any string); returns the connection.
    pub fn set_connection_state(&mut self, id: &str, state: &str) -> Result<Value, ControlError> {
        let home = self.index.get(id).cloned();
        let conn = home
            .and_then(|h| {
                self.accounts
                    .get_mut(&h.account)?
                    .regions
                    .get_mut(&h.region)?
                    .connections
                    .get_mut(id)
            })
            .ok_or_else(|| ControlError::NotFound(format!("unknown connection {id}")))?;
        conn.state = state.to_owned();
        Ok(render_connection(conn))
    }

    /// Sets a LAG state (any string); returns the LAG without members.
    pub fn set_lag_state(&mut self, id: &str, state: &str) -> Result<Value, ControlError> {
        let home = self.index.get(id).cloned();
        let lag = home
            .and_then(|h| {
                self.accounts
                    .get_mut(&h.account)?
                    .regions
                    .get_mut(&h.region)?
                    .lags
                    .get_mut(id)
            })
            .ok_or_else(|| ControlError::NotFound(format!("unknown LAG {id}")))?;
        lag.state = state.to_owned();
        Ok(render_lag(lag, &[]))
    }

    /// The whole state in API shapes, for `GET /_sim/state`.
    pub fn dump(&mut self) -> Value {
        self.tick();
        let now = self.now_ms();
        // Attachments belong to the gateway's owner; VIFs may live in any account.
        let mut by_gateway: HashMap<&str, Vec<Value>> = HashMap::new();
        for v in self
            .accounts
            .values()
            .flat_map(|a| a.regions.values())
            .flat_map(|r| r.vifs.values())
        {
            if let Some(g) = &v.gateway {
                by_gateway
                    .entry(g.as_str())
                    .or_default()
                    .push(render_attachment(v));
            }
        }
        let mut accounts = serde_json::Map::new();
        for (id, acc) in &self.accounts {
            let mut regions = serde_json::Map::new();
            for (name, r) in &acc.regions {
                let lags: Vec<Value> = r
                    .lags
                    .values()
                    .map(|l| {
                        let members: Vec<&ConnectionSpec> = r
                            .connections
                            .values()
                            .filter(|c| c.lag_id.as_deref() == Some(l.id.as_str()))
                            .collect();
                        render_lag(l, &members)
                    })
                    .collect();
                regions.insert(
                    name.clone(),
                    json!({
                        "connections": r.connections.values().map(render_connection).collect::<Vec<_>>(),
                        "lags": lags,
                        "virtual_interfaces": r.vifs.values().map(|v| render_vif(v, now)).collect::<Vec<_>>(),
                    }),
                );
            }
            let attachments: Vec<Value> = acc
                .gateways
                .keys()
                .flat_map(|g| by_gateway.get(g.as_str()).into_iter().flatten().cloned())
                .collect();
            accounts.insert(
                id.clone(),
                json!({
                    "deny_assume_role": acc.deny_assume_role,
                    "gateways": acc.gateways.values().map(render_gateway).collect::<Vec<_>>(),
                    "attachments": attachments,
                    "associations": acc.associations.values().map(render_association).collect::<Vec<_>>(),
                    "regions": regions,
                }),
            );
        }
        json!({
            "now_seconds": now as f64 / 1000.0,
            "accounts": accounts,
            "faults": self.faults,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_byte_asns_go_out_as_zero_plus_asn_long() {
        assert_eq!(asn_pair(65000), (65000, 65000));
        assert_eq!(asn_pair(2_147_483_647), (2_147_483_647, 2_147_483_647));
        assert_eq!(asn_pair(4_200_000_000), (0, 4_200_000_000));
    }

    fn caller() -> Caller {
        Caller::from_authorization(None)
    }

    #[test]
    fn the_request_log_keeps_only_the_newest_entries() {
        let mut s = State::new(Scenario::demo());
        for _ in 0..REQUEST_LOG_CAPACITY + 5 {
            s.record("DescribeLags", &caller(), 200, None);
        }
        let log = s.requests();
        assert_eq!(log.len(), REQUEST_LOG_CAPACITY);
        assert_eq!(log[0].seq, 6);
    }

    #[test]
    fn counted_faults_run_out_and_latencies_add_up() {
        let mut s = State::new(Scenario::demo());
        s.add_fault(FaultKind::Throttle, None, None, None, Some(1), 0);
        s.add_fault(FaultKind::Latency, None, None, None, Some(2), 100);
        s.add_fault(
            FaultKind::Latency,
            Some("DescribeLags".into()),
            None,
            None,
            None,
            50,
        );
        let first = s.take_fault("DescribeLags", false, "111111111111", "us-east-1");
        assert_eq!(first.kind, Some(FaultKind::Throttle));
        assert_eq!(first.latency, Duration::from_millis(150));
        let second = s.take_fault("DescribeConnections", false, "111111111111", "us-east-1");
        assert_eq!(
            (second.kind, second.latency),
            (None, Duration::from_millis(100))
        );
        let third = s.take_fault("DescribeConnections", false, "111111111111", "us-east-1");
        assert_eq!(third, FaultOutcome::default());
        assert_eq!(
            s.faults().len(),
            1,
            "the uncounted fault stays until cleared"
        );
    }

    #[test]
    fn faults_without_an_operation_spare_sts_and_filters_apply() {
        let mut s = State::new(Scenario::demo());
        s.add_fault(
            FaultKind::ServerError,
            None,
            Some("222222222222".into()),
            Some("eu-west-1".into()),
            None,
            0,
        );
        assert_eq!(
            s.take_fault("AssumeRole", true, "222222222222", "eu-west-1")
                .kind,
            None
        );
        assert_eq!(
            s.take_fault("DescribeLags", false, "111111111111", "eu-west-1")
                .kind,
            None
        );
        assert_eq!(
            s.take_fault("DescribeLags", false, "222222222222", "us-east-1")
                .kind,
            None
        );
        assert_eq!(
            s.take_fault("DescribeLags", false, "222222222222", "eu-west-1")
                .kind,
            Some(FaultKind::ServerError)
        );
    }

    #[test]
    fn deleted_vifs_are_purged_after_fifteen_simulated_minutes() {
        let mut s = State::new(Scenario::demo());
        let c = caller();
        let del = json!({"virtualInterfaceId": "dxvif-fgy8b9n8"});
        s.dx(&c, "DeleteVirtualInterface", &del).unwrap();
        s.advance_clock(Duration::from_millis(DELETED_RETENTION_MS - 1_000));
        let one = json!({"virtualInterfaceId": "dxvif-fgy8b9n8"});
        let v = s.dx(&c, "DescribeVirtualInterfaces", &one).unwrap();
        assert_eq!(
            v["virtualInterfaces"][0]["virtualInterfaceState"],
            "deleted"
        );
        s.advance_clock(Duration::from_secs(2));
        assert!(s.dx(&c, "DescribeVirtualInterfaces", &one).is_err());
    }

    #[test]
    fn private_asn_ranges_follow_rfc_6996() {
        assert!(is_private_asn(64_512) && is_private_asn(65_534) && is_private_asn(4_200_000_000));
        assert!(!is_private_asn(7224) && !is_private_asn(65_535) && !is_private_asn(4_294_967_295));
    }

    #[test]
    fn tokens_round_trip_and_are_bound_to_their_listing() {
        let t = encode_token("vifs", "dxvif-abc");
        assert_eq!(decode_token(&t, "vifs").as_deref(), Some("dxvif-abc"));
        assert_eq!(decode_token(&t, "lags"), None);
        assert_eq!(decode_token("garbage", "vifs"), None);
        assert_eq!(decode_token("v1.zz", "vifs"), None);
    }

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<String> = (0..250).map(|i| format!("k{i:04}")).collect();
        let mut input = json!({"maxResults": 100});
        let mut seen = Vec::new();
        loop {
            let (page, token) =
                paginate(items.iter().map(|k| (k.as_str(), k.clone())), &input, "t").unwrap();
            seen.extend(page);
            match token {
                Some(t) => input["nextToken"] = json!(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn out_of_range_page_sizes_are_client_errors() {
        for bad in [
            json!({"maxResults": 0}),
            json!({"maxResults": 101}),
            json!({"maxResults": "x"}),
        ] {
            assert_eq!(
                page_params(&bad, "t").unwrap_err().code,
                "DirectConnectClientException"
            );
        }
    }

    #[test]
    fn timeline_events_apply_lazily_when_the_clock_passes_them() {
        let mut s = State::new(Scenario::demo());
        let before = s.dump().to_string();
        assert!(!before.is_empty());
        s.advance_clock(Duration::from_secs(3600));
        assert!(s.queue.iter().all(|q| q.at_ms > s.now_ms()));
    }
}
