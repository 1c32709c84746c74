#!/usr/bin/env bash
# The whole GPU session in one call (docs/gpu.md): device listing, `check` on the device, the
# update rate of the Nature CNN on OpenCL against the CPU backend and PyTorch on the same
# machine, and Pong trained on OpenCL for a fixed wall-clock budget. Written for the lent
# NVIDIA machine (no Java, no Maven, no network; it gets .jdk, .gl, .dist and .roms from
# scripts/gpu-carry.sh), and runs unchanged here against PoCL for a dry run.
#
# Usage: bash scripts/gpu-run.sh OUTDIR
#
# Steps, in order: devices; info --device opencl; check --device opencl --verbose;
# DqnUpdateBench (Nature CNN, batch 32 and 64) on opencl, then on cpu; the PyTorch peer
# (scripts/peers/torch_update_rate.py) eager; Pong on OpenCL for a wall budget; the peer with
# --compile in the time left. The most wanted figures come first.
#
# Device time is the scarce thing, so:
#   - every step runs under its own `timeout`, and the whole script under one deadline
#     (GPU_RUN_TOTAL_SECONDS, default 540 = 9 min): a hung step costs its own cap, never the
#     rest; the steps before Pong leave it at least GPU_RUN_PONG_MIN seconds, and Pong gets
#     up to GPU_RUN_PONG_SECONDS of what the deadline leaves;
#   - no step's failure stops the script, except `check`: a device that computes wrong numbers
#     makes every later figure meaningless, so the remaining steps are skipped (the summary says
#     so) and the rest of the session's device time is left for the fix;
#   - OUTDIR is rewritten after every step, so a call cut short still returns what was done.
#
# OUTDIR never holds more than 7 files, all flat: the device tool returns at most 8 files, none
# deeper than two folders, so the run works in a scratch folder and publishes into OUTDIR:
#   summary.md          the figures (read this first)
#   check.log           `check --device opencl --verbose`
#   bench.log           DqnUpdateBench on opencl and on cpu, and the PyTorch peer
#   pong.log            the Pong run's output
#   metrics.csv         the Pong run's metrics (one row per episode)
#   learning_curve.png  the Pong run's curve
#   logs.tar.gz         everything: each step's own log, the environment, JMH's CSVs, the run
#                       directory without its checkpoints
#
# Environment (defaults for the GPU machine; smaller values for a dry run):
#   GPU_RUN_TOTAL_SECONDS   540   deadline for the whole script
#   GPU_RUN_PONG_SECONDS    300   Pong's wall budget (SIGINT at the end: the run saves and draws)
#   GPU_RUN_PONG_MIN        150   seconds kept back for Pong by the steps before it (the
#                                 PyTorch peer's --compile run comes after Pong, in what is left)
#   GPU_RUN_PONG_ARGS             extra flags for `pong` (e.g. --replay-on-device)
#   GPU_RUN_PONG_HEAP       4g    -Xmx for Pong (the 100k-frame replay needs ~0.7 GB + margin)
#   GPU_RUN_JMH_OPTS        "-wi 2 -i 3 -w 2 -r 2 -f 1"
#   GPU_RUN_CPU_THREADS     nproc threads of the cpu reference benchmark
#   GPU_RUN_PEER            auto  auto: run the PyTorch peer if python3 has torch with the device; 0: skip
#   GPU_RUN_PEER_DEVICE     cuda  (cpu for a dry run here)
#   GPU_RUN_PEER_COMPILE    1     also run the peer with --compile
#   GPU_RUN_PEER_SECONDS    5     the peer's timed seconds per configuration
#   GPU_RUN_PYTHON          python3
#   GPU_RUN_JAVA                  default .jdk/bin/java, else java on PATH
#   GPU_RUN_ICD_DIR               OCL_ICD_VENDORS folder; default: a private folder with nvidia.icd
#                                 (here: /etc/OpenCL/vendors for PoCL)
#   GPU_RUN_IGNORE_CHECK    0     1: go on after a failed check
#   GPU_RUN_T_CHECK 180, GPU_RUN_T_BENCH 150, GPU_RUN_T_PEER 90, GPU_RUN_T_PEER_COMPILE 180:
#                                 the caps of those steps, in seconds
set -uo pipefail # no -e: a failing step is recorded and the script goes on

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
START=$(date +%s)
export LC_ALL=C # decimal points in every number that is parsed or printed (awk, JMH's CSV)
OUTDIR=$(mkdir -p "$1" && cd "$1" && pwd)
cd "$(dirname "$0")/.."
ROOT=$PWD

