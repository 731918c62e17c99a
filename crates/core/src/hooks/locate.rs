//! Where the hooks go: the folder git itself names for a repository
//! (`git rev-parse --git-path hooks`, which honours `core.hooksPath`, linked worktrees
//! and `$GIT_DIR`), or the global `core.hooksPath`; and whether husky or lefthook owns
//! a repository's hooks. git runs here with the repository's configuration, but only
//! `rev-parse` and `config`, which run none of the repository's programs.
use std::{
    ffi::OsStr,
    path::{Component, Path, PathBuf},
    process::Command,
};

use super::{HookError, Manager};

/// lefthook's configuration files at a repository's top level.
const LEFTHOOK_FILES: [&str; 4] = [
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
];

/// A repository's hooks folder.
#[derive(Debug, Clone)]
pub struct RepoHooks {
    /// The work tree's top level.
    pub top: PathBuf,
    /// The folder git runs the hooks from.
    pub dir: PathBuf,
    /// `dir` is neither in the work tree nor in the git folder (git names it through a
    /// `core.hooksPath` that points elsewhere).
    pub outside: bool,
}

fn describe(args: &[&str]) -> String {
    args.join(" ")
}

/// Runs git in `dir`; Ok(None) when it exits with status 1 and says nothing (how
/// `git config --get` reports an unset key).
fn git(dir: &Path, args: &[&str]) -> Result<Option<String>, HookError> {
    let out = Command::new("git")
        // No index refresh can start a configured fsmonitor program.
        .args(["-c", "core.fsmonitor=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|source| HookError::GitMissing {
            args: describe(args),
            source,
        })?;
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        return Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()));
    }
    if out.status.code() == Some(1) && out.stderr.is_empty() {
        return Ok(None);
    }
    Err(HookError::Git {
        args: describe(args),
        dir: dir.to_path_buf(),
        message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    })
}

fn git_value(dir: &Path, args: &[&str]) -> Result<String, HookError> {
    git(dir, args)?.ok_or_else(|| HookError::Git {
        args: describe(args),
        dir: dir.to_path_buf(),
        message: "no output".into(),
    })
}

/// `path` with `.` and `..` taken out lexically (git's paths name no symbolic links
/// that matter here, and the folder may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The hooks folder of the repository `cwd` is in.
pub fn repository_hooks(cwd: &Path) -> Result<RepoHooks, HookError> {
    let top = PathBuf::from(git_value(cwd, &["rev-parse", "--show-toplevel"])?);
    // Run in the top level: git prints a relative hooks path relative to where it runs.
    let out = git_value(
        &top,
        &["rev-parse", "--git-path", "hooks", "--git-common-dir"],
    )?;
    let mut lines = out.lines();
    let resolve = |p: Option<&str>| normalize(&top.join(p.unwrap_or_default()));
    let dir = resolve(lines.next());
    let common = resolve(lines.next());
    let outside = !dir.starts_with(&top) && !dir.starts_with(&common);
    Ok(RepoHooks { top, dir, outside })
}

/// husky or lefthook, if either manages the hooks of the repository at `top` whose
/// hooks folder is `dir`.
pub fn detect_manager(top: &Path, dir: &Path) -> Option<Manager> {
    let husky_path = dir
        .components()
        .any(|c| c.as_os_str() == OsStr::new(".husky"));
    if husky_path || top.join(".husky").is_dir() {
        return Some(Manager::Husky);
    }
    LEFTHOOK_FILES
        .iter()
        .find(|f| top.join(f).is_file())
        .map(|f| Manager::Lefthook {
            config: (*f).to_owned(),
        })
}

/// The global `core.hooksPath`, if set (`~` expanded by git).
pub fn global_hooks_path(cwd: &Path) -> Result<Option<PathBuf>, HookError> {
    let value = git(
        cwd,
        &[
            "config",
            "--global",
            "--type=path",
            "--get",
            "core.hooksPath",
        ],
    )?;
    match value.filter(|v| !v.is_empty()).map(PathBuf::from) {
        Some(p) if p.is_relative() => Err(HookError::RelativeGlobalPath { path: p }),
        other => Ok(other),
    }
}

/// Sets the global `core.hooksPath` to `dir`.
pub fn set_global_hooks_path(cwd: &Path, dir: &Path) -> Result<(), HookError> {
    let value = dir.to_string_lossy();
    git(cwd, &["config", "--global", "core.hooksPath", &value]).map(drop)
}

/// Removes `core.hooksPath` from the global configuration.
pub fn unset_global_hooks_path(cwd: &Path) -> Result<(), HookError> {
    git(cwd, &["config", "--global", "--unset", "core.hooksPath"]).map(drop)
}

/// vigil's own folder for global hooks: `$XDG_CONFIG_HOME/vigil/hooks`, by default
/// `~/.config/vigil/hooks`.
pub fn vigil_global_dir() -> Result<PathBuf, HookError> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .ok_or(HookError::NoHome)?;
    Ok(config.join("vigil").join("hooks"))
}

/// The first executable file called `name` on PATH, as `command -v` finds it.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| is_executable_file(p))
}

#[cfg(unix)]
fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(p: &Path) -> bool {
    p.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_dots() {
        assert_eq!(
            normalize(Path::new("/r/sub/../.git/./hooks")),
            PathBuf::from("/r/.git/hooks")
        );
    }

    #[test]
    fn finds_husky_and_lefthook() {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path();
        let git_hooks = top.join(".git/hooks");
        assert_eq!(detect_manager(top, &git_hooks), None);
        assert_eq!(
            detect_manager(top, &top.join(".husky/_")),
            Some(Manager::Husky)
        );
        std::fs::write(top.join(".lefthook.yml"), "").unwrap();
        assert_eq!(
            detect_manager(top, &git_hooks),
            Some(Manager::Lefthook {
                config: ".lefthook.yml".into()
            })
        );
        std::fs::create_dir(top.join(".husky")).unwrap();
        assert_eq!(detect_manager(top, &git_hooks), Some(Manager::Husky));
    }
}
