#!/usr/bin/env python3
"""Checks of deploy/ that no off-the-shelf tool makes; run by tests/deploy/check.sh.

    checks.py split RENDERED OUTDIR           one file per object, "<Kind>__<name>.yaml"
    checks.py sidecar-pod RENDERED OUT        the Prometheus sidecar container as a Pod, for
                                              kubernetes-validate (core/v1 Container schema)
    checks.py overlay NAME RENDERED           invariants of a rendered overlay (below)
    checks.py same-container RENDERED...      the exporter container is the same in every overlay
    checks.py iam DIR                         IAM policies: valid, read-only, no wildcards
    checks.py dockerfile DOCKERFILE DOCKERIGNORE

Each prints what it found wrong, one line each, and exits 1 if anything was. Needs
PyYAML (installed with kubernetes-validate).
"""

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXPORTER = "directconnect-exporter"
CONFIG_ARG = "--config.file=/etc/directconnect-exporter/config.yml"
CONFIG_DIR = "/etc/directconnect-exporter"
PORT = 9840

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)


def load_all(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d.get("kind") == kind]


def cmd_split(rendered: str, outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for d in load_all(rendered):
        path = out / f"{d['kind']}__{d['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
        print(d["kind"], path)


def exporter_container(pod_spec: dict, where: str) -> dict | None:
    found = [c for c in pod_spec.get("containers") or [] if c.get("name") == EXPORTER]
    if len(found) != 1:
        fail(f"{where}: expected one container named {EXPORTER}, found {len(found)}")
        return None
    return found[0]


def cmd_sidecar_pod(rendered: str, out: str) -> None:
    prom = by_kind(load_all(rendered), "Prometheus")
    if len(prom) != 1:
        fail(f"expected one Prometheus object, found {len(prom)}")
        return
    spec = prom[0]["spec"]
    c = exporter_container(spec, "Prometheus.spec")
    if c is None:
        return
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "prometheus-sidecar-check"},
        "spec": {"containers": [c], "volumes": spec.get("volumes") or []},
    }
    Path(out).write_text(yaml.safe_dump(pod, sort_keys=False), encoding="utf-8")


def selector_matches(selector: dict, labels: dict) -> bool:
    if selector.get("matchExpressions"):
        fail("matchExpressions in a selector: not evaluated by this check")
        return False
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def alert_job_regexes() -> list[str]:
    """The job matchers the alert rules use (job=~"..." / job="...")."""
    rules = yaml.safe_load((ROOT / "alerts" / "directconnect.rules.yml").read_text(encoding="utf-8"))
    text = "\n".join(str(r.get("expr", "")) for g in rules.get("groups") or [] for r in g.get("rules") or [])
    found = set(re.findall(r'job=~"((?:[^"\\]|\\.)*)"', text))
    found |= {re.escape(v) for v in re.findall(r'job="((?:[^"\\]|\\.)*)"', text)}
    return sorted(found)


def check_container(c: dict, where: str, configmaps: set[str], volumes: list[dict]) -> None:
    sc = c.get("securityContext") or {}
    for key, want in [
        ("runAsNonRoot", True),
        ("readOnlyRootFilesystem", True),
        ("allowPrivilegeEscalation", False),
    ]:
        if sc.get(key) is not want:
            fail(f"{where}: securityContext.{key} must be {want}")
    if not isinstance(sc.get("runAsUser"), int) or sc["runAsUser"] == 0:
        fail(f"{where}: securityContext.runAsUser must be a non-zero uid")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
        fail(f"{where}: capabilities.drop must contain ALL")
    if (sc.get("capabilities") or {}).get("add"):
        fail(f"{where}: capabilities.add must be empty")
    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        for r in ("cpu", "memory"):
            if r not in (res.get(part) or {}):
                fail(f"{where}: resources.{part}.{r} missing")
    for probe, path in (("readinessProbe", "/-/ready"), ("livenessProbe", "/-/healthy")):
        got = ((c.get(probe) or {}).get("httpGet") or {}).get("path")
        if got != path:
            fail(f"{where}: {probe}.httpGet.path is {got!r}, want {path!r}")
    if CONFIG_ARG not in (c.get("args") or []):
        fail(f"{where}: args lack {CONFIG_ARG}")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    if ports.get("http-metrics") != PORT:
        fail(f"{where}: port http-metrics must be {PORT}, have {ports}")
    for probe in ("readinessProbe", "livenessProbe"):
        port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
        if port not in ("http-metrics", PORT):
            fail(f"{where}: {probe} port {port!r} is not the metrics port")
    mounts = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == CONFIG_DIR]
    if len(mounts) != 1 or mounts[0].get("readOnly") is not True:
        fail(f"{where}: needs one read-only volumeMount at {CONFIG_DIR}")
    else:
        vol = [v for v in volumes if v.get("name") == mounts[0]["name"]]
        cm = (vol[0].get("configMap") or {}).get("name") if vol else None
        if cm not in configmaps:
            fail(f"{where}: config volume {mounts[0]['name']!r} names ConfigMap {cm!r}, rendered: {sorted(configmaps)}")
    image = c.get("image", "")
    if "/" not in image or ":" not in image.rsplit("/", 1)[-1]:
        fail(f"{where}: image {image!r} is not a registry/name:tag reference (images: transformer missing?)")


