#!/usr/bin/env bash
# Regenerates golden/NAME.json for every case (or those named) from BuildKit: the fixtures are
# pushed to the peers' registry, each case is built with `docker buildx build --push`, read back
# with skopeo and summarised by summarize.py. Needs root and ../shared/peers/up.sh.
#   Testdata/differential/regenerate.sh [CASE ...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS=$HERE/../../../shared/peers/up.sh
"$PEERS" >&2
source <("$PEERS" --env)
W=$(mktemp -d /tmp/hoist-golden-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
"$HERE/../make-fixtures.sh" "$PEER_REGISTRY" "$W/fixtures" >&2
mkdir -p "$HERE/golden"
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=($(cd "$HERE/cases" && ls))
for name in "${cases[@]}"; do
  ctx=$W/ctx/$name
  "$HERE/prepare-context.sh" "$HERE/cases/$name" "$ctx"
  # A case may serve its context over HTTP (ADD of a URL): the port goes in through its flags.
  SERVE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export SERVE_PORT
  (cd "$ctx" && exec python3 -m http.server --bind 127.0.0.1 "$SERVE_PORT" >/dev/null 2>&1) &
  server=$!
  flags=""; [ -f "$HERE/cases/$name/flags" ] && flags=$(envsubst < "$HERE/cases/$name/flags")
  ref=$PEER_REGISTRY/differential/$name:latest
  echo "== $name" >&2
  if docker buildx build --network host --push -t "$ref" $flags "$ctx" >"$W/$name.log" 2>&1; then
    skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$W/oci-$name:latest"
    python3 "$HERE/summarize.py" "$W/oci-$name" --alias "$(command -v busybox)=busybox-static" \
      --replace "127.0.0.1:$SERVE_PORT=SERVER" > "$HERE/golden/$name.json"
  else
    # A case BuildKit refuses is golden too: Hoist must refuse it as well.
    { echo '{"refused": true}'; } > "$HERE/golden/$name.json"
    tail -5 "$W/$name.log" >&2
  fi
  kill $server 2>/dev/null || true; wait $server 2>/dev/null || true
done
