//! The simulated world: fleet state per account and region, the clock, time-driven changes, active faults and the request log.
//!
//! Everything here is synchronous and bounded: the server locks [`State`] (with [`lock`]),
//! calls one method and unlocks before any `.await`. Time-driven changes (timeline events,
//! pending → available, deleted → gone) sit in a priority queue and are applied lazily by
//! [`State::tick`] on each request, so idle simulators do no work.
//!
//! The operations are split by API surface: `describe.rs` (Direct Connect reads),
//! `health.rs` (AWS Health maintenance events),
//! `vifs.rs` (the VIF and BGP peer lifecycle and its rules), `sts.rs`, `cloudwatch/`
//! (the `AWS/DX` series GetMetricData derives from the fleet), and `control.rs`
//! (what the control endpoint changes); `paging.rs` and `render.rs` are the wire helpers
//! they share, `requests.rs` the request log.

mod cloudwatch;
mod control;
mod describe;
mod health;
mod paging;
mod render;
mod requests;
mod sts;
mod vifs;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

pub use cloudwatch::{MAX_METRIC_RESULTS_PAGE, PUBLICATION_DELAY_SECONDS};
pub(crate) use control::ControlError;
pub use paging::MAX_PAGE;
pub use requests::{LogEntry, REQUEST_LOG_CAPACITY};
pub(crate) use vifs::VifType;
pub use vifs::{DELETED_RETENTION_MS, SETTLE_DELAY_MS};

use super::faults::{FaultEffect, FaultSpec, Faults};
use super::protocol::{ApiError, Call, Caller};
use super::scenario::{
    AssociationSpec, ConnectionSpec, Flap, GatewaySpec, LagSpec, MaintenanceSpec, Scenario,
    TimelineEvent, VifSpec,
};
use requests::RequestLog;
use sts::Identity;

/// Locks the state. A panic while it was held must not take the simulator down with
/// it: every change is complete before the lock is released, so the data is usable.
pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Simulated clock: real elapsed time plus an offset advanced by the control endpoint,
/// anchored to the wall-clock time the simulator started (for timestamps on the wire).
#[derive(Debug)]
struct Clock {
    started: Instant,
    /// Wall-clock time at start, in milliseconds since the Unix epoch (CloudWatch
    /// timestamps are wall-clock).
    started_epoch_ms: u64,
    offset: Duration,
}

impl Clock {
    fn new() -> Clock {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Clock {
            started: Instant::now(),
            started_epoch_ms: epoch.as_millis() as u64,
            offset: Duration::ZERO,
        }
    }

    /// Simulated milliseconds since start.
    fn now_ms(&self) -> u64 {
        (self.started.elapsed() + self.offset).as_millis() as u64
    }

    /// Simulated wall-clock time, in seconds since the Unix epoch.
    fn now_epoch_seconds(&self) -> f64 {
        (self.started_epoch_ms + self.now_ms()) as f64 / 1000.0
    }

    /// The simulated milliseconds since start of wall-clock time `epoch_seconds`; 0 for
    /// times before the start.
    fn sim_ms_at(&self, epoch_seconds: f64) -> u64 {
        (epoch_seconds * 1000.0 - self.started_epoch_ms as f64).max(0.0) as u64
    }
}

/// Regional resources of one account, keyed (and paginated) by id.
#[derive(Debug, Default)]
struct RegionState {
    /// Connections, including LAG members.
    connections: BTreeMap<String, ConnectionSpec>,
    /// LAGs (members live in `connections` with `lag_id`).
    lags: BTreeMap<String, LagSpec>,
    /// Virtual interfaces.
    vifs: BTreeMap<String, VifSpec>,
}

