"""vigil over hostile repositories (built by fixtures/hostile/make_repos.py): a huge blob,
a 50 MiB line, a tree 10,000 deep, a tree of a million entries, a huge message, a merge
of 10,000 parents, names git refuses, symlinks out of the repository, and configuration
that would run a program if honoured.

Every command that reads a repository (scan of the folder, --staged, --range,
--history; verify --all; the pre-commit and pre-push hooks) runs over every case, and
each run must: finish within TIME_LIMIT and MEMORY_LIMIT (peak RSS, from wait4), never
panic (exit 101) or die of a signal, exit 0, 1 or 3, never show a planted token whole
(the token planted outside the repository not even redacted: no symlink is followed
out), never print /etc/passwd, never print a raw control character in a machine
format, and leave the marker folder empty (no configured program ran).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from tests.ci.support import ROOT, need, vigil_bin

# Generous for a debug build on a loaded 2-core machine; the slowest run measured took
# a tenth of it (the report of the commit that added this file has the figures).
TIME_LIMIT = 120.0
# Peak RSS, in KiB. The 200 MiB blob must never be held whole.
MEMORY_LIMIT = 768 * 1024

ZERO = "0" * 40

# VIGIL_HOSTILE_BIG=1: the wide tree's million files in its work tree too, and the
# 50 MiB line scanned whole (a debug build takes minutes over it).
BIG = os.environ.get("VIGIL_HOSTILE_BIG") == "1"


def load_fixtures():
    spec = importlib.util.spec_from_file_location(
        "make_repos", ROOT / "fixtures" / "hostile" / "make_repos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Run:
    def __init__(self, args, code, stdout, stderr, seconds, rss_kib, timed_out):
        self.args, self.code = args, code
        self.stdout, self.stderr = stdout, stderr
        self.seconds, self.rss_kib, self.timed_out = seconds, rss_kib, timed_out

    def json(self):
        return json.loads(self.stdout)

    def text(self):
        return (self.stdout + self.stderr).decode("utf-8", "replace")

    def __str__(self):
        return (f"vigil {' '.join(self.args)}: exit {self.code}, {self.seconds:.1f} s, "
                f"{self.rss_kib // 1024} MiB\nstderr: {self.stderr[-2000:]!r}")


def run(args, cwd, stdin=b""):
    """Runs vigil, measuring its time and peak RSS (wait4), killed past TIME_LIMIT."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:
        inp.write(stdin)
        inp.seek(0)
        start = time.monotonic()
        p = subprocess.Popen([str(vigil_bin()), *args], cwd=cwd, stdin=inp, stdout=out,
                             stderr=err, env=dict(os.environ, NO_COLOR="1"))
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > TIME_LIMIT:
                p.kill()
                timed_out = True
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(args, p.returncode, out.read(), err.read(), seconds, usage.ru_maxrss,
                   timed_out)


# A raw C0 control character but tab and newline (JSON and XML escape them; DEL and C1
# pass through JSON as they are, so machine formats are not held to more).
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f]")


