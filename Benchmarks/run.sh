#!/usr/bin/env bash
# RUN against buildah and BuildKit, measured in this one run on this machine:
#   * the sandbox's start-to-exit time for `RUN true` (Hoist's own measurement of fork, namespaces,
#     mounts, pivot_root, exec and exit, from its log), with the stage's snapshot already unpacked;
#   * the builder pattern of Testdata/builder (a Go program built in a Debian+golang-go stage, copied
#     into a small final stage with a RUN of its own), build + push, cold (every store and cache
#     removed), warm (state kept, app.go changed) and again with nothing changed (RUN results cached).
#   Benchmarks/run.sh [RUNS]      (default 3; needs root; starts Benchmarks/peers.sh)
set -euo pipefail
RUNS=${1:-3}
source "$(dirname "$0")/lib.sh"

echo "bench: base images into $REG" >&2
"$HERE/Testdata/make-fixtures.sh" "$REG" "$W/fixtures" >&2
"$HERE/Testdata/builder/make-images.sh" "$REG" >&2

# RUN true, 11 times with the snapshot warm: the sandbox's own time.
mkdir -p "$W/ctx-true"
printf 'FROM busybox\nARG N\nRUN true\n' > "$W/ctx-true/Dockerfile"
for i in $(seq 0 11); do
  HOIST_ROOT=$W/state/hoist-true "$HOIST" assemble --build-arg N=$i -o "type=tar,dest=$W/true.tar" "$W/ctx-true" 2>>"$W/log-true" >/dev/null
done
sandbox=$(grep 'RUN took' "$W/log-true" | tail -n +2 | sed -E 's/.*RUN took ([0-9.]+) s.*/\1/' | median)

mkdir -p "$W/ctx-b"
cp "$HERE/Testdata/builder/Dockerfile" "$HERE/Testdata/builder/app.go" "$W/ctx-b/"
change() { printf '\n// build %s\n' "$RANDOM$RANDOM" >> "$W/ctx-b/app.go"; }
build() {
  local tool=$1 tag=$REG/bench/run-$1:$2
  case $tool in
    # Hoist's own peak (its log's "peak memory"): /usr/bin/time would report the Go compiler's.
    hoist) env HOIST_ROOT="$W/state/hoist" "$HOIST" assemble -t "$tag" --push "$W/ctx-b" >/dev/null 2>>"$W/log-hoist" ;;
    buildah)
      local b="buildah --storage-driver vfs --root $W/state/buildah/root --runroot $W/state/buildah/run"
      $b bud -q --layers --isolation chroot -t "$tag" "$W/ctx-b" >/dev/null
      $b push -q --tls-verify=false "$tag" >/dev/null ;;
    buildkit) "$PEER_DOCKER" buildx build -q --network host --push -t "$tag" "$W/ctx-b" >/dev/null ;;
  esac
}
reset() { rm -rf "$W/state/$1"; [ "$1" = buildkit ] && buildkit_reset golang:1.7.3 alpine:latest; true; }

declare -A T
for tool in hoist buildah buildkit; do
  echo "bench: builder pattern, $tool" >&2
  for i in $(seq 1 "$RUNS"); do reset "$tool"; change; T[$tool-cold]+="$(timed "$tool" "c$i") "; done
  reset "$tool"; build "$tool" w0
  for i in $(seq 1 "$RUNS"); do change; T[$tool-warm]+="$(timed "$tool" "w$i") "; done
  for i in $(seq 1 "$RUNS"); do T[$tool-same]+="$(timed "$tool" "s$i") "; done
done

echo
echo "RUN true, sandbox start to exit (median of 11, snapshot warm): $(echo "$sandbox * 1000" | bc -l | xargs printf '%.1f') ms"
echo "Builder pattern (Testdata/builder), build + push, medians of $RUNS runs, $(nproc) cores"
row_header
row "builder pattern, cold" cold
row "builder pattern, warm (app.go changed)" warm
row "builder pattern, nothing changed" same
echo "hoist peak RSS (its own, RUN commands excluded): $(grep '^peak memory' "$W/log-hoist" | awk '{print $3}' | sort -n | tail -1) MB"
