//! What the control endpoint (and the scenario timeline) changes: peer, VIF, connection and LAG states and a connection's MACsec status set to any string, faults, and the state dump.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{RegionState, State, render};
use crate::duration::PromDuration;
use crate::simulator::faults::{Fault, FaultListFull, FaultSpec};
use crate::simulator::scenario::{FailoverTestSpec, PeerSpec, VifSpec, failover_test_id};

/// Why a control-endpoint change failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The resource id is unknown (404).
    #[error("{0}")]
    NotFound(String),
    /// The request is incomplete or contradictory (400).
    #[error("{0}")]
    Invalid(String),
}

impl State {
    /// The region holding the VIF, connection or LAG `id`, in any account.
    fn home_region_mut(&mut self, id: &str) -> Option<&mut RegionState> {
        let home = self.index.get(id)?;
        self.accounts
            .get_mut(&home.account)?
            .regions
            .get_mut(&home.region)
    }

    fn vif_mut(&mut self, id: &str) -> Result<&mut VifSpec, ControlError> {
        self.home_region_mut(id)
            .and_then(|r| r.vifs.get_mut(id))
            .ok_or_else(|| ControlError::NotFound(format!("unknown virtual interface {id}")))
    }

    /// Applies `change` to the peer of `vif_id` selected by id, else by address family;
    /// returns the VIF.
    pub(super) fn update_peer(
        &mut self,
        vif_id: &str,
        family: Option<&str>,
        peer_id: Option<&str>,
        change: impl FnOnce(&mut PeerSpec),
    ) -> Result<Value, ControlError> {
        if family.is_none() && peer_id.is_none() {
            return Err(ControlError::Invalid(
                "give address_family or bgp_peer_id".into(),
            ));
        }
        let now = self.now_ms();
        let vif = self.vif_mut(vif_id)?;
        let peer = vif
            .peers
            .iter_mut()
            .find(|p| match peer_id {
                Some(id) => p.id == id,
                None => Some(p.family.as_str()) == family,
            })
            .ok_or_else(|| ControlError::NotFound(format!("no such BGP peer on {vif_id}")))?;
        change(peer);
        Ok(render::vif(vif, now))
    }

    /// Sets a peer's status and/or state (any string) and stops its flap; returns the VIF.
    pub(crate) fn set_peer(
        &mut self,
        vif_id: &str,
        family: Option<&str>,
        peer_id: Option<&str>,
        status: Option<&str>,
        state: Option<&str>,
    ) -> Result<Value, ControlError> {
        self.tick();
        self.update_peer(vif_id, family, peer_id, |p| {
            p.flap = None;
            if let Some(s) = status {
                p.status = s.to_owned();
            }
            if let Some(s) = state {
                p.state = s.to_owned();
            }
        })
    }

    /// Starts a BGP failover test of VIF `id` at `at_ms`: the VIF goes to `testing` with
    /// its peers down, and an `in_progress` test joins its history. Returns the test id;
    /// `None` when the VIF is gone.
    pub(super) fn start_failover_test(
        &mut self,
        id: &str,
        at_ms: u64,
        duration: PromDuration,
    ) -> Option<String> {
        let vif = self.vif_mut(id).ok()?;
        let test = failover_test_id(&vif.id, vif.failover_tests.len());
        vif.state = "testing".into();
        for p in &mut vif.peers {
            p.status = "down".into();
        }
        vif.failover_tests.push(FailoverTestSpec {
            id: test.clone(),
            duration,
            status: "in_progress".into(),
            start_ms: i64::try_from(at_ms).unwrap_or(i64::MAX),
            ..FailoverTestSpec::default()
        });
        Some(test)
    }

    /// Ends failover test `test` of VIF `id`: completed, the VIF back to `available` with
    /// its peers up (unless something else changed its state meanwhile).
    pub(super) fn finish_failover_test(&mut self, id: &str, test: &str) {
        let Ok(vif) = self.vif_mut(id) else { return };
        if let Some(t) = vif.failover_tests.iter_mut().find(|t| t.id == test) {
            t.status = "completed".into();
        }
        if vif.state == "testing" {
            vif.state = "available".into();
            for p in &mut vif.peers {
                p.status = "up".into();
            }
        }
    }

    /// Sets a VIF state (any string); returns the VIF.
    pub(crate) fn set_vif_state(&mut self, id: &str, state: &str) -> Result<Value, ControlError> {
        let now = self.now_ms();
        let vif = self.vif_mut(id)?;
        vif.state = state.to_owned();
        Ok(render::vif(vif, now))
    }

    /// Sets the route counts of one address family of a VIF (unset counts stay); returns
    /// the VIF, whose peer in that family is down while accepted routes exceed the limit.
    pub(crate) fn set_routes(
        &mut self,
        id: &str,
        family: &str,
        accepted: Option<u32>,
        advertised: Option<u32>,
    ) -> Result<Value, ControlError> {
        if !matches!(family, "ipv4" | "ipv6") {
            return Err(ControlError::Invalid(format!(
                "address_family must be ipv4 or ipv6, got {family:?}"
            )));
        }
        let now = self.now_ms();
        let vif = self.vif_mut(id)?;
        let counts = vif.routes.of_mut(family);
        if let Some(n) = accepted {
            counts.accepted = n;
        }
        if let Some(n) = advertised {
            counts.advertised = n;
        }
        Ok(render::vif(vif, now))
    }

