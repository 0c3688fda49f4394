#!/usr/bin/env bash
# Prints a containers-registries.conf(5) that sends docker.io names to the registry at HOST
# (host:port, plain HTTP allowed), as the demo and the tests use it.
#   Testdata/registries-conf.sh HOST > registries.conf
set -euo pipefail
HOST=${1:?usage: registries-conf.sh HOST}
cat <<CONF
unqualified-search-registries = ["docker.io"]

[[registry]]
prefix = "docker.io"
location = "$HOST"
insecure = true

[[registry]]
location = "$HOST"
insecure = true
CONF
