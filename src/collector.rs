//! The scheduler: one task per target × region × collector (gateways once per target),
//! each on its own jittered interval, publishing into a shared store; and the publisher
//! that turns the store into an encoded snapshot after every change.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use rand::Rng;
use tokio::sync::{Notify, OnceCell, watch};
use tokio::task::JoinSet;

use crate::aws::{self, ApiStats, CallError, ClientOptions, Session};
use crate::config::{Credentials, Plan, Region, Target};
use crate::metrics::{self, Encoded};
use crate::model::{
    CollectorData, CollectorKey, CollectorKind, CollectorSnapshot, PeerKey, Snapshot,
    VirtualInterface,
};

pub use crate::aws::UNKNOWN_ACCOUNT;

/// What the HTTP server serves: the latest snapshot and its encodings.
#[derive(Debug, Default)]
pub struct Published {
    pub snapshot: Arc<Snapshot>,
    pub encoded: Encoded,
    /// True once every collector has finished its first cycle (whatever the outcome).
    pub ready: bool,
}

/// Shared state between collector tasks, the publisher and the server.
#[derive(Debug)]
pub struct Store {
    collectors: Mutex<BTreeMap<CollectorKey, CollectorSnapshot>>,
    stats: ApiStats,
    changed: Notify,
    expected: usize,
    finished_first: Mutex<std::collections::HashSet<usize>>,
    tag_labels: Vec<String>,
    published: ArcSwap<Published>,
}

impl Store {
    /// A store expecting `expected` collector tasks before it reports ready.
    pub fn new(expected: usize, tag_labels: Vec<String>) -> Arc<Self> {
        let store = Arc::new(Store {
            collectors: Mutex::new(BTreeMap::new()),
            stats: ApiStats::default(),
            changed: Notify::new(),
            expected,
            finished_first: Mutex::new(Default::default()),
            tag_labels,
            published: ArcSwap::from_pointee(Published::default()),
        });
        store.publish();
        store
    }

    pub fn stats(&self) -> &ApiStats {
        &self.stats
    }

    /// The latest published snapshot (cheap; never blocks on collection).
    pub fn published(&self) -> Arc<Published> {
        self.published.load_full()
    }

    /// Records a collector's cycle; `task` identifies the task for readiness.
    fn update(&self, task: usize, snapshot: CollectorSnapshot, replaces: Option<&CollectorKey>) {
        if let Ok(mut map) = self.collectors.lock() {
            if let Some(old) = replaces.filter(|k| **k != snapshot.key) {
                map.remove(old);
            }
            map.insert(snapshot.key.clone(), snapshot);
        }
        if let Ok(mut done) = self.finished_first.lock() {
            done.insert(task);
        }
        self.changed.notify_one();
    }

    fn is_ready(&self) -> bool {
        self.finished_first
            .lock()
            .map(|d| d.len() >= self.expected)
            .unwrap_or(false)
    }

    /// Assembles and encodes the current snapshot and swaps it in.
    pub fn publish(&self) {
        let collectors: Vec<CollectorSnapshot> = self
            .collectors
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        let snapshot = Arc::new(Snapshot {
            collectors,
            api_requests: self.stats.snapshot(),
            tag_labels: self.tag_labels.clone(),
        });
        match metrics::encode(snapshot.clone(), crate::VERSION, crate::REVISION) {
            Ok(encoded) => self.published.store(Arc::new(Published {
                snapshot,
                encoded,
                ready: self.is_ready(),
            })),
            Err(e) => {
                tracing::error!(error = %e, "encoding metrics failed; serving the previous snapshot")
            }
        }
    }