TOTAL=${GPU_RUN_TOTAL_SECONDS:-540}
PONG_SECONDS=${GPU_RUN_PONG_SECONDS:-300}
PONG_MIN=${GPU_RUN_PONG_MIN:-150}
PONG_ARGS=${GPU_RUN_PONG_ARGS:-}
PONG_HEAP=${GPU_RUN_PONG_HEAP:-4g}
PONG_SAVE=30 # after SIGINT: the loop stops, saves last.safetensors, draws the curve; then KILL
JMH_OPTS=${GPU_RUN_JMH_OPTS:--wi 2 -i 3 -w 2 -r 2 -f 1}
CPU_THREADS=${GPU_RUN_CPU_THREADS:-$(nproc)}
PEER=${GPU_RUN_PEER:-auto}
PEER_DEVICE=${GPU_RUN_PEER_DEVICE:-cuda}
PEER_COMPILE=${GPU_RUN_PEER_COMPILE:-1}
PEER_SECONDS=${GPU_RUN_PEER_SECONDS:-5}
PYTHON=${GPU_RUN_PYTHON:-python3}
IGNORE_CHECK=${GPU_RUN_IGNORE_CHECK:-0}
T_CHECK=${GPU_RUN_T_CHECK:-180}
T_BENCH=${GPU_RUN_T_BENCH:-150}
T_PEER=${GPU_RUN_T_PEER:-90}
T_PEER_COMPILE=${GPU_RUN_T_PEER_COMPILE:-180}
NETS=(cnn_nature_b32_rmsprop_mse cnn_nature_b64_adam_huber) # DqnUpdateBench's and the peer's names
JAR=$ROOT/.dist/benchmarks.jar

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu-run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
STEPS=$WORK/steps.tsv # name, exit code, seconds, note
: > "$STEPS"
NOTES=() # lines for the summary's end: skips, missing pieces

now() { date +%s; }
left() { echo $((START + TOTAL - $(now))); }
note() { NOTES+=("$*"); echo "note: $*" >&2; }

# ---------------------------------------------------------------- the runtime and the device
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "host: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) memory"
    echo "glibc: $(ldd --version 2>&1 | head -1)"
    echo "commit of the carried jar: $(head -1 "$ROOT/.dist/commit.txt" 2>/dev/null || echo unknown)"
    sed -n 's/^dirty: /  uncommitted when built: /p' "$ROOT/.dist/commit.txt" 2>/dev/null
    echo "worktree commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo 'unknown (no git)')"
    echo "gpu: $(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
    echo "--- nvidia-smi"
    timeout 20 nvidia-smi 2>&1 || echo "(nvidia-smi: not available)"
} > "$WORK/env.log" 2>&1

if [ -n "${GPU_RUN_JAVA:-}" ]; then
    JAVA=$GPU_RUN_JAVA
elif [ -x "$ROOT/.jdk/bin/java" ]; then
    JAVA=$ROOT/.jdk/bin/java
else
    JAVA=$(command -v java || true)
    note "no .jdk/bin/java (run scripts/gpu-carry.sh): using java on PATH (${JAVA:-none})"
fi
JAVA_HOME_DIR=$(dirname "$(dirname "$(readlink -f "${JAVA:-/nonexistent}")")")

# The OpenCL loader: the carried libOpenCL.so.1 first (a CUDA image often has none).
if [ -d "$ROOT/.gl/usr/lib/x86_64-linux-gnu" ]; then
    export LD_LIBRARY_PATH=$ROOT/.gl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
    note "no .gl (run scripts/gpu-carry.sh): relying on a system libOpenCL.so.1"
fi

# NVIDIA's OpenCL driver, registered for this process only (OCL_ICD_VENDORS replaces
# /etc/OpenCL/vendors): the image may lack the vendor file, and a private folder leaves the
# machine as it was. Absolute path when the library can be found, so the loader need not search.
if [ -n "${GPU_RUN_ICD_DIR:-}" ]; then
    export OCL_ICD_VENDORS=$GPU_RUN_ICD_DIR
