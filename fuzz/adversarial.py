#!/usr/bin/env python3
"""Generates adversarial Compose inputs (each at most 8 MiB) into a directory, one project per
subdirectory, for measuring slipway's peak memory on them (fuzz/measure_rss.sh; README "Limits").
  fuzz/adversarial.py OUT_DIR [NODE_CAP]   NODE_CAP (default 65536) sizes the cap-* projects just
                                           under the node limit, so they load through every stage."""
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
LIMIT = 8 << 20

def write(name, text, env=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    data = text.encode()
    assert len(data) <= LIMIT, (name, len(data))
    open(os.path.join(d, "compose.yaml"), "wb").write(data)
    if env is not None:
        e = env.encode(); assert len(e) <= LIMIT
        open(os.path.join(d, ".env"), "wb").write(e)

def fill(prefix, unit, suffix="", budget=LIMIT - 4096):
    n = (budget - len(prefix) - len(suffix)) // len(unit)
    return prefix + unit * n + suffix, n

# 1. many tiny mapping entries (labels), as many as fit
lines = []
size = 0
i = 0
head = "services:\n  a:\n    image: x\n    labels:\n"
parts = [head]
size = len(head)
while True:
    l = "      l%d: v\n" % i
    if size + len(l) > LIMIT - 16: break
    parts.append(l); size += len(l); i += 1
write("tiny-entries", "".join(parts))
# 1b. tiny top-level extension entries (never normalized beyond any())
parts = ["services:\n  a:\n    image: x\nx-big:\n"]; size = len(parts[0]); i = 0
while True:
    l = " k%d: 1\n" % i
    if size + len(l) > LIMIT - 16: break
    parts.append(l); size += len(l); i += 1
write("tiny-ext-entries", "".join(parts))
# 2. long flow sequence
t, n = fill("services:\n  a:\n    image: x\nx-l: [", "1,", "1]\n")
write("flow-seq", t)
t, n = fill("services:\n  a:\n    image: x\n    command: [", "a,", "a]\n")
write("flow-seq-command", t)
# 3. deep nesting
d = (4 << 20) - 16
write("deep-flow", "x-d: " + "[" * d + "]" * d + "\n")
write("deep-block", "".join(" " * k + "a:\n" for k in range(0, 2000)))
# 4. one huge scalar
big = "a" * (LIMIT - 100)
write("huge-scalar", "services:\n  a:\n    image: x\n    command: \"" + big + "\"\n")
write("huge-scalar-ext", "services:\n  a:\n    image: x\nx-s: " + big + "\n")
big_u = ("\u00e9" * ((LIMIT - 100) // 2))
write("huge-scalar-utf8", "services:\n  a:\n    image: x\n    environment:\n      A: \"" + big_u + "\"\n")
# 5. aliases
bl = ["services:\n  a:\n    image: x\n", "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"]
prev = "a"
for k in range(1, 10):
    cur = "b%d" % k
    bl.append("x-%s: &%s [%s]\n" % (cur, cur, ",".join("*" + prev for _ in range(9))))
    prev = cur
write("billion-laughs", "".join(bl))
# alias of a big scalar repeated
big1 = "b" * (1 << 20)
write("alias-big-scalar", "services:\n  a:\n    image: x\nx-s: &s " + big1 + "\nx-l: [" + ",".join(["*s"] * 2000) + "]\n")
# alias fan-out into services (each alias = a whole service)
svc = "x-svc: &svc {image: x, environment: {" + ",".join("E%d: v%d" % (k, k) for k in range(200)) + "}}\nservices:\n"
svc += "".join("  s%d: *svc\n" % k for k in range(5000))
write("alias-services", svc)
# 6. many services
parts = ["services:\n"]; size = len(parts[0]); i = 0
while True:
    l = "  s%d: {image: x}\n" % i
    if size + len(l) > LIMIT - 16: break
    parts.append(l); size += len(l); i += 1
write("many-services", "".join(parts))
# 7. interpolation expanding
A = "x" * (1 << 20)
write("interp-expand", "services:\n  a:\n    image: x\n    environment:\n      E: \"" + "${A}" * 2000 + "\"\n", env="A=" + A + "\n")
t, n = fill("services:\n  a:\n    image: x\nx-i: [", "\"${A}\",", "\"${A}\"]\n")
write("interp-many", t, env="A=" + "y" * 4096 + "\n")
# 8. long extends chain
parts = ["services:\n  s0:\n    image: x\n    environment: {" + ",".join("E%d: v" % k for k in range(50)) + "}\n"]
for k in range(1, 1999):
    parts.append("  s%d:\n    extends: s%d\n" % (k, k - 1))
write("extends-chain", "".join(parts))
# 9. include fan-out: one include file included many times under different project dirs
d = os.path.join(out, "include-fanout"); os.makedirs(d, exist_ok=True)
inc = "services:\n" + "".join("  i%d: {image: x, environment: {%s}}\n" % (k, ",".join("E%d: v" % j for j in range(20))) for k in range(200))
open(os.path.join(d, "inc.yaml"), "w").write(inc)
main = "include:\n" + "".join("  - path: inc.yaml\n    project_directory: d%d\n" % k for k in range(2000)) + "services:\n  a: {image: x}\n"
open(os.path.join(d, "compose.yaml"), "w").write(main)
# 10. ports range expansion
write("ports-range", "services:\n  a:\n    image: x\n    ports:\n" + "".join("      - \"%d-%d:1-65535/%s\"\n" % (1, 65535, p) for p in ["tcp"]))
write("ports-at-limit", "services:\n  a:\n    image: x\n    ports:\n      - \"1-16384:1-16384\"\n")
# ---- variants just under a node cap (argv[2]), to run the whole pipeline at the limit
cap = int(sys.argv[2]) if len(sys.argv) > 2 else 65536
m = (cap - 20) // 2
write("cap-tiny-entries", "services:\n  a:\n    image: x\n    labels:\n" + "".join("      l%d: v\n" % k for k in range(m)))
write("cap-tiny-ext", "services:\n  a:\n    image: x\nx-big:\n" + "".join(" k%d: 1\n" % k for k in range(m)))
write("cap-flow-seq", "services:\n  a:\n    image: x\n    command: [" + ",".join(["a"] * (cap - 20)) + "]\n")
write("cap-many-services", "services:\n" + "".join("  s%d: {image: x}\n" % k for k in range((cap - 10) // 4)))
write("cap-env-list", "services:\n  a:\n    image: x\n    environment:\n" + "".join("      - E%d=v\n" % k for k in range(cap - 20)))
write("cap-interp-many", "services:\n  a:\n    image: x\nx-i: [" + ",".join(["\"${A}\""] * min(cap - 20, (LIMIT - 200) // 7)) + "]\n", env="A=" + "y" * 4096 + "\n")
