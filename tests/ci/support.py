"""What the CI-door tests share: the vigil binary, real git repositories, fake tokens."""
from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def vigil_bin() -> Path:
    """The vigil binary under test: $VIGIL_BIN, else cargo's debug build."""
    if os.environ.get("VIGIL_BIN"):
        path = Path(os.environ["VIGIL_BIN"])
    else:
        path = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "vigil"
    if not path.is_file():
        raise RuntimeError(f"{path}: no vigil binary (build it with `cargo build`, or set VIGIL_BIN)")
    return path.resolve()


def need(*tools: str) -> None:
    """A missing tool fails the test (never a silent skip): scripts/test installs them."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise RuntimeError(f"missing tools {missing}: run scripts/test, which installs them")


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: int = 1_700_000_000) -> str:
    env = dict(os.environ, **GIT_ENV)
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{date} +0000"
    p = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    if p.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {repo}: {p.stderr}")
    return p.stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str, date: int) -> str:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(n: int) -> str:
    """A fake GitHub classic token in the documented format: `ghp_`, 30 random-looking
    base62 characters, then their CRC32 in 6 base62 characters. Distinct for each n."""
    body, x = "", (n + 1) * 2_654_435_761
    for _ in range(30):
        x = (x * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) % 2**64
        body += _BASE62[(x >> 33) % 62]
    crc, check = zlib.crc32(body.encode()), ""
    for _ in range(6):
        check = _BASE62[crc % 62] + check
        crc //= 62
    return "ghp_" + body + check
