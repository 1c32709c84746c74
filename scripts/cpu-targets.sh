#!/usr/bin/env bash
# Issue 20's CPU targets on this machine: the engine against PyTorch, measure by measure, one program at a time,
# at the machine's own vector width and, on an AVX-512 x86, narrowed to 256 and 128 bits (PyTorch narrowed the same
# way where its libraries allow it). What docs/performance.md's first table needs for a new CPU kind, in one run.
#
# Usage: scripts/cpu-targets.sh [--quick] [--pong] [OUT_DIR]
#   Needs target/benchmarks.jar (mvn -B -Pbench clean package -DskipTests) and the peers' Python
#   (scripts/peers/peer-setup.sh; PY=... names another one). Nothing else may run on the machine meanwhile.
#   --quick: short runs, to check that everything starts (figures not worth quoting). --pong: also Pong `default`
#   beside scripts/peers/torch_pong_dqn.py, 30,000 agent steps each (ALE_ROMS, else the ROMs the peers' ale-py bundles).
#   Writes one log per measure into OUT_DIR (default cpu-targets-DATE) and OUT_DIR/summary.md, the ratios.
#   About 25 minutes in full on a 2-core Zen 4 (plus about 10 for --pong).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false pong=false out=""
for a in "$@"; do
  case "$a" in
    --quick) quick=true ;;
    --pong) pong=true ;;
    -*) echo "cpu-targets.sh: unknown option $a (use --quick, --pong, OUT_DIR)" >&2; exit 2 ;;
    *) out=$a ;;
  esac
done
out=${out:-cpu-targets-$(date -u +%Y%m%d-%H%M)}
PY=${PY:-$HOME/.cache/dqn-peer/bin/python}
JAR=target/benchmarks.jar
[ -f "$JAR" ] || { echo "cpu-targets.sh: $JAR missing: mvn -B -Pbench clean package -DskipTests" >&2; exit 1; }
[ -x "$PY" ] || { echo "cpu-targets.sh: no Python at $PY: bash scripts/peers/peer-setup.sh (or PY=...)" >&2; exit 1; }
mkdir -p "$out"

if $quick; then
  J="-wi 1 -w 1 -i 2 -r 1 -f 1"; U="-wi 1 -i 2 -f 1"; S=1
else
  J="-wi 4 -w 1 -i 6 -r 1 -f 1"; U="-wi 3 -i 5 -f 1"; S=3
fi
V="--add-modules=jdk.incubator.vector"
# fc1 and the head at batch 32 and 64, fc1 at the acting batches, the convolutions as the engine multiplies them
# (forward U^T.W^T, dW U.dY^T, dX dY^T.W at batch 32), and 256^3.
SHAPES="256x256x256 32x3136x512 64x3136x512 32x512x6 64x512x6 4x3136x512 1x3136x512 12800x256x32 2592x512x64 1568x576x64 256x12800x32 512x2592x64 576x1568x64 2592x64x512 1568x64x576"
NETS=cnn_nature_b32_rmsprop_mse,cnn_nature_b64_adam_huber

{ lscpu | grep -E '^(Model name|CPU family|Model|L1d cache|L2 cache):'
  echo "vector flags: $(grep -m1 -E '^(flags|Features)' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f|avx512_bf16|avx512_fp16|amx_tile|asimd|sve|sve2)$' | tr '\n' ' ')"
  java -version 2>&1 | head -1; git log --oneline -1; } > "$out/machine.txt"
java -jar target/dqn-scratch.jar info > "$out/info.txt" 2>&1 || true

