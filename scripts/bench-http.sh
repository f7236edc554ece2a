#!/usr/bin/env bash
# Load benchmark of the HTTP API on loopback with wrk (Debian package `wrk`), as reported in
# BENCHMARKS.md ("HTTP API"): customer 360 reads, durable interaction commands, and an 80/20 mix,
# each at $CONNECTIONS connections for $DURATION, against a release build of `crm serve --demo`.
#
#   scripts/bench-http.sh                 # 64 connections, 30 s per run
#   CONNECTIONS=16 DURATION=10s scripts/bench-http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=${CRM_PORT:-8089}
duration=${DURATION:-30s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}

command -v wrk >/dev/null || { echo "bench-http: wrk is missing (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product crm --scratch-path .build-bench >/dev/null
bin=.build-bench/release/crm
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --demo --data "$work/data" --port "$port" >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
export CRM_TOKEN=$("$bin" token create --data "$work/data" --user bench-admin --role admin 2>/dev/null)
export CRM_IDS="$work/ids.txt"
export CRM_RUN=$(date +%s)
curl -sf -H "Authorization: Bearer $CRM_TOKEN" "http://127.0.0.1:$port/v1/customers?limit=1000" |
  python3 -c 'import json,sys; [print(c["customerId"]) for c in json.load(sys.stdin)["items"]]' >"$CRM_IDS"
echo "bench-http: $(wc -l <"$CRM_IDS") customers, $connections connections, $threads wrk threads, $duration per run"

for script in customer360 interactions mixed; do
  echo "== $script"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "scripts/bench/$script.lua" "http://127.0.0.1:$port" |
    grep -E "Latency|50%|90%|99%|Requests/sec|requests in|Non-2xx|Socket errors|non-2xx"
done
