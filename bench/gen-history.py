#!/usr/bin/env python3
"""Generate a realistic git history for the history benchmark (bench/history.sh).

    bench/gen-history.py OUT [--commits N] [--seed S] [--initial-files N] [--secrets N]
                            [--pool DIR] [--force]

Writes a new (non-bare, checked-out) repository to OUT through `git fast-import`:

- ~N commits (default 12,000) by 40 authors with fixed names and e-mails and
  increasing, fixed dates (2017 onwards), some authors far busier than others;
- a tree of a few thousand files in several languages (.rs, .toml, .md, .json, .yml,
  .c/.h, .py, .js), whose contents are real source files: the crate sources cargo
  downloaded (--pool, default $CARGO_HOME/registry/src), laid out as `crates/NAME/...`;
- each commit changes 1-10 files: edits a few lines in place, inserts or appends lines
  (taken from other real files of the same language), deletes lines; some commits add
  files, some delete files, some move a file to another directory (sometimes editing it);
  a few files are edited far more often than others, as in real projects;
- feature branches, each working on one crate, merged back into `main` about every 50
  commits with real merge commits (two parents, clean merges), now and then `main`
  merged into a feature branch; a few merged branches and the unmerged ones keep their
  refs; annotated release tags about every 1,000 commits;
- a few dozen fake secrets added over time (GitHub classic tokens with a valid CRC32
  checksum, AWS access key ids beside `aws_secret_access_key = ...`), some of them
  removed again by later commits.

Everything is drawn from one random generator seeded with --seed, so the same seed and
the same pool give the same repository (commit ids included); the pool changes whenever
cargo downloads more crates, so compare runs on the same generated repository.

Streams: blobs and commits go to `git fast-import` as they are generated, 64 MB of blobs
at a time grouped by file (fast-import deltas a blob only against the one written just
before it), then `git repack -a -d -f` lays the pack out as git would for a clone (its
own delta choice, depth <= 50, its object order). Memory holds the pool (~100 MB), the
trees of the live branches with the contents they hold, and a 20-byte hash per blob
ever made: about 250 MB at 12,000 commits, growing slowly with the history.

Prints the repository's commit count, object count and total blob bytes, and writes
what it generated (parameters, secrets and where they went) to OUT/.git/vigil-gen-history.json.
"""
import argparse
import array
import glob
import hashlib
import itertools
import json
import operator
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zlib
import random

EXTS = {".rs", ".toml", ".md", ".c", ".h", ".py", ".js", ".json", ".yml"}
MAX_POOL_FILE = 256 * 1024  # larger files are left out: they would dominate the history
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
FLUSH_BYTES = 64 << 20  # blob bytes held back to be written grouped by file (see flush)
START_TIME = 1483261200  # 2017-01-01 09:00 UTC

AUTHORS = [
    ("Alice Moreau", "alice.moreau@example.com", "+0100"),
    ("Bob Lindqvist", "bob@lindqvist.example.org", "+0100"),
    ("Chen Wei", "chen.wei@example.com", "+0800"),
    ("Daniela Ortiz", "dortiz@example.net", "-0500"),
    ("Emeka Okafor", "emeka.okafor@example.com", "+0100"),
    ("Fatima Zahra Benali", "fz.benali@example.org", "+0100"),
    ("Gustav Nilsson", "gustav.nilsson@example.se", "+0100"),
    ("Hiroshi Tanaka", "h.tanaka@example.jp", "+0900"),
    ("Ingrid Haugen", "ingrid@haugen.example.no", "+0100"),
    ("Jamal Wright", "jamal.wright@example.com", "-0800"),
    ("Katarzyna Nowak", "k.nowak@example.pl", "+0100"),
    ("Liam O'Brien", "liam.obrien@example.ie", "+0000"),
    ("Mariana Costa", "mariana.costa@example.com.br", "-0300"),
    ("Nikhil Rao", "nikhil.rao@example.in", "+0530"),
    ("Olga Petrova", "olga.petrova@example.com", "+0300"),
    ("Pedro Alves", "palves@example.pt", "+0000"),
    ("Quentin Lefebvre", "quentin.lefebvre@example.fr", "+0100"),
    ("Rosa Martinez", "rosa.martinez@example.es", "+0100"),
    ("Sven Bauer", "sven.bauer@example.de", "+0100"),
    ("Tomoko Sato", "tomoko.sato@example.jp", "+0900"),
    ("Umar Farooq", "umar.farooq@example.pk", "+0500"),
    ("Valentina Rossi", "v.rossi@example.it", "+0100"),
    ("Wojciech Zielinski", "wojtek@example.pl", "+0100"),
    ("Xiadani Flores", "xflores@example.mx", "-0600"),
    ("Yusuf Demir", "yusuf.demir@example.com.tr", "+0300"),
    ("Zoe Campbell", "zoe.campbell@example.co.uk", "+0000"),
    ("Arjun Mehta", "1874211+arjunm@users.noreply.github.com", "+0530"),
    ("Beatriz Santos", "bea.santos@example.com", "-0300"),
    ("Connor Walsh", "connor@walsh.example.com", "-0500"),
    ("Dmitri Volkov", "dvolkov@example.com", "+0300"),
    ("Elif Yilmaz", "elif.yilmaz@example.com", "+0300"),
    ("Felix Wagner", "felix.wagner@example.at", "+0100"),
    ("Grace Kim", "grace.kim@example.kr", "+0900"),
    ("Hannah Schmidt", "52093114+hschmidt@users.noreply.github.com", "+0100"),
    ("Ivan Horvat", "ivan.horvat@example.hr", "+0100"),
    ("Julia Fischer", "julia.fischer@example.de", "+0100"),
    ("Kwame Mensah", "kwame.mensah@example.com.gh", "+0000"),
    ("Lucia Romero", "lucia.romero@example.ar", "-0300"),
    ("Mohammed Al-Sayed", "m.alsayed@example.com", "+0400"),
    ("Nora Jensen", "nora.jensen@example.dk", "+0100"),
]
MAINTAINERS = [0, 1, 2, 3]  # they merge the pull requests

