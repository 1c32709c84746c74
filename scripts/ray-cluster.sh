#!/usr/bin/env bash
# Starts or stops a local Ray cluster of our own: a head node and, with NODES=2, a second node on the
# same machine offering the custom resource "node2" (an actor asking for it is placed there).
#   scripts/ray-cluster.sh start DIR [NODES] [PORT]   # DIR: Ray's --temp-dir (short: socket paths are limited)
#   scripts/ray-cluster.sh stop DIR
# Every process of the cluster runs in one new session (setsid), recorded in DIR/session: stop ends that
# session's processes only (`ray stop` would end every Ray process on the machine, anyone's).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?temp dir}
case "$cmd" in
  start)
    nodes=${3:-1}; port=${4:-6379}
    command -v ray >/dev/null || { echo "ray-cluster: no 'ray' on PATH (pip install ray, activate its virtualenv)" >&2; exit 2; }
    mkdir -p "$dir"
    setsid bash -c '
      echo $$ > "$0/session"
      ray start --head --port="$1" --num-cpus=2 --temp-dir="$0" --include-dashboard=false --disable-usage-stats >"$0/start.log" 2>&1
      if [ "$2" -ge 2 ]; then
        ray start --address=127.0.0.1:"$1" --num-cpus=1 --resources="{\"node2\": 1}" --disable-usage-stats >>"$0/start.log" 2>&1
      fi' "$dir" "$port" "$nodes" < /dev/null || { cat "$dir/start.log" >&2; exit 1; }
    echo "ray cluster at 127.0.0.1:$port ($nodes node(s)), session $(cat "$dir/session"), temp dir $dir"
    ;;
  stop)
    [ -f "$dir/session" ] || { echo "ray-cluster: no session file in $dir" >&2; exit 2; }
    sid=$(cat "$dir/session")
    pkill -TERM -s "$sid" 2>/dev/null || true
    alive() { ps -eo sid=,stat= | awk -v s="$sid" '$1 == s && $2 !~ /^Z/ {n++} END {exit n ? 0 : 1}'; } # zombies are gone already
    for _ in $(seq 20); do alive || break; sleep 0.5; done
    pkill -KILL -s "$sid" 2>/dev/null || true
    rm -f "$dir/session"
    echo "ray cluster of session $sid stopped"
    ;;
  *) echo "usage: $0 start|stop DIR [NODES] [PORT]" >&2; exit 2 ;;
esac