else
    export OCL_ICD_VENDORS=$WORK/icd
    mkdir -p "$OCL_ICD_VENDORS"
    lib=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1 .*x86-64/ {print $NF; exit}')
    if [ -z "$lib" ]; then
        for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib; do
            [ -e "$d/libnvidia-opencl.so.1" ] && { lib=$d/libnvidia-opencl.so.1; break; }
        done
    fi
    if [ -z "$lib" ]; then # slower, but a first run should say where the driver is, if anywhere
        lib=$(timeout 20 find / \( -path /proc -o -path /sys -o -path /dev -o -path "$ROOT" \) -prune -o \
            -name 'libnvidia-opencl.so.1*' -print 2>/dev/null | head -1)
    fi
    if [ -n "$lib" ]; then
        # its own dependencies (libcuda, libnvidia-*) live beside it
        export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$(dirname "$lib")
        echo "$lib" > "$OCL_ICD_VENDORS/nvidia.icd"
    else
        note "libnvidia-opencl.so.1 not found on this machine: NVIDIA's OpenCL driver is missing, expect no OpenCL platform"
        echo libnvidia-opencl.so.1 > "$OCL_ICD_VENDORS/nvidia.icd"
    fi
fi
{
    echo "--- runtime"
    echo "java: $JAVA ($("$JAVA" -version 2>&1 | head -1))"
    echo "OCL_ICD_VENDORS=$OCL_ICD_VENDORS:"
    for f in "$OCL_ICD_VENDORS"/*.icd; do echo "  $f: $(cat "$f" 2>/dev/null)"; done
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
} >> "$WORK/env.log" 2>&1

# The CLI started as the relaunch would (README, "Speed without flags"): the Vector API module,
# and no second JVM, so the signals and exit codes below are this process's.
CLI=("$JAVA" --add-modules jdk.incubator.vector -Ddqn.relaunch=false -cp "$JAR" org.dqnscratch.cli.Main)

# ---------------------------------------------------------------- steps and publishing

# step NAME LOG CAP [timeout options...] -- COMMAND...: runs COMMAND under timeout, its output
# in WORK/LOG, and records exit code and seconds. CAP is cut to what the deadline leaves after
# RESERVE seconds (set by the caller) for later steps; a step with under 5 s left is skipped.
RESERVE=0
step() {
    local name=$1 log=$2 cap=$3; shift 3
    local opts=()
    while [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift
    local limit=$(( $(left) - RESERVE ))
    [ "$limit" -gt "$cap" ] && limit=$cap
    if [ "$limit" -lt 5 ]; then
        printf '%s\t-\t0\tskipped: no time left before the deadline\n' "$name" >> "$STEPS"
        note "$name skipped: the deadline (GPU_RUN_TOTAL_SECONDS=$TOTAL) left no time"
        return 99
    fi
    echo "== $name (at most ${limit} s)" >&2
    local t0=$(date +%s.%N) rc
    { echo "\$ $*"; echo; } > "$WORK/$log"
    timeout "${opts[@]}" "$limit" "$@" < /dev/null >> "$WORK/$log" 2>&1
    rc=$?
    local secs=$(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
    local what=""
    if [ "$rc" -eq 124 ]; then
        case " ${opts[*]} " in
            *" -s INT "*) what="SIGINT at its ${limit} s budget, as planned" ;;
            *) what="stopped at its ${limit} s cap" ;;
        esac
    fi
    [ "$rc" -eq 137 ] && what="killed after its ${limit} s cap"
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$secs" "$what" >> "$STEPS"
    echo "   rc=$rc, ${secs} s" >&2
    publish
    return "$rc"
}

skip() { printf '%s\t-\t0\tskipped: %s\n' "$1" "$2" >> "$STEPS"; }

# ---------------------------------------------------------------- reading the logs

# The JMH CSV's score for NET ("" if none): "Benchmark","Mode",...,Score,Error,"Unit",backend,net,threads
score() { [ -f "$1" ] && awk -F, -v net="$2" '{gsub(/"/, "")} $9 == net {print $5}' "$1" | head -1; }
# The peer's updates/s for NET from its log: "NAME UPDATES_PER_S MS"
peer_score() { [ -f "$1" ] && awk -v net="$2" '$1 == net && NF == 3 {print $2}' "$1" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "" && b != "" && b + 0 > 0) printf "%.2fx", a / b; else printf "-"}'; }
fmt() { awk -v v="$1" 'BEGIN {if (v == "") printf "-"; else if (v + 0 >= 100) printf "%.0f", v; else if (v + 0 >= 1) printf "%.2f", v; else printf "%.3f", v}'; }

summary() {
    echo "# GPU run, $(sed -n 's/^date: //p' "$WORK/env.log")"
    echo
    echo "Written by scripts/gpu-run.sh; $(( $(now) - START )) s since it started (deadline ${TOTAL} s)."
    echo
    sed -n -e 's/^host: /- host: /p' -e 's/^glibc: /- glibc: /p' -e 's/^commit of the carried jar: /- jar built from: /p' \
        -e 's/^  uncommitted when built: /  - uncommitted when built: /p' "$WORK/env.log"
    sed -n 's/^gpu: \(..*\)/- gpu (nvidia-smi: name, driver, memory): \1/p' "$WORK/env.log"
    echo "- java: $(sed -n 's/^java: //p' "$WORK/env.log" | head -1)"
    if [ -f "$WORK/info.log" ]; then
        echo "- info: \`$(grep -m1 '^opencl device:' "$WORK/info.log" || echo "no 'opencl device' line: $(grep -v '^\$\|^\s*$' "$WORK/info.log" | tail -1)")\`"
        grep -m1 '^opencl kernels:' "$WORK/info.log" | sed 's/^/- info: `/; s/$/`/'
    fi
    if [ -f "$WORK/devices.log" ]; then
        echo
        echo "\`devices\`:"
        echo
        grep -v '^\$\|^\s*$\|^WARNING: Using incubator' "$WORK/devices.log" | sed 's/^/    /'
    fi
    echo
    echo "## Steps"
    echo
    echo "| step | exit | seconds | note |"
    echo "|---|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$STEPS"
    echo
    echo "## check"
    echo
    if [ -f "$WORK/check.log" ]; then
        local last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$WORK/check.log" | tail -1)
        [ -z "$last" ] && last=$(grep -v '^\s*$' "$WORK/check.log" | tail -1)
        echo "\`$last\`"
        grep -m5 'FAIL' "$WORK/check.log" | sed 's/^/    /'
    else
        echo "not run"
    fi
    echo
    echo "## Update rate: DqnUpdateBench, updates/s (JMH: $JMH_OPTS)"
    echo
    echo "| configuration | opencl | cpu, $CPU_THREADS threads | opencl / cpu | torch $PEER_DEVICE eager | opencl / eager | torch $PEER_DEVICE compile | opencl / compile |"
    echo "|---|---|---|---|---|---|---|---|"
    local n o c e p
    for n in "${NETS[@]}"; do
        o=$(score "$WORK/jmh-opencl.csv" "$n"); c=$(score "$WORK/jmh-cpu.csv" "$n")
        e=$(peer_score "$WORK/peer-eager.log" "$n"); p=$(peer_score "$WORK/peer-compile.log" "$n")
        echo "| $n | $(fmt "$o") | $(fmt "$c") | $(ratio "$o" "$c") | $(fmt "$e") | $(ratio "$o" "$e") | $(fmt "$p") | $(ratio "$o" "$p") |"
    done
    echo
    if [ -f "$WORK/jmh-opencl.log" ]; then
        echo "OpenCL runtime calls per update (DqnUpdateBench, last measurement iteration):"
        echo
        awk '/^# Parameters:/ {match($0, /net = [^,)]*/); net = substr($0, RSTART + 6, RLENGTH - 6)}
             /^opencl per update/ {sub(/^opencl per update /, ""); print "- " net ": " $0}' "$WORK/jmh-opencl.log"
        echo
    fi
    [ -f "$WORK/peer-eager.log" ] && grep -m1 '^# torch' "$WORK/peer-eager.log" | sed 's/^# /peer: /' && echo
    [ -n "${PEER_WHY:-}" ] && echo "peer: not available: $PEER_WHY" && echo
    echo "## Pong on OpenCL (default preset, wall budget)"
    echo
    local run=$(ls -d "$WORK"/runs/*/ 2>/dev/null | head -1)
    if [ -n "$run" ] && [ -f "$run/metrics.csv" ]; then
        echo "- run: \`$(basename "$run")\` ($(awk -F'\t' '$1 == "pong" {printf "exit %s after %s s%s", $2, $3, $4 == "" ? "" : ": " $4}' "$STEPS"))"
        awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
                 {n++; step = $col["global_step"]; sps = $col["charts/SPS"]; r[n] = $col["charts/episodic_return"]}
                 END {
                     if (n == 0) {print "- no episode finished (metrics.csv has no rows)"; exit}
                     printf "- agent steps/s (charts/SPS, last row): %.0f, at step %d, %d episodes\n", sps, step, n
                     k = n < 10 ? n : 10; s = 0; line = ""
                     for (i = n - k + 1; i <= n; i++) {s += r[i]; line = line (line == "" ? "" : ", ") r[i]}
                     printf "- last %d training returns: %s (mean %.1f)\n", k, line, s / k
                 }' "$run/metrics.csv"
        grep -m1 '^trained [0-9]' "$WORK/pong.log" | sed 's/^/- /'
        [ -f "$run/learning_curve.png" ] && echo "- learning_curve.png: written" || echo "- learning_curve.png: MISSING (see pong.log)"
    elif [ -f "$WORK/pong.log" ]; then
        echo "no metrics.csv; the log's last lines:"
        echo
        tail -5 "$WORK/pong.log" | sed 's/^/    /'
    else
        echo "not run"
    fi
    if [ ${#NOTES[@]} -gt 0 ]; then
        echo
        echo "## Notes"
        echo
        printf -- '- %s\n' "${NOTES[@]}"
    fi
}

# Rewrites OUTDIR from WORK: the summary, the logs worth reading directly, the run's metrics and
# curve, and a tarball of everything (checkpoints left out: megabytes nobody reads from here).
publish() {
    summary > "$OUTDIR/summary.md.tmp" 2>&1 && mv -f "$OUTDIR/summary.md.tmp" "$OUTDIR/summary.md"
    [ -f "$WORK/check.log" ] && cp -f "$WORK/check.log" "$OUTDIR/check.log"
    local f parts=()
    for f in jmh-opencl.log jmh-cpu.log peer-probe.log peer-eager.log peer-compile.log; do
        [ -f "$WORK/$f" ] && parts+=("$WORK/$f")
    done
    if [ ${#parts[@]} -gt 0 ]; then
        for f in "${parts[@]}"; do printf '\n######## %s\n\n' "$(basename "$f")"; cat "$f"; done > "$OUTDIR/bench.log"
    fi
    [ -f "$WORK/pong.log" ] && cp -f "$WORK/pong.log" "$OUTDIR/pong.log"
    local run=$(ls -d "$WORK"/runs/*/ 2>/dev/null | head -1)
    if [ -n "$run" ]; then
        [ -f "$run/metrics.csv" ] && cp -f "$run/metrics.csv" "$OUTDIR/metrics.csv"
        [ -f "$run/learning_curve.png" ] && cp -f "$run/learning_curve.png" "$OUTDIR/learning_curve.png"
    fi
    tar -czf "$OUTDIR/logs.tar.gz.tmp" -C "$WORK" --exclude='*.safetensors' --exclude='logs.tar.gz*' . 2>/dev/null \
        && mv -f "$OUTDIR/logs.tar.gz.tmp" "$OUTDIR/logs.tar.gz"
}

