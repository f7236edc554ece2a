"""Judges the records of the API fuzz drill (written by fuzz_api_hooks.py) and prints the verdict.

Why a separate pass: schemathesis checks each answer on its own, but "a rejected request wrote
nothing" and "nothing wrote that no request accounts for" need the log head around every request,
in order, across all roles. The records are read in the order the drill ran them.

Failures:
  * any 5xx answer, or a request that got no answer at all (network error, timeout, dead server);
  * a 4xx/5xx answer around which the log head moved (a rejected request wrote);
  * the head moving between two requests (a write no request accounts for);
  * an answer that ran into the request timeout (a hang, e.g. a feed that never ends);
  * an unreadable head (the observer's own `GET /v1/log/head` failed);
  * an answer without `X-Log-Position` (every answer must say what log position it reflects);
  * fewer requests than the target.

Usage: fuzz_api_report.py TARGET RECORD_FILE...   (exit 0 on PASS, 1 on FAIL)
"""

import collections
import json
import sys

# An answer this slow ran into the drill's request timeout (30 s): it never completed.
HUNG_MS = 29_000

# The methods that may write; every other one (GET, HEAD, OPTIONS, TRACE…) is a read or a 405.
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def rejected(record):
    """Whether the server refused the request (4xx, 5xx) or never answered it."""
    return record["status"] >= 400 or record["status"] == 0


def main(target, paths):
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    failures = []

    by_role = collections.Counter(r["role"] for r in records)
    histogram = collections.Counter(r["status"] for r in records)
    per_role_status = collections.defaultdict(collections.Counter)
    for r in records:
        per_role_status[r["role"]][r["status"] // 100 * 100 if r["status"] else 0] += 1

    print("requests per role: " + ", ".join(f"{role} {count}" for role, count in by_role.items()))
    print("status histogram: " + ", ".join(f"{status} {count}" for status, count in sorted(histogram.items())))
    for role, counter in per_role_status.items():
        print(f"  {role:<10} " + ", ".join(f"{k // 100 if k else 0}xx {v}" for k, v in sorted(counter.items())))

    server_errors = [r for r in records if r["status"] >= 500 or r["status"] == 0]
    if server_errors:
        kinds = collections.Counter((r["status"], r["method"], r["route"]) for r in server_errors)
        failures.append(f"{len(server_errors)} answers 5xx or missing")
        for (status, method, route), count in kinds.most_common():
            example = next(r["path"] for r in server_errors if (r["status"], r["method"], r["route"]) == (status, method, route))
            print(f"  FAIL {status or 'no answer'} x{count}: {method} {route} (e.g. {example})")

    hung = [r for r in records if r["status"] and r["ms"] >= HUNG_MS]
    if hung:
        failures.append(f"{len(hung)} answers took {HUNG_MS // 1000} s or more (the request timeout)")
        for r in hung[:10]:
            print(f"  FAIL hung: {r['role']} {r['method']} {r['path']} -> {r['status']} after {r['ms']} ms")

    unreadable = [r for r in records if r["before"] < 0 or r["after"] < 0]
    if unreadable:
        failures.append(f"{len(unreadable)} requests with an unreadable log head")

    # Rejected: a 4xx or 5xx. A 304 is an answered conditional read (an auditor's revalidation of a
    # customer 360 still records an access event), so it is accounted for like a 2xx.
    rejected_writes = [r for r in records if rejected(r) and r["before"] >= 0 and r["after"] != r["before"]]
    if rejected_writes:
        failures.append(f"{len(rejected_writes)} rejected requests moved the log head")
        for r in rejected_writes[:10]:
            print(f"  FAIL write from a rejected request: {r['role']} {r['method']} {r['path']} -> {r['status']}, head {r['before']} -> {r['after']}")

    unaccounted = [(a, b) for a, b in zip(records, records[1:]) if a["after"] >= 0 and b["before"] >= 0 and a["after"] != b["before"]]
    if unaccounted:
        failures.append(f"{len(unaccounted)} head moves between requests")
        for a, b in unaccounted[:10]:
            print(f"  FAIL head moved from {a['after']} to {b['before']} between {a['method']} {a['path']} and {b['method']} {b['path']}")

    without_position = [r for r in records if r["status"] and not r.get("logPosition", True)]
    if without_position:
        kinds = collections.Counter((r["status"], r["method"], r["route"]) for r in without_position)
        failures.append(f"{len(without_position)} answers without X-Log-Position")
        for (status, method, route), count in kinds.most_common(10):
            print(f"  FAIL no X-Log-Position x{count}: {status} {method} {route}")

    writes = [r for r in records if r["method"] in WRITE_METHODS]
    accepted = [r for r in writes if not rejected(r)]
    appended = sum(r["after"] - r["before"] for r in accepted if r["after"] >= 0 and r["before"] >= 0)
    read_writes = [r for r in records if r["method"] not in WRITE_METHODS and not rejected(r) and r["after"] > r["before"] >= 0]
    read_appended = sum(r["after"] - r["before"] for r in read_writes)
    print(f"writes: {len(writes)} sent, {len(accepted)} accepted, {appended} events appended by them, "
          f"{len(writes) - len(accepted)} rejected with the head unchanged: {not rejected_writes}")
    print(f"reads that recorded an access event: {len(read_writes)} ({read_appended} events)")
    if records:
        print(f"log head: {records[0]['before']} -> {records[-1]['after']} "
              f"(= {appended + read_appended} events accounted for by answered requests: "
              f"{records[-1]['after'] - records[0]['before'] == appended + read_appended})")

    if len(records) < target:
        failures.append(f"only {len(records)} of {target} requests sent")
    return failures, len(records), histogram


if __name__ == "__main__":
    failures, total, histogram = main(int(sys.argv[1]), sys.argv[2:])
    fives = sum(v for k, v in histogram.items() if k >= 500 or k == 0)
    if failures:
        print(f"fuzz-api: FAIL {total} requests, {fives} 5xx/no answer: " + "; ".join(failures))
        sys.exit(1)
    print(f"fuzz-api: PASS {total} requests, 0 5xx, rejected requests wrote nothing, every head move accounted for")
