#!/usr/bin/env bash
# Smoke-tests a compiled llmux binary from an empty directory with node_modules out of reach:
# version, check-config on the example, then `up` with the embedded default until /health
# answers, SIGTERM, and a clean exit. Usage: scripts/smoke-binary.sh dist/llmux
set -euo pipefail

binary=$(readlink -f "${1:-dist/llmux}")
example=$(readlink -f config.yaml.example)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/llmux"
cp "$example" "$work/config.yaml.example"
cd "$work"
# Nothing from the repository (node_modules, bunfig.toml, .env) is reachable from here.
[ ! -e node_modules ] && [ ! -e ../node_modules ] || { echo "smoke: node_modules reachable" >&2; exit 1; }

./llmux version
./llmux check-config -c config.yaml.example

port=$(( 20000 + RANDOM % 20000 ))
./llmux up --port "$port" >up.log 2>up.err &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/health"; echo
tr '\0' '\n' </proc/$pid/environ | grep -q '^BUN_CONFIG_MAX_HTTP_REQUESTS=' \
  || { echo "smoke: fetch limit was not raised" >&2; exit 1; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "smoke: llmux up exited with $status after SIGTERM" >&2
  cat up.log up.err >&2
  exit 1
fi
grep -q '"msg":"stopped"' up.log || { echo "smoke: no clean-stop log line" >&2; cat up.log >&2; exit 1; }
echo "smoke: ok"
