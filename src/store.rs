//! The published state between collecting and serving. Collector tasks write each cycle
//! here (encoded into metric pieces as it arrives) and count their API calls here; the
//! publisher assembles the snapshot and its exposition after each burst of changes; the
//! server only reads [`Store::published`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tokio::sync::{Notify, watch};

use crate::history::{History, HistoryView};
use crate::metrics::exposition::Pieces;
use crate::metrics::{self, Exposition, Samples, TagLabel};
use crate::model::{
    ApiRequestKey, CallResult, CollectorKey, CollectorKind, CollectorSnapshot, Snapshot,
};

/// What the HTTP server serves: the latest snapshot and its exposition.
#[derive(Debug, Default)]
pub struct Published {
    /// The collectors' latest data and the API call counts.
    pub snapshot: Arc<Snapshot>,
    /// The `/metrics` bodies of this snapshot.
    pub exposition: Exposition,
    /// True once every collector task has finished its first cycle (whatever the outcome).
    pub ready: bool,
    /// Recent VIF state and peer status changes, and since when each holds (status page).
    pub history: HistoryView,
}

/// One collector's latest cycle and its encoded samples.
#[derive(Debug)]
struct Entry {
    snapshot: Arc<CollectorSnapshot>,
    pieces: Arc<Pieces>,
}

/// Which tasks readiness waits for, and which key each task publishes under.
#[derive(Debug, Default)]
struct Tasks {
    /// Core tasks that have not finished a first cycle yet.
    pending: HashSet<usize>,
    /// The key each task last published under.
    keys: HashMap<usize, CollectorKey>,
    /// Set once every expected task finished a first cycle; stays set across reloads.
    ready: bool,
}

/// Shared between collector tasks, the publisher and the server.
#[derive(Debug)]
pub struct Store {
    entries: Mutex<BTreeMap<CollectorKey, Entry>>,
    tasks: Mutex<Tasks>,
    stats: ApiStats,
    tags: Mutex<Arc<[TagLabel]>>,
    /// Outcome of the last `--config.file` (re)load; `None` without a config file.
    config_reload: Mutex<Option<bool>>,
    changed: Notify,
    published: ArcSwap<Published>,
    history: Mutex<History>,
}

impl Store {
    /// An empty store; `tag_labels` are the configured tag keys. It is ready once every
    /// task announced with [`Store::expect`] finished its first cycle.
    pub fn new(tag_labels: &[String]) -> Arc<Self> {
        let store = Arc::new(Store {
            entries: Mutex::new(BTreeMap::new()),
            tasks: Mutex::new(Tasks::default()),
            stats: ApiStats::default(),
            tags: Mutex::new(tag_labels.iter().map(|k| TagLabel::new(k)).collect()),
            config_reload: Mutex::new(None),
            changed: Notify::new(),
            published: ArcSwap::from_pointee(Published::default()),
            history: Mutex::new(History::default()),
        });
        store.publish();
        store
    }

    /// The API call counters collectors add to.
    pub fn stats(&self) -> &ApiStats {
        &self.stats
    }

    /// The latest published snapshot (cheap; never waits for collection).
    pub fn published(&self) -> Arc<Published> {
        self.published.load_full()
    }

    /// Announces a task readiness waits for (a core collector's).
    pub fn expect(&self, task: usize) {
        if let Ok(mut t) = self.tasks.lock()
            && !t.ready
        {
            t.pending.insert(task);
        }
    }

    /// Records a cycle of collector task `task`. The key the task published under before
    /// is dropped when it changed (e.g. once the account id became known). Encoding runs
    /// on the blocking pool.
    pub async fn update(&self, task: usize, snapshot: CollectorSnapshot) {
        let snapshot = Arc::new(snapshot);
        let pieces = self.encode(snapshot.clone()).await;
        let replaced = self.finished(task, Some(snapshot.key.clone()));
        if let Ok(mut history) = self.history.lock() {
            if let Some(old) = replaced.as_ref().filter(|k| **k != snapshot.key) {
                history.forget(old);
            }
            history.record(&snapshot);
        }
        if let Ok(mut entries) = self.entries.lock() {
            if let Some(old) = replaced.filter(|k| *k != snapshot.key) {
                entries.remove(&old);
            }
            entries.insert(
                snapshot.key.clone(),
                Entry {
                    snapshot,
                    pieces: Arc::new(pieces),
                },
            );
        }
        self.changed.notify_one();
    }

