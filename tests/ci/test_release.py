"""Releases: the workflow's packing step, vigil's signing, and the action's checked download.

A release is made here as the release workflow makes one: its "Pack the archive" step
(taken from .github/workflows/release.yml and run with bash) packs the vigil binary under
test, and `vigil sign` signs it as the action's sign step calls it, with a test key made
by `vigil keygen`. `python3 -m http.server` on 127.0.0.1 serves it, and action/download.sh
runs under a clean environment, as a runner step would, from a copy of the action folder
that holds the test key and a pin for the archive. Then every way the download must be
refused, the README's install commands, verify_release.py against the real minisign, and
the static checks of release.yml and download.sh.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

import yaml

from .support import ROOT, need, vigil_bin

ACTION = ROOT / "action"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
VERSION = "v9.9.9"
PASSWORD = "correct horse battery staple"


def run(cmd, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run([str(c) for c in cmd], **kw)


def check(cmd, **kw) -> subprocess.CompletedProcess:
    p = run(cmd, **kw)
    if p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def host_platform() -> tuple[str, str]:
    """(RUNNER_ARCH, release target) for this machine, which is Linux."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "X64", "x86_64-unknown-linux-musl"
    if machine in ("aarch64", "arm64"):
        return "ARM64", "aarch64-unknown-linux-musl"
    raise RuntimeError(f"no release target for this machine ({machine})")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tar_gz(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)


def regular(name: str, mode: int = 0o755) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info


def pack_archive(workspace: Path, target: str) -> None:
    """Runs release.yml's "Pack the archive" step, as the runner would (bash -e): packs
    workspace/target/TARGET/release/vigil into workspace/dist/."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["build"]["steps"]
    script = next(s["run"] for s in steps if s.get("name") == "Pack the archive")
    runner_temp = workspace / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "TARGET": target,
        "TAG": VERSION,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_WORKSPACE": str(workspace),
    }
    check(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=workspace, env=env)


def serve(folder: Path, log) -> tuple[subprocess.Popen, str]:
    """python3 -m http.server on 127.0.0.1 and a free port, serving `folder`; (process, base URL)."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    line = server.stdout.readline()
    m = re.search(r"port (\d+)", line)
    if not m:
        server.kill()
        raise RuntimeError(f"http.server did not start: {line!r}")
    return server, f"http://127.0.0.1:{m.group(1)}"


def run_download(runner: Path, action_root: Path, version: str, url: str, arch: str):
    """Runs action/download.sh as a runner step, in the runner folder `runner`: a clean
    environment with the runner's variables. (process, runner, GITHUB_OUTPUT, GITHUB_PATH)."""
    (runner / "temp").mkdir()
    output, path_file = runner / "output", runner / "path"
    output.touch()
    path_file.touch()
    env = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(runner),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": arch,
        "RUNNER_TEMP": str(runner / "temp"),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_PATH": str(path_file),
        "VIGIL_VERSION": version,
        "VIGIL_ACTION_PATH": str(action_root),
        "VIGIL_RELEASE_URL": url,
    }
    p = run(["bash", "--noprofile", "--norc", "-e", action_root / "action" / "download.sh"], env=env, cwd=runner)
    return p, runner, output.read_text(), path_file.read_text()