    /// Sets a connection's state and/or MACsec port encryption status (any strings);
    /// returns the connection.
    pub(crate) fn set_connection(
        &mut self,
        id: &str,
        state: Option<&str>,
        port_encryption_status: Option<&str>,
    ) -> Result<Value, ControlError> {
        let region = self
            .home_region_mut(id)
            .ok_or_else(|| ControlError::NotFound(format!("unknown connection {id}")))?;
        let usage = region.usage(id);
        let conn = region
            .connections
            .get_mut(id)
            .ok_or_else(|| ControlError::NotFound(format!("unknown connection {id}")))?;
        if let Some(s) = state {
            conn.state = s.to_owned();
        }
        if let Some(s) = port_encryption_status {
            conn.port_encryption_status = Some(s.to_owned());
        }
        Ok(render::connection(conn, usage))
    }

    /// Sets the light levels of every lane of a connection (unset levels stay); returns
    /// the connection with its `optics`.
    pub(crate) fn set_optics(
        &mut self,
        id: &str,
        tx_dbm: Option<f64>,
        rx_dbm: Option<f64>,
    ) -> Result<Value, ControlError> {
        let not_found = || ControlError::NotFound(format!("unknown connection {id}"));
        let region = self.home_region_mut(id).ok_or_else(not_found)?;
        let usage = region.usage(id);
        let conn = region.connections.get_mut(id).ok_or_else(not_found)?;
        if let Some(dbm) = tx_dbm {
            conn.optics.tx_dbm = Some(dbm);
        }
        if let Some(dbm) = rx_dbm {
            conn.optics.rx_dbm = Some(dbm);
        }
        let mut out = render::connection(conn, usage);
        if let Value::Object(m) = &mut out {
            m.insert("optics".into(), json!(conn.optics));
        }
        Ok(out)
    }

    /// Sets a LAG state (any string); returns the LAG without members.
    pub(crate) fn set_lag_state(&mut self, id: &str, state: &str) -> Result<Value, ControlError> {
        let region = self
            .home_region_mut(id)
            .ok_or_else(|| ControlError::NotFound(format!("unknown LAG {id}")))?;
        let usage = region.usage(id);
        let lag = region
            .lags
            .get_mut(id)
            .ok_or_else(|| ControlError::NotFound(format!("unknown LAG {id}")))?;
        lag.state = state.to_owned();
        Ok(render::lag(lag, &[], |_| usage))
    }

    /// Adds a fault for `count` calls (`None`: until cleared); returns its id, or refuses
    /// when the fault list is full.
    pub(crate) fn add_fault(
        &mut self,
        spec: FaultSpec,
        count: Option<u32>,
    ) -> Result<u64, FaultListFull> {
        self.faults.add_counted(spec, count)
    }

    /// Removes every active fault; returns how many there were.
    pub(crate) fn clear_faults(&mut self) -> usize {
        self.faults.clear()
    }

    /// The active faults.
    pub(crate) fn faults(&self) -> &[Fault] {
        self.faults.list()
    }

    /// The whole state in API shapes, for `GET /_sim/state`.
    pub(crate) fn dump(&mut self) -> Value {
        self.tick();
        let now = self.now_ms();
        // Attachments belong to the gateway's owner; VIFs may live in any account.
        let mut by_gateway: HashMap<&str, Vec<Value>> = HashMap::new();
        for v in self.all_vifs() {
            if let Some(g) = &v.gateway {
                by_gateway
                    .entry(g.as_str())
                    .or_default()
                    .push(render::attachment(v));
            }
        }
        let mut accounts = serde_json::Map::new();
        for (id, acc) in &self.accounts {
            let mut regions = serde_json::Map::new();
            for (name, r) in &acc.regions {
                let lags: Vec<Value> = r
                    .lags
                    .values()
                    .map(|l| render::lag(l, &r.lag_members(&l.id), |id| r.usage(id)))
                    .collect();
                regions.insert(
                    name.clone(),
                    json!({
                        "connections": r.connections.values().map(|c| render::connection(c, r.usage(&c.id))).collect::<Vec<_>>(),
                        "lags": lags,
                        "virtual_interfaces": r.vifs.values().map(|v| render::vif(v, now)).collect::<Vec<_>>(),
                    }),
                );
            }
            let attachments: Vec<Value> = acc
                .gateways
                .keys()
                .flat_map(|g| by_gateway.get(g.as_str()).into_iter().flatten().cloned())
                .collect();
            accounts.insert(
                id.clone(),
                json!({
                    "deny_assume_role": acc.deny_assume_role,
                    "gateways": acc.gateways.values().map(|g| render::gateway(g, self.gateway_allocations(&g.id))).collect::<Vec<_>>(),
                    "attachments": attachments,
                    "associations": acc.associations.values().map(render::association).collect::<Vec<_>>(),
                    "regions": regions,
                }),
            );
        }
        json!({
            "now_seconds": now as f64 / 1000.0,
            "accounts": accounts,
            "faults": self.faults.list(),
        })
    }
}
