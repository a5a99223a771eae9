#!/usr/bin/env python3
"""Generates the Grafana dashboards in this directory (standard library only).

The JSON files next to this script are the product: they import into Grafana as they
are. This script is where they are edited, so that the three dashboards share one set
of conventions (datasource variable, stable uids, units, links, PromQL shapes).

    python3 dashboards/generate.py           # rewrite the JSON files
    python3 dashboards/generate.py --check   # exit 1 if a JSON file is out of date

Query shapes: every panel query returns data on a healthy fleet too (zeros rather
than nothing), so an empty panel means a broken query or a missing exporter, never
"all good". Redundancy is computed inline from raw metrics, so the dashboards do not
need the recording rules in alerts/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
P = "aws_directconnect_"
SCHEMA_VERSION = 39
DS = {"type": "prometheus", "uid": "${datasource}"}

UID_OVERVIEW = "directconnect-overview"
UID_VIF = "directconnect-vif"
UID_EXPORTER = "directconnect-exporter"
TITLES = {
    UID_OVERVIEW: "AWS Direct Connect / Overview",
    UID_VIF: "AWS Direct Connect / Virtual interface",
    UID_EXPORTER: "AWS Direct Connect / Exporter health",
}
SLUGS = {
    UID_OVERVIEW: "aws-direct-connect-overview",
    UID_VIF: "aws-direct-connect-virtual-interface",
    UID_EXPORTER: "aws-direct-connect-exporter-health",
}
TAGS = ["aws", "directconnect", "prometheus"]

# BGP peer status as one number per peer: 2 up, 1 unknown, 0 down (state-timeline rows).
PEER_STATUS_MAPPING = {
    "type": "value",
    "options": {
        "0": {"text": "down", "color": "red", "index": 0},
        "1": {"text": "unknown", "color": "orange", "index": 1},
        "2": {"text": "up", "color": "green", "index": 2},
    },
}
PEER_UP_MAPPING = {
    "type": "value",
    "options": {
        "0": {"text": "not up", "color": "red", "index": 0},
        "1": {"text": "up", "color": "green", "index": 1},
    },
}
SUCCESS_MAPPING = {
    "type": "value",
    "options": {
        "0": {"text": "failed", "color": "red", "index": 0},
        "1": {"text": "ok", "color": "green", "index": 1},
    },
}


def thresholds(*steps):
    """steps: (color, value) pairs; the first value is the base (None)."""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in steps]}


GREEN = thresholds(("green", None))
BAD_IF_POSITIVE = thresholds(("green", None), ("red", 1))
REDUNDANCY = thresholds(("red", None), ("orange", 1), ("green", 2))


# --------------------------------------------------------------------------- builders


class Layout:
    """Places panels left to right, top to bottom, on Grafana's 24-column grid."""

    def __init__(self):
        self.panels = []
        self.x = 0
        self.y = 0
        self.row_h = 0
        self.next_id = 1

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.newline()
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x += w
        self.row_h = max(self.row_h, h)
        if self.x >= 24:
            self.newline()
        return panel

    def newline(self):
        if self.x:
            self.y += self.row_h
        self.x = 0
        self.row_h = 0

    def row(self, title):
        self.newline()
        self.add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)


def target(expr, ref="A", legend="", instant=False, table=False):
    t = {
        "datasource": DS,
        "editorMode": "code",
        "expr": expr,
        "refId": ref,
        "legendFormat": legend or "__auto",
        "range": not instant,
        "instant": instant,
    }
    if table:
        t["format"] = "table"
    return t


def panel(kind, title, description, targets, unit=None, mappings=None, thr=None,
          options=None, custom=None, overrides=None, transformations=None, links=None,
          decimals=None, min_=None, max_=None):
    defaults = {"color": {"mode": "thresholds"}, "thresholds": thr or GREEN, "mappings": mappings or []}
    if unit:
        defaults["unit"] = unit
    if custom:
        defaults["custom"] = custom
    if decimals is not None:
        defaults["decimals"] = decimals
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    if links:
        defaults["links"] = links
    p = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {},
    }
    if transformations:
        p["transformations"] = transformations
    return p


def reduce_last():
    return {"calcs": ["lastNotNull"], "fields": "", "values": False}


def stat(title, description, expr, unit="none", thr=None, text_mode="auto", color_mode="value",
         legend="", mappings=None, graph=True):
    """A stat; without a sparkline (graph=False) the query is instant, so a label shown as the
    value (text_mode="name") is the current one, not also every one seen in the time range."""
    return panel(
        "stat", title, description, [target(expr, legend=legend, instant=not graph)], unit=unit, thr=thr,
        mappings=mappings,
        options={
            "reduceOptions": reduce_last(),
            "orientation": "auto",
            "textMode": text_mode,
            "colorMode": color_mode,
            "graphMode": "area" if graph else "none",
            "justifyMode": "auto",
            "wideLayout": True,
            "showPercentChange": False,
        },
    )


