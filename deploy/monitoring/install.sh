#!/usr/bin/env bash
# Installs real Prometheus and Alertmanager (Debian packages `prometheus` 2.42 and `prometheus-alertmanager` 0.25)
# when promtool, prometheus, alertmanager (Debian: prometheus-alertmanager) or amtool is missing; does nothing when
# all four are there. Run it before deploy/monitoring/check.sh; deploy/standalone/smoke-test.sh runs it and starts
# its own instances on its own ports. The packages' system services are not started: a temporary policy-rc.d
# denies it while the packages install (an existing one is kept), and a daemon that came up anyway is stopped.
#   deploy/monitoring/install.sh        (needs root or sudo and apt-get; one line on stderr and exit 1 otherwise)
set -euo pipefail

# Debian names the Alertmanager binary prometheus-alertmanager; upstream tarballs name it alertmanager.
tools=(promtool prometheus alertmanager amtool)
have() { command -v "$1" >/dev/null 2>&1 || { [ "$1" = alertmanager ] && command -v prometheus-alertmanager >/dev/null 2>&1; }; }
missing() { for t in "${tools[@]}"; do have "$t" || return 0; done; return 1; }
am_version() { "$(command -v alertmanager || command -v prometheus-alertmanager)" --version 2>&1 | head -1; }
fail() { echo "monitoring/install.sh: $*" >&2; exit 1; }

if ! missing; then
  echo "monitoring/install.sh: $(prometheus --version 2>&1 | head -1); $(am_version)"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "promtool/prometheus/alertmanager/amtool missing and no apt-get here: install Prometheus 2.x and Alertmanager 0.25+ so that all four are on the PATH"
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
    || fail "promtool/prometheus/alertmanager/amtool missing; installing the Debian packages needs root (or passwordless sudo): apt-get install prometheus prometheus-alertmanager"
  sudo=(sudo -n)
fi

# Keep the packages' postinst from starting the system services (Debian's policy-rc.d protocol: exit 101 =
# action forbidden). An existing policy-rc.d is left as it is.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() { [ "$own_policy" = 1 ] && "${sudo[@]}" rm -f "$policy"; return 0; }
trap cleanup EXIT

packages=(prometheus prometheus-alertmanager)
install() {
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" \
    >/tmp/monitoring-install.log 2>&1
}
echo "monitoring/install.sh: installing ${packages[*]} (log /tmp/monitoring-install.log)"
if ! install; then
  "${sudo[@]}" apt-get update -q >>/tmp/monitoring-install.log 2>&1 || true
  if ! install; then
    why=$(grep -E '^E:' /tmp/monitoring-install.log | head -1 || true)
    fail "apt-get install ${packages[*]} failed: ${why:-$(tail -1 /tmp/monitoring-install.log)} (full log /tmp/monitoring-install.log)"
  fi
fi
missing && fail "installed ${packages[*]} but $(for t in "${tools[@]}"; do have "$t" || printf '%s ' "$t"; done)is still not on the PATH"

# Nothing of the packages may keep listening on the default ports: the tests bring their own instances. The
# packages run their daemons as user prometheus; stop them through their init scripts if they came up anyway.
for svc in prometheus:prometheus prometheus-alertmanager:alertmanager; do
  if pgrep -u prometheus -x "${svc#*:}" >/dev/null 2>&1; then
    "${sudo[@]}" service "${svc%%:*}" stop >/dev/null 2>&1 || echo "monitoring/install.sh: warning: could not stop the ${svc%%:*} system service" >&2
  fi
done
echo "monitoring/install.sh: $(prometheus --version 2>&1 | head -1); $(am_version)"
