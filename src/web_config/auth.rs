//! Basic auth checks: bcrypt on a fixed pool of worker threads behind a bounded queue, and
//! a cache of results keyed by a digest of (user, hash, password), as prometheus/
//! exporter-toolkit caches them.
//!
//! Why each piece:
//! - The pool has [`WORKERS`] threads, whatever the clients do: a flood of wrong passwords
//!   costs at most those cores, and no thread is started per request.
//! - The queue holds [`QUEUE`] checks; beyond it a request is answered 503 at once instead
//!   of waiting without bound. A queued check whose client has hung up gives its place up
//!   (when the queue is full) and is skipped when its turn comes, so abandoned requests
//!   cost nothing beyond the at most [`WORKERS`] checks already running.
//! - Results are cached, so a client that authenticated once (Prometheus scraping every
//!   interval) never waits behind the queue again. Correct and wrong results are kept
//!   apart, so a flood of wrong passwords cannot push the correct one out.
//! - Unknown users are checked against a dummy hash at the users' cost, so the answer
//!   takes as long as for a known user with a wrong password.
//! - At shutdown, waiting checks are answered at once (503); a running bcrypt cannot be
//!   interrupted, but the workers are detached threads that never delay the exit, and
//!   costs above [`MAX_BCRYPT_COST`] are refused when the file is loaded.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use sha2::{Digest as _, Sha256};
use tokio::sync::{oneshot, watch};

/// Highest accepted bcrypt cost. Each step doubles the work; cost 16 is about 4 s of one
/// core here, already far beyond what a login needs (htpasswd's default is 5, the
/// exporter-toolkit documentation uses 10 to 12).
pub const MAX_BCRYPT_COST: u32 = 16;

/// bcrypt checks that run at once: threads of the pool.
pub const WORKERS: usize = 2;

/// bcrypt checks that may wait for a worker; more are answered 503 at once.
pub const QUEUE: usize = 64;

/// Cached correct results (one per user and password in use; only a correct password
/// gets in).
const CACHE_ALLOWED: usize = 64;
/// Cached wrong results, oldest forgotten first.
const CACHE_DENIED: usize = 1024;

/// The outcome of a credentials check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The user exists and the password matches.
    Allowed,
    /// Unknown user, wrong password or malformed credentials.
    Denied,
    /// The check could not run now (queue full, or shutting down).
    Busy,
}

/// One queued check.
struct Job {
    password: String,
    hash: Arc<str>,
    reply: oneshot::Sender<bool>,
}

/// Runs bcrypt checks on [`WORKERS`] threads and caches their results.
pub struct Authenticator {
    queue: OnceLock<Arc<Queue>>,
    cache: Mutex<Cache>,
    salt: [u8; 32],
    closing: watch::Sender<bool>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("started", &self.queue.get().is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Authenticator {
    fn default() -> Self {
        Authenticator {
            queue: OnceLock::new(),
            cache: Mutex::new(Cache::default()),
            salt: rand::random(),
            closing: watch::Sender::new(false),
        }
    }
}

impl Authenticator {
    /// Checks `password` for `user`: against `hash` when the user is known, else against
    /// `dummy` (same cost) and denied whatever the result.
    pub async fn check(
        &self,
        user: &str,
        password: &str,
        hash: Option<&Arc<str>>,
        dummy: &Arc<str>,
    ) -> Verdict {
        let known = hash.is_some();
        let hash = hash.unwrap_or(dummy);
        let key = self.key(user, hash, password);
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key));
        let ok = match cached {
            Some(ok) => ok,
            None => match self.verify(password, hash).await {
                Some(ok) => {
                    if let Ok(mut c) = self.cache.lock() {
                        c.put(key, ok && known);
                    }
                    ok
                }
                None => return Verdict::Busy,
            },
        };
        if ok && known {
            Verdict::Allowed
        } else {
            Verdict::Denied
        }
    }