# ---------------------------------------------------------------- the run

if [ ! -f "$JAR" ]; then
    note "no .dist/benchmarks.jar: run scripts/gpu-carry.sh here and carry .dist"
    publish
    exit 1
fi
# Every step before Pong leaves Pong its minimum, the SIGINT save and a few seconds to publish.
RESERVE=$((PONG_MIN + PONG_SAVE + 5))

step devices devices.log 60 -k 10 -- "${CLI[@]}" devices
step info info.log 60 -k 10 -- "${CLI[@]}" info --device opencl

step check check.log "$T_CHECK" -k 10 -- "${CLI[@]}" check --device opencl --verbose
check_rc=$?
go=1
if [ "$check_rc" -ne 0 ]; then
    if [ "$IGNORE_CHECK" = 1 ]; then
        note "check failed (exit $check_rc); going on because GPU_RUN_IGNORE_CHECK=1"
    else
        go=0
        note "check failed (exit $check_rc): the OpenCL figures would mean nothing, so the steps after it were skipped (GPU_RUN_IGNORE_CHECK=1 runs them anyway)"
    fi
fi

nets=$(IFS=,; echo "${NETS[*]}")
if [ "$go" = 1 ]; then
    # Each timed update ends with clFinish (the benchmark's), so kernels are timed, not enqueues.
    # shellcheck disable=SC2086 # JMH_OPTS is a list of options
    step bench-opencl jmh-opencl.log "$T_BENCH" -k 10 -- "$JAVA" -jar "$JAR" DqnUpdateBench -p net="$nets" -p backend=opencl \
        -p threads="$CPU_THREADS" $JMH_OPTS -rf csv -rff "$WORK/jmh-opencl.csv"
    # shellcheck disable=SC2086
    step bench-cpu jmh-cpu.log "$T_BENCH" -k 10 -- "$JAVA" -jar "$JAR" DqnUpdateBench -p net="$nets" -p backend=cpu \
        -p threads="$CPU_THREADS" $JMH_OPTS -rf csv -rff "$WORK/jmh-cpu.csv"

    # The PyTorch peer, same configurations and the same work (--uint8: pixels scaled inside the
    # step, as DqnUpdateBench's Nature CNN does). Only when its python has torch with the device.
    PEER_WHY=""
    if [ "$PEER" = 0 ]; then
        PEER_WHY="GPU_RUN_PEER=0"
    elif ! command -v "$PYTHON" > /dev/null; then
        PEER_WHY="no $PYTHON on this machine"
    else
        probe='import torch, sys
