#!/usr/bin/env bash
# Quick start, step 1: install what is missing, build, and serve the demo data on 127.0.0.1:8080.
# The data directory is .data/demo (created fresh on the first run; kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product crm
exec .build/debug/crm serve --demo --data "${CRM_DATA:-.data/demo}" --host 127.0.0.1 --port "${CRM_PORT:-8080}"
