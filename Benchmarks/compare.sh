#!/usr/bin/env bash
# Times a cold `build + push` of a no-RUN Dockerfile that copies from an external image, with
# Hoist, buildah and BuildKit on this machine in the same run, and prints medians and ratios.
#
#   Benchmarks/compare.sh [RUNS]        (default 5; needs root; starts ../shared/peers/up.sh)
#
# The base image is made here: busybox plus BASE_MB (default 64) MB of incompressible data, so
# that what a builder does with base layers (pull them, or not) shows in the time. Every run of
# every tool starts cold: a fresh Hoist store, a fresh buildah root, BuildKit's cache pruned and
# its images removed. All traffic goes to the peers' loopback registry.
set -euo pipefail
RUNS=${1:-5}
BASE_MB=${BASE_MB:-64}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$HERE/../shared/peers/up.sh
"$PEERS" >&2
source <("$PEERS" --env)
REG=$PEER_REGISTRY
W=$(mktemp -d /tmp/hoist-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT

echo "bench: building hoist (release)" >&2
(cd "$HERE" && swift build -c release --product hoist >&2)
HOIST=$HERE/.build/release/hoist

echo "bench: fixture images into $REG" >&2
"$HERE/Testdata/make-fixtures.sh" "$REG" "$W/fixtures" >&2
# bigbase: busybox + one incompressible layer of BASE_MB MB.
L=$W/fixtures/layout
mkdir -p "$W/big/opt"
head -c "$((BASE_MB * 1024 * 1024))" /dev/urandom > "$W/big/opt/blob.bin"
tar --owner=0 --group=0 --numeric-owner -C "$W/big" -cf "$W/big.tar" opt
umoci new --image "$L:bigbase"
umoci config --image "$L:bigbase" --no-history --os linux --architecture amd64 --config.cmd sh
tar --owner=0 --group=0 --numeric-owner -C "$W/fixtures/rootfs-amd64" -cf "$W/rootfs.tar" .
umoci raw add-layer --image "$L:bigbase" "$W/rootfs.tar"
umoci raw add-layer --image "$L:bigbase" "$W/big.tar"
skopeo copy -q --dest-tls-verify=false "oci:$L:bigbase" "docker://$REG/library/bigbase:latest"

mkdir -p "$W/ctx"
echo "benchmark app" > "$W/ctx/app.txt"
cat > "$W/ctx/Dockerfile" <<'DF'
FROM bigbase:latest
COPY app.txt /app.txt
COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx.conf
ENV GREETING=hello
CMD ["cat", "/app.txt"]
DF

now() { date +%s.%N; }
run_hoist() {
  rm -rf "$W/hoist-root"
  HOIST_ROOT=$W/hoist-root "$HOIST" assemble -q -t "$REG/bench/hoist:$1" --push "$W/ctx" >/dev/null
}
run_buildah() {
  rm -rf "$W/buildah-root" "$W/buildah-run"
  local b="buildah --storage-driver vfs --root $W/buildah-root --runroot $W/buildah-run"
  $b bud -q --isolation chroot -t "$REG/bench/buildah:$1" "$W/ctx" >/dev/null
  $b push -q --tls-verify=false "$REG/bench/buildah:$1" >/dev/null
  rm -rf "$W/buildah-root" "$W/buildah-run" 2>/dev/null || true
}
run_buildkit() {
  "$PEER_DOCKER" builder prune -af >/dev/null 2>&1 || true
  "$PEER_DOCKER" image rm -f "$REG/bench/buildkit:$1" bigbase:latest nginx:latest >/dev/null 2>&1 || true
  "$PEER_DOCKER" buildx build -q --network host --push -t "$REG/bench/buildkit:$1" "$W/ctx" >/dev/null
}

declare -A times
for tool in hoist buildah buildkit; do
  "run_$tool" warm0 >/dev/null 2>&1 || { echo "bench: $tool failed a trial run:" >&2; "run_$tool" warm1 || true; exit 1; }
  for i in $(seq 1 "$RUNS"); do
    t0=$(now); "run_$tool" "r$i"; t1=$(now)
    times[$tool]+="$(echo "$t1 - $t0" | bc) "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
h=$(echo "${times[hoist]}" | median); b=$(echo "${times[buildah]}" | median); k=$(echo "${times[buildkit]}" | median)
printf 'cold build+push of a no-RUN Dockerfile (FROM a %s MB base, COPY from context, COPY --from=nginx:latest), %s runs each\n' "$BASE_MB" "$RUNS"
printf '%-10s median %7.3f s   runs: %s\n' hoist "$h" "${times[hoist]}"
printf '%-10s median %7.3f s   runs: %s\n' buildah "$b" "${times[buildah]}"
printf '%-10s median %7.3f s   runs: %s\n' buildkit "$k" "${times[buildkit]}"
printf 'ratio buildah/hoist  = %.1fx\n' "$(echo "$b / $h" | bc -l)"
printf 'ratio buildkit/hoist = %.1fx\n' "$(echo "$k / $h" | bc -l)"
