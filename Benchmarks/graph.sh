#!/usr/bin/env bash
# Builds as a graph, all measured in this one run on this machine:
#   (a) three independent stages, each `RUN sleep 2`, and a final stage that copies from each,
#       built cold and pushed by Hoist (stages at once), Hoist with HOIST_JOBS=1 (one after
#       another, as before), buildah (its default, one stage at a time) and BuildKit 0.25. The
#       images of Hoist and BuildKit are compared as the differential suite compares them
#       (Testdata/differential/summarize.py: file tree, config, history).
#   (b) a two-platform no-RUN build (linux/amd64 + linux/arm64) on a base of BIG_MB (default 32)
#       MB of files per platform (bigmulti: the multiarch fixture plus a layer of this machine's
#       files, different per platform), COPY of small files from the context, COPY --from the
#       nginx image, pushed; Hoist at once against HOIST_JOBS=1 (platforms one after another),
#       straight to the loopback registry and through a loopback proxy that answers each request
#       DELAY_MS later (default 25), as a registry across a network does.
#   (c) the same on the small multiarch base (busybox only): little work per platform.
#   Benchmarks/graph.sh [RUNS]      (default 1; needs root; starts Benchmarks/peers.sh)
#   SCENARIOS=b Benchmarks/graph.sh 3   (only (b); default abc)
#   HOIST_BEFORE=BINARY adds a column to (b) and (c): that hoist (say, a release build of the commit
#   before the graph, which built platforms one after another) run the same way.
set -euo pipefail
shopt -s inherit_errexit  # a failed build inside $(timed …) stops the script instead of timing nothing
RUNS=${1:-1}
SCENARIOS=${SCENARIOS:-abc}
DELAY_MS=${DELAY_MS:-25}
source "$(dirname "$0")/lib.sh"
ARM64=${HOIST_ARM64_BUSYBOX:-/var/cache/hoist-testdata/busybox-arm64}
[ -f "$ARM64" ] || "$HERE/Testdata/fetch-arm64-busybox.sh" "$(dirname "$ARM64")" >&2

echo "bench: base images into $REG" >&2
"$HERE/Testdata/make-fixtures.sh" "$REG" "$W/fixtures" "$ARM64" >&2

mkdir -p "$W/ctx-a" "$W/ctx-b"
cat > "$W/ctx-a/Dockerfile" <<'DF'
FROM busybox AS a
RUN sleep 2 && echo a > /a

FROM busybox AS b
RUN sleep 2 && echo b > /b

FROM busybox AS c
RUN sleep 2 && echo c > /c

FROM busybox
COPY --from=a /a /a
COPY --from=b /b /b
COPY --from=c /c /c
DF
echo "two platforms" > "$W/ctx-b/app.txt"
printf 'listen 8080;\n' > "$W/ctx-b/site.conf"
printf 'ARG REG\nFROM $REG/library/nginx AS conf\nFROM $REG/library/bigmulti\nCOPY app.txt site.conf /app/\nCOPY --from=conf /etc/nginx/nginx.conf /etc/nginx.conf\nENV A=1\n' > "$W/ctx-b/Dockerfile"
mkdir -p "$W/ctx-c" && cp "$W/ctx-b/app.txt" "$W/ctx-b/site.conf" "$W/ctx-c/"
sed 's|library/bigmulti|library/multiarch|' "$W/ctx-b/Dockerfile" > "$W/ctx-c/Dockerfile"
# bigmulti: each platform's image built and pushed on its own, then tied by an index.
for arch in amd64 arm64; do
  python3 "$HERE/Benchmarks/make-context.py" "$W/big-$arch/data" "${BIG_MB:-32}" 3000 >&2
  echo "$arch $RANDOM$RANDOM" > "$W/big-$arch/data/platform.txt"
  printf 'FROM %s/library/multiarch\nCOPY data /data\n' "$REG" > "$W/big-$arch/Dockerfile"
  HOIST_ROOT="$W/state-big" "$HOIST" assemble -q --platform "linux/$arch" -t "$REG/library/bigmulti-$arch:latest" --push "$W/big-$arch" >/dev/null