    /// Answers every waiting and future check with [`Verdict::Busy`] (at shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Forgets cached results (after the users changed).
    pub fn clear_cache(&self) {
        if let Ok(mut c) = self.cache.lock() {
            *c = Cache::default();
        }
    }

    /// bcrypt on the pool; `None` when the queue is full or the server is closing.
    async fn verify(&self, password: &str, hash: &Arc<str>) -> Option<bool> {
        let mut closing = self.closing.subscribe();
        if *closing.borrow() {
            return None;
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            password: password.to_owned(),
            hash: hash.clone(),
            reply,
        };
        if !self.queue.get_or_init(Queue::start).push(job) {
            return None;
        }
        tokio::select! {
            ok = answer => ok.ok(),
            _ = closing.wait_for(|c| *c) => None,
        }
    }

    fn key(&self, user: &str, hash: &str, password: &str) -> [u8; 32] {
        // Length-prefixed fields, so no two triples share an input; salted per process, so
        // the digests say nothing outside it.
        let mut h = Sha256::new();
        h.update(self.salt);
        for part in [user, hash, password] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        if let Some(q) = self.queue.get() {
            q.stop();
        }
    }
}

/// Checks waiting for a worker, at most [`QUEUE`].
#[derive(Default)]
struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    stopped: bool,
}

impl Queue {
    /// A queue served by [`WORKERS`] threads, which end once it is stopped.
    fn start() -> Arc<Queue> {
        let queue = Arc::new(Queue::default());
        for i in 0..WORKERS {
            let q = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("bcrypt-{i}"))
                .spawn(move || q.work());
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a bcrypt worker thread");
            }
        }
        queue
    }

    /// Queues `job`; false when the queue is full of checks someone still waits for.
    fn push(&self, job: Job) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        if state.jobs.len() >= QUEUE {
            state.jobs.retain(|j| !j.reply.is_closed());
        }
        if state.jobs.len() >= QUEUE || state.stopped {
            return false;
        }
        state.jobs.push_back(job);
        self.ready.notify_one();
        true
    }

    fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.stopped = true;
            state.jobs.clear();
        }
        self.ready.notify_all();
    }

    fn next(&self) -> Option<Job> {
        let mut state = self.state.lock().ok()?;
        loop {
            if state.stopped {
                return None;
            }
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            state = self.ready.wait(state).ok()?;
        }
    }

    fn work(&self) {
        while let Some(job) = self.next() {
            // The client hung up while the check waited: nobody needs the answer.
            if job.reply.is_closed() {
                continue;
            }
            let ok = bcrypt::verify(&job.password, &job.hash).unwrap_or(false);
            let _ = job.reply.send(ok);
        }
    }
}

/// Results by digest, correct and wrong ones kept apart and each bounded.
#[derive(Debug, Default)]
struct Cache {
    allowed: HashSet<[u8; 32]>,
    allowed_order: VecDeque<[u8; 32]>,
    denied: HashSet<[u8; 32]>,
    denied_order: VecDeque<[u8; 32]>,
}

impl Cache {
    fn get(&self, key: &[u8; 32]) -> Option<bool> {
        if self.allowed.contains(key) {
            Some(true)
        } else if self.denied.contains(key) {
            Some(false)
        } else {
            None
        }
    }

