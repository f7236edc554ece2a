#!/usr/bin/env python3
"""Tamper drill (issue 7, drill 3): modify a copy of a stored log through raw LMDB, one change per
case, and require `crm verify` to exit 1 naming the position that was modified.

Driven by scripts/drills/tamper.sh, which builds crm, prepares a demo data directory with several
signed checkpoints, and compiles scripts/drills/lmdb-tamper.c. This file only decides and checks.

Kinds of modification (one per case, chosen at random, each named position known in advance):
  data-byte      one byte of an event's JSON data flipped         -> named: that event
  envelope-byte  one byte of an event's envelope flipped (header,  -> named: that event
                 strings, length fields or the stored chain hash)
  delete         one event removed from the `events` database      -> named: that position
  swap           two events' stored records exchanged              -> named: the lower position
  checkpoint     one byte of a signed checkpoint's record flipped  -> named: the checkpoint's position

Usage: tamper_drill.py --crm BIN --tool LMDB_TAMPER --base DATA_DIR --work DIR [--cases N] [--seed S]
Exit 0 when every case was detected at the expected position, 1 otherwise.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time

KINDS = ["data-byte", "envelope-byte", "delete", "swap", "checkpoint"]
HASH_BYTES = 32
HEADER_BYTES = 80
STRING_FIELDS = 9  # stream, type, actor id, actor role, client address, user agent, host, reason, sealed subject


def key_hex(position):
    """Event and checkpoint keys are u64 big-endian positions."""
    return position.to_bytes(8, "big").hex()


class Tool:
    """Thin wrapper over the compiled lmdb-tamper program for one environment directory."""

    def __init__(self, path, env):
        self.path, self.env = path, env

    def get(self, db, key):
        out = subprocess.run([self.path, self.env, "get", db, key], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"lmdb-tamper get {db} {key}: exit {out.returncode} {out.stderr.strip()}")
        return bytes.fromhex(out.stdout.strip())

    def keys(self, db):
        out = subprocess.run([self.path, self.env, "keys", db], capture_output=True, text=True, check=True)
        return [bytes.fromhex(line) for line in out.stdout.split()]

    def apply(self, lines):
        out = subprocess.run([self.path, self.env, "apply"], input="\n".join(lines) + "\n",
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"lmdb-tamper apply: exit {out.returncode} {out.stderr.strip()}")


def data_range(envelope):
    """[start, end) of the JSON data inside an envelope (see ARCHITECTURE.md "The event envelope")."""
    offset = HEADER_BYTES
    for _ in range(STRING_FIELDS):
        offset += 2 + int.from_bytes(envelope[offset:offset + 2], "big")
    length = int.from_bytes(envelope[offset:offset + 4], "big")
    start = offset + 4
    sealed = int.from_bytes(envelope[start + length:start + length + 4], "big")
    if start + length + 4 + sealed + HASH_BYTES != len(envelope):
        raise RuntimeError("envelope layout does not add up; the drill's parser is out of date")
    return start, start + length


def flip(value, index, rng):
    """Return value with the byte at index XORed by a random non-zero mask (a guaranteed change)."""
    changed = bytearray(value)
    changed[index] ^= rng.randrange(1, 256)
    return bytes(changed)


def tamper(kind, tool, head, checkpoint_positions, rng):
    """Apply one modification of `kind`; return (expected named position, description)."""
    if kind in ("data-byte", "envelope-byte"):
        position = rng.randrange(1, head + 1)
        envelope = tool.get("events", key_hex(position))
        start, end = data_range(envelope)
        if kind == "data-byte":
            index = rng.randrange(start, end)
        else:
            index = rng.choice([i for i in range(len(envelope)) if not start <= i < end])
        tool.apply([f"put events {key_hex(position)} {flip(envelope, index, rng).hex()}"])
        return position, f"event {position} byte {index}/{len(envelope)}"
    if kind == "delete":
        position = rng.randrange(1, head + 1)
        tool.apply([f"del events {key_hex(position)}"])
        return position, f"event {position} deleted"
    if kind == "swap":
        first = rng.randrange(1, head + 1)
        # Half of the swaps are neighbours (the subtle case), half anywhere in the log.
        second = first + 1 if rng.random() < 0.5 and first < head else rng.randrange(1, head + 1)
        while second == first:
            second = rng.randrange(1, head + 1)
        a, b = tool.get("events", key_hex(first)), tool.get("events", key_hex(second))
        tool.apply([f"put events {key_hex(first)} {b.hex()}", f"put events {key_hex(second)} {a.hex()}"])
        return min(first, second), f"events {first} and {second} swapped"
    position = rng.choice(checkpoint_positions)
    record = tool.get("checkpoints", key_hex(position))
    index = rng.randrange(len(record))
    field = "position" if index < 8 else "hash" if index < 40 else "signed-at" if index < 48 else "hmac"
    tool.apply([f"put checkpoints {key_hex(position)} {flip(record, index, rng).hex()}"])
    return position, f"checkpoint {position} byte {index} ({field})"


def copy_log(base, target):
    """A fresh copy of the parts `crm verify` reads: the log environment and the checkpoint key."""
    if os.path.exists(target):
        shutil.rmtree(target)
    os.makedirs(target)
    shutil.copytree(os.path.join(base, "log"), os.path.join(target, "log"))
    shutil.copy2(os.path.join(base, "checkpoint.key"), os.path.join(target, "checkpoint.key"))


def verify(crm, data):
    out = subprocess.run([crm, "verify", "--data", data], capture_output=True, text=True)
    text = (out.stdout + out.stderr).strip()
    match = re.search(r"first bad position (\d+)", text)
    return out.returncode, int(match.group(1)) if match else None, text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crm", required=True)
    parser.add_argument("--tool", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()

    # Control: the untouched copy verifies, or every "detection" below would mean nothing.
    case_dir = os.path.join(args.work, "case")
    copy_log(args.base, case_dir)
    code, _, text = verify(args.crm, case_dir)
    if code != 0:
        print(f"tamper: the untouched copy does not verify (exit {code}): {text}", file=sys.stderr)
        return 1
    base_tool = Tool(args.tool, os.path.join(args.base, "log"))
    event_keys = base_tool.keys("events")
    head = int.from_bytes(event_keys[-1], "big")
    if len(event_keys) != head:
        print(f"tamper: base log has {len(event_keys)} events but head {head}", file=sys.stderr)
        return 1
    checkpoint_positions = [int.from_bytes(k, "big") for k in base_tool.keys("checkpoints")]
    print(f"tamper: seed {args.seed}, base log of {head} events, {len(checkpoint_positions)} signed checkpoints "
          f"at {checkpoint_positions}; control verify: {text}")

    stats = {kind: {"cases": 0, "detected": 0, "exact": 0} for kind in KINDS}
    failures = []
    for number in range(1, args.cases + 1):
        kind = KINDS[(number - 1) % len(KINDS)] if number <= len(KINDS) else rng.choice(KINDS)
        copy_log(args.base, case_dir)
        expected, what = tamper(kind, Tool(args.tool, os.path.join(case_dir, "log")), head, checkpoint_positions, rng)
        code, named, text = verify(args.crm, case_dir)
        stats[kind]["cases"] += 1
        if code == 1:
            stats[kind]["detected"] += 1
        if code == 1 and named == expected:
            stats[kind]["exact"] += 1
        else:
            failures.append(f"case {number} [{kind}] {what}: expected exit 1 naming {expected}, got exit {code}: {text}")

    duration = time.monotonic() - started
    print(f"{'kind':<14} {'cases':>6} {'detected':>9} {'exact pos':>10}")
    for kind in KINDS:
        s = stats[kind]
        print(f"{kind:<14} {s['cases']:>6} {s['detected']:>9} {s['exact']:>10}")
    total = {k: sum(s[k] for s in stats.values()) for k in ("cases", "detected", "exact")}
    print(f"{'total':<14} {total['cases']:>6} {total['detected']:>9} {total['exact']:>10}")
    for line in failures[:20]:
        print("  " + line)
    ok = total["exact"] == total["cases"] == args.cases
    verdict = "PASS" if ok else "FAIL"
    print(f"tamper drill {verdict}: {total['detected']}/{total['cases']} detected, {total['exact']}/{total['cases']} "
          f"named the modified position, seed {args.seed}, {duration:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
