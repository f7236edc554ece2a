#!/usr/bin/env bash
# The API fuzz drill: schemathesis against a release `crm serve --demo`, as every role and without a
# token, checking that no request gets a 5xx, the server never dies, a rejected request writes
# nothing and no write happens that no answered request accounts for (fuzz_api_report.py), and
# that the log still verifies afterwards (`crm verify`).
#
#   scripts/drills/fuzz-api.sh            # at least 10,000 requests (coverage + fuzzing phases)
#   scripts/drills/fuzz-api.sh 1500       # the short run for CI (fuzzing phase only), ~2 minutes
#   FUZZ_REQUESTS=1500 scripts/drills/fuzz-api.sh
#
# Environment: FUZZ_REQUESTS (the minimum number of requests, default 10000), FUZZ_PHASES
# (schemathesis phases; default coverage,fuzzing from 5000 requests up, else fuzzing), FUZZ_SEED
# (default 1), FUZZ_VENV (reuse a venv that already holds the pinned schemathesis), FUZZ_KEEP=1
# (keep the temporary directory: records, schemathesis output, server log), CRM_BIN (use this crm
# binary instead of building the release one).
# Ends with one line `fuzz-api: PASS …` or `fuzz-api: FAIL …`; exits 1 on FAIL.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
drills=$root/scripts/drills
schemathesis_version=4.32.5
requests=${1:-${FUZZ_REQUESTS:-10000}}
seed=${FUZZ_SEED:-1}
if [ "$requests" -ge 5000 ]; then phases=${FUZZ_PHASES:-coverage,fuzzing}; else phases=${FUZZ_PHASES:-fuzzing}; fi
roles=(admin manager agent auditor integrator none)
started=$(date +%s)

fail() { echo "fuzz-api: FAIL $*"; exit 1; }

if [ -n "${CRM_BIN:-}" ]; then
  bin=$(cd "$(dirname "$CRM_BIN")" && pwd)/$(basename "$CRM_BIN")   # CI: the debug build the tests made
else
  echo "fuzz-api: building crm (release, .build-bench)"
  swift build -c release --product crm --scratch-path .build-bench >/dev/null 2>"${TMPDIR:-/tmp}/fuzz-api-build.$$" ||
    { cat "${TMPDIR:-/tmp}/fuzz-api-build.$$" >&2; rm -f "${TMPDIR:-/tmp}/fuzz-api-build.$$"; fail "the release build failed"; }
  rm -f "${TMPDIR:-/tmp}/fuzz-api-build.$$"
  bin=$root/.build-bench/release/crm
fi

work=$(mktemp -d -t fuzz-api.XXXXXX)
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${FUZZ_KEEP:-0}" = 1 ]; then echo "fuzz-api: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

venv=${FUZZ_VENV:-$work/venv}
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$schemathesis_version"; then
  echo "fuzz-api: installing schemathesis $schemathesis_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version" >"$work/pip.log" 2>&1 ||
    { cat "$work/pip.log" >&2; fail "could not install schemathesis $schemathesis_version"; }
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$bin" serve --demo --fixtures "$root/Fixtures/sample-commands.ndjson" --data "$work/data" --host 127.0.0.1 --port "$port" \
  >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 480); do
  curl -sf "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { tail -20 "$work/serve.log" >&2; server=; fail "the demo server did not start"; }
  sleep 0.5
done
curl -sf "$base/ready" >/dev/null || fail "the demo server was not ready within 4 minutes"
ready_lines=$(wc -l <"$work/serve.log")