class Release:
    """Everything the tests share, made once: keys, archives, signed folders, a server."""

    def __init__(self) -> None:
        need("bash", "curl", "strip", "minisign", "ssh-keygen", "sha256sum", "tar")
        self.vigil = vigil_bin()
        self.tmp = Path(tempfile.mkdtemp(prefix="vigil-release-test-"))
        self.arch, self.target = host_platform()
        self.archive_name = f"vigil-{VERSION}-{self.target}.tar.gz"
        self.keys = self.tmp / "keys"
        self.keys.mkdir()
        check([self.vigil, "keygen", "--out-dir", self.keys, "--name", "test", "--password-env", "TEST_PW"],
              env=dict(os.environ, TEST_PW=PASSWORD))
        check([self.vigil, "keygen", "--out-dir", self.keys, "--name", "other", "--unencrypted"])
        self.key = (self.keys / "test.key").read_text()
        self.pub_line = (self.keys / "test.pub").read_text().splitlines()[1]
        self.allowed_signers = (self.keys / "test.allowed_signers").read_text().strip()

        # The binary, packed by the workflow's own step (stripped: the debug build is large).
        self.workspace = self.tmp / "workspace"
        release_dir = self.workspace / "target" / self.target / "release"
        release_dir.mkdir(parents=True)
        shutil.copy2(self.vigil, release_dir / "vigil")
        check(["strip", release_dir / "vigil"])
        shutil.copy2(ROOT / "README.md", self.workspace / "README.md")
        self.pack(self.workspace, self.target)
        self.archive = self.workspace / "dist" / self.archive_name

        self.www = self.tmp / "www"
        self.good = self.release_folder("good", {self.archive_name: self.archive.read_bytes()})
        self.sign(self.good, key=self.key, password=PASSWORD, tag=VERSION)
        self.pin = sha256(self.good / VERSION / self.archive_name)
        self.start_server()

    # -- making releases

    def pack(self, workspace: Path, target: str) -> None:
        pack_archive(workspace, target)

    def release_folder(self, case: str, files: dict[str, bytes]) -> Path:
        """www/CASE/VERSION/ holding the files; returns www/CASE (the release base URL's path)."""
        folder = self.www / case / VERSION
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return self.www / case

    def sign(self, base: Path, key: str, password: str | None, tag: str, force: bool = False) -> None:
        """`vigil sign` as the action's sign step calls it: key and password from the environment.
        `force`: replace a release another key signed (vigil sign refuses without it)."""
        folder = base / VERSION
        files = sorted(p for p in folder.iterdir() if p.name.startswith("vigil-"))
        env = dict(os.environ, VIGIL_SIGNING_KEY=key)
        args = [self.vigil, "sign", "--key-env", "VIGIL_SIGNING_KEY", "--out-dir", folder]
        if password is not None:
            env["VIGIL_SIGNING_PASSWORD"] = password
            args += ["--password-env", "VIGIL_SIGNING_PASSWORD"]
        if force:
            args.append("--force")
        for name in ("GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_REF_NAME", "CI_COMMIT_TAG"):
            env.pop(name, None)
        check(args + ["--tag", tag, "--", *files], env=env)

    def copy_good(self, case: str) -> Path:
        shutil.copytree(self.good, self.www / case)
        return self.www / case

    def action_copy(self, pins: list[str]) -> Path:
        """A copy of the action folder holding the test key and these pin lines."""
        root = Path(tempfile.mkdtemp(dir=self.tmp, prefix="action-"))
        shutil.copytree(ACTION, root / "action")
        shutil.copy2(self.keys / "test.pub", root / "action" / "release-key.pub")
        with open(root / "action" / "pinned-releases.txt", "a") as f:
            for line in pins:
                f.write(line + "\n")
        return root

    # -- the server

    def start_server(self) -> None:
        self.server_log = open(self.tmp / "http.log", "w+")
        self.server, self.base_url = serve(self.www, self.server_log)

    def requests(self) -> str:
        self.server_log.flush()
        return (self.tmp / "http.log").read_text()

    def close(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.server.stdout.close()
        self.server_log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the runner step

    def download(self, case: str, action_root: Path, version: str = VERSION, arch: str | None = None,
                 url: str | None = None):
        """Runs action/download.sh as a runner step: a clean environment with the runner's variables."""
        runner = Path(tempfile.mkdtemp(dir=self.tmp, prefix="runner-"))
        url = url if url is not None else f"{self.base_url}/{case}"
        return run_download(runner, action_root, version, url, arch or self.arch)


R: Release | None = None


def setUpModule() -> None:  # noqa: N802 (unittest's name)
    global R
    R = Release()


def tearDownModule() -> None:  # noqa: N802
    if R is not None:
        R.close()


class Download(unittest.TestCase):
    """download.sh: a good release installs; everything else is refused before unpacking."""

    def refused(self, p, runner: Path, output: str, path: str, *expected: str) -> str:
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
        errors = [ln for ln in p.stdout.splitlines() if ln.startswith("::error")]
        self.assertEqual(len(errors), 1, p.stdout + p.stderr)
        for text in expected:
            self.assertIn(text, errors[0])
        self.assertEqual(output, "", "a refused download writes no output")
        self.assertEqual(path, "", "a refused download adds nothing to PATH")
        self.assertFalse((runner / "temp" / f"vigil-{VERSION}").exists(), "nothing may be unpacked")
        return errors[0]

    def test_good_release_installs_and_runs(self):
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        p, runner, output, path = R.download("good", action)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        dest = runner / "temp" / f"vigil-{VERSION}"
        self.assertEqual(path, f"{dest}\n")
        self.assertEqual(output, f"bin={dest}/vigil\n")
        self.assertEqual(sorted(os.listdir(dest)), ["README.md", "vigil"])
        self.assertTrue(os.access(dest / "vigil", os.X_OK))
        version = check([dest / "vigil", "--version"]).stdout
        self.assertRegex(version, r"^vigil \d+\.\d+\.\d+")
        self.assertIn("Signature and comment signature verified", p.stdout)
        self.assertIn(f"tag:{VERSION}", p.stdout)
        self.assertNotIn("::error", p.stdout)
        # the download folder is gone: only the unpacked release stays
        self.assertEqual(sorted(os.listdir(runner / "temp")), [f"vigil-{VERSION}"])

    def test_tampered_archive_is_refused(self):
        base = R.copy_good("tampered-archive")
        with open(base / VERSION / R.archive_name, "ab") as f:
            f.write(b"\0")
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("tampered-archive", action), R.archive_name, "does not match its line in SHA256SUMS")

    def test_tampered_sha256sums_is_refused(self):
        base = R.copy_good("tampered-sums")
        archive = base / VERSION / R.archive_name
        with open(archive, "ab") as f:
            f.write(b"\0")
        sums = base / VERSION / "SHA256SUMS"
        sums.write_text(sums.read_text().replace(R.pin, sha256(archive)))
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("tampered-sums", action), "SHA256SUMS.minisig does not verify", "does not match")

    def test_signature_by_another_key_is_refused(self):
        base = R.copy_good("other-key")
        R.sign(base, key=(R.keys / "other.key").read_text(), password=None, tag=VERSION, force=True)
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("other-key", action), "SHA256SUMS.minisig does not verify", "signed by key")

    def test_another_keys_signature_under_our_key_id_is_refused(self):
        base = R.copy_good("forged-key-id")
        R.sign(base, key=(R.keys / "other.key").read_text(), password=None, tag=VERSION, force=True)
        ours = base64.b64decode(R.pub_line)[2:10]
        sig_path = base / VERSION / "SHA256SUMS.minisig"
        lines = sig_path.read_text().splitlines()
        raw = bytearray(base64.b64decode(lines[1]))
        raw[2:10] = ours
        lines[1] = base64.b64encode(bytes(raw)).decode()
        sig_path.write_text("\n".join(lines) + "\n")
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("forged-key-id", action), "the signature does not match")

    def test_signature_for_another_version_is_refused(self):
        base = R.copy_good("replayed-tag")
        R.sign(base, key=R.key, password=PASSWORD, tag="v9.9.7")
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("replayed-tag", action), "names tag 'v9.9.7'", f"expected '{VERSION}'")

    def test_pin_that_differs_is_refused(self):
        other = "0" * 64
        action = R.action_copy([f"{VERSION} {R.archive_name} {other}"])
        self.refused(*R.download("good", action), "differs from the one pinned", other)

    def test_unpinned_version_is_refused_before_any_download(self):
        action = R.action_copy([f"v9.9.8 vigil-v9.9.8-{R.target}.tar.gz {R.pin}"])
        before = R.requests()
        error = self.refused(*R.download("good", action), "not pinned", "build from source", "pins v9.9.9")
        self.assertIn("use a ref of the vigil action", error)
        self.assertEqual(R.requests(), before, "an unpinned version must not be fetched")

    def test_version_pinned_for_other_platforms_only_is_refused(self):
        action = R.action_copy([f"{VERSION} vigil-{VERSION}-x86_64-apple-darwin.tar.gz {R.pin}"])
        self.refused(*R.download("good", action), f"pins {VERSION} but not {R.archive_name}")

    def test_missing_minisig_is_refused(self):
        base = R.copy_good("no-minisig")
        (base / VERSION / "SHA256SUMS.minisig").unlink()
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("no-minisig", action), "could not download SHA256SUMS.minisig", "404")

    def test_plain_http_to_another_host_is_refused(self):
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        self.refused(*R.download("good", action, url="http://example.invalid/releases"), "is not https://")

    def test_malformed_version_is_refused(self):
        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        p, runner, output, path = R.download("good", action, version="v1.2.3/../../x")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is not a release tag", p.stdout)
        self.assertEqual((output, path), ("", ""))

    def test_signed_and_pinned_archive_cannot_escape_its_folder(self):
        """Even an archive that passes every check is unpacked only as plain top-level files."""
        binary = (R.workspace / "target" / R.target / "release" / "vigil").read_bytes()
        escape = f"vigil-{VERSION}-x86_64-unknown-linux-musl.tar.gz"
        link = f"vigil-{VERSION}-aarch64-unknown-linux-musl.tar.gz"
        folder = R.www / "hostile" / VERSION
        folder.mkdir(parents=True)
        tar_gz(folder / escape, [(regular("vigil"), binary), (regular("../escaped"), b"#!/bin/sh\n")])
        sym = tarfile.TarInfo("vigil")
        sym.type, sym.linkname = tarfile.SYMTYPE, "/bin/sh"
        tar_gz(folder / link, [(sym, None)])
        R.sign(R.www / "hostile", key=R.key, password=PASSWORD, tag=VERSION)
        action = R.action_copy([
            f"{VERSION} {escape} {sha256(folder / escape)}",
            f"{VERSION} {link} {sha256(folder / link)}",
        ])
        p, runner, output, path = R.download("hostile", action, arch="X64")
        self.refused(p, runner, output, path, "could not unpack", "'../escaped'", "not a plain file name")
        self.assertFalse((runner / "temp" / "escaped").exists())
        self.assertFalse(any(runner.glob("**/escaped")))
        p, runner, output, path = R.download("hostile", action, arch="ARM64")
        self.refused(p, runner, output, path, "could not unpack", "is a link")


