#!/usr/bin/env bash
# Starts docker-registry on https://127.0.0.1:PORT with a CA and server certificate made here by
# openssl and htpasswd basic auth for USER/PASSWORD, stopped when WATCH_PID exits. Prints its pid.
# DIR/certs.d/127.0.0.1:PORT/ca.crt is a certs.d tree for clients (HOIST_CERTS_D, skopeo --cert-dir).
# With CLIENT_CERTS=1 the registry also demands a client certificate signed by that CA; one is made
# as DIR/client/client.cert + client.key (copy them into the certs.d directory to use them).
#   Testdata/start-tls-registry.sh DIR PORT USER PASSWORD [WATCH_PID]
set -euo pipefail
DIR=${1:?usage: start-tls-registry.sh DIR PORT USER PASSWORD [WATCH_PID]}
PORT=${2:?}; USER_NAME=${3:?}; PASSWORD=${4:?}; WATCH=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$DIR/tls
mkdir -p "$T" "$DIR/certs.d/127.0.0.1:$PORT"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -days 2 -subj /CN=hoist-test-ca >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$T/server.key" -out "$T/server.csr" -subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$T/san.ext"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$T/server.crt" \
  -days 2 -extfile "$T/san.ext" >/dev/null 2>&1
cp "$T/ca.crt" "$DIR/certs.d/127.0.0.1:$PORT/ca.crt"
htpasswd -Bbn "$USER_NAME" "$PASSWORD" > "$DIR/htpasswd" 2>/dev/null
cat > "$DIR/tls.yml" <<YML
auth:
  htpasswd:
    realm: hoist-test
    path: $DIR/htpasswd
YML
cat > "$DIR/http.yml" <<YML
tls:
  certificate: $T/server.crt
  key: $T/server.key
YML
ready="--cacert $T/ca.crt"
if [ "${CLIENT_CERTS:-}" = 1 ]; then
  mkdir -p "$DIR/client"
  openssl req -newkey rsa:2048 -nodes -keyout "$DIR/client/client.key" -out "$DIR/client/client.csr" -subj /CN=hoist-client >/dev/null 2>&1
  openssl x509 -req -in "$DIR/client/client.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$DIR/client/client.cert" -days 2 >/dev/null 2>&1
  printf '  clientcas:\n    - %s\n' "$T/ca.crt" >> "$DIR/http.yml"
  ready="$ready --cert $DIR/client/client.cert --key $DIR/client/client.key"
fi
export REGISTRY_HTTP_YAML=$DIR/http.yml REGISTRY_EXTRA_YAML=$DIR/tls.yml READY_URL=https://127.0.0.1:$PORT/v2/ READY_CURL_ARGS="$ready"
exec "$HERE/start-registry.sh" "$DIR" "$PORT" "$WATCH"
