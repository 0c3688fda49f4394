#!/usr/bin/env bash
# Runs Hoist's whole test suite: installs what is missing, builds, and runs every test.
# The tests start their own loopback registries (Debian's docker-registry) and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
swift build --build-tests
swift test