done
HOIST_ROOT="$W/state-big" "$HOIST" imagetools create -t "$REG/library/bigmulti:latest" "$REG/library/bigmulti-amd64:latest" "$REG/library/bigmulti-arm64:latest" >/dev/null 2>&1

# A delaying proxy in front of the registry, for (b) across a "network".
PROXY_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '[{"action": "delay", "seconds": %s, "times": 1000000000}]\n' "$(python3 -c "print($DELAY_MS / 1000)")" > "$W/delay.json"
"$HERE/Testdata/start-fault-proxy.sh" "$PROXY_PORT" "$REG" "$W/delay.json" "$W/proxy.log" $$ >/dev/null
PROXY=127.0.0.1:$PROXY_PORT
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$PROXY" > "$W/proxy-registries.conf"

# build TOOL SCENARIO TAG: one cold build + push.
build() {
  local tool=$1 s=$2 tag=$3
  case $tool in
    hoist) env HOIST_ROOT="$W/state/hoist" "$HOIST" assemble -q -t "$REG/bench/graph-$s:$tag" --push "$W/ctx-$s" >/dev/null 2>>"$W/log-hoist" || { tail -5 "$W/log-hoist" >&2; return 1; } ;;
    hoist1) env HOIST_JOBS=1 HOIST_ROOT="$W/state/hoist" "$HOIST" assemble -q -t "$REG/bench/graph-$s:$tag" --push "$W/ctx-$s" >/dev/null 2>>"$W/log-hoist" \
              || { tail -5 "$W/log-hoist" >&2; return 1; } ;;
    buildah)
      local b="buildah --storage-driver vfs --root $W/state/buildah/root --runroot $W/state/buildah/run"
      $b bud -q --layers --isolation chroot -t "$REG/bench/graph-$s:$tag" "$W/ctx-$s" >/dev/null
      $b push -q --tls-verify=false "$REG/bench/graph-$s:$tag" >/dev/null ;;
    buildkit) "$PEER_DOCKER" buildx build -q --network host --push -t "$REG/bench/graph-$s:$tag" "$W/ctx-$s" >/dev/null ;;
    # (b), (c): two platforms, straight or through the delaying proxy.
    hoist-mp|hoist1-mp|hoist-mpd|hoist1-mpd|before-mp|before-mpd)
      local jobs= conf=$HOIST_REGISTRIES_CONF target=$REG binary=$HOIST
      case $tool in hoist1*) jobs=1 ;; before*) binary=$HOIST_BEFORE ;; esac
      case $tool in *-mpd) conf=$W/proxy-registries.conf; target=$PROXY ;; esac
      env HOIST_JOBS=$jobs HOIST_ROOT="$W/state/hoist" HOIST_REGISTRIES_CONF="$conf" "$binary" assemble -q --platform linux/amd64,linux/arm64 \
        --build-arg REG="$target" -t "$target/bench/graph-mp:$tag" --push "$W/ctx-$s" >/dev/null 2>>"$W/log-hoist" \
        || { tail -5 "$W/log-hoist" >&2; return 1; } ;;
  esac
}
reset() {
  rm -rf "$W/state"
  if [ "$1" = buildkit ]; then buildkit_reset busybox:latest; fi
}

declare -A T
[[ $SCENARIOS == *a* ]] && for tool in hoist hoist1 buildah buildkit; do
  echo "bench: (a) $tool" >&2
  for i in $(seq 1 "$RUNS"); do reset "$tool"; T[$tool-a]+="$(timed "$tool" a "$tool$i") "; done
