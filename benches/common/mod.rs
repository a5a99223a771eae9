//! What the benchmarks share: a process's memory figures from `/proc` and the median.
#![allow(dead_code)]

/// A field of `/proc/<pid>/status` in KiB (`pid` may be `self`), e.g. `VmRSS:` or
/// `VmHWM:`; `None` when the process or the field is not there.
pub fn status_kib(pid: &str, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Resident memory of this process, in KiB (0 where `/proc` is missing).
pub fn rss_kib() -> u64 {
    status_kib("self", "VmRSS:").unwrap_or(0)
}

/// The middle value (the upper one of an even count). `v` must not be empty.
pub fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}
