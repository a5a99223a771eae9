//! What changed and since when: the last [`MAX_CHANGES`] observed VIF state and BGP peer
//! status changes, and since when each VIF and peer has been in its current state.
//!
//! The [`store`](crate::store) feeds every virtual interface collector's cycle into a
//! [`History`] as it arrives and publishes a [`HistoryView`] beside the snapshot, so the
//! status page reads it without touching collection. Memory is bounded: the change log is
//! a ring of [`MAX_CHANGES`] entries, and the since-times hold exactly the VIFs and peers of
//! each collector's latest listing (a deleted resource is forgotten with its listing, a
//! collector's whole set when its data is dropped).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;

use crate::model::{
    CollectorData, CollectorKey, CollectorKind, CollectorSnapshot, VirtualInterface,
};

/// Changes kept, newest replacing oldest.
pub const MAX_CHANGES: usize = 100;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A virtual interface's `virtualInterfaceState`.
    VirtualInterfaceState,
    /// A BGP peer's `bgpStatus`.
    BgpPeerStatus,
}

impl ChangeKind {
    /// The JSON value, also used as a label on the page.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::VirtualInterfaceState => "virtual_interface_state",
            ChangeKind::BgpPeerStatus => "bgp_peer_status",
        }
    }
}

/// One observed change between two successive successful collections (serialized, without
/// its time, as part of `/api/v1/status`'s `recent_changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// When the collection that saw the new value finished.
    #[serde(skip)]
    pub at: SystemTime,
    /// The account of the collector.
    pub account_id: String,
    /// The region of the collector.
    pub region: String,
    /// The virtual interface (of the peer, for peer changes).
    pub virtual_interface_id: String,
    /// Its name when the change was seen.
    pub virtual_interface_name: String,
    /// The peer, for [`ChangeKind::BgpPeerStatus`].
    pub bgp_peer_id: Option<String>,
    /// The peer's address family, for [`ChangeKind::BgpPeerStatus`].
    pub address_family: Option<String>,
    /// What changed.
    pub kind: ChangeKind,
    /// The value before (as AWS reports it, lower case).
    pub from: String,
    /// The value after.
    pub to: String,
}

/// Since when a VIF has been in its state, or a peer in its BGP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Since {
    /// The collection that first saw the current value.
    pub at: SystemTime,
    /// True when that was the exporter's first sight of the resource, so the value may
    /// be older than `at`; false when `at` is an observed change.
    pub first_seen: bool,
}

/// A VIF's current state and since-time, with its peers'.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VifSince {
    state: String,
    since: Since,
    /// Peer id → (bgpStatus, since).
    peers: HashMap<String, (String, Since)>,
}

/// The since-times of one collector's VIFs and peers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinceMap {
    vifs: HashMap<String, VifSince>,
}

impl SinceMap {
    /// Since when the VIF has been in its current state.
    pub fn virtual_interface(&self, virtual_interface_id: &str) -> Option<Since> {
        self.vifs.get(virtual_interface_id).map(|v| v.since)
    }

    /// Since when the peer has been in its current BGP status.
    pub fn bgp_peer(&self, virtual_interface_id: &str, bgp_peer_id: &str) -> Option<Since> {
        self.vifs
            .get(virtual_interface_id)
            .and_then(|v| v.peers.get(bgp_peer_id))
            .map(|(_, since)| *since)
    }

    /// Number of VIFs plus peers tracked.
    pub fn len(&self) -> usize {
        self.vifs.values().map(|v| 1 + v.peers.len()).sum()
    }

    /// True when nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.vifs.is_empty()
    }

    /// The map for `vifs` seen at `at`, carrying over the since-times of unchanged values
    /// from `self`; every change is passed to `changed` (VIF state before its peers').
    fn next(
        &self,
        vifs: &[VirtualInterface],
        at: SystemTime,
        mut changed: impl FnMut(&VirtualInterface, Option<&str>, &str, &str),
    ) -> SinceMap {
        let first = Since {
            at,
            first_seen: true,
        };
        let moved = Since {
            at,
            first_seen: false,
        };
        let mut next = HashMap::with_capacity(vifs.len());
        for v in vifs {
            let old = self.vifs.get(&v.id);
            let since = match old {
                None => first,
                Some(o) if o.state == v.state => o.since,
                Some(o) => {
                    changed(v, None, &o.state, &v.state);
                    moved
                }
            };
            let mut peers = HashMap::with_capacity(v.bgp_peers.len());
            for p in &v.bgp_peers {
                let since = match old.and_then(|o| o.peers.get(&p.bgp_peer_id)) {
                    None => first,
                    Some((status, since)) if *status == p.status => *since,
                    Some((status, _)) => {
                        changed(v, Some(&p.bgp_peer_id), status, &p.status);
                        moved
                    }
                };
                peers.insert(p.bgp_peer_id.clone(), (p.status.clone(), since));
            }
            next.insert(
                v.id.clone(),
                VifSince {
                    state: v.state.clone(),
                    since,
                    peers,
                },
            );
        }
        SinceMap { vifs: next }
    }
}

