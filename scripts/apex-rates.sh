#!/usr/bin/env bash
# Ape-X throughput on this machine (issue 22's figures, docs/performance.md "Beyond one machine"): Pong transitions
# per second arriving at the learner, for each actor count, with the actors as threads and (with a Ray address) as
# Ray actors; then the same with the learner training. Run on a quiet machine, from the repository root:
#   scripts/apex-rates.sh [RAY_ADDRESS] [STEPS]      # e.g. 127.0.0.1:6379 12000 (scripts/ray-cluster.sh starts one)
set -euo pipefail
ray=${1:-}; steps=${2:-12000}
jar=target/dqn-scratch.jar; out=$(mktemp -d)
run() { # label, then flags; prints label, the learner's steps/s and actors.csv's per-actor rates
  local label=$1; shift
  java -jar "$jar" pong --total-steps "$steps" --eval-every 0 --eval-episodes 1 --gif false --tensorboard false \
       --buffer-size 50000 --run-dir "$out" "$@" > "$out/log" 2>&1 || { tail -3 "$out/log"; return 1; }
  local dir; dir=$(ls -td "$out"/*/ | head -1)
  local rate; rate=$(sed -n 's/.*in \([0-9.]*\) s (\([0-9]*\) steps\/s).*/\2/p' "$out/log")
  local actors=-
  [ -f "$dir/actors.csv" ] && actors=$(tail -n +2 "$dir/actors.csv" | awk -F, '{printf "%s%s", sep, $4; sep=" "}')
  printf '%-34s %8s transitions/s   per actor: %s\n' "$label" "$rate" "$actors"
}
lscpu | grep "Model name" | sed 's/  */ /g'
for n in 1 2 4; do run "threads, $n actor(s), no learning" --actors "$n" --learning-starts 1000000000; done
[ -n "$ray" ] && for n in 1 2; do run "ray, $n actor(s), no learning" --actors "$n" --ray "$ray" --learning-starts 1000000000; done
for n in 2; do run "threads, $n actors, learning" --actors "$n" --learning-starts 2000; done
[ -n "$ray" ] && run "ray, 2 actors, learning" --actors 2 --ray "$ray" --learning-starts 2000
run "single process (--envs 1), learning" --learning-starts 2000 --envs 1
rm -rf "$out"