def check_monitor_job(endpoints: list[dict], where: str) -> None:
    regexes = alert_job_regexes()
    if not regexes:
        fail("alerts/directconnect.rules.yml: no job matcher found to compare with")
    for ep in endpoints:
        jobs = [
            r.get("replacement")
            for r in ep.get("relabelings") or []
            if r.get("targetLabel") == "job" and r.get("action", "replace").lower() == "replace"
        ]
        if not jobs:
            fail(f"{where}: no relabeling sets `job` (the alert rules select it)")
            continue
        for rx in regexes:
            if not re.fullmatch(rx, jobs[-1]):
                fail(f"{where}: job {jobs[-1]!r} does not match the alert rules' job=~{rx!r}")


def cmd_overlay(name: str, rendered: str) -> None:
    docs = load_all(rendered)
    kinds = sorted({d["kind"] for d in docs})
    namespaces = {d["metadata"].get("namespace") for d in docs}
    if len(namespaces) != 1 or None in namespaces:
        fail(f"{name}: every object needs the same namespace, have {namespaces}")
    configmaps = {d["metadata"]["name"] for d in by_kind(docs, "ConfigMap")}
    for cm in by_kind(docs, "ConfigMap"):
        if "config.yml" not in (cm.get("data") or {}):
            fail(f"{name}: ConfigMap {cm['metadata']['name']} has no config.yml")
        else:
            cfg = yaml.safe_load(cm["data"]["config.yml"])
            if not isinstance(cfg, dict) or not cfg.get("targets"):
                fail(f"{name}: config.yml has no targets")
    if len(by_kind(docs, "PrometheusRule")) != 1:
        fail(f"{name}: expected one PrometheusRule, kinds: {kinds}")
    sas = {d["metadata"]["name"] for d in by_kind(docs, "ServiceAccount")}

    workloads = by_kind(docs, "Deployment") + by_kind(docs, "DaemonSet")
    want = {
        "deployment": {"Deployment": 1, "Service": 1, "ServiceMonitor": 1, "ServiceAccount": 1},
        "daemonset": {"DaemonSet": 1, "PodMonitor": 1, "ServiceAccount": 1},
        "prometheus-sidecar": {"Prometheus": 1, "PodMonitor": 1, "ServiceAccount": 0, "Deployment": 0},
    }.get(name)
    if want is None:
        fail(f"unknown overlay {name}")
        return
    for kind, count in want.items():
        if len(by_kind(docs, kind)) != count:
            fail(f"{name}: expected {count} {kind}, have {len(by_kind(docs, kind))}")

    pod_labels = {}
    for w in workloads:
        where = f"{name}: {w['kind']}/{w['metadata']['name']}"
        tpl = w["spec"]["template"]
        spec = tpl["spec"]
        pod_labels = tpl["metadata"].get("labels") or {}
        if not selector_matches(w["spec"]["selector"], pod_labels):
            fail(f"{where}: selector does not match the pod template labels")
        if spec.get("serviceAccountName") not in sas:
            fail(f"{where}: serviceAccountName {spec.get('serviceAccountName')!r} not among {sorted(sas)}")
        if spec.get("automountServiceAccountToken") is not False:
            fail(f"{where}: automountServiceAccountToken must be false (the exporter never calls the API)")
        psc = spec.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            fail(f"{where}: pod securityContext.runAsNonRoot must be true")
        c = exporter_container(spec, where)
        if c:
            check_container(c, where, configmaps, spec.get("volumes") or [])
        if w["kind"] == "DaemonSet":
            ns = spec.get("nodeSelector") or {}
            if ns.get("directconnect-exporter/enabled") != "true":
                fail(f"{where}: nodeSelector directconnect-exporter/enabled=\"true\" is the opt-in default")
        if w["kind"] == "Deployment" and w["spec"].get("replicas") != 1:
            fail(f"{where}: replicas must default to 1 (each replica repeats every AWS call)")

    for svc in by_kind(docs, "Service"):
        where = f"{name}: Service/{svc['metadata']['name']}"
        if not selector_matches({"matchLabels": svc["spec"].get("selector") or {}}, pod_labels):
            fail(f"{where}: selector does not match the pod labels")
        for sm in by_kind(docs, "ServiceMonitor"):
            if not selector_matches(sm["spec"]["selector"], svc["metadata"].get("labels") or {}):
                fail(f"{name}: ServiceMonitor selector does not match Service labels")
            ports = {p.get("name") for p in svc["spec"]["ports"]}
            for ep in sm["spec"]["endpoints"]:
                if ep.get("port") not in ports:
                    fail(f"{name}: ServiceMonitor port {ep.get('port')!r} not in Service ports {ports}")
            check_monitor_job(sm["spec"]["endpoints"], f"{name}: ServiceMonitor")

    for prom in by_kind(docs, "Prometheus"):
        where = f"{name}: Prometheus/{prom['metadata']['name']}"
        spec = prom["spec"]
        c = exporter_container(spec, where)
        if c:
            check_container(c, where, configmaps, spec.get("volumes") or [])
        # Labels the operator puts on the pods of this Prometheus.
        pod_labels = {
            "app.kubernetes.io/name": "prometheus",
            "app.kubernetes.io/instance": prom["metadata"]["name"],
            "operator.prometheus.io/name": prom["metadata"]["name"],
            "prometheus": prom["metadata"]["name"],
        }

    for pm in by_kind(docs, "PodMonitor"):
        if not selector_matches(pm["spec"]["selector"], pod_labels):
            fail(f"{name}: PodMonitor selector {pm['spec']['selector']} does not match the pods {pod_labels}")
        for ep in pm["spec"]["podMetricsEndpoints"]:
            if ep.get("port") != "http-metrics":
                fail(f"{name}: PodMonitor port {ep.get('port')!r} is not the container's http-metrics")
        check_monitor_job(pm["spec"]["podMetricsEndpoints"], f"{name}: PodMonitor")