/// What the status page reads: cheap to clone (shared, immutable parts).
#[derive(Debug, Clone, Default)]
pub struct HistoryView {
    /// The last [`MAX_CHANGES`] changes, newest first.
    pub changes: Arc<[Change]>,
    since: BTreeMap<CollectorKey, Arc<SinceMap>>,
}

impl HistoryView {
    /// The since-times of one virtual interface collector's resources.
    pub fn since(&self, collector: &CollectorKey) -> Option<&SinceMap> {
        self.since.get(collector).map(Arc::as_ref)
    }
}

/// The writer side, owned by the store.
#[derive(Debug, Default)]
pub struct History {
    changes: VecDeque<Change>,
    since: BTreeMap<CollectorKey, Arc<SinceMap>>,
    /// `changes` newest first, rebuilt only when a change is recorded.
    published_changes: Arc<[Change]>,
}

impl History {
    /// Takes in one collector cycle. Only virtual interface collectors count; a failed
    /// cycle keeps what was known (its data is the last good listing), and a collector
    /// without data (never succeeded, dropped after `max_staleness`, panicked) forgets
    /// its resources.
    pub fn record(&mut self, c: &CollectorSnapshot) {
        if c.key.kind != CollectorKind::VirtualInterfaces {
            return;
        }
        match &c.data {
            None => self.forget(&c.key),
            Some(CollectorData::VirtualInterfaces(vifs)) if c.success => {
                self.observe(&c.key, vifs, c.last_success.unwrap_or_else(SystemTime::now));
            }
            Some(_) => {}
        }
    }

    /// Records the listing `vifs` of collector `key`, seen at `at`.
    pub fn observe(&mut self, key: &CollectorKey, vifs: &[VirtualInterface], at: SystemTime) {
        let mut found = Vec::new();
        let next = {
            let old = self.since.get(key).map(Arc::as_ref);
            let empty = SinceMap::default();
            old.unwrap_or(&empty).next(vifs, at, |v, peer, from, to| {
                found.push(Change {
                    at,
                    account_id: key.account_id.clone(),
                    region: key.region.clone(),
                    virtual_interface_id: v.id.clone(),
                    virtual_interface_name: v.name.clone(),
                    bgp_peer_id: peer.map(str::to_owned),
                    address_family: peer.and_then(|id| {
                        v.bgp_peers
                            .iter()
                            .find(|p| p.bgp_peer_id == id)
                            .map(|p| p.address_family.clone())
                    }),
                    kind: if peer.is_some() {
                        ChangeKind::BgpPeerStatus
                    } else {
                        ChangeKind::VirtualInterfaceState
                    },
                    from: from.to_owned(),
                    to: to.to_owned(),
                })
            })
        };
        self.since.insert(key.clone(), Arc::new(next));
        if !found.is_empty() {
            for change in found {
                if self.changes.len() == MAX_CHANGES {
                    self.changes.pop_front();
                }
                self.changes.push_back(change);
            }
            self.published_changes = self.changes.iter().rev().cloned().collect();
        }
    }

    /// Forgets the resources of collector `key` (its changes stay in the log).
    pub fn forget(&mut self, key: &CollectorKey) {
        self.since.remove(key);
    }