class ActionVersion(unittest.TestCase):
    """The whole action with `version:`, run step by step as a runner does: the release is
    downloaded, checked and used; a tampered one stops the job before vigil runs."""

    def run_action(self, case: str) -> "Result":
        from .github_runner import Runner

        action = R.action_copy([f"{VERSION} {R.archive_name} {R.pin}"])
        shutil.copy2(ROOT / "action.yml", action / "action.yml")
        ws = Path(tempfile.mkdtemp(dir=R.tmp, prefix="ws-"))
        (ws / "app.py").write_text("print('nothing secret')\n")
        runner = Runner(ws, "workflow_dispatch", {}, job_env={
            "VIGIL_RELEASE_URL": f"{R.base_url}/{case}",
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        }, runner_arch=R.arch)
        self.addCleanup(shutil.rmtree, runner.tmp, True)
        return runner.run_action(action, {"version": VERSION, "paths": ".", "sarif": "false"})

    def test_a_pinned_signed_release_is_installed_and_runs(self):
        result = self.run_action("good")
        self.assertEqual(result.exit_code, 0, result.log())
        self.assertTrue(result.outputs["bin"].endswith(f"vigil-{VERSION}/vigil"), result.outputs)
        self.assertEqual(result.outputs["verdict"], "clean")
        self.assertEqual(result.step("__1").outcome, "skipped", "no build cache for a release")
        self.assertIn("scanned 1 file", result.step("run").stderr)

    def test_a_tampered_release_stops_the_job_before_vigil_runs(self):
        base = R.copy_good("action-tampered")
        with open(base / VERSION / R.archive_name, "ab") as f:
            f.write(b"\0")
        result = self.run_action("action-tampered")
        self.assertEqual(result.conclusion, "failure")
        self.assertEqual(result.step("install").outcome, "failure")
        self.assertEqual(result.step("run").outcome, "skipped")
        self.assertIn("does not match its line in SHA256SUMS", result.annotations[0].message)
        self.assertEqual(result.outputs["verdict"], "")


