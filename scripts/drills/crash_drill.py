#!/usr/bin/env python3
"""Crash drill (issue 7, drill 1): SIGKILL `crm serve` at random moments under an append load and
check that nothing acknowledged is ever lost.

Driven by scripts/drills/crash.sh (which builds the release binary). This program:
  1. starts `crm serve --demo` on a fresh data directory and creates an admin token;
  2. runs a load generator: WORKERS threads, each with its own keep-alive connection (http.client),
     sending `POST /v1/customers/{id}/interactions` (unique interaction ids) and, one request in
     ten, `POST /v1/customers` (unique customer ids), each with an Idempotency-Key so a request cut
     off by a kill is retried after the restart and answered once;
  3. N times: lets the load run for a random 0.2-2 s, SIGKILLs the server, and while it is down
     (nothing else holds the directory) runs `crm verify` (must exit 0) and reads the log with
     `crm log` to check that every command acknowledged so far (a 2xx answer was received) is
     stored at the position its answer named, with its stream and its id; then restarts the server;
  4. after the last restart: waits for /ready, stops the load, waits until every projector's
     checkpoint reaches the head, stops the server gracefully, and checks the whole log once more
     (every acknowledged command present, no command id stored twice), `crm verify`, and
     `crm rebuild --checksums` (every read model rebuilt from position 1 must equal the one the
     crashed-and-restarted server built: "checksum equal to the previous read model").

Exit 0 and a PASS verdict line when all holds; 1 and FAIL otherwise.
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time

from drill_common import (HOST, RebuildComparison, Server, create_token, crm_verify, customer_ids,
                          kill_leftover_servers, log_head, read_log_events, wait_projectors_caught_up)

class Op:
    """One command the generator sends until it gets a definite answer."""

    def __init__(self, kind, ident, path, body):
        self.kind, self.ident, self.path, self.body = kind, ident, path, body
        self.attempts = 0


class Load:
    """The load generator: worker threads sharing counters and the list of acknowledged commands."""

    def __init__(self, port, token, customers, run, workers, rng_seed):
        self.port, self.token, self.run = port, token, run
        self.customers = list(customers)
        self.lock = threading.Lock()
        self.up = threading.Event()
        self.stopping = threading.Event()
        self.acked = []          # (kind, ident, stream, position, attempts)
        self.recovered = []      # (kind, ident): retried after a kill, answered 409 already-exists
        self.unexpected = []     # definite answers other than 2xx / recovered, with their bodies
        self.counts = {"sent": 0, "connection-errors": 0, "retried-acks": 0, "busy": 0}
        self.threads = [threading.Thread(target=self.work, args=(n, rng_seed + n), daemon=True)
                        for n in range(workers)]

    def new_op(self, worker, serial, rng):
        ident = f"{self.run}-{worker}-{serial}"
        if rng.random() < 0.1:
            customer = f"DRILL-{ident}"
            body = {"customerId": customer, "kind": "person", "name": f"Drill Person {ident}",
                    "email": f"drill-{ident.lower()}@example.org", "channel": "webForm", "registerAnyway": True}
            return Op("customer", customer, "/v1/customers", body)
        with self.lock:
            customer = rng.choice(self.customers)
        body = {"interactionId": f"DRILL-{ident}", "channel": "call", "direction": "outbound",
                "durationSeconds": 60, "outcome": "reached"}
        return Op("interaction", f"DRILL-{ident}", f"/v1/customers/{customer}/interactions", body)

    def work(self, worker, seed):
        rng = random.Random(seed)
        conn = None
        serial = 0
        op = None
        while not self.stopping.is_set():
            if op is None:
                serial += 1
                op = self.new_op(worker, serial, rng)
            if not self.up.wait(timeout=0.2):
                continue
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
                headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                           "Idempotency-Key": f"drill-{op.ident}"}
                op.attempts += 1
                with self.lock:
                    self.counts["sent"] += 1
                conn.request("POST", op.path, json.dumps(op.body), headers)
                response = conn.getresponse()
                status, text = response.status, response.read()
            except (OSError, http.client.HTTPException):
                # The server died under us (or is restarting): keep the op and send it again.
                with self.lock:
                    self.counts["connection-errors"] += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.02)
                continue
            answer = {}
            try:
                answer = json.loads(text)
            except ValueError:
                pass
            with self.lock:
                if 200 <= status < 300:
                    self.acked.append((op.kind, op.ident, answer.get("stream"), answer.get("position"), op.attempts))
                    if op.attempts > 1:
                        self.counts["retried-acks"] += 1
                    if op.kind == "customer":
                        self.customers.append(op.ident)
                    op = None
                elif status in (429, 503):
                    self.counts["busy"] += 1
                elif status == 409 and op.attempts > 1 and answer.get("code") == "already-exists":
                    # Stored before the kill but its answer was lost: the command is in the log.
                    self.recovered.append((op.kind, op.ident))
                    op = None
                else:
                    self.unexpected.append((op.kind, op.ident, status, text[:300].decode(errors="replace")))
                    op = None
        if conn is not None:
            conn.close()

    def snapshot(self):
        with self.lock:
            return list(self.acked), list(self.recovered), dict(self.counts), list(self.unexpected)


def read_log(crm, data, start):
    """position -> (stream, type, command id) for every event from `start` (offline: server stopped)."""
    events = {}
    for event in read_log_events(crm, data, start):
        data_ = event.get("data") or {}
        ident = data_.get("interactionId") if event["type"] == "InteractionLogged" else \
            data_.get("customerId") if event["type"] == "CustomerRegistered" else None
        events[event["position"]] = (event["stream"], event["type"], ident)
    return events


def check_acks(acks, events):
    """Problems: acknowledged commands not stored where their answer said."""
    problems = []
    for kind, ident, stream, position, _ in acks:
        stored = events.get(position)
        expected_type = "InteractionLogged" if kind == "interaction" else "CustomerRegistered"
        if stored is None or stored[0] != stream or stored[1] != expected_type or stored[2] != ident:
            problems.append(f"acknowledged {kind} {ident} at position {position} ({stream}) is not in the log: found {stored}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crm", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    data = os.path.join(args.work, "data")
    failures = []
    server = Server(args.crm, data, args.port, args.work)

    server.start(demo=True)
    if not server.wait_until("/ready", 120):
        print("crash: the demo server did not become ready", file=sys.stderr)
        return 1
    token = create_token(args.crm, data)
    customers = customer_ids(args.port, token)
    first_position = log_head(args.port, token) + 1
    print(f"crash: seed {args.seed}, {args.kills} kills, {args.workers} connections, {len(customers)} demo customers, "
          f"log starts at {first_position}")

    load = Load(args.port, token, customers, f"R{args.seed}", args.workers, args.seed)
    for thread in load.threads:
        thread.start()
    load.up.set()

    checked = 0
    downtimes = []
    kill_log = open(os.path.join(args.work, "kills.txt"), "w")
    for kill in range(1, args.kills + 1):
        delay = rng.uniform(0.2, 2.0)
        time.sleep(delay)
        load.up.clear()
        server.kill()
        killed_at = time.monotonic()
        acks, _, _, _ = load.snapshot()
        new = acks[checked:]
        code, text = crm_verify(args.crm, data)
        if code != 0:
            failures.append(f"kill {kill}: crm verify exit {code}: {text}")
        low = min((a[3] for a in new if isinstance(a[3], int)), default=None)
        problems = check_acks(new, read_log(args.crm, data, low)) if low is not None else []
        if any(not isinstance(a[3], int) for a in new):
            problems.append(f"kill {kill}: an acknowledged answer carried no position")
        failures.extend(f"kill {kill}: {p}" for p in problems)
        checked = len(acks)
        server.start()
        if not server.wait_until("/health", 60):
            failures.append(f"kill {kill}: the server did not come back")
            break
        downtimes.append(time.monotonic() - killed_at)
        load.up.set()
        print(f"kill {kill:3d} after {delay:4.2f}s: {len(acks):6d} acknowledged so far, {len(new):4d} new checked, "
              f"lost {len(problems)}, verify exit {code}, back in {downtimes[-1]:.2f}s", file=kill_log, flush=True)
        if kill % 10 == 0 or kill == args.kills:
            print(f"crash: {kill}/{args.kills} kills, {len(acks)} acknowledged, {len(failures)} failures so far", flush=True)

    # Final phase: a little more load on the last restart, then quiesce and compare.
    time.sleep(1.0)
    ready = server.wait_until("/ready", 120)
    load.stopping.set()
    for thread in load.threads:
        thread.join(timeout=30)
    if not ready:
        failures.append("the last restart never became ready")
    caught_up, projections = False, None
    if ready:
        caught_up, _, projections = wait_projectors_caught_up(args.port, token, 60)
    if not caught_up:
        failures.append(f"projectors not caught up with the head after the last restart: {projections}")
    stop_code = server.stop()
    if stop_code != 0:
        failures.append(f"graceful stop exited {stop_code}")

    acks, recovered, counts, unexpected = load.snapshot()
    events = read_log(args.crm, data, first_position)
    lost = check_acks(acks, events)
    failures.extend(lost)
    stored_ids = {}
    for position, (_, _, ident) in events.items():
        if ident is not None and ident.startswith("DRILL-"):
            stored_ids[ident] = stored_ids.get(ident, 0) + 1
    duplicates = [ident for ident, n in stored_ids.items() if n > 1]
    failures.extend(f"command {ident} stored {stored_ids[ident]} times" for ident in duplicates[:10])
    missing_recovered = [ident for _, ident in recovered if ident not in stored_ids]
    failures.extend(f"recovered command {ident} is not in the log" for ident in missing_recovered)
    failures.extend(f"unexpected answer {status} for {kind} {ident}: {body}" for kind, ident, status, body in unexpected[:10])
    code, verify_text = crm_verify(args.crm, data)
    if code != 0:
        failures.append(f"final crm verify exit {code}: {verify_text}")
    rebuild = RebuildComparison(args.crm, data)
    if not rebuild.equal:
        failures.append(rebuild.failure())

    duration = time.monotonic() - started
    print(f"crash: {server.starts - 1} restarts, {counts['sent']} requests sent, {len(acks)} acknowledged "
          f"({counts['retried-acks']} of them after a retry across a kill), {len(recovered)} unacknowledged but stored "
          f"(retry answered already-exists), {counts['connection-errors']} connection errors, {counts['busy']} 429/503, "
          f"{len(unexpected)} unexpected answers")
    print(f"crash: {len(events)} events appended, {len(lost)} acknowledged commands lost, {len(duplicates)} duplicated; "
          f"verify: {verify_text}")
    print(f"crash: rebuild --checksums exit {rebuild.exit_code}: {rebuild.equal_count}/{len(rebuild.summaries)} "
          f"read models equal to a fresh replay; restart to /health: median "
          f"{sorted(downtimes)[len(downtimes) // 2] if downtimes else 0:.2f}s, max {max(downtimes, default=0):.2f}s")
    for failure in failures[:20]:
        print("  FAILURE " + failure)
    verdict = "PASS" if not failures else "FAIL"
    print(f"crash drill {verdict}: {server.starts - 1} SIGKILLs, {len(acks)} acknowledged commands, {len(lost)} lost, "
          f"verify {'intact' if code == 0 else 'BROKEN'}, projections {'converged' if rebuild.equal else 'DIVERGED'}, "
          f"seed {args.seed}, {duration:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        kill_leftover_servers()
