//! The flap tracker: counts `bgpStatus` changes per BGP peer between collections.

use std::collections::{BTreeMap, HashMap};

use crate::model::{PeerKey, VirtualInterface};

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
}
