#!/usr/bin/env bash
# Cost against the number of files: COPY of a directory of N small files onto busybox, build + push,
# cold, measured in this one run on this machine:
#   from the context      FROM busybox / COPY data /data
#   COPY --from an image  FROM busybox / COPY --from=REG/bench/scale-src:N /data /data, where that
#                         image (pushed first, by the context build) holds the same files
#   BuildKit 0.25         the same COPY --from (with WITH_BUILDKIT=1; 92 s at 200,000 files)
# Prints wall time, Hoist's peak RSS and the ratio of the two Hoist paths, for each N.
#   Benchmarks/scale.sh                     (COUNTS="50000 200000" by default; needs root)
#   COUNTS="50000 200000 1000000" WITH_BUILDKIT=1 Benchmarks/scale.sh
set -euo pipefail
COUNTS=${COUNTS:-"50000 200000"}
source "$(dirname "$0")/lib.sh"
"$HERE/Testdata/make-fixtures.sh" "$REG" "$W/fixtures" >&2
export BUILDX_NO_DEFAULT_ATTESTATIONS=1  # the same layers for every tool: no attestation to push

# run NAME CMD…: wall seconds and peak RSS (MB) of one command, as "SECONDS MB".
run() {
  local t0 t1
  t0=$(now)
  /usr/bin/time -f %M -o "$W/rss" "$@" >/dev/null 2>>"$W/log"
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc) $(( $(cat "$W/rss") / 1024 ))"
}

declare -A R
for n in $COUNTS; do
  echo "bench: $n files" >&2
  rm -rf "$W/ctx" "$W/from" && mkdir -p "$W/ctx/data" "$W/from"
  python3 - "$W/ctx/data" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = f"{root}/d{i // 1000:04d}"
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:07d}.txt", "w") as f:
        f.write(f"file {i}\n")
PY
  printf 'FROM busybox:latest\nCOPY data /data\n' > "$W/ctx/Dockerfile"
  printf 'FROM busybox:latest\nCOPY --from=%s/bench/scale-src:%s /data /data\n' "$REG" "$n" > "$W/from/Dockerfile"
  rm -rf "$W/state"
  R[context-$n]=$(run env HOIST_ROOT="$W/state/a" "$HOIST" assemble -q -t "$REG/bench/scale-src:$n" --push "$W/ctx")
  R[from-$n]=$(run env HOIST_ROOT="$W/state/b" "$HOIST" assemble -q -t "$REG/bench/scale-dst:$n" --push "$W/from")
  if [ -n "${WITH_BUILDKIT:-}" ]; then
    buildkit_reset
    R[buildkit-$n]=$(run "$PEER_DOCKER" buildx build -q --network host --push -t "$REG/bench/scale-buildkit:$n" "$W/from")
  fi
done

echo
echo "COPY of N small files onto busybox, build + push, cold, $(nproc) cores (Hoist: seconds, peak RSS)"
printf '%-10s %-22s %-26s %10s %14s\n' files "from the context" "COPY --from an image" "from/ctx" "BuildKit from"
for n in $COUNTS; do
  read -r tc mc <<< "${R[context-$n]}"
  read -r tf mf <<< "${R[from-$n]}"
  bk=-
  [ -n "${R[buildkit-$n]:-}" ] && bk="$(printf '%.2f s' "$(echo "${R[buildkit-$n]}" | cut -d' ' -f1)")"
  printf '%-10s %7.2f s, %4d MB      %7.2f s, %4d MB          %8.2fx %14s\n' "$n" "$tc" "$mc" "$tf" "$mf" "$(echo "$tf / $tc" | bc -l)" "$bk"
done
