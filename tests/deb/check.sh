#!/usr/bin/env bash
# The Debian package, for real: builds it from the dev build the test suite already made
# (scripts/deb --profile dev, i.e. `cargo deb --no-build`: no release build), checks its
# contents, man page and bash completion, installs it with dpkg -i (no systemd needs to
# run: CI has none), verifies the installed unit with systemd-analyze, runs the installed
# binary the way the unit does (its environment file and config, an unprivileged user)
# with --demo on a loopback port and scrapes /metrics, then purges the package and checks
# that nothing is left.
#
#   bash tests/deb/check.sh
#
# Needs root or sudo, dpkg, cargo-deb (scripts/test installs it), systemd-analyze, curl,
# setpriv. Refuses to touch a machine where directconnect-exporter is already installed
# (it would replace, then purge, that installation). A missing prerequisite is a skip,
# or a failure with DX_TEST_NO_SKIP=1 (CI). Ends with "N passed, N failed[, N skipped]".
set -u -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PKG=directconnect-exporter
UNIT=/usr/lib/systemd/system/$PKG.service
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dx-deb.XXXXXX")
EXPORTER_PID=
INSTALLED_HERE=
passed=0 failed=0 skipped=0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)

cleanup() {
  if [ -n "$EXPORTER_PID" ]; then
    "${as_root[@]}" kill -TERM "$EXPORTER_PID" 2>/dev/null
    wait "$EXPORTER_PID" 2>/dev/null
  fi
  if [ -n "$INSTALLED_HERE" ] && dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
    "${as_root[@]}" dpkg --purge "$PKG" >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check NAME COMMAND...: runs the command, counts it, shows its output on failure
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
    printf '%s\n' "$out" | sed 's/^/      /'
  fi
}

summary() {
  if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
  [ "$failed" -eq 0 ]
  exit
}

skip_all() { # a prerequisite is missing: nothing else can run
  if [ "${DX_TEST_NO_SKIP:-0}" = 1 ]; then
    failed=$((failed + 1)); echo "FAIL  $1"
  else
    skipped=$((skipped + 1)); echo "skip  $1"
  fi
  summary
}

