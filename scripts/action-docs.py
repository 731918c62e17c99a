#!/usr/bin/env python3
"""Writes the tables of inputs and outputs in docs/github-action.md from action.yml, or
with --check fails when the document differs from what it would write (tests run it)."""
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "github-action.md"
BEGIN, END = "<!-- action-tables: begin (scripts/action-docs.py) -->", "<!-- action-tables: end -->"


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def tables() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    out = [BEGIN, "", "## Inputs", "", "| Input | Default | Description |", "|---|---|---|"]
    for name, spec in action["inputs"].items():
        default = spec.get("default", "")
        shown = f"`{default}`" if default else "(empty)"
        out.append(f"| `{name}` | {shown} | {cell(spec['description'])} |")
    out += ["", "## Outputs", "", "| Output | Description |", "|---|---|"]
    for name, spec in action["outputs"].items():
        out.append(f"| `{name}` | {cell(spec['description'])} |")
    return "\n".join(out + ["", END])


def main() -> int:
    text = DOC.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        print(f"{DOC}: no {BEGIN} ... {END} block", file=sys.stderr)
        return 1
    new = pattern.sub(lambda _: tables(), text)
    if "--check" in sys.argv[1:]:
        if new != text:
            print(f"{DOC} is out of date with action.yml: run scripts/action-docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
