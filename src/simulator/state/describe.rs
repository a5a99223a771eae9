//! The Direct Connect reads: the Describe operations, their filters and their rules, one page at a time.
//!
//! Regional listings show the caller's account and region; gateways and associations the
//! caller's account in every region. ListVirtualInterfaceRoutes lists a VIF's generated
//! routes, ListVirtualInterfaceTestHistory the failover tests of the caller's VIFs; new
//! reads belong here, with a [`Listing`] each.

use serde_json::Value;

use super::paging::{Listing, page_of, paginate};
use super::{State, render, str_field};
use crate::simulator::protocol::{ApiError, Caller, OpResult};
use crate::simulator::scenario::VifSpec;

impl State {
    /// DescribeVirtualInterfaces, optionally by `connectionId` and/or `virtualInterfaceId`.
    pub(crate) fn describe_vifs(&self, caller: &Caller, input: &Value) -> OpResult {
        let now = self.now_ms();
        let conn = str_field(input, "connectionId");
        let only = str_field(input, "virtualInterfaceId");
        let vifs = &self.region_of(caller).vifs;
        if let Some(id) = only
            && !vifs.contains_key(id)
        {
            return Err(no_vif(id));
        }
        let page = page_of(vifs, input, Listing::VirtualInterfaces, |v| {
            conn.is_none_or(|c| v.connection == c) && only.is_none_or(|i| v.id == i)
        })?;
        Ok(page.into_json(Listing::VirtualInterfaces, |v| render::vif(v, now)))
    }

    /// DescribeConnections (LAG members included), optionally by `connectionId`.
    pub(crate) fn describe_connections(&self, caller: &Caller, input: &Value) -> OpResult {
        let only = str_field(input, "connectionId");
        let region = self.region_of(caller);
        let conns = &region.connections;
        if let Some(id) = only
            && !conns.contains_key(id)
        {
            return Err(ApiError::client(format!("Connection {id} does not exist")));
        }
        let page = page_of(conns, input, Listing::Connections, |c| {
            only.is_none_or(|i| c.id == i)
        })?;
        Ok(page.into_json(Listing::Connections, |c| {
            render::connection(c, region.usage(&c.id))
        }))
    }

    /// DescribeLags with their member connections, optionally by `lagId`.
    pub(crate) fn describe_lags(&self, caller: &Caller, input: &Value) -> OpResult {
        let only = str_field(input, "lagId");
        let region = self.region_of(caller);
        if let Some(id) = only
            && !region.lags.contains_key(id)
        {
            return Err(ApiError::client(format!("LAG {id} does not exist")));
        }
        let page = page_of(&region.lags, input, Listing::Lags, |l| {
            only.is_none_or(|i| l.id == i)
        })?;
        Ok(page.into_json(Listing::Lags, |lag| {
            render::lag(lag, &region.lag_members(&lag.id), |id| region.usage(id))
        }))
    }

    /// DescribeDirectConnectGateways of the caller's account, optionally by id.
    pub(crate) fn describe_gateways(&self, caller: &Caller, input: &Value) -> OpResult {
        let only = str_field(input, "directConnectGatewayId");
        let gws = &self.account_of(caller).gateways;
        let page = page_of(gws, input, Listing::Gateways, |g| {
            only.is_none_or(|i| g.id == i)
        })?;
        Ok(page.into_json(Listing::Gateways, |g| {
            render::gateway(g, self.gateway_allocations(&g.id))
        }))
    }

