//! `vigil hook install` / `vigil hook uninstall`: put the shims that run vigil into a
//! repository's (or the global) git hooks folder, or take them out. Where and what is
//! vigil-core's (`hooks`); this file words the outcome.
use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use vigil_core::hooks::{Action, Hook, HookOutcome, HookReport, HookRequest};

use crate::exit::{note, Code, Error};

#[derive(Args)]
pub struct HookArgs {
    #[command(subcommand)]
    pub command: HookCommand,
}

#[derive(Subcommand)]
pub enum HookCommand {
    /// Install the pre-commit and pre-push hooks that run vigil in this repository
    /// (in the folder git runs hooks from), or globally.
    ///
    /// A hook already there moves to <hook>.pre-vigil and runs first. Repositories
    /// whose hooks husky or lefthook manage are left alone: vigil prints what to add
    /// to their configuration.
    ///
    /// Exit codes: 0 installed (or already), 2 nothing installed (husky or lefthook,
    /// a conflicting file, not a repository).
    Install(Which),
    /// Scan the staged changes, as git's pre-commit hook (or, under the pre-commit
    /// framework's push stage, its PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF).
    ///
    /// Exit codes: 0 clean, 1 secrets found (the commit is blocked), 2 usage or
    /// configuration error, 3 incomplete.
    PreCommit(crate::hook_run::HookRunArgs),
    /// Scan the commits being pushed, as git's pre-push hook (the refs git passes on
    /// stdin: several refs, new branches, deleted branches).
    ///
    /// Exit codes: 0 clean, 1 secrets found (the push is blocked), 2 usage or
    /// configuration error, 3 incomplete (a base commit is missing).
    PrePush(crate::hook_run::HookRunArgs),
    /// Remove vigil's hooks and put back the hooks they replaced.
    ///
    /// Exit codes: 0 removed (or not there), 2 a hook file is not vigil's (nothing removed).
    Uninstall(Which),
}

#[derive(Args)]
pub struct Which {
    /// The global hooks folder (git's global core.hooksPath; when unset, vigil uses
    /// ~/.config/vigil/hooks and sets core.hooksPath to it).
    #[arg(long)]
    pub global: bool,
    /// Which hook.
    #[arg(long, value_enum, default_value = "all")]
    pub hook: HookChoice,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum HookChoice {
    PreCommit,
    PrePush,
    All,
}

impl HookChoice {
    fn hooks(self) -> Vec<Hook> {
        match self {
            HookChoice::PreCommit => vec![Hook::PreCommit],
            HookChoice::PrePush => vec![Hook::PrePush],
            HookChoice::All => Hook::ALL.to_vec(),
        }
    }
}

pub fn run(args: &HookArgs) -> Result<Code, Error> {
    let (which, install) = match &args.command {
        HookCommand::Install(w) => (w, true),
        HookCommand::Uninstall(w) => (w, false),
        HookCommand::PreCommit(_) => return crate::hook_run::run(Hook::PreCommit),
        HookCommand::PrePush(_) => return crate::hook_run::run(Hook::PrePush),
    };
    let request = HookRequest {
        cwd: std::env::current_dir()?,
        global: which.global,
        hooks: which.hook.hooks(),
    };
    let outcome = if install {
        request.install()?
    } else {
        request.uninstall()?
    };
    match outcome {
        HookOutcome::Managed { manager, top } => {
            managed(
                manager.name(),
                &manager.snippets(&request.hooks),
                &top,
                install,
            );
            Ok(Code::Usage)
        }
        HookOutcome::Done(report) => {
            done(&report);
            Ok(Code::Clean)
        }
    }
}

fn managed(name: &str, snippets: &[vigil_core::hooks::Snippet], top: &Path, install: bool) {
    note(&format!(
        "{name} manages the git hooks of {}: vigil {} nothing. {}",
        top.display(),
        if install { "installed" } else { "removed" },
        if install {
            format!("Add vigil to {name}'s configuration instead:")
        } else {
            format!("Remove vigil from {name}'s configuration instead:")
        }
    ));
    for s in snippets {
        outln!("# {}", s.file);
        crate::exit::lines(&s.text);
    }
}

fn done(report: &HookReport) {
    for c in &report.changes {
        let name = c.hook.name();
        let path = c.path.display();
        match &c.action {
            Action::Installed => outln!("{name}: installed {path}"),
            Action::InstalledKeepingPrevious { previous } => outln!(
                "{name}: installed {path}; it runs {} first (kept by an earlier install)",
                previous.display()
            ),
            Action::Chained { previous } => outln!(
                "{name}: installed {path}; the hook that was there moved to {} and runs first",
                previous.display()
            ),
            Action::Updated => outln!("{name}: updated {path}"),
            Action::AlreadyInstalled => outln!("{name}: already installed ({path})"),
            Action::Removed => outln!("{name}: removed {path}"),
            Action::Restored { previous } => {
                outln!(
                    "{name}: removed vigil's hook; {} moved back to {path}",
                    previous.display()
                );
            }
            Action::NotInstalled => outln!("{name}: not installed (nothing to remove)"),
        }
    }
    let dir = report.dir.display();
    if report.global_path_set {
        note(&format!(
            "set core.hooksPath to {dir} in your global git configuration: git now runs the \
             hooks in that folder for every repository that does not set its own, instead of \
             the repository's .git/hooks"
        ));
    }
    if report.global_path_unset {
        note(&format!(
            "removed core.hooksPath ({dir}) from your global git configuration"
        ));
    }
    if report.outside_repository {
        note(&format!(
            "git runs this repository's hooks from {dir} (core.hooksPath), outside the repository"
        ));
    }
    let installed = report.changes.iter().any(|c| {
        !matches!(
            c.action,
            Action::Removed | Action::Restored { .. } | Action::NotInstalled
        )
    });
    if installed && report.vigil_on_path.is_none() {
        note(
            "vigil is not on PATH, so the hooks will fail until it is: install it with \
             cargo install --locked --path <vigil checkout>",
        );
    }
}
