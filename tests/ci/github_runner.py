"""Runs a composite action's steps the way a GitHub Actions runner does.

Each `run:` step is a bash script run with `bash --noprofile --norc -eo pipefail` under
a clean environment: the runner's variables (GITHUB_*, RUNNER_*, CI), the job's `env`,
and the step's `env:` with its `${{ }}` expressions evaluated. Each step gets fresh
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files; GITHUB_PATH and GITHUB_ENV carry over to
later steps. `if:` conditions (with the implicit `success()`), `continue-on-error`,
step outputs and the action's `outputs:` are evaluated as GitHub does. Workflow commands
on stdout become annotations. A `uses:` step calls the handler the test registered for
that action (e.g. a local actions/cache); an action with no handler fails the run.

Only the expression syntax the project's actions use is supported; anything else
raises, so an unsupported construct cannot pass unnoticed.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import yaml

Handler = Callable[["Runner", dict[str, str]], dict[str, str]]


# --- expressions ----------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|\[|\]|,|\.)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unsupported expression at {text[pos:]!r} in {text!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _truthy(v: Any) -> bool:
    return v not in (None, False, 0, "", [], {})


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()  # GitHub compares strings case-insensitively
    if a is None:
        a = ""
    if b is None:
        b = ""
    return str(a).lower() == str(b).lower() if isinstance(a, str) or isinstance(b, str) else a == b


class _Parser:
    def __init__(self, text: str, ctx: dict[str, Any], status: dict[str, bool]):
        self.toks, self.i, self.ctx, self.status, self.text = _tokens(text), 0, ctx, status, text
        self.uses_status = False

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise ValueError(f"unexpected end of {self.text!r}")
        tok = self.toks[self.i]
        if expected is not None and tok[1] != expected:
            raise ValueError(f"expected {expected!r}, found {tok[1]!r} in {self.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Any:
        v = self.or_()
        if self.i != len(self.toks):
            raise ValueError(f"trailing {self.toks[self.i][1]!r} in {self.text!r}")
        return v

    def or_(self) -> Any:
        v = self.and_()
        while self.peek() == "||":
            self.take()
            w = self.and_()
            v = v if _truthy(v) else w
        return v

    def and_(self) -> Any:
        v = self.cmp()
        while self.peek() == "&&":
            self.take()
            w = self.cmp()
            v = w if _truthy(v) else v
        return v

    def cmp(self) -> Any:
        v = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            w = self.unary()
            v = _eq(v, w) if op == "==" else not _eq(v, w)
        return v

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, tok = self.take()
        if tok == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind == "str":
            return tok[1:-1].replace("''", "'")
        if kind == "num":
            return float(tok) if "." in tok else int(tok)
        if kind != "name":
            raise ValueError(f"unexpected {tok!r} in {self.text!r}")
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "null":
            return None
        if self.peek() == "(":
            return self.call(tok)
        if tok not in self.ctx:
            raise ValueError(f"unknown context {tok!r} in {self.text!r}")
        v: Any = self.ctx[tok]
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = self.or_()
                self.take("]")
            v = v.get(key) if isinstance(v, dict) else None
        return v

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        if name in ("always", "success", "failure", "cancelled"):
            self.uses_status = True
            return {
                "always": True,
                "success": not self.status["failed"],
                "failure": self.status["failed"],
                "cancelled": False,
            }[name]
        if name == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(_eq(x, needle) for x in hay)
            return str(needle).lower() in str(hay or "").lower()
        if name == "startsWith":
            return str(args[0] or "").lower().startswith(str(args[1]).lower())
        if name == "endsWith":
            return str(args[0] or "").lower().endswith(str(args[1]).lower())
        raise ValueError(f"unsupported function {name}() in {self.text!r}")


def _as_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def interpolate(text: str, ctx: dict[str, Any], failed: bool = False) -> str:
    status = {"failed": failed}
    return _TEMPLATE.sub(lambda m: _as_text(_Parser(m.group(1), ctx, status).parse()), text)


def condition(text: Any, ctx: dict[str, Any], failed: bool) -> bool:
    """An `if:`: without a status function it means `success() && (...)`."""
    if text is None:
        return not failed
    if isinstance(text, bool):
        return text and not failed
    expr = text.strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", expr, re.S)
    if m:
        expr = m.group(1)
    p = _Parser(expr, ctx, {"failed": failed})
    value = _truthy(p.parse())
    return value if p.uses_status else (value and not failed)


# --- the runner -----------------------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<cmd>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


@dataclasses.dataclass
class Annotation:
    kind: str  # error, warning, notice
    properties: dict[str, str]
    message: str
    step: str


@dataclasses.dataclass
class StepRun:
    id: str
    name: str
    ran: bool
    outcome: str  # success, failure, skipped
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    uses: str | None = None
    with_: dict[str, str] | None = None
    seconds: float = 0.0


@dataclasses.dataclass
class Result:
    conclusion: str  # success or failure
    exit_code: int  # the failing step's exit code, else 0
    outputs: dict[str, str]
    summary: str
    annotations: list[Annotation]
    steps: list[StepRun]
    path_added: list[str]

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.id == step_id)

    def log(self) -> str:
        parts = []
        for s in self.steps:
            parts.append(f"--- step {s.id or s.name}: {s.outcome} ({s.seconds:.1f} s)\n{s.stdout}{s.stderr}")
        return "\n".join(parts)


def _unescape(s: str) -> str:
    return s.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def _read_output_file(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: `name=value` lines and `name<<DELIM` blocks."""
    out: dict[str, str] = {}
    lines = path.read_text().split("\n") if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            while i < len(lines) and lines[i] != delim:
                value.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError(f"{path}: no closing delimiter {delim!r} for {name}")
            i += 1
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        else:
            raise ValueError(f"{path}: malformed line {line!r}")
    return out


