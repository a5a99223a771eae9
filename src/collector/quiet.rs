//! Rate-limited warnings: the first occurrence of an error per target is logged at warn,
//! repeats within a window only at debug, then one warn line says how many were held back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the same error of the same target stays quiet after it was logged.
pub const QUIET_WINDOW: Duration = Duration::from_secs(600);

/// Remembers when each (target, message) was last logged at warn.
#[derive(Debug, Default)]
pub struct Quiet(Mutex<HashMap<(usize, String), Seen>>);

#[derive(Debug)]
struct Seen {
    logged: Instant,
    held: u64,
}

impl Quiet {
    /// Whether to log `message` of `target` at warn now: `Some(held)` with the number of
    /// repeats held back since the last warn, or `None` to log it at debug only.
    pub fn should_warn(&self, target: usize, message: &str, now: Instant) -> Option<u64> {
        let Ok(mut seen) = self.0.lock() else {
            return Some(0);
        };
        // Forget entries whose window is long over, so the map stays small.
        seen.retain(|_, s| now.duration_since(s.logged) < QUIET_WINDOW * 2);
        match seen.get_mut(&(target, message.to_owned())) {
            Some(s) if now.duration_since(s.logged) < QUIET_WINDOW => {
                s.held += 1;
                None
            }
            Some(s) => {
                let held = s.held;
                *s = Seen {
                    logged: now,
                    held: 0,
                };
                Some(held)
            }
            None => {
                seen.insert(
                    (target, message.to_owned()),
                    Seen {
                        logged: now,
                        held: 0,
                    },
                );
                Some(0)
            }
        }
    }

    /// Forgets `target`'s errors (after a success, so a new failure is logged at once).
    pub fn clear(&self, target: usize) {
        if let Ok(mut seen) = self.0.lock() {
            seen.retain(|(t, _), _| *t != target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_error_is_warned_once_per_window_per_target() {
        let q = Quiet::default();
        let t0 = Instant::now();
        assert_eq!(q.should_warn(0, "no credentials", t0), Some(0));
        assert_eq!(q.should_warn(0, "no credentials", t0), None);
        assert_eq!(q.should_warn(0, "no credentials", t0), None);
        // Another target, or another message, is news.
        assert_eq!(q.should_warn(1, "no credentials", t0), Some(0));
        assert_eq!(q.should_warn(0, "denied", t0), Some(0));
        let later = t0 + QUIET_WINDOW + Duration::from_secs(1);
        assert_eq!(q.should_warn(0, "no credentials", later), Some(2));
        q.clear(0);
        assert_eq!(q.should_warn(0, "no credentials", later), Some(0));
    }
}