# One token per role. The manager and the agent are people of the demo company, so their row
# scopes hold records; the integrator gets the scopes of a typical two-way integration.
token() { "$bin" token create --data "$work/data" --user "$1" --role "$2" "${@:3}" 2>>"$work/token.log"; }
observer=$(token fuzz-observer admin)
declare -A tokens=(
  [admin]=$(token fuzz-admin admin)
  [manager]=$(token anna.keller manager)
  [agent]=$(token kai.jansen agent)
  [auditor]=$(token fuzz-auditor auditor)
  [integrator]=$(token fuzz-integrator integrator --scope streams.append --scope log.read --scope customers.read \
    --scope customers.write --scope feed.read)
  [none]=
)
python3 "$drills/fuzz_api_ids.py" "$base" "$observer" >"$work/ids.json" || fail "could not collect ids from the demo log"
operations=$(curl -sf "$base/openapi.json" | python3 -c 'import json, sys
print(sum(m in ("get", "post", "put", "patch", "delete") for ops in json.load(sys.stdin)["paths"].values() for m in ops))')
examples=$(( (requests + ${#roles[@]} * operations - 1) / (${#roles[@]} * operations) ))
[ "$examples" -ge 1 ] || examples=1
echo "fuzz-api: $base, $operations operations, ${#roles[@]} callers, phases $phases, $examples examples per operation, target $requests requests"

sent() { cat "$work"/records-*.ndjson 2>/dev/null | wc -l; }
records=()
round=0
status=0
while :; do
  round=$((round + 1))
  for role in "${roles[@]}"; do
    record=$work/records-$round-$role.ndjson
    records+=("$record")
    : >"$record"
    auth=()
    [ -n "${tokens[$role]}" ] && auth=(-H "Authorization: Bearer ${tokens[$role]}")
    role_started=$(date +%s)
    set +e
    FUZZ_BASE_URL=$base FUZZ_ADMIN_TOKEN=$observer FUZZ_ROLE=$role FUZZ_RECORD=$record FUZZ_IDS=$work/ids.json \
      SCHEMATHESIS_HOOKS=fuzz_api_hooks PYTHONPATH=$drills PYTHONDONTWRITEBYTECODE=1 \
      "$venv/bin/schemathesis" run "$base/openapi.json" "${auth[@]}" --checks not_a_server_error \
      --phases "$phases" --max-examples "$examples" --workers 1 --request-timeout 30 \
      --seed $((seed + round * 100)) --suppress-health-check all --no-color \
      >"$work/schemathesis-$round-$role.out" 2>&1
    rc=$?
    set -e
    echo "fuzz-api: round $round $role: $(wc -l <"$record") requests in $(( $(date +%s) - role_started )) s, schemathesis exit $rc"
    if [ "$rc" -ne 0 ]; then
      status=1
      grep -E "^(_+ |[0-9]+\. |  [A-Z]+ /|Server error|Network Error|Test cases:|  [0-9]+ generated)" "$work/schemathesis-$round-$role.out" | head -30 || true
      cp "$work/schemathesis-$round-$role.out" "${TMPDIR:-/tmp}/fuzz-api-schemathesis-$round-$role.out"
      echo "fuzz-api: schemathesis output kept in ${TMPDIR:-/tmp}/fuzz-api-schemathesis-$round-$role.out"
    fi
    kill -0 "$server" 2>/dev/null || { tail -30 "$work/serve.log" >&2; server=; fail "the server died during the $role run"; }
  done
  [ "$(sent)" -ge "$requests" ] && break
  phases=fuzzing
done

kill -TERM "$server"
set +e; wait "$server"; server_rc=$?; set -e
server=
[ "$server_rc" -eq 0 ] || { tail -20 "$work/serve.log" >&2; status=1; echo "fuzz-api: the server exited with $server_rc on SIGTERM"; }
if "$bin" verify --data "$work/data" >"$work/verify.out" 2>&1; then
  echo "fuzz-api: crm verify: $(tail -1 "$work/verify.out")"
else
  cat "$work/verify.out"; status=1; echo "fuzz-api: crm verify failed"
fi
echo "fuzz-api: server log: $(tail -n +$((ready_lines + 1)) "$work/serve.log" | grep -c ' error ' || true) error lines while fuzzing"

set +e
python3 "$drills/fuzz_api_report.py" "$requests" "${records[@]}" >"$work/report.out"
report_rc=$?
set -e
verdict=$(tail -1 "$work/report.out")
sed '$d' "$work/report.out"
elapsed=$(( $(date +%s) - started ))
if [ "$report_rc" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "$verdict in ${elapsed} s"
else
  case $verdict in
    "fuzz-api: PASS"*) echo "fuzz-api: FAIL ${verdict#fuzz-api: PASS } but schemathesis, the server's exit or crm verify failed (see above), in ${elapsed} s" ;;
    *) echo "$verdict, in ${elapsed} s" ;;
  esac
  exit 1
fi
