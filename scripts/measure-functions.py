#!/usr/bin/env python3
"""Longest functions and longest files of slipway's C++ sources (outside tests).

Method: a brace-matching heuristic, not clang's AST (an AST dump of every translation unit costs
minutes of CPU on this project because nlohmann/json is in most of them). Comments, string and
character literals (raw strings too) are blanked first; then every `{` opened at namespace, class
or file scope is a function body when the text before it, since the previous `;`, `{` or `}` at
that scope, looks like a signature: it has a parameter list and is not a class/struct/union/enum/
namespace/extern header or an initializer (`= {`). A function's length counts the lines from its
signature's first line to its closing brace. Lambdas and local classes count toward the function
that contains them, as a reader sees them.

Usage: scripts/measure-functions.py [--top N] [--over LINES] [--files-over LINES] [paths...]
Default paths: src (files ending in _test.cc or _enginetest.cc are skipped).
"""
import argparse
import os
import re
import sys

SCOPE_HEAD = re.compile(r"\b(namespace|class|struct|union|enum)\b|\bextern\s*$")
NOT_FUNCTION = re.compile(r"=\s*$|\breturn\b|^\s*$")


def blank(text):
    """Replaces comments and literals by spaces, keeping newlines (so line numbers stay)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            k = text.find("(", i + 2)
            delim = ")" + text[i + 2 : k] + '"'
            j = text.find(delim, k)
            j = n if j < 0 else j + len(delim)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            # A digit separator (1'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum() and \
                    (i + 2 >= n or text[i + 2] != "'"):
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else " " * (j - i))
            i = j
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            # Preprocessor line (with continuations): blank it.
            j = i
            while True:
                k = text.find("\n", j)
                if k < 0:
                    k = n
                    break
                if text[k - 1] == "\\":
                    j = k + 1
                    continue
                break
            out.append(re.sub(r"[^\n]", " ", text[i:k]))
            i = k
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    text = blank(open(path, encoding="utf-8", errors="replace").read())
    stack = []  # entries: ("scope"|"function"|"other", start_line, name)
    results = []
    line = 1
    head_start = 0  # index where the current declaration's text starts (at scope level)
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        in_function = any(kind == "function" for kind, _, _ in stack)
        if c == "{":
            if in_function or (stack and stack[-1][0] == "other"):
                stack.append(("other", line, ""))
                continue
            head = text[head_start:i]
            if SCOPE_HEAD.search(head) and "(" not in head.split("{")[-1].split(":")[0]:
                stack.append(("scope", line, ""))
                head_start = i + 1
            elif "(" in head and ")" in head and not NOT_FUNCTION.search(head):
                stripped = head.lstrip()
                first_line = line - stripped.count("\n")
                m = re.search(r"([~\w:]+(?:operator\s*\S+)?)\s*\(", stripped)
                stack.append(("function", first_line, m.group(1) if m else stripped[:40]))
            else:
                stack.append(("other", line, ""))
        elif c == "}":
            if not stack:
                continue
            kind, start, name = stack.pop()
            if kind == "function":
                results.append((line - start + 1, path, start, name))
            if not any(k == "function" for k, _, _ in stack) and (not stack or stack[-1][0] != "other"):
                head_start = i + 1
        elif c == ";" and not in_function and not (stack and stack[-1][0] == "other"):
            head_start = i + 1
    return results


def sources(paths):
    for root in paths:
        if os.path.isfile(root):
            yield root
            continue
        for d, _, files in os.walk(root):
            for f in sorted(files):
                if f.endswith((".cc", ".h")) and not f.endswith(("_test.cc", "_enginetest.cc")):
                    yield os.path.join(d, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--over", type=int, default=160)
    ap.add_argument("--files-over", type=int, default=600)
    ap.add_argument("paths", nargs="*", default=["src"])
    args = ap.parse_args()
    files = sorted(sources(args.paths))
    all_functions = []
    for f in files:
        all_functions += functions(f)
    all_functions.sort(reverse=True)
    print(f"longest functions ({len(all_functions)} measured in {len(files)} files):")
    for length, path, start, name in all_functions[: args.top]:
        print(f"  {length:5d}  {path}:{start}  {name}")
    over = [f for f in all_functions if f[0] > args.over]
    print(f"functions over {args.over} lines: {len(over)}")
    print(f"files over {args.files_over} lines:")
    for f in files:
        n = sum(1 for _ in open(f, encoding="utf-8", errors="replace"))
        if n > args.files_over:
            head = "".join(open(f, encoding="utf-8", errors="replace").readlines()[:12])
            reason = "reason at top" if re.search(r"(?i)over 600|longer than|why this file|one file because", head) \
                else "no reason at top"
            print(f"  {n:5d}  {f}  ({reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
