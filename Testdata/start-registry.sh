#!/usr/bin/env bash
# Starts Debian's docker-registry on 127.0.0.1:PORT with its data and logs in DIR, in the
# background, and prints its pid. With WATCH_PID, it stops itself when that process exits, and
# DIR is removed.
# $REGISTRY_EXTRA_YAML names a file of further top-level configuration (e.g. `auth:`),
# $REGISTRY_HTTP_YAML one of settings under `http:` (e.g. `tls:`).
#   Testdata/start-registry.sh DIR PORT [WATCH_PID]
set -euo pipefail
DIR=${1:?usage: start-registry.sh DIR PORT [WATCH_PID]}
PORT=${2:?usage: start-registry.sh DIR PORT [WATCH_PID]}
WATCH=${3:-}
mkdir -p "$DIR/data"
cat > "$DIR/registry.yml" <<YML
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage:
  filesystem: {rootdirectory: $DIR/data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$PORT
YML
# More settings under http: (tls, clientcas) from $REGISTRY_HTTP_YAML, indented into place.
[ -n "${REGISTRY_HTTP_YAML:-}" ] && sed 's/^/  /' "$REGISTRY_HTTP_YAML" >> "$DIR/registry.yml"
[ -n "${REGISTRY_EXTRA_YAML:-}" ] && cat "$REGISTRY_EXTRA_YAML" >> "$DIR/registry.yml"
setsid docker-registry serve "$DIR/registry.yml" >"$DIR/registry.log" 2>&1 < /dev/null &
pid=$!
if [ -n "$WATCH" ]; then
  # Its data goes with it: a test run must not leave a registry's blobs in /tmp.
  setsid bash -c "while kill -0 $WATCH 2>/dev/null; do sleep 1; done; kill $pid 2>/dev/null
    for _ in \$(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
    rm -rf '$DIR'" >/dev/null 2>&1 < /dev/null &
fi
for _ in $(seq 1 100); do
  # 200, or 401 when the registry wants a token: either way it is serving.
  # shellcheck disable=SC2086
  case $(curl -s ${READY_CURL_ARGS:-} -o /dev/null -w '%{http_code}' "${READY_URL:-http://127.0.0.1:$PORT/v2/}" 2>/dev/null) in 200|401) echo "$pid"; exit 0;; esac
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
echo "docker-registry did not start on 127.0.0.1:$PORT; see $DIR/registry.log" >&2
exit 1
