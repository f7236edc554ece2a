#!/usr/bin/env bash
# Drill 5 (issue 7), soak: `crm serve --demo` on a fresh data directory under a mixed load at a
# FIXED rate (wrk, paced by scripts/bench/soak.lua) for a long time: customer 360, lists, pipeline,
# service queue and follow-up reads, durable interaction and tag commands (some with
# Idempotency-Key, some of those repeated), and two live-feed subscribers. Every 10 s it samples
# the server's memory (/proc/PID/status), the window's latency percentiles, rate and errors, and
# the largest projector lag. Verdict: heap (RSS) growth < 10% after warm-up, p99 at the end <= 2x
# p99 after warm-up, projector lag bounded and back at the head at the end, zero 5xx/4xx/socket
# errors, every feed event exactly once in order, verify intact, every read model equal to a fresh
# rebuild. The logic is in soak_drill.py; the samples go to a CSV whose path it prints.
#
#   scripts/drills/soak.sh [seconds]     # default 3600; CI runs 300
#   RATE=150 CONNECTIONS=32 scripts/drills/soak.sh 3600   # the full run of RELIABILITY.md
#   SOAK_CSV=/tmp/soak.csv ...           # where the samples go (default: /tmp/crm-soak-<time>.csv)
#   CRM_SKIP_BUILD=1 ...                 # reuse the existing release binary
#   CRM_BIN=.build/debug/crm ...         # use this binary (CI: the debug build the tests made)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-3600}
rate=${RATE:-100}
connections=${CONNECTIONS:-32}
port=${CRM_PORT:-$((20000 + RANDOM % 20000))}
bin=${CRM_BIN:-.build-bench/release/crm}
csv=${SOAK_CSV:-/tmp/crm-soak-$(date +%Y%m%d-%H%M%S).csv}

command -v wrk >/dev/null || { echo "soak: wrk is missing (apt-get install wrk)" >&2; exit 2; }
if [ -z "${CRM_BIN:-}" ] && [ "${CRM_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product crm --scratch-path .build-bench >/dev/null
fi
work=$(mktemp -d)
# A private copy: a concurrent rebuild of the shared binary must not change it mid-drill.
cp "$bin" "$work/crm"
if python3 scripts/drills/soak_drill.py --crm "$work/crm" --work "$work" --port "$port" --seconds "$seconds" \
  --rate "$rate" --connections "$connections" --csv "$csv"; then
  rm -rf "$work"
else
  status=$?
  echo "soak: kept $work (serve.log, data/) for inspection; samples in $csv" >&2
  exit "$status"
fi
