#!/usr/bin/env python3
"""The installed pre-commit hook as git runs it, beside gitleaks in the same place.

usage: bench/hook.py [REPO] [--runs N] [--vigil BIN] [--gitleaks BIN]

REPO (default bench/.work/history-repo, made by bench/gen-history.py: 12,000 commits)
is only read: the script works in two `git clone --shared` copies, stages the same
10-line change in both, installs vigil's hooks (`vigil hook install`) in one and a
pre-commit hook running `gitleaks git --staged` in the other, then times
`git hook run pre-commit` in each, interleaved (A, B, A, B, ...), and prints the
medians, the ratio, and peak memory. The target: vigil's median at most 50 ms,
git's own start of the hook included.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ab import peak_rss  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def sh(*args, cwd=None, env=None, check=True):
    return subprocess.run(args, cwd=cwd, env=env, check=check, capture_output=True, text=True)


def stage_change(clone):
    """Ten new lines in the middle of an ordinary tracked source file, staged."""
    listing = sh("git", "ls-tree", "-r", "-l", "HEAD", cwd=clone).stdout.splitlines()
    exts = (".rs", ".go", ".py", ".js", ".c", ".h", ".toml", ".md", ".json", ".yml")
    cands = []
    for line in listing:
        meta, path = line.split("\t", 1)
        mode, kind, _, size = meta.split()
        if mode == "100644" and kind == "blob" and path.endswith(exts) and 2000 <= int(size) <= 65536:
            cands.append(path)
    if not cands:
        sys.exit(f"{clone}: no tracked source file of 2-64 kB to change")
    path = sorted(cands)[len(cands) // 2]
    data = (Path(clone) / path).read_bytes().splitlines(keepends=True)
    mid = len(data) // 2
    new = [b"fn bench_hook_change(values: &[u64]) -> u64 {\n"]
    new += [b"    let s%d = values.iter().fold(%d, |a, v| a ^ v);\n" % (i, i) for i in range(1, 8)]
    new += [b"    s7 ^ s1\n", b"}\n"]
    data[mid:mid] = new
    (Path(clone) / path).write_bytes(b"".join(data))
    sh("git", "add", "--", path, cwd=clone)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo", nargs="?", default=str(BENCH / ".work/history-repo"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "20")))
    ap.add_argument("--vigil", default=str(ROOT / "target/release/vigil"))
    ap.add_argument("--gitleaks", default=str(BENCH / ".peers/gitleaks"))
    a = ap.parse_args()
    repo = Path(a.repo)
    if not (repo / ".git").exists():
        sys.exit(f"{repo}: no repository (make one with bench/gen-history.py {repo})")
    vigil = Path(a.vigil).resolve()
    if not vigil.exists():
        sys.exit(f"{vigil}: no vigil binary (cargo build --release)")
    gitleaks = Path(a.gitleaks)
    if not gitleaks.exists():
        sh(str(ROOT / "scripts/install-peers.sh"), str(BENCH / ".peers"), "gitleaks")
    commits = sh("git", "rev-list", "--count", "--all", cwd=repo).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="vigil-hook-bench-"))
    try:
        bin_dir = work / "bin"
        bin_dir.mkdir()
        (bin_dir / "vigil").symlink_to(vigil)
        env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", GIT_CONFIG_GLOBAL=str(work / "gitconfig"))
        clones = {}
        for name in ("vigil", "gitleaks"):
            clone = work / name
            sh("git", "clone", "--shared", "--quiet", str(repo), str(clone))
            changed = stage_change(clone)
            clones[name] = clone
        sh(str(vigil), "hook", "install", "--hook", "pre-commit", cwd=clones["vigil"], env=env)
        hook = clones["gitleaks"] / ".git/hooks/pre-commit"
        hook.write_text(
            f"#!/bin/sh\nexec '{gitleaks.resolve()}' git --staged --no-banner --no-color "
            f"--report-format json --report-path '{work}/gitleaks.json' .\n"
        )
        hook.chmod(0o755)
        argv = ["git", "hook", "run", "pre-commit"]
        for name, clone in clones.items():
            p = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"{name}'s hook failed on a clean change (exit {p.returncode}):\n{p.stderr[-2000:]}")
        times = {name: [] for name in clones}
        for _ in range(3):
            for name, clone in clones.items():
                subprocess.run(argv, cwd=clone, env=env, capture_output=True)
        for _ in range(a.runs):
            for name, clone in clones.items():
                start = time.perf_counter()
                subprocess.run(argv, cwd=clone, env=env, capture_output=True)
                times[name].append(time.perf_counter() - start)
        mv, mg = statistics.median(times["vigil"]), statistics.median(times["gitleaks"])
        print(f"repository: {repo} ({commits} commits); staged: +10 lines in {changed}")
        print(f"`git hook run pre-commit`, {a.runs} interleaved runs each, {os.cpu_count()} cores")
        print(f"{'hook':<10} {'median':>9} {'min':>9} {'max':>9} {'peak':>9}")
        for name in clones:
            t = times[name]
            rss = peak_rss(argv, clones[name], env)
            print(f"{name:<10} {statistics.median(t) * 1000:>7.1f}ms {min(t) * 1000:>7.1f}ms "
                  f"{max(t) * 1000:>7.1f}ms {rss:>7.1f}Mi")
        print(f"gitleaks / vigil: {mg / mv:.1f}x; vigil's target: median <= 50 ms "
              f"({'met' if mv <= 0.050 else 'NOT met'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
