#!/usr/bin/env bash
# Drill 6 (issue 7), concurrency stress: against `crm serve --demo` (a fresh data directory), for
# N seconds at once: many writers on few streams with expected versions (If-Match; 409 version
# conflicts are counted, re-read and retried), atomic batches over two integration streams,
# Idempotency-Key twins sent at the same moment, readers (360, lists, pipeline, streams, log,
# read-your-writes), four live-feed subscribers (one reconnecting, two joining late) and a rebuild
# of every projector at 30% and 65% of the run. Then: every 2xx write is in the log exactly once
# where its answer said and no refused write left anything, every feed saw exactly the log in
# order, every rebuild swapped with equal checksums, `crm verify` passes, every read model equals a
# fresh serial replay (`crm rebuild --checksums`), zero 5xx. The logic is in stress_drill.py.
#
#   scripts/drills/stress.sh [seconds]   # default 60 (CI); the long run is 600
#   WRITERS=24 READERS=4 HOT=3 SEED=7 scripts/drills/stress.sh 120
#   CRM_SKIP_BUILD=1 ...                 # reuse the existing release binary
#   CRM_BIN=.build/debug/crm ...         # use this binary (CI: the debug build the tests made)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
seed=${SEED:-$(date +%s)}
port=${CRM_PORT:-$((20000 + RANDOM % 20000))}
bin=${CRM_BIN:-.build-bench/release/crm}

if [ -z "${CRM_BIN:-}" ] && [ "${CRM_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product crm --scratch-path .build-bench >/dev/null
fi
work=$(mktemp -d)
# A private copy: a concurrent rebuild of the shared binary must not change it mid-drill.
cp "$bin" "$work/crm"
if python3 scripts/drills/stress_drill.py --crm "$work/crm" --work "$work" --port "$port" --seconds "$seconds" \
  --writers "${WRITERS:-16}" --readers "${READERS:-4}" --hot "${HOT:-3}" --seed "$seed"; then
  rm -rf "$work"
else
  status=$?
  echo "stress: kept $work (serve.log, data/) for inspection" >&2
  exit "$status"
fi