class HostileRepositories(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need("git", "ssh-keygen")
        # On tmpfs where there is one: the fixtures are many files and a deep folder.
        parent = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        cls.tmp = tempfile.mkdtemp(prefix="vigil-hostile-", dir=parent)
        cls.fixtures = load_fixtures()
        start = time.monotonic()
        # In a process of its own: this one stays small, and the peak RSS that wait4
        # reports for vigil counts the memory of the process it was forked from.
        out = os.path.join(cls.tmp, "out")
        subprocess.run([sys.executable, ROOT / "fixtures" / "hostile" / "make_repos.py", out]
                       + (["--big"] if BIG else []), check=True)
        with open(os.path.join(out, "manifest.json")) as f:
            cls.manifest = json.load(f)
        cls.generation_seconds = time.monotonic() - start
        cls.root = Path(cls.manifest["root"])
        cls.tokens = cls.manifest["tokens"]
        cls.signers = cls.manifest["cases"]["signed"]["allowed_signers"]
        cls.runs = []

    @classmethod
    def tearDownClass(cls):
        # `rm -rf`: the deep work tree is deeper than shutil.rmtree recurses.
        subprocess.run(["rm", "-rf", cls.tmp], check=False)
        total = sum(r.seconds for r in cls.runs)
        slowest = max(cls.runs, key=lambda r: r.seconds, default=None)
        largest = max(cls.runs, key=lambda r: r.rss_kib, default=None)
        print(f"\nhostile: fixtures {cls.generation_seconds:.1f} s; {len(cls.runs)} runs "
              f"{total:.1f} s; slowest {slowest.seconds:.1f} s ({' '.join(slowest.args)}); "
              f"largest {largest.rss_kib // 1024} MiB ({' '.join(largest.args)})"
              if slowest else "")

    def repo(self, case):
        return self.root / case / "repo"

    def tip(self, case):
        with open(self.repo(case) / ".git" / "refs" / "heads" / "main") as f:
            return f.read().strip()

    def commands(self, case):
        """Every command that reads the repository, as (args, stdin)."""
        push = f"refs/heads/main {self.tip(case)} refs/heads/main {ZERO}\n".encode()
        return [
            (["scan", ".", "--format", "json"], b""),
            (["scan", "--staged", "--format", "json"], b""),
            (["scan", "--range", "base..main", "--format", "json"], b""),
            (["scan", "--history", "--format", "json"], b""),
            (["scan", "--history", "--format", "sarif"], b""),
            (["verify", "--all", "--tags", "--allowed-signers", self.signers, "--format",
              "json"], b""),
            (["hook", "pre-commit"], b""),
            (["hook", "pre-push", "origin", "https://example.com/x.git"], push),
        ]

    def check(self, case, args, stdin=b"", codes=(0, 1, 3)):
        """Runs one command in `case`'s repository and checks what every run must
        satisfy; returns the run."""
        r = run(args, self.repo(case), stdin)
        self.runs.append(r)
        self.assertFalse(r.timed_out, f"killed after {TIME_LIMIT} s: {r}")
        self.assertLess(r.rss_kib, MEMORY_LIMIT, f"over the memory bound: {r}")
        self.assertNotEqual(r.code, 101, f"panicked: {r}")
        self.assertNotIn(b"panicked", r.stderr, str(r))
        self.assertIn(r.code, codes, str(r))
        text = r.stdout + r.stderr
        self.assertNotIn(self.tokens["outside"][:8].encode(), text,
                         f"followed a symlink out of the repository: {r}")
        for name, token in self.tokens.items():
            self.assertNotIn(token.encode(), text, f"the {name} token, whole: {r}")
        self.assertNotIn(b"root:x:0:0", text, f"printed /etc/passwd: {r}")
        if "--format" in args:
            self.assertIsNone(CONTROL.search(r.stdout), f"a raw control character: {r}")
        markers = sorted(os.listdir(self.root / "markers"))
        self.assertEqual(markers, [], f"a configured program ran: {r}")
        return r

    def check_all(self, case):
        """Every command over `case`; the runs by their arguments."""
        runs = {}
        for args, stdin in self.commands(case):
            with self.subTest(case=case, args=" ".join(args)):
                key = args[1] if args[0] == "scan" else args[0] + " " + args[1]
                if "sarif" in args:
                    key += " sarif"
                runs[key] = self.check(case, args, stdin)
        return runs

    def findings(self, r):
        return sorted((f["path"], f["line"]) for f in r.json()["findings"])

    def test_the_marker_programs_run_when_git_honours_the_configuration(self):
        # Without this, an empty marker folder proves nothing: git itself runs them.
        repo = self.root / "signed" / "repo"
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
        try:
            subprocess.run(["git", "status", "--short"], cwd=repo, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, check=False,
                           timeout=60)
            ran = sorted(os.listdir(self.root / "markers"))
        finally:
            for m in os.listdir(self.root / "markers"):
                os.remove(self.root / "markers" / m)
        self.assertIn("bin-fsmonitor", ran)

    def test_huge_blob(self):
        runs = self.check_all("huge-blob")
        for kind in (".", "--staged", "--range", "--history"):
            r = runs[kind]
            # Skipped, and said so (not read whole: the memory bound holds).
            self.assertIn(b"larger than 10 MiB", r.stderr, str(r))
            self.assertEqual(r.json()["findings"], [], str(r))

    def test_long_line(self):
        runs = self.check_all("long-line")
        for kind in (".", "--staged", "--range", "--history"):
            self.assertIn(b"larger than 10 MiB", runs[kind].stderr, str(runs[kind]))
        if not BIG:
            return
        info = self.manifest["cases"]["long-line"]
        for args in (["scan", "."], ["scan", "--staged"], ["scan", "--range", "base..main"]):
            r = self.check("long-line", args + ["--max-file-size", "64MiB", "--format", "json"])
            self.assertEqual(r.code, 1, str(r))
            f = r.json()["findings"]
            self.assertEqual(len(f), 1, str(r))
            self.assertEqual((f[0]["line"], f[0]["column"]), (1, info["column"]), str(r))

    def test_deep_tree(self):
        runs = self.check_all("deep-tree")
        deep = "/".join(["d"] * (self.manifest["cases"]["deep-tree"]["depth"] + 1)) + "/deep.env"
        for kind in ("--range", "--history"):
            self.assertEqual(runs[kind].code, 1, str(runs[kind]))
            self.assertEqual(self.findings(runs[kind]), [(deep, 1)])
        staged = "/".join(["s"] * 2000) + "/staged.env"
        self.assertEqual(self.findings(runs["--staged"]), [(staged, 1)])
        # Deeper than PATH_MAX: the work tree cannot be read whole, and says so.
        self.assertEqual(runs["."].code, 3, str(runs["."]))
        self.assertIn(b"scan incomplete", runs["."].stderr)

    def test_wide_tree(self):
        runs = self.check_all("wide-tree")
        for kind in (".", "--range", "--history"):
            self.assertEqual(self.findings(runs[kind]), [("w.env", 1)], str(runs[kind]))
        self.assertEqual(self.findings(runs["--staged"]), [("staged.env", 1)])

    def test_huge_message_and_ten_thousand_parents(self):
        runs = self.check_all("commits")
        for kind in ("--range", "--history"):
            self.assertEqual(self.findings(runs[kind]), [("merge.env", 1)], str(runs[kind]))
            # The merge's files beyond the parents it is compared with are scanned
            # again: never fewer blobs than the commits added.
            self.assertIn(b"scanned 100", runs[kind].stderr)
        # Every commit has a verdict (the lightweight tags `--tags` reports beside them
        # are not counted here).
        verdicts = [v for v in runs["verify --all"].json()["verdicts"] if "commit" in v]
        self.assertEqual(len(verdicts), self.manifest["cases"]["commits"]["parents"] + 3)

    def test_weird_paths(self):
        runs = self.check_all("weird-paths")
        for kind in ("--range", "--history"):
            paths = {p for p, _ in self.findings(runs[kind])}
            fixtures = self.fixtures
            for name in fixtures.WEIRD_TREE_NAMES:
                self.assertIn(name.decode("utf-8", "replace"), paths, str(runs[kind]))
            for name in ("../escape.env", "a/../../b.env"):
                self.assertIn(name, paths)
        # Nothing was written outside the repository by any of it.
        self.assertFalse((self.root / "weird-paths" / "escape.env").exists())
        self.assertFalse((self.root / "b.env").exists())

    def test_symlinks_are_never_followed_out(self):
        runs = self.check_all("symlinks")
        for kind in (".", "--range", "--history"):
            paths = [p for p, _ in self.findings(runs[kind])]
            self.assertEqual(paths, ["inside.env"], str(runs[kind]))
        r = self.check("symlinks", ["scan", ".", "--gitignore", "--format", "json"])
        self.assertEqual([f["path"] for f in r.json()["findings"]], ["inside.env"], str(r))
        # A symlink named on the command line is followed (as `find -H` does): the
        # check above that no run shows the outside token whole still holds for it.
        r = self.check("symlinks", ["scan", "outdir", "outside.env", "--format", "json"])
        self.assertEqual(r.code, 1, str(r))

    def test_signed(self):
        runs = self.check_all("signed")
        good = self.manifest["cases"]["signed"]["good"]
        records = runs["verify --all"].json()["verdicts"]
        verdicts = {v["commit"]: v["verdict"] for v in records if "commit" in v}
        # The fixture's lightweight tags are reported, unsigned, never skipped.
        self.assertTrue(all(v["verdict"] == "unsigned" for v in records if "tag" in v), records)
        self.assertEqual(verdicts.pop(good), "good", verdicts)
        self.assertNotIn("good", verdicts.values())
        self.assertEqual(runs["verify --all"].code, 1)

    # The tests below fail until other parts of issue 18 land: "empty is never clean"
    # (the complete flag, exit 3 for skipped content) and human-output escaping.

    def test_skipped_content_is_never_clean(self):
        # A file it was asked to scan and skipped (larger than --max-file-size): exit 3,
        # and the JSON report says the scan is not complete.
        for case in ("huge-blob", "long-line"):
            for args in (["scan", "."], ["scan", "--staged"], ["scan", "--range", "base..main"],
                         ["scan", "--history"]):
                with self.subTest(case=case, args=" ".join(args)):
                    r = self.check(case, args + ["--format", "json"])
                    self.assertEqual(r.code, 3, str(r))
                    self.assertIs(r.json().get("complete"), False, str(r))

    def test_human_output_escapes_control_characters(self):
        # Names with ESC sequences, CR, DEL, a newline and invalid UTF-8, in the human
        # report and the hooks' messages: no raw control character, no forged line.
        human_control = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
        push = f"refs/heads/main {self.tip('weird-paths')} refs/heads/main {ZERO}\n".encode()
        for args, stdin in ((["scan", "."], b""), (["scan", "--staged"], b""),
                            (["scan", "--range", "base..main"], b""),
                            (["hook", "pre-commit"], b""),
                            (["hook", "pre-push", "origin", "x"], push)):
            with self.subTest(args=" ".join(args)):
                r = self.check("weird-paths", args + (["--color", "never"]
                                                       if args[0] == "scan" else []), stdin)
                text = r.stdout + r.stderr
                self.assertIsNone(human_control.search(text), str(r))
                self.assertFalse(any(line.startswith(b"name.env")
                                     for line in text.splitlines()), f"a forged line: {r}")

    def test_absurdly_long_paths_are_cut_short(self):
        # A path 10,000 folders deep in an error message is cut short.
        r = self.check("deep-tree", ["scan", "."])
        longest = max(len(line) for line in (r.stdout + r.stderr).splitlines())
        self.assertLess(longest, 2000, str(r)[:3000])


if __name__ == "__main__":
    unittest.main()