class ReadmeInstall(unittest.TestCase):
    """The README's install commands, run as written, with the test key in the project key's place."""

    BLOCK = re.compile(r"<!-- release-install:begin -->(.*?)<!-- release-install:end -->", re.S)

    def commands(self) -> str:
        section = self.BLOCK.search((ROOT / "README.md").read_text())
        self.assertIsNotNone(section, "README.md: no release-install section")
        blocks = re.findall(r"```sh\n(.*?)```", section.group(1), re.S)
        self.assertEqual(len(blocks), 4, "download, minisign, ssh-keygen, unpack")
        return "\n".join(blocks)

    def test_readme_names_the_committed_key(self):
        script = self.commands()
        pub = (ACTION / "release-key.pub").read_text().splitlines()[1]
        signers = (ACTION / "release-key.allowed_signers").read_text().strip()
        self.assertIn(f"minisign -Vm SHA256SUMS -P {pub}\n", script)
        self.assertIn(f"echo '{signers}' >allowed_signers\n", script)
        self.assertIn("-I release@vigil -n file", script)
        ssh_pub = (ACTION / "release-key.ssh.pub").read_text().split()
        self.assertEqual(signers.split()[2:4], ssh_pub[:2], "allowed_signers and release-key.ssh.pub differ")
        # the committed minisign and OpenSSH keys are one key
        self.assertEqual(base64.b64decode(pub)[10:], base64.b64decode(ssh_pub[1])[-32:])

    def localize(self, script: str, key_line: str | None = None, signers: str | None = None) -> str:
        """The README's commands against the local server; keys replaced when given."""
        replacements = {
            "VERSION=v0.2.0\n": f"VERSION={VERSION}\n",
            "TARGET=x86_64-unknown-linux-musl\n": f"TARGET={R.target}\n",
            "BASE=https://github.com/vigil-dev/vigil/releases/download/$VERSION\n":
                f"BASE={R.base_url}/good/$VERSION\n",
        }
        if key_line is not None:
            replacements[(ACTION / "release-key.pub").read_text().splitlines()[1]] = key_line
        if signers is not None:
            replacements[(ACTION / "release-key.allowed_signers").read_text().strip()] = signers
        for old, new in replacements.items():
            self.assertEqual(script.count(old), 1, f"README.md's install commands: {old!r}")
            script = script.replace(old, new)
        return script

    def test_commands_verify_a_release(self):
        script = self.localize(self.commands(), R.pub_line, R.allowed_signers)
        work = Path(tempfile.mkdtemp(dir=R.tmp, prefix="readme-"))
        p = run(["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", script], cwd=work)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        out = p.stdout + p.stderr
        self.assertIn("Signature and comment signature verified", out)
        self.assertIn(f"tag:{VERSION}", out)
        self.assertIn(f"{R.archive_name}: OK", out)
        self.assertIn('Good "file" signature for release@vigil', out)
        self.assertRegex(p.stdout, r"vigil \d+\.\d+\.\d+")

    def test_commands_refuse_a_release_signed_by_another_key(self):
        # With the project's real key left in place, the test key's release must not verify:
        # not with minisign, and not with ssh-keygen.
        script = self.localize(self.commands())
        download, minisign_part, ssh_part, _ = re.split(r"\n(?=minisign -Vm|echo 'release@vigil|tar -xzf)", script)
        for part in (minisign_part, ssh_part):
            work = Path(tempfile.mkdtemp(dir=R.tmp, prefix="readme-"))
            p = run(["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", download + "\n" + part], cwd=work)
            self.assertNotEqual(p.returncode, 0, part)
            self.assertNotIn(": OK", p.stdout)

    def test_commands_refuse_a_tampered_archive(self):
        base = R.www / "readme-tampered"
        if not base.exists():
            R.copy_good("readme-tampered")
            with open(base / VERSION / R.archive_name, "ab") as f:
                f.write(b"\0")
        script = self.localize(self.commands(), R.pub_line, R.allowed_signers).replace("/good/", "/readme-tampered/")
        work = Path(tempfile.mkdtemp(dir=R.tmp, prefix="readme-"))
        p = run(["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", script], cwd=work)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("FAILED", p.stdout)
        self.assertFalse((work / "vigil").exists(), "the README stops before unpacking")


