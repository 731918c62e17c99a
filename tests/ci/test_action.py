"""The GitHub Action (action.yml), run step by step as a runner runs it.

Each test builds real git repositories (an "origin" and the job's checkout, full or
shallow as actions/checkout leaves it), writes the event payload GitHub would send,
and runs the action with tests/ci/github_runner.py. The first run builds vigil from
this checkout with `cargo install`, as `uses: ./` does on a runner; actions/cache is
emulated by a local store, so the later runs restore the build and cargo only checks
it is fresh.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import yaml

from .github_runner import Result, Runner
from .support import ROOT, commit, git, github_token, need

ZERO = "0" * 40
TOKENS = [github_token(i) for i in range(14)]


def build_folders(folder: str, names: list[str]) -> list[str]:
    """cargo's target folders, which a copy of the sources leaves out."""
    return [n for n in names if n.startswith("target") and os.path.isdir(os.path.join(folder, n))]


class LocalCache:
    """actions/cache on a local folder: restores the newest entry whose key is the key
    or starts with a restore key, and saves after a successful job when the key missed."""

    def __init__(self, store: Path):
        self.store = store
        self.saved: list[str] = []
        self.hits: list[str] = []

    def __call__(self, runner: Runner, with_: dict[str, str]) -> dict[str, str]:
        key = with_["key"]
        prefixes = [k for k in with_.get("restore-keys", "").splitlines() if k]
        paths = [p.strip() for p in with_["path"].splitlines() if p.strip()]
        expand = lambda p: Path(p.replace("~", str(runner.home), 1) if p.startswith("~") else p)
        entries = sorted(self.store.iterdir(), key=lambda e: e.stat().st_mtime, reverse=True) if self.store.exists() else []
        hit = next((e for e in entries if e.name == key), None) or next(
            (e for e in entries if any(e.name.startswith(p) for p in prefixes)), None
        )
        if hit is not None:
            self.hits.append(hit.name)
            for i, p in enumerate(paths):
                saved = hit / str(i)
                if saved.exists():
                    subprocess.run(["cp", "-al", str(saved), str(expand(p))], check=True)

        def save(success: bool) -> None:
            if not success or (hit is not None and hit.name == key):
                return
            entry = self.store / key
            entry.mkdir(parents=True)
            for i, p in enumerate(paths):
                if expand(p).exists():
                    subprocess.run(["cp", "-al", str(expand(p)), str(entry / str(i))], check=True)
            self.saved.append(key)

        runner.post.append(save)
        return {"cache-hit": "true" if hit is not None and hit.name == key else "false"}


class SarifUpload:
    """github/codeql-action/upload-sarif: records what it was given; fails, as the real
    one does, on a file that is missing, not SARIF 2.1.0, or has a result without a file."""

    def __init__(self):
        self.calls: list[dict[str, str]] = []

    def __call__(self, runner: Runner, with_: dict[str, str]) -> dict[str, str]:
        self.calls.append(with_)
        sarif = json.loads(Path(with_["sarif_file"]).read_text())
        if sarif.get("version") != "2.1.0":
            raise ValueError("not SARIF 2.1.0")
        for run in sarif["runs"]:
            for r in run.get("results", []):
                if not any("physicalLocation" in loc for loc in r.get("locations", [])):
                    raise ValueError(f"result {r['ruleId']} has no file: code scanning rejects it")
        return {"sarif-id": "1"}


