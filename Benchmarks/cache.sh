#!/usr/bin/env bash
# The registry as a shared build cache, against BuildKit 0.25 and buildah, all measured in this one
# run on this machine. Two machines are two empty states sharing the peers' loopback registry.
# Machine A builds Testdata/builder (the builder pattern) with --cache-to type=registry,mode=max and
# pushes; then machine B, empty every run, builds and pushes with --cache-from:
#   (1) nothing changed: B must give A's image digest, run no RUN and download no base-layer byte;
#   (2) app.go changed: only the go build RUN and what follows it run again;
#   (3) the seed's no-RUN case (COPY app.txt + COPY --from=nginx onto a 64 MB base), nothing
#       changed: no base-layer byte downloaded;
#   (4) the same with app.txt changed: the COPY runs, reading the base's tar headers from the
#       cache instead of the 64 MB base; the COPY --from=nginx below it runs too and reads nginx.conf.
# BuildKit: `builder prune -af` and image removal before every B build. buildah: a new storage root.
# Prints medians, ratios and Hoist's checks.
#   Benchmarks/cache.sh [RUNS]      (default 3; needs root; starts Benchmarks/peers.sh)
set -euo pipefail
RUNS=${1:-3}
BASE_MB=${BASE_MB:-64}
source "$(dirname "$0")/lib.sh"
ROW_WIDTH=44

echo "bench: base images into $REG" >&2
"$HERE/Testdata/make-fixtures.sh" "$REG" "$W/fixtures" >&2
"$HERE/Testdata/builder/make-images.sh" "$REG" >&2
push_bigbase

mkdir -p "$W/ctx-1" "$W/ctx-3"
cp "$HERE/Testdata/builder/Dockerfile" "$HERE/Testdata/builder/app.go" "$W/ctx-1/"
cp -r "$W/ctx-1" "$W/ctx-2"
echo "benchmark app" > "$W/ctx-3/app.txt"
printf 'FROM bigbase:latest\nCOPY app.txt /app.txt\nCOPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx.conf\nCMD ["cat", "/app.txt"]\n' > "$W/ctx-3/Dockerfile"
cp -r "$W/ctx-3" "$W/ctx-4"

# build TOOL MACHINE SCENARIO FLAGS…: one build + push of ctx-SCENARIO's Dockerfile; Hoist's log to log-hoist-MACHINE-SCENARIO.
build() {
  local tool=$1 m=$2 s=$3; shift 3
  local tag=$REG/bench/cache-app-$tool-$s:$m cache=$REG/bench/cache-$tool-$s:1
  # buildah takes a repository, no tag, for its cache.
  [ "$tool" = buildah ] && cache=$REG/bench/cache-$tool-$s
  case $tool in
    hoist)
      local flags=(--cache-from "type=registry,ref=$cache")
      [ "$m" = a ] && flags=(--cache-to "type=registry,ref=$cache,mode=max")
      HOIST_ROOT="$W/state/hoist-$m" "$HOIST" assemble -t "$tag" --push "${flags[@]}" "$W/ctx-$s" >"$W/digest-hoist-$m-$s" 2>"$W/log-hoist-$m-$s" ;;
    buildah)
      local b="buildah --storage-driver vfs --root $W/state/buildah-$m/root --runroot $W/state/buildah-$m/run"
      $b bud -q --layers --isolation chroot --cache-from "$cache" --cache-to "$cache" --tls-verify=false -t "$tag" "$W/ctx-$s" >/dev/null 2>"$W/log-buildah-$m-$s"
      $b push -q --tls-verify=false "$tag" >/dev/null ;;
    buildkit)
      local flags=(--cache-from "type=registry,ref=$cache")
      [ "$m" = a ] && flags=(--cache-to "type=registry,ref=$cache,mode=max")
      "$PEER_DOCKER" buildx build -q --network host --push -t "$tag" "${flags[@]}" "$W/ctx-$s" >/dev/null ;;
  esac
}
reset() {  # reset TOOL MACHINE: machine B starts empty
  rm -rf "$W/state/$1-$2"
  if [ "$1" = buildkit ]; then
    buildkit_reset golang:1.7.3 alpine:latest bigbase:latest nginx:latest $(for s in 1 2 3 4; do echo "$REG/bench/cache-app-buildkit-$s:a $REG/bench/cache-app-buildkit-$s:b"; done)
  fi
}
change() { printf '\n// build %s\n' "$RANDOM$RANDOM" >> "$W/ctx-2/app.go"; echo "changed $RANDOM$RANDOM" > "$W/ctx-4/app.txt"; }

declare -A T
for tool in hoist buildkit buildah; do
  echo "bench: $tool, machine A" >&2
  for s in 1 2 3 4; do reset "$tool" a; build "$tool" a "$s"; done
  for i in $(seq 1 "$RUNS"); do
    echo "bench: $tool, machine B, run $i" >&2
    change
    for s in 1 2 3 4; do reset "$tool" b; T[$tool-$s]+="$(timed "$tool" b "$s") "; done
  done
done

echo
echo "Medians of $RUNS runs each, machine B empty every run, build + push to a loopback registry, $(nproc) cores"
row_header
row "(1) builder pattern, nothing changed" 1
row "(2) builder pattern, app.go changed" 2
row "(3) no-RUN seed case, nothing changed" 3
row "(4) no-RUN seed case, app.txt changed" 4
echo
same=no; [ "$(cat "$W/digest-hoist-a-1")" = "$(cat "$W/digest-hoist-b-1")" ] && same=yes
echo "hoist (1): same image digest as machine A: $same ($(cat "$W/digest-hoist-b-1"))"
echo "hoist (1): RUNs executed on B: $(grep -c 'RUN took' "$W/log-hoist-b-1" || true); $(grep '^transfer:' "$W/log-hoist-b-1")"
echo "hoist (2): steps run again on B: $(grep -E 'not cached' "$W/log-hoist-b-2" | sed -E 's/^ *line ([0-9]+): ([A-Z]+) not cached: (.*)/line \1 \2 (\3)/' | paste -sd ';' -)"
echo "hoist (2): RUNs executed on B: $(grep -c 'RUN took' "$W/log-hoist-b-2" || true)"
echo "hoist (3): $(grep '^transfer:' "$W/log-hoist-b-3")"
echo "hoist (4): $(grep '^transfer:' "$W/log-hoist-b-4")"
