#!/usr/bin/env python3
"""Concurrency stress drill (issue 7, drill 6): many writers on few streams, readers, live
subscribers and projector rebuilds at once; afterwards the log, the feeds and the read models must
be exactly what a serial history gives.

Driven by scripts/drills/stress.sh. This program starts `crm serve --demo` on a fresh data
directory and, for the given time, all at once:
  * WRITERS threads on FEW streams (3 demo customers, 2 integration streams):
      - 60%: an interaction on a hot customer with `If-Match` (the stream version just read); a 409
        `version-conflict` is counted, the writer re-reads the stream and retries the same command;
      - 15%: the same without If-Match (the server's own bounded retry; a 409
        `concurrency-conflict` is counted and retried by the writer);
      - 25%: an atomic batch over both integration streams (`POST /v1/streams/batch`) with the
        expected version of each; on a conflict, re-read both and retry with the same event ids;
    every 20th command of a writer is also sent by two more threads at the same moment with the
    same Idempotency-Key (twins: all three must get the same answer, the command stored once);
    every 10th acknowledged write is read back with `minPosition` (read-your-writes);
  * READERS threads: customer 360 of the hot customers, the customer list, the pipeline board,
    stream reads, log pages;
  * four live-feed subscribers (`/v1/feed`, keeping every event): one for the whole run, one that
    reconnects every 5 s with Last-Event-ID, one that joins at a third of the run from position 1
    (catching up 10,000 events while the log grows), one that joins at two thirds;
  * a rebuild of every projector requested at 30% and again at 65% of the run (shadow
    generations built while the live ones serve; each swap compares checksums).
At the end (load stopped, projectors at the head, subscribers at the head, graceful stop):
  * every 2xx write is in the log exactly once, at the position and stream version its answer
    named; no write that was refused left an event (every drill event in the log was acknowledged);
    a batch is all or nothing; each hot stream's versions run 1..n without a gap;
  * every subscriber saw every event of its range exactly once, in log order, equal to the log
    (position, type, stream, stream version, hash);
  * every mid-run rebuild swapped with equal checksums; `crm verify` passes; `crm rebuild
    --checksums` finds every read model equal to a fresh serial replay;
  * zero 5xx, zero transport errors, and at least one version conflict (else nothing was tested).
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
import uuid

from drill_common import (HOST, FeedSubscriber, RebuildComparison, Server, admin_get, admin_post, create_token,
                          crm_verify, kill_leftover_servers, log_head, read_log_events, wait_projectors_caught_up)

EXT_STREAMS = ["ext-stress-a", "ext-stress-b"]


class Client:
    """One keep-alive connection with the admin token; (status, headers, parsed body)."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        all_headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                self.conn.request(method, path, json.dumps(body) if body is not None else None, all_headers)
                response = self.conn.getresponse()
                text = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed between requests: one fresh try.
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return response.status, response.headers, parsed