class ActionTest(unittest.TestCase):
    store: Path
    cache: LocalCache

    @classmethod
    def setUpClass(cls):
        need("git", "bash", "jq", "cargo", "minisign", "ssh-keygen", "sha256sum")
        cls.tmp = Path(tempfile.mkdtemp(prefix="action-test-"))
        cls.store = cls.tmp / "cache"
        cls.cache = LocalCache(cls.store)
        # `uses: ./` on a runner: the action's folder is the workspace's checkout. A copy
        # of what the action and its build read keeps the test's build apart from the
        # tree's (and works where the checkout has no .git).
        cls.action = cls.tmp / "action"
        cls.action.mkdir()
        for name in ("action.yml", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml"):
            shutil.copy2(ROOT / name, cls.action / name)
        for folder in ("action", "crates"):
            shutil.copytree(ROOT / folder, cls.action / folder, ignore=build_folders)

        # Build once, as the first run on a runner would, so that every test after it
        # restores the build from the cache (a job that fails saves no cache).
        warm = cls.tmp / "warm"
        warm.mkdir()
        (warm / "README.md").write_text("# nothing secret here\n")
        runner = cls.runner(warm, "workflow_dispatch", {}, "", "refs/heads/main", SarifUpload(), {})
        try:
            result = runner.run_action(cls.action, {"paths": ".", "sarif": "false"})
        finally:
            # The runner's temp holds a whole cargo build (~700 MB): never leave it behind.
            shutil.rmtree(runner.tmp, ignore_errors=True)
        if result.exit_code != 0 or not cls.cache.saved:
            raise RuntimeError(f"the first build failed:\n{result.log()}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # --- repositories ---------------------------------------------------------------

    def origin(self) -> Path:
        """A bare origin whose main holds a clean commit and, before it, an old secret
        that is on main already (and so is not what a new push adds)."""
        work = Path(tempfile.mkdtemp(dir=self.tmp))
        git(work, "init", "-q")
        commit(work, {"old.env": f"LEGACY_TOKEN={TOKENS[13]}\n"}, "old secret, already public", 1_700_000_000)
        commit(work, {"README.md": "# app\n"}, "readme", 1_700_000_100)
        bare = Path(tempfile.mkdtemp(dir=self.tmp)) / "origin.git"
        git(work, "clone", "-q", "--bare", str(work), str(bare))
        self.work = work
        return bare

    def push(self, bare: Path, branch: str = "main", force: bool = False) -> None:
        git(self.work, "push", "-q", *(["--force"] if force else []), str(bare), f"HEAD:refs/heads/{branch}")

    def checkout(self, bare: Path, ref: str, depth: int | None = None) -> Path:
        """The job's workspace as actions/checkout leaves it (depth None: fetch-depth 0)."""
        ws = Path(tempfile.mkdtemp(dir=self.tmp)) / "ws"
        args = ["clone", "-q", "--no-checkout"]
        if depth is not None:
            args += [f"--depth={depth}", "--no-single-branch"]
        git(self.tmp, *args, f"file://{bare}", str(ws))
        git(ws, "checkout", "-q", ref)
        return ws

    # --- running the action ------------------------------------------------------------

    def act(self, ws: Path, event_name: str, event: dict, sha: str, inputs: dict[str, str], ref: str = "refs/heads/main", job_env: dict[str, str] | None = None) -> tuple[Result, SarifUpload]:
        upload = SarifUpload()
        runner = self.runner(ws, event_name, event, sha, ref, upload, job_env or {})
        result = runner.run_action(self.action, inputs)
        self.addCleanup(shutil.rmtree, runner.tmp, True)
        return result, upload

    @classmethod
    def runner(cls, ws: Path, event_name: str, event: dict, sha: str, ref: str, upload: "SarifUpload", job_env: dict[str, str]) -> Runner:
        env = {
            # The runner image's Rust toolchain (rustup keeps it outside HOME here).
            "CARGO_HOME": os.environ.get("CARGO_HOME", str(Path.home() / ".cargo")),
            "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
            # A quick build: the test checks the install path, not the optimiser.
            "CARGO_PROFILE_RELEASE_OPT_LEVEL": "0",
            "CARGO_PROFILE_RELEASE_LTO": "false",
            "CARGO_PROFILE_RELEASE_DEBUG": "false",
            "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "64",
            "CARGO_INCREMENTAL": "0",
        }
        env.update(job_env)
        cargo_bin = Path(env["CARGO_HOME"]) / "bin"
        return Runner(
            ws, event_name, event, sha=sha, ref=ref,
            job_env=dict(env, PATH=f"{cargo_bin}:/usr/local/bin:/usr/bin:/bin"),
            handlers={"actions/cache": cls.cache, "github/codeql-action/upload-sarif": upload},
        )

    def assert_no_secret(self, result: Result, *extra_files: str) -> None:
        """No token reaches the log, the annotations, the summary or the reports."""
        texts = [result.log(), result.summary] + [a.message for a in result.annotations]
        texts += [Path(f).read_text() for f in extra_files if f]
        for t in TOKENS:
            for text in texts:
                self.assertNotIn(t, text)

    # --- scan -------------------------------------------------------------------------------

    def test_push_of_clean_commits_passes(self):
        bare = self.origin()
        before = git(self.work, "rev-parse", "HEAD")
        after = commit(self.work, {"src/app.py": "print('hello')\n"}, "clean change", 1_700_000_200)
        self.push(bare)
        ws = self.checkout(bare, "main")
        event = {"ref": "refs/heads/main", "before": before, "after": after, "deleted": False}
        result, upload = self.act(ws, "push", event, after, {})
        self.assertEqual(result.exit_code, 0, result.log())
        self.assertEqual(result.conclusion, "success")
        self.assertEqual(result.outputs["findings"], "0")
        self.assertEqual(result.outputs["verdict"], "clean")
        self.assertEqual(result.outputs["exit-code"], "0")
        self.assertIn("## vigil: no secrets found", result.summary)
        self.assertEqual(result.annotations, [])
        self.assertEqual(len(upload.calls), 1)
        self.assertEqual(upload.calls[0]["sarif_file"], result.outputs["sarif-file"])
        self.assertIn("1 commit", result.step("run").stderr)
        self.assertTrue(any(p.endswith("vigil-install/bin") for p in result.path_added))
        self.assertLess(result.step("install").seconds, 120, "the cached build is only checked")

    def test_push_with_secrets_fails_with_the_most_severe_annotations_first(self):
        bare = self.origin()
        before = git(self.work, "rev-parse", "HEAD")
        lines = "".join(f"TOKEN_{i}={t}\n" for i, t in enumerate(TOKENS[:12]))
        commit(self.work, {"deploy/tokens.env": lines}, "add deploy tokens", 1_700_000_200)
        after = commit(self.work, {"notes.txt": "db password: hunter2hunter2x\n"}, "notes", 1_700_000_300)
        self.push(bare)
        ws = self.checkout(bare, "main")
        event = {"ref": "refs/heads/main", "before": before, "after": after, "deleted": False}
        result, upload = self.act(ws, "push", event, after, {})
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertEqual(result.outputs["verdict"], "findings")
        findings = int(result.outputs["findings"])
        self.assertGreaterEqual(findings, 12)
        errors = [a for a in result.annotations if a.kind == "error"]
        self.assertEqual(len(errors), 10, "GitHub shows ten errors a step")
        self.assertTrue(all(a.properties["file"] == "deploy/tokens.env" for a in errors))
        total = result.annotations[-1]
        self.assertEqual((total.kind, total.properties["title"]), ("notice", "vigil: totals"))
        self.assertIn(f"{findings} findings", total.message)
        self.assertIn("not shown here", total.message)
        self.assertNotIn("old.env", json.dumps([a.properties for a in result.annotations]), "main had it before the push")
        self.assertIn("secrets found", result.summary)
        self.assertEqual(len(upload.calls), 1, "the SARIF upload runs after findings")
        self.assertEqual(result.step("outcome").outcome, "failure", "the last step fails the job")
        self.assert_no_secret(result, result.outputs["sarif-file"], result.outputs["report-file"])

    def test_fail_on_high_passes_what_is_less_severe_but_reports_it(self):
        bare = self.origin()
        before = git(self.work, "rev-parse", "HEAD")
        after = commit(self.work, {"cfg.ini": "password = hunter2hunter2x\n"}, "cfg", 1_700_000_200)
        self.push(bare)
        ws = self.checkout(bare, "main")
        event = {"ref": "refs/heads/main", "before": before, "after": after, "deleted": False}
        result, _ = self.act(ws, "push", event, after, {"fail-on": "high", "sarif": "false"})
        self.assertEqual(result.exit_code, 0, result.log())
        self.assertEqual(result.outputs["findings"], "1")
        self.assertEqual(result.outputs["sarif-file"], "")
        self.assertEqual(result.step("upload-sarif").outcome, "skipped", "no SARIF, no upload")

    def test_new_branch_scans_only_the_commits_no_other_branch_has(self):
        bare = self.origin()
        git(self.work, "checkout", "-q", "-b", "feature")
        after = commit(self.work, {"feature.env": f"T={TOKENS[0]}\n"}, "feature", 1_700_000_200)
        self.push(bare, "feature")
        ws = self.checkout(bare, "feature")
        event = {"ref": "refs/heads/feature", "before": ZERO, "after": after, "created": True, "deleted": False}
        result, _ = self.act(ws, "push", event, after, {}, ref="refs/heads/feature")
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertEqual(result.outputs["findings"], "1")
        self.assertEqual([a.properties.get("file") for a in result.annotations if a.kind == "error"], ["feature.env"])

    def test_forced_push_scans_the_new_commits_only(self):
        bare = self.origin()
        base = git(self.work, "rev-parse", "HEAD")
        old = commit(self.work, {"a.txt": "one\n"}, "to be rewritten", 1_700_000_200)
        self.push(bare)
        self.push(bare, "backup")  # keeps the old head in the clone
        git(self.work, "reset", "-q", "--hard", base)
        after = commit(self.work, {"b.env": f"T={TOKENS[1]}\n"}, "rewritten", 1_700_000_300)
        self.push(bare, force=True)
        ws = self.checkout(bare, "main")
        event = {"ref": "refs/heads/main", "before": old, "after": after, "forced": True, "deleted": False}
        result, _ = self.act(ws, "push", event, after, {})
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertIn("forced push: from the merge base", result.step("run").stderr)
        self.assertEqual(result.outputs["findings"], "1", "main's old secret is not the push's")
        self.assertIn("b.env", json.dumps([a.properties for a in result.annotations]))
        # Without the old head in the clone (nothing reaches it any more), vigil scans
        # the commits on no other remote-tracking ref: here main's whole history.
        git(ws, "update-ref", "-d", "refs/remotes/origin/backup")
        git(ws, "reflog", "expire", "--expire=now", "--all")
        git(ws, "gc", "-q", "--prune=now")
        result, _ = self.act(ws, "push", event, after, {})
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertIn("a forced push?", result.step("run").stderr)
        self.assertEqual(result.outputs["findings"], "2")

    def pull_request(self, fork: bool) -> tuple[Path, dict, str]:
        bare = self.origin()
        base = git(self.work, "rev-parse", "HEAD")
        git(self.work, "checkout", "-q", "-b", "topic")
        commit(self.work, {"x.env": f"T={TOKENS[2]}\n"}, "topic 1", 1_700_000_200)
        head = commit(self.work, {"y.txt": "fine\n"}, "topic 2", 1_700_000_300)
        self.push(bare, "topic")
        event = {
            "number": 7,
            "pull_request": {
                "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/app"}},
                "head": {"sha": head, "ref": "topic", "repo": {"full_name": "eve/app" if fork else "acme/app"}},
            },
        }
        return bare, event, head

    def test_pull_request_scans_its_commits_and_uploads_sarif(self):
        bare, event, head = self.pull_request(fork=False)
        ws = self.checkout(bare, "topic")
        result, upload = self.act(ws, "pull_request", event, head, {}, ref="refs/pull/7/merge")
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertEqual(result.outputs["findings"], "1")
        self.assertEqual(len(upload.calls), 1)
        self.assertIn("2 commits", result.step("run").stderr)

    def test_pull_request_from_a_fork_does_not_try_to_upload(self):
        bare, event, head = self.pull_request(fork=True)
        ws = self.checkout(bare, "topic")
        result, upload = self.act(ws, "pull_request", event, head, {}, ref="refs/pull/7/merge")
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertEqual(upload.calls, [], "a fork's token cannot upload")
        self.assertEqual(result.step("upload-sarif").outcome, "skipped")

    def test_shallow_clone_missing_the_base_is_incomplete_and_says_what_to_change(self):
        bare, event, head = self.pull_request(fork=False)
        ws = self.checkout(bare, "topic", depth=1)
        result, _ = self.act(ws, "pull_request", event, head, {}, ref="refs/pull/7/merge")
        self.assertEqual(result.exit_code, 3, result.log())
        self.assertEqual(result.outputs["verdict"], "incomplete")
        errors = [a for a in result.annotations if a.kind == "error"]
        self.assertEqual(len(errors), 1, result.annotations)
        self.assertIn("fetch-depth", errors[0].message)

    def test_paths_scan_a_folder_instead_of_the_event(self):
        bare = self.origin()
        ws = self.checkout(bare, "main")
        (ws / "conf").mkdir()
        (ws / "conf" / "prod.env").write_text(f"T={TOKENS[3]}\n")
        event = {"ref": "refs/heads/main", "before": ZERO, "after": ZERO, "deleted": True}
        result, _ = self.act(ws, "push", event, ZERO, {"paths": "conf", "args": "--max-file-size 1MiB"})
        self.assertEqual(result.exit_code, 1, result.log())
        self.assertEqual(result.outputs["findings"], "1")

    def test_a_bad_input_is_an_error_annotation_not_a_pass(self):
        bare = self.origin()
        ws = self.checkout(bare, "main")
        head = git(ws, "rev-parse", "HEAD")
        event = {"ref": "refs/heads/main", "before": ZERO, "after": head, "deleted": False}
        result, _ = self.act(ws, "push", event, head, {"fail-on": "loud"})
        self.assertEqual(result.exit_code, 2, result.log())
        self.assertEqual(result.outputs["verdict"], "error")
        self.assertIn("--fail-on", result.annotations[-1].message)
        result, _ = self.act(ws, "push", event, head, {"command": "deploy"})
        self.assertEqual(result.conclusion, "failure")
        self.assertIn("expected scan, verify, sign or install", result.annotations[0].message)

    def test_a_history_matrix_of_four_shards_merges_to_the_single_jobs_reports(self):
        bare = self.origin()
        for i in range(6):
            commit(self.work, {f"svc{i % 3}/.env": f"T{i}={TOKENS[i]}\n"}, f"change {i}", 1_700_000_200 + i)
        self.push(bare)
        ws = self.checkout(bare, "main")
        head = git(ws, "rev-parse", "HEAD")
        scan = {"upload-sarif": "false", "fail-on": "never"}
        whole, _ = self.act(ws, "schedule", {}, head, scan)
        self.assertEqual(whole.exit_code, 0, whole.log())
        self.assertIn("history", whole.step("run").stderr)
        reports: dict[str, list[str]] = {"sarif-file": [], "report-file": []}
        for k in range(1, 5):
            shard, upload = self.act(ws, "schedule", {}, head, dict(scan, shard=f"{k}/4"))
            self.assertEqual(shard.exit_code, 0, shard.log())
            self.assertEqual(upload.calls, [], "shards do not upload")
            for output in reports:
                kept = self.tmp / f"shard-{id(self)}-{k}-{Path(shard.outputs[output]).name}"
                shutil.copy2(shard.outputs[output], kept)  # the runner's temp goes with the job
                reports[output].append(str(kept))
        bin_ = whole.outputs["bin"]
        for output, mask in (("sarif-file", ("startTimeUtc", "endTimeUtc")), ("report-file", ())):
            merged = subprocess.run([bin_, "report", "merge", *reports[output]], capture_output=True, text=True)
            self.assertEqual(merged.returncode, 1, merged.stderr)  # findings, as the whole scan's
            expected, actual = Path(whole.outputs[output]).read_text(), merged.stdout
            for field in mask:  # the times of the runs, which differ
                pattern = re.compile(f'"{field}": "[^"]*"')
                expected = pattern.sub(f'"{field}": ""', expected)
                actual = pattern.sub(f'"{field}": ""', actual)
            self.assertEqual(actual, expected, output)
        self.assertEqual(int(whole.outputs["findings"]), 7)

    # --- verify -----------------------------------------------------------------------------

    def test_verify_passes_signed_pushes_and_fails_an_unsigned_one(self):
        bare = self.origin()
        keys = self.tmp / f"ssh-{id(self)}"
        keys.mkdir()
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", str(keys / "ada")], check=True)
        pub = (keys / "ada.pub").read_text().split()
        (self.work / ".vigil").mkdir()
        (self.work / ".vigil" / "allowed_signers").write_text(f"ada@example.com {pub[0]} {pub[1]}\n")
        (self.work / ".vigil.toml").write_text('[verify]\nallowed_signers = ".vigil/allowed_signers"\n')
        git(self.work, "config", "gpg.format", "ssh")
        git(self.work, "config", "user.signingkey", str(keys / "ada"))
        git(self.work, "add", ".vigil", ".vigil.toml")
        git(self.work, "commit", "-q", "-S", "-m", "signing policy", date=1_700_000_200)
        start = git(self.work, "rev-parse", "HEAD")
        (self.work / ".vigil.toml").write_text(f'[verify]\nallowed_signers = ".vigil/allowed_signers"\nstart = "{start}"\n')
        git(self.work, "commit", "-q", "-S", "-am", "start here", date=1_700_000_300)
        signed = git(self.work, "rev-parse", "HEAD")
        self.push(bare)
        ws = self.checkout(bare, "main")
        event = {"ref": "refs/heads/main", "before": start, "after": signed, "deleted": False}
        result, upload = self.act(ws, "push", event, signed, {"command": "verify"})
        self.assertEqual(result.exit_code, 0, result.log())
        self.assertEqual(result.outputs["verdict"], "verified")
        self.assertIn("### Signatures: 1 object verified", result.summary)
        self.assertEqual(len(upload.calls), 1)
        self.assertEqual(upload.calls[0]["category"], "vigil-verify")

        unsigned = commit(self.work, {"c.txt": "c\n"}, "not signed", 1_700_000_400)
        self.push(bare)
        ws = self.checkout(bare, "main")
        event = {"ref": "refs/heads/main", "before": signed, "after": unsigned, "deleted": False}
        result, upload = self.act(ws, "push", event, unsigned, {"command": "verify"})
        self.assertEqual(result.exit_code, 1, result.log())
        # Code scanning takes the verdict: it points at the policy file.
        self.assertEqual(result.step("upload-sarif").outcome, "success", result.log())
        sarif = json.loads(Path(upload.calls[0]["sarif_file"]).read_text())
        location = sarif["runs"][0]["results"][0]["locations"][0]
        self.assertEqual(location["physicalLocation"]["artifactLocation"]["uri"], ".vigil.toml")
        self.assertEqual(result.outputs["verdict"], "failed")
        errors = [a for a in result.annotations if a.kind == "error"]
        self.assertEqual([a.properties["title"] for a in errors], ["vigil: signature/unsigned"])
        junit = Path(result.outputs["report-file"]).read_text()
        self.assertIn(unsigned, junit)

    # --- sign -------------------------------------------------------------------------------

    def test_sign_writes_files_that_minisign_ssh_keygen_and_sha256sum_verify(self):
        from .support import vigil_bin

        bare = self.origin()
        ws = self.checkout(bare, "main")
        keys = self.tmp / f"release-key-{id(self)}"
        subprocess.run([str(vigil_bin()), "keygen", "--out-dir", str(keys), "--password-env", "PW"], env=dict(os.environ, PW="correct horse"), check=True, capture_output=True)
        (ws / "dist").mkdir()
        for name in ("vigil-v1.2.3-x86_64-unknown-linux-musl.tar.gz", "vigil-v1.2.3-aarch64-apple-darwin.tar.gz"):
            (ws / "dist" / name).write_bytes(os.urandom(4096))
        head = git(ws, "rev-parse", "HEAD")
        event = {"ref": "refs/tags/v1.2.3", "before": ZERO, "after": head, "deleted": False}
        inputs = {
            "command": "sign",
            "files": "dist/*.tar.gz",
            "signing-key": (keys / "vigil.key").read_text(),
            "signing-password": "correct horse",
        }
        result, upload = self.act(ws, "push", event, head, inputs, ref="refs/tags/v1.2.3")
        self.assertEqual(result.exit_code, 0, result.log())
        self.assertEqual(result.outputs["verdict"], "signed")
        files = result.outputs["files"].splitlines()
        self.assertEqual(len(files), 6, files)
        self.assertEqual(upload.calls, [])
        dist = ws / "dist"
        pub = (keys / "vigil.pub").read_text().splitlines()[-1]
        subprocess.run(["minisign", "-Vm", str(dist / "SHA256SUMS"), "-P", pub], check=True, capture_output=True)
        with open(dist / "SHA256SUMS", "rb") as sums:
            subprocess.run(
                ["ssh-keygen", "-Y", "verify", "-f", str(keys / "vigil.allowed_signers"), "-I", "release@vigil", "-n", "file", "-s", str(dist / "SHA256SUMS.sig")],
                stdin=sums, check=True, capture_output=True,
            )
        subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=dist, check=True, capture_output=True)
        provenance = json.loads((dist / "provenance.intoto.jsonl").read_text())
        statement = json.loads(__import__("base64").b64decode(provenance["payload"]))
        text = json.dumps(statement)
        self.assertIn("acme/app", text)
        self.assertIn(head, text)
        self.assertIn("refs/tags/v1.2.3", text)
        self.assertIn("SHA256SUMS", result.summary)
        self.assertNotIn("correct horse", result.log())

    def test_the_release_workflows_sign_step_makes_what_the_download_step_accepts(self):
        """release.yml's own steps end to end: its "Pack the archive" step packs a locally
        built binary, its sign step (this action, its `with:` as written, the secrets
        filled in) signs it; the result is served from a local folder, and the action's
        download step installs it, and refuses it once tampered with."""
        from . import test_release as rel
        from .github_runner import interpolate
        from .support import vigil_bin

        arch, target = rel.host_platform()
        bare = self.origin()
        ws = self.checkout(bare, "main")
        built = ws / "target" / target / "release"
        built.mkdir(parents=True)
        shutil.copy2(vigil_bin(), built / "vigil")
        subprocess.run(["strip", str(built / "vigil")], check=True)
        rel.pack_archive(ws, target)
        keys = self.tmp / f"release-keys-{id(self)}"
        subprocess.run([str(vigil_bin()), "keygen", "--out-dir", str(keys), "--password-env", "PW"],
                       env=dict(os.environ, PW=rel.PASSWORD), check=True, capture_output=True)
        secrets = {"VIGIL_RELEASE_KEY": (keys / "vigil.key").read_text(), "VIGIL_RELEASE_KEY_PASSWORD": rel.PASSWORD}
        workflow = yaml.safe_load(rel.WORKFLOW.read_text())
        step = next(s for s in workflow["jobs"]["sign"]["steps"] if s.get("id") == "sign")
        inputs = {k: interpolate(str(v), {"secrets": secrets}) for k, v in step["with"].items()}
        inputs["cache"] = "true"  # the one change: reuse this test's build instead of a cold one
        head = git(ws, "rev-parse", "HEAD")
        event = {"ref": f"refs/tags/{rel.VERSION}", "before": ZERO, "after": head, "deleted": False}
        result, _ = self.act(ws, "push", event, head, inputs, ref=f"refs/tags/{rel.VERSION}")
        self.assertEqual(result.exit_code, 0, result.log())
        archive = f"vigil-{rel.VERSION}-{target}.tar.gz"
        published = {Path(f).name for f in result.outputs["files"].splitlines()}
        self.assertEqual(published, {archive, "SHA256SUMS", "SHA256SUMS.minisig", "SHA256SUMS.sig", "provenance.intoto.jsonl"})

        # The release page, served from a local folder; the action with the test key.
        www = self.tmp / f"www-{id(self)}"
        for case in ("good", "tampered"):
            folder = www / case / rel.VERSION
            folder.mkdir(parents=True)
            for f in result.outputs["files"].splitlines():
                shutil.copy2(ws / f if not os.path.isabs(f) else f, folder)
        with open(www / "tampered" / rel.VERSION / archive, "ab") as f:
            f.write(b"\0")
        pin = rel.sha256(www / "good" / rel.VERSION / archive)
        action = self.tmp / f"action-{id(self)}"
        shutil.copytree(self.action / "action", action / "action")
        shutil.copy2(keys / "vigil.pub", action / "action" / "release-key.pub")
        with open(action / "action" / "pinned-releases.txt", "a") as f:
            f.write(f"{rel.VERSION} {archive} {pin}\n")
        server, base_url = rel.serve(www, subprocess.DEVNULL)
        self.addCleanup(server.stdout.close)
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        for case, ok in (("good", True), ("tampered", False)):
            runner_dir = Path(tempfile.mkdtemp(dir=self.tmp))
            p, _, output, _ = rel.run_download(runner_dir, action, rel.VERSION, f"{base_url}/{case}", arch)
            if ok:
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                installed = output.strip().removeprefix("bin=")
                version = subprocess.run([installed, "--version"], capture_output=True, text=True, check=True)
                self.assertTrue(version.stdout.startswith("vigil "), version.stdout)
            else:
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertIn("does not match its line in SHA256SUMS", p.stdout)
                self.assertEqual(output, "")

    def test_sign_refuses_an_empty_key_and_a_pattern_that_matches_nothing(self):
        bare = self.origin()
        ws = self.checkout(bare, "main")
        head = git(ws, "rev-parse", "HEAD")
        event = {"ref": "refs/tags/v1", "before": ZERO, "after": head, "deleted": False}
        result, _ = self.act(ws, "push", event, head, {"command": "sign", "files": "dist/*"})
        self.assertEqual(result.conclusion, "failure")
        self.assertIn("signing-key is empty", result.annotations[0].message)
        result, _ = self.act(ws, "push", event, head, {"command": "sign", "files": "nothing/*.zip", "signing-key": "x"})
        self.assertEqual(result.conclusion, "failure")
        self.assertIn("no file matches nothing/*.zip", result.annotations[0].message)


if __name__ == "__main__":
    unittest.main()