    /// Encodes one collector's snapshot on the blocking pool.
    async fn encode(&self, snapshot: Arc<CollectorSnapshot>) -> Pieces {
        let tags = self.tags();
        let (s, t) = (snapshot.clone(), tags.clone());
        tokio::task::spawn_blocking(move || encode_collector(&s, &t))
            .await
            .unwrap_or_else(|_| encode_collector(&snapshot, &tags))
    }

    fn tags(&self) -> Arc<[TagLabel]> {
        self.tags
            .lock()
            .map(|t| t.clone())
            .unwrap_or_else(|_| Arc::from(Vec::new()))
    }

    /// Changes the configured tag keys (a reloaded config) and re-encodes every
    /// collector's samples with them.
    pub async fn retag(&self, tag_labels: &[String]) {
        let tags: Arc<[TagLabel]> = tag_labels.iter().map(|k| TagLabel::new(k)).collect();
        if let Ok(mut t) = self.tags.lock() {
            if **t == *tags {
                return;
            }
            *t = tags;
        }
        let snapshots: Vec<Arc<CollectorSnapshot>> = self
            .entries
            .lock()
            .map(|m| m.values().map(|e| e.snapshot.clone()).collect())
            .unwrap_or_default();
        for snapshot in snapshots {
            let pieces = Arc::new(self.encode(snapshot.clone()).await);
            if let Ok(mut entries) = self.entries.lock()
                && let Some(e) = entries.get_mut(&snapshot.key)
                && Arc::ptr_eq(&e.snapshot, &snapshot)
            {
                e.pieces = pieces;
            }
        }
        self.changed.notify_one();
    }

    /// Records the outcome of a `--config.file` (re)load (`config_reload_success`).
    pub fn set_config_reload(&self, success: bool) {
        if let Ok(mut r) = self.config_reload.lock() {
            *r = Some(success);
        }
        self.changed.notify_one();
    }

    /// Removes task `task` and its series (a stopped task, or one that found another
    /// target already collecting the same account and region); readiness no longer waits
    /// for it.
    pub fn retire(&self, task: usize) {
        if let Some(key) = self.finished(task, None) {
            // Another task may publish under the same key (it took over); then the entry
            // is its, and stays.
            let (key_used, region_used) = self.tasks.lock().map_or((false, false), |t| {
                let others = || t.keys.values();
                (
                    others().any(|k| *k == key),
                    others().any(|k| k.account_id == key.account_id && k.region == key.region),
                )
            });
            if !key_used {
                if let Ok(mut entries) = self.entries.lock() {
                    entries.remove(&key);
                }
                if let Ok(mut history) = self.history.lock() {
                    history.forget(&key);
                }
            }
            // The API call counters of an account and region go with its last collector.
            if !region_used {
                self.stats.forget(&key.account_id, &key.region);
            }
        }
        self.changed.notify_one();
    }

    /// Marks `task`'s first cycle done and records (or with `None` forgets) its key;
    /// returns the key it had before.
    fn finished(&self, task: usize, key: Option<CollectorKey>) -> Option<CollectorKey> {
        let Ok(mut t) = self.tasks.lock() else {
            return None;
        };
        t.pending.remove(&task);
        if t.pending.is_empty() {
            t.ready = true;
        }
        match key {
            Some(k) => t.keys.insert(task, k),
            None => t.keys.remove(&task),
        }
    }

    fn is_ready(&self) -> bool {
        self.tasks.lock().map(|t| t.ready).unwrap_or(false)
    }

