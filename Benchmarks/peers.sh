#!/usr/bin/env bash
# Starts the peers Hoist is measured and compared against, all from Debian's packages, on loopback:
# a registry (docker-registry), buildah, and BuildKit as embedded in dockerd with buildx. Idempotent.
#
#   Benchmarks/peers.sh                  # start them (needs root)
#   source <(Benchmarks/peers.sh --env)  # PEER_REGISTRY, PEER_DOCKER, PEER_BUILDAH, DOCKER_HOST, registries.conf
#   Benchmarks/peers.sh --down           # stop what it started
#
# PEER_DOCKER_SUITE picks BuildKit: sid (default: dockerd 28.5, BuildKit 0.25, buildx 0.29, images in
# containerd on overlayfs) or trixie (dockerd 26, BuildKit 0.13, vfs). Its .debs are unpacked under
# PEER_STATE (default /tmp/peers), never installed. docker.io names resolve to the loopback registry
# for every peer and for Hoist (registries.conf, dockerd --registry-mirror), so `FROM busybox` works
# offline once the fixtures are pushed there as library/busybox.
set -euo pipefail
STATE=${PEER_STATE:-/tmp/peers}
PORT=${PEER_REGISTRY_PORT:-5999}
SUITE=${PEER_DOCKER_SUITE:-sid}
ROOT=$STATE/dockerio-$SUITE/x
if [ "$SUITE" = trixie ]; then STORE=vfs; else STORE=containerd; fi
SOCK=$STATE/dockerd-$SUITE-$STORE.sock

print_env() {
  cat <<ENV
export PEER_REGISTRY=127.0.0.1:$PORT
export DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$STATE/docker-config-$SUITE
export PEER_DOCKER=$ROOT/usr/bin/docker
export PEER_BUILDAH='buildah --storage-driver vfs --root $STATE/buildah-root --runroot $STATE/buildah-run'
export PATH=$ROOT/usr/bin:$ROOT/usr/sbin:\$PATH
export CONTAINERS_REGISTRIES_CONF=$STATE/registries.conf HOIST_REGISTRIES_CONF=$STATE/registries.conf
ENV
}

stop() {
  for name in registry "dockerd-$SUITE-$STORE"; do
    if [ -f "$STATE/$name.pid" ]; then kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true; rm -f "$STATE/$name.pid"; fi
  done
}

case "${1:-}" in
  --env) print_env; exit 0 ;;
  --down) stop; exit 0 ;;
  "") ;;
  *) echo "usage: Benchmarks/peers.sh [--env|--down]" >&2; exit 2 ;;
esac

mkdir -p "$STATE"
printf 'unqualified-search-registries = ["docker.io"]\n\n[[registry]]\nprefix = "docker.io"\nlocation = "127.0.0.1:%s"\ninsecure = true\n\n[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' \
  "$PORT" "$PORT" > "$STATE/registries.conf"

missing=()
for pair in docker-registry:docker-registry buildah:buildah skopeo:skopeo umoci:umoci runc:runc busybox:busybox-static; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# dockerd, containerd, the docker CLI and buildx from the chosen suite of the mirror this machine
# uses, through an apt configuration of their own, so the system's sources stay as they are.
if [ ! -x "$ROOT/usr/sbin/dockerd" ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
  apt_dir=$STATE/apt-$SUITE
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$STATE/dockerio-$SUITE"
  echo "deb $mirror $SUITE main" > "$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives")
  apt-get "${apt_opts[@]}" update -qq >/dev/null
  (cd "$STATE/dockerio-$SUITE" && apt-get "${apt_opts[@]}" download -qq docker.io docker-cli docker-buildx containerd >/dev/null 2>&1)
  for deb in "$STATE/dockerio-$SUITE"/*.deb; do dpkg -x "$deb" "$ROOT"; done
  mkdir -p "$STATE/docker-config-$SUITE/cli-plugins"
  cp "$ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$STATE/docker-config-$SUITE/cli-plugins/"
  [ -f "$STATE/docker-config-$SUITE/config.json" ] || echo '{}' > "$STATE/docker-config-$SUITE/config.json"
fi

registry_up() { curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1; }
docker_up() { DOCKER_HOST=unix://$SOCK "$ROOT/usr/bin/docker" info >/dev/null 2>&1; }

if ! registry_up; then
  mkdir -p "$STATE/registry-data"
  printf 'version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$STATE/registry-data" "$PORT" > "$STATE/registry.yml"
  setsid docker-registry serve "$STATE/registry.yml" > "$STATE/registry.log" 2>&1 &
  echo $! > "$STATE/registry.pid"
fi
if ! docker_up; then
  if [ "$STORE" = containerd ]; then
    echo '{"features": {"containerd-snapshotter": true}}' > "$STATE/daemon-$SUITE.json"
    store_flags=(--config-file "$STATE/daemon-$SUITE.json")
  else
    store_flags=(--storage-driver vfs)
  fi
  # A short exec root: containerd's socket path must fit in a unix socket address.
  PATH=$ROOT/usr/bin:$ROOT/usr/sbin:$PATH setsid dockerd "${store_flags[@]}" --data-root "$STATE/dockerd-$SUITE-$STORE-root" \
    --exec-root "$STATE/x-$SUITE-$STORE" --iptables=false --bridge=none --host "unix://$SOCK" \
    --pidfile "$STATE/dockerd-$SUITE-$STORE.pid" --insecure-registry "127.0.0.1:$PORT" \
    --registry-mirror "http://127.0.0.1:$PORT" > "$STATE/dockerd-$SUITE-$STORE.log" 2>&1 &
fi
for _ in $(seq 1 60); do registry_up && docker_up && break; sleep 0.5; done
registry_up || { echo "peers: the registry did not start; see $STATE/registry.log" >&2; exit 1; }
docker_up || { echo "peers: dockerd did not start; see $STATE/dockerd-$SUITE-$STORE.log" >&2; exit 1; }
echo "peers up: registry 127.0.0.1:$PORT, BuildKit in dockerd $(DOCKER_HOST=unix://$SOCK "$ROOT/usr/bin/docker" version -f '{{.Server.Version}}') ($SUITE, $STORE store), buildah $(buildah --version | awk '{print $3}')" >&2
