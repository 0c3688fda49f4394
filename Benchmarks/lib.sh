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
# timed ARGS…: runs the script's own `build ARGS…` and prints its seconds.
timed() { local t0 t1; t0=$(now); build "$@"; t1=$(now); echo "$t1 - $t0" | bc; }
# The results table over the script's `declare -A T` (T[TOOL-KEY] = "seconds seconds …"):
# row_header, then row LABEL KEY per line: medians and the peers' time over Hoist's. ROW_WIDTH: label column.
row_header() {
  printf "%-${ROW_WIDTH:-34}s %10s %10s %10s %9s %9s\n" scenario hoist buildah buildkit buildah/h buildkit/h
}
row() {
  local h b k
  h=$(echo "${T[hoist-$2]}" | median); b=$(echo "${T[buildah-$2]}" | median); k=$(echo "${T[buildkit-$2]}" | median)
  printf "%-${ROW_WIDTH:-34}s %8.3f s %8.3f s %8.3f s %8.1fx %8.1fx\n" "$1" "$h" "$b" "$k" "$(echo "$b / $h" | bc -l)" "$(echo "$k / $h" | bc -l)"
}
# push_bigbase: library/bigbase:latest into $REG, busybox (the fixtures in $W/fixtures) + one
# incompressible layer of BASE_MB MB (default 64), so pulling it or not shows in the time.
push_bigbase() {
  local L=$W/fixtures/layout
  mkdir -p "$W/big/opt"
  head -c "$((${BASE_MB:-64} * 1024 * 1024))" /dev/urandom > "$W/big/opt/blob.bin"
  tar --owner=0 --group=0 --numeric-owner -C "$W/big" -cf "$W/big.tar" opt
  umoci new --image "$L:bigbase"
  umoci config --image "$L:bigbase" --no-history --os linux --architecture amd64 --config.cmd sh
  tar --owner=0 --group=0 --numeric-owner -C "$W/fixtures/rootfs-amd64" -cf "$W/rootfs.tar" .
  umoci raw add-layer --image "$L:bigbase" "$W/rootfs.tar"
  umoci raw add-layer --image "$L:bigbase" "$W/big.tar"
  skopeo copy -q --dest-tls-verify=false "oci:$L:bigbase" "docker://$REG/library/bigbase:latest"
}