    /// The current view (clones shared pointers only).
    pub fn view(&self) -> HistoryView {
        HistoryView {
            changes: self.published_changes.clone(),
            since: self.since.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::BgpPeer;

    fn key() -> CollectorKey {
        CollectorKey {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            kind: CollectorKind::VirtualInterfaces,
        }
    }

    fn vif(id: &str, state: &str, peer_status: &str) -> VirtualInterface {
        VirtualInterface {
            id: id.into(),
            name: format!("{id}-name"),
            state: state.into(),
            bgp_peers: vec![BgpPeer {
                bgp_peer_id: format!("{id}-p4"),
                address_family: "ipv4".into(),
                status: peer_status.into(),
                ..BgpPeer::default()
            }],
            ..VirtualInterface::default()
        }
    }

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    #[test]
    fn first_sight_is_not_a_change_and_marks_since_as_first_seen() {
        let mut h = History::default();
        h.observe(&key(), &[vif("a", "available", "up")], t(0));
        let view = h.view();
        assert!(view.changes.is_empty());
        let since = view.since(&key()).unwrap();
        assert_eq!(
            since.virtual_interface("a"),
            Some(Since {
                at: t(0),
                first_seen: true
            })
        );
        assert_eq!(
            since.bgp_peer("a", "a-p4").map(|s| s.first_seen),
            Some(true)
        );
    }

    #[test]
    fn a_peer_status_change_is_logged_with_from_and_to_and_resets_since() {
        let mut h = History::default();
        h.observe(&key(), &[vif("a", "available", "up")], t(0));
        h.observe(&key(), &[vif("a", "available", "up")], t(10));
        h.observe(&key(), &[vif("a", "available", "down")], t(20));
        let view = h.view();
        assert_eq!(view.changes.len(), 1);
        let c = &view.changes[0];
        assert_eq!(c.kind, ChangeKind::BgpPeerStatus);
        assert_eq!((c.from.as_str(), c.to.as_str()), ("up", "down"));
        assert_eq!(c.bgp_peer_id.as_deref(), Some("a-p4"));
        assert_eq!(c.address_family.as_deref(), Some("ipv4"));
        assert_eq!(c.at, t(20));
        let since = view.since(&key()).unwrap();
        assert_eq!(
            since.bgp_peer("a", "a-p4"),
            Some(Since {
                at: t(20),
                first_seen: false
            })
        );
        // The VIF's state did not change: its since-time is still the first sight.
        assert_eq!(since.virtual_interface("a").map(|s| s.at), Some(t(0)));
    }

    #[test]
    fn changes_are_listed_newest_first() {
        let mut h = History::default();
        h.observe(&key(), &[vif("a", "available", "up")], t(0));
        h.observe(&key(), &[vif("a", "down", "down")], t(1));
        h.observe(&key(), &[vif("a", "available", "up")], t(2));
        let kinds: Vec<_> = h
            .view()
            .changes
            .iter()
            .map(|c| (c.at, c.kind, c.to.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (t(2), ChangeKind::BgpPeerStatus, "up".into()),
                (t(2), ChangeKind::VirtualInterfaceState, "available".into()),
                (t(1), ChangeKind::BgpPeerStatus, "down".into()),
                (t(1), ChangeKind::VirtualInterfaceState, "down".into()),
            ]
        );
    }

    #[test]
    fn the_change_log_keeps_only_the_last_hundred() {
        let mut h = History::default();
        for i in 0..=(MAX_CHANGES as u64 + 20) {
            let status = if i % 2 == 0 { "up" } else { "down" };
            h.observe(&key(), &[vif("a", "available", status)], t(i));
        }
        let view = h.view();
        assert_eq!(view.changes.len(), MAX_CHANGES);
        assert_eq!(view.changes[0].at, t(MAX_CHANGES as u64 + 20));
        assert_eq!(view.changes[MAX_CHANGES - 1].at, t(21));
    }

    #[test]
    fn deleted_resources_and_dropped_collectors_are_forgotten() {
        let mut h = History::default();
        h.observe(
            &key(),
            &[vif("a", "available", "up"), vif("b", "available", "up")],
            t(0),
        );
        assert_eq!(h.view().since(&key()).unwrap().len(), 4);
        h.observe(&key(), &[vif("a", "available", "up")], t(1));
        let view = h.view();
        let since = view.since(&key()).unwrap();
        assert_eq!(since.len(), 2);
        assert_eq!(since.virtual_interface("b"), None);
        // A collector whose data is dropped forgets everything it had.
        h.record(&CollectorSnapshot {
            key: key(),
            success: false,
            duration: Duration::ZERO,
            interval: Duration::from_secs(60),
            panics: 0,
            last_success: None,
            data: None,
            last_error: Some("boom".into()),
            peer_status_changes: BTreeMap::new(),
        });
        assert!(h.view().since(&key()).is_none());
    }

    #[test]
    fn a_failed_cycle_keeping_old_data_changes_nothing() {
        let mut h = History::default();
        h.observe(&key(), &[vif("a", "available", "up")], t(0));
        let before = h.view().since(&key()).cloned();
        h.record(&CollectorSnapshot {
            key: key(),
            success: false,
            duration: Duration::ZERO,
            interval: Duration::from_secs(60),
            panics: 0,
            last_success: Some(t(0)),
            data: Some(CollectorData::VirtualInterfaces(vec![vif(
                "a", "down", "down",
            )])),
            last_error: Some("throttled".into()),
            peer_status_changes: BTreeMap::new(),
        });
        assert!(h.view().changes.is_empty());
        assert_eq!(h.view().since(&key()).cloned(), before);
    }
}
