#!/usr/bin/env bash
# Fetches Debian's arm64 busybox-static binary (for the two-platform fixture) into CACHE, once.
# Uses a private apt list so the system's own apt configuration is left alone.
#   Testdata/fetch-arm64-busybox.sh CACHE_DIR     → CACHE_DIR/busybox-arm64
set -euo pipefail
CACHE=${1:?usage: fetch-arm64-busybox.sh CACHE_DIR}
[ -x "$CACHE/busybox-arm64" ] && exit 0
mkdir -p "$CACHE"
A=$CACHE/apt-arm64
mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/x"
uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
echo "deb [arch=arm64] $uri $suite main" > "$A/sources.list"
o=(-o APT::Architecture=arm64 -o APT::Architectures=arm64 -o "Dir::Etc::SourceList=$A/sources.list"
   -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$A/lists" -o "Dir::Cache::Archives=$A/archives")
apt-get "${o[@]}" update -qq >/dev/null
(cd "$A" && apt-get "${o[@]}" download -qq busybox-static:arm64 >/dev/null)
dpkg-deb -x "$A"/busybox-static_*_arm64.deb "$A/x"
cp "$A/x/bin/busybox" "$CACHE/busybox-arm64.tmp" && mv "$CACHE/busybox-arm64.tmp" "$CACHE/busybox-arm64"
rm -rf "$A"
