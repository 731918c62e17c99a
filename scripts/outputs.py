#!/usr/bin/env python3
"""Runs the `vigil` binary over fixed fixtures in every command and output format, and
writes what it printed and wrote, one file per case, with what changes from run to run
masked (clock times, durations, and the keys and object ids that fixture scripts make
afresh). Two binaries that behave the same write byte-identical folders.

usage: scripts/outputs.py VIGIL_BINARY OUT_DIR

It proves refactors changed nothing: `scripts/test` compares the current binary's
folder with fixtures/outputs/, written by the commit before a refactor. A change that
means to alter output rewrites fixtures/outputs/ in the same commit:
    cargo build && scripts/outputs.py target/debug/vigil fixtures/outputs
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["human", "json", "jsonl", "sarif", "gitlab", "github", "markdown", "junit"]


class Runner:
    def __init__(self, binary, out, work):
        self.binary = binary
        self.out = out
        self.work = work
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work / "home"),
            "TZ": "UTC",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
        }
        (work / "home").mkdir(exist_ok=True)

    def run(self, name, args, cwd, stdin=None, env=None, files=(), mask_ids=False, verdicts=False):
        """Runs vigil ARGS in CWD; records exit code, stdout, stderr and FILES (relative to CWD).
        VERDICTS: stdout lists verification verdicts, put in a canonical order (the walk
        order of commits made afresh with equal dates follows their random ids)."""
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run(
            [str(self.binary)] + args, cwd=cwd, input=stdin, capture_output=True, env=e
        )
        stdout = p.stdout.decode("utf-8", "replace")
        if verdicts:
            stdout = canonical_verdicts(stdout)
        parts = [
            f"$ vigil {' '.join(args)}",
            f"exit: {p.returncode}",
            "--- stdout",
            stdout,
            "--- stderr",
            p.stderr.decode("utf-8", "replace"),
        ]
        for f in files:
            path = Path(cwd) / f
            parts.append(f"--- file {f}")
            parts.append(path.read_text("utf-8", "replace") if path.exists() else "(absent)")
        self.write(name, "\n".join(parts), mask_ids)

    def write(self, name, text, mask_ids=False):
        (self.out / f"{name}.txt").write_text(mask(text, self.work, mask_ids), "utf-8")


def mask(text, work, mask_ids):
    text = text.replace(str(work), "<WORK>")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?", "<TIME>", text)
    text = re.sub(r"\bin \d+\.\d+ s\b", "in <ELAPSED> s", text)
    text = re.sub(r'(time=")\d+\.\d+(")', r"\1<ELAPSED>\2", text)
    text = re.sub(r'("(?:elapsed|duration)[a-z_]*": ?)[0-9.e-]+', r"\1<ELAPSED>", text)
    text = re.sub(r"(\| *(?:Time|Elapsed)[^|]*\| *)\d+\.\d+ s", r"\1<ELAPSED> s", text)
    if mask_ids:
        text = number(text, r"\b[0-9a-f]{40}\b|\b[0-9a-f]{64}\b", "OBJ")
        text = number(text, r"SHA256:[A-Za-z0-9+/]{43}", "FP")
        text = number(text, r"\b[0-9A-F]{16}\b|\b[0-9A-F]{40}\b", "KEYID")
        text = number(text, r"[A-Za-z0-9+/]{40,}={0,2}", "B64")
        text = re.sub(r"\b(commit|tag) [0-9a-f]{7,12}\b", r"\1 <SHORT>", text)
    return text


def canonical_verdicts(stdout):
    """Sorts the verdicts of a verify report by what they say apart from ids; also masks
    what gpg makes afresh (key times, the bytes of a broken signature)."""
    stdout = re.sub(r"the key (was revoked|expired) at \d+", r"the key \1 at <KEYTIME>", stdout)
    stdout = re.sub(r"`\[\d+, \d+\]`", "`[<BYTES>]`", stdout)

    def key(text):
        text = re.sub(r"^(commit|tag) [0-9a-f]+", r"\1", text)
        return re.sub(r"\b[0-9a-f]{40}\b|\b[0-9a-f]{64}\b|SHA256:[A-Za-z0-9+/]{43}|\b[0-9A-F]{16,40}\b", "#", text)

    if stdout.lstrip().startswith("{"):
        report = json.loads(stdout)
        ids = ("commit", "tag", "fingerprint")
        # Records that say the same apart from their ids keep the walk order, which
        # follows random ids; when a reference names the same object (a lightweight tag
        # names a commit), its name breaks the tie, so ids are numbered the same each run.
        refs_of = {}
        for v in report["verdicts"]:
            if v.get("ref"):
                refs_of.setdefault(v.get("tag"), []).append(v["ref"])
        report["verdicts"].sort(
            key=lambda v: (
                key(json.dumps({k: x for k, x in v.items() if k not in ids}, sort_keys=True)),
                sorted(refs_of.get(v.get("commit") or v.get("tag"), [])),
            )
        )
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    head, blocks, tail = [], [], []
    for line in stdout.splitlines(keepends=True):
        if re.match(r"(commit|tag) ", line):
            blocks.append(line)
        elif blocks and line.startswith(" ") and not tail:
            blocks[-1] += line
        elif blocks:
            tail.append(line)
        else:
            head.append(line)
    return "".join(head + sorted(blocks, key=key) + tail)


def number(text, pattern, label):
    """Replaces each distinct match with LABEL-n, numbered by first appearance."""
    seen = {}

    def sub(m):
        return f"<{label}-{seen.setdefault(m.group(0), len(seen) + 1)}>"

    return re.sub(pattern, sub, text)


def sh(*args, cwd=None, env=None):
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def folder_cases(r):
    app = r.work / "leaky-app"
    shutil.copytree(ROOT / "examples/leaky-app", app)
    for f in FORMATS:
        r.run(f"scan-folder-{f}", ["scan", ".", "--format", f, "--color", "never"], app)
    r.run("scan-folder-no-redact", ["scan", ".", "--format", "json", "--no-redact"], app)
    r.run(
        "scan-folder-reports",
        ["scan", ".", "--format", "sarif", "--report-path", "r.sarif", "--report", "junit=r.xml"],
        app,
        files=["r.sarif", "r.xml"],
    )
    r.run("scan-folder-color", ["scan", ".", "--color", "always", "-j", "1"], app)
    r.run("scan-missing-path", ["scan", "no-such-dir"], app)
    r.run("scan-bad-size", ["scan", ".", "--max-file-size", "ten"], app)
    r.run("scan-size-zero", ["scan", ".", "--max-file-size", "0", "--format", "json"], app)
    r.run("scan-two-stdout", ["scan", ".", "--format", "json", "--format", "sarif"], app)
    r.run(
        "scan-stdin",
        ["scan", "-", "--format", "json", "--stdin-name", "pasted.env"],
        app,
        stdin=(app / "config/settings.yaml").read_bytes(),
    )
    for cmd in ["", "scan", "rules", "baseline", "baseline create", "baseline import", "migrate",
                "keygen", "sign", "verify-artifact", "verify", "report", "report merge"]:
        r.run(f"help-{cmd.replace(' ', '-') or 'vigil'}", cmd.split() + ["--help"], app)
    r.run("rules-human", ["rules"], app)
    r.run("rules-json", ["rules", "--format", "json"], app)

    base = r.work / "baseline-app"
    shutil.copytree(ROOT / "examples/leaky-app", base)
    sh("git", "init", "-q", cwd=base)
    r.run(
        "baseline-create",
        ["baseline", "create", ".", "--reason", "accepted for the sample", "--expires", "2999-01-01"],
        base,
        files=[".vigil-baseline", ".gitattributes"],
    )
    r.run("baseline-scan", ["scan", ".", "--baseline", ".vigil-baseline", "--format", "json"], base)
    (base / "config/settings.yaml").write_text("nothing here any more\n")
    r.run("baseline-prune-dry", ["baseline", "prune", ".", "--dry-run"], base)
    r.run("baseline-prune", ["baseline", "prune", "."], base, files=[".vigil-baseline"])


def gitleaks_cases(r):
    repo = r.work / "gitleaks-repo"
    shutil.copytree(ROOT / "fixtures/gitleaks/repo", repo)
    for f in ["gitleaks-report.json", "secrets.baseline"]:
        shutil.copy(ROOT / "fixtures/gitleaks" / f, r.work / f)
    sh("git", "init", "-q", cwd=repo)
    r.run("gitleaks-scan", ["scan", ".", "--format", "json"], repo)
    r.run("gitleaks-scan-no-config", ["scan", ".", "--no-config", "--format", "json"], repo)
    r.run("gitleaks-migrate", ["migrate", "gitleaks"], repo)
    r.run(
        "baseline-import-gitleaks",
        ["baseline", "import", ".", "--gitleaks-report", "../gitleaks-report.json", "--baseline", "b1"],
        repo,
        files=["b1"],
    )
    r.run(
        "baseline-import-ignore",
        ["baseline", "import", ".", "--gitleaksignore", ".gitleaksignore", "--baseline", "b2"],
        repo,
        files=["b2"],
    )
    r.run(
        "baseline-import-detect-secrets",
        ["baseline", "import", ".", "--detect-secrets", "../secrets.baseline", "--baseline", "b3"],
        repo,
        files=["b3"],
    )


def git_cases(r):
    build = ROOT / "fixtures/git/build.sh"
    for scenario in ["staged", "staged-merge", "range", "history", "deep"]:
        sh("bash", str(build), scenario, str(r.work / f"git-{scenario}"))
    staged = r.work / "git-staged"
    for f in ["human", "json", "sarif"]:
        r.run(f"scan-staged-{f}", ["scan", "--staged", "--format", f], staged)
    r.run("scan-staged-merge", ["scan", "--staged", "--format", "json"], r.work / "git-staged-merge")
    rng = r.work / "git-range"
    for f in FORMATS:
        r.run(f"scan-range-{f}", ["scan", "--range", "c-base..main", "--format", f], rng)
    r.run("scan-since", ["scan", "--since", "c-main-note", "--format", "json"], rng)
    r.run("scan-range-bad", ["scan", "--range", "c-base..no-such-branch"], rng)
    r.run("scan-range-reversed", ["scan", "--range", "main..c-base", "--format", "json"], rng)
    hist = r.work / "git-history"
    for f in FORMATS:
        r.run(f"scan-history-{f}", ["scan", "--history", "--format", f], hist)
    for k in ["1/2", "2/2"]:
        r.run(f"scan-history-shard-{k[0]}", ["scan", "--history", "--shard", k, "--format", "json"], hist)
    # The fan-in of a sharded scan: the shards' reports merged (in another order).
    for f in ["json", "sarif"]:
        for k in ["1/2", "2/2"]:
            subprocess.run(
                [str(r.binary), "scan", "--history", "--shard", k, "--format", f, "--report-path", f"shard-{k[0]}.{f}"],
                cwd=hist, env=r.env, capture_output=True, check=False,
            )
        r.run(f"report-merge-{f}", ["report", "merge", f"shard-2.{f}", f"shard-1.{f}"], hist)
    r.run("report-merge-mixed", ["report", "merge", "shard-1.json", "shard-2.sarif"], hist)
    r.run("report-merge-missing", ["report", "merge", "shard-1.json"], hist)
    r.run("scan-history-deep", ["scan", "--history", "--format", "json"], r.work / "git-deep")


def verify_cases(r):
    build = ROOT / "fixtures/verify/build.sh"
    cases = r.work / "verify-cases"
    policy = r.work / "verify-policy"
    sh("bash", str(build), "cases", str(cases))
    sh("bash", str(build), "policy", str(policy))
    trust = cases / "trust"
    one_off = [
        "--allowed-signers", str(trust / "allowed_signers"),
        "--revoked-keys", str(trust / "revoked_keys"),
        "--keyring", str(trust / "keyring.asc"),
        "--now", "1800000000",
    ]
    repo = cases / "repo"
    v = {"mask_ids": True, "verdicts": True}
    r.run("verify-all-human", ["verify", "--all", "--tags", "-v", "--color", "never"] + one_off, repo, **v)
    r.run("verify-all-json", ["verify", "--all", "--tags", "--format", "json"] + one_off, repo, **v)
    r.run("verify-claimed", ["verify", "--all", "--key-time", "claimed", "--format", "json"] + one_off, repo, **v)
    r.run("verify-no-policy", ["verify"], repo, **v)
    # The CI formats, over named objects (their order is the order given).
    revs = []
    for name in ["ssh-ed25519", "ssh-untrusted", "ssh-revoked", "unsigned-root"]:
        revs += ["--rev", f"c-{name}"]
    for f in ["jsonl", "sarif", "junit", "github", "markdown"]:
        r.run(f"verify-revs-{f}", ["verify", "--format", f] + revs + one_off, repo, mask_ids=True)
    r.run("verify-policy-json", ["verify", "--all", "--format", "json", "--now", "1800000000"], policy / "repo", **v)
    r.run("verify-policy-human", ["verify", "--now", "1800000000", "-v"], policy / "repo", **v)


def signing_cases(r):
    d = r.work / "release"
    (d / "dist").mkdir(parents=True)
    for name, size in [("app-linux.tar.gz", 100_000), ("app-macos.tar.gz", 3), ("notes.txt", 0)]:
        (d / "dist" / name).write_bytes(bytes(i % 251 for i in range(size)))
    r.run("keygen", ["keygen", "--unencrypted", "--out-dir", "keys", "--identity", "rel@example.org"], d, mask_ids=True)
    r.run("keygen-exists", ["keygen", "--unencrypted", "--out-dir", "keys"], d, mask_ids=True)
    ctx = {"SOURCE_DATE_EPOCH": "1700000000"}
    r.run(
        "sign",
        ["sign", "--key", "keys/vigil.key", "--tag", "v1.2.3", "--commit", "a" * 40,
         "--repository", "https://example.org/app", "dist/app-linux.tar.gz", "dist/app-macos.tar.gz",
         "dist/notes.txt", "--per-file"],
        d,
        env=ctx,
        files=["dist/SHA256SUMS"],
        mask_ids=True,
    )
    envelope = json.loads((d / "dist/provenance.intoto.jsonl").read_text().splitlines()[0])
    statement = json.loads(base64.b64decode(envelope["payload"]))
    r.write("sign-provenance", json.dumps(statement, indent=2, sort_keys=True) + "\n", mask_ids=True)
    keys = ["--minisign-key", "keys/vigil.pub", "--ssh-key", "keys/vigil.ssh.pub"]
    expect = ["--tag", "v1.2.3", "--commit", "a" * 40, "--repository", "https://example.org/app", "--builder", "local"]
    for f in ["human", "json"]:
        r.run(f"verify-artifact-{f}", ["verify-artifact", "--dir", "dist", "--format", f, "--per-file"] + keys + expect, d, mask_ids=True)
    r.run("verify-artifact-wrong-tag", ["verify-artifact", "--dir", "dist", "--tag", "v9"] + keys, d, mask_ids=True)
    r.run("verify-artifact-no-key", ["verify-artifact", "--dir", "dist"], d, mask_ids=True)
    (d / "dist/app-macos.tar.gz").write_bytes(b"tampered")
    r.run("verify-artifact-tampered", ["verify-artifact", "--dir", "dist", "--format", "json"] + keys, d, mask_ids=True)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary = Path(sys.argv[1]).resolve()
    out = Path(sys.argv[2])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="vigil-outputs-") as tmp:
        r = Runner(binary, out, Path(tmp).resolve())
        folder_cases(r)
        gitleaks_cases(r)
        git_cases(r)
        verify_cases(r)
        signing_cases(r)
    print(f"{len(list(out.iterdir()))} outputs written to {out}")


if __name__ == "__main__":
    main()
