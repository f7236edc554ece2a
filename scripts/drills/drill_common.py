"""Shared by the drill programs (crash_drill.py, soak_drill.py, stress_drill.py): the server process,
admin requests, offline log reads, `crm verify`, waiting for the projectors, the comparison of every
read model with a fresh rebuild (`crm rebuild --checksums`), and a live-feed (SSE) subscriber that
checks it sees every event exactly once in log order.

Standard library only, so every drill runs on a bare python3.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time

HOST = "127.0.0.1"
SERVERS = []  # every Server made, so an unexpected exception still kills what the drill started


class Server:
    """One `crm serve` process on the drill's data directory."""

    def __init__(self, crm, data, port, logs):
        self.crm, self.data, self.port, self.logs = crm, data, port, logs
        self.process = None
        self.starts = 0
        SERVERS.append(self)

    @property
    def pid(self):
        return self.process.pid

    def start(self, demo=False):
        self.starts += 1
        args = [self.crm, "serve", "--data", self.data, "--port", str(self.port)] + (["--demo"] if demo else [])
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
            if self.process.poll() is not None:
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

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        """SIGTERM and wait: the exit status, or None when it had to be killed after 60 s."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


def kill_leftover_servers():
    """Called on the way out of a drill: SIGKILLs any server it started that still runs."""
    for leftover in SERVERS:
        if leftover.process is not None and leftover.process.poll() is None:
            leftover.kill()


def create_token(crm, data, user="drill-admin", role="admin"):
    return subprocess.run([crm, "token", "create", "--data", data, "--user", user, "--role", role],
                          capture_output=True, text=True, check=True).stdout.strip()


def admin_get(port, token, path, timeout=15):
    """GET with the admin token: (status, parsed JSON or None)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(body) if body else None
    except ValueError:
        return response.status, None


