#!/usr/bin/env bash
# Makes a Debian 12 image with mmdebstrap (minbase, plus PACKAGES) as one layer, like the official
# debian image, and pushes it with skopeo to REGISTRY/library/NAME:TAG (plain HTTP). The rootfs tar
# is cached in $HOIST_TESTDATA_CACHE (default /var/cache/hoist-testdata) per package list, so only
# the first run needs the Debian mirror.
#   Testdata/make-debian-image.sh REGISTRY NAME:TAG [PACKAGE,...]
#   Testdata/make-debian-image.sh --rootfs-only [PACKAGE,...]   (only the cached tar: scripts/setup.sh
#                                   makes it, so tests never reach the Debian mirror themselves)
set -euo pipefail
if [ "${1:-}" = --rootfs-only ]; then ONLY=1; REG=; REF=; PKGS=${2:-}; else
ONLY=
REG=${1:?usage: make-debian-image.sh REGISTRY NAME:TAG [PACKAGE,...]}
REF=${2:?usage: make-debian-image.sh REGISTRY NAME:TAG [PACKAGE,...]}
PKGS=${3:-}
fi
CACHE=${HOIST_TESTDATA_CACHE:-/var/cache/hoist-testdata}
command -v mmdebstrap >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null; }
mkdir -p "$CACHE"
rootfs=$CACHE/debian-bookworm${PKGS:+-${PKGS//,/-}}.tar
if [ ! -s "$rootfs" ]; then
  echo "make-debian-image: mmdebstrap bookworm ${PKGS:+with $PKGS }into $rootfs" >&2
  SOURCE_DATE_EPOCH=1700000000 mmdebstrap --quiet --variant=minbase ${PKGS:+--include="$PKGS"} \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' bookworm "${rootfs%.tar}.partial.tar"
  mv "${rootfs%.tar}.partial.tar" "$rootfs"
fi
[ -n "$ONLY" ] && exit 0
W=$(mktemp -d /tmp/hoist-debian-XXXXXX)
trap 'rm -rf "$W"' EXIT
umoci init --layout "$W/layout"
umoci new --image "$W/layout:img"
# Fixed times, so pushing the image again (tests that run at once each make sure it is there)
# gives the same digest and never changes the tag under a build that resolved it.
CREATED=2023-11-14T22:13:20Z
umoci config --image "$W/layout:img" --no-history --created "$CREATED" --os linux --architecture amd64 --config.cmd bash \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umoci raw add-layer --image "$W/layout:img" --history.created "$CREATED" --history.created_by "mmdebstrap bookworm ${PKGS}" "$rootfs"
skopeo copy -q --dest-tls-verify=false "oci:$W/layout:img" "docker://$REG/library/$REF" >/dev/null
echo "pushed $REG/library/$REF" >&2
