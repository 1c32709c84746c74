#!/usr/bin/env bash
# Compiles every OpenCL kernel for an NVIDIA H100/H200 (sm_90) without a GPU, NVIDIA's own
# assembler last, at each GEMM tile Tuning can choose (issue 19), and tabulates what ptxas reports
# per kernel (registers, spills, stack frame, shared memory) with the occupancy that follows.
#
#   scripts/ptx-check.sh [OUTDIR]   (default target/ptx: ptxas.tsv, ptxas.md, and per tile the .ptx and ptxas's log)
#
# Exits 2 when a tool is missing (PtxasCheckTest skips on that), 1 when a step fails, a __kernel of
# the sources is not an .entry of the PTX, a kernel cannot launch with its work-group size on sm_90
# (registers or shared memory), or a GEMM/convolution kernel (matmul_*, conv2d_*, gemm_*) spills at
# the H100's tile.
#
# The program is built as opencl/Kernels.build builds it: the files of Kernels.FILES in that order,
# each after a line "// ---- FILE", with -cl-std=CL1.2 and Tuning.defines(). clang-15 and libclc
# stand in for NVIDIA's OpenCL front end (NVVM) up to the PTX, so registers may differ somewhat from
# the driver's; the assembler, where registers are allocated and spills decided, is NVIDIA's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/target/ptx}
kernels_dir=$root/src/main/resources/kernels
java_dir=$root/src/main/java/org/dqnscratch/opencl
PTXAS=${PTXAS:-/usr/local/bin/ptxas}
CLC_HEADER=/usr/include/clc/clc.h          # Debian libclc-15-dev (a dependency of libclc-15)
CLC_BC=/usr/lib/clc/nvptx64--nvidiacl.bc   # Debian libclc-15: the OpenCL builtins for nvptx64
GROUP=256                                  # OpenClBackend.GROUP and REDUCE (see below)

fail() { echo "ptx-check: $*" >&2; exit 1; }