class Stats:
    """Counters and records shared by every load thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.statuses = {}
        self.acks = []          # (kind, ident, stream, position, streamVersion, expected or None)
        self.batches = []       # (ident, [event ids], acked answer or None)
        self.twins = []         # (ident, [(status, body)])
        self.failures = []

    def count(self, name, n=1):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def status(self, kind, status):
        with self.lock:
            key = f"{kind} {status}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if status >= 500:
                self.failures.append(f"{kind}: {status}")

    def fail(self, text):
        with self.lock:
            self.failures.append(text)


class Writer(threading.Thread):
    def __init__(self, number, port, token, run, hot, stats, stopping, seed):
        super().__init__(name=f"writer-{number}", daemon=True)
        self.number, self.port, self.token, self.run_id = number, port, token, run
        self.hot, self.stats, self.stopping = hot, stats, stopping
        self.rng = random.Random(seed)
        self.client = Client(port, token)
        self.serial = 0

    def version(self, stream):
        status, _, body = self.client.request("GET", f"/v1/streams/{stream}")
        self.stats.status("read-version", status)
        if status == 404:
            return 0
        if status != 200:
            raise RuntimeError(f"GET /v1/streams/{stream}: {status} {body}")
        return int(body["version"])

    def run(self):
        while not self.stopping.is_set():
            self.serial += 1
            ident = f"ST-{self.run_id}-{self.number}-{self.serial}"
            roll = self.rng.random()
            try:
                if self.serial % 20 == 0:
                    self.twins(ident)
                elif roll < 0.60:
                    self.interaction(ident, if_match=True)
                elif roll < 0.75:
                    self.interaction(ident, if_match=False)
                else:
                    self.batch(ident)
            except (OSError, http.client.HTTPException, RuntimeError) as error:
                self.stats.count("transport-errors")
                self.stats.fail(f"{self.name} {ident}: {type(error).__name__}: {error}")
                self.client = Client(self.port, self.token)

    def interaction(self, ident, if_match):
        customer = self.rng.choice(self.hot)
        stream = f"customer-{customer}"
        body = {"interactionId": ident, "channel": "call", "direction": "outbound", "durationSeconds": 30,
                "outcome": "reached"}
        attempts = 0
        while not self.stopping.is_set() or attempts == 0:
            attempts += 1
            headers = {}
            expected = None
            if if_match:
                expected = self.version(stream)
                headers["If-Match"] = str(expected)
            status, _, answer = self.client.request("POST", f"/v1/customers/{customer}/interactions", body, headers)
            self.stats.status("interaction", status)
            if 200 <= status < 300:
                if expected is not None and answer.get("streamVersion") != expected + 1:
                    self.stats.fail(f"{ident}: If-Match {expected} answered stream version {answer.get('streamVersion')}")
                self.stats.count("acked-interactions")
                if attempts > 1:
                    self.stats.count("acked-after-retry")
                with self.stats.lock:
                    self.stats.acks.append(("interaction", ident, answer["stream"], answer["position"],
                                            answer["streamVersion"], expected))
                if self.serial % 10 == 0:
                    self.read_your_write(customer, answer["position"])
                return
            code = (answer or {}).get("code")
            if status == 409 and code == "version-conflict":
                self.stats.count("version-conflicts")
                continue
            if status == 409 and code == "concurrency-conflict":
                self.stats.count("concurrency-conflicts")
                continue
            if status == 429:
                self.stats.count("busy")
                time.sleep(0.05)
                continue
            self.stats.fail(f"{ident}: unexpected answer {status} {answer}")
            return
        self.stats.count("abandoned-at-stop")

    def read_your_write(self, customer, position):
        status, headers, body = self.client.request("GET", f"/v1/customers/{customer}?minPosition={position}")
        self.stats.status("read-your-write", status)
        self.stats.count("read-your-writes")
        if status == 200 and int(headers.get("X-Log-Position", "0")) < position:
            self.stats.fail(f"read-your-write of {position} answered at {headers.get('X-Log-Position')}")

    def batch(self, ident):
        ids = [str(uuid.uuid4()) for _ in EXT_STREAMS]
        with self.stats.lock:
            record = [ident, ids, None]
            self.stats.batches.append(record)
        attempts = 0
        while not self.stopping.is_set() or attempts == 0:
            attempts += 1
            versions = [self.version(stream) for stream in EXT_STREAMS]
            body = {"streams": [{"stream": stream, "expectedVersion": version if version else "none",
                                 "events": [{"id": event_id, "type": "StressPing",
                                             "data": {"batch": ident, "part": index}}]}
                                for index, (stream, version, event_id) in enumerate(zip(EXT_STREAMS, versions, ids))]}
            status, _, answer = self.client.request("POST", "/v1/streams/batch", body)
            self.stats.status("batch", status)
            if 200 <= status < 300:
                parts = answer["streams"]
                for part, version in zip(parts, versions):
                    if part["streamVersion"] != version + 1 or part.get("wasAlreadyStored"):
                        self.stats.fail(f"batch {ident}: expected {version} answered {part}")
                self.stats.count("acked-batches")
                if attempts > 1:
                    self.stats.count("acked-after-retry")
                with self.stats.lock:
                    record[2] = parts
                return
            code = (answer or {}).get("code")
            if status == 409 and code == "version-conflict":
                self.stats.count("version-conflicts")
                continue
            if status == 429:
                self.stats.count("busy")
                time.sleep(0.05)
                continue
            self.stats.fail(f"batch {ident}: unexpected answer {status} {answer}")
            return
        self.stats.count("abandoned-at-stop")

    def twins(self, ident):
        """The same command three times at once with one Idempotency-Key."""
        customer = self.rng.choice(self.hot)
        body = {"interactionId": ident, "channel": "email", "direction": "inbound", "outcome": "answered"}
        answers = []
        lock = threading.Lock()

        def send():
            client = Client(self.port, self.token)
            try:
                status, _, answer = client.request("POST", f"/v1/customers/{customer}/interactions", body,
                                                   {"Idempotency-Key": f"twin-{ident}"})
            except (OSError, http.client.HTTPException) as error:
                status, answer = -1, str(error)
            self.stats.status("twin", status)
            with lock:
                answers.append((status, json.dumps(answer, sort_keys=True)))

        threads = [threading.Thread(target=send) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.stats.count("twin-bursts")
        with self.stats.lock:
            self.stats.twins.append((ident, answers))
        if all(200 <= status < 300 for status, _ in answers) and len({text for _, text in answers}) == 1:
            answer = json.loads(answers[0][1])
            with self.stats.lock:
                self.stats.acks.append(("twin", ident, answer["stream"], answer["position"], answer["streamVersion"], None))
        else:
            self.stats.fail(f"twins {ident} got {answers}")


class Reader(threading.Thread):
    def __init__(self, number, port, token, hot, active, stats, stopping, seed):
        super().__init__(name=f"reader-{number}", daemon=True)
        self.client = Client(port, token)
        self.port, self.token = port, token
        self.hot, self.active, self.stats, self.stopping = hot, active, stats, stopping
        self.rng = random.Random(seed)

    def run(self):
        while not self.stopping.is_set():
            roll = self.rng.random()
            if roll < 0.35:
                kind, path = "360", f"/v1/customers/{self.rng.choice(self.hot + self.active)}"
            elif roll < 0.50:
                kind, path = "list", f"/v1/customers?limit=50&sort={self.rng.choice(['name', 'registeredAt'])}"
            elif roll < 0.65:
                kind, path = "pipeline", "/v1/pipeline"
            elif roll < 0.80:
                stream = self.rng.choice([f"customer-{c}" for c in self.hot] + EXT_STREAMS)
                kind, path = "stream", f"/v1/streams/{stream}/events?direction=backward&limit=10"
            else:
                kind, path = "log", f"/v1/events?from={self.rng.randint(1, 10000)}&limit=100"
            try:
                status, _, _ = self.client.request("GET", path)
            except (OSError, http.client.HTTPException) as error:
                self.stats.count("transport-errors")
                self.stats.fail(f"{self.name} {path}: {type(error).__name__}: {error}")
                self.client = Client(self.port, self.token)
                continue
            self.stats.status(f"read-{kind}", status)
            self.stats.count("reads")
            if status not in (200, 404):
                self.stats.fail(f"read {path}: {status}")


def request_rebuilds(port, token, names, stats):
    """Asks for a rebuild of every projector; their generations before the request."""
    generations = {}
    _, status = admin_get(port, token, "/v1/projections")
    for projector in status["projectors"]:
        generations[projector["name"]] = projector["generation"]
    for name in names:
        code, answer = admin_post(port, token, f"/v1/projections/{name}/rebuild")
        stats.status("rebuild-request", code)
        if code != 202:
            stats.fail(f"rebuild {name}: {code} {answer}")
    return generations


def rebuilds_done(port, token, before):
    """(finished?, [lastRebuild of each projector that swapped since `before`])."""
    _, status = admin_get(port, token, "/v1/projections")
    outcomes = []
    for projector in status["projectors"]:
        last = projector.get("lastRebuild")
        if projector["generation"] <= before[projector["name"]] or projector.get("rebuild") or not last:
            return False, []
        outcomes.append((projector["name"], last))
    return True, outcomes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crm", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--hot", type=int, default=3, help="hot customers (the integration streams come on top)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    data = os.path.join(args.work, "data")
    failures = []
    server = Server(args.crm, data, args.port, args.work)
    server.start(demo=True)
    if not server.wait_until("/ready", 300):
        print("stress: the demo server did not become ready", file=sys.stderr)
        return 1
    token = create_token(args.crm, data, user="stress-admin")
    _, listing = admin_get(args.port, token, "/v1/customers?limit=1000&state=active")
    active = sorted(c["customerId"] for c in listing["items"])
    hot = rng.sample(active, args.hot)
    first = log_head(args.port, token) + 1
    _, status = admin_get(args.port, token, "/v1/projections")
    names = [p["name"] for p in status["projectors"]]
    print(f"stress: seed {args.seed}, {args.seconds} s, {args.writers} writers on {len(hot)} customers {hot} + "
          f"{len(EXT_STREAMS)} integration streams, {args.readers} readers, 4 feeds, rebuilds of {len(names)} "
          f"projectors at 30% and 65%; log starts at {first}", flush=True)

    stats = Stats()
    stopping = threading.Event()
    run = f"R{args.seed}"
    threads = [Writer(n, args.port, token, run, hot, stats, stopping, args.seed * 100 + n) for n in range(args.writers)]
    threads += [Reader(n, args.port, token, hot, active, stats, stopping, args.seed * 1000 + n)
                for n in range(args.readers)]
    feeds = [FeedSubscriber(args.port, token, first, "feed-whole", keep_events=True),
             FeedSubscriber(args.port, token, first, "feed-reconnecting", reconnect_every=5, keep_events=True)]
    late = [(0.33, FeedSubscriber(args.port, token, 1, "feed-from-1-at-33%", keep_events=True)),
            (0.66, FeedSubscriber(args.port, token, first, "feed-late-at-66%", keep_events=True))]
    for feed in feeds:
        feed.start()
    for thread in threads:
        thread.start()

    rebuild_rounds = []   # (requested at s, generations before, finished at s or None, outcomes)
    schedule = [0.30, 0.65]
    load_started = time.monotonic()
    deadline = load_started + args.seconds
    pending = None
    while time.monotonic() < deadline:
        elapsed = (time.monotonic() - load_started) / args.seconds
        for fraction, feed in list(late):
            if elapsed >= fraction:
                feed.start()
                feeds.append(feed)
                late.remove((fraction, feed))
        if pending is None and schedule and elapsed >= schedule[0]:
            schedule.pop(0)
            pending = [time.monotonic() - load_started, request_rebuilds(args.port, token, names, stats), None, []]
            rebuild_rounds.append(pending)
        if pending is not None:
            done, outcomes = rebuilds_done(args.port, token, pending[1])
            if done:
                pending[2], pending[3] = time.monotonic() - load_started, outcomes
                pending = None
        if not server.alive():
            failures.append(f"the server died (exit {server.process.returncode})")
            break
        time.sleep(0.25)
    stopping.set()
    for thread in threads:
        thread.join(timeout=60)
    load_seconds = time.monotonic() - load_started
    for _, feed in late:  # a run too short to reach them
        feed.start()
        feeds.append(feed)

    # Quiesce: rebuilds finished, projectors at the head, every feed at the head.
    if pending is not None:
        wait_until = time.monotonic() + 300
        while time.monotonic() < wait_until:
            done, outcomes = rebuilds_done(args.port, token, pending[1])
            if done:
                pending[2], pending[3] = time.monotonic() - load_started, outcomes
                break
            time.sleep(0.5)
    caught_up, catch_up_seconds, projections = wait_projectors_caught_up(args.port, token, 120)
    if not caught_up:
        failures.append(f"projectors not at the head 120 s after the load: {projections}")
    head = log_head(args.port, token)
    for feed in feeds:
        if not feed.wait_for(head, 120):
            failures.append(f"{feed.name} did not reach the head {head}: at {feed.snapshot()[0]}")
        feed.stop()
    for feed in feeds:
        feed.join(timeout=10)
    stop_code = server.stop()
    if stop_code != 0:
        failures.append(f"graceful stop exited {stop_code}")

    # The log, read offline.
    events = read_log_events(args.crm, data, 1)
    by_position = {event["position"]: event for event in events}
    failures.extend(stats.failures[:20])
    if len(stats.failures) > 20:
        failures.append(f"... and {len(stats.failures) - 20} more load failures")

    # 1. Every acknowledged interaction exactly once, where its answer said; nothing unacknowledged.
    stored = {}
    for event in events:
        if event["type"] == "InteractionLogged":
            ident = (event.get("data") or {}).get("interactionId", "")
            if ident.startswith(f"ST-{run}-"):
                stored.setdefault(ident, []).append(event)
    acked = {}
    for kind, ident, stream, position, version, expected in stats.acks:
        acked[ident] = (stream, position, version)
        found = stored.get(ident, [])
        if len(found) != 1:
            failures.append(f"acknowledged {kind} {ident} is stored {len(found)} times")
            continue
        event = found[0]
        if (event["stream"], event["position"], event["streamVersion"]) != (stream, position, version):
            failures.append(f"{ident} answered {stream}@{version} position {position}, stored "
                            f"{event['stream']}@{event['streamVersion']} position {event['position']}")
    # A command whose last answer was a refusal (a conflict, also at the stop) must have written nothing.
    unacked = sorted(set(stored) - set(acked))
    if unacked:
        failures.append(f"{len(unacked)} interactions stored without a 2xx answer: {unacked[:5]}")
    # 2. Batches: all or nothing, once, where the answer said.
    batch_events = {}
    for event in events:
        if event["type"] == "StressPing":
            batch_events.setdefault(event["id"], []).append(event)
    acked_batches = 0
    partial = 0
    for ident, ids, parts in stats.batches:
        present = [batch_events.get(event_id, []) for event_id in ids]
        counts = [len(p) for p in present]
        if counts not in ([0] * len(ids), [1] * len(ids)):
            partial += 1
            failures.append(f"batch {ident} stored partly or twice: {counts}")
            continue
        if parts is not None:
            acked_batches += 1
            if counts[0] == 0:
                failures.append(f"acknowledged batch {ident} is not in the log")
                continue
            for part, found in zip(parts, present):
                event = found[0]
                if [event["position"]] != part["positions"] or event["stream"] != part["stream"] or \
                        event["streamVersion"] != part["streamVersion"]:
                    failures.append(f"batch {ident}: answered {part}, stored {event['stream']}@{event['streamVersion']} "
                                    f"position {event['position']}")
            positions = sorted(found[0]["position"] for found in present)
            if positions != list(range(positions[0], positions[0] + len(positions))):
                failures.append(f"batch {ident}: its events are not adjacent: {positions}")
        elif counts[0]:
            failures.append(f"batch {ident} is stored but was never acknowledged")
    # 3. Stream versions of the hot streams run 1..n.
    for stream in [f"customer-{c}" for c in hot] + EXT_STREAMS:
        versions = [event["streamVersion"] for event in events if event["stream"] == stream]
        if versions != list(range(1, len(versions) + 1)):
            failures.append(f"{stream}: versions are not 1..{len(versions)}")
    # 4. Feeds equal to the log over their range.
    feed_lines = []
    for feed in feeds:
        last, received, problems, connections, disconnects = feed.snapshot()
        failures.extend(f"{feed.name}: {p}" for p in problems[:5])
        failures.extend(f"{feed.name}: unexpected disconnect: {d}" for d in disconnects[:3])
        failures.extend(f"{feed.name}: refused: {r}" for r in feed.refused[:3])
        expected = [(e["position"], e["type"], e["stream"], e["streamVersion"], e["hash"])
                    for e in events if feed.start_position <= e["position"] <= head]
        if feed.events != expected:
            mismatch = next((i for i, (a, b) in enumerate(zip(feed.events, expected)) if a != b), min(len(feed.events), len(expected)))
            failures.append(f"{feed.name}: differs from the log at index {mismatch} ({len(feed.events)} events received, "
                            f"{len(expected)} in the log from {feed.start_position})")
        feed_lines.append(f"{feed.name} {received} events/{connections} conn")
    # 5. Mid-run rebuilds.
    rebuild_lines = []
    for requested, _, finished, outcomes in rebuild_rounds:
        if finished is None:
            failures.append(f"the rebuilds requested at {requested:.0f} s did not finish")
            continue
        unequal = [name for name, last in outcomes if not last.get("checksumsMatch")]
        failures.extend(f"mid-run rebuild of {name}: checksums differ" for name in unequal)
        rebuild_lines.append(f"requested at {requested:.0f} s, all {len(outcomes)} swapped by {finished:.0f} s, "
                             f"{len(outcomes) - len(unequal)} checksums equal")
    if not rebuild_rounds:
        failures.append("no rebuild was requested (run too short)")
    # 6. Verify and the serial replay.
    code, verify_text = crm_verify(args.crm, data)
    if code != 0:
        failures.append(f"crm verify exit {code}: {verify_text}")
    rebuild = RebuildComparison(args.crm, data)
    if not rebuild.equal:
        failures.append(rebuild.failure())
    c = stats.counts
    fivexx = sum(n for key, n in stats.statuses.items() if int(key.rsplit(" ", 1)[1]) >= 500)
    conflicts = c.get("version-conflicts", 0)
    if conflicts == 0:
        failures.append("no version conflict happened: the drill did not test contention (more writers?)")
    writes = c.get("acked-interactions", 0) + c.get("acked-batches", 0) + len(stats.twins)

    duration = time.monotonic() - started
    print(f"stress: {load_seconds:.0f} s of load: {writes} writes acknowledged ({c.get('acked-interactions', 0)} "
          f"interactions, {c.get('acked-batches', 0)} batches, {len(stats.twins)} twin bursts), "
          f"{conflicts} version conflicts (409), {c.get('concurrency-conflicts', 0)} server-side retry give-ups (409), "
          f"{c.get('acked-after-retry', 0)} writes acknowledged after a retry; {c.get('reads', 0)} reads, "
          f"{c.get('read-your-writes', 0)} read-your-writes; {c.get('busy', 0)} 429, {fivexx} 5xx, "
          f"{c.get('transport-errors', 0)} transport errors")
    print(f"stress: log {first}..{head} ({head - first + 1} events), {len(stored)} drill interactions stored, "
          f"{acked_batches} batches stored whole, {partial} partial; feeds: {', '.join(feed_lines)}")
    print(f"stress: rebuilds: {'; '.join(rebuild_lines) or 'none'}; projectors at the head {catch_up_seconds:.1f} s after "
          f"the load; verify: {verify_text.splitlines()[0] if verify_text else ''}")
    print(f"stress: rebuild --checksums: {rebuild.equal_count}/{len(rebuild.summaries)} read models equal to a fresh "
          f"serial replay; statuses: {json.dumps(dict(sorted(stats.statuses.items())))}")
    for failure in failures[:25]:
        print("  FAILURE " + failure)
    verdict = "PASS" if not failures else "FAIL"
    print(f"stress drill {verdict}: {load_seconds:.0f} s, {args.writers} writers on {len(hot) + len(EXT_STREAMS)} streams, "
          f"{writes} writes acknowledged and each stored once, {conflicts} version conflicts retried, {fivexx} 5xx, "
          f"{len(feeds)} feeds {'exact' if not any('feed' in f for f in failures) else 'BROKEN'}, "
          f"{len(rebuild_rounds)} rebuild rounds under load, verify {'intact' if code == 0 else 'BROKEN'}, "
          f"read models {'equal to a serial replay' if rebuild.equal else 'DIVERGED'}, seed {args.seed}, {duration:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        kill_leftover_servers()
