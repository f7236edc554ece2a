#!/usr/bin/env bash
# The long crash drill: the same test as the suite's, with more SIGKILLs (default 200).
# Usage: scripts/crash-drill.sh [kills]
set -euo pipefail
cd "$(dirname "$0")/.."
CRM_CRASH_ITERATIONS="${1:-200}" swift test --filter "CrashTests" 2>&1 | grep -E "crash drill|passed|failed|error"
