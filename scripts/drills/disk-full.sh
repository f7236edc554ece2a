#!/usr/bin/env bash
# Drill 2 (issue 7), disk full: `crm serve` with its data directory on a small filesystem (a tmpfs;
# else a loop-mounted ext4 image), HTTP appends from several writers until the filesystem is full.
# The server must answer 507 `insufficient-storage` (problem+json), keep serving reads, lose
# nothing it acknowledged, and accept appends again once space is freed, without a restart; after
# a restart `crm verify` must pass. The logic is in disk_full_drill.py; this wrapper builds,
# mounts and cleans up (the logs and a copy of the data are kept on failure).
#
#   scripts/drills/disk-full.sh [cycles]        # builds the release binary; default 1 fill-and-free cycle
#   CRM_BIN=.build/debug/crm scripts/drills/disk-full.sh   # CI: the debug build the tests made
#   SEED=42 WORKERS=8 SIZE_MB=48 HEADROOM_MB=6 scripts/drills/disk-full.sh
#   CRM_SKIP_BUILD=1 ...                        # reuse the existing release binary
#   KEEP=1 ...                                  # keep the logs and a copy of the data on success too
#   FS=ext4 ...                                 # skip the tmpfs and use the loop-mounted ext4 image
#
# Mounting needs root (or passwordless sudo). Without either, or when neither a tmpfs nor a loop
# device can be mounted, the drill FAILS: it never passes without having filled a disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles=${1:-1}
seed=${SEED:-$(date +%s)}
workers=${WORKERS:-8}
size_mb=${SIZE_MB:-48}
headroom_mb=${HEADROOM_MB:-6}
port=${CRM_PORT:-$((20000 + RANDOM % 20000))}
bin=${CRM_BIN:-.build-bench/release/crm}

fail() {
  echo "disk-full drill FAIL: $*"
  exit 1
}

if [ "$(id -u)" = 0 ]; then
  priv=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  priv=(sudo -n)
else
  fail "mounting a small filesystem needs root or passwordless sudo (running as $(id -un))"
fi

if [ -z "${CRM_BIN:-}" ] && [ "${CRM_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product crm --scratch-path .build-bench >/dev/null
fi
[ -x "$bin" ] || fail "no crm binary at $bin"
work=$(mktemp -d)
mnt="$work/mnt"
mkdir -p "$mnt"
# A private copy: a concurrent rebuild of the shared binary must not change it mid-drill.
cp "$bin" "$work/crm"
mounted=
kind=

cleanup() {
  local status=$?
  if [ -n "$mounted" ]; then
    if { [ "$status" != 0 ] || [ "${KEEP:-0}" = 1 ]; } && [ -d "$mnt/data" ]; then
      cp -a "$mnt/data" "$work/data" 2>/dev/null || true
    fi
    "${priv[@]}" umount "$mnt" 2>/dev/null || "${priv[@]}" umount -l "$mnt" 2>/dev/null || true
  fi
  if [ "$status" = 0 ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$work"
  else
    echo "disk-full: kept $work (serve.log, data/) for inspection" >&2
  fi
}
trap cleanup EXIT

if [ "${FS:-tmpfs}" = tmpfs ] && "${priv[@]}" mount -t tmpfs -o "size=${size_mb}m,mode=0777" crm-diskfull "$mnt" 2>"$work/mount.err"; then
  kind=tmpfs
else
  if [ "${FS:-tmpfs}" = tmpfs ]; then
    echo "disk-full: tmpfs mount failed ($(cat "$work/mount.err")); trying a loop-mounted ext4 image" >&2
  fi
  command -v mkfs.ext4 >/dev/null || fail "cannot mount a tmpfs, and mkfs.ext4 is missing for the loop-device fallback"
  truncate -s "${size_mb}M" "$work/disk.img"
  mkfs.ext4 -q -F -m 0 "$work/disk.img" >/dev/null || fail "mkfs.ext4 failed on $work/disk.img"
  "${priv[@]}" mount -o loop "$work/disk.img" "$mnt" 2>"$work/mount.err" ||
    fail "cannot mount a tmpfs or a loop device at $mnt: $(cat "$work/mount.err")"
  "${priv[@]}" chown "$(id -u):$(id -g)" "$mnt"
  kind=ext4-loop
fi
mounted=1
echo "disk-full: ${size_mb} MiB $kind at $mnt"

python3 scripts/drills/disk_full_drill.py --crm "$work/crm" --work "$work" --mount "$mnt" --port "$port" \
  --cycles "$cycles" --workers "$workers" --headroom-mb "$headroom_mb" --seed "$seed"
