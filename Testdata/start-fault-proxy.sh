#!/usr/bin/env bash
# Starts Testdata/fault-proxy.py on 127.0.0.1:PORT in front of UPSTREAM, stopped when WATCH_PID exits.
#   Testdata/start-fault-proxy.sh PORT UPSTREAM RULES.json LOG [WATCH_PID]
set -euo pipefail
PORT=${1:?}; UPSTREAM=${2:?}; RULES=${3:?}; LOG=${4:?}; WATCH=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$RULES" ] || echo '[]' > "$RULES"
setsid python3 "$HERE/fault-proxy.py" "$PORT" "$UPSTREAM" "$RULES" "$LOG" >"$LOG.stderr" 2>&1 < /dev/null &
pid=$!
if [ -n "$WATCH" ]; then
  setsid bash -c "while kill -0 $WATCH 2>/dev/null; do sleep 1; done; kill $pid 2>/dev/null" >/dev/null 2>&1 < /dev/null &
fi
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && { : > "$LOG"; echo "$pid"; exit 0; }
  sleep 0.1
done
echo "fault proxy did not start; see $LOG.stderr" >&2
exit 1
