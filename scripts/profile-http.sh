#!/usr/bin/env bash
# CPU profile of `crm serve --demo` under one wrk script (default customer360), with perf:
# prints the hottest symbols, inclusive of callees. Needs perf (linux-perf) and wrk.
#
#   scripts/profile-http.sh [customer360|interactions|mixed]
#
# PERF_DATA=FILE keeps the recording (for other `perf report` views); LINES (default 60) is how
# many symbols to print.
set -euo pipefail
cd "$(dirname "$0")/.."
script=${1:-customer360}
port=${CRM_PORT:-8091}
. scripts/lib/demo-server.sh
start_demo_server "$port"
perf record -F 999 -g -p "$server" -o "$work/perf.data" -- sleep 8 >/dev/null 2>&1 &
recorder=$!
wrk -t2 -c64 -d8s -s "scripts/bench/$script.lua" "http://127.0.0.1:$port" | grep Requests/sec
wait "$recorder" || true
if [ -n "${PERF_DATA:-}" ]; then cp "$work/perf.data" "$PERF_DATA"; fi
perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep "%" | grep -v "^#" | head -"${LINES:-60}" | cut -c1-200