class Runner:
    """One job on one runner: a workspace, an event, and the runner's folders."""

    def __init__(
        self,
        workspace: Path,
        event_name: str,
        event: dict[str, Any],
        *,
        repository: str = "acme/app",
        sha: str = "",
        ref: str = "refs/heads/main",
        job_env: dict[str, str] | None = None,
        handlers: dict[str, Handler] | None = None,
        runner_os: str = "Linux",
        runner_arch: str = "X64",
    ):
        self.tmp = Path(tempfile.mkdtemp(prefix="runner-"))
        self.workspace = workspace
        self.temp = self.tmp / "temp"
        self.temp.mkdir()
        self.home = self.tmp / "home"
        self.home.mkdir()
        event_path = self.tmp / "event.json"
        event_path.write_text(json.dumps(event))
        self.event = event
        self.handlers = handlers or {}
        self.github = {
            "event_name": event_name,
            "event": event,
            "repository": repository,
            "sha": sha,
            "ref": ref,
            "ref_name": ref.split("/", 2)[-1],
            "workspace": str(workspace),
            "server_url": "https://github.com",
            "run_id": "4242",
            "run_attempt": "1",
            "action_path": "",
        }
        self.runner = {"os": runner_os, "arch": runner_arch, "temp": str(self.temp)}
        self.env: dict[str, str] = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": repository,
            "GITHUB_REPOSITORY_OWNER": repository.split("/")[0],
            "GITHUB_SHA": sha,
            "GITHUB_REF": ref,
            "GITHUB_REF_NAME": self.github["ref_name"],
            "GITHUB_REF_TYPE": "tag" if ref.startswith("refs/tags/") else "branch",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_WORKFLOW_REF": f"{repository}/.github/workflows/ci.yml@{ref}",
            "RUNNER_OS": runner_os,
            "RUNNER_ARCH": runner_arch,
            "RUNNER_TEMP": str(self.temp),
        }
        self.env.update(job_env or {})
        self.path_file = self.tmp / "path.txt"
        self.path_file.touch()
        self.env_file = self.tmp / "env.txt"
        self.env_file.touch()
        self.path_added: list[str] = []
        self.post: list[Callable[[bool], None]] = []

    def run_action(self, action_dir: Path, inputs: dict[str, str] | None = None) -> Result:
        """Runs the composite action in `action_dir` with `inputs` (its `with:`)."""
        spec = yaml.safe_load((action_dir / "action.yml").read_text())
        if spec["runs"]["using"] != "composite":
            raise ValueError("only composite actions are supported")
        declared = spec.get("inputs", {}) or {}
        given = dict(inputs or {})
        unknown = set(given) - set(declared)
        if unknown:
            raise ValueError(f"inputs not declared by the action: {sorted(unknown)}")
        values = {k: str(given.get(k, (v or {}).get("default", ""))) for k, v in declared.items()}
        github = dict(self.github, action_path=str(action_dir))
        steps_ctx: dict[str, dict[str, Any]] = {}
        ctx: dict[str, Any] = {
            "inputs": values,
            "github": github,
            "runner": self.runner,
            "steps": steps_ctx,
            "env": self.env,
        }
        failed = False
        exit_code = 0
        runs: list[StepRun] = []
        annotations: list[Annotation] = []
        summary: list[str] = []
        for i, step in enumerate(spec["runs"]["steps"]):
            sid = step.get("id", f"__{i}")
            name = step.get("name", sid)
            if not condition(step.get("if"), ctx, failed):
                runs.append(StepRun(sid, name, False, "skipped"))
                steps_ctx[sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                continue
            if "uses" in step:
                run = self._uses(sid, name, step, ctx, failed)
            else:
                run = self._run(sid, name, step, ctx, failed, str(action_dir), annotations, summary)
            runs.append(run)
            ok = run.outcome == "success"
            if not ok and not step.get("continue-on-error", False):
                if not failed:
                    exit_code = run.returncode if run.returncode is not None else 1
                failed = True
            steps_ctx[sid]["outcome"] = run.outcome
            steps_ctx[sid]["conclusion"] = "success" if step.get("continue-on-error") else run.outcome
        for post in reversed(self.post):
            post(not failed)
        self.post.clear()
        outputs = {
            k: interpolate(str((v or {}).get("value", "")), ctx, failed)
            for k, v in (spec.get("outputs", {}) or {}).items()
        }
        return Result(
            "failure" if failed else "success",
            exit_code,
            outputs,
            "".join(summary),
            annotations,
            runs,
            list(self.path_added),
        )

    def _uses(self, sid, name, step, ctx, failed) -> StepRun:
        uses = step["uses"]
        action = uses.split("@", 1)[0]
        with_ = {k: interpolate(str(v), ctx, failed) for k, v in (step.get("with") or {}).items()}
        handler = self.handlers.get(action)
        if handler is None:
            raise KeyError(f"no handler for uses: {uses} (register one in the test)")
        try:
            outputs = handler(self, with_)
            outcome = "success"
        except Exception as e:  # the action failed, as its own step would
            outputs, outcome = {"error": str(e)}, "failure"
        ctx["steps"][sid] = {"outputs": outputs}
        return StepRun(sid, name, True, outcome, uses=uses, with_=with_)

    def _run(self, sid, name, step, ctx, failed, action_path, annotations, summary) -> StepRun:
        if step.get("shell") != "bash":
            raise ValueError(f"step {name}: only shell: bash is supported, not {step.get('shell')!r}")
        step_dir = Path(tempfile.mkdtemp(prefix="step-", dir=self.tmp))
        script = step_dir / "script.sh"
        script.write_text(interpolate(step["run"], ctx, failed))
        env = dict(self.env)
        env.update(_read_output_file(self.env_file))
        env.update({k: interpolate(str(v), ctx, failed) for k, v in (step.get("env") or {}).items()})
        output_file, summary_file = step_dir / "output", step_dir / "summary"
        output_file.touch()
        summary_file.touch()
        env.update(
            GITHUB_ACTION_PATH=action_path,
            GITHUB_OUTPUT=str(output_file),
            GITHUB_STEP_SUMMARY=str(summary_file),
            GITHUB_PATH=str(self.path_file),
            GITHUB_ENV=str(self.env_file),
            PATH=":".join(reversed(self.path_added)) + (":" if self.path_added else "") + self.env["PATH"],
        )
        started = time.monotonic()
        p = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=1800,
        )
        for line in p.stdout.splitlines():
            m = _COMMAND.match(line)
            if not m or m.group("cmd") not in ("error", "warning", "notice"):
                continue
            props = {}
            for part in (m.group("props") or "").split(","):
                if "=" in part:
                    k, v = part.split("=", 1)
                    props[k] = _unescape(v)
            annotations.append(Annotation(m.group("cmd"), props, _unescape(m.group("msg")), sid))
        self.path_added = [l for l in self.path_file.read_text().splitlines() if l]
        summary.append(summary_file.read_text())
        ctx["steps"][sid] = {"outputs": _read_output_file(output_file)}
        return StepRun(
            sid, name, True, "success" if p.returncode == 0 else "failure", p.returncode,
            p.stdout, p.stderr, seconds=time.monotonic() - started,
        )