    /// Assembles the current snapshot and its exposition and swaps them in. Cheap: the
    /// collectors' samples are already encoded and compressed.
    pub fn publish(&self) {
        let (collectors, mut sources): (Vec<_>, Vec<_>) = self
            .entries
            .lock()
            .map(|m| {
                // Gateways are global: when two targets reach the same account, the first
                // collector's gateways are served and the other's are not.
                let mut gateway_accounts = BTreeSet::new();
                m.values()
                    .map(|e| {
                        let duplicate = e.snapshot.key.kind == CollectorKind::Gateways
                            && !gateway_accounts.insert(e.snapshot.key.account_id.clone());
                        let pieces = if duplicate {
                            Arc::new(encode_health_only(&e.snapshot))
                        } else {
                            e.pieces.clone()
                        };
                        (e.snapshot.clone(), pieces)
                    })
                    .unzip()
            })
            .unwrap_or_default();
        let snapshot = Snapshot {
            collectors,
            api_requests: self.stats.snapshot(),
            tag_labels: self.tags().iter().map(|t| t.key.clone()).collect(),
            config_reload_success: self.config_reload.lock().ok().and_then(|r| *r),
        };
        let mut own = Samples::new(&[]);
        metrics::exporter::write_published(&snapshot, &mut own);
        sources.push(Arc::new(Pieces::new(own)));
        let refs: Vec<&Pieces> = sources.iter().map(|p| p.as_ref()).collect();
        self.published.store(Arc::new(Published {
            exposition: Exposition::assemble(&refs),
            snapshot: Arc::new(snapshot),
            ready: self.is_ready(),
            history: self.history.lock().map(|h| h.view()).unwrap_or_default(),
        }));
    }

    /// Re-publishes after every burst of changes until `shutdown` fires.
    pub async fn run_publisher(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = self.changed.notified() => self.publish(),
                _ = shutdown.changed() => return,
            }
        }
    }
}

fn encode_collector(c: &CollectorSnapshot, tags: &[TagLabel]) -> Pieces {
    let mut samples = Samples::new(tags);
    metrics::write_collector(c, &mut samples);
    Pieces::new(samples)
}

fn encode_health_only(c: &CollectorSnapshot) -> Pieces {
    let mut samples = Samples::new(&[]);
    metrics::exporter::write_collector(c, &mut samples);
    Pieces::new(samples)
}

/// Counts AWS API call attempts by account, region, operation and result; shared by all
/// collectors.
#[derive(Debug, Default, Clone)]
pub struct ApiStats(Arc<Mutex<BTreeMap<ApiRequestKey, u64>>>);

impl ApiStats {
    /// Counts one attempt.
    pub fn record(
        &self,
        account_id: &str,
        region: &str,
        operation: &'static str,
        result: CallResult,
    ) {
        let key = ApiRequestKey {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            operation,
            result,
        };
        if let Ok(mut map) = self.0.lock() {
            *map.entry(key).or_insert(0) += 1;
        }
    }

    /// Creates the counters of every result of `operations` at 0, so that `rate()` and
    /// `increase()` see the first throttle or error of a series.
    pub fn register(&self, account_id: &str, region: &str, operations: &[&'static str]) {
        if let Ok(mut map) = self.0.lock() {
            for operation in operations {
                for result in CallResult::ALL {
                    let key = ApiRequestKey {
                        account_id: account_id.to_owned(),
                        region: region.to_owned(),
                        operation,
                        result,
                    };
                    map.entry(key).or_insert(0);
                }
            }
        }
    }

    /// Drops the counters of `account_id` in `region` (no collector calls it any more).
    pub fn forget(&self, account_id: &str, region: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|k, _| k.account_id != account_id || k.region != region);
        }
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> BTreeMap<ApiRequestKey, u64> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_per_key() {
        let s = ApiStats::default();
        s.record("1", "r", "DescribeLags", CallResult::Success);
        s.record("1", "r", "DescribeLags", CallResult::Success);
        s.record("1", "r", "DescribeLags", CallResult::Throttled);
        let snap = s.snapshot();
        assert_eq!(snap.len(), 2);
        assert_eq!(snap.values().sum::<u64>(), 3);
    }

    #[test]
    fn registering_creates_every_result_at_zero() {
        let s = ApiStats::default();
        s.register("1", "r", &["DescribeLags"]);
        let snap = s.snapshot();
        assert_eq!(snap.len(), CallResult::ALL.len());
        assert!(snap.values().all(|n| *n == 0));
    }
}
