#!/usr/bin/env bash
# The fast path against buildah and BuildKit, all measured in this one run on this machine:
#   (a) no-RUN Dockerfile on a BASE_MB MB base: COPY from the context + COPY --from=nginx:latest
#   (b) COPY of a ~300 MB, ~12,000-file context (real files from this machine) onto Debian 12
#   (c) a rebuild + push of (a) with nothing changed
#   (d) Hoist alone: (a) warm with no attestations, with buildx's default (provenance mode=min, as
#       every other row), and with provenance mode=max plus an SBOM: what attestations cost
# Every build ends with a push to the peers' loopback registry. "cold": every cache and store of
# the tool removed first; "warm": the tool's state kept from an earlier build and one context file
# changed; (c) changes nothing. Prints medians, ratios, Hoist's peak RSS and what Hoist uploaded.
#   Benchmarks/fastpath.sh [RUNS]      (default 3; needs root; starts Benchmarks/peers.sh)
set -euo pipefail
RUNS=${1:-3}
BASE_MB=${BASE_MB:-64}
source "$(dirname "$0")/lib.sh"

echo "bench: base images into $REG" >&2
"$HERE/Testdata/make-fixtures.sh" "$REG" "$W/fixtures" >&2
"$HERE/Testdata/make-debian-image.sh" "$REG" debian:bookworm >&2
push_bigbase

mkdir -p "$W/ctx-a"
echo "benchmark app" > "$W/ctx-a/app.txt"
cat > "$W/ctx-a/Dockerfile" <<'DF'
FROM bigbase:latest
COPY app.txt /app.txt
COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx.conf
ENV GREETING=hello
CMD ["cat", "/app.txt"]
DF
python3 "$HERE/Benchmarks/make-context.py" "$W/ctx-b/data" 300 12000
echo "changed 0" > "$W/ctx-b/data/changing.txt"
printf 'FROM debian:bookworm\nCOPY data /srv/data\nCMD ["ls", "/srv/data"]\n' > "$W/ctx-b/Dockerfile"
INPUT_B=$(du -sb "$W/ctx-b/data" | cut -f1)

# build TOOL SCENARIO TAG: one build + push; hoist's and buildah's peak RSS go to $W/rss.
build() {
  local tool=$1 s=$2 tag=$REG/bench/$1-$2:$3 ctx=$W/ctx-$2
  case $tool in
    hoist) /usr/bin/time -f %M -a -o "$W/rss-hoist-$s" env HOIST_ROOT="$W/state/hoist-$s" "$HOIST" assemble -t "$tag" --push "$ctx" >/dev/null 2>>"$W/log-hoist-$s" ;;
    hoist-none) env BUILDX_NO_DEFAULT_ATTESTATIONS=1 HOIST_ROOT="$W/state/$tool-$s" "$HOIST" assemble -t "$tag" --push "$ctx" >/dev/null 2>>"$W/log-$tool" ;;
    hoist-default) env HOIST_ROOT="$W/state/$tool-$s" "$HOIST" assemble -t "$tag" --push "$ctx" >/dev/null 2>>"$W/log-$tool" ;;
    hoist-full) env HOIST_ROOT="$W/state/$tool-$s" "$HOIST" assemble --provenance=mode=max --sbom=true -t "$tag" --push "$ctx" >/dev/null 2>>"$W/log-$tool" ;;
    buildah)
      local b="buildah --storage-driver vfs --root $W/state/buildah-$s/root --runroot $W/state/buildah-$s/run"
      /usr/bin/time -f %M -a -o "$W/rss-buildah-$s" $b bud -q --layers --isolation chroot -t "$tag" "$ctx" >/dev/null
      $b push -q --tls-verify=false "$tag" >/dev/null ;;
    buildkit) "$PEER_DOCKER" buildx build -q --network host --push -t "$tag" "$ctx" >/dev/null ;;
  esac
}
reset() {
  rm -rf "$W/state/$1-$2"
  if [ "$1" = buildkit ]; then buildkit_reset bigbase:latest nginx:latest debian:bookworm; fi
}
change() { echo "changed $RANDOM$RANDOM" > "$W/ctx-$1/$([ "$1" = a ] && echo app.txt || echo data/changing.txt)"; }

declare -A T
for s in a b; do
  for tool in hoist buildah buildkit; do
    echo "bench: ($s) $tool" >&2
    for i in $(seq 1 "$RUNS"); do reset "$tool" "$s"; change "$s"; T[$tool-$s-cold]+="$(timed "$tool" "$s" "c$i") "; done
    reset "$tool" "$s"; build "$tool" "$s" w0
    for i in $(seq 1 "$RUNS"); do change "$s"; T[$tool-$s-warm]+="$(timed "$tool" "$s" "w$i") "; done
    if [ "$s" = a ]; then
      for i in $(seq 1 "$RUNS"); do T[$tool-c-nochange]+="$(timed "$tool" "$s" "w$RUNS") "; done
    fi
  done
done

for variant in none default full; do
  echo "bench: (d) hoist, attestations: $variant" >&2
  reset "hoist-$variant" a; build "hoist-$variant" a w0
  for i in $(seq 1 "$RUNS"); do change a; T[hoist-$variant-d]+="$(timed "hoist-$variant" a "w$i") "; done
done

echo
echo "Medians of $RUNS runs each, build + push to a loopback registry, $(nproc) cores"
row_header
row "(a) COPY --from=nginx, cold" a-cold
row "(a) COPY --from=nginx, warm" a-warm
row "(b) 300 MB/12k files, cold" b-cold
row "(b) 300 MB/12k files, warm" b-warm
row "(c) no-change rebuild + push" c-nochange
d() { echo "${T[hoist-$1-d]}" | median; }
printf '%-34s %8.3f s (none)  %8.3f s (default, %+.0f%%)  %8.3f s (provenance max + SBOM, %+.0f%%)\n' "(d) attestations, (a) warm, hoist" \
  "$(d none)" "$(d default)" "$(echo "($(d default) / $(d none) - 1) * 100" | bc -l)" "$(d full)" "$(echo "($(d full) / $(d none) - 1) * 100" | bc -l)"
echo
for s in a b; do
  printf 'hoist peak RSS (%s): %s MB; buildah bud peak RSS: %s MB\n' "$s" \
    "$(sort -n "$W/rss-hoist-$s" | tail -1 | awk '{printf "%.0f", $1/1024}')" "$(sort -n "$W/rss-buildah-$s" | tail -1 | awk '{printf "%.0f", $1/1024}')"
done
echo "hoist (a) cold, last run: $(grep '^transfer:' "$W/log-hoist-a" | head -"$RUNS" | tail -1)"
echo "hoist (c) no change, last run: $(grep '^transfer:' "$W/log-hoist-a" | tail -1)"
grep 'bytes of files in' "$W/log-hoist-b" | sed -E 's/.*; ([0-9]+) bytes of files in ([0-9.]+) s.*/\1 \2/' | \
  awk '{r = $1 / $2 / 1e6; printf "hoist (b) layer creation: %d MB of files in %.2f s = %.0f MB/s\n", $1/1e6, $2, r}' | sort -t= -k2 -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)] " (median of " NR " builds)"}'
echo "context (b): $(find "$W/ctx-b/data" -type f | wc -l) files, $((INPUT_B / 1000000)) MB"
