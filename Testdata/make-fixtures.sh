#!/usr/bin/env bash
# Builds Hoist's fixture images with umoci from Debian's busybox-static and pushes them with
# skopeo to REGISTRY (host:port, plain HTTP):
#   library/busybox    1 layer: busybox, sh/cat/ls links, /etc/passwd, /etc/group
#   library/alpine     2 layers: busybox + /etc/alpine-release
#   library/nginx      2 layers: busybox + /etc/nginx/nginx.conf
#   library/whiteout   3 layers; the top one deletes /etc/wh/a (.wh.a) and makes /opt/opq opaque
#   library/hostile    2 layers: busybox + a layer whose entries climb out (`../x`, `/abs/x`) or go through
#                      its own symlinks (`escape -> /tmp` then `escape/file`), as hostile images do
#   library/multiarch  an index of linux/amd64 and linux/arm64 (Debian's arm64 busybox-static)
#   Testdata/make-fixtures.sh REGISTRY WORKDIR [ARM64_BUSYBOX]
set -euo pipefail
REG=${1:?usage: make-fixtures.sh REGISTRY WORKDIR [ARM64_BUSYBOX]}
W=${2:?usage: make-fixtures.sh REGISTRY WORKDIR [ARM64_BUSYBOX]}
ARM64=${3:-}
export SOURCE_DATE_EPOCH=1700000000
L=$W/layout
rm -rf "$W" && mkdir -p "$W"
stamp() { find "$1" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +; }

# layer TAG DIR HISTORY: appends DIR's contents as one layer. A tar from GNU tar, added verbatim:
# umoci 0.4.7's `insert` writes small layers without the tar trailer, which strict readers refuse.
layer() {
  stamp "$2"
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$2" -cf "$2.tar" $(cd "$2" && ls -A)
  umoci raw add-layer --image "$L:$1" --history.created_by "$3" "$2.tar"
}

rootfs() {  # rootfs DIR BUSYBOX_BINARY
  mkdir -p "$1/bin" "$1/etc" "$1/tmp"
  cp "$2" "$1/bin/busybox"
  for app in sh cat ls echo true; do ln -s busybox "$1/bin/$app"; done
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$1/etc/passwd"
  printf 'root:x:0:\nstaff:x:50:\napp:x:1001:\nnogroup:x:65534:\n' > "$1/etc/group"
  stamp "$1"
}

image() {  # image TAG [ARCH]
  umoci new --image "$L:$1"
  umoci config --image "$L:$1" --no-history --os linux --architecture "${2:-amd64}" \
    --config.cmd sh --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  layer "$1" "$W/rootfs-${2:-amd64}" "busybox-static rootfs"
}

umoci init --layout "$L"
rootfs "$W/rootfs-amd64" "$(command -v busybox)"

image busybox

image alpine
mkdir -p "$W/alpine/etc" && echo 3.99.0-hoist > "$W/alpine/etc/alpine-release"
layer alpine "$W/alpine" "alpine release file"

image nginx
mkdir -p "$W/nginx/etc/nginx" && printf 'worker_processes 1;\nevents { worker_connections 64; }\n' > "$W/nginx/etc/nginx/nginx.conf"
layer nginx "$W/nginx" "nginx config"

image whiteout
mkdir -p "$W/wh-base/etc/wh" "$W/wh-base/opt/opq"
echo a > "$W/wh-base/etc/wh/a"; echo b > "$W/wh-base/etc/wh/b"
echo x > "$W/wh-base/opt/opq/x"; echo y > "$W/wh-base/opt/opq/y"
layer whiteout "$W/wh-base" "files to delete and a directory to hide"
# One top layer with both a whiteout and an opaque marker, as image-spec's layer.md writes them.
mkdir -p "$W/wh-top/etc/wh" "$W/wh-top/opt/opq"
: > "$W/wh-top/etc/wh/.wh.a"; : > "$W/wh-top/opt/opq/.wh..wh..opq"; echo z > "$W/wh-top/opt/opq/z"
layer whiteout "$W/wh-top" "whiteout and opaque"

image hostile
# Written by Python's tarfile: GNU tar refuses to write such names. Each entry lands inside the root
# when a runtime applies the layer (containerd's RootPath): escape/file is /tmp/file, rel/rel-file is
# /etc/rel-file, ../dotdot.txt is /dotdot.txt, deep/up/deep-up.txt is /deep-up.txt.
python3 - "$W/hostile.tar" <<'PY'
import io, sys, tarfile
out = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def add(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime, info.size = kind, link, mode, 1700000000, len(data)
    out.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add("escape", tarfile.SYMTYPE, link="/tmp", mode=0o777)
add("escape/file", data=b"through an absolute symlink\n")
add("rel", tarfile.SYMTYPE, link="../../etc", mode=0o777)
add("rel/rel-file", data=b"through a relative symlink\n")
add("../dotdot.txt", data=b"dot dot\n")
add("/abs/absolute.txt", data=b"absolute\n")
add("deep", tarfile.DIRTYPE, mode=0o755)
add("deep/up", tarfile.SYMTYPE, link="../../../..", mode=0o777)
add("deep/up/deep-up.txt", data=b"up and out\n")
add("hardlink", tarfile.LNKTYPE, link="escape/file")
out.close()
PY
umoci raw add-layer --image "$L:hostile" --history.created_by "hostile entries" "$W/hostile.tar"

if [ -n "$ARM64" ]; then
  rootfs "$W/rootfs-arm64" "$ARM64"
  image multi-amd64 amd64
  image multi-arm64 arm64
  # An index of the two manifests, written by hand: umoci has no command for it.
  desc() { jq -c --arg t "$1" --arg a "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]==$t) | {mediaType, digest, size, platform: {architecture: $a, os: "linux"}}' "$L/index.json"; }
  idx=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' "$(desc multi-amd64 amd64)" "$(desc multi-arm64 arm64)")
  sum=$(printf '%s' "$idx" | sha256sum | cut -d' ' -f1)
  printf '%s' "$idx" > "$L/blobs/sha256/$sum"
  jq --arg d "sha256:$sum" --argjson s "${#idx}" '.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "multiarch"}}]' \
    "$L/index.json" > "$L/index.json.new" && mv "$L/index.json.new" "$L/index.json"
fi

push() { skopeo copy -q ${3:-} --dest-tls-verify=false "oci:$L:$1" "docker://$REG/library/$2:latest" >/dev/null; }
push busybox busybox
push alpine alpine
push nginx nginx
push whiteout whiteout
push hostile hostile
[ -n "$ARM64" ] && push multiarch multiarch --all
echo "fixtures pushed to $REG"