impl RegionState {
    /// What the VIFs on connection or LAG `id` take from its prefix pool and rate
    /// limiters.
    fn usage(&self, id: &str) -> render::Usage {
        self.vifs
            .values()
            .filter(|v| v.connection == id && !render::inactive(v))
            .fold(render::Usage::default(), |mut u, v| {
                u.allocated_ipv4 += v.prefix_pool_allocated.ipv4.unwrap_or(0);
                u.allocated_ipv6 += v.prefix_pool_allocated.ipv6.unwrap_or(0);
                u.rate_limited += u32::from(v.rate_limit.is_some());
                u
            })
    }

    /// The member connections of LAG `lag_id`.
    fn lag_members(&self, lag_id: &str) -> Vec<&ConnectionSpec> {
        self.connections
            .values()
            .filter(|c| c.lag_id.as_deref() == Some(lag_id))
            .collect()
    }
}

/// One account: global gateways and associations, regional resources.
#[derive(Debug, Default)]
struct AccountState {
    /// AssumeRole into this account is denied.
    deny_assume_role: bool,
    /// The account's support plan (AWS Health needs business or better).
    support_plan: String,
    /// AWS Health scheduled maintenance events.
    maintenance: Vec<MaintenanceSpec>,
    /// Direct Connect gateways (global).
    gateways: BTreeMap<String, GatewaySpec>,
    /// Gateway associations (global).
    associations: BTreeMap<String, AssociationSpec>,
    /// Regional resources.
    regions: BTreeMap<String, RegionState>,
}

/// What a caller sees in an account or region the scenario does not have.
static EMPTY_ACCOUNT: AccountState = AccountState {
    deny_assume_role: false,
    support_plan: String::new(),
    maintenance: Vec::new(),
    gateways: BTreeMap::new(),
    associations: BTreeMap::new(),
    regions: BTreeMap::new(),
};
static EMPTY_REGION: RegionState = RegionState {
    connections: BTreeMap::new(),
    lags: BTreeMap::new(),
    vifs: BTreeMap::new(),
};

/// Where a regional resource lives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Home {
    account: String,
    region: String,
}

impl Home {
    /// The caller's own account and region.
    fn of(caller: &Caller) -> Home {
        Home {
            account: caller.account.clone(),
            region: caller.region.clone(),
        }
    }
}

/// A time-driven change.
#[derive(Debug)]
enum Action {
    /// A scenario timeline event comes due.
    Timeline(Box<TimelineEvent>),
    /// A new or confirmed VIF and its peers leave pending/verifying.
    SettleVif { home: Home, vif: String },
    /// A new peer leaves pending/verifying.
    SettlePeer {
        home: Home,
        vif: String,
        peer: String,
    },
    /// A deleting VIF becomes deleted.
    FinishVifDelete { home: Home, vif: String },
    /// A deleting peer disappears.
    RemovePeer {
        home: Home,
        vif: String,
        peer: String,
    },
    /// A deleted or rejected VIF disappears.
    PurgeVif { home: Home, vif: String },
    /// A failover test ends: the VIF and its peers come back, the test is completed.
    FinishFailoverTest { vif: String, test: String },
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

/// The whole simulated world.
#[derive(Debug)]
pub struct State {
    clock: Clock,
    accounts: BTreeMap<String, AccountState>,
    /// VIF, connection and LAG ids → home.
    index: HashMap<String, Home>,
    queue: BinaryHeap<Scheduled>,
    seq: u64,
    faults: Faults,
    log: RequestLog,
    /// Temporary access key id → the identity AssumeRole issued it to.
    issued: HashMap<String, Identity>,
    /// Items per page of a Direct Connect listing at most, whatever `maxResults` asks.
    page_cap: usize,
}

impl State {
    /// Serves Direct Connect listings in pages of at most `cap` items (1..=[`MAX_PAGE`]),
    /// whatever `maxResults` asks, as AWS may.
    pub fn set_page_cap(&mut self, cap: usize) {
        self.page_cap = cap.clamp(1, MAX_PAGE);
    }

    /// `input` with `maxResults` lowered to the page cap, if it needs lowering.
    pub(crate) fn capped_page_input(&self, input: &Value) -> Option<Value> {
        paging::cap_max_results(input, self.page_cap)
    }

