#!/usr/bin/env bash
# Drill 3 (issue 7), tamper: copy a demo data directory, apply ONE random modification per case to
# the stored log through raw LMDB (a byte of an event's data or envelope, a deleted event, two
# swapped events, a byte of a signed checkpoint), and require `crm verify` to exit 1 naming the
# modified position. 100% detection at the right position is required; counts per kind are printed.
#
#   scripts/drills/tamper.sh [cases]     # default 200; CI runs ~30
#   SEED=42 scripts/drills/tamper.sh 30  # reproducible choice of cases
#   CRM_SKIP_BUILD=1 ...                 # reuse the existing release binary
#   CRM_BIN=.build/debug/crm ...         # use this binary (CI: the debug build the tests made)
#
# Needs: a C compiler and liblmdb-dev (the tool in lmdb-tamper.c), python3, curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=${1:-200}
seed=${SEED:-$(date +%s)}
port=${CRM_PORT:-$((20000 + RANDOM % 20000))}
bin=${CRM_BIN:-.build-bench/release/crm}

if [ -z "${CRM_BIN:-}" ] && [ "${CRM_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product crm --scratch-path .build-bench >/dev/null
fi
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# A private copy: a concurrent rebuild of the shared release binary must not change it mid-drill.
cp "$bin" "$work/crm"
bin=$work/crm
cc -O2 -o "$work/lmdb-tamper" scripts/drills/lmdb-tamper.c -llmdb

# Starts crm serve with the given extra arguments and waits until /ready answers.
start_server() {
  "$bin" serve --data "$work/base" --port "$port" "$@" >>"$work/serve.out" 2>>"$work/serve.log" &
  server=$!
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null && return 0
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 2; }
    sleep 0.25
  done
  echo "tamper: server not ready" >&2
  exit 2
}

# A graceful stop signs a checkpoint at close: the base gets several checkpoints to tamper with.
stop_server() {
  kill -TERM "$server"
  wait "$server" || true
  server=
}

# The base: the demo company, then three rounds of interactions, each ended by a graceful stop.
start_server --demo
token=$("$bin" token create --data "$work/base" --user drill-admin --role admin 2>/dev/null)
customer=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/customers?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["customerId"])')
for round in 1 2 3; do
  [ "$round" = 1 ] || start_server
  for n in $(seq 1 20); do
    curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"interactionId\":\"TAMPER-$seed-$round-$n\",\"channel\":\"call\",\"direction\":\"outbound\",\"durationSeconds\":60,\"outcome\":\"reached\"}" \
      "http://127.0.0.1:$port/v1/customers/$customer/interactions"
  done
  stop_server
done

python3 scripts/drills/tamper_drill.py --crm "$bin" --tool "$work/lmdb-tamper" --base "$work/base" \
  --work "$work" --cases "$cases" --seed "$seed"
