#!/usr/bin/env python3
"""Fails when two modules of a crate import each other, directly or around a longer
cycle. Reads each module's non-test code for `crate::a::b` paths (in `use` lines,
grouped `use crate::{...}` lines and inline paths), `super::x` paths, and a module
file's `pub use child::...` re-exports; comments are left out.

usage: scripts/module-cycles.py [CRATE_SRC_DIR...]   (default: every crate of the workspace)
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT / "crates/cli"] + sorted(p / "src" for p in (ROOT / "crates").iterdir() if (p / "src").is_dir())


def module_name(src, path):
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts)


def code_of(path):
    text = path.read_text()
    cut = text.find("#[cfg(test)]")
    if cut >= 0:
        text = text[:cut]
    return "\n".join(l for l in text.splitlines() if not l.strip().startswith("//"))


def edges_of(src):
    mods = {module_name(src, f): f for f in src.rglob("*.rs") if "tests" not in f.relative_to(src).parts}
    edges = {m: set() for m in mods}
    for m, f in mods.items():
        text = code_of(f)
        refs = set(re.findall(r"crate::((?:[a-z_0-9]+::)*[a-z_0-9]+)", text))
        for group in re.findall(r"use crate::\{([^;]*)\};", text, re.S):
            refs.update(re.findall(r"([a-z_0-9]+(?:::[a-z_0-9]+)*)(?:::\{|,|\s*$|::[A-Z])", group))
        parent = "::".join(m.split("::")[:-1])
        for name in re.findall(r"super::([a-z_0-9]+)", text):
            refs.add((parent + "::" if parent else "") + name)
        for child in re.findall(r"pub use (?:self::)?([a-z_0-9]+)::", text):
            refs.add((m + "::" if m else "") + child)
        for r in refs:
            parts = r.split("::")
            for k in range(len(parts), 0, -1):
                target = "::".join(parts[:k])
                if target in mods and target != m and not m.startswith(target + "::"):
                    edges[m].add(target)
                    break
    return edges


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in edges:
        if v not in index:
            visit(v)
    return found


def main():
    srcs = [Path(a) for a in sys.argv[1:]] or DEFAULT
    bad = 0
    for src in srcs:
        edges = edges_of(src)
        for comp in cycles(edges):
            bad += 1
            links = [f"{a} -> {b}" for a in comp for b in sorted(edges[a]) if b in comp]
            print(f"{src}: modules import each other: {', '.join(links)}")
    if bad:
        sys.exit(1)
    print(f"module-cycles: no cycles in {len(srcs)} crates")


if __name__ == "__main__":
    main()
