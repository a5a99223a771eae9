//! The failover tests collector: ListVirtualInterfaceTestHistory of the account and
//! region, paginated, grouped per VIF of the inventory (0 tests for a VIF never tested).

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use aws_sdk_directconnect::types::VirtualInterfaceTestHistory;

use super::describe::paginate;
use super::{CallError, Session};
use crate::model::{FailoverTest, VifFailoverTests, VirtualInterface};

/// The operation this collector calls.
pub const OPERATION: &str = "ListVirtualInterfaceTestHistory";
/// Page size asked (the API's maximum).
const PAGE_SIZE: i32 = 100;

/// The failover test history of every VIF of `vifs` (deleted and rejected ones left
/// out), from one paginated listing of the whole account and region.
pub async fn collect_failover_tests(
    session: &Session,
    vifs: &[VirtualInterface],
    deadline: Instant,
) -> Result<Vec<VifFailoverTests>, CallError> {
    let c = session.client();
    let history = paginate(OPERATION, |token| async move {
        let out = session
            .call(OPERATION, deadline, || {
                c.list_virtual_interface_test_history()
                    .max_results(PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
        let page: Vec<(String, FailoverTest)> = out
            .virtual_interface_test_history()
            .iter()
            .map(test)
            .collect();
        Ok((page, out.next_token().map(str::to_owned)))
    })
    .await?;
    Ok(per_vif(vifs, history))
}

/// One test, keyed by its VIF, with the status in the model's spelling.
fn test(t: &VirtualInterfaceTestHistory) -> (String, FailoverTest) {
    let time =
        |d: Option<&aws_smithy_types::DateTime>| d.and_then(|d| SystemTime::try_from(*d).ok());
    let test = FailoverTest {
        status: status(t.status().unwrap_or_default()),
        start: time(t.start_time()),
        end: time(t.end_time()),
    };
    (
        t.virtual_interface_id().unwrap_or_default().to_owned(),
        test,
    )
}

/// `status` in lower case with `_` for spaces and dashes (`IN_PROGRESS`, `in progress`
/// and `in-progress` all read `in_progress`).
fn status(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// The history of each VIF of the inventory that still exists: how many tests, and the
/// newest (latest start; the later end, then the running one, breaks a tie).
fn per_vif(
    vifs: &[VirtualInterface],
    history: Vec<(String, FailoverTest)>,
) -> Vec<VifFailoverTests> {
    let mut by_vif: BTreeMap<&str, Vec<FailoverTest>> = BTreeMap::new();
    for (vif, t) in &history {
        by_vif.entry(vif.as_str()).or_default().push(t.clone());
    }
    let mut out: Vec<VifFailoverTests> = vifs
        .iter()
        .filter(|v| !matches!(v.state.as_str(), "deleted" | "rejected"))
        .map(|v| {
            let tests = by_vif.remove(v.id.as_str()).unwrap_or_default();
            let last = tests
                .iter()
                .max_by_key(|t| (t.start, t.end.is_none(), t.end))
                .cloned();
            VifFailoverTests {
                virtual_interface_id: v.id.clone(),
                tests: tests.len() as u64,
                last,
            }
        })
        .collect();
    out.sort_by(|a, b| a.virtual_interface_id.cmp(&b.virtual_interface_id));
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(s: u64) -> Option<SystemTime> {
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s))
    }

    fn vif(id: &str, state: &str) -> VirtualInterface {
        VirtualInterface {
            id: id.into(),
            state: state.into(),
            ..VirtualInterface::default()
        }
    }

    #[test]
    fn every_vif_gets_its_count_and_newest_test_and_untested_ones_get_zero() {
        let t = |status: &str, start: u64, end: Option<u64>| FailoverTest {
            status: status.into(),
            start: at(start),
            end: end.and_then(at),
        };
        let history = vec![
            ("dxvif-a".to_owned(), t("completed", 100, Some(400))),
            ("dxvif-a".to_owned(), t("in_progress", 900, None)),
            ("dxvif-a".to_owned(), t("failed", 500, Some(800))),
            ("dxvif-gone".to_owned(), t("completed", 100, Some(200))),
        ];
        let vifs = [
            vif("dxvif-a", "testing"),
            vif("dxvif-b", "available"),
            vif("dxvif-c", "deleted"),
        ];
        let out = per_vif(&vifs, history);
        assert_eq!(
            out.len(),
            2,
            "deleted VIFs and VIFs outside the inventory are left out"
        );
        assert_eq!(out[0].tests, 3);
        let last = out[0].last.as_ref().unwrap();
        assert_eq!(last.status, "in_progress");
        assert_eq!(
            last.last_time(),
            at(900),
            "a running test counts from its start"
        );
        assert_eq!((out[1].tests, out[1].last.clone()), (0, None));
    }

    #[test]
    fn a_finished_test_counts_from_its_end() {
        let t = FailoverTest {
            status: "completed".into(),
            start: at(100),
            end: at(400),
        };
        assert_eq!(t.last_time(), at(400));
    }

    #[test]
    fn statuses_are_read_in_any_case_and_spelling() {
        assert_eq!(status("IN_PROGRESS"), "in_progress");
        assert_eq!(status("in progress"), "in_progress");
        assert_eq!(status(" Completed "), "completed");
        assert_eq!(status("failed"), "failed");
    }
}
