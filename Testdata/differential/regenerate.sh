#!/usr/bin/env bash
# Regenerates golden/NAME.json for every case (or those named) from BuildKit 0.25 (dockerd 28.5.2 +
# buildx 0.29, Debian sid, which Benchmarks/peers.sh starts by default): the fixtures are
# pushed to the peers' registry and each case is built with `docker buildx build --push`, read back
# with skopeo and summarised (run-case.sh). Needs root; starts Benchmarks/peers.sh.
#   Testdata/differential/regenerate.sh [CASE ...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS=$HERE/../../Benchmarks/peers.sh
"$PEERS" >&2
source <("$PEERS" --env)
W=$(mktemp -d /tmp/hoist-golden-XXXXXX)
trap 'rm -rf "$W"' EXIT
"$HERE/../make-fixtures.sh" "$PEER_REGISTRY" "$W/fixtures" >&2
mkdir -p "$HERE/golden"
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=($(cd "$HERE/cases" && ls))
for name in "${cases[@]}"; do
  echo "== $name" >&2
  # BuildKit's cache (cache mounts among it) would carry one case's run into the next regeneration.
  docker builder prune -af >/dev/null
  "$HERE/run-case.sh" "$name" buildkit "$PEER_REGISTRY" "$HERE/golden/$name.json"
done
