# Sourced by the load scripts: builds crm (release), starts `crm serve --demo` on loopback in a
# temporary directory, waits until it is ready, and exports an admin token and the customer ids.
#
# After `start_demo_server PORT`: $bin (the crm binary), $work (the temporary directory, removed
# on exit), $server (the server's pid), CRM_TOKEN, CRM_IDS (a file of customer ids), CRM_RUN.
#
# CRM_BUILD_DIR (default .build-bench) is the scratch path of the release build, so that several
# checkouts on one machine need not share one build directory. CRM_BIN runs that binary instead
# and builds nothing (to compare two builds in one session).

build_dir=${CRM_BUILD_DIR:-.build-bench}
bin=${CRM_BIN:-$build_dir/release/crm}
work=
server=

stop_demo_server() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}

start_demo_server() {
  local port=$1
  if [ -z "${CRM_BIN:-}" ]; then swift build -c release --product crm --scratch-path "$build_dir" >/dev/null 2>&1; fi
  work=$(mktemp -d)
  trap stop_demo_server EXIT
  "$bin" serve --demo --data "$work/data" --port "$port" >"$work/serve.out" 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  CRM_TOKEN=$("$bin" token create --data "$work/data" --user load-admin --role admin 2>/dev/null)
  CRM_IDS="$work/ids.txt"
  CRM_RUN=$(date +%s)
  export CRM_TOKEN CRM_IDS CRM_RUN
  curl -sf -H "Authorization: Bearer $CRM_TOKEN" "http://127.0.0.1:$port/v1/customers?limit=1000" |
    python3 -c 'import json,sys; [print(c["customerId"]) for c in json.load(sys.stdin)["items"]]' >"$CRM_IDS"
}
