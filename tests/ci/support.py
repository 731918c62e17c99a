"""What the tests in tests/ci share: the repository root and the vigil binary."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def vigil_bin() -> Path:
    """The vigil binary under test: $VIGIL_BIN, else the debug build in
    $CARGO_TARGET_DIR (or target/). A missing binary fails the test, never skips it."""
    env = os.environ.get("VIGIL_BIN")
    if env:
        path = Path(env)
    else:
        target = Path(os.environ.get("CARGO_TARGET_DIR") or "target")
        path = (target if target.is_absolute() else ROOT / target) / "debug" / "vigil"
    if not path.is_file():
        raise AssertionError(f"no vigil binary at {path}: run `cargo build` or set VIGIL_BIN")
    return path.resolve()