def cmd_same_container(*rendered: str) -> None:
    """The container spec is written out once per overlay; they must not drift apart."""
    seen = []
    for path in rendered:
        for d in load_all(path):
            spec = d.get("spec") or {}
            if d.get("kind") in ("Deployment", "DaemonSet"):
                spec = spec["template"]["spec"]
            elif d.get("kind") != "Prometheus":
                continue
            c = exporter_container(spec, f"{path}: {d['kind']}")
            if c:
                c = json.loads(json.dumps(c))
                for m in c.get("volumeMounts") or []:
                    m["name"] = "<config>"  # volume names differ (the sidecar's is prefixed)
                seen.append((f"{Path(path).name}: {d['kind']}", c))
    if len(seen) < 2:
        fail(f"found {len(seen)} exporter containers to compare")
    for where, c in seen[1:]:
        if c != seen[0][1]:
            diff = sorted(k for k in set(c) | set(seen[0][1]) if c.get(k) != seen[0][1].get(k))
            fail(f"{where}: exporter container differs from {seen[0][0]} in {diff}")


READ_ACTION = re.compile(r"^directconnect:(Describe|Get|List)[A-Za-z]+$")
# Read actions of other services, each needed by one collector (cloudwatch: GetMetricData;
# maintenance: the AWS Health calls).
OTHER_READ_ACTIONS = {"cloudwatch:GetMetricData", "health:DescribeEvents", "health:DescribeAffectedEntities"}

