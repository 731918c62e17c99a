//! Installing vigil as a repository's (or every repository's) git hooks, and taking it
//! out again: what `vigil hook install` and `vigil hook uninstall` do.
//!
//! ```text
//! where:  git rev-parse --git-path hooks, in the repository's top level (honours
//!         core.hooksPath, linked worktrees and $GIT_DIR), or the global core.hooksPath
//!         (set to ~/.config/vigil/hooks when unset)            -> locate.rs
//! what:   a POSIX sh shim per hook that runs `vigil hook <name> "$@"`   -> shim.rs
//! how:    an existing hook that is not vigil's moves to <name>.pre-vigil and the shim
//!         runs it first; uninstall moves it back; a file vigil did not write is never
//!         overwritten or removed                                -> install.rs
//! ```
//!
//! A repository whose hooks husky or lefthook manage is left alone: the outcome says
//! which manager, and [`Manager::snippets`] says what to add to its configuration.
mod install;
mod locate;
mod plan;
mod shim;

use std::path::{Path, PathBuf};

pub use install::{install_in, uninstall_in};
pub use locate::{detect_manager, find_on_path, repository_hooks, vigil_global_dir, RepoHooks};
pub use plan::{plan, plan_ci, plan_ci_from_env, HookPlan, HookPlanError};
pub use shim::{is_vigil_shim, shim, MARKER, PREVIOUS_SUFFIX};

/// The hooks vigil installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    PreCommit,
    PrePush,
}

impl Hook {
    pub const ALL: [Hook; 2] = [Hook::PreCommit, Hook::PrePush];

    /// The hook's file name, as git names it.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
        }
    }
}

/// A hook manager that owns a repository's hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    /// husky: `core.hooksPath` points into `.husky`, or there is a `.husky/` folder.
    Husky,
    /// lefthook, configured by this file at the top level.
    Lefthook { config: String },
}

/// A piece of another tool's configuration to add by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The file to add it to, relative to the repository's top level.
    pub file: String,
    pub text: String,
}

impl Manager {
    pub fn name(&self) -> &'static str {
        match self {
            Manager::Husky => "husky",
            Manager::Lefthook { .. } => "lefthook",
        }
    }

    /// What to add to the manager's configuration so that it runs vigil's hooks.
    pub fn snippets(&self, hooks: &[Hook]) -> Vec<Snippet> {
        match self {
            Manager::Husky => hooks
                .iter()
                .map(|h| Snippet {
                    file: format!(".husky/{}", h.name()),
                    text: format!("vigil hook {}\n", h.name()),
                })
                .collect(),
            Manager::Lefthook { config } => {
                let mut text = String::new();
                for h in hooks {
                    let name = h.name();
                    text.push_str(&format!(
                        "{name}:\n  commands:\n    vigil:\n      run: vigil hook {name}\n"
                    ));
                    if *h == Hook::PrePush {
                        // lefthook gives stdin (the refs being pushed) only when asked.
                        text.push_str("      use_stdin: true\n");
                    }
                }
                vec![Snippet {
                    file: config.clone(),
                    text,
                }]
            }
        }
    }
}

/// Why hooks could not be installed or removed. Nothing was changed unless the error
/// says otherwise.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HookError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not run git ({args}): {source}")]
    GitMissing {
        args: String,
        source: std::io::Error,
    },
    #[error("git {args} failed in {dir}: {message}")]
    Git {
        args: String,
        dir: PathBuf,
        message: String,
    },
    #[error("{path}: a hook that vigil did not write is there, and {previous} already exists; move one of them away and try again")]
    PreviousExists { path: PathBuf, previous: PathBuf },
    #[error("{path}: not installed by vigil; it was left as it is")]
    NotVigils { path: PathBuf },
    #[error("the global core.hooksPath ({path}) is relative, so each repository would read it differently; set it to an absolute path")]
    RelativeGlobalPath { path: PathBuf },
    #[error(
        "neither XDG_CONFIG_HOME nor HOME is set: cannot choose a folder for the global hooks"
    )]
    NoHome,
}

/// What was done to one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The shim was written where there was no hook.
    Installed,
    /// The shim was written where there was no hook, and the `.pre-vigil` hook a
    /// previous install kept is there: the shim runs it first.
    InstalledKeepingPrevious { previous: PathBuf },
    /// The hook that was there moved to `previous`; the shim runs it first.
    Chained { previous: PathBuf },
    /// vigil's shim was there with other content or mode and was rewritten.
    Updated,
    /// vigil's shim was there, byte for byte: nothing changed.
    AlreadyInstalled,
    /// vigil's shim was removed.
    Removed,
    /// vigil's shim (if still there) was removed and `previous` moved back in its place.
    Restored { previous: PathBuf },
    /// Neither vigil's shim nor a kept hook was there: nothing changed.
    NotInstalled,
}

/// One hook's file and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookChange {
    pub hook: Hook,
    pub path: PathBuf,
    pub action: Action,
}

