#!/usr/bin/env bash
# Regenerates the seed corpora and the dictionary of the libFuzzer targets from the sample fixtures:
#
#   Fuzz/corpus/envelope/<EventType>   one stored envelope per event type, raw bytes as the log's
#                                      `events` database holds them (from an import of the sample)
#   Fuzz/corpus/commands/body-<Type>   "<CommandType>\n<body>": one HTTP command body per command type
#   Fuzz/corpus/commands/record-<Type> "record\n<line>": a few command-file lines
#   Fuzz/corpus/commands/event-<Type>  "event <EventType> <version>\n<data>": one per event type
#   Fuzz/commands.dict                 command and event type names, member names, JSON tokens
#
#   Fuzz/make-corpus.sh               # uses CRM_BIN, else builds crm (release, .build-bench)
#
# Needs mdb_dump (Debian: lmdb-utils). Only needed when the formats change; the output is committed.
# Ends with one line `make-corpus: PASS …` or `make-corpus: FAIL …`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

fail() { echo "make-corpus: FAIL $*"; exit 1; }
command -v mdb_dump >/dev/null || fail "mdb_dump is missing (apt-get install lmdb-utils)"

if [ -n "${CRM_BIN:-}" ]; then
  bin=$(cd "$(dirname "$CRM_BIN")" && pwd)/$(basename "$CRM_BIN")
else
  swift build -c release --product crm --scratch-path .build-bench >/dev/null || fail "the release build failed"
  bin=$root/.build-bench/release/crm
fi

work=$(mktemp -d -t make-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" import "$root/Fixtures/sample-commands.ndjson" --data "$work/data" >"$work/import.log" 2>&1 ||
  { cat "$work/import.log" >&2; fail "the import of the sample failed"; }
mdb_dump -s events "$work/data/log" >"$work/events.dump" || fail "mdb_dump of the events database failed"

python3 - "$root" "$work/events.dump" <<'PY'
import json, os, shutil, sys

root, dump = sys.argv[1], sys.argv[2]
fuzz = os.path.join(root, "Fuzz")
envelopes = os.path.join(fuzz, "corpus", "envelope")
commands = os.path.join(fuzz, "corpus", "commands")
for directory in (envelopes, commands):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)

def string_at(record, offset):
    count = int.from_bytes(record[offset:offset + 2], "big")
    return record[offset + 2:offset + 2 + count].decode(), offset + 2 + count

# mdb_dump: after HEADER=END, key and value lines alternate (hex, one leading space) until DATA=END.
lines = open(dump).read().split("HEADER=END\n", 1)[1].split("DATA=END", 1)[0].split()
records = [bytes.fromhex(value) for value in lines[1::2]]
events = {}
for record in records:
    offset = 80
    _, offset = string_at(record, offset)                # stream
    event_type, offset = string_at(record, offset)
    if event_type in events:
        continue
    for _ in range(7):                                   # actor id, role, source (3), reason, subject
        _, offset = string_at(record, offset)
    count = int.from_bytes(record[offset:offset + 4], "big")
    version = int.from_bytes(record[4:6], "big")
    events[event_type] = (record, version, record[offset + 4:offset + 4 + count])
for event_type, (record, version, data) in sorted(events.items()):
    open(os.path.join(envelopes, event_type), "wb").write(record)
    open(os.path.join(commands, "event-" + event_type), "wb").write(b"event %s %d\n" % (event_type.encode(), version) + data)

keys, command_types, first = set(), set(), {}
def collect(value):
    if isinstance(value, dict):
        for key, member in value.items():
            keys.add(key)
            collect(member)
    elif isinstance(value, list):
        for member in value:
            collect(member)
for line in open(os.path.join(root, "Fixtures", "sample-commands.ndjson"), "rb"):
    record = json.loads(line)
    collect(record)
    command_types.add(record["type"])
    first.setdefault(record["type"], line.rstrip(b"\n"))
for event_type, (_, _, data) in events.items():
    collect(json.loads(data))
for command_type, line in sorted(first.items()):
    body = json.dumps(json.loads(line)["command"], sort_keys=True, separators=(",", ":")).encode()
    open(os.path.join(commands, "body-" + command_type), "wb").write(command_type.encode() + b"\n" + body)
# A few whole command-file lines: the record envelope around a command is the same for every type.
for command_type in ["RegisterCustomer", "MergeCustomers", "ConvertLead", "IssueQuote", "RecordPayment", "DefineSalesProcess"]:
    open(os.path.join(commands, "record-" + command_type), "wb").write(b"record\n" + first[command_type])

tokens = ['"{"', '"}"', '"["', '"]"', '":"', '","', '"null"', '"true"', '"false"', '"\\""', '"\\\\u"',
          '"record\\x0a"', '"event "', '" 1\\x0a"', '"\\"amount\\":\\""', '"\\"currency\\":\\"EUR\\""',
          '"2025-03-04T09:15:00.000Z"', '"2025-03-04T09:15:00+01:00"', '".000Z"', '"1e400"', '"-0"',
          '"9223372036854775807"', '"18446744073709551616"']
tokens += ['"%s\\x0a"' % name for name in sorted(command_types)]
tokens += ['"event %s 1\\x0a"' % name for name in sorted(events)]
tokens += ['"\\"%s\\":"' % key for key in sorted(keys)]
with open(os.path.join(fuzz, "commands.dict"), "w") as out:
    out.write("# libFuzzer dictionary of the FuzzCommands target (generated by Fuzz/make-corpus.sh)\n")
    out.write("".join(token + "\n" for token in tokens))
print("make-corpus: PASS %d envelopes, %d command bodies, %d event data, %d dictionary tokens"
      % (len(events), len(first), len(events), len(tokens)))
PY
