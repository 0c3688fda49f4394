#!/usr/bin/env bash
# Starts docker-registry with Bearer-token auth on 127.0.0.1:PORT and the token issuer beside it
# on 127.0.0.1:ISSUER_PORT (signing key and certificate made here with openssl), both in DIR and
# both stopped when WATCH_PID exits. Prints the registry's pid.
#   Testdata/start-token-registry.sh DIR PORT ISSUER_PORT [WATCH_PID]
set -euo pipefail
DIR=${1:?usage: start-token-registry.sh DIR PORT ISSUER_PORT [WATCH_PID]}
PORT=${2:?}; ISSUER_PORT=${3:?}; WATCH=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR/issuer"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DIR/issuer/key.pem" -out "$DIR/issuer/cert.pem" \
  -days 2 -subj /CN=hoist-test-issuer >/dev/null 2>&1
setsid python3 "$HERE/token-issuer.py" "$DIR/issuer" "$ISSUER_PORT" >"$DIR/issuer/stderr.log" 2>&1 < /dev/null &
issuer=$!
if [ -n "$WATCH" ]; then
  setsid bash -c "while kill -0 $WATCH 2>/dev/null; do sleep 1; done; kill $issuer 2>/dev/null" >/dev/null 2>&1 < /dev/null &
fi
cat > "$DIR/auth.yml" <<YML
auth:
  token:
    realm: http://127.0.0.1:$ISSUER_PORT/token
    service: hoist-test-registry
    issuer: hoist-test-issuer
    rootcertbundle: $DIR/issuer/cert.pem
YML
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$ISSUER_PORT/token?service=hoist-test-registry" >/dev/null 2>&1 && break
  sleep 0.1
done
REGISTRY_EXTRA_YAML=$DIR/auth.yml exec "$HERE/start-registry.sh" "$DIR" "$PORT" "$WATCH"
