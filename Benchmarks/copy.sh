#!/usr/bin/env bash
# Copies a SIZE_MB (default 300) image of incompressible layers with `hoist copy` and with
# `skopeo copy`, between two registries and between two repositories of one registry, RUNS times
# each (default 3), cold (a fresh Hoist store each run, skopeo's blob-info cache removed, a fresh
# repository each run), and prints medians, ratios and peak memory.
# Checks that both produce the same manifest digest.
#   Benchmarks/copy.sh [SIZE_MB] [RUNS]
set -euo pipefail
SIZE_MB=${1:-300}; RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
(cd "$HERE" && swift build -c release --product hoist >&2)
HOIST=$HERE/.build/release/hoist
W=$(mktemp -d /tmp/hoist-copy-bench-XXXXXX)
A=127.0.0.1:$((20000 + RANDOM % 20000)); B=127.0.0.1:$((40000 + RANDOM % 20000))
pa=$("$HERE/Testdata/start-registry.sh" "$W/ra" "${A#*:}"); pb=$("$HERE/Testdata/start-registry.sh" "$W/rb" "${B#*:}")
trap 'kill $pa $pb 2>/dev/null; rm -rf "$W"' EXIT
echo "bench: making a ${SIZE_MB} MB image in $A" >&2
L=$W/layout; umoci init --layout "$L" >&2; umoci new --image "$L:big" >&2
for i in 1 2 3; do
  mkdir -p "$W/l$i/data"; head -c "$((SIZE_MB * 1024 * 1024 / 3))" /dev/urandom > "$W/l$i/data/part$i.bin"
  tar --owner=0 --group=0 -C "$W/l$i" -cf "$W/l$i.tar" data; umoci raw add-layer --image "$L:big" "$W/l$i.tar" >&2; rm -rf "$W/l$i" "$W/l$i.tar"
done
skopeo copy -q --dest-tls-verify=false "oci:$L:big" "docker://$A/src/big:1"
rm -rf "$L"
conf=$W/registries.conf
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$A" "$B" > "$conf"
export HOIST_REGISTRIES_CONF=$conf
now() { date +%s%N; }
declare -A times peak
run() {  # run NAME DEST-PATTERN COMMAND... ; @N@ in DEST-PATTERN becomes the run number, a fresh repository each time
  local name=$1 pattern=$2; shift 2
  for i in $(seq 1 "$RUNS"); do
    rm -rf "$W/root"
    # skopeo remembers where it has seen each blob and mounts from there: forget, so runs are cold.
    rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"
    local dest=${pattern//@N@/$i}
    local args=("${@//@DEST@/$dest}")
    local t0; t0=$(now)
    HOIST_ROOT=$W/root /usr/bin/time -f %M -o "$W/mem" "${args[@]}" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
    times[$name]+="$(( ($(now) - t0) / 1000000 )) "
    peak[$name]=$(cat "$W/mem")
  done
}
run hoist-2reg "docker://$B/h@N@/big:1" "$HOIST" copy "docker://$A/src/big:1" @DEST@
run skopeo-2reg "docker://$B/s@N@/big:1" skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$A/src/big:1" @DEST@
run hoist-1reg "docker://$A/h@N@/big:1" "$HOIST" copy "docker://$A/src/big:1" @DEST@
run skopeo-1reg "docker://$A/s@N@/big:1" skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$A/src/big:1" @DEST@
d1=$(skopeo inspect --tls-verify=false "docker://$B/h1/big:1" | jq -r .Digest); d2=$(skopeo inspect --tls-verify=false "docker://$B/s1/big:1" | jq -r .Digest)
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "copy of a ${SIZE_MB} MB image (3 layers), median of $RUNS cold runs:"
for pair in 2reg 1reg; do
  h=$(echo "${times[hoist-$pair]}" | median); s=$(echo "${times[skopeo-$pair]}" | median)
  label=$([ $pair = 2reg ] && echo "between two registries" || echo "between two repositories of one registry")
  printf '  %-42s hoist %6d ms (peak %3d MB)   skopeo %6d ms (peak %3d MB)   skopeo/hoist = %.2fx\n' "$label" "$h" "$((${peak[hoist-$pair]} / 1024))" "$s" "$((${peak[skopeo-$pair]} / 1024))" "$(echo "$s / $h" | bc -l)"
done
echo "  same manifest digest: $([ "$d1" = "$d2" ] && echo "yes ($d1)" || echo "NO: hoist $d1, skopeo $d2")"
