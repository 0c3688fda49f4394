#!/usr/bin/env bash
# Starts Debian's dockerd (package docker.io) with everything under DIR: its own socket, data
# root (vfs), exec root and containerd; no bridge, no iptables, nothing on the network. Stopped when
# WATCH_PID exits, its mounts undone and DIR removed. Prints the socket's DOCKER_HOST.
#   Testdata/start-dockerd.sh DIR [WATCH_PID]
set -euo pipefail
DIR=${1:?}; WATCH=${2:-}
mkdir -p "$DIR"
host=unix://$DIR/docker.sock
setsid /usr/sbin/dockerd --data-root "$DIR/root" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" \
  --host "$host" --storage-driver vfs --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
  >"$DIR/dockerd.log" 2>&1 < /dev/null &
pid=$!
if [ -n "$WATCH" ]; then
  # Once the watched process is gone: stop dockerd, wait for it, then undo the mounts it left
  # (its data root is bind-mounted onto itself) and remove DIR, which the caller could not.
  setsid bash -c "while kill -0 $WATCH 2>/dev/null; do sleep 1; done; kill $pid 2>/dev/null
    for _ in \$(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
    awk '\$2 ~ \"^$DIR(/|\$)\" {print \$2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
    rm -rf '$DIR'" >/dev/null 2>&1 < /dev/null &
fi
for _ in $(seq 1 100); do
  DOCKER_HOST=$host /usr/bin/docker version >/dev/null 2>&1 && { echo "$host"; exit 0; }
  kill -0 $pid 2>/dev/null || break
  sleep 0.2
done
echo "dockerd did not start; see $DIR/dockerd.log:" >&2
tail -5 "$DIR/dockerd.log" >&2
exit 1
