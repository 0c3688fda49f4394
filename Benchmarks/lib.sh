# Shared by the benchmark scripts: peers, a release build of hoist, timing and medians.
# Source it after `set -euo pipefail`; it sets HERE, HOIST, REG and W (a temp dir removed on exit).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=$HERE/Benchmarks/peers.sh
"$PEERS" >&2
source <("$PEERS" --env)
REG=$PEER_REGISTRY
W=$(mktemp -d /tmp/hoist-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "bench: building hoist (release)" >&2
(cd "$HERE" && swift build -c release --product hoist >&2)
HOIST=$HERE/.build/release/hoist

now() { date +%s.%N; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# buildkit_reset: BuildKit's cache and the named images gone, for a cold run.
buildkit_reset() {
  "$PEER_DOCKER" builder prune -af >/dev/null 2>&1 || true
  [ $# -gt 0 ] && "$PEER_DOCKER" image rm -f "$@" >/dev/null 2>&1 || true
}
