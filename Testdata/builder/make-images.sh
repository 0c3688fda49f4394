#!/usr/bin/env bash
# Stand-ins for the builder pattern's images, pushed to REGISTRY: library/golang:1.7.3 is Debian 12
# with golang-go (mmdebstrap, cached after the first run), library/alpine:latest is the busybox
# fixture (Testdata/make-fixtures.sh pushes it).
#   Testdata/builder/make-images.sh REGISTRY
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/../make-debian-image.sh" "${1:?usage: make-images.sh REGISTRY}" golang:1.7.3 golang-go
