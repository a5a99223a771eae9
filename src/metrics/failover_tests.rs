//! Failover test families (the opt-in `failover_tests` collector): per VIF, how many BGP
//! failover tests its history holds, and when and how the newest one went.

use super::{Family, Samples};
use crate::model::{CollectorKey, VifFailoverTests};

/// `status` values of `virtual_interface_failover_test_last_status`.
pub const FAILOVER_TEST_STATUSES: [&str; 4] = ["in_progress", "completed", "failed", "unknown"];

const VIF: &[&str] = &["aws_account_id", "aws_region", "virtual_interface_id"];

pub static TESTS: Family = Family::gauge(
    "virtual_interface_failover_tests",
    "BGP failover tests in the virtual interface's test history (ListVirtualInterfaceTestHistory); 0 when it was never tested.",
    VIF,
);
pub static LAST_TIMESTAMP: Family = Family::gauge(
    "virtual_interface_failover_test_last_timestamp_seconds",
    "End of the virtual interface's newest BGP failover test (its start while it runs), in Unix seconds; absent when never tested.",
    VIF,
);
pub static LAST_STATUS: Family = Family::state_set(
    "virtual_interface_failover_test_last_status",
    "Status of the virtual interface's newest BGP failover test (1 for the current status); absent when never tested.",
    VIF,
    "status",
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[&TESTS, &LAST_TIMESTAMP, &LAST_STATUS];

/// Writes the samples of one failover tests collector.
pub fn write(key: &CollectorKey, vifs: &[VifFailoverTests], out: &mut Samples<'_>) {
    let (acct, region) = (key.account_id.as_str(), key.region.as_str());
    let mut tests = out.family(&TESTS);
    for v in vifs {
        tests.sample(&[acct, region, &v.virtual_interface_id], v.tests as f64);
    }
    let mut last = out.family(&LAST_TIMESTAMP);
    for v in vifs {
        if let Some(t) = v.last.as_ref().and_then(|t| t.last_time()) {
            last.sample(
                &[acct, region, &v.virtual_interface_id],
                super::unix_seconds(t),
            );
        }
    }
    let mut status = out.family(&LAST_STATUS);
    for v in vifs {
        if let Some(t) = &v.last {
            status.state_set(
                &[acct, region, &v.virtual_interface_id],
                &t.status,
                &FAILOVER_TEST_STATUSES,
            );
        }
    }
}
