#!/usr/bin/env bash
# CartPole-v1 over many seeds: one `cartpole` run per seed, then a Markdown table
# (seed, solved?, steps to solve, seconds to solve, final evaluation) and a summary line.
#   scripts/cartpole-seeds.sh [FIRST [LAST [JOBS]]] [-- extra cartpole flags]
# Seeds FIRST..LAST (default 1..30); JOBS runs at a time (default 1; with more, each run gets
# --threads 1, which changes no result: runs are deterministic per seed). Build first:
# mvn -B clean package -DskipTests. Times are in-process seconds from the first step to the solve.
set -euo pipefail
first=1; last=30; jobs=1
[[ $# -gt 0 && $1 != -- ]] && { first=$1; shift; }
[[ $# -gt 0 && $1 != -- ]] && { last=$1; shift; }
[[ $# -gt 0 && $1 != -- ]] && { jobs=$1; shift; }
[[ $# -gt 0 && $1 == -- ]] && shift
jar=${JAR:-target/dqn-scratch.jar}
[[ -f $jar ]] || { echo "no $jar: build it first (mvn -B clean package -DskipTests)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
threads=(); [[ $jobs -gt 1 ]] && threads=(--threads 1)

seq "$first" "$last" | xargs -P "$jobs" -I{} sh -c \
  'o=$1; shift; java -jar "$0" cartpole --seed {} --progress=false --gif=false --run-dir "$o/runs" "$@" > "$o/log-{}.txt" 2>&1 || echo "exit $?" >> "$o/log-{}.txt"' \
  "$jar" "$out" "${threads[@]}" "$@"

echo "| seed | solved | steps to solve | seconds to solve | final evaluation (handed over) |"
echo "|---|---|---|---|---|"
solved=0; failed=(); secs=()
for seed in $(seq "$first" "$last"); do
  log="$out/log-$seed.txt"
  line=$(grep '^trained' "$log" || true)
  ev=$(grep '^evaluation:' "$log" | tail -1 | sed 's/^evaluation: //' || true)
  if [[ $line =~ solved\ at\ step\ ([0-9]+)\ after\ ([0-9.]+)\ s ]]; then
    solved=$((solved + 1)); secs+=("${BASH_REMATCH[2]}")
    echo "| $seed | yes | ${BASH_REMATCH[1]} | ${BASH_REMATCH[2]} | $ev |"
  else
    failed+=("$seed"); secs+=(inf)
    echo "| $seed | **no** | - | - | ${ev:-$(tail -1 "$log")} |"
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "solved $solved of $((last - first + 1)); median seconds to solve $(median "${secs[@]}") (unsolved counted as infinite); not solved: ${failed[*]:-none}"
