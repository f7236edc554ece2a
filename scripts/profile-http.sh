#!/usr/bin/env bash
# CPU profile of `crm serve --demo` under one wrk script (default customer360), with perf:
# prints the hottest symbols, inclusive of callees. Needs perf (linux-perf) and wrk.
#
#   scripts/profile-http.sh [customer360|interactions|mixed]
set -euo pipefail
cd "$(dirname "$0")/.."
script=${1:-customer360}
port=${CRM_PORT:-8091}
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
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
export CRM_TOKEN=$("$bin" token create --data "$work/data" --user profile-admin --role admin 2>/dev/null)
export CRM_IDS="$work/ids.txt"
curl -sf -H "Authorization: Bearer $CRM_TOKEN" "http://127.0.0.1:$port/v1/customers?limit=1000" |
  python3 -c 'import json,sys; [print(c["customerId"]) for c in json.load(sys.stdin)["items"]]' >"$CRM_IDS"
perf record -F 999 -g -p "$server" -o "$work/perf.data" -- sleep 8 >/dev/null 2>&1 &
recorder=$!
wrk -t2 -c64 -d8s -s "scripts/bench/$script.lua" "http://127.0.0.1:$port" | grep Requests/sec
wait "$recorder" || true
perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep "%" | grep -v "^#" | head -60 | cut -c1-200
