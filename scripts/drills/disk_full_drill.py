#!/usr/bin/env python3
"""Disk-full drill (issue 7, drill 2): fill the filesystem under `crm serve` with HTTP appends and
check that the server refuses cleanly, keeps serving reads, loses nothing acknowledged, and resumes
by itself once space is freed.

Driven by scripts/drills/disk-full.sh, which mounts a small filesystem (tmpfs, else a loop-mounted
ext4 image) at --mount and keeps the checkpoint key off it. This program:
  1. starts `crm serve` with --data on the small filesystem, creates an admin token and registers
     a few customers; each cycle puts a ballast file on the filesystem so that only --headroom-mb
     is left;
  2. runs WORKERS writer threads, each on its own keep-alive connection, sending
     `POST /v1/customers/{id}/interactions` (one request in ten: `POST /v1/customers`), each with
     an Idempotency-Key; a command answered 507 is sent again (same key) after a short pause until
     it is acknowledged, so every refused command is retried across the recovery;
  3. while the disk is full, a reader thread keeps reading a customer 360, pages of the log and
     the log head: every read must answer 200;
  4. every 507 must be `application/problem+json` with code `insufficient-storage`; any other
     5xx, or the server process dying, fails the drill;
  5. once at least --min-refusals 507s were seen over --full-seconds, the ballast is removed
     (the server is NOT restarted); appends must succeed again within --recover-timeout seconds,
     every refused command must then be acknowledged, and (writers paused) every projector must
     come back to `live` at the log head; steps 1-5 repeat --cycles times on the same server;
  6. the server is stopped (SIGTERM, must exit 0); offline, `crm verify` must pass and `crm log`
     must hold every acknowledged command at the position its answer named, no command twice, and
     no command that was answered 507 while it was already stored (a 507 promises that nothing
     was written: a command acknowledged later at a position at or below the X-Log-Position of
     one of its 507s, or never acknowledged but stored, fails the drill);
  7. a ballast takes every free byte and the server is started again on the full disk: it must
     become ready and serve the log over HTTP with every acknowledged command in it; then one more
     cycle (steps 2-5) runs on it with new writers (LMDB reuses its free pages before it grows a
     file, so some appends still fit before the first 507); after a final stop `crm verify` must
     pass once more and the checks of step 6 hold for those writers too.

Exit 0 and a PASS verdict line when all holds; 1 and FAIL otherwise.
"""
import argparse
import errno
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
SERVERS = []  # every Server made, so an unexpected exception still kills what the drill started
MB = 1 << 20