THINGS = ["error handling", "overflow", "parsing", "allocation", "lifetimes", "timeouts",
          "escaping", "UTF-8 handling", "bounds checks", "configuration", "logging",
          "buffering", "alignment", "panics", "iteration", "formatting", "caching",
          "retries", "locking", "path handling", "feature flags", "docs", "tests",
          "benchmarks", "CI", "naming", "visibility", "unsafe blocks", "deprecations"]
VERBS_FIX = ["Fix", "Improve", "Simplify", "Tidy up", "Rework", "Clean up", "Harden",
             "Speed up", "Refactor", "Correct", "Handle edge cases in"]
WORDS = ["cache", "parser", "io", "retry", "config", "metrics", "perf", "docs", "ci",
         "refactor", "api", "errors", "unicode", "simd", "alloc", "async", "cleanup"]


# ---------------------------------------------------------------------------------------
# The pool of real files

class PoolFile:
    __slots__ = ("crate", "dir", "rel", "ext", "data")

    def __init__(self, crate, dir, rel, ext, data):
        self.crate, self.dir, self.rel, self.ext, self.data = crate, dir, rel, ext, data


def load_pool(root):
    """All files of the wanted languages under ROOT/*/CRATE-VERSION/, in a fixed order."""
    files = []
    ok_path = re.compile(r"^[A-Za-z0-9_./+-]+$")
    for reg in sorted(glob.glob(os.path.join(root, "*"))):
        if not os.path.isdir(reg):
            continue
        for crate_dir in sorted(os.listdir(reg)):
            m = re.match(r"^(.+?)-(\d+\.\d+\.\d+.*)$", crate_dir)
            crate = m.group(1) if m else crate_dir
            base = os.path.join(reg, crate_dir)
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames.sort()
                for fn in sorted(filenames):
                    ext = os.path.splitext(fn)[1]
                    if ext not in EXTS:
                        continue
                    full = os.path.join(dirpath, fn)
                    rel = os.path.relpath(full, base).replace(os.sep, "/")
                    if not ok_path.match(rel) or os.path.islink(full):
                        continue
                    try:
                        size = os.path.getsize(full)
                        if size == 0 or size > MAX_POOL_FILE:
                            continue
                        with open(full, "rb") as f:
                            data = f.read()
                    except OSError:
                        continue
                    if b"\0" in data:
                        continue
                    files.append(PoolFile(crate, crate_dir, rel, ext, data))
    return files


# ---------------------------------------------------------------------------------------
# Fake secrets

def github_token(rng):
    body = "".join(rng.choice(BASE62) for _ in range(30))
    n = zlib.crc32(body.encode())
    sum6 = ""
    for _ in range(6):
        sum6 = BASE62[n % 62] + sum6
        n //= 62
    return "ghp_" + body + sum6


def aws_pair(rng):
    key_id = "AKIA" + "".join(rng.choice(B32) for _ in range(16))
    secret = "".join(rng.choice(B64) for _ in range(40))
    return key_id, secret


def secret_lines(kind, values, ext):
    """The lines a developer would paste, in the file's language."""
    if kind == "github":
        (tok,) = values
        return {
            ".rs": [f'const GITHUB_TOKEN: &str = "{tok}";\n'],
            ".toml": [f'github_token = "{tok}"\n'],
            ".yml": [f"  GITHUB_TOKEN: {tok}\n"],
            ".json": [f'  "github_token": "{tok}",\n'],
            ".md": [f"export GITHUB_TOKEN={tok}\n"],
            ".py": [f'GITHUB_TOKEN = "{tok}"\n'],
            ".js": [f'const githubToken = "{tok}";\n'],
            ".c": [f'static const char *github_token = "{tok}";\n'],
            ".h": [f'#define GITHUB_TOKEN "{tok}"\n'],
            ".env": [f"GITHUB_TOKEN={tok}\n"],
        }.get(ext, [f"GITHUB_TOKEN={tok}\n"])
    key_id, secret = values
    block = [f"aws_access_key_id = {key_id}\n", f"aws_secret_access_key = {secret}\n"]
    prefix = {".rs": "// ", ".c": "// ", ".h": "// ", ".js": "// ", ".py": "# ", ".toml": "# ",
              ".yml": "# "}.get(ext, "")
    if ext in (".ini", ".env", ""):
        block = ["[default]\n"] + block
    return [prefix + line for line in block]