# ---------------------------------------------------------------- prerequisites
command -v dpkg >/dev/null 2>&1 || skip_all "Debian package: dpkg not found (not a Debian or Ubuntu machine)"
[ ${#as_root[@]} -eq 0 ] || command -v sudo >/dev/null 2>&1 || skip_all "Debian package: needs root or sudo for dpkg -i"
cargo deb --version >/dev/null 2>&1 || skip_all "Debian package: cargo-deb not installed (cargo install cargo-deb --version 3.8.0 --locked)"
for tool in systemd-analyze curl setpriv; do
  command -v "$tool" >/dev/null 2>&1 || skip_all "Debian package: $tool not found"
done
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
  skip_all "Debian package: $PKG is already installed on this machine; not replacing it (dpkg --purge $PKG first)"
fi

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

# ---------------------------------------------------------------- build and inspect
if ! scripts/deb --profile dev --output "$WORK/" >"$WORK/build.log" 2>&1; then
  failed=$((failed + 1)); echo "FAIL  build the package (scripts/deb --profile dev)"
  sed 's/^/      /' "$WORK/build.log"
  summary
fi
DEB=$(ls "$WORK"/*.deb)
echo "--    $(basename "$DEB") ($(du -h "$DEB" | cut -f1)) from the dev build"
dpkg-deb -x "$DEB" "$WORK/root"

contents() { # every file the package ships, with its mode
  local want got
  want=$(printf '%s\n' \
    "-rw-r----- ./etc/default/$PKG" \
    "-rw-r--r-- ./etc/$PKG/config.yml" \
    "-rwxr-xr-x ./usr/bin/$PKG" \
    "-rw-r--r-- ./usr/lib/systemd/system/$PKG.service" \
    "-rw-r--r-- ./usr/share/bash-completion/completions/$PKG" \
    "-rw-r--r-- ./usr/share/doc/$PKG/README.md" \
    "-rw-r--r-- ./usr/share/doc/$PKG/copyright" \
    "-rw-r--r-- ./usr/share/fish/vendor_completions.d/$PKG.fish" \
    "-rw-r--r-- ./usr/share/man/man1/$PKG.1.gz" \
    "-rw-r--r-- ./usr/share/zsh/vendor-completions/_$PKG" | sort)
  got=$(dpkg-deb --contents "$DEB" | awk '$1 !~ /^d/ {print $1, $6}' | sort)
  diff <(echo "$want") <(echo "$got")
}
check "package ships the binary, unit, config, env file, man page and completions" contents
check "conffiles: the config and the environment file" \
  diff <(printf '/etc/%s/config.yml\n/etc/default/%s\n' "$PKG" "$PKG") <(dpkg-deb --info "$DEB" conffiles)
check "the unit is the one in deploy/systemd" cmp deploy/systemd/$PKG.service "$WORK/root$UNIT"

man_page() { # a gzipped section-1 page that man renders with every flag of --help
  zcat "$WORK/root/usr/share/man/man1/$PKG.1.gz" | grep -q "^\.TH $PKG 1 " || { echo "no .TH line"; return 1; }
  command -v man >/dev/null 2>&1 || return 0
  local text flag
  text=$(MANWIDTH=100 man -l "$WORK/root/usr/share/man/man1/$PKG.1.gz" 2>&1) || { echo "$text"; return 1; }
  for flag in $("$WORK/root/usr/bin/$PKG" --help | grep -o -- '--[a-z][a-z.-]*' | sort -u); do
    grep -q -- "$flag" <<<"$text" || { echo "rendered man page lacks $flag"; return 1; }
  done
}
check "man page: gzipped roff, renders, documents every flag of --help" man_page

bash_completion() { # completes a flag and a flag's values, as bash-completion would
  bash -c '
    source "$1" || exit 1
    fn=$(complete -p directconnect-exporter | grep -o -- "-F [^ ]*" | cut -d" " -f2)
    [ -n "$fn" ] || { echo "no completion function registered"; exit 1; }
    COMP_WORDS=(directconnect-exporter --web.l); COMP_CWORD=1
    "$fn" directconnect-exporter --web.l directconnect-exporter
    [ "${COMPREPLY[*]}" = "--web.listen-address" ] || { echo "--web.l completed to: ${COMPREPLY[*]}"; exit 1; }
    COMP_WORDS=(directconnect-exporter --log.format ""); COMP_CWORD=2
    "$fn" directconnect-exporter "" --log.format
    [ "${COMPREPLY[*]}" = "logfmt json" ] || { echo "--log.format values: ${COMPREPLY[*]}"; exit 1; }
  ' _ "$WORK/root/usr/share/bash-completion/completions/$PKG"
}
check "bash completion completes flags and their values" bash_completion
if command -v zsh >/dev/null 2>&1; then
  check "zsh completion parses" zsh -n "$WORK/root/usr/share/zsh/vendor-completions/_$PKG"
fi
if command -v fish >/dev/null 2>&1; then
  check "fish completion parses" fish --no-execute "$WORK/root/usr/share/fish/vendor_completions.d/$PKG.fish"
fi

# ---------------------------------------------------------------- install
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$WORK/dpkg.log" 2>&1; then
  INSTALLED_HERE=1
  failed=$((failed + 1)); echo "FAIL  dpkg -i $(basename "$DEB")"
  sed 's/^/      /' "$WORK/dpkg.log"
  summary
fi
INSTALLED_HERE=1
check "dpkg -i: installed and configured" \
  test "$(dpkg-query -W -f='${Status} ${Version}' "$PKG")" = "install ok installed $VERSION-1"

unit_verify() { # verify warns on stderr without failing: any output is a failure
  local out
  out=$(systemd-analyze verify "$UNIT" 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}
check "systemd-analyze verify $UNIT (finds /usr/bin/$PKG)" unit_verify
check "the service is installed but not enabled (configure it first)" \
  test ! -e "/etc/systemd/system/multi-user.target.wants/$PKG.service"
check "/usr/bin/$PKG --version is $VERSION" test "$("/usr/bin/$PKG" --version)" = "$PKG $VERSION"

# As the unit runs it: KEY=value lines of its EnvironmentFile, no other environment, and a
# user that is not root (the unit's DynamicUser), so the config must be world-readable.
service_env=()
while IFS= read -r line; do
  [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && service_env+=("$line")
done < <("${as_root[@]}" cat "/etc/default/$PKG")
as_service() {
  "${as_root[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
    env -i PATH=/usr/bin:/bin "${service_env[@]}" "$@"
}
check "the packaged config passes --check-config as an unprivileged user" \
  as_service "/usr/bin/$PKG" --check-config

# exec: $! must be the exporter itself (or sudo, which forwards signals), not a subshell.
(exec "${as_root[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
  env -i PATH=/usr/bin:/bin "${service_env[@]}" "/usr/bin/$PKG" --demo --web.listen-address 127.0.0.1:0) \
  >"$WORK/exporter.log" 2>&1 &
EXPORTER_PID=$!
ADDR=
for _ in $(seq 1 100); do # 20 s
  ADDR=$(sed -n 's/.*msg=listening address=\(127\.0\.0\.1:[0-9]*\).*/\1/p' "$WORK/exporter.log" | head -n 1)
  [ -z "$ADDR" ] || break
  kill -0 "$EXPORTER_PID" 2>/dev/null || break
  sleep 0.2
done
ready() {
  local _
  [ -n "$ADDR" ] || { echo "no listening address logged"; cat "$WORK/exporter.log"; return 1; }
  for _ in $(seq 1 120); do # 60 s
    if curl -fsS --max-time 2 "http://$ADDR/-/ready" >/dev/null 2>&1; then
      # The exporter process itself (beneath sudo, if any) runs as nobody.
      pgrep -u 65534 -f "^/usr/bin/$PKG --demo --web.listen-address 127.0.0.1:0" >/dev/null ||
        { echo "no exporter process with uid 65534"; return 1; }
      return 0
    fi
    kill -0 "$EXPORTER_PID" 2>/dev/null || { echo "the exporter exited"; cat "$WORK/exporter.log"; return 1; }
    sleep 0.5
  done
  echo "not ready after 60 s"; tail -n 20 "$WORK/exporter.log"; return 1
}
check "the installed binary runs --demo as nobody with the packaged env and config, and gets ready" ready
scrape() {
  curl -fsS --max-time 10 "http://$ADDR/metrics" >"$WORK/metrics.txt" || return 1
  grep -q '^aws_directconnect_bgp_peer_up{' "$WORK/metrics.txt" || { echo "no bgp_peer_up series"; head -n 20 "$WORK/metrics.txt"; return 1; }
  grep -q "^aws_directconnect_exporter_build_info{.*version=\"$VERSION\"" "$WORK/metrics.txt" ||
    { echo "no build_info with version $VERSION"; grep build_info "$WORK/metrics.txt"; return 1; }
}
check "/metrics has BGP peers and build_info $VERSION" scrape
# SIGTERM must end it within the unit's TimeoutStopSec (20 s), with status 0. (Here, not in
# check: a subshell cannot wait for this shell's background job.)
stop_status=running
"${as_root[@]}" kill -TERM "$EXPORTER_PID" 2>/dev/null
if timeout 20 tail --pid="$EXPORTER_PID" -f /dev/null; then
  stop_status=0
  wait "$EXPORTER_PID" || stop_status=$?
  EXPORTER_PID=
fi
check "SIGTERM stops it within 20 s with status 0 (got: $stop_status)" test "$stop_status" = 0

# ---------------------------------------------------------------- purge
check "dpkg --purge" "${as_root[@]}" dpkg --purge "$PKG"
gone() {
  local f left=()
  for f in "/usr/bin/$PKG" "$UNIT" "/etc/$PKG" "/etc/default/$PKG" "/usr/share/man/man1/$PKG.1.gz" \
    "/usr/share/bash-completion/completions/$PKG"; do
    [ ! -e "$f" ] || left+=("$f")
  done
  [ ${#left[@]} -eq 0 ] || { echo "left behind: ${left[*]}"; return 1; }
  ! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed' || { echo "still installed"; return 1; }
}
check "purged: no file, config or status left" gone
INSTALLED_HERE=

summary
