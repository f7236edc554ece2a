#!/usr/bin/env bash
# Drill 1 (issue 7), crash: SIGKILL `crm serve --demo` (release build) at random moments (0.2-2 s
# apart) under an HTTP append load, N times; after every kill, every acknowledged command must be
# in the log and `crm verify` must pass; after the last restart the read models must equal a fresh
# rebuild (`crm rebuild --checksums`). The logic is in crash_drill.py; this wrapper builds and
# prepares a temporary directory (kept on failure for inspection).
#
#   scripts/drills/crash.sh [kills]      # default 100; CI runs 20
#   SEED=42 WORKERS=8 scripts/drills/crash.sh 20
#   CRM_SKIP_BUILD=1 ...                 # reuse the existing release binary
#   CRM_BIN=.build/debug/crm ...         # use this binary (CI: the debug build the tests made)
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-100}
seed=${SEED:-$(date +%s)}
workers=${WORKERS:-8}
port=${CRM_PORT:-$((20000 + RANDOM % 20000))}
bin=${CRM_BIN:-.build-bench/release/crm}

if [ -z "${CRM_BIN:-}" ] && [ "${CRM_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product crm --scratch-path .build-bench >/dev/null
fi
work=$(mktemp -d)
# A private copy: a concurrent rebuild of the shared release binary must not change it mid-drill.
cp "$bin" "$work/crm"
if python3 scripts/drills/crash_drill.py --crm "$work/crm" --work "$work" --port "$port" --kills "$kills" \
  --workers "$workers" --seed "$seed"; then
  rm -rf "$work"
else
  status=$?
  echo "crash: kept $work (kills.txt, serve.log, data/) for inspection" >&2
  exit "$status"
fi