dev = sys.argv[1]
ok = torch.cuda.is_available() if dev == "cuda" else True
print("torch", torch.__version__, "device", dev, torch.cuda.get_device_name() if ok and dev == "cuda" else "")
sys.exit(0 if ok else 3)'
        step peer-probe peer-probe.log 60 -k 5 -- "$PYTHON" -c "$probe" "$PEER_DEVICE"
        case $? in
            0) ;;
            99) PEER_WHY="no time left before the deadline to look for torch" ;;
            3) PEER_WHY="$PYTHON has torch $(awk '/^torch/ {print $2}' "$WORK/peer-probe.log") but torch.cuda.is_available() is false" ;;
            *) PEER_WHY="$PYTHON cannot import torch: $(grep -v '^\$\|^\s*$' "$WORK/peer-probe.log" | tail -1)" ;;
        esac
    fi
    if [ -z "$PEER_WHY" ]; then
        export PYTHONUNBUFFERED=1
        peer=("$PYTHON" scripts/peers/torch_update_rate.py --device "$PEER_DEVICE" --threads "$CPU_THREADS" --uint8 \
            --only cnn_nature --seconds "$PEER_SECONDS")
        step peer-eager peer-eager.log "$T_PEER" -k 5 -- "${peer[@]}"
    else
        skip peer "$PEER_WHY"
        publish
    fi

    # Pong on OpenCL for a wall budget. SIGINT (timeout -s INT) is Ctrl-C: TrainCommand's hook
    # stops the loop, which saves last.safetensors and draws learning_curve.png before the JVM
    # exits (metrics.csv is written row by row all along); KILL only if that takes PONG_SAVE s.
    # timeout's child starts with SIGINT at its default even where this shell ignores it (as a
    # background job's shell does; checked), so the JVM does install its handler.
    # libjsig: ALE's SDL replaces the JVM's SIGSEGV handler without it (README, "Speed without flags").
    secs=$(( $(left) - PONG_SAVE - 5 ))
    [ "$secs" -gt "$PONG_SECONDS" ] && secs=$PONG_SECONDS
    [ "$secs" -lt "$PONG_SECONDS" ] && note "pong got ${secs} s of its ${PONG_SECONDS} s: the deadline"
    mkdir -p "$WORK/runs"
    RESERVE=$((PONG_SAVE + 5))
    # shellcheck disable=SC2086 # PONG_ARGS is a list of flags
    step pong pong.log "$secs" -s INT -k "$PONG_SAVE" -- \
        env ALE_ROMS="$ROOT/.roms" LD_PRELOAD="$JAVA_HOME_DIR/lib/libjsig.so${LD_PRELOAD:+:$LD_PRELOAD}" \
        "$JAVA" --add-modules jdk.incubator.vector -Ddqn.relaunch=false -Xmx"$PONG_HEAP" -cp "$JAR" org.dqnscratch.cli.Main \
        pong --device opencl --progress=false --tensorboard=false --run-dir "$WORK/runs" $PONG_ARGS

    # torch.compile last: its first call compiles for a minute or more (an unknown), so it gets
    # what the deadline leaves after Pong, and a cut run still keeps the configurations it
    # finished (one flushed line each).
    RESERVE=0
    if [ -n "$PEER_WHY" ]; then
        :
    elif [ "$PEER_COMPILE" != 1 ]; then
        skip peer-compile "GPU_RUN_PEER_COMPILE=0"
    elif [ "$(left)" -lt 60 ]; then
        skip peer-compile "under 60 s left before the deadline"
        note "peer-compile skipped: under 60 s left before the deadline"
    else
        step peer-compile peer-compile.log "$T_PEER_COMPILE" -k 5 -- "${peer[@]}" --compile
    fi
else
    for s in bench-opencl bench-cpu peer pong peer-compile; do skip "$s" "check failed"; done
fi

publish
echo "done in $(( $(now) - START )) s: $OUTDIR/summary.md" >&2
cat "$OUTDIR/summary.md"