    /// Re-publishes after every change until `shutdown` fires.
    pub async fn run_publisher(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = self.changed.notified() => self.publish(),
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// How collector tasks reach AWS.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub plan: Plan,
    pub client: ClientOptions,
}

/// Number of tasks [`spawn`] starts for a plan.
pub fn task_count(plan: &Plan) -> usize {
    let regional = plan
        .collectors
        .iter()
        .filter(|k| **k != CollectorKind::Gateways)
        .count();
    let gateways = usize::from(plan.collectors.contains(&CollectorKind::Gateways));
    plan.targets
        .iter()
        .map(|t| regional * t.regions.len() + gateways)
        .sum()
}

/// Starts every collector task into `tasks`; they stop when `shutdown` fires.
pub async fn spawn(
    rt: &Runtime,
    store: &Arc<Store>,
    tasks: &mut JoinSet<()>,
    shutdown: &watch::Receiver<bool>,
) {
    let mut task_id = 0usize;
    for target in &rt.plan.targets {
        let base = aws::base_config(&rt.client, &target.regions[0]).await;
        let config = aws::target_config(&base, &target.credentials).await;
        let account = Arc::new(AccountId::new(target));
        for kind in &rt.plan.collectors {
            let regions: &[Region] = if *kind == CollectorKind::Gateways {
                &target.regions[..1]
            } else {
                &target.regions
            };
            for region in regions {
                let job = Job {
                    task: task_id,
                    kind: *kind,
                    region: region.clone(),
                    config: config.clone(),
                    account: account.clone(),
                    store: store.clone(),
                    interval: rt.plan.interval,
                    timeout: rt.plan.timeout,
                    max_staleness: rt.plan.max_staleness,
                };
                task_id += 1;
                tasks.spawn(job.run(shutdown.clone()));
            }
        }
    }
}

/// The account id of a target: from the role ARN, or discovered once with STS.
#[derive(Debug)]
struct AccountId {
    known: OnceCell<String>,
}

impl AccountId {
    fn new(target: &Target) -> Self {
        let known = match &target.credentials {
            Credentials::AssumeRole { role_arn, .. } => {
                OnceCell::new_with(Some(role_arn.account_id().to_owned()))
            }
            Credentials::Default => OnceCell::new(),
        };
        AccountId { known }
    }

    async fn get(
        &self,
        config: &aws_config::SdkConfig,
        region: &Region,
        stats: &ApiStats,
        timeout: Duration,
        deadline: Instant,
    ) -> Result<String, CallError> {
        self.known
            .get_or_try_init(|| aws::discover_account(config, region, stats, timeout, deadline))
            .await
            .cloned()
    }
}

struct Job {
    task: usize,
    kind: CollectorKind,
    region: Region,
    config: aws_config::SdkConfig,
    account: Arc<AccountId>,
    store: Arc<Store>,
    interval: Duration,
    timeout: Duration,
    max_staleness: Duration,
}

/// What a collector task carries from one cycle to the next.
#[derive(Default)]
struct JobState {
    session: Option<Session>,
    key: Option<CollectorKey>,
    last_success: Option<SystemTime>,
    data: Option<CollectorData>,
    peers: PeerTracker,
}

impl Job {
    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut state = JobState::default();
        // A short random start spreads the first calls of many tasks.
        let mut next = Instant::now()
            + jitter(
                Duration::ZERO,
                self.interval.min(Duration::from_millis(500)),
            );
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = shutdown.changed() => return,
            }
            let started = Instant::now();
            // The cycle budget: retries end before the next cycle is due.
            let deadline = started + self.interval;
            tokio::select! {
                _ = self.cycle(&mut state, started, deadline) => {}
                _ = shutdown.changed() => return,
            }
            next = started + jitter(self.interval, self.interval / 10);
        }
    }

    async fn cycle(&self, state: &mut JobState, started: Instant, deadline: Instant) {
        let result = self.fetch(state, deadline).await;
        let now = SystemTime::now();
        let account_id = state
            .session
            .as_ref()
            .map(|s| s.account_id.clone())
            .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_owned());
        let key = CollectorKey {
            account_id,
            region: self.region.as_str().to_owned(),
            kind: self.kind,
        };
        let success = match result {
            Ok(data) => {
                tracing::debug!(
                    collector = self.kind.name(),
                    region = %self.region,
                    account_id = %key.account_id,
                    resources = data.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "collection finished"
                );
                if let CollectorData::VirtualInterfaces(vifs) = &data {
                    state.peers.observe(vifs);
                }
                state.data = Some(data);
                state.last_success = Some(now);
                true
            }
            Err(e) => {
                tracing::warn!(
                    collector = self.kind.name(),
                    region = %self.region,
                    account_id = %key.account_id,
                    error = %e,
                    "collection failed; keeping last good data"
                );
                let stale = state
                    .last_success
                    .and_then(|t| now.duration_since(t).ok())
                    .is_none_or(|age| age > self.max_staleness);
                if stale && state.data.is_some() {
                    tracing::warn!(collector = self.kind.name(), region = %self.region, "dropping data older than max_staleness");
                    state.data = None;
                    state.peers = PeerTracker::default();
                }
                false
            }
        };
        let snapshot = CollectorSnapshot {
            key: key.clone(),
            success,
            duration: started.elapsed(),
            last_success: state.last_success,
            data: state.data.clone(),
            peer_status_changes: state.peers.counts(),
        };
        self.store.update(self.task, snapshot, state.key.as_ref());
        state.key = Some(key);
    }

    async fn fetch(
        &self,
        state: &mut JobState,
        deadline: Instant,
    ) -> Result<CollectorData, CallError> {
        if state.session.is_none() {
            let account = self
                .account
                .get(
                    &self.config,
                    &self.region,
                    self.store.stats(),
                    self.timeout,
                    deadline,
                )
                .await?;
            self.store
                .stats()
                .register(&account, self.region.as_str(), aws::operations(self.kind));
            state.session = Some(Session::new(
                &self.config,
                account,
                &self.region,
                self.store.stats().clone(),
                self.timeout,
            ));
        }
        let Some(s) = state.session.as_ref() else {
            return Err(CallError::Credentials("no session".into()));
        };
        Ok(match self.kind {
            CollectorKind::VirtualInterfaces => CollectorData::VirtualInterfaces(
                aws::collect_virtual_interfaces(s, deadline).await?,
            ),
            CollectorKind::Connections => {
                CollectorData::Connections(aws::collect_connections(s, deadline).await?)
            }
            CollectorKind::Lags => CollectorData::Lags(aws::collect_lags(s, deadline).await?),
            CollectorKind::Gateways => {
                CollectorData::Gateways(aws::collect_gateways(s, deadline).await?)
            }
        })
    }
}