def bargauge(title, description, targets, unit="none", thr=None, min_=0, max_=None):
    return panel(
        "bargauge", title, description, targets, unit=unit, thr=thr, min_=min_, max_=max_,
        options={
            "reduceOptions": reduce_last(),
            "orientation": "horizontal",
            "displayMode": "gradient",
            "valueMode": "color",
            "namePlacement": "auto",
            "showUnfilled": True,
            "sizing": "auto",
            "minVizHeight": 16,
            "minVizWidth": 8,
            "maxVizHeight": 300,
        },
    )


def timeseries(title, description, targets, unit, bars=False, overrides=None, thr=None, min_=None):
    return panel(
        "timeseries", title, description, targets, unit=unit, thr=thr, min_=min_,
        overrides=overrides,
        custom={
            "drawStyle": "bars" if bars else "line",
            "lineWidth": 1,
            "fillOpacity": 60 if bars else 10,
            "showPoints": "never",
            "spanNulls": False,
            "axisBorderShow": False,
            "axisPlacement": "auto",
            "gradientMode": "none",
            "lineInterpolation": "linear",
            "stacking": {"group": "A", "mode": "normal" if bars else "none"},
            "thresholdsStyle": {"mode": "off"},
        },
        options={
            "legend": {"calcs": ["lastNotNull", "max"], "displayMode": "table", "placement": "right", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    )


def state_timeline(title, description, targets, mappings, unit="none"):
    return panel(
        "state-timeline", title, description, targets, unit=unit, mappings=mappings,
        custom={"fillOpacity": 80, "lineWidth": 0, "hideFrom": {"legend": False, "tooltip": False, "viz": False}},
        options={
            "mergeValues": True,
            "showValue": "never",
            "alignValue": "left",
            "rowHeight": 0.9,
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "single", "sort": "none"},
        },
    )


def table(title, description, targets, unit="none", exclude=(), order=(), rename=None, overrides=None,
          mappings=None, extra_transformations=(), sort_by=None, merge=False):
    """A table of instant, table-format queries; label columns ordered by `order`."""
    excluded = {"Time": True, "__name__": True}
    excluded.update({k: True for k in exclude})
    transformations = []
    if merge:
        transformations.append({"id": "merge", "options": {}})
    transformations.extend(extra_transformations)
    transformations.append({
        "id": "organize",
        "options": {
            "excludeByName": excluded,
            "indexByName": {name: i for i, name in enumerate(order)},
            "renameByName": rename or {},
        },
    })
    # Overrides match the displayed (renamed) column names: what Grafana's editor writes,
    # and what every Grafana version's byName matcher compares against.
    renamed = []
    for o in overrides or []:
        m_ = o["matcher"]
        if m_.get("id") == "byName" and m_.get("options") in (rename or {}):
            o = {**o, "matcher": {**m_, "options": rename[m_["options"]]}}
        renamed.append(o)
    overrides = renamed
    options = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "countRows": False, "fields": ""}}
    if sort_by:
        options["sortBy"] = [{"displayName": sort_by[0], "desc": sort_by[1]}]
    return panel(
        "table", title, description, targets, unit=unit, mappings=mappings, overrides=overrides,
        transformations=transformations, options=options,
        custom={"align": "auto", "cellOptions": {"type": "auto"}, "inspect": False, "filterable": True},
    )


def column(name, unit=None, mappings=None, color_background=False, links=None, width=None, thr=None):
    """A field override for one table column."""
    props = []
    if unit:
        props.append({"id": "unit", "value": unit})
    if mappings:
        props.append({"id": "mappings", "value": mappings})
    if thr:
        props.append({"id": "thresholds", "value": thr})
    if color_background:
        props.append({"id": "custom.cellOptions", "value": {"type": "color-background", "mode": "basic"}})
    if links:
        props.append({"id": "links", "value": links})
    if width:
        props.append({"id": "custom.width", "value": width})
    return {"matcher": {"id": "byName", "options": name}, "properties": props}


