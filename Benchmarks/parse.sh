#!/usr/bin/env bash
# Parses and plans a generated Dockerfile of N instructions (default 10000) with a release build
# of hoist, and prints the median of RUNS runs of the in-process parse+plan time (`--time`), the
# median wall time of the whole process, and the peak memory of one run.
#   Benchmarks/parse.sh [N] [RUNS]
set -euo pipefail
N=${1:-10000}; RUNS=${2:-11}
HERE=$(cd "$(dirname "$0")/.." && pwd)
(cd "$HERE" && swift build -c release --product hoist >&2)
HOIST=$HERE/.build/release/hoist
W=$(mktemp -d /tmp/hoist-parse-XXXXXX); trap 'rm -rf "$W"' EXIT
python3 - "$N" > "$W/Dockerfile" <<'PY'
import sys
n = int(sys.argv[1]); out = ["# syntax=docker/dockerfile:1", "ARG BASE=busybox"]
kinds = [
  'ENV K{i}="value {i}" P{i}=${{K{i}:-x}}',
  'LABEL l{i}=v{i} \\\n    m{i}="two words"',
  'COPY --chown=app:app --chmod=0644 src/f{i}.txt /app/f{i}.txt',
  'RUN --mount=type=cache,target=/c{i} echo {i} && \\\n    echo more {i}',
  'WORKDIR /w{i}',
  'EXPOSE {i}/tcp',
  'COPY --from=s{s} /out/{i} /in/{i}',
  'ARG A{i}=${{BASE}}-{i}',
  'RUN <<EOF\necho heredoc {i}\nEOF',
  'CMD ["run", "{i}"]',
]
count = 2; stage = 0
out.append("FROM ${BASE} AS s0"); count += 1
i = 0
while count < n:
    if i % 500 == 499:
        stage += 1; out.append(f"FROM s{stage-1} AS s{stage}"); count += 1
    out.append(kinds[i % len(kinds)].format(i=i, s=max(stage - 1, 0)) if i % len(kinds) != 6 or stage > 0 else f"USER u{i}")
    count += 1; i += 1
print("\n".join(out))
PY
echo "instructions: $(grep -cvE '^( |echo|EOF|#)' "$W/Dockerfile"), lines: $(wc -l < "$W/Dockerfile")"
inproc=(); wall=()
for _ in $(seq 1 "$RUNS"); do
  t0=$(date +%s%N)
  line=$("$HOIST" debug parse --plan --time "$W/Dockerfile" 2>&1 >/dev/null | tail -1)
  t1=$(date +%s%N)
  wall+=($(( (t1 - t0) / 1000 )))
  inproc+=($(echo "$line" | awk '{printf "%d", $(NF-1) * 1000000}'))
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peak=$(/usr/bin/time -f '%M' "$HOIST" debug parse --plan "$W/Dockerfile" 2>&1 >/dev/null | tail -1)
printf 'parse+plan of %s instructions: median %.1f ms in process (%.1f ms wall, process start included), peak RSS %.1f MB\n' \
  "$N" "$(echo "$(med "${inproc[@]}") / 1000" | bc -l)" "$(echo "$(med "${wall[@]}") / 1000" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