# The widths: the machine's own, and on AVX-512 the two narrower ones (docs/performance.md, "Zen 4 again").
widths="native"
grep -q avx512f /proc/cpuinfo 2>/dev/null && widths="native 256 128"
for w in $widths; do
  case $w in
    native) jvm=""; torch_env=() ;;
    256) jvm="-XX:UseAVX=2"; torch_env=(ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2) ;;
    128) jvm="-XX:MaxVectorSize=16"; torch_env=(ONEDNN_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2 ATEN_CPU_CAPABILITY=default) ;;
  esac
  echo "== $w bits: GEMM, one thread ($(date -u +%T))"
  env "${torch_env[@]}" "$PY" scripts/peers/torch_gemm.py --threads 1 --seconds $S $SHAPES > "$out/torch-gemm-$w.log" 2>&1
  java -jar $JAR GemmBench -p kernel=entry -p threads=1 -p shape="${SHAPES// /,}" $J -jvmArgsAppend "$V $jvm" > "$out/gemm-$w.log" 2>&1
  echo "== $w bits: the Nature-CNN update, two threads ($(date -u +%T))"
  env "${torch_env[@]}" "$PY" scripts/peers/torch_update_rate.py --threads 2 --uint8 --seconds $((S * 3)) --only cnn_nature > "$out/torch-update-$w.log" 2>&1
  java -jar $JAR DqnUpdateBench -p net=$NETS -p threads=2 $U -jvmArgsAppend "$V $jvm" > "$out/update-$w.log" 2>&1
done

echo "== the MLP update and the plain-Java fallback ($(date -u +%T))"
"$PY" scripts/peers/torch_update_rate.py --threads 2 --seconds $((S * 3)) --only mlp_4-256-256-2_b64 > "$out/torch-update-mlp.log" 2>&1
java -jar $JAR DqnUpdateBench -p net=mlp_4-256-256-2_b64_adam_huber -p threads=2 $U > "$out/update-mlp.log" 2>&1
java -jar $JAR GemmBench -p kernel=plain -p threads=1 -p shape=256x256x256,32x3136x512,64x3136x512 $J > "$out/gemm-plain.log" 2>&1
java -jar $JAR DqnUpdateBench -p net=$NETS -p threads=2 $U -jvmArgsAppend "$V -Ddqn.noVector=true" > "$out/update-plain.log" 2>&1

echo "== the convolutions per layer, one thread ($(date -u +%T))"
"$PY" scripts/peers/torch_conv_layers.py --threads 1 --seconds $S > "$out/torch-conv.log" 2>&1
java -jar $JAR 'ConvBench.(forwardRelu|backward)$' -p threads=1 $J > "$out/conv.log" 2>&1

if $pong; then
  echo "== Pong default, 30,000 agent steps each ($(date -u +%T))"
  steps=30000; $quick && steps=12000
  # The engine finds ROMs the way users do: ALE_ROMS, else the ones the peers' ale-py bundles.
  export ALE_ROMS=${ALE_ROMS:-$("$PY" -c 'import ale_py.roms as r, os; print(os.path.dirname(r.__file__))' 2>/dev/null || true)}
  java -jar target/dqn-scratch.jar pong --preset default --seed 1 --total-steps $steps --progress=false --run-dir "$out/pong-run" > "$out/pong.log" 2>&1 || true
  "$PY" scripts/peers/torch_pong_dqn.py --preset default --steps $steps --threads 2 > "$out/torch-pong.log" 2>&1 || true
fi

"$PY" - "$out" <<'EOF' | tee "$out/summary.md"
import re, sys, pathlib
out = pathlib.Path(sys.argv[1])

def read(name):
    p = out / name
    return p.read_text() if p.exists() else ""

def jmh(name, param):
    """{param value: score} from a JMH log's result lines (the column that follows the benchmark name)."""
    rows = {}
    for line in read(name).splitlines():
        if re.match(r"^(GemmBench|DqnUpdateBench|ConvBench)\.", line):
            f = line.split()
            score = float(f[f.index("±") - 1]) if "±" in f else float(f[-2])  # one iteration: no error column
            key = next((x for x in f[1:] if param(x)), None)
            if key:
                rows[(f[0], key)] = score
    return rows