    /// Builds the world from a validated scenario; timeline events are queued. The
    /// control endpoint may add up to `max_faults` faults.
    pub fn new(scenario: Scenario, max_faults: usize) -> State {
        let mut state = State {
            clock: Clock::new(),
            accounts: BTreeMap::new(),
            index: HashMap::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            faults: Faults::new(max_faults),
            log: RequestLog::default(),
            issued: HashMap::new(),
            page_cap: MAX_PAGE,
        };
        for account in scenario.accounts {
            let mut acc = AccountState {
                deny_assume_role: account.deny_assume_role,
                support_plan: account.support_plan,
                maintenance: account.maintenance,
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

    /// Unix seconds (wire timestamps) of `ms` simulated milliseconds since the start
    /// (negative: before it).
    pub fn unix_seconds(&self, ms: i64) -> f64 {
        (self.clock.started_epoch_ms as i64 + ms) as f64 / 1000.0
    }

    /// Advances the clock and applies what became due.
    pub fn advance_clock(&mut self, by: Duration) {
        self.clock.offset += by;
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
        let settling = |state: &str| matches!(state, "pending" | "verifying");
        match action {
            Action::Timeline(event) => self.apply_event(at_ms, *event),
            Action::SettleVif { home, vif } => {
                if let Some(vif) = self.vif_at_mut(&home, &vif)
                    && settling(&vif.state)
                {
                    vif.state = "available".into();
                    for p in vif.peers.iter_mut().filter(|p| settling(&p.state)) {
                        p.state = "available".into();
                        p.status = "up".into();
                    }
                }
            }
            Action::SettlePeer { home, vif, peer } => {
                if let Some(vif) = self.vif_at_mut(&home, &vif)
                    && let Some(p) = vif.peers.iter_mut().find(|p| p.id == peer)
                    && settling(&p.state)
                {
                    p.state = "available".into();
                    p.status = "up".into();
                }
            }
            Action::FinishVifDelete { home, vif } => {
                if let Some(vif) = self.vif_at_mut(&home, &vif)
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
            Action::RemovePeer { home, vif, peer } => {
                if let Some(vif) = self.vif_at_mut(&home, &vif) {
                    vif.peers
                        .retain(|p| !(p.id == peer && p.state == "deleting"));
                }
            }
            Action::FinishFailoverTest { vif, test } => self.finish_failover_test(&vif, &test),
            Action::PurgeVif { home, vif } => {
                let purged = self
                    .vif_at_mut(&home, &vif)
                    .is_some_and(|v| matches!(v.state.as_str(), "deleted" | "rejected"));
                if purged {
                    self.region_mut(&home).vifs.remove(&vif);
                    self.index.remove(&vif);
                }
            }
        }
    }

    /// A timeline event: the same changes the control endpoint makes (ignored when the
    /// resource has gone since), a flap, or a fault window.
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
            let _ = self.set_connection(&e.id, Some(&e.state), None);
        }
        if let Some(e) = event.lag {
            let _ = self.set_lag_state(&e.id, &e.state);
        }
        if let Some(o) = event.optics {
            let _ = self.set_optics(&o.connection_id, o.tx_dbm, o.rx_dbm);
        }
        if let Some(r) = event.routes {
            let _ = self.set_routes(
                &r.virtual_interface_id,
                &r.address_family,
                r.accepted,
                r.advertised,
            );
        }
        if let Some(e) = event.encryption {
            let _ = self.set_connection(&e.connection_id, None, Some(&e.port_encryption_status));
        }
        if let Some(f) = event.failover_test {
            let duration_ms = f.duration.0.as_millis() as u64;
            if let Some(test) = self.start_failover_test(&f.virtual_interface_id, at_ms, f.duration)
            {
                self.schedule(
                    at_ms + duration_ms,
                    Action::FinishFailoverTest {
                        vif: f.virtual_interface_id,
                        test,
                    },
                );
            }
        }
        if let Some(w) = event.fault {
            let until = at_ms + w.duration.0.as_millis() as u64;
            let spec = FaultSpec {
                kind: w.kind,
                operation: w.operation,
                account: w.account,
                region: w.region,
                latency_ms: w.latency_ms.unwrap_or(0),
            };
            self.faults.add_window(spec, at_ms, until);
        }
    }

    /// Applies what is due, then consumes the faults matching `call`.
    pub(crate) fn take_faults(&mut self, call: &Call<'_>) -> FaultEffect {
        self.tick();
        let now = self.now_ms();
        self.faults.take(call, now)
    }

    /// Appends one API call to the request log.
    pub(crate) fn record(
        &mut self,
        operation: &str,
        caller: &Caller,
        status: u16,
        error_code: Option<&str>,
    ) {
        self.log.record(operation, caller, status, error_code);
    }

    /// The request log, oldest first.
    pub(crate) fn requests(&self) -> Vec<LogEntry> {
        self.log.entries()
    }

    /// Empties the request log; returns how many entries it had.
    pub(crate) fn clear_requests(&mut self) -> usize {
        self.log.clear()
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

    /// The caller's account (empty when the scenario has none such).
    fn account_of(&self, caller: &Caller) -> &AccountState {
        self.accounts.get(&caller.account).unwrap_or(&EMPTY_ACCOUNT)
    }

    /// The caller's account and region (empty when the scenario has none such).
    fn region_of(&self, caller: &Caller) -> &RegionState {
        self.account_of(caller)
            .regions
            .get(&caller.region)
            .unwrap_or(&EMPTY_REGION)
    }

    /// Every VIF of every account and region.
    fn all_vifs(&self) -> impl Iterator<Item = &VifSpec> {
        self.accounts
            .values()
            .flat_map(|a| a.regions.values())
            .flat_map(|r| r.vifs.values())
    }

    /// The prefix pool allocations of every VIF (of any account) attached to gateway `id`.
    fn gateway_allocations(&self, id: &str) -> u32 {
        self.all_vifs()
            .filter(|v| v.gateway.as_deref() == Some(id) && !render::inactive(v))
            .map(|v| {
                v.prefix_pool_allocated.ipv4.unwrap_or(0)
                    + v.prefix_pool_allocated.ipv6.unwrap_or(0)
            })
            .sum()
    }

    /// Whether any account has gateway `id` (VIFs may attach to another account's).
    fn gateway_exists(&self, id: &str) -> bool {
        self.accounts.values().any(|a| a.gateways.contains_key(id))
    }

    /// A fresh resource id: `prefix` and 8 random characters.
    fn new_id(&self, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}{}", random_lower(8));
            if !self.index.contains_key(&id) {
                return id;
            }
        }
    }
}

/// A non-empty string member of a JSON input.
fn str_field<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A required non-empty string member, else a client error naming it.
fn required<'a>(input: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    str_field(input, key).ok_or_else(|| ApiError::client(format!("{key} is required")))
}

/// ASN from `asnLong` (preferred) or `asn`.
fn asn_field(input: &Value) -> Option<u64> {
    let positive = |key| input.get(key).and_then(Value::as_u64).filter(|a| *a > 0);
    positive("asnLong").or_else(|| positive("asn"))
}

/// `n` random characters from `[a-z0-9]` (resource ids, secrets).
fn random_lower(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `n` random characters from `[A-Z]` (key suffixes that add no digits, so the account
/// in a key id stays the first run of 12).
fn random_upper(n: usize) -> String {
    (0..n)
        .map(|_| (b'A' + rand::random_range(0..26u8)) as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_events_apply_lazily_when_the_clock_passes_them() {
        let mut s = State::new(Scenario::demo(), crate::simulator::MAX_FAULTS);
        let before = s.dump().to_string();
        assert!(!before.is_empty());
        s.advance_clock(Duration::from_secs(3600));
        assert!(s.queue.iter().all(|q| q.at_ms > s.now_ms()));
    }
}
