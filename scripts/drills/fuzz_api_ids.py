"""Collects ids that exist in the running demo log, for the fuzz drill's hooks (fuzz_api_hooks.py).

Why: a random path id almost never names a record, so without real ids every command on an
existing record would stop at 404 and the fuzzer would never reach the domain's decisions.
Pages through `GET /v1/events` with an admin token, groups stream names by their prefix, and prints
a JSON object {collection: [ids]} (collection = the API's path segment) with a seeded sample of at
most 40 ids each, plus some stream names and integration streams for the raw-stream routes.

Usage: fuzz_api_ids.py BASE_URL ADMIN_TOKEN > ids.json
"""

import json
import random
import sys
import urllib.request

# Stream prefix (before the first '-') -> the API's collection segment.
COLLECTIONS = {
    "customer": "customers", "case": "cases", "campaign": "campaigns", "invoice": "invoices",
    "lead": "leads", "opportunity": "opportunities", "order": "orders", "quote": "quotes",
    "salesprocess": "sales-processes", "survey": "surveys", "task": "tasks", "team": "teams",
    "manager": "managers",
}


def main(base, token):
    streams = set()
    position = 1
    while True:
        request = urllib.request.Request(f"{base}/v1/events?from={position}&limit=1000",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            events = json.load(answer)["events"]
        if not events:
            break
        streams.update(event["stream"] for event in events)
        position = events[-1]["position"] + 1
    generator = random.Random(7)
    ids = {}
    for stream in sorted(streams):
        prefix, _, rest = stream.partition("-")
        if prefix in COLLECTIONS and rest:
            ids.setdefault(COLLECTIONS[prefix], []).append(rest)
    for key, values in ids.items():
        ids[key] = generator.sample(values, min(40, len(values)))
    ids["streams"] = generator.sample(sorted(streams), min(40, len(streams))) + [
        "ext-fuzz-1", "ext-fuzz-2", "ext-crm-sync"]
    json.dump(ids, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
