//! The last rendered status bodies, reused for requests in the same second on the same
//! published snapshot: a burst of page loads or API polls costs one build, so the page's
//! work per second is bounded whatever the request rate (scrapes are served on the same
//! threads).

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::Status;
use super::html::{self, Links};
use crate::store::Published;

/// One cached body: which snapshot and second it was built for.
#[derive(Debug)]
struct Entry {
    /// Held (not just compared by address) so a freed snapshot's address cannot be reused
    /// by a newer one and hit.
    published: Arc<Published>,
    second: u64,
    body: Bytes,
}

/// The HTML page and the JSON view, each built at most once per second and snapshot.
#[derive(Debug, Default)]
pub struct StatusCache {
    html: Mutex<Option<Entry>>,
    json: Mutex<Option<Entry>>,
}

impl StatusCache {
    /// The page for `published` as of `now`.
    pub fn html(&self, published: &Arc<Published>, links: &Links<'_>, now: SystemTime) -> Bytes {
        cached(&self.html, published, now, || {
            Bytes::from(html::render(&Status::build(published, now), links))
        })
    }

    /// The JSON view for `published` as of `now`.
    pub fn json(&self, published: &Arc<Published>, now: SystemTime) -> Bytes {
        cached(&self.json, published, now, || {
            Bytes::from(Status::build(published, now).to_json())
        })
    }
}

fn cached(
    slot: &Mutex<Option<Entry>>,
    published: &Arc<Published>,
    now: SystemTime,
    build: impl FnOnce() -> Bytes,
) -> Bytes {
    let second = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if let Ok(guard) = slot.lock()
        && let Some(e) = guard.as_ref()
        && e.second == second
        && Arc::ptr_eq(&e.published, published)
    {
        return e.body.clone();
    }
    // Built outside the lock: a concurrent request never waits on a build.
    let body = build();
    if let Ok(mut guard) = slot.lock() {
        *guard = Some(Entry {
            published: published.clone(),
            second,
            body: body.clone(),
        });
    }
    body
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_body_is_reused_within_the_second_for_the_same_snapshot_only() {
        let slot = Mutex::new(None);
        let builds = Cell::new(0);
        let build = || {
            builds.set(builds.get() + 1);
            Bytes::from(builds.get().to_string())
        };
        let a = Arc::new(Published::default());
        let b = Arc::new(Published::default());
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_100);
        assert_eq!(cached(&slot, &a, t, build), "1");
        assert_eq!(
            cached(&slot, &a, t + Duration::from_millis(800), build),
            "1"
        );
        assert_eq!(cached(&slot, &a, t + Duration::from_secs(1), build), "2");
        assert_eq!(cached(&slot, &b, t + Duration::from_secs(1), build), "3");
        assert_eq!(builds.get(), 3);
    }
}