class VerifyReleaseWithMinisign(unittest.TestCase):
    """verify_release.py against signatures made by the real minisign, and RFC 8032's vectors."""

    @classmethod
    def setUpClass(cls):
        need("minisign")
        cls.dir = Path(tempfile.mkdtemp(dir=R.tmp, prefix="minisign-"))
        for name in ("a", "b"):
            check(["minisign", "-G", "-W", "-p", cls.dir / f"{name}.pub", "-s", cls.dir / f"{name}.key"])
        cls.file = cls.dir / "SHA256SUMS"
        cls.file.write_text("0" * 64 + "  vigil-v1.0.0-x.tar.gz\n")
        check(["minisign", "-S", "-s", cls.dir / "a.key", "-m", cls.file, "-t", "file:SHA256SUMS\ttag:v1.0.0"])
        cls.sig = cls.dir / "SHA256SUMS.minisig"

    def verify(self, *args: str | Path):
        return run([sys.executable, ACTION / "verify_release.py", "verify", *args])

    def copy(self, name: str, transform) -> Path:
        path = self.dir / name
        path.write_bytes(transform(self.sig.read_bytes()))
        return path

    def test_good_signature(self):
        p = self.verify("-p", self.dir / "a.pub", self.file)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Signature and comment signature verified", p.stdout)
        self.assertIn("Trusted comment: file:SHA256SUMS\ttag:v1.0.0", p.stdout)
        pub = (self.dir / "a.pub").read_text().splitlines()[1]
        p = self.verify("-P", pub, "--tag", "v1.0.0", "--file-name", "SHA256SUMS", self.file)
        self.assertEqual(p.returncode, 0, p.stderr)
        # minisign itself agrees
        check(["minisign", "-V", "-p", self.dir / "a.pub", "-m", self.file])

    def test_wrong_key(self):
        p = self.verify("-p", self.dir / "b.pub", self.file)
        self.assertEqual(p.returncode, 1)
        self.assertIn("signed by key", p.stderr)
        self.assertNotEqual(run(["minisign", "-V", "-p", self.dir / "b.pub", "-m", self.file]).returncode, 0)

    def test_corrupted_signature(self):
        def flip(data: bytes) -> bytes:
            lines = data.split(b"\n")
            raw = bytearray(base64.b64decode(lines[1]))
            raw[20] ^= 0x01
            lines[1] = base64.b64encode(bytes(raw))
            return b"\n".join(lines)
        bad = self.copy("flipped.minisig", flip)
        p = self.verify("-p", self.dir / "a.pub", "-x", bad, self.file)
        self.assertEqual(p.returncode, 1)
        self.assertIn("the signature does not match", p.stderr)
        self.assertNotEqual(run(["minisign", "-V", "-p", self.dir / "a.pub", "-x", bad, "-m", self.file]).returncode, 0)

    def test_changed_trusted_comment(self):
        bad = self.copy("comment.minisig", lambda d: d.replace(b"tag:v1.0.0", b"tag:v9.0.0"))
        p = self.verify("-p", self.dir / "a.pub", "-x", bad, self.file)
        self.assertEqual(p.returncode, 1)
        self.assertIn("trusted comment's signature is invalid", p.stderr)

    def test_trusted_comment_fields(self):
        p = self.verify("-p", self.dir / "a.pub", "--tag", "v2.0.0", self.file)
        self.assertEqual(p.returncode, 1)
        self.assertIn("names tag 'v1.0.0', expected 'v2.0.0'", p.stderr)

    def test_changed_file(self):
        changed = self.dir / "changed"
        changed.write_text(self.file.read_text() + "x")
        p = self.verify("-p", self.dir / "a.pub", "-x", self.sig, changed)
        self.assertEqual(p.returncode, 1)

    def test_legacy_signature_is_refused(self):
        legacy = self.dir / "legacy.txt"
        legacy.write_text("hello\n")
        check(["minisign", "-S", "-l", "-s", self.dir / "a.key", "-m", legacy])
        check(["minisign", "-V", "-p", self.dir / "a.pub", "-m", legacy])
        p = self.verify("-p", self.dir / "a.pub", legacy)
        self.assertEqual(p.returncode, 1)
        self.assertIn("legacy", p.stderr)

    def test_malformed_files(self):
        truncated = self.copy("truncated.minisig", lambda d: b"\n".join(d.split(b"\n")[:3]))
        p = self.verify("-p", self.dir / "a.pub", "-x", truncated, self.file)
        self.assertEqual(p.returncode, 2)
        self.assertIn("expected 4", p.stderr)
        p = self.verify("-P", "not base64!", self.file)
        self.assertEqual(p.returncode, 2)
        p = self.verify("-p", self.dir / "missing.pub", self.file)
        self.assertEqual(p.returncode, 2)

    def test_rfc8032_vectors(self):
        sys.path.insert(0, str(ACTION))
        try:
            import verify_release as vr
        finally:
            sys.path.pop(0)
        vectors = [  # RFC 8032 7.1, TEST 1 and TEST 2
            ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ]
        for pk, msg, sig in vectors:
            pk, msg, sig = bytes.fromhex(pk), bytes.fromhex(msg), bytes.fromhex(sig)
            self.assertTrue(vr.ed25519_verify(pk, msg, sig))
            self.assertFalse(vr.ed25519_verify(pk, msg + b"x", sig))
            bad = bytearray(sig)
            bad[0] ^= 1
            self.assertFalse(vr.ed25519_verify(pk, msg, bytes(bad)))
            # S + L is the same point arithmetic but not canonical: refused
            s = int.from_bytes(sig[32:], "little") + vr.L
            self.assertFalse(vr.ed25519_verify(pk, msg, sig[:32] + s.to_bytes(32, "little")))
        # a small-order public key (the identity) is refused
        identity = (1).to_bytes(32, "little")
        self.assertFalse(vr.ed25519_verify(identity, b"", identity + bytes(32)))


