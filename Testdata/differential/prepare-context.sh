#!/usr/bin/env bash
# Makes the build context of one differential case: a copy of cases/NAME with the special files
# git cannot hold (symlinks, hard links, modes, xattrs, archives) made by the case's prepare.sh.
#   prepare-context.sh CASE_DIR DEST
set -euo pipefail
src=${1:?usage: prepare-context.sh CASE_DIR DEST}
dest=${2:?usage: prepare-context.sh CASE_DIR DEST}
rm -rf "$dest" && mkdir -p "$dest"
cp -a "$src/." "$dest/"
rm -f "$dest/flags" "$dest/differs" "$dest/layer-order"
if [ -f "$dest/prepare.sh" ]; then
  (cd "$dest" && bash ./prepare.sh) && rm -f "$dest/prepare.sh"
fi