def query_var(name, label, query, multi=False, include_all=False, all_value=None, description=""):
    v = {
        "type": "query",
        "name": name,
        "label": label,
        "description": description,
        "datasource": DS,
        "definition": query,
        "query": {"qryType": 1, "query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "refresh": 2,  # on time range change
        "regex": "",
        "sort": 1,
        "multi": multi,
        "includeAll": include_all,
        "current": {},
        "options": [],
        "hide": 0,
    }
    if include_all:
        v["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]} if multi else {"selected": True, "text": "All", "value": "$__all"}
    if all_value is not None:
        v["allValue"] = all_value
    return v


def datasource_var():
    return {
        "type": "datasource",
        "name": "datasource",
        "label": "Data source",
        "description": "Prometheus data source that scrapes directconnect-exporter",
        "query": "prometheus",
        "regex": "",
        "current": {},
        "options": [],
        "refresh": 1,
        "hide": 0,
        "multi": False,
        "includeAll": False,
    }


def dashboard_links(own_uid):
    links = []
    for uid in (UID_OVERVIEW, UID_VIF, UID_EXPORTER):
        if uid == own_uid:
            continue
        links.append({
            "type": "link",
            "title": TITLES[uid].split(" / ")[1],
            "tooltip": TITLES[uid],
            "url": f"/d/{uid}/{SLUGS[uid]}",
            "icon": "dashboard",
            "keepTime": True,
            "includeVars": True,
            "asDropdown": False,
            "targetBlank": False,
            "tags": [],
        })
    return links


def vif_link(account="${__data.fields.aws_account_id}", region="${__data.fields.aws_region}",
             connection="${__data.fields.connection_id}", vif="${__data.fields.virtual_interface_id}"):
    return [{
        "title": "Virtual interface detail",
        "url": (
            f"/d/{UID_VIF}/{SLUGS[UID_VIF]}?var-datasource=${{datasource}}&var-account={account}"
            f"&var-region={region}&var-connection={connection}&var-vif={vif}&${{__url_time_range}}"
        ),
        "targetBlank": False,
    }]


def dashboard(uid, description, variables, layout, refresh="1m"):
    return {
        "id": None,
        "uid": uid,
        "title": TITLES[uid],
        "description": description,
        "tags": TAGS,
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "refresh": refresh,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "weekStart": "",
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "annotations": {"list": [{
            "builtIn": 1,
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True,
            "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard",
        }]},
        "links": dashboard_links(uid),
        "templating": {"list": [datasource_var()] + variables},
        "panels": layout.panels,
    }


# --------------------------------------------------------------------------- PromQL pieces

F = 'aws_account_id=~"$account",aws_region=~"$region"'  # account/region scoped series
G = 'aws_account_id=~"$account"'  # gateway series: global, no aws_region
VIF_KEY = "aws_account_id, aws_region, virtual_interface_id"
PEER_KEY = "aws_account_id, aws_region, virtual_interface_id, bgp_peer_id"
AVAILABLE = 'state="available"'
THROTTLED = 'result="throttled"'
NOT_SUCCESS = 'result!="success"'
ERRORS = 'result!~"success|throttled"'


def m(name, sel=F, extra=""):
    inner = ",".join(s for s in (sel, extra) if s)
    return f"{P}{name}{{{inner}}}"


def peer_status_code(sel):
    """2 up, 1 unknown, 0 down, one series per peer (the status label dropped)."""
    return (
        f'{P}bgp_peer_status{{{sel},status="up"}} * 2\n'
        f'+ ignoring (status) {P}bgp_peer_status{{{sel},status="unknown"}}'
    )


def healthy_per_vif(sel=F):
    """1 per VIF that is available with at least one BGP peer up, else 0 (one series per VIF)."""
    return (
        f'(\n'
        f'    {P}virtual_interface_state{{{sel},state="available"}}\n'
        f'  * on ({VIF_KEY})\n'
        f'    max by ({VIF_KEY}) ({P}bgp_peer_up{{{sel}}})\n'
        f')\n'
        f'or on ({VIF_KEY})\n'
        f'  {P}virtual_interface_state{{{sel},state="available"}} * 0'
    )


def healthy_paths(by):
    """Healthy paths (see healthy_per_vif) of gateway-attached VIFs, summed by `by`."""
    return (
        f"sum by ({by}) (\n"
        f"  (\n{indent(healthy_per_vif(), 4)}\n  )\n"
        f"  * on ({VIF_KEY}) group_left (direct_connect_gateway_id, aws_logical_device_id, location)\n"
        f'  {P}virtual_interface_info{{{F},direct_connect_gateway_id!=""}}\n'
        f")"
    )


def distinct_healthy(dim):
    """Per gateway: how many distinct values of `dim` carry at least one healthy path (0 if none)."""
    per_dim = healthy_paths(f"direct_connect_gateway_id, {dim}")
    per_gw = healthy_paths("direct_connect_gateway_id")
    return (
        f"count by (direct_connect_gateway_id) (\n{indent(per_dim, 2)} > 0\n)\n"
        f"or on (direct_connect_gateway_id)\n{indent(per_gw, 2)} * 0"
    )


def with_gateway_name(expr):
    """expr (by direct_connect_gateway_id) with the gateway's name added where a gateway_info
    series names it; gateways whose info is not collected keep their row, without a name."""
    return (
        f"(\n{indent(expr, 2)}\n)\n"
        f"* on (direct_connect_gateway_id) group_left (direct_connect_gateway_name)\n"
        f"  max by (direct_connect_gateway_id, direct_connect_gateway_name) ({P}gateway_info)\n"
        f"or on (direct_connect_gateway_id)\n"
        f"(\n{indent(expr, 2)}\n)"
    )


def indent(text, n):
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())


def rate(name, sel, extra=""):
    return f"rate({m(name, sel, extra)}[$__rate_interval])"


# --------------------------------------------------------------------------- overview


def overview():
    L = Layout()
    L.row("Summary")
    L.add(stat("Virtual interfaces", "Virtual interfaces reported by the Direct Connect API (all states).",
               f"count({m('virtual_interface_info')})"), 4, 4)
    L.add(stat("VIFs not available", "Virtual interfaces whose state is not `available` (down, pending, confirming, deleted …).",
               f"sum({m('virtual_interface_state', extra=AVAILABLE)} == bool 0)",
               thr=BAD_IF_POSITIVE), 4, 4)
    L.add(stat("BGP peers up", "BGP peers whose bgpStatus is `up`.",
               f"sum({m('bgp_peer_up')})"), 4, 4)
    L.add(stat("BGP peers not up", "BGP peers whose bgpStatus is `down` or `unknown`.",
               f"sum({m('bgp_peer_up')} == bool 0)", thr=BAD_IF_POSITIVE), 4, 4)
    L.add(stat("Connections not available", "Dedicated and hosted connections whose state is not `available`.",
               f"sum({m('connection_state', extra=AVAILABLE)} == bool 0)",
               thr=BAD_IF_POSITIVE), 4, 4)
    L.add(stat("Collectors failing", "Collectors (target × region × kind) whose last cycle failed. See the exporter health dashboard.",
               f"sum({m('collector_success')} == bool 0)", thr=BAD_IF_POSITIVE), 4, 4)

    L.row("Virtual interfaces and BGP peers")
    L.add(bargauge("Virtual interfaces by state", "Count of virtual interfaces in each state of the API's state list.",
                   [target(f"sum by (state) ({m('virtual_interface_state')})", legend="{{state}}", instant=True)]), 8, 9)
    L.add(bargauge("BGP peers by status", "Count of BGP peers per bgpStatus (up, down, unknown).",
                   [target(f"sum by (status) ({m('bgp_peer_status')})", legend="{{status}}", instant=True)]), 8, 9)
    L.add(bargauge("BGP peers by state", "Count of BGP peers per bgpPeerState (the peer's provisioning state).",
                   [target(f"sum by (state) ({m('bgp_peer_state')})", legend="{{state}}", instant=True)]), 8, 9)
    peers_expr = (
        f"(\n"
        f"    {m('bgp_peer_up')}\n"
        f"  * on ({PEER_KEY}) group_left (amazon_address, customer_address, aws_logical_device_id)\n"
        f"    {m('bgp_peer_info')}\n"
        f")\n"
        f"* on ({VIF_KEY}) group_left (virtual_interface_name, connection_id, location)\n"
        f"  {m('virtual_interface_info')}"
    )
    L.add(table(
        "BGP peers down",
        "BGP peers whose bgpStatus is not `up`, with their virtual interface, ASN, address family and addresses. "
        "The query returns every peer; the panel keeps the rows whose status is not up, so an empty table means all peers are up. "
        "Click a VIF id for its detail dashboard.",
        [target(peers_expr, instant=True, table=True)],
        order=("aws_account_id", "aws_region", "virtual_interface_id", "virtual_interface_name", "bgp_peer_id",
               "asn", "address_family", "amazon_address", "customer_address", "aws_logical_device_id",
               "location", "connection_id", "Value"),
        rename={"aws_account_id": "Account", "aws_region": "Region", "virtual_interface_id": "VIF",
                "virtual_interface_name": "VIF name", "bgp_peer_id": "Peer", "asn": "ASN",
                "address_family": "Address family", "amazon_address": "Amazon address",
                "customer_address": "Customer address", "aws_logical_device_id": "AWS device",
                "location": "Location", "connection_id": "Connection", "Value": "Status"},
        exclude=("job", "instance"),
        overrides=[column("Value", mappings=[PEER_UP_MAPPING], color_background=True),
                   column("virtual_interface_id", links=vif_link())],
        extra_transformations=[{
            "id": "filterByValue",
            "options": {"type": "include", "match": "any",
                        "filters": [{"fieldName": "Value", "config": {"id": "equal", "options": {"value": 0}}}]},
        }],
    ), 24, 8)
    L.add(state_timeline(
        "BGP peer status",
        "bgpStatus of every BGP peer over time: up, down or unknown.",
        [target(peer_status_code(F), legend="{{aws_account_id}} {{aws_region}} {{virtual_interface_id}} {{address_family}} {{bgp_peer_id}}")],
        mappings=[PEER_STATUS_MAPPING]), 24, 10)
    L.add(timeseries(
        "BGP peer status changes (flaps)",
        "bgpStatus changes observed by the exporter per peer and rate interval (0 when stable).",
        [target(f"sum by ({PEER_KEY}, address_family) (increase({m('bgp_peer_status_changes_total')}[$__rate_interval]))",
                legend="{{aws_account_id}} {{aws_region}} {{virtual_interface_id}} {{address_family}} {{bgp_peer_id}}")],
        unit="short", bars=True, min_=0), 24, 8)

    L.row("Connections and LAGs")
    L.add(bargauge("Connections by state", "Count of connections in each state.",
                   [target(f"sum by (state) ({m('connection_state')})", legend="{{state}}", instant=True)]), 6, 9)
    conn_expr = (
        f"({m('connection_state')} == 1)\n"
        f"* on (aws_account_id, aws_region, connection_id) group_left (connection_name, location, bandwidth, lag_id, aws_logical_device_id, has_logical_redundancy, partner_name)\n"
        f"  {m('connection_info')}"
    )
    L.add(table(
        "Connections", "Every connection with its current state, location, bandwidth, LAG and AWS logical device.",
        [target(conn_expr, instant=True, table=True)],
        exclude=("job", "instance", "Value"),
        order=("aws_account_id", "aws_region", "connection_id", "connection_name", "state", "location",
               "bandwidth", "lag_id", "aws_logical_device_id", "has_logical_redundancy", "partner_name"),
        rename={"aws_account_id": "Account", "aws_region": "Region", "connection_id": "Connection",
                "connection_name": "Name", "state": "State", "location": "Location", "bandwidth": "Bandwidth",
                "lag_id": "LAG", "aws_logical_device_id": "AWS device",
                "has_logical_redundancy": "Logical redundancy", "partner_name": "Partner"},
    ), 18, 9)

    def lag_join(expr):
        return (f"{expr}\n* on (aws_account_id, aws_region, lag_id) group_left (lag_name, location, aws_logical_device_id)\n"
                f"  {m('lag_info')}")

    L.add(table(
        "LAGs: members available vs minimum links",
        "Per LAG: member connections available, minimum links (below it the LAG goes down) and members in total.",
        [target(lag_join(m("lag_connections_available")), "A", instant=True, table=True),
         target(lag_join(m("lag_minimum_links")), "B", instant=True, table=True),
         target(lag_join(m("lag_connections")), "C", instant=True, table=True)],
        merge=True, exclude=("job", "instance"),
        order=("aws_account_id", "aws_region", "lag_id", "lag_name", "location", "aws_logical_device_id",
               "Value #A", "Value #B", "Value #C"),
        rename={"aws_account_id": "Account", "aws_region": "Region", "lag_id": "LAG", "lag_name": "Name",
                "location": "Location", "aws_logical_device_id": "AWS device", "Value #A": "Available",
                "Value #B": "Minimum links", "Value #C": "Members"},
    ), 14, 8)
    L.add(bargauge(
        "LAG headroom (available − minimum links)",
        "Member connections a LAG can lose before it goes down. Below 0 the LAG is down; 0 means no spare member.",
        [target(f"{m('lag_connections_available')}\n- {m('lag_minimum_links')}",
                legend="{{aws_account_id}} {{aws_region}} {{lag_id}}", instant=True)],
        thr=thresholds(("red", None), ("orange", 0), ("green", 1)), min_=None), 10, 8)

    L.row("Gateways and redundancy")
    gw_expr = (
        f"({m('gateway_state', G)} == 1)\n"
        f"* on (aws_account_id, direct_connect_gateway_id) group_left (direct_connect_gateway_name, amazon_side_asn)\n"
        f"  {m('gateway_info', G)}"
    )
    L.add(table(
        "Direct Connect gateways", "Direct Connect gateways (global resources) with their state and Amazon-side ASN.",
        [target(gw_expr, instant=True, table=True)],
        exclude=("job", "instance", "Value"),
        order=("aws_account_id", "direct_connect_gateway_id", "direct_connect_gateway_name", "state", "amazon_side_asn"),
        rename={"aws_account_id": "Account", "direct_connect_gateway_id": "Gateway",
                "direct_connect_gateway_name": "Name", "state": "State", "amazon_side_asn": "Amazon ASN"},
    ), 12, 8)
    L.add(table(
        "Redundancy per gateway",
        "Per gateway: healthy paths (attached VIFs that are available with at least one BGP peer up), and how many "
        "distinct AWS logical devices and locations carry them. Fewer than 2 devices means one AWS device failure "
        "cuts the gateway off. Select all regions for the complete view of a (global) gateway.",
        [target(with_gateway_name(healthy_paths("direct_connect_gateway_id")), "A", instant=True, table=True),
         target(with_gateway_name(distinct_healthy("aws_logical_device_id")), "B", instant=True, table=True),
         target(with_gateway_name(distinct_healthy("location")), "C", instant=True, table=True)],
        merge=True, exclude=("job", "instance"),
        order=("direct_connect_gateway_id", "direct_connect_gateway_name", "Value #A", "Value #B", "Value #C"),
        rename={"direct_connect_gateway_id": "Gateway", "direct_connect_gateway_name": "Name", "Value #A": "Healthy paths",
                "Value #B": "Devices with a healthy path", "Value #C": "Locations with a healthy path"},
        overrides=[column(c, thr=REDUNDANCY, color_background=True) for c in ("Value #A", "Value #B", "Value #C")],
    ), 12, 8)
    L.add(bargauge(
        "Healthy paths per gateway",
        "Attached VIFs per gateway that are available with at least one BGP peer up. Red: none; orange: one (no redundancy).",
        [target(with_gateway_name(healthy_paths("direct_connect_gateway_id")),
                legend="{{direct_connect_gateway_name}} {{direct_connect_gateway_id}}", instant=True)],
        thr=REDUNDANCY), 8, 8)
    L.add(table(
        "Healthy paths per gateway, AWS logical device and location",
        "Healthy paths split by the AWS logical device and location that terminate them. A gateway whose paths all "
        "sit on one device or one location has no device or location redundancy.",
        [target(with_gateway_name(healthy_paths("direct_connect_gateway_id, aws_logical_device_id, location")),
                instant=True, table=True)],
        exclude=("job", "instance"),
        order=("direct_connect_gateway_id", "direct_connect_gateway_name", "aws_logical_device_id", "location", "Value"),
        rename={"direct_connect_gateway_id": "Gateway", "direct_connect_gateway_name": "Name", "aws_logical_device_id": "AWS device",
                "location": "Location", "Value": "Healthy paths"},
        overrides=[column("Value", thr=REDUNDANCY, color_background=True)],
        sort_by=("Gateway", False),
    ), 16, 8)

    variables = [
        query_var("account", "Account", f"label_values({P}virtual_interface_info, aws_account_id)",
                  multi=True, include_all=True, all_value=".*"),
        query_var("region", "Region", f'label_values({P}virtual_interface_info{{aws_account_id=~"$account"}}, aws_region)',
                  multi=True, include_all=True, all_value=".*"),
    ]
    return dashboard(UID_OVERVIEW, "AWS Direct Connect fleet: virtual interfaces, BGP peers, connections, LAGs, "
                     "gateways and redundancy, from directconnect-exporter.", variables, L)


# --------------------------------------------------------------------------- VIF detail

V = 'aws_account_id="$account",aws_region="$region",virtual_interface_id="$vif"'
VI = 'aws_account_id="$account",aws_region="$region",connection_id=~"$connection",virtual_interface_id="$vif"'


def vif():
    L = Layout()
    L.row("Virtual interface $vif")
    L.add(stat("State", "Current state of the virtual interface.",
               f"{m('virtual_interface_state', V)} == 1", legend="{{state}}", text_mode="name",
               color_mode="none", graph=False), 4, 4)
    L.add(stat("BGP peers up", "BGP peers of this VIF whose bgpStatus is up.",
               f"sum({m('bgp_peer_up', V)})", thr=thresholds(("red", None), ("green", 1))), 4, 4)
    L.add(stat("BGP peers not up", "BGP peers of this VIF whose bgpStatus is down or unknown.",
               f"sum({m('bgp_peer_up', V)} == bool 0)", thr=BAD_IF_POSITIVE), 4, 4)
    L.add(stat("MTU", "MTU of the virtual interface (1500, or 8500/9001 with jumbo frames).",
               m("virtual_interface_mtu_bytes", V), unit="suffix: bytes", graph=False, color_mode="none"), 4, 4)
    L.add(stat("Location", "Direct Connect location of the virtual interface.",
               m("virtual_interface_info", VI), legend="{{location}}", text_mode="name", color_mode="none",
               graph=False), 4, 4)
    L.add(stat("AWS logical device", "AWS logical device that terminates the virtual interface.",
               m("virtual_interface_info", VI), legend="{{aws_logical_device_id}}", text_mode="name",
               color_mode="none", graph=False), 4, 4)
    L.add(table(
        "Virtual interface", "Attributes of the virtual interface as reported by DescribeVirtualInterfaces.",
        [target(m("virtual_interface_info", VI), instant=True, table=True)],
        exclude=("job", "instance", "Value", "aws_account_id", "aws_region"),
        order=("virtual_interface_id", "virtual_interface_name", "virtual_interface_type", "connection_id",
               "owner_account", "location", "aws_logical_device_id", "vlan", "asn", "amazon_side_asn",
               "address_family", "direct_connect_gateway_id", "virtual_gateway_id", "jumbo_frame_capable",
               "site_link_enabled"),
        rename={"virtual_interface_id": "VIF", "virtual_interface_name": "Name", "virtual_interface_type": "Type",
                "connection_id": "Connection", "owner_account": "Owner", "location": "Location",
                "aws_logical_device_id": "AWS device", "vlan": "VLAN", "asn": "Customer ASN",
                "amazon_side_asn": "Amazon ASN", "address_family": "Address family",
                "direct_connect_gateway_id": "DX gateway", "virtual_gateway_id": "Virtual gateway",
                "jumbo_frame_capable": "Jumbo frames", "site_link_enabled": "SiteLink"},
    ), 24, 4)

    L.row("BGP peers")
    peers_expr = (
        f"(\n"
        f"    {m('bgp_peer_up', V)}\n"
        f"  * on ({PEER_KEY}) group_left (amazon_address, customer_address, aws_logical_device_id)\n"
        f"    {m('bgp_peer_info', V)}\n"
        f")\n"
        f"* on ({PEER_KEY}) group_left (state)\n"
        f"  ({m('bgp_peer_state', V)} == 1)"
    )
    L.add(table(
        "BGP peers by address family",
        "The VIF's BGP peers (one per address family) with ASN, Amazon and customer addresses, AWS logical device, "
        "peer state and bgpStatus.",
        [target(peers_expr, instant=True, table=True)],
        exclude=("job", "instance", "aws_account_id", "aws_region", "virtual_interface_id"),
        order=("address_family", "bgp_peer_id", "asn", "amazon_address", "customer_address",
               "aws_logical_device_id", "state", "Value"),
        rename={"address_family": "Address family", "bgp_peer_id": "Peer", "asn": "ASN",
                "amazon_address": "Amazon address", "customer_address": "Customer address",
                "aws_logical_device_id": "AWS device", "state": "Peer state", "Value": "BGP status"},
        overrides=[column("Value", mappings=[PEER_UP_MAPPING], color_background=True)],
        sort_by=("Address family", False),
    ), 24, 5)
    L.add(state_timeline(
        "BGP status history", "bgpStatus of each peer of the VIF over time: up, down or unknown.",
        [target(peer_status_code(V), legend="{{address_family}} {{bgp_peer_id}}")],
        mappings=[PEER_STATUS_MAPPING]), 24, 6)
    L.add(timeseries(
        "BGP status changes (flaps)", "bgpStatus changes per peer and rate interval (0 when stable).",
        [target(f"sum by (address_family, bgp_peer_id) (increase({m('bgp_peer_status_changes_total', V)}[$__rate_interval]))",
                legend="{{address_family}} {{bgp_peer_id}}")],
        unit="short", bars=True, min_=0), 12, 7)
    L.add(state_timeline(
        "Virtual interface state history", "State of the virtual interface over time (one row per state it was in).",
        [target(f"{m('virtual_interface_state', V)} == 1", legend="{{state}}")],
        mappings=[{"type": "value", "options": {"1": {"text": "current", "color": "blue", "index": 0}}}]), 12, 7)

    L.row("Gateway attachment")
    attach_expr = (
        f"(\n"
        f'    max by (virtual_interface_id, direct_connect_gateway_id, state) ({P}gateway_attachment_state{{virtual_interface_id="$vif"}} == 1)\n'
        f"  * on (direct_connect_gateway_id) group_left (direct_connect_gateway_name)\n"
        f"    max by (direct_connect_gateway_id, direct_connect_gateway_name) ({P}gateway_info)\n"
        f")\n"
        f"or on (virtual_interface_id)\n"
        f"  max by (virtual_interface_id, direct_connect_gateway_id, virtual_gateway_id) ({m('virtual_interface_info', VI)})"
    )
    L.add(table(
        "Gateway attachment",
        "The Direct Connect gateway this VIF is attached to and the attachment state; for a VIF without a Direct "
        "Connect gateway attachment, the virtual gateway (private VIF) or nothing (public VIF).",
        [target(attach_expr, instant=True, table=True)],
        exclude=("Value",),
        order=("virtual_interface_id", "direct_connect_gateway_id", "direct_connect_gateway_name", "state",
               "virtual_gateway_id"),
        rename={"virtual_interface_id": "VIF", "direct_connect_gateway_id": "DX gateway",
                "direct_connect_gateway_name": "Gateway name", "state": "Attachment state",
                "virtual_gateway_id": "Virtual gateway"},
    ), 24, 4)

    info = f"{P}virtual_interface_info"
    variables = [
        query_var("account", "Account", f"label_values({info}, aws_account_id)"),
        query_var("region", "Region", f'label_values({info}{{aws_account_id="$account"}}, aws_region)'),
        query_var("connection", "Connection",
                  f'label_values({info}{{aws_account_id="$account",aws_region="$region"}}, connection_id)',
                  include_all=True, all_value=".*"),
        query_var("vif", "Virtual interface",
                  f'label_values({info}{{aws_account_id="$account",aws_region="$region",connection_id=~"$connection"}}, virtual_interface_id)'),
    ]
    return dashboard(UID_VIF, "One AWS Direct Connect virtual interface: its BGP peers, status history, flaps, "
                     "device, location, MTU and gateway attachment.", variables, L)


# --------------------------------------------------------------------------- exporter health

E = 'instance=~"$instance",aws_account_id=~"$account",aws_region=~"$region"'
EC = E + ',collector=~"$collector"'
TARGET_LEGEND = "{{aws_account_id}} {{aws_region}} {{collector}}"


def exporter():
    L = Layout()
    L.row("Summary")
    L.add(stat("Collectors succeeding", "Collectors whose last cycle succeeded.",
               f"sum({m('collector_success', EC)})"), 4, 4)
    L.add(stat("Collectors failing", "Collectors whose last cycle failed; they serve their last good data until max_staleness.",
               f"sum({m('collector_success', EC)} == bool 0)", thr=BAD_IF_POSITIVE), 4, 4)
    L.add(stat("Oldest successful collection", "Age of the oldest last-successful collection across the selected collectors.",
               f"max(time() - {m('collector_last_success_timestamp_seconds', EC)})", unit="s",
               thr=thresholds(("green", None), ("orange", 180), ("red", 600))), 4, 4)
    L.add(stat("API requests", "AWS API requests per second, all operations and results.",
               f"sum({rate('api_requests_total', E)})", unit="reqps"), 4, 4)
    L.add(stat("Throttled", "Share of AWS API requests answered with ThrottlingException.",
               f"(sum({rate('api_requests_total', E, THROTTLED)}) or sum({rate('api_requests_total', E)}) * 0)\n"
               f"/\n(sum({rate('api_requests_total', E)}) > 0)",
               unit="percentunit", thr=thresholds(("green", None), ("orange", 0.01), ("red", 0.1))), 4, 4)
    L.add(stat("API errors", "AWS API requests per second that failed other than by throttling (client, server, timeout, transport).",
               f"sum({rate('api_requests_total', E, ERRORS)})\nor\nsum({rate('api_requests_total', E)}) * 0",
               unit="reqps", thr=thresholds(("green", None), ("red", 0.001))), 4, 4)

    L.row("Collectors")
    L.add(state_timeline(
        "Collector success", "Outcome of the last cycle of each collector (target account × region × kind) over time.",
        [target(m("collector_success", EC), legend=TARGET_LEGEND)], mappings=[SUCCESS_MAPPING]), 24, 9)
    L.add(timeseries(
        "Collector duration", "Wall time of each collector's last cycle (all Describe calls and their pages and retries).",
        [target(m("collector_duration_seconds", EC), legend=TARGET_LEGEND)], unit="s", min_=0), 12, 8)
    L.add(timeseries(
        "Time since last successful collection",
        "Age of each collector's data. It grows by one collection interval per cycle and drops back on success; "
        "steady growth means the collector keeps failing.",
        [target(f"time() - {m('collector_last_success_timestamp_seconds', EC)}", legend=TARGET_LEGEND)],
        unit="s", min_=0), 12, 8)
    L.add(table(
        "Collectors", "Last cycle of every collector: outcome, duration and age of the last success.",
        [target(m("collector_success", EC), "A", instant=True, table=True),
         target(m("collector_duration_seconds", EC), "B", instant=True, table=True),
         target(f"time() - {m('collector_last_success_timestamp_seconds', EC)}", "C", instant=True, table=True)],
        merge=True, exclude=("job",),
        order=("instance", "aws_account_id", "aws_region", "collector", "Value #A", "Value #B", "Value #C"),
        rename={"instance": "Instance", "aws_account_id": "Account", "aws_region": "Region", "collector": "Collector",
                "Value #A": "Last cycle", "Value #B": "Duration", "Value #C": "Last success age"},
        overrides=[column("Value #A", mappings=[SUCCESS_MAPPING], color_background=True),
                   column("Value #B", unit="s"), column("Value #C", unit="s")],
    ), 24, 8)

    L.row("AWS API requests")
    L.add(timeseries(
        "API requests by operation and result", "AWS API request rate by operation and result; throttled requests in orange, errors in red.",
        [target(f"sum by (operation, result) ({rate('api_requests_total', E)})", legend="{{operation}} {{result}}")],
        unit="reqps", min_=0,
        overrides=[{"matcher": {"id": "byRegexp", "options": ".* throttled"},
                    "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "orange"}}]},
                   {"matcher": {"id": "byRegexp", "options": ".* (client_error|server_error|timeout|transport_error)"},
                    "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]}]), 12, 8)
    throttled_by_op = (
        f"sum by (aws_account_id, aws_region, operation) ({rate('api_requests_total', E, THROTTLED)})\n"
        f"or\n"
        f"sum by (aws_account_id, aws_region, operation) ({rate('api_requests_total', E)}) * 0"
    )
    L.add(timeseries(
        "Throttled requests by operation", "ThrottlingException answers per second by target and operation (0 when none).",
        [target(throttled_by_op, legend="{{aws_account_id}} {{aws_region}} {{operation}}")],
        unit="reqps", min_=0), 12, 8)
    failed = (
        f"sum by (operation, result) ({rate('api_requests_total', E, NOT_SUCCESS)})\n"
        f"or on (operation)\n"
        f"sum by (operation) ({rate('api_requests_total', E)}) * 0"
    )
    L.add(timeseries(
        "Failed requests by operation and result", "Requests per second that did not succeed, by operation and result (0 when none).",
        [target(failed, legend="{{operation}} {{result}}")], unit="reqps", min_=0), 12, 8)
    L.add(bargauge(
        "API requests by target", "AWS API request rate per target account and region.",
        [target(f"sum by (aws_account_id, aws_region) ({rate('api_requests_total', E)})",
                legend="{{aws_account_id}} {{aws_region}}", instant=True)], unit="reqps"), 12, 8)

    L.row("Build")
    L.add(table(
        "Build info", "Version and revision of each exporter instance.",
        [target(f'{P}exporter_build_info{{instance=~"$instance"}}', instant=True, table=True)],
        exclude=("Value", "__name__"),
        order=("instance", "job", "version", "revision"),
        rename={"instance": "Instance", "job": "Job", "version": "Version", "revision": "Revision"},
    ), 24, 4)

    variables = [
        query_var("instance", "Instance", f"label_values({P}exporter_build_info, instance)", multi=True, include_all=True),
        query_var("account", "Account", f'label_values({P}collector_success{{instance=~"$instance"}}, aws_account_id)',
                  multi=True, include_all=True, all_value=".*"),
        query_var("region", "Region",
                  f'label_values({P}collector_success{{instance=~"$instance",aws_account_id=~"$account"}}, aws_region)',
                  multi=True, include_all=True, all_value=".*"),
        query_var("collector", "Collector", f'label_values({P}collector_success{{instance=~"$instance"}}, collector)',
                  multi=True, include_all=True, all_value=".*"),
    ]
    return dashboard(UID_EXPORTER, "Health of directconnect-exporter: collectors per target, AWS API requests "
                     "(throttling visible), build info.", variables, L)


# --------------------------------------------------------------------------- main

DASHBOARDS = {
    "directconnect-overview.json": overview,
    "directconnect-vif.json": vif,
    "directconnect-exporter.json": exporter,
}


def render(build):
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a JSON file differs from what this script generates")
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: this directory)")
    args = ap.parse_args(argv)
    stale = []
    for name, build in DASHBOARDS.items():
        path = args.out / name
        text = render(build)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date (run python3 dashboards/generate.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
