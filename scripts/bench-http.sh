#!/usr/bin/env bash
# Load benchmark of the HTTP API on loopback with wrk (Debian package `wrk`), as reported in
# BENCHMARKS.md ("The HTTP API under load"): /health (the floor: no token, no store read),
# customer 360 reads, durable interaction commands, and
# an 80/20 mix, each at $CONNECTIONS connections for $DURATION, against a release build of
# `crm serve --demo`.
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
. scripts/lib/demo-server.sh
start_demo_server "$port"
echo "bench-http: $(wc -l <"$CRM_IDS") customers, $connections connections, $threads wrk threads, $duration per run"

for script in health customer360 interactions mixed; do
  echo "== $script"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "scripts/bench/$script.lua" "http://127.0.0.1:$port" |
    grep -E "Latency|50%|90%|99%|Requests/sec|requests in|Non-2xx|Socket errors"
done
