#!/usr/bin/env bash
# Installs what Hoist's build, demo and tests need on Debian 12, as root. Idempotent.
# Prints the environment the tests use (HOIST_PYTHON, HOIST_ARM64_BUSYBOX) as `export` lines.
set -euo pipefail
CACHE=${HOIST_TESTDATA_CACHE:-/var/cache/hoist-testdata}
need=()
# docker.io: the docker-load test starts its own dockerd; git, xz-utils, bzip2, zstd and gettext-base
# (envsubst): ADD of git repositories and the differential cases' archives; uidmap: rootless RUN as
# any user; python3-yaml: the docs/ci.md recipe tests read its YAML.
for pkg in libcurl4-openssl-dev libarchive-dev libzstd-dev libdeflate-dev libisal-dev libssl-dev pkg-config \
           docker-registry skopeo umoci busybox-static jq curl tar python3 apache2-utils openssl \
           docker.io git xz-utils bzip2 zstd gettext-base uidmap python3-yaml; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  apt-get update -qq >/dev/null
  # Packages install without starting their services (the system's dockerd): tests start their own.
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  if [ -n "$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
command -v swift >/dev/null || [ -x /opt/swift/usr/bin/swift ] || { echo "setup: Swift 6 is not installed (expected swift on PATH or /opt/swift)" >&2; exit 1; }

# image-spec's validate.py needs jsonschema with `referencing` (4.18+; Debian 12 ships 4.10), and
# the SBOM tests the SPDX validator (spdx-tools): both from PyPI, in a venv.
python=python3
if ! python3 -c 'import jsonschema, referencing, spdx_tools' 2>/dev/null; then
  if [ ! -x "$CACHE/venv/bin/python" ] || ! "$CACHE/venv/bin/python" -c 'import jsonschema, referencing, spdx_tools' 2>/dev/null; then
    echo "setup: installing jsonschema and spdx-tools into $CACHE/venv" >&2
    python3 -m venv "$CACHE/venv" >/dev/null 2>&1 || {
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$CACHE/venv"
    }
    "$CACHE/venv/bin/pip" install -q 'jsonschema>=4.18' 'spdx-tools>=0.8' >/dev/null
  fi
  python=$CACHE/venv/bin/python
fi

# A user with subordinate ids (uidmap's newuidmap/newgidmap map them), as a CI runner or a
# Kubernetes pod without root has: docs/ci.md's Job recipe runs as this user in the tests.
if ! id hoist-ci >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin hoist-ci
fi
if ! grep -q '^hoist-ci:' /etc/subuid 2>/dev/null || ! grep -q '^hoist-ci:' /etc/subgid 2>/dev/null; then
  usermod --add-subuids 300000-365535 --add-subgids 300000-365535 hoist-ci
fi

# The arm64 half of the two-platform fixture: Debian's own arm64 busybox-static.
"$(dirname "$0")/../Testdata/fetch-arm64-busybox.sh" "$CACHE" 2>/dev/null \
  || echo "setup: could not fetch the arm64 busybox; the multi-platform tests will say so" >&2
# The builder pattern's Go toolchain image (Debian 12 + golang-go), made once with mmdebstrap from the
# Debian mirror here, so that the tests themselves only ever talk to loopback.
HOIST_TESTDATA_CACHE=$CACHE "$(dirname "$0")/../Testdata/make-debian-image.sh" --rootfs-only golang-go >&2 \
  || echo "setup: could not make the Debian+golang-go rootfs; the builder-pattern test will try again" >&2
echo "export HOIST_PYTHON=$python HOIST_ARM64_BUSYBOX=$CACHE/busybox-arm64"
[ -d /opt/swift/usr/bin ] && echo "export PATH=/opt/swift/usr/bin:\$PATH"
exit 0
