#!/usr/bin/env bash
# A training run's progress as a Markdown table, from its metrics.csv: at the first episode that ends at or
# past every EVERY agent steps (default 100k), the mean return of the last 10 training episodes and the
# minutes of training so far; then the same at the last episode.
#   scripts/run-summary.sh RUN_DIR [EVERY]
# Minutes come from the SPS column (steps over this process's seconds), so they hold for a run that was
# never resumed; the greedy evaluations are the lines the run printed ("step N: greedy evaluation ...").
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 RUN_DIR [EVERY]" >&2; exit 2; }
csv=$1/metrics.csv
[[ -f $csv ]] || { echo "no $csv" >&2; exit 2; }
every=${2:-100000}
awk -F, -v every="$every" '
  NR == 1 { next }
  {
    step = $1; ret[n % 10] = $3; n++; sps = $7
    while (step >= next_mark + every) {
      next_mark += every
      k = n < 10 ? n : 10; s = 0
      for (i = 0; i < k; i++) s += ret[i]
      printf "| %d | %d | %.1f | %.1f |\n", next_mark, n, s / k, step / sps / 60
    }
    last_step = step; last_sps = sps
  }
  BEGIN { print "| agent steps | episodes | mean of the last 10 training episodes | minutes |"; print "|---|---|---|---|"; next_mark = 0 }
  END {
    if (n == 0) exit
    k = n < 10 ? n : 10; s = 0
    for (i = 0; i < k; i++) s += ret[i]
    printf "| %d (last episode) | %d | %.1f | %.1f |\n", last_step, n, s / k, last_step / last_sps / 60
  }' "$csv"
