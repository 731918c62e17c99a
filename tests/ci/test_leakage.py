"""No command shows a planted secret whole: every scan format (to stdout, to --report
files, sharded and merged), verify in each of its formats, baseline create, report
merge, migrate gitleaks and both hooks run over a repository holding fake tokens in
files, in a commit message, in .gitleaks.toml and in the baseline's folder; the full
tokens must appear in no stdout, no stderr and no file any of them writes (only the
redacted forms), while --no-redact shows them (so the check can fail).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from tests.ci.support import commit, git, github_token, vigil_bin

SCAN_FORMATS = ["human", "json", "jsonl", "sarif", "gitlab", "github", "markdown", "junit"]
VERIFY_FORMATS = ["human", "json", "jsonl", "sarif", "junit", "github", "markdown"]


class Leakage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="vigil-leakage-"))
        cls.repo = cls.tmp / "repo"
        cls.repo.mkdir()
        cls.tokens = [github_token(2900 + i) for i in range(4)]
        t = cls.tokens
        git(cls.repo, "init", "-q")
        cls.base = commit(cls.repo, {"README.md": "leaky\n"}, "base", 1_700_000_000)
        commit(cls.repo, {"app/.env": f"GITHUB_TOKEN={t[0]}\n",
                          "src/main.py": f'TOKEN = "{t[1]}"\n'},
               f"add settings\n\ntoken={t[2]}\n", 1_700_000_100)
        commit(cls.repo, {".gitleaks.toml": f'title = "x"\n# {t[3]}\n[extend]\nuseDefault = true\n',
                          "later.env": f"T={t[3]}\n"}, "more", 1_700_000_200)
        cls.out = cls.tmp / "out"
        cls.out.mkdir()

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", str(cls.tmp)], check=False)

    def vigil(self, *args, stdin=b"", cwd=None):
        p = subprocess.run([str(vigil_bin()), *args], cwd=cwd or self.repo, input=stdin,
                           capture_output=True, env=dict(os.environ, NO_COLOR="1"))
        self.assertNotEqual(p.returncode, 101, p.stderr)
        return p

    def assert_no_leak(self, p, what):
        for token in self.tokens:
            self.assertNotIn(token.encode(), p.stdout + p.stderr, f"{what} prints a token whole")
        for path in self.out.rglob("*"):
            if path.is_file():
                for token in self.tokens:
                    self.assertNotIn(token.encode(), path.read_bytes(), f"{what} wrote {path}")

    def test_every_command_and_format_redacts(self):
        sources = [[], ["--staged"], ["--range", f"{self.base}..HEAD"], ["--history"]]
        for source in sources:
            for fmt in SCAN_FORMATS:
                with self.subTest(source=source, format=fmt):
                    p = self.vigil("scan", *source, "--format", fmt)
                    self.assertIn(p.returncode, (0, 1), p.stderr)
                    self.assert_no_leak(p, f"scan {source} --format {fmt}")
        reports = [f"--report={fmt}={self.out / ('r.' + fmt)}" for fmt in SCAN_FORMATS]
        p = self.vigil("scan", "--history", *reports)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assert_no_leak(p, "scan --report")
        shards = []
        for k in (1, 2):
            shard = self.out / f"shard{k}.json"
            p = self.vigil("scan", "--history", "--shard", f"{k}/2", "--format", "json",
                           "--report-path", str(shard))
            self.assert_no_leak(p, "scan --shard")
            shards.append(str(shard))
        p = self.vigil("report", "merge", *shards, "-o", str(self.out / "merged.json"))
        self.assertEqual(p.returncode, 1, p.stderr)  # the merged report has findings
        self.assert_no_leak(p, "report merge")
        for fmt in VERIFY_FORMATS:
            with self.subTest(verify=fmt):
                signers = self.out / "signers"
                signers.write_text("# none\n")
                p = self.vigil("verify", "--all", "--allowed-signers", str(signers),
                               "--format", fmt)
                self.assert_no_leak(p, f"verify --format {fmt}")
        p = self.vigil("baseline", "create", "--history")
        self.assert_no_leak(p, "baseline create")
        for path in self.repo.glob(".vigil-baseline*"):
            for token in self.tokens:
                self.assertNotIn(token.encode(), path.read_bytes(), "the baseline file")
        p = self.vigil("migrate", "gitleaks", ".gitleaks.toml")
        self.assert_no_leak(p, "migrate gitleaks")
        # The hooks (with no baseline, which accepts the findings above): what the index
        # would commit, and a push of the whole branch.
        for path in self.repo.glob(".vigil-baseline*"):
            path.unlink()
        (self.repo / "staged.env").write_text(f"T={self.tokens[0]}\n")
        git(self.repo, "add", "staged.env")
        p = self.vigil("hook", "pre-commit")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assert_no_leak(p, "hook pre-commit")
        head = git(self.repo, "rev-parse", "HEAD")
        p = self.vigil("hook", "pre-push", "origin", "x",
                       stdin=f"refs/heads/main {head} refs/heads/main {'0' * 40}\n".encode())
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assert_no_leak(p, "hook pre-push")
        # The check can fail: --no-redact shows them.
        p = self.vigil("scan", "--history", "--format", "json", "--no-redact")
        self.assertIn(self.tokens[0].encode(), p.stdout)


if __name__ == "__main__":
    unittest.main()
