#!/usr/bin/env bash
# Serves DIR over plain HTTP on 127.0.0.1:PORT (python3 -m http.server: Last-Modified, dumb git
# clones), stopped when WATCH_PID exits. Prints the server's pid.
#   Testdata/start-file-server.sh DIR PORT [WATCH_PID]
set -euo pipefail
DIR=${1:?}; PORT=${2:?}; WATCH=${3:-}
cd "$DIR"
setsid python3 -m http.server --bind 127.0.0.1 "$PORT" >/dev/null 2>&1 < /dev/null &
pid=$!
if [ -n "$WATCH" ]; then
  setsid bash -c "while kill -0 $WATCH 2>/dev/null; do sleep 1; done; kill $pid 2>/dev/null" >/dev/null 2>&1 < /dev/null &
fi
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && { echo "$pid"; exit 0; }
  sleep 0.1
done
echo "file server did not start on port $PORT" >&2
exit 1
