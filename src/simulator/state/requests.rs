//! The request log: one entry per API call (operation, caller, status, error code), bounded, read and cleared through the control endpoint.

use std::collections::VecDeque;

use serde::Serialize;

use crate::simulator::protocol::Caller;

/// Maximum number of entries kept in the request log (oldest dropped first).
pub const REQUEST_LOG_CAPACITY: usize = 10_000;

/// One request in the log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogEntry {
    /// Increasing sequence number.
    pub seq: u64,
    /// Operation (`DescribeVirtualInterfaces`, `AssumeRole`, ...).
    pub operation: String,
    /// Caller account.
    pub account: String,
    /// Caller region.
    pub region: String,
    /// HTTP status sent (0 for a reset connection).
    pub status: u16,
    /// Error code sent, if any.
    pub error_code: Option<String>,
}

/// The newest [`REQUEST_LOG_CAPACITY`] requests, oldest first.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<LogEntry>,
    seq: u64,
}

impl RequestLog {
    /// Appends one request, dropping the oldest when full. Never the body: requests
    /// carry auth keys.
    pub fn record(
        &mut self,
        operation: &str,
        caller: &Caller,
        status: u16,
        error_code: Option<&str>,
    ) {
        self.seq += 1;
        tracing::debug!(
            operation,
            account = %caller.account,
            region = %caller.region,
            status,
            error_code = error_code.unwrap_or(""),
            "simulator request"
        );
        if self.entries.len() >= REQUEST_LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(LogEntry {
            seq: self.seq,
            operation: operation.to_owned(),
            account: caller.account.clone(),
            region: caller.region.clone(),
            status,
            error_code: error_code.map(str::to_owned),
        });
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> Vec<LogEntry> {
        self.entries.iter().cloned().collect()
    }

    /// Empties the log (sequence numbers keep counting); returns how many entries it had.
    pub fn clear(&mut self) -> usize {
        let n = self.entries.len();
        self.entries.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_keeps_only_the_newest_entries() {
        let mut log = RequestLog::default();
        let caller = Caller::from_authorization(None);
        for _ in 0..REQUEST_LOG_CAPACITY + 5 {
            log.record("DescribeLags", &caller, 200, None);
        }
        let entries = log.entries();
        assert_eq!(entries.len(), REQUEST_LOG_CAPACITY);
        assert_eq!(entries[0].seq, 6);
    }
}
