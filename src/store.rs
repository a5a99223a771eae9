//! The published state between collecting and serving. Collector tasks write each cycle
//! here (encoded into metric pieces as it arrives) and count their API calls here; the
//! publisher assembles the snapshot and its exposition after each burst of changes; the
//! server only reads [`Store::published`].

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tokio::sync::{Notify, watch};

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
}

/// One collector's latest cycle and its encoded samples.
#[derive(Debug)]
struct Entry {
    snapshot: Arc<CollectorSnapshot>,
    pieces: Arc<Pieces>,
}

/// Shared between collector tasks, the publisher and the server.
#[derive(Debug)]
pub struct Store {
    entries: Mutex<BTreeMap<CollectorKey, Entry>>,
    finished_first: Mutex<HashSet<usize>>,
    expected: usize,
    stats: ApiStats,
    tags: Arc<[TagLabel]>,
    changed: Notify,
    published: ArcSwap<Published>,
}

impl Store {
    /// A store expecting `expected` collector tasks to finish a first cycle before it
    /// reports ready; `tag_labels` are the configured tag keys.
    pub fn new(expected: usize, tag_labels: &[String]) -> Arc<Self> {
        let store = Arc::new(Store {
            entries: Mutex::new(BTreeMap::new()),
            finished_first: Mutex::new(HashSet::new()),
            expected,
            stats: ApiStats::default(),
            tags: tag_labels.iter().map(|k| TagLabel::new(k)).collect(),
            changed: Notify::new(),
            published: ArcSwap::from_pointee(Published::default()),
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

    /// Records a collector's cycle. `task` identifies the task for readiness; `replaces`
    /// is the key the task published under before, dropped when the key changed (e.g.
    /// once the account id became known). Encoding runs on the blocking pool.
    pub async fn update(
        &self,
        task: usize,
        snapshot: CollectorSnapshot,
        replaces: Option<&CollectorKey>,
    ) {
        let snapshot = Arc::new(snapshot);
        let tags = self.tags.clone();
        let encoded = snapshot.clone();
        let pieces = tokio::task::spawn_blocking(move || encode_collector(&encoded, &tags))
            .await
            .unwrap_or_else(|_| encode_collector(&snapshot, &self.tags));
        if let Ok(mut entries) = self.entries.lock() {
            if let Some(old) = replaces.filter(|k| **k != snapshot.key) {
                entries.remove(old);
            }
            entries.insert(
                snapshot.key.clone(),
                Entry {
                    snapshot,
                    pieces: Arc::new(pieces),
                },
            );
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
            tag_labels: self.tags.iter().map(|t| t.key.clone()).collect(),
        };
        let mut own = Samples::new(&[]);
        metrics::exporter::write_published(&snapshot, &mut own);
        sources.push(Arc::new(Pieces::new(own)));
        let refs: Vec<&Pieces> = sources.iter().map(|p| p.as_ref()).collect();
        self.published.store(Arc::new(Published {
            exposition: Exposition::assemble(&refs),
            snapshot: Arc::new(snapshot),
            ready: self.is_ready(),
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
