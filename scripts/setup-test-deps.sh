#!/usr/bin/env bash
# Installs the Debian packages the test suite talks to: real libzmq (python3-zmq) as a KV-event
# peer, msgpack/cbor2/xxhash/jinja2 for independent reference vectors and template cross-checks,
# prometheus for promtool, systemd for systemd-analyze, redis-server for shared rate limits,
# chromium for the dashboard test, wrk for overhead runs. Idempotent; needs root (CI runs as root).
set -euo pipefail

PACKAGES=(python3-zmq python3-msgpack python3-cbor2 python3-xxhash python3-jinja2 prometheus systemd redis-server chromium fonts-dejavu-core wrk)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-test-deps: all present (${PACKAGES[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-test-deps: missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup-test-deps: installed ${missing[*]}"
