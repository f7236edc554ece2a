#!/usr/bin/env bash
# The libFuzzer drill: builds the fuzz targets of Fuzz/ (a package of its own, compiled with
# `-sanitize=fuzzer,address`) and runs each for a bounded time from its committed seed corpus.
#
#   envelope   stored envelope bytes → EnvelopeCodec (decode, decodeHeader, typeMatches, position,
#              recordedAt, storedHash), the re-encoding round trip and RecordedEvent.json
#   commands   JSON → the API's strict command-body check and decode (every route), the importer's
#              CommandRecord, EventRegistry.decode for every event type, decisions on a new aggregate
#
#   scripts/drills/fuzz-libfuzzer.sh          # 600 s per target (the full run)
#   scripts/drills/fuzz-libfuzzer.sh 45       # the short run for CI
#
# Environment: FUZZ_TARGETS (default "envelope commands"), FUZZ_CONFIG (release or debug; default
# release), FUZZ_BUILD=0 (reuse the binaries of the last build), FUZZ_KEEP=1 (keep the working
# corpus: the inputs the run found interesting), FUZZ_ARGS (more libFuzzer flags, e.g. -seed=1).
# A crashing input is saved under Fuzz/artifacts/ (the path is printed); reproduce it with
#   Fuzz/.build/release/Fuzz<Target> Fuzz/artifacts/<file>
# Ends with one line `fuzz-libfuzzer: PASS …` or `fuzz-libfuzzer: FAIL …`; exits 1 on FAIL.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=${1:-600}
config=${FUZZ_CONFIG:-release}
read -r -a targets <<<"${FUZZ_TARGETS:-envelope commands}"
artifacts=$root/Fuzz/artifacts
started=$(date +%s)

fail() { echo "fuzz-libfuzzer: FAIL $*"; exit 1; }
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || fail "the time per target must be a positive number of seconds, not '$seconds'"

work=$(mktemp -d -t fuzz-libfuzzer.XXXXXX)
cleanup() { if [ "${FUZZ_KEEP:-0}" = 1 ]; then echo "fuzz-libfuzzer: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

build=(swift build --package-path Fuzz -c "$config"
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing)
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  echo "fuzz-libfuzzer: building the fuzz targets ($config): ${build[*]}"
  "${build[@]}" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; fail "the build of the fuzz targets failed"; }
fi
bin_dir=$("${build[@]}" --show-bin-path)
built=$(date +%s)
echo "fuzz-libfuzzer: built in $((built - started)) s"

mkdir -p "$artifacts"
# Swift's own crash backtracer would race libFuzzer's handler (and trips AddressSanitizer); the
# suppressions cover one-time static tables LeakSanitizer misreads (see Fuzz/lsan.supp).
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS=suppressions=$root/Fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}
summary=()
for target in "${targets[@]}"; do
  case $target in
    envelope) binary=$bin_dir/FuzzEnvelope; dict=() ;;
    commands) binary=$bin_dir/FuzzCommands; dict=(-dict="$root/Fuzz/commands.dict") ;;
    *) fail "unknown target '$target' (envelope, commands)" ;;
  esac
  [ -x "$binary" ] || fail "$binary is missing; run without FUZZ_BUILD=0"
  seeds=$root/Fuzz/corpus/$target
  corpus=$work/corpus/$target
  mkdir -p "$corpus"
  before=$(find "$artifacts" -maxdepth 1 -type f -name "$target-*" | sort)
  echo "fuzz-libfuzzer: $target for $seconds s ($(find "$seeds" -type f | wc -l) seeds)"
  # The first directory is the working corpus (new inputs go there), the committed seeds are read only.
  # -timeout is generous because CI machines are loaded; a real hang runs far longer.
  set +e
  "$binary" "$corpus" "$seeds" "${dict[@]}" -max_total_time="$seconds" -max_len=4096 -timeout=30 -rss_limit_mb=3072 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target-" ${FUZZ_ARGS:-} >"$work/$target.log" 2>&1
  status=$?
  set -e
  after=$(find "$artifacts" -maxdepth 1 -type f -name "$target-*" | sort)
  found=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d' | tr '\n' ' ')
  if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    grep -E "ERROR|Fatal error|fatalError|SUMMARY|Test unit written|deadly signal" "$work/$target.log" | head -20 >&2 || true
    cp "$work/$target.log" "$artifacts/$target-run.log"
    fail "$target: libFuzzer exit $status; crashing input: ${found:-none saved} (log: $artifacts/$target-run.log)"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -1)
  final=$(grep -E '^#[0-9]+' "$work/$target.log" | grep -F 'cov:' | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")
  units=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$final")
  rate=$(sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p' <<<"$final")
  [ -n "$execs" ] && [ "$execs" -gt 0 ] || fail "$target: no executions reported (see $work/$target.log)"
  echo "fuzz-libfuzzer: $target: $execs executions (${rate:-?}/s), cov $cov, ft $ft, corpus $units"
  summary+=("$target $execs execs cov $cov ft $ft")
done

joined=$(printf '%s; ' "${summary[@]}")
echo "fuzz-libfuzzer: PASS ${joined}0 crashes; $seconds s per target; $(( $(date +%s) - started )) s in all (build $((built - started)) s)"
