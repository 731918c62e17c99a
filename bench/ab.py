#!/usr/bin/env python3
"""Before and after: two vigil binaries on the same inputs, runs interleaved (A, B, A,
B, ...) so the shared machine's noise falls on both alike. Prints the median wall time
of each, the ratio B/A, and peak memory, for a folder scan, a history scan, a staged
scan and an empty scan (start-up, which every hook run pays: one file of one line).

usage: bench/ab.py OLD_BINARY NEW_BINARY [--runs N] [--tree DIR] [--repo GIT_DIR]
  --tree  folder to scan (default: the crate sources cargo downloaded)
  --repo  repository for --history and --staged (default: bench/.work/history-repo,
          made by bench/history.sh; skipped when missing)
Refactors must show no slowdown beyond noise: quote this script's table.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(argv, cwd):
    """Wall seconds of one run; the exit code must be 0 (clean) or 1 (findings)."""
    start = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} exited {p.returncode}")
    return wall


def peak_rss(argv, cwd, env=None):
    """Peak resident memory (MiB) of one run, from /usr/bin/time."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M"] + argv, cwd=cwd, env=env, capture_output=True, text=True
    )
    try:
        return int(out.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "7")))
    ap.add_argument("--tree", default=str(Path.home() / ".cargo/registry/src"))
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parent / ".work/history-repo"))
    a = ap.parse_args()
    old, new = str(Path(a.old).resolve()), str(Path(a.new).resolve())
    empty = tempfile.mkdtemp(prefix="vigil-ab-empty-")
    # One line to scan: a folder with nothing in it is a scan of nothing (exit 3).
    Path(empty, "a.txt").write_text("hello\n")
    cases = [("empty scan", ["scan", empty], None)]
    if Path(a.tree).is_dir():
        cases.append(("folder scan", ["scan", a.tree, "--format", "json"], None))
    if (Path(a.repo) / ".git").exists() or (Path(a.repo) / "HEAD").exists():
        cases.append(("history scan", ["scan", "--history", "--format", "json"], a.repo))
        cases.append(("staged scan", ["scan", "--staged", "--format", "json"], a.repo))
    else:
        print(f"note: no repository at {a.repo}: history and staged scans skipped (run bench/history.sh once)")
    print(f"{a.runs} interleaved runs each; A = {old}\n                           B = {new}")
    print(f"{'case':<14} {'A median':>10} {'B median':>10} {'B/A':>6} {'A peak':>9} {'B peak':>9}")
    for name, args, cwd in cases:
        times = {old: [], new: []}
        for _ in range(2):  # warm-up: page cache, both binaries
            for b in (old, new):
                one_run([b] + args, cwd)
        for _ in range(a.runs):
            for b in (old, new):
                times[b].append(one_run([b] + args, cwd))
        mo, mn = statistics.median(times[old]), statistics.median(times[new])
        po, pn = peak_rss([old] + args, cwd), peak_rss([new] + args, cwd)
        print(f"{name:<14} {mo:>9.3f}s {mn:>9.3f}s {mn / mo:>6.3f} {po:>7.1f}Mi {pn:>7.1f}Mi")


if __name__ == "__main__":
    main()