/// `base` plus or minus a random amount up to `spread`.
fn jitter(base: Duration, spread: Duration) -> Duration {
    let spread_ms = spread.as_millis() as i64;
    if spread_ms == 0 {
        return base;
    }
    let delta = rand::rng().random_range(-spread_ms..=spread_ms);
    let ms = (base.as_millis() as i64 + delta).max(0);
    Duration::from_millis(ms as u64)
}

/// Counts `bgpStatus` changes per peer between successful collections. Peers that
/// disappear are forgotten, so their series disappear with them.
#[derive(Debug, Default)]
pub struct PeerTracker {
    peers: HashMap<PeerKey, (String, u64)>,
}

impl PeerTracker {
    /// Takes in a new successful listing.
    pub fn observe(&mut self, vifs: &[VirtualInterface]) {
        let mut next = HashMap::with_capacity(self.peers.len());
        for v in vifs {
            for p in &v.bgp_peers {
                let key = PeerKey {
                    virtual_interface_id: v.id.clone(),
                    bgp_peer_id: p.bgp_peer_id.clone(),
                };
                let count = match self.peers.get(&key) {
                    Some((last, n)) if *last != p.status => n + 1,
                    Some((_, n)) => *n,
                    None => 0,
                };
                next.insert(key, (p.status.clone(), count));
            }
        }
        self.peers = next;
    }

    /// Current counts per peer.
    pub fn counts(&self) -> BTreeMap<PeerKey, u64> {
        self.peers
            .iter()
            .map(|(k, (_, n))| (k.clone(), *n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BgpPeer;

    fn vif_with_status(status: &str) -> Vec<VirtualInterface> {
        vec![VirtualInterface {
            id: "dxvif-1".into(),
            bgp_peers: vec![BgpPeer {
                bgp_peer_id: "p".into(),
                status: status.into(),
                ..BgpPeer::default()
            }],
            ..VirtualInterface::default()
        }]
    }

    #[test]
    fn status_changes_are_counted_and_forgotten_with_the_peer() {
        let mut t = PeerTracker::default();
        t.observe(&vif_with_status("up"));
        assert_eq!(t.counts().values().copied().collect::<Vec<_>>(), vec![0]);
        t.observe(&vif_with_status("down"));
        t.observe(&vif_with_status("down"));
        t.observe(&vif_with_status("up"));
        assert_eq!(t.counts().values().copied().collect::<Vec<_>>(), vec![2]);
        t.observe(&[]);
        assert!(t.counts().is_empty());
    }

    #[test]
    fn jitter_stays_within_its_spread() {
        for _ in 0..100 {
            let d = jitter(Duration::from_secs(10), Duration::from_secs(1));
            assert!(d >= Duration::from_secs(9) && d <= Duration::from_secs(11));
        }
        assert_eq!(
            jitter(Duration::from_secs(3), Duration::ZERO),
            Duration::from_secs(3)
        );
    }
}