class Extract(unittest.TestCase):
    """verify_release.py extract: the zip (Windows) and tar.gz layouts, and hostile entries."""

    def extract(self, archive: Path, binary: str = "vigil.exe"):
        dest = archive.parent / (archive.name + ".out")
        p = run([sys.executable, ACTION / "verify_release.py", "extract", "--archive", archive,
                 "--dest", dest, "--binary", binary])
        return p, dest

    def zip(self, name: str, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
        folder = Path(tempfile.mkdtemp(dir=R.tmp, prefix="zip-"))
        path = folder / name
        with zipfile.ZipFile(path, "w") as z:
            for info, data in entries:
                z.writestr(info, data)
        return path

    def test_zip_with_top_level_files(self):
        p, dest = self.extract(self.zip("ok.zip", [("vigil.exe", b"MZ"), ("README.md", b"# vigil\n")]))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(dest)), ["README.md", "vigil.exe"])

    def test_zip_entries_that_leave_the_folder(self):
        for name in ("../vigil.exe", "..\\evil.exe", "/abs.exe", "C:evil.exe", "sub/vigil.exe"):
            p, dest = self.extract(self.zip("bad.zip", [("vigil.exe", b"MZ"), (name, b"x")]))
            self.assertEqual(p.returncode, 1, name)
            self.assertIn("not a plain file name", p.stderr)
            self.assertFalse(dest.exists())

    def test_zip_symlink(self):
        link = zipfile.ZipInfo("vigil.exe")
        link.external_attr = (0o120777 << 16)
        p, dest = self.extract(self.zip("link.zip", [(link, b"/bin/sh")]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a regular file", p.stderr)
        self.assertFalse(dest.exists())

    def test_tar_with_dot_prefix_and_without_the_binary(self):
        folder = Path(tempfile.mkdtemp(dir=R.tmp, prefix="tar-"))
        dot = tarfile.TarInfo(".")
        dot.type = tarfile.DIRTYPE
        tar_gz(folder / "dot.tar.gz", [(dot, None), (regular("./vigil"), b"\x7fELF")])
        p, dest = self.extract(folder / "dot.tar.gz", "vigil")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(dest), ["vigil"])
        tar_gz(folder / "none.tar.gz", [(regular("README.md", 0o644), b"x")])
        p, dest = self.extract(folder / "none.tar.gz", "vigil")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no 'vigil' at the archive's top level", p.stderr)
        hard = tarfile.TarInfo("vigil")
        hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
        tar_gz(folder / "hard.tar.gz", [(hard, None)])
        p, dest = self.extract(folder / "hard.tar.gz", "vigil")
        self.assertEqual(p.returncode, 1)
        self.assertIn("is a link", p.stderr)


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


class StaticChecks(unittest.TestCase):
    """action.yml and every workflow validate against GitHub's schemas and pass zizmor; the
    action's scripts and every workflow's `run:` steps pass shellcheck; the release
    workflow's shape; the action's documented inputs are action.yml's."""

    def test_action_and_workflow_schemas(self):
        need("check-jsonschema")
        self.assertGreaterEqual(len(WORKFLOWS), 3, WORKFLOWS)
        check(["check-jsonschema", "--builtin-schema", "vendor.github-actions", ROOT / "action.yml"])
        check(["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS])

    def test_zizmor(self):
        need("zizmor")
        p = run(["zizmor", "--offline", "--no-progress", "."], cwd=ROOT)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("No findings to report", p.stdout)

    def test_shellcheck(self):
        need("shellcheck")
        scripts = sorted(ACTION.glob("*.sh"))
        self.assertGreaterEqual(len(scripts), 5, scripts)
        check(["shellcheck", *scripts])

    def test_workflow_run_steps_pass_shellcheck(self):
        need("shellcheck")
        folder = Path(tempfile.mkdtemp(dir=R.tmp, prefix="steps-"))
        for path in WORKFLOWS:
            wf = yaml.safe_load(path.read_text())
            for job_name, job in wf["jobs"].items():
                for n, step in enumerate(job["steps"]):
                    if "run" in step:
                        script = folder / f"{path.stem}-{job_name}-{n}.sh"
                        script.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"])
                        p = run(["shellcheck", script])
                        self.assertEqual(p.returncode, 0, f"{path.name} {job_name}: {step.get('name')}:\n{p.stdout}")

    def test_action_docs_list_its_inputs_and_outputs(self):
        check([sys.executable, ROOT / "scripts" / "action-docs.py", "--check"])

    def test_release_workflow_shape(self):
        wf = yaml.safe_load(WORKFLOW.read_text())
        self.assertEqual(wf[True]["push"]["tags"], ["v*"])  # YAML 1.1 reads `on` as true
        self.assertEqual(wf["permissions"], {})
        writers = [name for name, job in wf["jobs"].items() if job.get("permissions", {}).get("contents") == "write"]
        self.assertEqual(writers, ["publish"])
        for name, job in wf["jobs"].items():
            self.assertIn("permissions", job, name)
            for step in job["steps"]:
                uses = step.get("uses")
                if uses:
                    self.assertRegex(uses, r"^(\./|[\w.-]+/[\w./-]+@[0-9a-f]{40})$", f"{name}: {uses}")
                    self.assertNotIn("actions/cache", uses, "no caches in the release workflow")
                    if uses.startswith("actions/checkout@"):
                        self.assertIs(step["with"]["persist-credentials"], False, name)
                if "run" in step:
                    self.assertNotIn("${{", step["run"], f"{name}: {step.get('name')}: expressions go through env:")
        sign = next(s for s in wf["jobs"]["sign"]["steps"] if s.get("uses") == "./")
        self.assertEqual(sign["with"]["command"], "sign")
        self.assertEqual(sign["with"]["files"], "dist/*")
        self.assertEqual(sign["with"]["cache"], "false")
        self.assertEqual(sign["with"]["signing-key"], "${{ secrets.VIGIL_RELEASE_KEY }}")
        self.assertEqual(sign["with"]["signing-password"], "${{ secrets.VIGIL_RELEASE_KEY_PASSWORD }}")
        self.assertNotIn("secrets.", yaml.safe_dump(wf["jobs"]["build"]), "no secrets in the build job")
        self.assertNotIn("secrets.", yaml.safe_dump(wf["jobs"]["publish"]), "no key in the job that can write")
        targets = {m["target"] for m in wf["jobs"]["build"]["strategy"]["matrix"]["include"]}
        self.assertEqual(targets, {
            "x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl", "aarch64-apple-darwin",
            "x86_64-apple-darwin", "x86_64-pc-windows-msvc",
        })

    def test_committed_key_is_the_one_the_docs_name(self):
        pub = (ACTION / "release-key.pub").read_text().splitlines()
        self.assertEqual(len(pub), 2)
        self.assertTrue(pub[0].startswith("untrusted comment: minisign public key "))
        key_id = base64.b64decode(pub[1])[2:10]
        self.assertTrue(pub[0].endswith(f"{int.from_bytes(key_id, 'little'):016X}"))
        releasing = (ROOT / "docs" / "releasing.md").read_text()
        self.assertIn(pub[1], releasing)
        self.assertEqual(list(ACTION.glob("*.key")), [], "no secret key in action/")

    def test_pinned_releases_are_well_formed(self):
        for n, line in enumerate((ACTION / "pinned-releases.txt").read_text().splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            self.assertRegex(line, r"^v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)? vigil-v\S+-[\w-]+\.(tar\.gz|zip) [0-9a-f]{64}$",
                             f"action/pinned-releases.txt:{n}")


if __name__ == "__main__":
    unittest.main()