# The read policy has one statement per collector, so that a user can drop what they do not
# run: its Sid is the collector's name in CamelCase (virtual_interfaces -> VirtualInterfaces),
# its actions are exactly the calls that collector makes. Plus AccountDiscovery
# (sts:GetCallerIdentity: the account id of the default-credentials target).
READ_POLICY = {
    "VirtualInterfaces": {"directconnect:DescribeVirtualInterfaces"},
    "Connections": {"directconnect:DescribeConnections"},
    "Lags": {"directconnect:DescribeLags"},
    "Gateways": {
        "directconnect:DescribeDirectConnectGateways",
        "directconnect:DescribeDirectConnectGatewayAttachments",
        "directconnect:DescribeDirectConnectGatewayAssociations",
    },
    "Routes": {"directconnect:ListVirtualInterfaceRoutes"},
    "FailoverTests": {"directconnect:ListVirtualInterfaceTestHistory"},
    "Maintenance": {"health:DescribeEvents", "health:DescribeAffectedEntities"},
    "Cloudwatch": {"cloudwatch:GetMetricData"},
    "AccountDiscovery": {"sts:GetCallerIdentity"},
}
NOT_A_COLLECTOR = {"AccountDiscovery"}


def collector_sids() -> set[str]:
    """The exporter's collectors (CollectorKind::name in src/model.rs) as statement Sids."""
    model = (ROOT / "src" / "model.rs").read_text(encoding="utf-8")
    names = re.findall(r'CollectorKind::\w+\s*=>\s*"([a-z_]+)"', model)
    if not names:
        fail("src/model.rs: no `CollectorKind::X => \"name\"` arms found (CollectorKind::name moved?)")
    return {"".join(part.capitalize() for part in n.split("_")) for n in names}


