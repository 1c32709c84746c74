#!/usr/bin/env bash
# Builds, in the repository root, what the GPU machine needs and cannot make itself (it has no
# Java, no Maven, no network): the folders the device tool carries beside the tracked files.
#
#   .jdk/   a jlink'ed Java runtime (the modules the CLI and JMH use, nothing else), with the
#           libraries and the font that drawing the learning curve needs on a bare machine
#   .gl/    the OpenCL ICD loader (libOpenCL.so.1), unpacked from Debian's ocl-icd-libopencl1
#   .dist/  benchmarks.jar: JMH benchmarks and the whole CLI (org.dqnscratch.cli.Main)
#   .roms/  pong.bin, from ale-py's bundled ROMs
#
# Then it makes git ignore them (so they travel only when a run names them in `carry`) and
# prints the total the device tool would copy: tracked and untracked-not-ignored files plus the
# four folders. It fails when that is over 64 MiB, the tool's limit, because then the GPU call
# would fail after the machine started, wasting device time. See docs/gpu.md.
#
# Usage: scripts/gpu-carry.sh
# Environment: JLINK (default: jlink on PATH; needs a JDK 17+ with jdk.incubator.vector),
#              ALE_VENV (a virtualenv with ale-py; default ~/.cache/dqn-ci-ale, made if absent).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

JLINK=${JLINK:-jlink}
ALE_VENV=${ALE_VENV:-$HOME/.cache/dqn-ci-ale}
LIMIT=$((64 * 1024 * 1024))

