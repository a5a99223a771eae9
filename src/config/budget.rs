//! The API budget of a plan: how many calls each collector makes per cycle and per
//! minute for a fleet of a given size, so users can plan against AWS's per-account
//! request rate limits (Direct Connect throttles per account and region).

use std::fmt::Write as _;

use super::Plan;
use crate::duration;
use crate::model::CollectorKind;

/// The size of a fleet in one account and region, for the budget's worked example.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetSize {
    /// Virtual interfaces.
    pub vifs: u32,
    /// Routes per VIF (accepted and advertised, both families).
    pub routes_per_vif: u32,
    /// Connections (LAG members included).
    pub connections: u32,
    /// LAGs.
    pub lags: u32,
    /// Direct Connect gateways of the account.
    pub gateways: u32,
    /// Failover tests in the history of the account and region.
    pub failover_tests: u32,
    /// Upcoming and open Direct Connect maintenance events of the account.
    pub maintenance_events: u32,
}

impl FleetSize {
    /// The example `--check-config` prints.
    pub const EXAMPLE: FleetSize = FleetSize {
        vifs: 100,
        routes_per_vif: 150,
        connections: 20,
        lags: 2,
        gateways: 5,
        failover_tests: 40,
        maintenance_events: 2,
    };
}

/// Calls per cycle of collector `kind` for `fleet`, and the rule behind the number.
pub fn calls_per_cycle(kind: CollectorKind, fleet: FleetSize) -> (u32, &'static str) {
    let pages = |n: u32| n.div_ceil(100).max(1);
    match kind {
        CollectorKind::VirtualInterfaces => (
            pages(fleet.vifs),
            "1 DescribeVirtualInterfaces per 100 VIFs",
        ),
        CollectorKind::Connections => (
            pages(fleet.connections),
            "1 DescribeConnections per 100 connections",
        ),
        CollectorKind::Lags => (pages(fleet.lags), "1 DescribeLags per 100 LAGs"),
        CollectorKind::Gateways => (
            pages(fleet.gateways) + 2 * fleet.gateways,
            "1 DescribeDirectConnectGateways per 100 gateways + 2 per gateway (attachments, associations)",
        ),
        CollectorKind::Routes => (
            fleet.vifs * pages(fleet.routes_per_vif),
            "1 ListVirtualInterfaceRoutes per 100 routes of each available VIF (at least 1 per VIF)",
        ),
        CollectorKind::FailoverTests => (
            pages(fleet.failover_tests),
            "1 ListVirtualInterfaceTestHistory per 100 tests in the region's history",
        ),
        CollectorKind::Maintenance => (
            pages(fleet.maintenance_events) + fleet.maintenance_events.div_ceil(10),
            "1 DescribeEvents per 100 events + 1 DescribeAffectedEntities per 10 events (AWS Health, us-east-1)",
        ),
        CollectorKind::Cloudwatch => (
            (fleet.connections * 7 + fleet.vifs * 10).div_ceil(500),
            "1 CloudWatch GetMetricData per 500 series: 7 per 10G connection, 10 per dual-stack VIF \
             (CloudWatch's quota, not Direct Connect's; billed per series)",
        ),
    }
}

impl Plan {
    /// The budget section of `--check-config`: per collector, calls per cycle (the rule
    /// and the worked example) and calls per minute at its configured interval.
    pub fn describe_budget(&self, fleet: FleetSize) -> String {
        let mut out = format!(
            "API budget per account and region (gateways, maintenance: per account), for an example \
             fleet of {} VIFs with {} routes each, {} connections, {} LAGs, {} gateways, {} \
             failover tests, {} maintenance events:\n",
            fleet.vifs,
            fleet.routes_per_vif,
            fleet.connections,
            fleet.lags,
            fleet.gateways,
            fleet.failover_tests,
            fleet.maintenance_events
        );
        let mut total = 0.0;
        for &kind in &self.collectors {
            let (calls, rule) = calls_per_cycle(kind, fleet);
            let interval = self.interval_of(kind);
            let per_minute = f64::from(calls) * 60.0 / interval.as_secs_f64().max(0.001);
            total += per_minute;
            let _ = writeln!(
                out,
                "  {:<18} {calls:>5} calls every {:<6} = {per_minute:>7.1}/min  ({rule})",
                kind.name(),
                duration::format(interval),
            );
        }
        let _ = writeln!(out, "  {:<18} {:>41.1}/min", "total", total);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_every_collector_makes_at_least_one_call() {
        let tiny = FleetSize {
            vifs: 0,
            routes_per_vif: 0,
            connections: 0,
            lags: 0,
            gateways: 0,
            failover_tests: 0,
            maintenance_events: 0,
        };
        for kind in CollectorKind::ALL {
            let (calls, _) = calls_per_cycle(kind, tiny);
            let per_resource = matches!(kind, CollectorKind::Routes | CollectorKind::Cloudwatch);
            assert!(calls >= u32::from(!per_resource), "{kind:?}");
        }
        let (vifs, _) = calls_per_cycle(CollectorKind::VirtualInterfaces, FleetSize::EXAMPLE);
        assert_eq!(vifs, 1);
        let (routes, _) = calls_per_cycle(CollectorKind::Routes, FleetSize::EXAMPLE);
        assert_eq!(routes, 200, "150 routes are two pages for each of 100 VIFs");
        let (gateways, _) = calls_per_cycle(CollectorKind::Gateways, FleetSize::EXAMPLE);
        assert_eq!(gateways, 11);
        let (cloudwatch, _) = calls_per_cycle(CollectorKind::Cloudwatch, FleetSize::EXAMPLE);
        assert_eq!(cloudwatch, 3, "20 × 7 + 100 × 10 = 1,140 series");
    }
}