    /// DescribeDirectConnectGatewayAttachments: the VIFs (of any account) attached to a
    /// gateway, by `directConnectGatewayId` and/or `virtualInterfaceId` (one is required).
    pub(crate) fn describe_attachments(&self, caller: &Caller, input: &Value) -> OpResult {
        let gw = str_field(input, "directConnectGatewayId");
        let vif = str_field(input, "virtualInterfaceId");
        if gw.is_none() && vif.is_none() {
            return Err(ApiError::client(
                "You must specify a directConnectGatewayId or a virtualInterfaceId",
            ));
        }
        if let Some(g) = gw
            && !self.gateway_exists(g)
        {
            return Err(no_gateway(g));
        }
        if let Some(v) = vif
            && !self.region_of(caller).vifs.contains_key(v)
        {
            return Err(no_vif(v));
        }
        // Attachments are keyed by gateway, then VIF, across every account.
        let mut found: Vec<(String, &VifSpec)> = self
            .all_vifs()
            .filter(|v| {
                v.gateway.is_some()
                    && gw.is_none_or(|g| v.gateway.as_deref() == Some(g))
                    && vif.is_none_or(|i| v.id == i)
            })
            .map(|v| {
                let key = format!("{}|{}", v.gateway.as_deref().unwrap_or_default(), v.id);
                (key, v)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let page = paginate(found.into_iter(), input, Listing::Attachments)?;
        Ok(page.into_json(Listing::Attachments, render::attachment))
    }

    /// DescribeDirectConnectGatewayAssociations of the caller's account, by gateway,
    /// association or associated gateway.
    pub(crate) fn describe_associations(&self, caller: &Caller, input: &Value) -> OpResult {
        let gw = str_field(input, "directConnectGatewayId");
        let assoc = str_field(input, "associationId");
        let associated =
            str_field(input, "associatedGatewayId").or(str_field(input, "virtualGatewayId"));
        let all = &self.account_of(caller).associations;
        let page = page_of(all, input, Listing::Associations, |a| {
            gw.is_none_or(|g| a.gateway_id == g)
                && assoc.is_none_or(|i| a.id == i)
                && associated.is_none_or(|i| a.associated_gateway.id == i)
        })?;
        Ok(page.into_json(Listing::Associations, render::association))
    }

    /// ListVirtualInterfaceRoutes: the routes of one of the caller's VIFs, optionally
    /// filtered by `filters.routeDirection` and `filters.addressFamily`, one page at a time.
    pub(crate) fn list_routes(&self, caller: &Caller, input: &Value) -> OpResult {
        let id = str_field(input, "virtualInterfaceId")
            .ok_or_else(|| ApiError::client("virtualInterfaceId is required"))?;
        let vif = self
            .region_of(caller)
            .vifs
            .get(id)
            .ok_or_else(|| no_vif(id))?;
        let filters = input.get("filters");
        let direction = filters.and_then(|f| str_field(f, "routeDirection"));
        let family = filters.and_then(|f| str_field(f, "addressFamily"));
        for (name, value, allowed) in [
            ("routeDirection", direction, ["accepted", "advertised"]),
            ("addressFamily", family, ["ipv4", "ipv6"]),
        ] {
            if let Some(v) = value
                && !allowed.contains(&v)
            {
                return Err(ApiError::client(format!("invalid {name} {v:?}")));
            }
        }
        let routes = render::routes(vif)
            .filter(|r| direction.is_none_or(|d| r.direction == d))
            .filter(|r| family.is_none_or(|f| r.family == f))
            .map(|r| (r.key(), r));
        let page = paginate(routes, input, Listing::Routes)?;
        let mut out = page.into_json(Listing::Routes, |r| r.to_json(vif));
        out["virtualInterfaceId"] = Value::String(vif.id.clone());
        Ok(out)
    }
}

impl State {
    /// ListVirtualInterfaceTestHistory: the failover tests of the caller's VIFs in its
    /// region, optionally by `virtualInterfaceId`, `testId` and `status`, by VIF then test.
    pub(crate) fn list_test_history(&self, caller: &Caller, input: &Value) -> OpResult {
        let only_vif = str_field(input, "virtualInterfaceId");
        let only_test = str_field(input, "testId");
        let status = str_field(input, "status");
        let vifs = &self.region_of(caller).vifs;
        if let Some(id) = only_vif
            && !vifs.contains_key(id)
        {
            return Err(no_vif(id));
        }
        let tests = vifs
            .values()
            .filter(|v| only_vif.is_none_or(|i| v.id == i))
            .flat_map(|v| {
                v.failover_tests
                    .iter()
                    .enumerate()
                    .map(move |(n, t)| (v, n, t))
            })
            .filter(|(_, _, t)| only_test.is_none_or(|i| t.id == i))
            .filter(|(_, _, t)| status.is_none_or(|s| t.status == s))
            // Keys sort in listing order: by VIF, then by position in its history.
            .map(|(v, n, t)| (format!("{}|{n:06}", v.id), (v, t)));
        let page = paginate(tests, input, Listing::TestHistory)?;
        Ok(page.into_json(Listing::TestHistory, |(v, t)| {
            render::failover_test(v, t, |ms| self.unix_seconds(ms))
        }))
    }
}

/// The client error for an unknown (or foreign) VIF id.
pub(super) fn no_vif(id: &str) -> ApiError {
    ApiError::client(format!("Virtual interface {id} does not exist"))
}

/// The client error for an unknown gateway id.
pub(super) fn no_gateway(id: &str) -> ApiError {
    ApiError::client(format!("Direct Connect gateway {id} does not exist"))
}