def cmd_iam(directory: str) -> None:
    d = Path(directory)
    policies = sorted(d.glob("*.json"))
    if not policies:
        fail(f"{directory}: no policy JSON")
    for p in policies:
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            fail(f"{p.name}: invalid JSON: {err}")
            continue
        if doc.get("Version") != "2012-10-17":
            fail(f"{p.name}: Version must be 2012-10-17")
        stmts = doc.get("Statement")
        if not isinstance(stmts, list) or not stmts:
            fail(f"{p.name}: Statement must be a non-empty list")
            continue
        trust = any("Principal" in s for s in stmts)
        for i, s in enumerate(stmts):
            where = f"{p.name}: Statement[{i}]"
            if s.get("Effect") != "Allow":
                fail(f"{where}: only Allow statements expected")
            if "NotAction" in s or "NotResource" in s:
                fail(f"{where}: NotAction/NotResource grant too much")
            actions = s.get("Action")
            actions = [actions] if isinstance(actions, str) else actions
            if not actions:
                fail(f"{where}: no Action")
                continue
            for a in actions:
                if "*" in a or "?" in a:
                    fail(f"{where}: wildcard action {a!r}")
            if trust:
                if not s.get("Principal"):
                    fail(f"{where}: trust policy statement without Principal")
                if any(a not in ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession") for a in actions):
                    fail(f"{where}: trust policy allows {actions}")
                principal = json.dumps(s.get("Principal"))
                if '"*"' in principal:
                    fail(f"{where}: trust policy trusts everyone")
                cond = s.get("Condition") or {}
                if "sts:AssumeRole" in actions and "AWS" in (s.get("Principal") or {}):
                    if "sts:ExternalId" not in json.dumps(cond):
                        fail(f"{where}: cross-account trust needs an sts:ExternalId condition")
                if not cond:
                    fail(f"{where}: trust policy without Condition")
                continue
            for a in actions:
                if a == "sts:AssumeRole":
                    res = s.get("Resource")
                    res = [res] if isinstance(res, str) else res or []
                    if not res or any("*" in r or not r.startswith("arn:aws") for r in res):
                        fail(f"{where}: sts:AssumeRole must name role ARNs, not {res}")
                elif a != "sts:GetCallerIdentity" and a not in OTHER_READ_ACTIONS and not READ_ACTION.match(a):
                    fail(f"{where}: {a!r} is not a read action a collector makes or sts:GetCallerIdentity")
    read = d / "iam-policy-directconnect-read.json"
    if read.exists():
        stmts = {}
        for i, s in enumerate(json.loads(read.read_text())["Statement"]):
            sid = s.get("Sid")
            if not sid:
                fail(f"{read.name}: Statement[{i}] has no Sid (one statement per collector, named after it)")
                continue
            if sid in stmts:
                fail(f"{read.name}: Sid {sid} appears twice")
            a = s["Action"]
            stmts[sid] = {a} if isinstance(a, str) else set(a)
        if set(stmts) != set(READ_POLICY):
            fail(f"{read.name}: statements differ from one per collector: missing "
                 f"{sorted(set(READ_POLICY) - set(stmts))}, extra {sorted(set(stmts) - set(READ_POLICY))}")
        for sid, want in READ_POLICY.items():
            got = stmts.get(sid)
            if got is not None and got != want:
                fail(f"{read.name}: statement {sid}: actions differ from what the collector calls: "
                     f"missing {sorted(want - got)}, extra {sorted(got - want)}")
        collectors = collector_sids()
        if collectors != set(READ_POLICY) - NOT_A_COLLECTOR:
            fail(f"{read.name}: the exporter's collectors (src/model.rs) and the policy's statements differ: "
                 f"no statement for {sorted(collectors - set(READ_POLICY))}, "
                 f"statement for no collector {sorted(set(READ_POLICY) - NOT_A_COLLECTOR - collectors)}")
    else:
        fail(f"{read}: missing")


def cmd_dockerfile(dockerfile: str, dockerignore: str) -> None:
    lines, buf = [], ""
    for raw in Path(dockerfile).read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#") and not buf:
            continue
        buf += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            if buf.strip():
                lines.append(buf.strip())
            buf = ""
    froms = [l for l in lines if l.upper().startswith("FROM ")]
    if len(froms) < 2:
        fail("Dockerfile: expected a multi-stage build (builder + runtime)")
        return
    if "rust:" not in froms[0] or " AS " not in froms[0].upper():
        fail(f"Dockerfile: first stage should be a named rust builder: {froms[0]}")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", "\n".join(lines), re.M))
    if args.get("RUST_VERSION") != "1.95":
        fail(f"Dockerfile: RUST_VERSION should be 1.95 (Cargo.toml rust-version), is {args.get('RUST_VERSION')}")
    runtime = froms[-1].split()[1]
    if not (runtime.startswith("gcr.io/distroless/") and runtime.endswith(":nonroot")) and runtime != "scratch":
        fail(f"Dockerfile: runtime {runtime} should be a distroless :nonroot image (or scratch for musl)")
    if "cc-debian12" in runtime and "bookworm" not in froms[0]:
        fail("Dockerfile: a glibc binary for cc-debian12 must be built on bookworm (glibc 2.36)")
    last = lines[lines.index(froms[-1]):]
    users = [l.split()[1] for l in last if l.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("0", "root") or not users[-1].split(":")[0].isdigit():
        fail(f"Dockerfile: final USER must be a numeric non-root uid, have {users}")
    copies = [l for l in last if l.upper().startswith("COPY ")]
    if len(copies) != 1 or "--from=builder" not in copies[0] or not copies[0].endswith(f"/usr/local/bin/{EXPORTER}"):
        fail(f"Dockerfile: the runtime stage should copy only the binary: {copies}")
    if not any(l.upper().startswith("RUN ") and "--locked" in l and "--release" in l for l in lines):
        fail("Dockerfile: build with cargo build --release --locked")
    if not any(l.startswith("ENTRYPOINT [") and EXPORTER in l for l in last):
        fail("Dockerfile: ENTRYPOINT must be the exporter, exec form")
    if not any(l.upper() == f"EXPOSE {PORT}" for l in last):
        fail(f"Dockerfile: EXPOSE {PORT} missing")
    ignore = [l.strip() for l in Path(dockerignore).read_text().splitlines() if l.strip() and not l.startswith("#")]
    if ignore[:1] != ["*"]:
        fail(".dockerignore: expected an allow-list starting with `*`")
    for need in ("!Cargo.toml", "!Cargo.lock", "!src", "!.cargo"):
        if need not in ignore:
            fail(f".dockerignore: {need} missing, the build needs it")
    for l in lines:
        m = re.match(r"^COPY (?!--from)(.+) \S+$", l)
        if m:
            for src in m.group(1).split():
                if not (ROOT / src).exists():
                    fail(f"Dockerfile: COPY source {src} does not exist")


def main() -> int:
    cmd, *args = sys.argv[1:] or ["help"]
    handlers = {
        "split": (cmd_split, 2),
        "sidecar-pod": (cmd_sidecar_pod, 2),
        "overlay": (cmd_overlay, 2),
        "same-container": (cmd_same_container, None),
        "iam": (cmd_iam, 1),
        "dockerfile": (cmd_dockerfile, 2),
    }
    if cmd not in handlers or handlers[cmd][1] not in (None, len(args)):
        print(__doc__, file=sys.stderr)
        return 2
    handlers[cmd][0](*args)
    for e in errors:
        print(f"  {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
