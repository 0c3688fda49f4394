#!/usr/bin/env bash
# Regenerates the goldens of `hoist assemble --call=…` from buildx 0.29 and BuildKit 0.25 (dockerd
# 28.5 from Debian sid, which Benchmarks/peers.sh starts by default). Each case is a directory with a
# Dockerfile and a `calls` file, one call per line: NAME FLAGS… (e.g. `outline-json --call=outline,format=json`).
# For each call, `docker buildx build FLAGS .` runs in the case's directory and writes
#   NAME.stdout  what buildx printed on stdout, byte for byte
#   NAME.status  its exit status
#   NAME.stderr  only when the status is not 0: buildx's closing `ERROR: …` line(s), without the progress
# The fixtures are pushed to the peers' registry first (outline and check load the base images' configs).
# Needs root; starts Benchmarks/peers.sh. CallCommandTests (Tests/hoistTests) compares Hoist with these files; docs/call.md.
#   Testdata/call/regenerate.sh [CASE ...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS=$HERE/../../Benchmarks/peers.sh
"$PEERS" >&2
source <("$PEERS" --env)
W=$(mktemp -d /tmp/hoist-call-XXXXXX)
trap 'rm -rf "$W"' EXIT
"$HERE/../make-fixtures.sh" "$PEER_REGISTRY" "$W/fixtures" >&2
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=($(cd "$HERE" && ls -d */ | tr -d /))
for name in "${cases[@]}"; do
  dir=$HERE/$name
  rm -f "$dir"/*.stdout "$dir"/*.status "$dir"/*.stderr
  while read -r call flags; do
    [ -n "$call" ] || continue
    echo "== $name/$call: $flags" >&2
    status=0
    (cd "$dir" && docker buildx build --progress=plain $flags . >"$dir/$call.stdout" 2>"$W/stderr") || status=$?
    echo "$status" >"$dir/$call.status"
    if [ "$status" != 0 ]; then sed -n '/^ERROR: /,$p' "$W/stderr" >"$dir/$call.stderr"; fi
  done <"$dir/calls"
done