done
MP_TOOLS="hoist-mp hoist1-mp hoist-mpd hoist1-mpd"
[ -n "${HOIST_BEFORE:-}" ] && MP_TOOLS+=" before-mp before-mpd"
for s in b c; do
  [[ $SCENARIOS == *$s* ]] && for tool in $MP_TOOLS; do
    echo "bench: ($s) $tool" >&2
    for i in $(seq 1 "$RUNS"); do reset "$tool"; T[$tool-$s]+="$(timed "$tool" $s "$tool$i") "; done
  done
done

m() { echo "${T[$1]}" | median; }
echo
echo "Medians of $RUNS run(s), cold, build + push to a loopback registry, $(nproc) cores"
if [[ $SCENARIOS == *a* ]]; then
# Hoist's image against BuildKit's, as the differential suite compares them.
for tool in hoist buildkit; do
  skopeo copy -q --src-tls-verify=false "docker://$REG/bench/graph-a:${tool}1" "oci:$W/oci-$tool:latest"
  python3 "$HERE/Testdata/differential/summarize.py" "$W/oci-$tool" > "$W/summary-$tool.json"
done
if diff <(python3 -m json.tool --sort-keys "$W/summary-hoist.json") <(python3 -m json.tool --sort-keys "$W/summary-buildkit.json") > "$W/summary.diff"; then
  SAME="the same (file tree, config and history)"
else
  SAME="DIFFERENT:"$'\n'"$(head -20 "$W/summary.diff")"
fi

printf '%-44s %9s %9s %9s %9s\n' "(a) 3 stages of RUN sleep 2" hoist "hoist -j1" buildah buildkit
printf '%-44s %7.3f s %7.3f s %7.3f s %7.3f s\n' "wall time" "$(m hoist-a)" "$(m hoist1-a)" "$(m buildah-a)" "$(m buildkit-a)"
printf '%-44s %9s %8.2fx %8.2fx %8.2fx\n' "ratio over hoist" "" "$(echo "$(m hoist1-a) / $(m hoist-a)" | bc -l)" \
  "$(echo "$(m buildah-a) / $(m hoist-a)" | bc -l)" "$(echo "$(m buildkit-a) / $(m hoist-a)" | bc -l)"
echo "hoist's image against BuildKit's: $SAME"
fi
for s in b c; do
  [[ $SCENARIOS == *$s* ]] || continue
  echo
  [ $s = b ] && title="(b) two platforms, no RUN, ${BIG_MB:-32} MB base" || title="(c) as (b) on busybox alone"
  if [ -n "${HOIST_BEFORE:-}" ]; then
    printf '%-44s %9s %9s %9s %9s %9s\n' "$title" hoist "hoist -j1" "-j1/hoist" before "before/h"
    for d in "" d; do
      [ -z "$d" ] && label="loopback registry" || label="registry ${DELAY_MS} ms away (each request)"
      printf '%-44s %7.3f s %7.3f s %8.2fx %7.3f s %8.2fx\n' "$label" "$(m hoist-mp$d-$s)" "$(m hoist1-mp$d-$s)" \
        "$(echo "$(m hoist1-mp$d-$s) / $(m hoist-mp$d-$s)" | bc -l)" "$(m before-mp$d-$s)" "$(echo "$(m before-mp$d-$s) / $(m hoist-mp$d-$s)" | bc -l)"
    done
    continue
  fi
  printf '%-44s %9s %9s %9s\n' "$title" hoist "hoist -j1" "-j1/hoist"
  printf '%-44s %7.3f s %7.3f s %8.2fx\n' "loopback registry" "$(m hoist-mp-$s)" "$(m hoist1-mp-$s)" "$(echo "$(m hoist1-mp-$s) / $(m hoist-mp-$s)" | bc -l)"
  printf '%-44s %7.3f s %7.3f s %8.2fx\n' "registry ${DELAY_MS} ms away (each request)" "$(m hoist-mpd-$s)" "$(m hoist1-mpd-$s)" \
    "$(echo "$(m hoist1-mpd-$s) / $(m hoist-mpd-$s)" | bc -l)"
done