/// `vigil hook install` / `uninstall`: which hooks, and where.
#[derive(Debug, Clone)]
pub struct HookRequest {
    /// The folder the command runs in (the repository is the one it is in).
    pub cwd: PathBuf,
    /// The global hooks folder (`core.hooksPath` in the global git configuration).
    pub global: bool,
    pub hooks: Vec<Hook>,
}

/// What an install or uninstall did.
#[derive(Debug, Clone)]
pub enum HookOutcome {
    /// husky or lefthook manages the repository's hooks: nothing was changed.
    Managed {
        manager: Manager,
        top: PathBuf,
    },
    Done(HookReport),
}

/// The hooks folder and what was done in it.
#[derive(Debug, Clone)]
pub struct HookReport {
    pub dir: PathBuf,
    pub changes: Vec<HookChange>,
    /// For a repository: git names a hooks folder outside its work tree and git folder
    /// (a `core.hooksPath` set elsewhere, for example globally).
    pub outside_repository: bool,
    /// `core.hooksPath` was set in the global git configuration to `dir`.
    pub global_path_set: bool,
    /// `core.hooksPath` was removed from the global git configuration (it named vigil's
    /// own folder, which no longer holds a hook).
    pub global_path_unset: bool,
    /// Where the shims will find `vigil` (None: not on PATH, so they will fail).
    pub vigil_on_path: Option<PathBuf>,
}

/// Where the hooks go.
enum Place {
    /// The global hooks folder; `configured`: git's global `core.hooksPath` names it.
    Global {
        dir: PathBuf,
        configured: bool,
    },
    Repository(RepoHooks),
    /// husky or lefthook owns the repository's hooks: nothing is changed.
    Managed(HookOutcome),
}

impl HookReport {
    /// A report of `changes` in `dir`, with no global setting touched.
    fn new(dir: PathBuf, changes: Vec<HookChange>, vigil_on_path: Option<PathBuf>) -> HookReport {
        HookReport {
            dir,
            changes,
            outside_repository: false,
            global_path_set: false,
            global_path_unset: false,
            vigil_on_path,
        }
    }
}

impl HookRequest {
    /// The folder git runs hooks from: the global one, or the repository's (unless a
    /// hook manager owns it).
    fn place(&self) -> Result<Place, HookError> {
        if self.global {
            let configured = locate::global_hooks_path(&self.cwd)?;
            return Ok(match configured {
                Some(dir) => Place::Global {
                    dir,
                    configured: true,
                },
                None => Place::Global {
                    dir: vigil_global_dir()?,
                    configured: false,
                },
            });
        }
        let repo = repository_hooks(&self.cwd)?;
        if let Some(manager) = detect_manager(&repo.top, &repo.dir) {
            return Ok(Place::Managed(HookOutcome::Managed {
                manager,
                top: repo.top,
            }));
        }
        Ok(Place::Repository(repo))
    }

    /// Installs the shims (see the module documentation).
    pub fn install(&self) -> Result<HookOutcome, HookError> {
        let vigil_on_path = find_on_path("vigil");
        let report = match self.place()? {
            Place::Managed(outcome) => return Ok(outcome),
            Place::Global { dir, configured } => {
                let changes = install_in(&dir, &self.hooks)?;
                if !configured {
                    locate::set_global_hooks_path(&self.cwd, &dir)?;
                }
                HookReport {
                    global_path_set: !configured,
                    ..HookReport::new(dir, changes, vigil_on_path)
                }
            }
            Place::Repository(repo) => {
                let changes = install_in(&repo.dir, &self.hooks)?;
                HookReport {
                    outside_repository: repo.outside,
                    ..HookReport::new(repo.dir, changes, vigil_on_path)
                }
            }
        };
        Ok(HookOutcome::Done(report))
    }

    /// Removes vigil's shims and puts back the hooks they replaced.
    pub fn uninstall(&self) -> Result<HookOutcome, HookError> {
        let vigil_on_path = find_on_path("vigil");
        let report = match self.place()? {
            Place::Managed(outcome) => return Ok(outcome),
            Place::Global { dir, configured } => {
                let changes = uninstall_in(&dir, &self.hooks)?;
                // vigil set core.hooksPath to its own folder: take the setting back once
                // that folder holds no hook any more.
                let unset =
                    configured && same_path(&dir, &vigil_global_dir()?) && is_empty_dir(&dir);
                if unset {
                    locate::unset_global_hooks_path(&self.cwd)?;
                }
                HookReport {
                    global_path_unset: unset,
                    ..HookReport::new(dir, changes, vigil_on_path)
                }
            }
            Place::Repository(repo) => {
                let changes = uninstall_in(&repo.dir, &self.hooks)?;
                HookReport {
                    outside_repository: repo.outside,
                    ..HookReport::new(repo.dir, changes, vigil_on_path)
                }
            }
        };
        Ok(HookOutcome::Done(report))
    }
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}