missing=()
for t in clang-15 llvm-link-15 opt-15 llc-15; do command -v "$t" >/dev/null || missing+=("$t"); done
[ -x "$PTXAS" ] || missing+=("$PTXAS")
[ -f "$CLC_HEADER" ] || missing+=("$CLC_HEADER")
[ -f "$CLC_BC" ] || missing+=("$CLC_BC")
if [ ${#missing[@]} -gt 0 ]; then
  echo "ptx-check: missing: ${missing[*]} (Debian: apt-get install clang-15 llvm-15 libclc-15; ptxas comes with CUDA)" >&2
  exit 2
fi

# File order and tiles read from the Java sources, so that they cannot drift from what the backend
# compiles: Kernels.FILES, and Tuning.TILES' "new Tuning(tsm, tsn, tsk, wptm, wptn, groups)".
files=$(sed -n 's/.*String\[\] FILES = {\(.*\)};.*/\1/p' "$java_dir/Kernels.java" | tr -d '" ' | tr ',' ' ')
tiles=$(awk '/List<Tuning> TILES = /, /;/' "$java_dir/Tuning.java" | grep -o 'new Tuning([0-9, ]*)' | tr -dc '0-9,\n')
[ -n "$files" ] || fail "could not read Kernels.FILES from $java_dir/Kernels.java"
[ -n "$tiles" ] || fail "could not read Tuning.TILES from $java_dir/Tuning.java"

mkdir -p "$out"
src=$out/kernels.cl
: > "$src"
for f in $files; do
  [ -f "$kernels_dir/$f" ] || fail "Kernels.FILES names $f, which is not in $kernels_dir"
  { echo "// ---- $f"; cat "$kernels_dir/$f"; echo; } >> "$src"
done

# Each kernel's work-group as OpenClBackend launches it on an H100 (1,024 work-items allowed): the
# GEMM kernels (those that declare GEMM_LOCALS, launched by OpenClBackend.gemm) (TSM/WPTM) x
# (TSN/WPTN) work-items; the reductions (a __local sums[REDUCE] array) reduceSize =
# min(REDUCE = 256, what device and kernel allow); every other kernel run1d's min(GROUP = 256, ...).
awk '/^__kernel void/ { match($0, /__kernel void [A-Za-z0-9_]+/); k = substr($0, RSTART + 14, RLENGTH - 14); kind[k] = "1d"; order[++n] = k }
     /^}/ { k = "" }
     k != "" && /^[ \t]+GEMM_LOCALS;/ { kind[k] = "gemm" }
     k != "" && /__local float sums\[REDUCE\]/ { kind[k] = "reduce" }
     END { for (i = 1; i <= n; i++) print order[i] "\t" kind[order[i]] }' "$src" > "$out/kinds.tsv"
nkernels=$(wc -l < "$out/kinds.tsv")
[ "$nkernels" -gt 0 ] || fail "no __kernel in $src"

# Reads kinds.tsv then a ptxas -v log; prints a row per kernel. ptxas -v prints per entry:
#   Compiling entry function 'K' for 'sm_90'
#   Function properties for K          (a .func K calls prints its own block first)
#       S bytes stack frame, X bytes spill stores, Y bytes spill loads
#   Used R registers, used 1 barriers[, S bytes cumulative stack size][, Z bytes smem]
# Occupancy on sm_90 as CUDA's occupancy calculator (cuda_occupancy.h) computes it: registers are
# given to warps in units of 256 out of four sub-partitions of 16,384 (65,536 per SM), at most 255
# per work-item; a block's shared memory is its static smem plus the 1 KB the driver reserves per
# block, in units of 128 bytes, out of 228 KB (the largest carveout; 227 KB at most per block);
# at most 32 blocks and 64 warps (2,048 work-items) per SM.
read -r -d '' TABULATE <<'AWK' || true
function up(x, m) { return int((x + m - 1) / m) * m }
FILENAME != logfile { kind[$1] = $2; order[++n] = $1; next }
/Compiling entry function/ { split($0, q, "'"); k = q[2]; next }
/Function properties for / { c = split($0, w, " "); f = w[c]; next }
/bytes stack frame/ && f == k { split($0, w, " "); stack[k] = w[1]; st[k] = w[5]; ld[k] = w[9]; next }
/Used [0-9]+ registers/ {
  seen[k] = 1
  match($0, /Used [0-9]+ registers/); regs[k] = substr($0, RSTART + 5, RLENGTH - 15) + 0
  smem[k] = 0; if (match($0, /[0-9]+ bytes smem/)) smem[k] = substr($0, RSTART, RLENGTH - 11) + 0
}
END {
  split("registers smem threads blocks", limits, " ")
  for (i = 1; i <= n; i++) {
    k = order[i]
    if (!seen[k]) { print "MISSING\t" k; continue }
    threads = kind[k] == "gemm" ? gemm_threads : group
    wpb = int((threads + 31) / 32); rpw = up(regs[k] * 32, 256); alloc = up(smem[k] + 1024, 128)
    # the hardware counts a block's registers on all four sub-partitions when it checks that it fits
    lim["registers"] = regs[k] > 255 || rpw * up(wpb, 4) > 65536 ? 0 : int(int(16384 / rpw) * 4 / wpb)
    lim["smem"] = alloc > 228 * 1024 ? 0 : int(228 * 1024 / alloc)
    lim["threads"] = int(64 / wpb); lim["blocks"] = 32
    blocks = 32; by = ""
    for (j = 1; j <= 4; j++) if (lim[limits[j]] < blocks) blocks = lim[limits[j]]
    for (j = 1; j <= 4; j++) if (lim[limits[j]] == blocks) by = by (by == "" ? "" : "+") limits[j]
    printf "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", tile, k, kind[k], threads, regs[k], st[k], ld[k],
           stack[k], smem[k], blocks, blocks * wpb, int(100 * blocks * wpb / 64 + 0.5), by
  }
}
AWK

h100_tile=""
printf 'tile\tkernel\tkind\tthreads\tregisters\tspill_stores\tspill_loads\tstack\tsmem\tblocks_per_sm\twarps_per_sm\toccupancy_pct\tlimited_by\n' > "$out/ptxas.tsv"
for t in $tiles; do
  IFS=, read -r tsm tsn tsk wptm wptn _groups <<< "$t"
  tile="${tsm}x${tsn}x${tsk}/${wptm}x${wptn}"
  # Tuning.choose takes the first tile that fits; an H100 (1,024 work-items, 48 KB of local memory) fits the first.
  [ -n "$h100_tile" ] || h100_tile=$tile
  b="$out/${tsm}x${tsn}x${tsk}_${wptm}x${wptn}"
  defines="-DTSM=$tsm -DTSN=$tsn -DTSK=$tsk -DWPTM=$wptm -DWPTN=$wptn"   # Tuning.defines()
  # nvptx64-nvidia-nvcl: NVPTX's OpenCL flavour, where __kernel functions become .entry.
  clang-15 -target nvptx64-nvidia-nvcl -cl-std=CL1.2 -O3 -emit-llvm -c -isystem /usr/include -include clc/clc.h \
    $defines "$src" -o "$b.bc" 2> "$b.clang.log" || { cat "$b.clang.log" >&2; fail "clang-15 failed at tile $tile"; }
  # libclc's bitcode says nvptx64-unknown-nvidiacl: the triple mismatch warning is harmless, silenced.
  llvm-link-15 --only-needed --suppress-warnings "$b.bc" "$CLC_BC" -o "$b.linked.bc" || fail "llvm-link-15 failed at tile $tile"
  # Optimise again after linking: when clang optimises, libclc's builtins (get_local_id, barrier, ...)
  # are only declarations, and without this pass each stays a call (185 of them), giving the GEMM
  # kernels 208-byte stack frames and 64 registers. Inline everything, as GPU compilers do with such
  # code (each kernel calls gemm_tile once): at LLVM's default threshold gemm_tile stays a call at the
  # 2x2 tiles, and its arguments alone give those kernels 160-byte stack frames and 48-56 registers.
  opt-15 -O3 -inline-threshold=100000 "$b.linked.bc" -o "$b.opt.bc" || fail "opt-15 failed at tile $tile"
  # LLVM 15 knows sm_86 and PTX 7.5 at most. -mcpu=sm_90 only warns ("not a recognized processor")
  # and writes .target sm_90 under .version 7.5, which ptxas rejects (sm_90 needs PTX 7.8). PTX for
  # sm_86 is valid input for any later architecture: ptxas 13 assembles it for sm_90 as it is, with
  # the same report, register for register, as after patching in .version 7.8 / .target sm_90.
  # llc's warnings are fatal here, so that an ignored -mcpu or -mattr cannot pass unnoticed.
  llc-15 -march=nvptx64 -mcpu=sm_86 -mattr=+ptx75 -O3 "$b.opt.bc" -o "$b.ptx" 2> "$b.llc.log" \
    || { cat "$b.llc.log" >&2; fail "llc-15 failed at tile $tile"; }
  [ ! -s "$b.llc.log" ] || { cat "$b.llc.log" >&2; fail "llc-15 warned at tile $tile"; }
  entries=$(grep -c '^\.entry ' "$b.ptx" || true)
  [ "$entries" -eq "$nkernels" ] || fail "tile $tile: $entries .entry functions in $b.ptx, $nkernels __kernel functions in the sources"
  "$PTXAS" -arch=sm_90 -v "$b.ptx" -o "$b.cubin" > "$b.ptxas.log" 2>&1 || { cat "$b.ptxas.log" >&2; fail "ptxas failed at tile $tile"; }
  awk -F '\t' -v tile="$tile" -v gemm_threads=$(( (tsm / wptm) * (tsn / wptn) )) -v group=$GROUP -v logfile="$b.ptxas.log" \
    "$TABULATE" "$out/kinds.tsv" "$b.ptxas.log" > "$b.tsv"
  ! grep -q '^MISSING' "$b.tsv" || fail "tile $tile: ptxas reported nothing for $(grep '^MISSING' "$b.tsv" | cut -f2 | tr '\n' ' ')"
  cat "$b.tsv" >> "$out/ptxas.tsv"
done

# The markdown table: a row per kernel and tile, in source order; a kernel whose numbers are the
# same at every tile (all but the GEMM kernels, which alone use the tile's defines) gets one row.
tail -n +2 "$out/ptxas.tsv" | awk -F '\t' -v ntiles="$(echo "$tiles" | wc -l)" '
  { if (!($2 in rows)) order[++n] = $2
    m = sprintf("| %d | %d | %d/%d | %d | %d | %d (%d%%) | %s |", $4, $5, $6, $7, $8, $9, $11, $12, $13)
    rows[$2] = rows[$2] "\n| " $2 " | " $1 " " m
    if (!($2 in first)) first[$2] = m; else if (first[$2] != m) differs[$2] = 1 }
  END {
    print "| kernel | tile | work-items | registers | spills st/ld (B) | stack (B) | smem (B) | warps/SM (occupancy) | limited by |"
    print "|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) { k = order[i]; if (differs[k]) print substr(rows[k], 2); else print "| " k " | all " ntiles " " first[k] }
  }' > "$out/ptxas.md"
cat "$out/ptxas.md"

# Spills elsewhere are worth knowing, not fatal: the backend uses the other tiles only when forced
# (DQN_OPENCL_TUNING) or on devices that cannot take the first.
tail -n +2 "$out/ptxas.tsv" | awk -F '\t' -v h="$h100_tile" '$1 != h && $6 + $7 > 0 { print "ptx-check: note: " $2 " spills at " $1 " (" $6 "/" $7 " bytes stored/loaded)" }' >&2
problems=$(tail -n +2 "$out/ptxas.tsv" | awk -F '\t' -v h="$h100_tile" '
  $10 == 0 { print "  " $2 " at " $1 ": cannot launch " $4 " work-items on sm_90 (" $5 " registers, " $9 " bytes smem)" }
  $1 == h && $2 ~ /^(matmul_|conv2d_|gemm_)/ && $6 + $7 > 0 { print "  " $2 " spills at the H100 tile " h ": " $6 " bytes stored, " $7 " loaded" }')
[ -z "$problems" ] || fail "$(printf 'on sm_90:\n%s' "$problems")"
echo "ptx-check: $nkernels kernels x $(echo "$tiles" | wc -l) tiles assembled for sm_90 by ptxas $("$PTXAS" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'); no GEMM/conv spills at $h100_tile; table in $out/ptxas.tsv, ptxas.md"