def admin_post(port, token, path, body=None, timeout=15):
    """POST (JSON) with the admin token: (status, parsed JSON or None)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request("POST", path, json.dumps(body) if body is not None else "", headers)
        response = conn.getresponse()
        text = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(text) if text else None
    except ValueError:
        return response.status, None


def customer_ids(port, token):
    """The ids of the customers the list route knows (the demo has about 120)."""
    _, listing = admin_get(port, token, "/v1/customers?limit=1000")
    return [c["customerId"] for c in listing["items"]]


def log_head(port, token):
    status, head = admin_get(port, token, "/v1/log/head")
    return int(head["position"]) if status == 200 and head and "position" in head else 0


def read_log_events(crm, data, start=1):
    """Every event from position `start` as `crm log` prints it (offline: the server is stopped)."""
    out = subprocess.run([crm, "log", "--data", data, "--from", str(start)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"crm log failed ({out.returncode}): {out.stderr.strip()}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def crm_verify(crm, data):
    """`crm verify` (offline): (exit code, its output)."""
    out = subprocess.run([crm, "verify", "--data", data], capture_output=True, text=True)
    return out.returncode, (out.stdout + out.stderr).strip()


def wait_projectors_caught_up(port, token, timeout):
    """Waits until every projector is live with its checkpoint at the log head.

    Returns (caught up?, seconds it took, the last projection status list)."""
    started = time.monotonic()
    deadline = started + timeout
    projections = None
    while time.monotonic() < deadline:
        try:
            _, head = admin_get(port, token, "/v1/log/head")
            _, projections = admin_get(port, token, "/v1/projections")
            lagging = [p["name"] for p in projections["projectors"]
                       if p["checkpoint"] < head["position"] or p["state"] != "live"]
            if not lagging:
                return True, time.monotonic() - started, projections
        except (OSError, http.client.HTTPException, KeyError, TypeError):
            pass
        time.sleep(0.2)
    return False, time.monotonic() - started, projections


class RebuildComparison:
    """`crm rebuild --checksums` on a stopped server's data: every read model rebuilt from position 1
    in a fresh generation must have the same checksum as the one the server built live."""

    def __init__(self, crm, data):
        out = subprocess.run([crm, "rebuild", "--data", data, "--checksums"], capture_output=True, text=True)
        self.exit_code = out.returncode
        self.stdout, self.stderr = out.stdout, out.stderr
        self.summaries = [line for line in out.stdout.splitlines() if ": generation " in line]
        self.unequal = [line.split(":")[0] for line in self.summaries
                        if "checksum equal to the previous read model" not in line]

    @property
    def equal(self):
        return self.exit_code == 0 and bool(self.summaries) and not self.unequal

    @property
    def equal_count(self):
        return len(self.summaries) - len(self.unequal)

    def failure(self):
        return (f"crm rebuild --checksums exit {self.exit_code}; read models not reproduced: {self.unequal}; "
                f"{self.stdout[-2000:]} {self.stderr[-1000:]}")


class FeedSubscriber(threading.Thread):
    """A live-feed client (`GET /v1/feed`, server-sent events) that records what it receives and
    checks that every event arrives exactly once, in log order, with no gap.

    `start_position`: the first position it asks for (`from`). With `reconnect_every` (seconds) it
    drops its connection that often and resumes with `Last-Event-ID`, like a browser's EventSource.
    `keep_events`: also keep (position, type, stream, streamVersion, hash) of every event, for a
    comparison with the log."""

    def __init__(self, port, token, start_position, name, reconnect_every=None, keep_events=False):
        super().__init__(name=name, daemon=True)
        self.port, self.token = port, token
        self.start_position = start_position
        self.reconnect_every = reconnect_every
        self.keep_events = keep_events
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.last = start_position - 1   # the last position received
        self.received = 0
        self.problems = []              # gaps, duplicates, reorderings, broken frames
        self.connections = 0
        self.disconnects = []           # unexpected ends of the stream (not asked for)
        self.refused = []               # statuses other than 200 when connecting
        self.events = []
        self._conn = None

    def snapshot(self):
        with self.lock:
            return self.last, self.received, list(self.problems), self.connections, list(self.disconnects)

    def stop(self):
        self.stopping.set()
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def wait_for(self, position, timeout):
        """Waits until the subscriber has received `position`; True when it has."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.last >= position:
                    return True
            time.sleep(0.1)
        with self.lock:
            return self.last >= position

    def run(self):
        while not self.stopping.is_set():
            try:
                self._session()
            except (OSError, http.client.HTTPException) as error:
                if not self.stopping.is_set():
                    with self.lock:
                        self.disconnects.append(f"{type(error).__name__}: {error}")
                    time.sleep(0.2)

    def _session(self):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        self._conn = conn
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        with self.lock:
            resume = self.last
        if self.connections == 0:
            path = f"/v1/feed?from={self.start_position}"
        else:
            path = "/v1/feed"
            headers["Last-Event-ID"] = str(resume)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                body = response.read()[:300]
                with self.lock:
                    self.refused.append(f"{response.status} {body!r}")
                time.sleep(0.5)
                return
            with self.lock:
                self.connections += 1
            opened = time.monotonic()
            frame = {}
            while not self.stopping.is_set():
                if self.reconnect_every and time.monotonic() - opened > self.reconnect_every and not frame:
                    return  # drop the connection on purpose; the next session resumes
                raw = response.readline()
                if not raw:
                    if not self.stopping.is_set():
                        with self.lock:
                            self.disconnects.append("the server ended the stream")
                    return
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if "id" in frame:
                        self._event(frame)
                    frame = {}
                elif line.startswith(":") or line.startswith("retry:"):
                    continue
                else:
                    field, _, value = line.partition(":")
                    frame[field] = value[1:] if value.startswith(" ") else value
        finally:
            self._conn = None
            conn.close()

    def _event(self, frame):
        try:
            position = int(frame["id"])
            event = json.loads(frame.get("data", ""))
        except ValueError:
            with self.lock:
                self.problems.append(f"unparsable frame {frame!r}"[:300])
            return
        with self.lock:
            if event.get("position") != position or event.get("type") != frame.get("event"):
                self.problems.append(f"frame id {position} / event {frame.get('event')} disagree with its data")
            if position != self.last + 1:
                kind = "duplicate or reordered" if position <= self.last else "gap"
                self.problems.append(f"{kind}: position {position} after {self.last}")
            if position > self.last:
                self.last = position
            self.received += 1
            if self.keep_events:
                self.events.append((position, event.get("type"), event.get("stream"), event.get("streamVersion"),
                                    event.get("hash")))


def median(values):
    ordered = sorted(values)
    if not ordered:
        return 0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def proc_status(pid):
    """Memory and thread figures of a process from /proc/PID/status, in kB (and open descriptors)."""
    figures = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem", "VmSize", "Threads"):
                figures[key] = int(value.split()[0])
    try:
        figures["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        figures["fds"] = -1
    return figures
