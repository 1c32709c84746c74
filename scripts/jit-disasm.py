#!/usr/bin/env python3
"""Disassemble one C2-compiled method from a HotSpot -XX:+PrintAssembly log, with objdump.

When the hsdis plugin cannot decode (Debian's libhsdis0-fcml under JDK 17 and 25 prints the machine code
as hex words), the log still holds every byte: this turns the last C2 (tier 4, not on-stack-replacement)
compile of METHOD back into bytes and runs `objdump -D -b binary -mi386:x86-64 -Mintel` on them. Loops
are marked: each conditional jump back is printed with the number of instructions and multiply-adds it closes.

    java ... -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,org.dqnscratch.tensor.VectorMicroKernel::tile > log
    scripts/jit-disasm.py log VectorMicroKernel::tile

METHOD is Class::method (or the fully qualified name). This lists the method's own compile; where C2 inlined it
into a caller, the code that ran is that copy (print the caller too). One JVM per log: two forks' compiles in
one log are not told apart.

(x86-64 only; docs/performance.md, "Bounds checks in the micro-kernel", shows what it found.)
"""
import re
import subprocess
import sys
import tempfile


def last_c2_compile(lines, method):
    """Start and end line of a C2 compile of method, or None: of its overloads the one with the most bytecode
    (the loop, not a wrapper that calls it), of that one's compiles the last. On-stack-replacement compiles
    ("@ bci" in the header) are left out."""
    found, most = None, -1
    for i, line in enumerate(lines):
        # "Compiled method (c2) TIME ID FLAGS 4 pkg.Class::method (N bytes)", FLAGS among % s ! b n
        m = re.match(r"Compiled method \(c2\)\s+\d+\s+\d+\s+[%sbn! ]*4\s+(\S+) \((\d+) bytes\)", line)
        name = m.group(1) if m else ""
        if m and (name == method or name.endswith("." + method)) and int(m.group(2)) >= most:
            end = next((j for j in range(i, len(lines)) if lines[j].startswith("[/MachCode]")), len(lines))
            found, most = (i, end), int(m.group(2))
    return found


def code_bytes(lines):
    """(start address, bytes) from the hex lines after [Verified Entry Point]."""
    data, start, seen = bytearray(), None, False
    for line in lines:
        seen = seen or line.startswith("[Verified Entry Point]")
        m = re.match(r"\s*0x([0-9a-f]+): ([0-9a-f |]+)$", line.rstrip())
        if not seen or not m:
            continue
        addr = int(m.group(1), 16)
        if start is None:
            start = addr
        if addr != start + len(data):  # a hex line this script could not read: the listing would be wrong
            sys.exit(f"machine code at {addr:#x}, expected {start + len(data):#x}: a hex line was not understood")
        data += bytes.fromhex(re.sub("[^0-9a-f]", "", m.group(2)))
    return start, bytes(data)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: jit-disasm.py PRINT_ASSEMBLY_LOG Class::method   (see the top of this file)")
    lines = open(sys.argv[1], errors="replace").read().split("\n")
    where = last_c2_compile(lines, sys.argv[2])
    if where is None:
        sys.exit(f"no C2 compile of {sys.argv[2]} in {sys.argv[1]} (did -XX:CompileCommand=print name it?)")
    start, data = code_bytes(lines[where[0]:where[1]])
    if not data:
        sys.exit("the compile has no hex machine code (was it decoded by hsdis already?)")
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "-Mintel",
                              f"--adjust-vma={start:#x}", f.name], capture_output=True, text=True, check=True).stdout
    listing = []
    for line in out.split("\n"):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0].strip().endswith(":"):
            listing.append((int(parts[0].strip()[:-1], 16), parts[2].strip()))
    print(lines[where[0]])
    for n, (addr, ins) in enumerate(listing):
        note = ""
        m = re.match(r"j(?!mp)\w+\s+0x([0-9a-f]+)$", ins)  # a conditional jump back: a loop's end
        if m and start <= int(m.group(1), 16) < addr:
            body = [i for a, i in listing if int(m.group(1), 16) <= a <= addr]
            fmas = sum(1 for i in body if i.startswith("vfmadd"))
            note = f"    <- loop: {len(body)} instructions, {fmas} multiply-adds"
        print(f"{addr:x}: {ins}{note}")


if __name__ == "__main__":
    main()