step() { printf '\n== %s\n' "$*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step ".jdk: jlink runtime"
# java.desktop: the PNG/GIF writers at the end of a training run; java.management: the CLI's
# launcher and JMH; jdk.unsupported: sun.misc for JOCL, JMH and jline; jdk.incubator.vector: the
# SIMD GEMM kernels. ALE needs no extra module.
rm -rf .jdk
"$JLINK" --add-modules java.base,java.desktop,java.logging,java.management,jdk.incubator.vector,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output .jdk
strip --strip-unneeded .jdk/lib/server/libjvm.so # 24 MB -> 20 MB: the largest single file
.jdk/bin/java -version 2>&1 | head -1

step ".jdk: text rendering without system fonts (learning_curve.png)"
# Drawing any text loads lib/libfontmanager.so, which needs libharfbuzz and libfreetype (and
# their own libraries), and then a font. A bare container has neither: in a chroot with only
# glibc, zlib and libstdc++ the end of a training run died with "UnsatisfiedLinkError:
# libharfbuzz.so.0", then, with the libraries, "Fontconfig head is null". So the runtime
# carries both: the libraries beside libfontmanager.so (its RPATH is $ORIGIN, and an RPATH also
# serves the libraries it pulls in), and one font with a static font configuration, which the
# JDK reads only when fontconfig finds no fonts (a machine with fonts keeps using its own).
# Copied from this machine: the closure of libfontmanager.so minus what every Linux has.
base='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libz)\.so'
ldd .jdk/lib/libfontmanager.so | awk '$2 == "=>" {print $1, $3}' | while read -r name path; do
    if [[ "$name" =~ $base ]] || [[ "$path" == "$PWD/.jdk/"* ]] || [ -e ".jdk/lib/$name" ] || [[ "$name" == libjvm.so ]]; then
        continue
    fi
    [ "$path" = "not" ] && { echo "error: $name, needed by libfontmanager.so, is not installed here" >&2; exit 1; }
    cp -L "$path" ".jdk/lib/$name"
    echo "  $name"
done
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
if [ ! -f "$font" ]; then # not installed here: Debian's package, unpacked
    (cd "$tmp" && apt-get download fonts-dejavu-core 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    dpkg-deb -x "$(ls "$tmp"/fonts-dejavu-core_*.deb)" "$tmp/font"
    font=$tmp/font/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
fi
mkdir -p .jdk/lib/fonts
cp "$font" .jdk/lib/fonts/DejaVuSans.ttf
# Every logical font (serif, sansserif, ... in every style) is DejaVu Sans: the charts only need
# legible labels. $JRE_LIB_FONTS is the JDK's own placeholder for lib/fonts.
{
    echo "# Written by scripts/gpu-carry.sh: used only where fontconfig finds no fonts."
    echo "version=1"
    for l in serif sansserif monospaced dialog dialoginput; do
        for s in plain bold italic bolditalic; do echo "$l.$s.latin-1=DejaVu Sans"; done
    done
    echo "sequence.allfonts=latin-1"
    echo 'filename.DejaVu_Sans=$JRE_LIB_FONTS/DejaVuSans.ttf'
} > .jdk/lib/fontconfig.properties
echo "  fonts/DejaVuSans.ttf, fontconfig.properties"

step ".gl: OpenCL ICD loader"
# The GPU machine's NVIDIA driver ships libnvidia-opencl.so.1 (the vendor library) but a CUDA
# container often lacks the loader libOpenCL.so.1 that JOCL opens.
rm -rf .gl
# (As root apt warns that the download is unsandboxed: harmless, and hidden.)
(cd "$tmp" && apt-get download ocl-icd-libopencl1 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
deb=$(ls "$tmp"/ocl-icd-libopencl1_*.deb 2>/dev/null) || { echo "error: apt-get download ocl-icd-libopencl1 failed" >&2; exit 1; }
mkdir -p .gl
dpkg-deb -x "$deb" .gl
ls .gl/usr/lib/x86_64-linux-gnu/libOpenCL.so.1

step ".dist: benchmarks.jar (mvn -Pbench)"
# Offline first (the repository in ~/.m2 usually has everything); online only if that fails.
if ! mvn -B -q -o -Pbench clean package -DskipTests; then
    echo "offline build failed; trying online"
    mvn -B -q -Pbench clean package -DskipTests
fi
mkdir -p .dist
cp target/benchmarks.jar .dist/benchmarks.jar
# The GPU machine is linux-x86_64: the jar's native libraries for other platforms (ALE and JavaCPP
# for macOS and Windows, JOCL's and JLine's for every platform; ~5 MB) would only eat into the 64 MiB
# carry. Removed with Python's zipfile (no zip tool needed): a native library stays only if its path
# names Linux and x86_64.
python3 - .dist/benchmarks.jar <<'PY'
import os, re, sys, zipfile
src = sys.argv[1]
tmp = src + ".tmp"
native = re.compile(r"\.(so(\.\d+)*|dll|dylib|jnilib)$")
kept = dropped = 0
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
    for item in zin.infolist():
        name = item.filename
        if native.search(name) and not ("linux" in name.lower() and "x86_64" in name):
            dropped += item.file_size
            continue
        # protobuf-java only writes TensorBoard event files, which gpu-run.sh's Pong run turns off
        # (--tensorboard=false): 1.6 MiB the 64 MiB carry cannot spare.
        if name.startswith(("com/google/protobuf/", "google/protobuf/", "META-INF/maven/com.google.protobuf/")):
            dropped += item.file_size
            continue
        zout.writestr(item, zin.read(name))
os.replace(tmp, src)
print(f"other platforms' native libraries and protobuf removed: {dropped / 1048576:.1f} MiB uncompressed")
PY
# The commit the jar was built from, so a GPU run's summary can name it (the carried jar is not
# rebuilt there; an uncommitted change would be in it without being in the commit).
{ git rev-parse HEAD; git status --porcelain --untracked-files=no | sed 's/^/dirty: /'; } > .dist/commit.txt
ls -l .dist/benchmarks.jar

step ".roms: pong.bin from ale-py"
if [ ! -x "$ALE_VENV/bin/python" ] || ! "$ALE_VENV/bin/python" -c 'import ale_py' 2>/dev/null; then
    echo "making $ALE_VENV with ale-py"
    python3 -m venv "$ALE_VENV"
    "$ALE_VENV/bin/pip" install -q ale-py
fi
roms=$("$ALE_VENV/bin/python" -c 'import os, ale_py.roms as r; print(os.path.dirname(r.__file__))')
rm -rf .roms
mkdir -p .roms
cp "$roms/pong.bin" .roms/pong.bin
ls -l .roms/pong.bin

step "git: ignore the carried folders"
# In a worktree the exclude file is the main repository's (git-common-dir), shared by all worktrees.
exclude="$(git rev-parse --git-common-dir)/info/exclude"
mkdir -p "$(dirname "$exclude")"
touch "$exclude"
for d in .jdk/ .gl/ .dist/ .roms/; do
    grep -qxF "$d" "$exclude" || echo "$d" >> "$exclude"
done
for d in .jdk .gl .dist .roms; do
    git check-ignore -q "$d" || { echo "error: $d is not ignored by git" >&2; exit 1; }
done

step "size (what the device tool copies: tracked + untracked-not-ignored files + carried folders)"
files=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s += $1} END {print s + 0}')
carried=0
for d in .jdk .gl .dist .roms; do
    b=$(du -sb "$d" | cut -f1)
    printf '  %-6s %6.1f MiB\n' "$d" "$(echo "$b" | awk '{print $1 / 1048576}')"
    carried=$((carried + b))
done
total=$((files + carried))
printf '  %-6s %6.1f MiB\n' files "$(echo "$files" | awk '{print $1 / 1048576}')"
printf '  total  %6.1f MiB of %d MiB (%d bytes)\n' "$(echo "$total" | awk '{print $1 / 1048576}')" $((LIMIT / 1048576)) "$total"
if [ "$total" -gt "$LIMIT" ]; then
    echo "error: over the device tool's 64 MiB limit" >&2
    exit 1
fi
echo "ok: carry [.jdk, .gl, .dist, .roms]; run: bash scripts/gpu-run.sh \$OUT"