print("# Issue 20's targets on this machine\n")
print("```\n" + read("machine.txt").strip() + "\n```\n")
print("Ratios > 1: the engine is faster. Logs beside this file; the commands are in scripts/cpu-targets.sh.\n")
for w in ["native", "256", "128"]:
    torch = dict((l.split()[0], float(l.split()[1])) for l in read(f"torch-gemm-{w}.log").splitlines() if re.match(r"^\d+x\d+x\d+ ", l))
    if not torch:
        continue
    eng = {k[1]: v for k, v in jmh(f"gemm-{w}.log", lambda x: re.fullmatch(r"\d+x\d+x\d+", x)).items()}
    print(f"## {w} bits\n\n| GEMM, 1 thread (us) | PyTorch | engine | ratio (target >= 0.9x) |\n|---|---|---|---|")
    for s, t in torch.items():
        e = eng.get(s)
        print(f"| {s} | {t:,.1f} | {e:,.1f} | {t / e:.2f}x |" if e else f"| {s} | {t:,.1f} | - | - |")
    tu = dict((l.split()[0], float(l.split()[1])) for l in read(f"torch-update-{w}.log").splitlines() if l.startswith("cnn_"))
    eu = {k[1]: v for k, v in jmh(f"update-{w}.log", lambda x: x.startswith("cnn_")).items()}
    print("\n| update, 2 threads (per s) | PyTorch | engine | ratio (target >= 1.3x) |\n|---|---|---|---|")
    for n, t in tu.items():
        e = eu.get(n)
        print(f"| {n} | {t:.1f} | {e:.1f} | {e / t:.2f}x |" if e else f"| {n} | {t:.1f} | - | - |")
    print()
tm = [float(l.split()[1]) for l in read("torch-update-mlp.log").splitlines() if l.startswith("mlp_")]
em = list(jmh("update-mlp.log", lambda x: x.startswith("mlp_")).values())
if tm and em:
    print(f"MLP 4-256-256-2 b64, 2 threads: PyTorch {tm[0]:.1f}, engine {em[0]:.1f} per s: {em[0] / tm[0]:.2f}x (target >= 2x)\n")
plain = {k[1]: v for k, v in jmh("gemm-plain.log", lambda x: re.fullmatch(r"\d+x\d+x\d+", x)).items()}
entry = {k[1]: v for k, v in jmh("gemm-native.log", lambda x: re.fullmatch(r"\d+x\d+x\d+", x)).items()}
up = {k[1]: v for k, v in jmh("update-plain.log", lambda x: x.startswith("cnn_")).items()}
uv = {k[1]: v for k, v in jmh("update-native.log", lambda x: x.startswith("cnn_")).items()}
if plain:
    print("| plain Java (target: within 3x) | plain | vector | plain / vector |\n|---|---|---|---|")
    for s, p in plain.items():
        if s in entry:
            print(f"| GEMM {s} (us) | {p:,.1f} | {entry[s]:,.1f} | {p / entry[s]:.2f}x |")
    for n, p in up.items():
        if n in uv:
            print(f"| update {n} (per s) | {p:.1f} | {uv[n]:.1f} | {uv[n] / p:.2f}x |")
    print()
tc = {}
for l in read("torch-conv.log").splitlines():
    f = l.split()
    if f and f[0].startswith("conv"):
        tc[(f[0], "forwardRelu")] = float(f[2]); tc[(f[0], "backward")] = float(f[4])
ec = jmh("conv.log", lambda x: x.startswith("conv"))
if tc and ec:
    print("| layer, 1 thread (ms) | PyTorch conv2d | engine | ratio |\n|---|---|---|---|")
    for (layer, what), t in sorted(tc.items()):
        e = ec.get((f"ConvBench.{what}", layer))
        if e:
            print(f"| {layer} {what} | {t:.2f} | {e:.2f} | {t / e:.2f}x |")
    print()
if read("pong.log") or read("torch-pong.log"):
    print("Pong `default`: the engine's metrics.csv is in pong-run/, PyTorch's progress in torch-pong.log; the rate over the\n"
          "learning phase is read as in docs/performance.md (\"Zen 4 again\").")
EOF
echo "== done ($(date -u +%T)): $out/summary.md"
