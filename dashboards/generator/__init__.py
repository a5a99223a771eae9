"""The dashboards generator behind dashboards/generate.py: shared pieces and one module per dashboard.

identity   the dashboards' uids, titles, files, and the links between them
promql     label matchers, metric names, healthy-path expressions, the query object
fields     value mappings, thresholds, colours, the defaults every panel starts from
panels     one builder per panel kind (stat, bar gauge, time series, state timeline, table)
layout     variables, sections (a row and its panels) and build_dashboard
capacity   AWS limits, capacity-alert thresholds, route-limit and per-port PromQL
overview, vif, physical, exporter: one dashboard each, a function per section
"""