    fn put(&mut self, key: [u8; 32], ok: bool) {
        let (set, order, cap) = if ok {
            (&mut self.allowed, &mut self.allowed_order, CACHE_ALLOWED)
        } else {
            (&mut self.denied, &mut self.denied_order, CACHE_DENIED)
        };
        if !set.insert(key) {
            return;
        }
        order.push_back(key);
        while order.len() > cap {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
    }
}

/// The cost of a bcrypt hash (`$2y$12$...` → 12), or `None` when it is not one.
///
/// ```
/// use directconnect_exporter::web_config::bcrypt_cost;
/// assert_eq!(bcrypt_cost("$2y$12$QnHD0ZUWxvqvd0nOwYQfouH5Kc6HVsxjNLKVnSIVQ6eoNUn5g0KFa"), Some(12));
/// assert_eq!(bcrypt_cost("plain"), None);
/// ```
pub fn bcrypt_cost(hash: &str) -> Option<u32> {
    let rest = ["$2a$", "$2b$", "$2x$", "$2y$"]
        .iter()
        .find_map(|p| hash.strip_prefix(p))?;
    if hash.len() != 60 || rest.as_bytes().get(2) != Some(&b'$') {
        return None;
    }
    let cost: u32 = rest.get(..2)?.parse().ok()?;
    (4..=31).contains(&cost).then_some(cost)
}

/// A hash no password matches in practice, at `cost`, for users that do not exist.
pub fn dummy_hash(cost: u32) -> Arc<str> {
    // Hashed at the lowest cost (cheap at load), then relabelled: verifying it costs `cost`.
    let base = bcrypt::hash_with_salt(rand::random::<[u8; 16]>(), 4, rand::random())
        .map(|p| p.format_for_version(bcrypt::Version::TwoY))
        .unwrap_or_else(|_| FALLBACK_DUMMY.to_owned());
    let cost = cost.clamp(4, MAX_BCRYPT_COST);
    format!("$2y${cost:02}{}", base.get(6..).unwrap_or_default()).into()
}

/// A valid cost-04 hash, should hashing at load time ever fail.
const FALLBACK_DUMMY: &str = "$2y$04$QnHD0ZUWxvqvd0nOwYQfouH5Kc6HVsxjNLKVnSIVQ6eoNUn5g0KFa";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_costs_what_the_users_cost() {
        for cost in [4, 10, 12, 16] {
            let d = dummy_hash(cost);
            assert_eq!(bcrypt_cost(&d), Some(cost), "{d}");
        }
        // It is a real hash: verifying it runs bcrypt and says no.
        assert_eq!(bcrypt::verify("anything", &dummy_hash(4)).ok(), Some(false));
    }

    #[test]
    fn costs_are_read_from_the_hash() {
        let h = bcrypt::hash("x", 5).unwrap();
        assert_eq!(bcrypt_cost(&h), Some(5));
        assert_eq!(bcrypt_cost(&h.replacen("$05$", "$31$", 1)), Some(31));
        assert_eq!(bcrypt_cost(&h.replacen("$05$", "$32$", 1)), None);
        assert_eq!(bcrypt_cost(&h.replacen("$05$", "$5$", 1)), None);
        assert_eq!(bcrypt_cost(&h[..59]), None);
        assert_eq!(bcrypt_cost("$2y$1é$"), None);
    }

    #[test]
    fn wrong_passwords_cannot_push_out_a_correct_one() {
        let mut c = Cache::default();
        c.put([1; 32], true);
        for i in 0..5000u32 {
            let mut k = [0; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            k[31] = 9;
            c.put(k, false);
        }
        assert_eq!(c.get(&[1; 32]), Some(true));
        assert_eq!(c.denied.len(), CACHE_DENIED);
    }

    #[tokio::test]
    async fn results_are_cached_and_closing_answers_busy() {
        let auth = Authenticator::default();
        let hash: Arc<str> = bcrypt::hash("pw", 4).unwrap().into();
        let dummy = dummy_hash(4);
        assert_eq!(
            auth.check("u", "pw", Some(&hash), &dummy).await,
            Verdict::Allowed
        );
        assert_eq!(
            auth.check("u", "no", Some(&hash), &dummy).await,
            Verdict::Denied
        );
        assert_eq!(
            auth.check("x", "pw", None, &dummy).await,
            Verdict::Denied,
            "an unknown user is denied even if the dummy matched"
        );
        auth.close();
        // Cached results still answer; anything that needs bcrypt does not.
        assert_eq!(
            auth.check("u", "pw", Some(&hash), &dummy).await,
            Verdict::Allowed
        );
        assert_eq!(
            auth.check("u", "new", Some(&hash), &dummy).await,
            Verdict::Busy
        );
    }
}
