#!/usr/bin/env bash
# The main job, end to end: builds Hoist, starts a loopback registry holding fixture images made
# from Debian's busybox-static, builds Testdata/demo (a multi-stage Dockerfile without RUN) with
# `hoist assemble`, pushes it (with its provenance, as buildx does) and exports it as an OCI
# tarball, then shows both with skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
swift build -c release --product hoist
HOIST=$PWD/.build/release/hoist

STATE=${HOIST_DEMO_STATE:-/tmp/hoist-demo}
PORT=${HOIST_DEMO_PORT:-5077}
rm -rf "$STATE" && mkdir -p "$STATE"
pid=$(Testdata/start-registry.sh "$STATE/registry" "$PORT")
trap 'kill $pid 2>/dev/null || true' EXIT
Testdata/make-fixtures.sh "127.0.0.1:$PORT" "$STATE/fixtures" "${HOIST_ARM64_BUSYBOX:-}" >&2
Testdata/registries-conf.sh "127.0.0.1:$PORT" > "$STATE/registries.conf"
export HOIST_ROOT=$STATE/root HOIST_REGISTRIES_CONF=$STATE/registries.conf
mkdir -p demo-out

echo "== Dockerfile"; cat Testdata/demo/Dockerfile
echo "== hoist assemble -t 127.0.0.1:$PORT/demo/app:1 --push -o type=oci,dest=demo-out/app.tar Testdata/demo"
"$HOIST" assemble -t "127.0.0.1:$PORT/demo/app:1" --push --output type=oci,dest=demo-out/app.tar Testdata/demo
echo "== skopeo inspect docker://127.0.0.1:$PORT/demo/app:1"
skopeo inspect --tls-verify=false "docker://127.0.0.1:$PORT/demo/app:1"
echo "== its provenance (buildx's default, mode=min), as docker buildx imagetools inspect shows it: hoist inspect --format '{{json .Provenance}}'"
"$HOIST" inspect --format '{{json .Provenance}}' "127.0.0.1:$PORT/demo/app:1"
echo "== skopeo inspect oci-archive:demo-out/app.tar"
skopeo inspect oci-archive:demo-out/app.tar
echo "== what the image says when run: cat /app.txt"
skopeo copy -q oci-archive:demo-out/app.tar "oci:$STATE/read:app"
umoci unpack --image "$STATE/read:app" "$STATE/bundle" >/dev/null
cat "$STATE/bundle/rootfs/app.txt"

# RUN, only where needed: the builder pattern (Testdata/builder). The Go toolchain stage is Debian 12
# with golang-go (made once with mmdebstrap, then cached); only the two RUN stages get a sandbox.
echo "== builder pattern: Testdata/builder/Dockerfile"; cat Testdata/builder/Dockerfile
Testdata/builder/make-images.sh "127.0.0.1:$PORT" >&2
echo "== hoist assemble -t 127.0.0.1:$PORT/demo/href-counter:1 --push -o type=local,dest=$STATE/href-rootfs Testdata/builder"
"$HOIST" assemble -t "127.0.0.1:$PORT/demo/href-counter:1" --push --output "type=local,dest=$STATE/href-rootfs" Testdata/builder
echo "== the app, run inside the image it was built into (chroot $STATE/href-rootfs /root/app)"
echo '<a href="/docs">docs</a> <a href="https://example.com">out</a>' | chroot "$STATE/href-rootfs" /root/app
