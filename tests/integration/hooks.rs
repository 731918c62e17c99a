//! `vigil hook install` / `uninstall` on real git repositories. Every command runs with
//! HOME and GIT_CONFIG_GLOBAL in a temporary folder, so the developer's own git
//! configuration is never read or written.
use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
};

use crate::harness::{repo_root, vigil, Run};

/// A temporary home, global git configuration and repository.
struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env::with_object_format("sha1")
    }

    /// With a repository of object `format` (`git init --object-format`).
    fn with_object_format(format: &str) -> Env {
        let env = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(env.home()).unwrap();
        fs::create_dir_all(env.bin()).unwrap();
        fs::create_dir_all(env.repo()).unwrap();
        let format = format!("--object-format={format}");
        env.git(&env.repo(), &["init", "-q", &format]);
        env
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn bin(&self) -> PathBuf {
        self.tmp.path().join("bin")
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn global_config(&self) -> PathBuf {
        self.tmp.path().join("gitconfig")
    }

    fn isolate(&self, c: &mut Command) {
        c.env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", self.global_config())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let (passed, text) = self.try_git(dir, args);
        assert!(passed, "git {args:?}: {text}");
        text
    }

    /// Runs git as a developer would (the stub or real `vigil` first on PATH): whether
    /// it succeeded, and what it printed.
    fn try_git(&self, dir: &Path, args: &[&str]) -> (bool, String) {
        let mut c = Command::new("git");
        self.isolate(&mut c);
        let out = c
            .args([
                "-c",
                "user.name=Ada Lovelace",
                "-c",
                "user.email=ada@example.com",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .env("PATH", self.path_var())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    fn path_var(&self) -> String {
        format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn vigil_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut c = vigil();
        self.isolate(&mut c);
        let out = c.current_dir(dir).args(args).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn vigil(&self, args: &[&str]) -> Run {
        self.vigil_in(&self.repo(), args)
    }

    /// The vigil under test first on PATH, for git's hooks to find.
    fn real_vigil(&self) {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vigil"), self.bin().join("vigil")).unwrap();
    }

    /// A stub `vigil` first on PATH for git's hooks: it records that it ran, and how.
    fn stub_vigil(&self) -> PathBuf {
        let log = self.tmp.path().join("vigil-ran");
        script(
            &self.bin().join("vigil"),
            &format!("#!/bin/sh\necho \"$*\" >>'{}'\nexit 0\n", log.display()),
        );
        log
    }
}

fn script(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn shim(name: &str) -> Vec<u8> {
    fs::read(repo_root().join("hooks").join(name)).unwrap()
}

/// The hook files in a folder (without git's samples).
fn hooks_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".sample"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn ok(run: &Run) {
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

#[test]
fn install_and_uninstall_without_a_hook() {
    let env = Env::new();
    let hooks = env.repo().join(".git/hooks");
    let run = env.vigil(&["hook", "install"]);
    ok(&run);
    assert!(
        run.stdout.contains("pre-commit: installed"),
        "{}",
        run.stdout
    );
    assert_eq!(hooks_in(&hooks), ["pre-commit", "pre-push"]);
    for name in ["pre-commit", "pre-push"] {
        assert_eq!(fs::read(hooks.join(name)).unwrap(), shim(name));
        let mode = fs::metadata(hooks.join(name)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
    let run = env.vigil(&["hook", "uninstall"]);
    ok(&run);
    assert!(run.stdout.contains("pre-push: removed"), "{}", run.stdout);
    assert!(hooks_in(&hooks).is_empty());
    // Nothing left to remove is not an error.
    let run = env.vigil(&["hook", "uninstall"]);
    ok(&run);
    assert!(run.stdout.contains("not installed"), "{}", run.stdout);
}

#[test]
fn installing_twice_changes_nothing() {
    let env = Env::new();
    let hooks = env.repo().join(".git/hooks");
    script(&hooks.join("pre-push"), "#!/bin/sh\nexit 0\n");
    ok(&env.vigil(&["hook", "install"]));
    let snapshot = |d: &Path| {
        hooks_in(d)
            .into_iter()
            .map(|n| {
                let m = fs::metadata(d.join(&n)).unwrap();
                (
                    n.clone(),
                    fs::read(d.join(&n)).unwrap(),
                    m.permissions().mode(),
                    m.modified().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = snapshot(&hooks);
    let run = env.vigil(&["hook", "install"]);
    ok(&run);
    assert_eq!(
        run.stdout.matches("already installed").count(),
        2,
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&hooks), before);
}

#[test]
fn an_existing_hook_still_runs_and_comes_back() {
    let env = Env::new();
    let repo = env.repo();
    let hooks = repo.join(".git/hooks");
    let marker = env.tmp.path().join("old-hook-ran");
    let old = format!("#!/bin/sh\necho \"old $*\" >>'{}'\n", marker.display());
    script(&hooks.join("pre-commit"), &old);
    let vigil_ran = env.stub_vigil();

    let run = env.vigil(&["hook", "install", "--hook", "pre-commit"]);
    ok(&run);
    assert!(
        run.stdout.contains("pre-commit.pre-vigil"),
        "{}",
        run.stdout
    );
    assert_eq!(hooks_in(&hooks), ["pre-commit", "pre-commit.pre-vigil"]);
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit.pre-vigil")).unwrap(),
        old
    );

    fs::write(repo.join("a.txt"), "a\n").unwrap();
    env.git(&repo, &["add", "a.txt"]);
    env.git(&repo, &["commit", "-q", "-m", "first"]);
    assert_eq!(fs::read_to_string(&marker).unwrap(), "old \n");
    assert_eq!(fs::read_to_string(&vigil_ran).unwrap(), "hook pre-commit\n");

    // A failing old hook stops the commit, and vigil does not run.
    script(&hooks.join("pre-commit.pre-vigil"), "#!/bin/sh\nexit 1\n");
    fs::write(repo.join("b.txt"), "b\n").unwrap();
    env.git(&repo, &["add", "b.txt"]);
    let mut c = Command::new("git");
    env.isolate(&mut c);
    let refused = c
        .args([
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-q",
            "-m",
            "second",
        ])
        .current_dir(&repo)
        .env("PATH", env.path_var())
        .status()
        .unwrap();
    assert!(!refused.success());
    assert_eq!(fs::read_to_string(&vigil_ran).unwrap(), "hook pre-commit\n");
    script(&hooks.join("pre-commit.pre-vigil"), &old);

    let run = env.vigil(&["hook", "uninstall"]);
    ok(&run);
    assert!(run.stdout.contains("moved back"), "{}", run.stdout);
    assert_eq!(hooks_in(&hooks), ["pre-commit"]);
    assert_eq!(fs::read_to_string(hooks.join("pre-commit")).unwrap(), old);
}

#[test]
fn refuses_files_vigil_did_not_write() {
    let env = Env::new();
    let hooks = env.repo().join(".git/hooks");
    script(&hooks.join("pre-commit"), "#!/bin/sh\nmine\n");
    script(&hooks.join("pre-commit.pre-vigil"), "#!/bin/sh\nolder\n");
    let run = env.vigil(&["hook", "install"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("pre-commit.pre-vigil already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(hooks_in(&hooks), ["pre-commit", "pre-commit.pre-vigil"]);

    let run = env.vigil(&["hook", "uninstall", "--hook", "pre-commit"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not installed by vigil"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\nmine\n"
    );
}

#[test]
fn follows_core_hooks_path() {
    let env = Env::new();
    let repo = env.repo();
    env.git(&repo, &["config", "core.hooksPath", "tools/githooks"]);
    fs::create_dir_all(repo.join("src/deep")).unwrap();
    // From a subfolder: the relative hooksPath is the top level's.
    ok(&env.vigil_in(&repo.join("src/deep"), &["hook", "install"]));
    assert_eq!(
        hooks_in(&repo.join("tools/githooks")),
        ["pre-commit", "pre-push"]
    );
    assert!(hooks_in(&repo.join(".git/hooks")).is_empty());
    assert!(!repo.join("src/deep/tools").exists());

    let vigil_ran = env.stub_vigil();
    env.git(&repo, &["commit", "-q", "--allow-empty", "-m", "x"]);
    assert_eq!(fs::read_to_string(vigil_ran).unwrap(), "hook pre-commit\n");
}

#[test]
fn a_linked_worktree_uses_the_shared_hooks() {
    let env = Env::new();
    let repo = env.repo();
    env.git(&repo, &["commit", "-q", "--allow-empty", "-m", "x"]);
    let wt = env.tmp.path().join("wt");
    env.git(&repo, &["worktree", "add", "-q", wt.to_str().unwrap()]);
    let run = env.vigil_in(&wt, &["hook", "install"]);
    ok(&run);
    assert!(
        !run.stderr.contains("outside the repository"),
        "{}",
        run.stderr
    );
    assert_eq!(
        hooks_in(&repo.join(".git/hooks")),
        ["pre-commit", "pre-push"]
    );
    assert!(!wt.join(".git").is_dir());

    let vigil_ran = env.stub_vigil();
    env.git(&wt, &["commit", "-q", "--allow-empty", "-m", "y"]);
    assert_eq!(fs::read_to_string(vigil_ran).unwrap(), "hook pre-commit\n");
}

#[test]
fn global_install_sets_core_hooks_path_and_uninstall_takes_it_back() {
    let env = Env::new();
    let dir = env.home().join(".config/vigil/hooks");
    let run = env.vigil(&["hook", "install", "--global"]);
    ok(&run);
    assert!(run.stderr.contains("set core.hooksPath"), "{}", run.stderr);
    assert_eq!(hooks_in(&dir), ["pre-commit", "pre-push"]);
    let config = fs::read_to_string(env.global_config()).unwrap();
    assert!(
        config.contains(&format!("hooksPath = {}", dir.display())),
        "{config}"
    );
    // The repository's .git/hooks is not touched.
    assert!(hooks_in(&env.repo().join(".git/hooks")).is_empty());

    let run = env.vigil(&["hook", "install", "--global"]);
    ok(&run);
    assert!(run.stdout.contains("already installed"), "{}", run.stdout);

    let run = env.vigil(&["hook", "uninstall", "--global"]);
    ok(&run);
    assert!(hooks_in(&dir).is_empty());
    let config = fs::read_to_string(env.global_config()).unwrap();
    assert!(!config.contains("hooksPath"), "{config}");
}

#[test]
fn global_install_honours_xdg_and_an_existing_hooks_path() {
    let env = Env::new();
    let xdg = env.tmp.path().join("xdg");
    let mut c = vigil();
    env.isolate(&mut c);
    let out = c
        .env("XDG_CONFIG_HOME", &xdg)
        .current_dir(env.repo())
        .args(["hook", "install", "--global", "--hook", "pre-push"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(hooks_in(&xdg.join("vigil/hooks")), ["pre-push"]);

    // An existing global core.hooksPath is used as it is, and kept on uninstall.
    let env = Env::new();
    let mine = env.tmp.path().join("my-hooks");
    env.git(
        env.tmp.path(),
        &[
            "config",
            "--global",
            "core.hooksPath",
            mine.to_str().unwrap(),
        ],
    );
    let run = env.vigil(&["hook", "install", "--global"]);
    ok(&run);
    assert!(!run.stderr.contains("set core.hooksPath"), "{}", run.stderr);
    assert_eq!(hooks_in(&mine), ["pre-commit", "pre-push"]);
    ok(&env.vigil(&["hook", "uninstall", "--global"]));
    let config = fs::read_to_string(env.global_config()).unwrap();
    assert!(config.contains("hooksPath"), "{config}");
}

#[test]
fn husky_repositories_get_the_snippet() {
    for setup in ["folder", "hooks-path"] {
        let env = Env::new();
        let repo = env.repo();
        match setup {
            "folder" => fs::create_dir(repo.join(".husky")).unwrap(),
            _ => {
                env.git(&repo, &["config", "core.hooksPath", ".husky/_"]);
            }
        }
        let run = env.vigil(&["hook", "install"]);
        assert_eq!(run.code, 2, "{setup}: {}", run.stderr);
        assert!(run.stderr.contains("husky manages"), "{}", run.stderr);
        assert!(
            run.stdout
                .contains("# .husky/pre-commit\nvigil hook pre-commit\n"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains("# .husky/pre-push\nvigil hook pre-push\n"),
            "{}",
            run.stdout
        );
        assert!(hooks_in(&repo.join(".git/hooks")).is_empty());
        assert!(hooks_in(&repo.join(".husky/_")).is_empty());
    }
}

#[test]
fn lefthook_repositories_get_the_snippet() {
    let env = Env::new();
    fs::write(
        env.repo().join("lefthook.yml"),
        "pre-commit:\n  commands: {}\n",
    )
    .unwrap();
    let run = env.vigil(&["hook", "install", "--hook", "pre-commit"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("lefthook manages"), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "# lefthook.yml\npre-commit:\n  commands:\n    vigil:\n      run: vigil hook pre-commit\n"
    );
    assert!(hooks_in(&env.repo().join(".git/hooks")).is_empty());
}

#[test]
fn outside_a_repository_is_a_usage_error() {
    let env = Env::new();
    let run = env.vigil_in(&env.home(), &["hook", "install"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("rev-parse"), "{}", run.stderr);
}

/// The real vigil behind the installed hooks, as git runs them: a commit of a fake key
/// is blocked with where, what, how to revoke and how to proceed; a clean commit
/// passes; a commit made with --no-verify is blocked at `git push`; new branches,
/// several refs at once and a branch deletion do what they should. The same in a
/// SHA-256 repository, where git gives the pre-push hook 64-hex ids.
#[test]
fn git_runs_the_hooks_and_they_block_secrets() {
    for format in ["sha1", "sha256"] {
        hooks_block_secrets(format);
    }
}

fn hooks_block_secrets(format: &str) {
    use crate::harness::GH_TOKEN;
    let env = Env::with_object_format(format);
    env.real_vigil();
    let repo = env.repo();
    ok(&env.vigil(&["hook", "install"]));
    let try_git = |args: &[&str]| env.try_git(&repo, args);

    fs::write(repo.join("README.md"), "# app\n").unwrap();
    env.git(&repo, &["add", "README.md"]);
    let (passed, text) = try_git(&["commit", "-q", "-m", "clean"]);
    assert!(passed, "a clean commit passes: {text}");
    env.git(&repo, &["branch", "clean"]);
    env.git(&repo, &["branch", "clean2"]);

    fs::write(repo.join("app.env"), format!("TOKEN={GH_TOKEN}\n")).unwrap();
    env.git(&repo, &["add", "app.env"]);
    let (passed, text) = try_git(&["commit", "-q", "-m", "leak"]);
    assert!(!passed, "the commit is blocked: {text}");
    for part in [
        "commit blocked: 1 secret found",
        "app.env:1",
        "github-pat-classic",
        "revoke:",
        "git add",
        "vigil:allow",
        ".vigil-baseline",
        "--no-verify",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    assert!(
        !text.contains(GH_TOKEN),
        "the secret is never shown:\n{text}"
    );

    let (passed, text) = try_git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    assert!(passed, "{text}");
    let remote = env.tmp.path().join("remote.git");
    env.git(
        env.tmp.path(),
        &[
            "init",
            "-q",
            "--bare",
            &format!("--object-format={format}"),
            remote.to_str().unwrap(),
        ],
    );
    env.git(
        &repo,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );

    // A new branch with only clean commits: passes.
    let (passed, text) = try_git(&["push", "-q", "origin", "clean"]);
    assert!(passed, "{text}");
    // Several refs, one of them carrying the leak: blocked, nothing pushed.
    let (passed, text) = try_git(&["push", "-q", "origin", "clean2", "HEAD:main"]);
    assert!(!passed, "the push is blocked: {text}");
    assert!(text.contains("push blocked: 1 secret found"), "{text}");
    let leak = env.git(&repo, &["rev-parse", "HEAD"]);
    assert!(
        text.contains(&format!("(commit {}", &leak[..12])),
        "{format}: names the commit: {text}"
    );
    assert!(!text.contains(GH_TOKEN), "{text}");
    // Several clean refs at once pass; deleting a branch checks nothing.
    env.git(&repo, &["branch", "clean3", "clean"]);
    let (passed, text) = try_git(&["push", "-q", "origin", "clean2", "clean3"]);
    assert!(passed, "{text}");
    let (passed, text) = try_git(&["push", "-q", "origin", ":clean3"]);
    assert!(passed, "{text}");
    // The leak removed in a later commit is still in the pushed history: blocked.
    fs::remove_file(repo.join("app.env")).unwrap();
    env.git(&repo, &["add", "-A"]);
    let (passed, text) = try_git(&["commit", "-q", "-m", "remove it"]);
    assert!(passed, "{text}");
    let (passed, text) = try_git(&["push", "-q", "origin", "HEAD:main"]);
    assert!(!passed, "{text}");
}

/// The pre-commit framework runs the hooks of `.pre-commit-hooks.yaml` (the `system`
/// variant, with the built vigil on PATH): `validate-manifest` accepts the file, and
/// `try-repo` blocks a staged fake key and passes a clean change, at the pre-commit
/// and the pre-push stages. scripts/test installs pre-commit; the test fails without it.
#[test]
fn the_pre_commit_framework_runs_the_hooks() {
    use crate::harness::GH_TOKEN;
    let env = Env::new();
    env.real_vigil();
    let repo = env.repo();
    let pre_commit = |args: &[&str]| -> (bool, String) {
        let mut c = Command::new("python3");
        env.isolate(&mut c);
        let out = c
            .args(["-m", "pre_commit"])
            .args(args)
            .current_dir(&repo)
            .env("PATH", env.path_var())
            .env("PRE_COMMIT_HOME", env.tmp.path().join("pre-commit-cache"))
            .output()
            .expect("pre-commit is installed: scripts/test installs it from PyPI");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let manifest = repo_root().join(".pre-commit-hooks.yaml");
    let (valid, text) = pre_commit(&["validate-manifest", manifest.to_str().unwrap()]);
    assert!(valid, "{text}");
    let root = repo_root();
    let root = root.to_str().unwrap();

    fs::write(repo.join("README.md"), "# app\n").unwrap();
    env.git(&repo, &["add", "README.md"]);
    let (passed, text) = pre_commit(&["try-repo", root, "vigil-system"]);
    assert!(passed, "a clean change passes: {text}");
    env.git(&repo, &["commit", "-q", "--no-verify", "-m", "clean"]);
    let clean = env.git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();

    fs::write(repo.join("app.env"), format!("TOKEN={GH_TOKEN}\n")).unwrap();
    env.git(&repo, &["add", "app.env"]);
    let (passed, text) = pre_commit(&["try-repo", root, "vigil-system"]);
    assert!(!passed, "a staged key is blocked: {text}");
    assert!(
        text.contains("commit blocked") && !text.contains(GH_TOKEN),
        "{text}"
    );

    // The push stage: the framework passes the range in PRE_COMMIT_FROM_REF/TO_REF.
    env.git(&repo, &["commit", "-q", "--no-verify", "-m", "leak"]);
    let leak = env.git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let stage = |from: &str, to: &str| {
        pre_commit(&[
            "try-repo",
            root,
            "vigil-system",
            "--hook-stage",
            "pre-push",
            "--from-ref",
            from,
            "--to-ref",
            to,
        ])
    };
    let (passed, text) = stage(&clean, &leak);
    assert!(!passed, "the pushed range holds the key: {text}");
    assert!(text.contains("blocked"), "{text}");
}

/// `[verify] on_push = true`: the pre-push hook verifies the pushed commits' signatures
/// too; an unsigned commit is refused with the verdict, and passes without the setting.
#[test]
fn pre_push_verifies_signatures_when_the_policy_asks() {
    let env = Env::new();
    env.real_vigil();
    let repo = env.repo();
    ok(&env.vigil(&["hook", "install"]));
    fs::create_dir_all(repo.join(".vigil")).unwrap();
    fs::write(repo.join(".vigil/allowed_signers"), "").unwrap();
    let policy = "[verify]\nallowed_signers = \".vigil/allowed_signers\"\n";
    fs::write(repo.join(".vigil.toml"), policy).unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "unsigned"]);
    let remote = env.tmp.path().join("remote.git");
    env.git(
        env.tmp.path(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    env.git(
        &repo,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    let push = |refspec: &str| env.try_git(&repo, &["push", "-q", "origin", refspec]);

    let (passed, text) = push("HEAD:without");
    assert!(passed, "no on_push: signatures are CI's job: {text}");
    fs::write(
        repo.join(".vigil.toml"),
        format!("{policy}on_push = true\n"),
    )
    .unwrap();
    let (passed, text) = push("HEAD:with");
    assert!(!passed, "{text}");
    assert!(
        text.contains("fail the trust policy") && text.contains("unsigned"),
        "{text}"
    );
}
