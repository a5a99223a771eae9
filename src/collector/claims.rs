//! Overlapping targets: two targets (e.g. two roles) that reach the same account and
//! region would collect the same resources and overwrite each other's series. Of the tasks
//! that claim an (account, region, collector), the one of the earliest target collects
//! it; the others stand by.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::CollectorKey;

/// Which task collects each (account, region, collector), and its target's index.
#[derive(Debug, Default)]
pub struct Claims(Mutex<HashMap<CollectorKey, (usize, usize)>>);

impl Claims {
    /// Claims `key` for `task` of target `target`: `Ok(())` when `task` holds it now
    /// (it was free, already `task`'s, or held by a later target), `Err(holder)` when a
    /// task of an earlier (or the same) target holds it.
    pub fn claim(&self, key: &CollectorKey, task: usize, target: usize) -> Result<(), usize> {
        let Ok(mut map) = self.0.lock() else {
            return Ok(());
        };
        match map.get(key) {
            Some(&(holder, rank)) if holder != task && rank <= target => Err(holder),
            _ => {
                map.insert(key.clone(), (task, target));
                Ok(())
            }
        }
    }

    /// Releases every claim of `task` (it stopped).
    pub fn release(&self, task: usize) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, (holder, _)| *holder != task);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CollectorKind;

    #[test]
    fn the_earliest_target_collects_and_a_released_claim_can_be_taken() {
        let claims = Claims::default();
        let key = CollectorKey {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            kind: CollectorKind::VirtualInterfaces,
        };
        assert_eq!(claims.claim(&key, 1, 0), Ok(()));
        assert_eq!(claims.claim(&key, 1, 0), Ok(()));
        assert_eq!(claims.claim(&key, 2, 1), Err(1));
        claims.release(1);
        assert_eq!(claims.claim(&key, 2, 1), Ok(()));
        // An earlier target takes the claim over from a later one.
        assert_eq!(claims.claim(&key, 3, 0), Ok(()));
        assert_eq!(claims.claim(&key, 2, 1), Err(3));
    }
}