NEW_SECRET_FILES = [
    ("deploy/credentials", ""), (".env", ".env"), ("scripts/release.py", ".py"),
    ("config/ci.toml", ".toml"), (".github/workflows/publish.yml", ".yml"),
    ("deploy/settings.json", ".json"), ("docs/deploying.md", ".md"), ("tools/upload.js", ".js"),
]


# ---------------------------------------------------------------------------------------
# The generator

class Branch:
    def __init__(self, name, state, tip, owned=None, author=None):
        self.name = name
        self.state = state        # path -> blob index
        self.tip = tip            # commit mark (None before the first commit)
        self.owned = owned        # crate prefix a feature branch works on ("crates/x/")
        self.author = author
        self.commits = 0


class Generator:
    def __init__(self, args, pool):
        self.args = args
        self.rng = random.Random(args.seed)
        self.pool = pool
        self.by_ext = {}
        for f in pool:
            self.by_ext.setdefault(f.ext, []).append(f)
        # Blobs and commits go to `git fast-import` as they are made (self.out); only the
        # contents some branch still holds stay in memory (self.content, pruned by gc()).
        self.out = None           # write(bytes) of fast-import's stdin, set by run()'s caller
        self.content = {}         # blob index -> bytes, for the blobs a live branch holds
        self.lineage = array.array("q")  # blob index -> file lineage id (for edit sizes)
        self.blob_ids = {}        # SHA-1 of the contents -> blob index (identical contents share one)
        self.n_blobs = 0
        self.blob_bytes = 0
        self.pending = []         # (lineage, index, bytes): the blobs not written yet
        self.pending_bytes = 0
        self.pending_out = []     # the commits not written yet (they come after their blobs)
        self.hot = {}             # path -> edit weight
        self.orig_size = {}       # lineage -> size when created
        self.next_lineage = 0
        self.tags = []
        self.time = START_TIME
        self.n_commits = 0
        self.merged = []          # names of merged feature branches, oldest first
        self.secrets = []
        self.pr_number = 100
        w = [1.0 / (i + 1) ** 0.9 for i in range(len(AUTHORS))]
        self.rng.shuffle(w)
        self.author_weights = w

    # -- blobs -------------------------------------------------------------------------
    def blob(self, data, lineage):
        key = hashlib.sha1(data).digest()
        idx = self.blob_ids.get(key)
        if idx is not None:
            self.content[idx] = data  # gc() may have dropped it: whoever holds it now reads it
            return idx
        idx = self.n_blobs
        self.n_blobs += 1
        self.blob_bytes += len(data)
        self.content[idx] = data
        self.lineage.append(lineage)
        self.blob_ids[key] = idx
        self.pending.append((lineage, idx, data))
        self.pending_bytes += len(data)
        return idx

    def flush(self):
        """Writes the pending blobs grouped by file lineage, oldest version first (fast-import
        deltas a blob only against the blob written just before it), then their commits."""
        self.pending.sort(key=lambda b: (b[0], b[1]))
        for _, idx, data in self.pending:
            self.out(b"blob\nmark :%d\ndata %d\n" % (2 * idx + 1, len(data)))
            self.out(data)
            self.out(b"\n")
        self.out(b"".join(self.pending_out))
        self.pending, self.pending_bytes, self.pending_out = [], 0, []

    def gc(self):
        """Forgets the contents no branch holds any more (they are in fast-import already)."""
        live = set(self.main.state.values())
        for br in self.active:
            live.update(br.state.values())
        self.content = {i: d for i, d in self.content.items() if i in live}

    def new_lineage(self, size):
        self.next_lineage += 1
        self.orig_size[self.next_lineage] = max(size, 512)
        return self.next_lineage

    # -- content edits -------------------------------------------------------------------
    def donor_lines(self, ext, n):
        """n consecutive lines from a random real file of the same language."""
        rng = self.rng
        cands = self.by_ext.get(ext) or self.by_ext.get(".rs") or self.pool
        for _ in range(4):
            data = rng.choice(cands).data
            if len(data) < 64:
                continue
            start = data.find(b"\n", rng.randrange(len(data))) + 1
            if start <= 0 or start >= len(data):
                continue
            out, pos = [], start
            while len(out) < n and pos < len(data):
                end = data.find(b"\n", pos)
                end = len(data) if end < 0 else end + 1
                out.append(data[pos:end])
                pos = end
            if out:
                if not out[-1].endswith(b"\n"):
                    out[-1] += b"\n"
                return out
        return [b"\n"] * n

    def edit(self, data, ext, lineage):
        rng = self.rng
        lines = data.splitlines(keepends=True)
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"
        grown = len(data) > 1.5 * self.orig_size.get(lineage, 4096) + 2048
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            n = len(lines)
            op = rng.choices(("replace", "insert", "append", "delete", "tweak"),
                             (4, 3, 1, 6, 3) if grown else (4, 3, 2, 2, 3))[0]
            if n < 4 and op in ("replace", "delete", "tweak"):
                op = "append"
            at = rng.randrange(n + 1) if n else 0
            if op == "replace":
                k = rng.randint(1, min(6, n - at)) if at < n else 0
                lines[at:at + k] = self.donor_lines(ext, rng.randint(1, 6))
            elif op == "insert":
                lines[at:at] = self.donor_lines(ext, rng.randint(1, 20))
            elif op == "append":
                lines.extend(self.donor_lines(ext, rng.randint(3, 40)))
            elif op == "delete":
                k = rng.randint(1, 12 if not grown else 40)
                del lines[at:at + k]
            else:  # tweak: change a number or a word on a few lines, as small fixes do
                for _ in range(rng.randint(1, 3)):
                    i = rng.randrange(n)
                    line = lines[i]
                    m = re.search(rb"\d+", line)
                    if m and rng.random() < 0.5:
                        line = line[:m.start()] + str(rng.randint(0, 4096)).encode() + line[m.end():]
                    else:
                        words = re.findall(rb"[A-Za-z_]{4,}", line)
                        if words:
                            w = rng.choice(words)
                            line = line.replace(w, w + rng.choice((b"_v2", b"s", b"_inner", b"Ext", b"2")), 1)
                        else:
                            line = line.rstrip(b"\n") + b" // TODO\n" if ext in (".rs", ".c", ".h", ".js") else line + b"\n"
                    lines[i] = line
        return b"".join(lines)

    # -- people and time -------------------------------------------------------------------
    def pick_author(self):
        return self.rng.choices(range(len(AUTHORS)), self.author_weights)[0]

    def tick(self):
        # Mostly hours apart, sometimes a burst, sometimes a quiet week.
        r = self.rng.random()
        if r < 0.25:
            self.time += self.rng.randint(60, 900)
        elif r < 0.97:
            self.time += self.rng.randint(900, 5 * 3600)
        else:
            self.time += self.rng.randint(86400, 6 * 86400)
        return self.time

    # -- scope -------------------------------------------------------------------------------
    def in_scope(self, br, path):
        if br.owned is not None:
            return path.startswith(br.owned)
        return not any(path.startswith(b.owned) for b in self.active)

    def scope_paths(self, br):
        # filter() with methodcaller: the same lists as comprehensions, ~2x faster (this
        # runs on every commit over the whole tree: it dominates at 200,000 commits)
        if br.owned is not None:
            return list(filter(operator.methodcaller("startswith", br.owned), br.state))
        owned = tuple(b.owned for b in self.active)
        return list(itertools.filterfalse(operator.methodcaller("startswith", owned), br.state)) \
            if owned else list(br.state)

    # -- commits -----------------------------------------------------------------------------
    def commit(self, br, author, message, changes, merge=None, committer=None):
        """changes: list of ('M', path, blob) / ('D', path); applies them to br.state."""
        for ch in changes:
            if ch[0] == "M":
                br.state[ch[1]] = ch[2]
            else:
                br.state.pop(ch[1], None)
        mark = 2 * self.n_commits + 2  # blobs take the odd marks
        t = self.tick()
        w = self.pending_out.append
        msg = message.encode() + b"\n"
        w(b"commit refs/heads/%s\nmark :%d\n" % (br.name.encode(), mark))
        w(b"author " + person(author, t) + b"\n")
        w(b"committer " + person(author if committer is None else committer, t) + b"\n")
        w(b"data %d\n" % len(msg) + msg)
        if br.tip is not None:
            w(b"from :%d\n" % br.tip)
        if merge is not None:
            w(b"merge :%d\n" % merge)
        for ch in changes:
            if ch[0] == "M":
                w(b"M 100644 :%d %s\n" % (2 * ch[2] + 1, ch[1].encode()))
            else:
                w(b"D %s\n" % ch[1].encode())
        w(b"\n")
        br.tip = mark
        br.commits += 1
        self.n_commits += 1
        if self.pending_bytes >= FLUSH_BYTES:
            self.flush()
        return mark

    def hotness(self, size):
        """How often a file gets edited: a few files very often (Pareto), bigger files
        (the central modules) more often than small ones."""
        return min(self.rng.paretovariate(1.3), 20.0) * min(max((size / 4096) ** 0.25, 0.5), 2.5)

    def files_per_commit(self):
        return self.rng.choices(range(1, 11), (32, 20, 13, 9, 7, 6, 5, 4, 2, 2))[0]

    def pick_hot(self, paths, k):
        rng = self.rng
        weights = list(map(self.hot.get, paths, itertools.repeat(1.0)))
        chosen = []
        for p in rng.choices(paths, weights, k=k * 2):
            if p not in chosen:
                chosen.append(p)
                if len(chosen) == k:
                    break
        return chosen

    def modify(self, br, path):
        data = self.content[br.state[path]]
        lin = self.lineage[br.state[path]]
        new = self.edit(data, os.path.splitext(path)[1], lin)
        return ("M", path, self.blob(new, lin))

    def dirs_of(self, paths):
        seen = {}
        for p in paths:
            d = p.rsplit("/", 1)[0] if "/" in p else ""
            seen[d] = seen.get(d, 0) + 1
        return list(seen)

    def free_path(self, state, d, name):
        stem, ext = os.path.splitext(name)
        cand = f"{d}/{name}" if d else name
        n = 2
        while cand in state:
            cand = f"{d}/{stem}_{n}{ext}" if d else f"{stem}_{n}{ext}"
            n += 1
        return cand

    def normal_commit(self, br, author, idx):
        rng = self.rng
        paths = self.scope_paths(br)
        k = self.files_per_commit()
        changes, msg = [], None
        touched = set()
        r = rng.random()
        if self.secret_at and self.secret_at[0] <= idx:
            self.secret_at.pop(0)
            changes, msg = self.add_secret(br, paths)
            touched.update(c[1] for c in changes)
            k = rng.choice((1, 1, 2))
        elif r < 0.07 or len(paths) < 3:  # add a file
            src = self.unused.pop() if self.unused else rng.choice(self.pool)
            dirs = self.dirs_of(paths) or [br.owned.rstrip("/") if br.owned else "crates/misc/src"]
            d = rng.choice(dirs)
            path = self.free_path(br.state, d, src.rel.rsplit("/", 1)[-1])
            lin = self.new_lineage(len(src.data))
            self.hot[path] = self.hotness(len(src.data))
            changes.append(("M", path, self.blob(src.data, lin)))
            touched.add(path)
            msg = rng.choice(("Add {f}", "Add {f} ({d})", "Introduce {s}", "New module: {s}")).format(
                f=path.rsplit("/", 1)[-1], d=d, s=os.path.splitext(path.rsplit("/", 1)[-1])[0])
        elif r < 0.095 and len(paths) > 10:  # delete a file
            path = rng.choice(paths)
            changes.append(("D", path))
            touched.add(path)
            msg = rng.choice(("Remove unused {f}", "Drop {f}", "Delete dead code in {f}")).format(
                f=path.rsplit("/", 1)[-1])
        elif r < 0.125 and len(paths) > 3:  # move a file to another directory
            path = rng.choice(paths)
            here = path.rsplit("/", 1)[0] if "/" in path else ""
            dirs = [d for d in self.dirs_of(paths) if d != here]
            if not dirs or rng.random() < 0.3:
                dirs = [f"{here}/{rng.choice(('util', 'internal', 'imp', 'common', 'legacy'))}"]
            d = rng.choice(dirs)
            new_path = self.free_path(br.state, d, path.rsplit("/", 1)[-1])
            blob = br.state[path]
            if rng.random() < 0.4:  # moved and edited
                lin = self.lineage[blob]
                blob = self.blob(self.edit(self.content[blob], os.path.splitext(path)[1], lin), lin)
            changes += [("D", path), ("M", new_path, blob)]
            self.hot[new_path] = self.hot.pop(path, 1.0)
            touched.update((path, new_path))
            msg = rng.choice(("Move {f} to {d}", "Reorganize: {f} -> {d}/", "Relocate {f}")).format(
                f=path.rsplit("/", 1)[-1], d=d)
            k = max(1, k - 1)
        # the edits that make up (the rest of) the commit
        rest = [p for p in self.pick_hot(paths, k) if p not in touched]
        for p in rest[:max(0, k - len(changes))] if changes else rest[:k]:
            changes.append(self.modify(br, p))
        if not changes:
            return None
        if msg is None:
            f = changes[0][1]
            base = os.path.splitext(f.rsplit("/", 1)[-1])[0]
            crate = f.split("/")[1] if f.startswith("crates/") else "core"
            msg = rng.choice((
                "{v} {t} in {b}", "{c}: {v} {t}", "{v} {b}", "Update {b}", "{c}: {t} in {b}",
                "docs({c}): clarify {b}", "fix({c}): {t}", "{v} {t}",
            )).format(v=rng.choice(VERBS_FIX), t=rng.choice(THINGS), b=base, c=crate)
            if msg.startswith("Handle edge cases in") and " in " in msg[20:]:
                msg = msg.replace(" in ", " for ", 1)
        if rng.random() < 0.35:
            msg += "\n\n" + rng.choice((
                "The previous behaviour was surprising when the input was empty.",
                "No functional change intended.",
                "This keeps the hot path free of allocations.",
                "Follow-up to the review comments.",
                "Needed for the next release.",
                "Found while profiling the benchmarks.",
            ))
        return self.commit(br, author, msg, changes)

    def add_secret(self, br, paths):
        rng = self.rng
        kind = "github" if rng.random() < 0.5 else "aws"
        values = (github_token(rng),) if kind == "github" else aws_pair(rng)
        candidates = [p for p in paths if os.path.splitext(p)[1] in EXTS]
        if candidates and rng.random() < 0.6:  # into an existing file
            path = rng.choice(candidates)
            ext = os.path.splitext(path)[1]
            blob = br.state[path]
            lines = self.content[blob].splitlines(keepends=True)
            at = rng.randrange(1, len(lines) + 1) if lines else 0
            if lines and not lines[-1].endswith(b"\n"):
                lines[-1] += b"\n"
            lines[at:at] = [l.encode() for l in secret_lines(kind, values, ext)]
            lin = self.lineage[blob]
            new = self.blob(b"".join(lines), lin)
            where = "existing"
        else:  # a new file
            rel, ext = rng.choice(NEW_SECRET_FILES)
            base = br.owned.rstrip("/") if br.owned else rng.choice(
                sorted({"/".join(p.split("/")[:2]) for p in paths if p.startswith("crates/")}) or ["crates/misc"])
            path = self.free_path(br.state, base + "/" + rel.rsplit("/", 1)[0], rel.rsplit("/", 1)[-1]) \
                if "/" in rel else self.free_path(br.state, base, rel)
            body = "".join(secret_lines(kind, values, ext))
            if ext == ".py":
                body = "import os\n\n" + body + "\n\ndef main():\n    print('uploading release')\n"
            elif ext == ".json":
                body = "{\n" + body + '  "region": "eu-west-1"\n}\n'
            elif ext == ".yml":
                body = "name: publish\non: [push]\nenv:\n" + body
            new = self.blob(body.encode(), self.new_lineage(len(body)))
            where = "new file"
        self.secrets.append({"kind": kind, "values": list(values), "path": path, "branch": br.name,
                             "file": where, "commit_index": self.n_commits, "removed": False})
        if rng.random() < 0.4:
            self.removals.append((self.n_commits + rng.randint(3, 400), len(self.secrets) - 1))
        msg = rng.choice(("Add deploy configuration", "Wire up CI publishing",
                          "WIP: hardcode credentials for testing", "Configure release upload",
                          "Add example configuration", "Quick fix for the staging deploy"))
        return [("M", path, new)], msg

    def remove_secret(self, br, si):
        """Removes secret si from main if it is there (and in main's scope)."""
        s = self.secrets[si]
        needles = [v.encode() for v in s["values"]]
        for path in self.scope_paths(br):
            data = self.content[br.state[path]]
            if needles[0] not in data:
                continue
            lines = [l for l in data.splitlines(keepends=True) if not any(n in l for n in needles)]
            rest = b"".join(lines).strip()
            if s["file"] == "new file" and len(rest) < 120:
                change = ("D", path)
            else:
                lin = self.lineage[br.state[path]]
                change = ("M", path, self.blob(b"".join(lines), lin))
            s["removed"] = True
            msg = self.rng.choice(("Remove hardcoded credentials", "Revert accidental credentials commit",
                                   "Don't commit secrets; read them from the environment",
                                   "Remove leaked token (rotated)"))
            return self.commit(br, self.pick_author(), msg, [change])
        return None

    def merge(self, br):
        """Merges feature branch br into main: a real two-parent merge commit."""
        main = self.main
        merged = {p: b for p, b in main.state.items() if not p.startswith(br.owned)}
        merged.update({p: b for p, b in br.state.items() if p.startswith(br.owned)})
        changes = [("M", p, b) for p, b in merged.items() if main.state.get(p) != b]
        changes += [("D", p) for p in main.state if p not in merged]
        self.pr_number += self.rng.randint(1, 4)
        handle = AUTHORS[br.author][1].split("@")[0].split("+")[-1].replace(".", "")
        if self.rng.random() < 0.75:
            msg = f"Merge pull request #{self.pr_number} from {handle}/{br.name.split('/', 1)[1]}\n\n{br.title}"
        else:
            msg = f"Merge branch '{br.name.split('/', 1)[1]}'"
        self.commit(main, self.rng.choice(MAINTAINERS), msg, changes, merge=br.tip)
        self.merged.append(br.name)

    def sync(self, br):
        """Merges main into feature branch br (keeps the branch's own crate)."""
        main = self.main
        merged = {p: b for p, b in main.state.items() if not p.startswith(br.owned)}
        merged.update({p: b for p, b in br.state.items() if p.startswith(br.owned)})
        changes = [("M", p, b) for p, b in merged.items() if br.state.get(p) != b]
        changes += [("D", p) for p in br.state if p not in merged]
        self.commit(br, br.author, "Merge branch 'main' into " + br.name.split("/", 1)[1], changes,
                    merge=main.tip)

    def new_branch(self):
        rng = self.rng
        owned_now = {b.owned for b in self.active}
        crates = sorted({"/".join(p.split("/")[:2]) + "/" for p in self.main.state if p.startswith("crates/")})
        crates = [c for c in crates if c not in owned_now]
        if not crates:
            return
        # busy crates get more branches
        sizes = {}
        for p in self.main.state:
            if p.startswith("crates/"):
                c = "/".join(p.split("/")[:2]) + "/"
                sizes[c] = sizes.get(c, 0) + 1
        crate = rng.choices(crates, [sizes[c] ** 0.5 for c in crates])[0]
        name = crate.split("/")[1]
        kind = rng.choice(("feature", "feature", "fix", "refactor", "perf"))
        self.branch_seq += 1
        bname = f"{kind}/{name}-{rng.choice(WORDS)}-{self.branch_seq}"
        br = Branch(bname, dict(self.main.state), self.main.tip, owned=crate, author=self.pick_author())
        br.title = f"{kind.capitalize()}: {rng.choice(THINGS)} in {name}"
        self.active.append(br)

    def run(self):
        rng, args = self.rng, self.args
        # The initial tree: whole crates (one version of each name) until --initial-files;
        # the other files (other crates, other versions) are the content of added files.
        crates = {}
        for f in self.pool:
            crates.setdefault(f.crate, []).append(f)
        names = sorted(crates)
        rng.shuffle(names)
        initial, used = {}, set()
        for name in names:
            if len(initial) >= args.initial_files:
                break
            first_dir = crates[name][0].dir
            for f in crates[name]:
                if f.dir != first_dir:
                    continue
                path = f"crates/{name}/{f.rel}"
                lin = self.new_lineage(len(f.data))
                initial[path] = self.blob(f.data, lin)
                self.hot[path] = self.hotness(len(f.data))
                used.add(id(f))
        self.unused = [f for f in self.pool if id(f) not in used]
        rng.shuffle(self.unused)

        self.main = Branch("main", {}, None)
        self.active = []
        self.branch_seq = 0
        self.removals = []
        n = args.commits
        n_secrets = args.secrets if args.secrets is not None else max(2, round(n * 3 / 1000))
        self.secret_at = sorted(rng.sample(range(5, max(6, n - 5)), min(n_secrets, max(1, n - 10))))
        self.commit(self.main, 0, "Initial import", [("M", p, b) for p, b in sorted(initial.items())])

        next_merge = rng.randint(35, 65)
        since_merge = 0
        next_tag = args.tag_every
        tag_no = 0
        t0 = time.time()
        while self.n_commits < n:
            while len(self.active) < self.want_active():
                self.new_branch()
            idx = self.n_commits
            # due secret removals happen on main
            due = [r for r in self.removals if r[0] <= idx]
            if due:
                when, si = due[0]
                if self.remove_secret(self.main, si) is not None:
                    self.removals.remove(due[0])
                    continue
                self.removals.remove(due[0])
                self.removals.append((idx + rng.randint(20, 120), si))  # not on main yet: later
            if since_merge >= next_merge:
                ready = [b for b in self.active if b.commits > 0]
                if ready:
                    self.active.remove(ready[0])
                    self.merge(ready[0])
                    since_merge, next_merge = 0, rng.randint(35, 65)
                    continue
            if self.active and rng.random() < 0.005:
                br = rng.choice(self.active)
                if br.commits > 0:
                    self.sync(br)
                    continue
            if self.active and rng.random() < 0.55:
                br = rng.choice(self.active)
                author = br.author if rng.random() < 0.8 else self.pick_author()
            else:
                br, author = self.main, self.pick_author()
            if self.normal_commit(br, author, idx) is not None:
                since_merge += 1
            if self.n_commits >= next_tag:
                tag_no += 1
                self.tags.append((f"v0.{tag_no}.0", self.main.tip, self.time + 60, rng.choice(MAINTAINERS)))
                next_tag += args.tag_every
            if self.n_commits % 500 == 0:
                self.gc()
            if self.n_commits % 10000 == 0:
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"  {self.n_commits} commits, {self.n_blobs} blobs, {self.blob_bytes / 1e6:.0f} MB, "
                      f"{time.time() - t0:.0f} s (peak RSS {rss:.0f} MB)", file=sys.stderr)

    def want_active(self):
        # one to three feature branches in flight
        if not hasattr(self, "_want") or self.rng.random() < 0.05:
            self._want = self.rng.choice((1, 2, 2, 3))
        return self._want

    # -- output --------------------------------------------------------------------------------
    def finish(self):
        """Writes the rest, the release tags and ends the fast-import stream."""
        self.flush()
        for name, mark, t, who in self.tags:
            msg = f"Release {name[1:]}\n".encode()
            self.out(b"tag %s\nfrom :%d\ntagger %s\ndata %d\n%s\n" % (name.encode(), mark, person(who, t), len(msg), msg))
        self.out(b"done\n")


