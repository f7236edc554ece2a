#!/usr/bin/env bash
# Installs the Debian packages the build links against, if any is missing:
# liblmdb-dev (the event log), libssl-dev (SHA-256, HMAC, AES-GCM), libsqlite3-dev (the benchmark peer).
set -euo pipefail
packages=(liblmdb-dev libssl-dev libsqlite3-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
  echo "swift is not on PATH: install Swift 6.1 or later (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
