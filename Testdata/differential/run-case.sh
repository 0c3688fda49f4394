#!/usr/bin/env bash
# Builds one differential case with BuildKit or Hoist, pushes it to REGISTRY, reads it back with
# skopeo and writes summarize.py's JSON to OUT. A build that fails writes {"refused": true}.
#   run-case.sh NAME buildkit|hoist REGISTRY OUT
# buildkit needs the peers' environment (source <(Benchmarks/peers.sh --env)); hoist runs $HOIST
# (default: hoist on PATH) with the caller's HOIST_ROOT and HOIST_REGISTRIES_CONF.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: run-case.sh NAME buildkit|hoist REGISTRY OUT}; builder=${2:?}; registry=${3:?}; out=${4:?}
W=$(mktemp -d /tmp/hoist-case-XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
ctx=$W/context
"$HERE/prepare-context.sh" "$HERE/cases/$name" "$ctx"
# The context is served over loopback HTTP for the cases that ADD a URL; its port goes in via flags.
SERVE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SERVE_PORT
# The secret case (46) reads this; it must never show up in the image or its history.
export HOIST_DIFF_SECRET=s3cr3t-value-for-the-differential-suite
(cd "$ctx" && exec python3 -m http.server --bind 127.0.0.1 "$SERVE_PORT" >/dev/null 2>&1) &
server=$!
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$SERVE_PORT/" && break; sleep 0.1; done
flags=()
[ -f "$HERE/cases/$name/flags" ] && read -r -a flags <<< "$(envsubst < "$HERE/cases/$name/flags")"
ref=$registry/differential/$name:$builder
case $builder in
  buildkit) build=(docker buildx build --network host --push -t "$ref" "${flags[@]}" "$ctx") ;;
  hoist) build=("${HOIST:-hoist}" assemble -q --push -t "$ref" "${flags[@]}" "$ctx") ;;
  *) echo "run-case.sh: builder must be buildkit or hoist" >&2; exit 2 ;;
esac
if "${build[@]}" >"$W/build.log" 2>&1; then
  skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$W/oci:latest"
  order=()
  [ -f "$HERE/cases/$name/layer-order" ] && order=(--layer-order)
  python3 "$HERE/summarize.py" "$W/oci" --alias "$(command -v busybox)=busybox-static" \
    --replace "127.0.0.1:$SERVE_PORT=SERVER" "${order[@]}" > "$out"
else
  echo '{"refused": true}' > "$out"
  echo "run-case.sh: $builder refused $name:" >&2; tail -5 "$W/build.log" >&2
fi
