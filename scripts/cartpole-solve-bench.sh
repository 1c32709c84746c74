#!/usr/bin/env bash
# Wall-clock time for `cartpole` (default preset) to solve CartPole-v1, over seeds 1..N (default 5).
# Prints each seed's in-process time to solve and the whole command's wall time, then the medians
# and the seeds that did not solve. Build first: mvn -B clean package -DskipTests
set -euo pipefail
n=${1:-5}
jar=${JAR:-target/dqn-scratch.jar}
out=$(mktemp -d)
solve=(); wall=(); failed=()
for seed in $(seq 1 "$n"); do
  start=$(date +%s.%N)
  java -jar "$jar" cartpole --seed "$seed" --progress=false --run-dir "$out" > "$out/log-$seed.txt" 2>&1
  end=$(date +%s.%N)
  w=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
  line=$(grep '^trained' "$out/log-$seed.txt")
  if [[ $line =~ solved\ at\ step\ ([0-9]+)\ after\ ([0-9.]+)\ s ]]; then
    solve+=("${BASH_REMATCH[2]}"); echo "seed $seed: solved at step ${BASH_REMATCH[1]} after ${BASH_REMATCH[2]} s; command wall $w s"
  else
    failed+=("$seed"); solve+=("inf"); echo "seed $seed: NOT solved ($line); command wall $w s"
  fi
  wall+=("$w")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median time to solve: $(median "${solve[@]}") s; median command wall time: $(median "${wall[@]}") s; seeds not solved: ${failed[*]:-none}"
rm -rf "$out"
