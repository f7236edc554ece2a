"""Schemathesis hooks of the API fuzz drill (scripts/drills/fuzz-api.sh); loaded through SCHEMATHESIS_HOOKS.

Why hooks: schemathesis only sees answers, while the drill must also prove that a rejected request
wrote nothing. Around every request the hooks read the log head (`GET /v1/log/head` with the drill's
own admin token, outside schemathesis) and append one NDJSON record per request to $FUZZ_RECORD:
role, method, route, status, and the head before and after. `fuzz_api_report.py` judges the
records afterwards (5xx, writes from non-2xx answers, writes no request accounts for).

They also steer generation where random values cannot reach: path ids are sometimes swapped for ids
that exist in the demo data (else nearly every command would stop at 404 and never decide), and the
live feed always gets a `through` bound (without one it follows the log forever and the run hangs).

Environment: FUZZ_BASE_URL, FUZZ_ADMIN_TOKEN, FUZZ_ROLE, FUZZ_RECORD, FUZZ_IDS (a JSON object of
known ids by path prefix, e.g. {"customers": [...], "cases": [...]}).
"""

import http.client
import json
import os
import re
import threading
import time
import urllib.parse
import zlib

import schemathesis

_BASE = urllib.parse.urlsplit(os.environ["FUZZ_BASE_URL"])
_ADMIN = os.environ["FUZZ_ADMIN_TOKEN"]
_ROLE = os.environ.get("FUZZ_ROLE", "none")
_RECORD = open(os.environ["FUZZ_RECORD"], "a", buffering=1, encoding="utf-8")
with open(os.environ["FUZZ_IDS"], encoding="utf-8") as ids_file:
    _IDS = json.load(ids_file)

_local = threading.local()


def _head():
    """The log head's position, read on a connection of this thread's own; -1 when unreadable."""
    for _ in range(3):
        conn = getattr(_local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(_BASE.hostname, _BASE.port, timeout=30)
            _local.conn = conn
        try:
            conn.request("GET", "/v1/log/head", headers={"Authorization": "Bearer " + _ADMIN})
            answer = conn.getresponse()
            body = answer.read()
            if answer.status == 200:
                return int(json.loads(body)["position"])
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            pass
        conn.close()
        _local.conn = None
        time.sleep(0.05)
    return -1


def _pick(pool, value):
    """A known id chosen from the generated value (so shrinking and replay stay deterministic),
    for half of the generated values; the other half is kept as generated."""
    digest = zlib.crc32(repr(value).encode("utf-8", "surrogatepass"))
    if not pool or digest % 2 == 0:
        return value
    return pool[(digest >> 1) % len(pool)]


# The highest `through` the feed is asked for: the head when the run starts, so a bounded feed
# ends as soon as it has sent what is already there (a bound beyond the head would wait for writes).
_FEED_THROUGH_CAP = max(_head(), 1)


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    """Swaps `{id}` (by the path's collection) and `{stream}` for known ones half of the time."""
    if not path_parameters or context.operation is None:
        return path_parameters
    segments = context.operation.path.strip("/").split("/")
    collection = segments[1] if len(segments) > 1 and segments[0] == "v1" else ""
    pool = _IDS.get(collection)
    if pool and "id" in path_parameters:
        path_parameters["id"] = _pick(pool, path_parameters["id"])
    if "stream" in path_parameters:
        path_parameters["stream"] = _pick(_IDS.get("streams", []), path_parameters["stream"])
    return path_parameters


@schemathesis.hook
def map_query(context, query):
    """Bounds the live feed (`through`) so that its answer ends."""
    if context.operation is None or context.operation.path != "/v1/feed":
        return query
    query = dict(query or {})
    through = query.get("through")
    if through is None:
        # Without a bound the feed follows the log live and never ends: give it one.
        query["through"] = 1
    elif isinstance(through, int) and not isinstance(through, bool) and through > _FEED_THROUGH_CAP:
        query["through"] = _FEED_THROUGH_CAP
    elif isinstance(through, str) and re.fullmatch(r"\+?[0-9]+", through) and int(through) > _FEED_THROUGH_CAP:
        query["through"] = str(_FEED_THROUGH_CAP)
    # Any other value (negative, text, a list) is kept: the server must refuse it with 400.
    return query


@schemathesis.hook
def before_call(context, case, kwargs):
    """Reads the head before the request is sent."""
    _local.before = _head()
    _local.started = time.monotonic()


@schemathesis.hook
def after_call(context, case, response):
    """Reads the head after the answer and records the request."""
    after = _head()
    _write(case, response.status_code, after, "x-log-position" in {k.lower() for k in response.headers})


@schemathesis.hook
def after_network_error(context, case, request):
    """Records a request that got no answer (status 0): the report counts it as a failure."""
    _write(case, 0, _head(), False)


def _write(case, status, after, log_position):
    """Appends one NDJSON record of the request just answered (or not)."""
    record = {
        "role": _ROLE,
        "method": case.method.upper(),
        "route": case.operation.path,
        "path": case.formatted_path,
        "status": status,
        "before": getattr(_local, "before", -1),
        "after": after,
        "logPosition": log_position,
        "ms": round((time.monotonic() - getattr(_local, "started", time.monotonic())) * 1000, 1),
    }
    _RECORD.write(json.dumps(record) + "\n")