def person(i, t):
    name, email, tz = AUTHORS[i]
    return f"{name} <{email}> {t} {tz}".encode()


def git(out, *args, capture=False):
    r = subprocess.run(["git", "-C", out, *args], check=True,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    return r.stdout.decode() if capture else None


def main():
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="where to create the repository (must not exist, or use --force)")
    ap.add_argument("--commits", type=int, default=12000, help="about how many commits (default 12000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--initial-files", type=int, default=2000,
                    help="files in the first commit (default 2000; the tree grows from there)")
    ap.add_argument("--secrets", type=int, default=None, help="fake secrets to add (default 3 per 1000 commits)")
    ap.add_argument("--tag-every", type=int, default=1000, help="an annotated release tag every N commits")
    ap.add_argument("--pool", default=os.path.join(os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo")),
                                                   "registry", "src"),
                    help="where the real files come from (default $CARGO_HOME/registry/src)")
    ap.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = ap.parse_args()
    if args.commits < 20:
        ap.error("--commits must be at least 20")
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        if not args.force:
            sys.exit(f"{out} exists (use --force to replace it)")
        shutil.rmtree(out)

    t0 = time.time()
    pool = load_pool(args.pool)
    if len(pool) < 200:
        sys.exit(f"only {len(pool)} usable files under {args.pool}; run `cargo fetch` first or pass --pool")
    print(f"pool: {len(pool)} files, {sum(len(f.data) for f in pool) / 1e6:.1f} MB from {args.pool}", file=sys.stderr)

    os.makedirs(out)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    # Everything streams to fast-import as it is generated: memory holds the branches'
    # trees and one hash per blob, not the history. fast-import deltas a blob only against
    # the blob written just before it (often another file's), so its pack is large until
    # the repack below.
    proc = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet", "--done", "--depth=50"],
                            stdin=subprocess.PIPE, bufsize=1 << 20)
    gen = Generator(args, pool)
    gen.out = proc.stdin.write
    try:
        gen.run()
        gen.finish()
        proc.stdin.close()
    except BrokenPipeError:
        pass
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    print(f"generated {gen.n_commits} commits, {gen.n_blobs} blobs ({gen.blob_bytes / 1e6:.0f} MB) "
          f"in {time.time() - t0:.0f} s", file=sys.stderr)
    gen.content = gen.blob_ids = None  # free memory before the repack

    # Most merged branches are deleted after merging; keep the last few, and the unmerged ones.
    stale = gen.merged[:-8]
    if stale:
        subprocess.run(["git", "-C", out, "update-ref", "--stdin"], check=True,
                       input="".join(f"delete refs/heads/{b}\n" for b in stale).encode())
    git(out, "pack-refs", "--all")
    # Let git choose the deltas and the object order (`git repack -a -d -f`, as
    # `git gc --aggressive` would): fast-import's chains are deeper (trees up to ~130)
    # and ordered differently from any pack a clone would receive.
    t1 = time.time()
    print("git repack -a -d -f (a pack laid out as git lays it out) ...", file=sys.stderr)
    git(out, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10")
    print(f"  repacked in {time.time() - t1:.0f} s", file=sys.stderr)
    git(out, "reset", "-q", "--hard", "main")

    commits = int(git(out, "rev-list", "--all", "--count", capture=True))
    counts = {}
    sizes = {}
    listing = git(out, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectsize)",
                  capture=True)
    for line in listing.splitlines():
        kind, size = line.split()
        counts[kind] = counts.get(kind, 0) + 1
        sizes[kind] = sizes.get(kind, 0) + int(size)
    pack_bytes = sum(os.path.getsize(p) for p in glob.glob(os.path.join(out, ".git/objects/pack/*.pack")))
    refs = git(out, "for-each-ref", "--format=%(refname)", capture=True).split()
    files_now = len(git(out, "ls-files", capture=True).splitlines())
    merges = int(git(out, "rev-list", "--all", "--merges", "--count", capture=True))
    stats = {
        "commits": commits, "merges": merges, "objects": sum(counts.values()), "objects_by_kind": counts,
        "blob_bytes": sizes.get("blob", 0), "bytes_by_kind": sizes, "pack_bytes": pack_bytes,
        "refs": len(refs), "files_at_head": files_now, "authors": len(AUTHORS),
    }
    manifest = {
        "generator": "bench/gen-history.py",
        "params": {"commits": args.commits, "seed": args.seed, "initial_files": args.initial_files,
                   "pool": args.pool, "pool_files": len(pool)},
        "stats": stats,
        "secrets": gen.secrets,
    }
    with open(os.path.join(out, ".git", "vigil-gen-history.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    n_removed = sum(s["removed"] for s in gen.secrets)
    kinds = {}
    for s in gen.secrets:
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    print(f"repository: {out}")
    print(f"  commits:        {commits} ({merges} merges), {len(refs)} refs, {len(AUTHORS)} authors")
    print(f"  objects:        {stats['objects']} ("
          + ", ".join(f"{counts.get(k, 0)} {k}s" for k in ("commit", "tree", "blob", "tag")) + ")")
    print(f"  blob bytes:     {stats['blob_bytes']} ({stats['blob_bytes'] / 1e6:.1f} MB uncompressed, "
          f"pack {pack_bytes / 1e6:.1f} MB)")
    print(f"  files at HEAD:  {files_now}")
    print(f"  fake secrets:   {len(gen.secrets)} ("
          + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) + f"), {n_removed} removed later")
    print(f"  generated in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