class Server:
    """One `crm serve` process on the drill's data directory."""

    def __init__(self, crm, data, key, port, logs):
        self.crm, self.data, self.key, self.port, self.logs = crm, data, key, port, logs
        self.process = None
        self.starts = 0
        SERVERS.append(self)

    def start(self):
        self.starts += 1
        args = [self.crm, "serve", "--data", self.data, "--checkpoint-key", self.key, "--port", str(self.port)]
        out = open(os.path.join(self.logs, f"serve-{self.starts}.out"), "w")
        err = open(os.path.join(self.logs, "serve.log"), "a")
        self.process = subprocess.Popen(args, stdout=out, stderr=err)
        out.close()
        err.close()

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def wait_until(self, path, timeout):
        """Polls GET path until it answers 200; False when the process died or time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", path)
                ok = conn.getresponse().status == 200
                conn.close()
                if ok:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        return False

    def stop(self):
        """SIGTERM and wait; the exit code, or None when it had to be killed."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def request(port, token, method, path, body=None, headers=None, timeout=15):
    """One request on a fresh connection: (status, content type, parsed JSON or None)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    all_headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    conn.request(method, path, None if body is None else json.dumps(body), all_headers)
    response = conn.getresponse()
    text = response.read()
    conn.close()
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return response.status, response.getheader("Content-Type", ""), parsed


class Op:
    """One command a writer sends (with one Idempotency-Key) until it is acknowledged."""

    def __init__(self, kind, ident, path, body):
        self.kind, self.ident, self.path, self.body = kind, ident, path, body
        self.refusals = 0   # 507 answers received for it
        self.refused_at_head = 0  # the highest X-Log-Position a 507 for it carried
        self.acked = False
        self.position = None


class Load:
    """The writer threads, with the counters and records they share."""

    def __init__(self, port, token, customers, run, workers, seed):
        self.port, self.token, self.run = port, token, run
        self.customers = list(customers)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.up = threading.Event()      # cleared: writers pause before their next request
        self.idle = threading.Event()    # set when every writer is paused
        self.paused = 0
        self.ops = []            # every Op ever sent
        self.acked = []          # (kind, ident, stream, position, time acknowledged)
        self.refusals = []       # time of every 507
        self.bad_refusals = []   # 507 answers that were not problem+json insufficient-storage
        self.unexpected = []     # definite answers other than 2xx, 507, 429, 503
        self.sample_507 = None
        self.counts = {"sent": 0, "connection-errors": 0, "busy": 0}
        self.threads = [threading.Thread(target=self.work, args=(n, seed + n), daemon=True) for n in range(workers)]

    def new_op(self, worker, serial, rng):
        ident = f"{self.run}-{worker}-{serial}"
        if rng.random() < 0.1:
            customer = f"DRILL-{ident}"
            body = {"customerId": customer, "kind": "person", "name": f"Drill Person {ident}",
                    "email": f"drill-{ident.lower()}@example.org", "channel": "webForm", "registerAnyway": True}
            op = Op("customer", customer, "/v1/customers", body)
        else:
            with self.lock:
                customer = rng.choice(self.customers)
            body = {"interactionId": f"DRILL-{ident}", "channel": "call", "direction": "outbound",
                    "durationSeconds": 60, "outcome": "reached", "notes": "disk-full drill " + "x" * rng.randint(0, 400)}
            op = Op("interaction", f"DRILL-{ident}", f"/v1/customers/{customer}/interactions", body)
        with self.lock:
            self.ops.append(op)
        return op

    def work(self, worker, seed):
        rng = random.Random(seed)
        conn = None
        serial = 0
        op = None
        while not self.stopping.is_set():
            if not self.up.is_set():
                self.pause()
                continue
            if op is None:
                serial += 1
                op = self.new_op(worker, serial, rng)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                           "Idempotency-Key": f"drill-{op.ident}"}
                with self.lock:
                    self.counts["sent"] += 1
                conn.request("POST", op.path, json.dumps(op.body), headers)
                response = conn.getresponse()
                status, text = response.status, response.read()
                content_type = response.getheader("Content-Type", "")
                log_position = int(response.getheader("X-Log-Position", "0") or 0)
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.counts["connection-errors"] += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
                continue
            answer = {}
            try:
                answer = json.loads(text)
            except ValueError:
                pass
            now = time.monotonic()
            with self.lock:
                if 200 <= status < 300:
                    op.acked = True
                    op.position = answer.get("position")
                    self.acked.append((op.kind, op.ident, answer.get("stream"), answer.get("position"), now))
                    if op.kind == "customer":
                        self.customers.append(op.ident)
                    op = None
                    continue
                if status == 507:
                    op.refusals += 1
                    op.refused_at_head = max(op.refused_at_head, log_position)
                    self.refusals.append(now)
                    if self.sample_507 is None:
                        self.sample_507 = (content_type, answer)
                    if not content_type.startswith("application/problem+json") or answer.get("code") != "insufficient-storage" \
                            or answer.get("status") != 507 or "full" not in str(answer.get("detail", "")):
                        self.bad_refusals.append((content_type, text[:300].decode(errors="replace")))
                elif status in (429, 503):
                    self.counts["busy"] += 1
                else:
                    self.unexpected.append((op.kind, op.ident, status, text[:300].decode(errors="replace")))
                    op = None
                    continue
            # Refused or busy: the same command again (same key) after a pause.
            time.sleep(0.1)
        if conn is not None:
            conn.close()

    def pause(self):
        """Waits, counted as paused, until the writers are let go again (or stopped)."""
        with self.lock:
            self.paused += 1
            if self.paused == len(self.threads):
                self.idle.set()
        self.up.wait(timeout=0.2)
        with self.lock:
            self.paused -= 1
            self.idle.clear()

    def snapshot(self):
        with self.lock:
            return list(self.acked), list(self.refusals), dict(self.counts)

    def ops_snapshot(self):
        with self.lock:
            return list(self.ops)


class Reader:
    """Reads while the disk is full.

    Reads that disclose no personal data (the log, a stream, the head, projector status) must
    answer 200. A customer 360 carries personal data, and such a read is answered only once its
    `DataAccessed` event is durable (issue 6): while the disk is full it may be refused, and then
    it must be a clean 507 `insufficient-storage`, never a 500.
    """

    def __init__(self, port, token, customers):
        self.port, self.token, self.customers = port, token, customers
        self.active = threading.Event()
        self.stopping = threading.Event()
        self.ok = 0
        self.failed = []
        self.personal = {"200": 0, "507": 0}
        self.thread = threading.Thread(target=self.work, daemon=True)

    def get(self, path):
        try:
            status, content_type, body = request(self.port, self.token, "GET", path)
            return status, content_type, body or {}
        except (OSError, http.client.HTTPException) as error:
            return f"connection error {error}", "", {}

    def work(self):
        rng = random.Random(7)
        while not self.stopping.is_set():
            if not self.active.wait(timeout=0.1):
                continue
            customer = rng.choice(self.customers)
            for path in ("/v1/events?from=1&limit=50", f"/v1/streams/customer-{customer}",
                         f"/v1/streams/customer-{customer}/events?direction=backward&limit=20", "/v1/log/head", "/v1/projections"):
                status, _, _ = self.get(path)
                if status == 200:
                    self.ok += 1
                else:
                    self.failed.append((path, status))
            path = f"/v1/customers/{customer}"
            status, content_type, body = self.get(path)
            if status == 200:
                self.personal["200"] += 1
            elif status == 507 and content_type.startswith("application/problem+json") and body.get("code") == "insufficient-storage":
                self.personal["507"] += 1
            else:
                self.failed.append((path, status))
            time.sleep(0.02)


def free_bytes(path):
    facts = os.statvfs(path)
    return facts.f_bavail * facts.f_frsize


def read_log_offline(crm, data, key, start):
    """position -> (stream, type, command id) for every event from `start` (server stopped)."""
    out = subprocess.run([crm, "log", "--data", data, "--from", str(start)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"crm log failed ({out.returncode}): {out.stderr.strip()}")
    return {e["position"]: summary(e) for e in map(json.loads, out.stdout.splitlines())}


def read_log_http(port, token, start):
    """The same, read through GET /v1/events page by page."""
    events = {}
    position = start
    while True:
        status, _, page = request(port, token, "GET", f"/v1/events?from={position}&limit=1000")
        if status != 200:
            raise RuntimeError(f"GET /v1/events?from={position} answered {status}")
        for event in page["events"]:
            events[event["position"]] = summary(event)
        if not page["events"]:
            return events
        position = page["next"]


def summary(event):
    data = event.get("data") or {}
    ident = data.get("interactionId") if event["type"] == "InteractionLogged" else \
        data.get("customerId") if event["type"] == "CustomerRegistered" else None
    return event["stream"], event["type"], ident


def check_acks(acks, events):
    """Problems: acknowledged commands not stored where their answer said."""
    problems = []
    for kind, ident, stream, position, _ in acks:
        stored = events.get(position)
        expected_type = "InteractionLogged" if kind == "interaction" else "CustomerRegistered"
        if stored is None or stored[0] != stream or stored[1] != expected_type or stored[2] != ident:
            problems.append(f"acknowledged {kind} {ident} at position {position} ({stream}) is not in the log: found {stored}")
    return problems


def check_load(load, events):
    """Problems with what `load` was told: acknowledged commands missing (`check_acks`), commands
    stored twice, commands answered 507 although they were stored, and answers that should not be."""
    acks, _, _ = load.snapshot()
    problems = check_acks(acks, events)
    stored = {}
    for _, _, ident in events.values():
        if ident is not None and ident.startswith("DRILL-"):
            stored[ident] = stored.get(ident, 0) + 1
    problems += [f"command {ident} stored {n} times" for ident, n in stored.items() if n > 1]
    # A 507 promises that nothing was written. Its X-Log-Position is the head when it was answered,
    # so a command later acknowledged at a position at or below that head was already stored.
    for op in load.ops_snapshot():
        if op.refusals and not op.acked and op.ident in stored:
            problems.append(f"command {op.ident} was answered 507 (never acknowledged) but is in the log")
        if op.refusals and op.acked and isinstance(op.position, int) and op.position <= op.refused_at_head:
            problems.append(f"command {op.ident} was answered 507 at head {op.refused_at_head} but was stored at {op.position}")
    problems += [f"unexpected answer {status} for {kind} {ident}: {body}" for kind, ident, status, body in load.unexpected]
    problems += [f"a 507 that is not problem+json insufficient-storage with a clear detail: {b}" for b in load.bad_refusals]
    return problems


def crm_verify(crm, data, key):
    out = subprocess.run([crm, "verify", "--data", data, "--checkpoint-key", key], capture_output=True, text=True)
    return out.returncode, (out.stdout + out.stderr).strip().splitlines()[-1:] or [""]


def projectors_at_head(port, token, timeout):
    """Waits until every projector is live at the log head; (True, []) or (False, the laggards)."""
    deadline = time.monotonic() + timeout
    lagging = []
    while time.monotonic() < deadline:
        _, _, head = request(port, token, "GET", "/v1/log/head")
        _, _, projections = request(port, token, "GET", "/v1/projections")
        lagging = [f"{p['name']} {p['state']} at {p['checkpoint']}" + (f" ({p['parked']['reason'][:120]})" if p.get("parked") else "")
                   for p in projections["projectors"] if p["checkpoint"] < head["position"] or p["state"] != "live"]
        if not lagging:
            return True, []
        time.sleep(0.2)
    return False, lagging


def put_ballast(mount, size):
    """A file of up to `size` bytes on the small filesystem, allocated (not sparse). A filesystem
    that needs blocks of its own to allocate it (ext4's extent tree) gets a little less."""
    fd = os.open(os.path.join(mount, "ballast"), os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        while size > 0:
            try:
                os.posix_fallocate(fd, 0, size)
                return
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                size -= max(64 * 1024, size // 200)
    finally:
        os.close(fd)


def fill_cycle(args, cycle, server, load, reader, failures, ballast_in_place=False):
    """One cycle: ballast down to the headroom (unless one is in place), fill until refused, free,
    recover. Its figures."""
    ballast = os.path.join(args.mount, "ballast")
    size = os.path.getsize(ballast) if ballast_in_place else max(free_bytes(args.mount) - int(args.headroom_mb * MB), 0)
    if not ballast_in_place:
        put_ballast(args.mount, size)
    figures = {"cycle": cycle, "ballast": size, "left": free_bytes(args.mount), "reads ok": reader.ok,
               "reads failed": len(reader.failed)}
    acks, refusals, _ = load.snapshot()
    acked_before, refused_before = len(acks), len(refusals)
    load.up.set()
    fill_started = time.monotonic()
    first_refusal = None
    while True:
        time.sleep(0.1)
        acks, refusals, _ = load.snapshot()
        now = time.monotonic()
        if len(refusals) > refused_before and first_refusal is None:
            first_refusal = refusals[refused_before]
            reader.active.set()
            figures["to full"] = first_refusal - fill_started
        if not server.alive():
            failures.append(f"cycle {cycle}: the server died while the disk filled (exit {server.process.returncode}); see serve.log")
            return figures
        if first_refusal is not None and len(refusals) - refused_before >= args.min_refusals and now - first_refusal >= args.full_seconds:
            break
        if now - fill_started > args.fill_timeout:
            failures.append(f"cycle {cycle}: no 507 within {args.fill_timeout:.0f}s ({len(acks) - acked_before} acknowledged, "
                            f"{len(refusals) - refused_before} refused): the disk never filled or appends were not refused")
            break
    reader.active.clear()
    acks, refusals, _ = load.snapshot()
    figures["acked to full"] = len(acks) - acked_before
    figures["refused"] = len(refusals) - refused_before
    figures["full seconds"] = time.monotonic() - first_refusal if first_refusal is not None else 0
    figures["free while full"] = free_bytes(args.mount)
    figures["reads ok"] = reader.ok - figures["reads ok"]
    figures["reads failed"] = len(reader.failed) - figures["reads failed"]

    # Free the space without restarting: appends must resume and every refused command go through.
    os.remove(ballast)
    freed_at = time.monotonic()
    acked_before_free = len(acks)
    recovered_at = None
    while server.alive():
        time.sleep(0.05)
        acks, _, _ = load.snapshot()
        if recovered_at is None and any(a[4] > freed_at for a in acks[acked_before_free:]):
            recovered_at = min(a[4] for a in acks[acked_before_free:] if a[4] > freed_at)
        pending = [op for op in load.ops_snapshot() if op.refusals and not op.acked]
        if recovered_at is not None and not pending and time.monotonic() - recovered_at > 1:
            break
        if time.monotonic() - freed_at > args.recover_timeout:
            failures.append(f"cycle {cycle}: appends did not resume within {args.recover_timeout:.0f}s of freeing space "
                            f"({len(pending)} refused commands still unacknowledged)")
            break
    if not server.alive():
        failures.append(f"cycle {cycle}: the server died (exit {server.process.returncode}); see serve.log")
        return figures
    figures["recovery"] = recovered_at - freed_at if recovered_at is not None else None
    # Quiesce, then every projector must be live at the head again (none left parked).
    load.up.clear()
    load.idle.wait(timeout=40)
    caught_up, lagging = projectors_at_head(args.port, load.token, 60)
    figures["projectors"] = "live at head" if caught_up else "LAGGING"
    if not caught_up:
        failures.append(f"cycle {cycle}: projectors did not return to live at the head after space was freed: {lagging}")
    acks, _, _ = load.snapshot()
    figures["acked"] = len(acks) - acked_before
    print(f"disk-full: cycle {cycle}: ballast {size / MB:.1f} MiB ({figures['left'] / MB:.1f} MiB left), full after "
          f"{figures.get('to full', 0):.1f}s and {figures['acked to full']} acknowledged appends, {figures['refused']} answered 507 "
          f"over {figures['full seconds']:.1f}s ({figures['free while full']} bytes free), {figures['reads ok']} reads served while full "
          f"({figures['reads failed']} failed), first append acknowledged "
          + (f"{figures['recovery']:.2f}s" if figures["recovery"] is not None else "never")
          + f" after freeing, projectors {figures['projectors']}", flush=True)
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crm", required=True)
    parser.add_argument("--work", required=True, help="logs and the checkpoint key (not on the small filesystem)")
    parser.add_argument("--mount", required=True, help="the small filesystem; the data directory goes here")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cycles", type=int, default=1, help="fill-and-free cycles without a restart")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--customers", type=int, default=16)
    parser.add_argument("--headroom-mb", type=float, default=6)
    parser.add_argument("--min-refusals", type=int, default=100)
    parser.add_argument("--full-seconds", type=float, default=3)
    parser.add_argument("--fill-timeout", type=float, default=45)
    parser.add_argument("--recover-timeout", type=float, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    started = time.monotonic()
    failures = []
    data = os.path.join(args.mount, "data")
    key = os.path.join(args.work, "checkpoint.key")
    with open(key, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.chmod(key, 0o600)
    server = Server(args.crm, data, key, args.port, args.work)

    # A fresh store on the small filesystem, a token, a few customers.
    server.start()
    if not server.wait_until("/health", 60):
        print("disk-full drill FAIL: the server did not start; see serve.log")
        return 1
    token = subprocess.run([args.crm, "token", "create", "--data", data, "--user", "drill-admin", "--role", "admin"],
                           capture_output=True, text=True, check=True).stdout.strip()
    run = f"F{args.seed}"
    customers = []
    for n in range(args.customers):
        ident = f"DRILL-{run}-C{n}"
        status, _, answer = request(args.port, token, "POST", "/v1/customers",
                                    {"customerId": ident, "kind": "person", "name": f"Drill Customer {n}",
                                     "email": f"drill-{run.lower()}-c{n}@example.org", "channel": "webForm", "registerAnyway": True},
                                    {"Idempotency-Key": f"setup-{ident}"})
        if status != 201:
            print(f"disk-full drill FAIL: registering {ident} answered {status}: {answer}")
            return 1
        customers.append(ident)
    _, _, head = request(args.port, token, "GET", "/v1/log/head")
    first_position = head["position"] + 1
    facts = os.statvfs(args.mount)
    print(f"disk-full: seed {args.seed}, {args.workers} writers, {args.cycles} cycle(s), filesystem "
          f"{facts.f_blocks * facts.f_frsize / MB:.0f} MiB at {args.mount}, log starts at {first_position}", flush=True)

    load = Load(args.port, token, customers, run, args.workers, args.seed)
    reader = Reader(args.port, token, customers)
    reader.thread.start()
    for thread in load.threads:
        thread.start()
    cycles = []
    for cycle in range(1, args.cycles + 1):
        cycles.append(fill_cycle(args, cycle, server, load, reader, failures))
        if failures:
            break
    load.stopping.set()
    load.up.set()
    for thread in load.threads:
        thread.join(timeout=40)
    reader.stopping.set()
    reader.thread.join(timeout=10)
    if not server.alive():
        return report(args, started, failures, [load], [reader], cycles, None, None, None, None)

    # Stop, verify, and look for every acknowledged command in the log.
    stop_code = server.stop()
    if stop_code != 0:
        failures.append(f"graceful stop exited {stop_code}")
    acks, refusals, counts = load.snapshot()
    verify_code, verify_text = crm_verify(args.crm, data, key)
    if verify_code != 0:
        failures.append(f"crm verify after the drill exit {verify_code}: {verify_text}")
    events = read_log_offline(args.crm, data, key, first_position)
    lost = check_acks(acks, events)
    problems = check_load(load, events)
    failures.extend(problems[:20])
    duplicates = [p for p in problems if " stored " in p and " times" in p]
    failures.extend(f"a read while the disk was full answered {status}: {path}" for path, status in reader.failed[:10])
    if any(c.get("refused") for c in cycles) and reader.ok == 0:
        failures.append("no read was made while the disk was full")

    # Restart with the disk full (a ballast takes every free byte): the server must come up ready
    # and serve the log (every acknowledged command in it); then one more cycle on it: writers until
    # refused with 507 (LMDB reuses its free pages first, so some appends still fit), the ballast
    # removed, every refused command acknowledged, projectors live. A graceful stop, `crm verify`.
    put_ballast(args.mount, free_bytes(args.mount))
    server.start()
    after = Load(args.port, token, customers, run + "R", args.workers, args.seed + 1000)
    after_reader = Reader(args.port, token, customers)
    restart = None
    if not server.wait_until("/ready", 120):
        failures.append(f"the server did not become ready when restarted on the full disk ({free_bytes(args.mount)} bytes free)")
    else:
        failures.extend(f"after the restart: {p}" for p in check_acks(acks, read_log_http(args.port, token, first_position))[:10])
        after_reader.thread.start()
        for thread in after.threads:
            thread.start()
        restart = fill_cycle(args, "restart", server, after, after_reader, failures, ballast_in_place=True)
        after.stopping.set()
        after.up.set()
        for thread in after.threads:
            thread.join(timeout=40)
        after_reader.stopping.set()
        after_reader.thread.join(timeout=10)
    ballast = os.path.join(args.mount, "ballast")
    if os.path.exists(ballast):
        os.remove(ballast)
    final_stop = server.stop()
    if final_stop != 0:
        failures.append(f"graceful stop after the restart exited {final_stop}")
    final_code, final_text = crm_verify(args.crm, data, key)
    if final_code != 0:
        failures.append(f"crm verify after the restart exit {final_code}: {final_text}")
    if restart is not None:
        events_after = read_log_offline(args.crm, data, key, first_position)
        failures.extend(f"after the restart: {p}" for p in check_load(after, events_after)[:10])
        lost = lost + check_acks(after.snapshot()[0], events_after)
        failures.extend(f"after the restart: a read while the disk was full answered {status}: {path}"
                        for path, status in after_reader.failed[:10])
        cycles.append(restart)
    return report(args, started, failures, [load, after], [reader, after_reader], cycles, lost, duplicates, final_code,
                  len(events))


def report(args, started, failures, loads, readers, cycles, lost, duplicates, verify_code, appended):
    acks, refusals, counts, ops, unexpected = [], [], {}, [], 0
    for load in loads:
        a, r, c = load.snapshot()
        acks += a
        refusals += r
        for name, value in c.items():
            counts[name] = counts.get(name, 0) + value
        ops += load.ops_snapshot()
        unexpected += len(load.unexpected)
    reads_ok = sum(reader.ok for reader in readers)
    reads_failed = sum(len(reader.failed) for reader in readers)
    personal = {k: sum(reader.personal[k] for reader in readers) for k in ("200", "507")}
    duration = time.monotonic() - started
    refused_ops = sum(1 for op in ops if op.refusals)
    recovered_ops = sum(1 for op in ops if op.refusals and op.acked)
    recoveries = [c["recovery"] for c in cycles if c.get("recovery") is not None]
    print(f"disk-full: {counts.get('sent', 0)} requests sent, {len(acks)} acknowledged, {len(refusals)} answered 507 "
          f"({refused_ops} commands refused at least once, {recovered_ops} of them acknowledged after space was freed), "
          f"{counts.get('busy', 0)} 429/503, {counts.get('connection-errors', 0)} connection errors, {unexpected} unexpected answers")
    sample = next((load.sample_507 for load in loads if load.sample_507 is not None), None)
    if sample is not None:
        print(f"disk-full: a 507 answer ({sample[0]}): {json.dumps(sample[1])}")
    print(f"disk-full: customer 360 reads while full (personal data, answered only once the access is recorded): "
          f"{personal['200']} answered 200, {personal['507']} refused with 507")
    print(f"disk-full: other reads while full: {reads_ok} answered 200, {reads_failed} failed; first append acknowledged "
          f"{max(recoveries):.2f}s (worst cycle) after space was freed" if recoveries else
          f"disk-full: other reads while full: {reads_ok} answered 200, {reads_failed} failed; appends never resumed")
    if appended is not None:
        print(f"disk-full: {len(lost)} acknowledged commands lost, {len(duplicates)} duplicated; "
              f"crm verify after the restart exit {verify_code}")
    for failure in failures[:20]:
        print("  FAILURE " + failure)
    verdict = "PASS" if not failures else "FAIL"
    print(f"disk-full drill {verdict}: {len(cycles)} fills{' (the last after a restart on the full disk)' if len(cycles) > args.cycles else ''}, "
          f"{len(acks)} acknowledged, {len(refusals)} refused with 507, {reads_ok} reads served while full, "
          f"lost {len(lost) if lost is not None else '?'}, "
          f"recovered in {f'{max(recoveries):.2f}s' if recoveries else 'never'} without restart, "
          f"verify {'intact' if verify_code == 0 else 'BROKEN' if verify_code is not None else 'not run'}, "
          f"seed {args.seed}, {duration:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    try:
        code = main()
    except Exception as error:  # the verdict line must come even when the drill itself breaks
        print(f"disk-full drill FAIL: the drill stopped on {type(error).__name__}: {error}")
        code = 1
    finally:
        for leftover in SERVERS:
            if leftover.alive():
                leftover.process.kill()
                leftover.process.wait()
    sys.exit(code)
