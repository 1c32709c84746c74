#!/usr/bin/env bash
# Two benchmark jars (before / after a change) side by side with PyTorch, alternating rounds on one machine.
#   scripts/bench-ab.sh gemm   BEFORE.jar AFTER.jar TORCH_VENV   # GemmBench through Gemm.gemm, 1 thread; torch_gemm.py
#   scripts/bench-ab.sh update BEFORE.jar AFTER.jar TORCH_VENV   # DqnUpdateBench, 2 threads, dqn b32/b64 and rainbow b32; torch_update_rate.py
# A jar: `mvn -B -Pbench clean package -DskipTests` at each commit (git worktree), then copy target/benchmarks.jar.
# TORCH_VENV: made by shared/bench/peer-setup.sh. Run it on a quiet machine (nothing else, no helper's build).
set -euo pipefail
what=${1:?gemm|update}; before=${2:?before jar}; after=${3:?after jar}; torch=${4:?torch venv}
here=$(cd "$(dirname "$0")/.." && pwd)
peers=$here/../shared/bench; [ -f "$peers/torch_gemm.py" ] || peers=$here/scripts/peers
lscpu | grep "Model name"
shapes=32x3136x512,64x3136x512,64x256x256,256x256x256
for round in 1 2 3; do
  for jar in "$before" "$after"; do
    echo "== round $round $jar"
    if [ "$what" = gemm ]; then
      java -jar "$jar" GemmBench -p kernel=entry -p threads=1 -p shape=$shapes -wi 3 -w 1 -i 6 -r 1 -f 1 2>&1 | grep -E "^GemmBench"
    else
      java -jar "$jar" DqnUpdateBench -p net=cnn_nature_b32_rmsprop_mse,cnn_nature_b64_adam_huber -p threads=2 -p variant=dqn \
        -wi 3 -w 2 -i 5 -r 2 -f 1 2>&1 | grep -E "^DqnUpdateBench"
      java -jar "$jar" DqnUpdateBench -p net=cnn_nature_b32_rmsprop_mse -p threads=2 -p variant=rainbow -wi 3 -w 2 -i 5 -r 2 -f 1 2>&1 | grep -E "^DqnUpdateBench"
    fi
  done
  echo "== round $round torch"
  if [ "$what" = gemm ]; then
    "$torch/bin/python" "$peers/torch_gemm.py" --threads 1 --seconds 3 ${shapes//,/ }
  else
    "$torch/bin/python" "$here/scripts/peers/torch_update_rate.py" --threads 2 --seconds 5 --only cnn_nature 2>&1 | grep -v "^#\|Warning\|kaiming"
    "$torch/bin/python" "$here/scripts/peers/torch_update_rate.py" --threads 2 --seconds 5 --only cnn_nature_b32 --variant rainbow 2>&1 | grep -v "^#\|Warning\|kaiming"
  fi
done
